"""Unsigned LEB128, the encoding of collection ids in front of keys."""

from __future__ import annotations


def encode_leb128(value: int) -> bytes:
    if value < 0:
        raise ValueError("LEB128 encodes unsigned integers only")
    if value < 0x80:
        return bytes((value,))
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def decode_leb128(data: bytes, offset: int = 0) -> tuple[int, int]:
    """Decode one value at ``offset``; returns ``(value, offset after it)``.

    Raises ``ValueError`` when the data ends inside the value or the value is
    longer than a u32 allows (5 bytes).
    """
    result = 0
    shift = 0
    pos = offset
    end = len(data)
    while pos < end:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 28:
            raise ValueError("LEB128 value longer than 5 bytes")
    raise ValueError("truncated LEB128 value")


def prefix_key(collection_id: int, key: bytes) -> bytes:
    """A key as sent with COLLECTIONS negotiated: LEB128 collection id, then key."""
    if collection_id == 0:
        return b"\x00" + key
    return encode_leb128(collection_id) + key


def split_key(data: bytes) -> tuple[int, bytes]:
    """Inverse of :func:`prefix_key`."""
    cid, pos = decode_leb128(data)
    return cid, data[pos:]
