"""Frame infos: the framing extras of alternative-framing (0x08/0x18) packets.

Each entry starts with a byte ``(id << 4) | len``; an id or length of 15 is
escaped by one more byte holding the value minus 15.
"""

from __future__ import annotations

import struct
from enum import IntEnum


class RequestFrame(IntEnum):
    BARRIER = 0
    DURABILITY = 1
    DCP_STREAM_ID = 2
    OPEN_TRACING = 3
    IMPERSONATE = 4
    PRESERVE_TTL = 5


class ResponseFrame(IntEnum):
    SERVER_DURATION = 0
    READ_UNITS = 1
    WRITE_UNITS = 2
    THROTTLE_DURATION = 3


class DurabilityLevel(IntEnum):
    NONE = 0
    MAJORITY = 1
    MAJORITY_AND_PERSIST_TO_ACTIVE = 2
    PERSIST_TO_MAJORITY = 3


def encode_frame(frame_id: int, payload: bytes = b"") -> bytes:
    length = len(payload)
    head = bytearray(1)
    extra = bytearray()
    if frame_id >= 15:
        head[0] = 0xF0
        extra.append(frame_id - 15)
    else:
        head[0] = frame_id << 4
    if length >= 15:
        head[0] |= 0x0F
        extra.append(length - 15)
    else:
        head[0] |= length
    return bytes(head) + bytes(extra) + payload


def decode_frames(data: bytes) -> list[tuple[int, bytes]]:
    """All ``(id, payload)`` entries of a framing-extras section."""
    frames = []
    pos = 0
    end = len(data)
    while pos < end:
        byte = data[pos]
        pos += 1
        frame_id = byte >> 4
        length = byte & 0x0F
        if frame_id == 15:
            frame_id += data[pos]
            pos += 1
        if length == 15:
            length += data[pos]
            pos += 1
        if pos + length > end:
            raise ValueError("frame info runs past the framing extras")
        frames.append((frame_id, bytes(data[pos : pos + length])))
        pos += length
    return frames


def durability_frame(level: int, timeout_ms: int | None = None) -> bytes:
    payload = bytes((level,))
    if timeout_ms is not None:
        payload += struct.pack(">H", timeout_ms)
    return encode_frame(RequestFrame.DURABILITY, payload)


def server_duration_frame(micros: float) -> bytes:
    """Server duration as the server encodes it: ``round((us * 2) ** (1 / 1.74))``."""
    encoded = min(0xFFFF, round((max(micros, 0.0) * 2) ** (1 / 1.74)))
    return encode_frame(ResponseFrame.SERVER_DURATION, struct.pack(">H", encoded))


def decode_server_duration(payload: bytes) -> float:
    """Microseconds from a SERVER_DURATION frame payload."""
    (encoded,) = struct.unpack(">H", payload)
    return (encoded**1.74) / 2
