"""When values travel Snappy-compressed: the settings and the per-connection rule.

Facts (Couchbase's client compression RFC and the data service's docs):

- A client asks for HELLO feature SNAPPY (0x0A). Only on a connection where
  the server accepted it may the client send a value with datatype bit 0x02,
  and only there does the server answer with compressed values. The client
  must inflate every response that has the bit.
- A client compresses mutations (SET, ADD, REPLACE, APPEND, PREPEND) of at
  least ``min_size`` bytes (default 32), and sends the compressed form only if
  ``compressed / original <= min_ratio`` (default 0.83).
- libcouchbase's modes, which the 2.x ``Bucket.compression`` exposes: NONE,
  IN (inflate), OUT (deflate), INOUT, and FORCE (send compressed even where
  HELLO did not negotiate it). Connection string: ``compression=on|off|
  inflate_only|deflate_only|force``.

This client always inflates a response that carries the bit (whatever the
mode says: handing compressed bytes to a transcoder helps nobody). The
default is ``on`` when the fast codec is installed; with only the pure-Python
one (a few MB/s) it is ``inflate_only``: negotiate and read compressed values,
but do not spend CPU compressing what is sent.
"""

from __future__ import annotations

from typing import Any, Callable, Collection, Mapping, Optional

from . import snappy
from .feature import Feature
from .opcode import Opcode

COMPRESS_NONE = 0x00
COMPRESS_IN = 0x01
COMPRESS_OUT = 0x02
COMPRESS_INOUT = COMPRESS_IN | COMPRESS_OUT
COMPRESS_FORCE = 0x04

MODES = {
    "on": COMPRESS_INOUT,
    "off": COMPRESS_NONE,
    "inflate_only": COMPRESS_IN,
    "deflate_only": COMPRESS_OUT,
    "force": COMPRESS_INOUT | COMPRESS_FORCE,
}
"""The connection string's ``compression`` values."""

DEFAULT_MODE = COMPRESS_INOUT if snappy.FAST else COMPRESS_IN
DEFAULT_MIN_SIZE = 32
DEFAULT_MIN_RATIO = 0.83

COMPRESSIBLE = frozenset(int(op) for op in (
    Opcode.SET, Opcode.ADD, Opcode.REPLACE, Opcode.APPEND, Opcode.PREPEND))

Deflate = Callable[[bytes], Optional[bytes]]


def check_mode(value: Any) -> int:
    """A valid mode (an int made of the COMPRESS_* bits), else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or \
            value & ~(COMPRESS_INOUT | COMPRESS_FORCE) or value < 0:
        raise ValueError(f"compression must be a COMPRESS_* value, not {value!r}")
    return value


def check_min_size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFFFFFF:
        raise ValueError(f"compression_min_size must be a whole number of bytes, not {value!r}")
    return value


def check_min_ratio(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not 0.0 <= value <= 1.0:
        raise ValueError(f"compression_min_ratio must be between 0 and 1, not {value!r}")
    return float(value)


class Compression:
    """A bucket's compression settings, shared live with its connections."""

    __slots__ = ("mode", "min_size", "min_ratio")

    def __init__(self, mode: int = DEFAULT_MODE, min_size: int = DEFAULT_MIN_SIZE,
                 min_ratio: float = DEFAULT_MIN_RATIO) -> None:
        self.mode = check_mode(mode)
        self.min_size = check_min_size(min_size)
        self.min_ratio = check_min_ratio(min_ratio)

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> Compression:
        """From a connection string's ``compression``, ``compression_min_size`` and
        ``compression_min_ratio``; ValueError names the option that is wrong."""
        raw = options.get("compression")
        mode = DEFAULT_MODE
        if raw is not None:
            if raw.lower() not in MODES:
                raise ValueError(f"compression must be one of {', '.join(MODES)}, not {raw!r}")
            mode = MODES[raw.lower()]
        min_size: Any = options.get("compression_min_size", DEFAULT_MIN_SIZE)
        min_ratio: Any = options.get("compression_min_ratio", DEFAULT_MIN_RATIO)
        try:
            min_size = int(min_size)
            min_ratio = float(min_ratio)
        except ValueError:
            raise ValueError(f"bad compression_min_size {min_size!r} or compression_min_ratio "
                             f"{min_ratio!r}") from None
        return cls(mode, check_min_size(min_size), check_min_ratio(min_ratio))

    @property
    def negotiate(self) -> bool:
        """Whether HELLO asks for SNAPPY."""
        return self.mode != COMPRESS_NONE

    def deflater(self, features: Collection[int]) -> Deflate:
        """What a connection that negotiated HELLO ``features`` calls on each
        mutation's value: the compressed value, or None to send it as it is. The
        settings are read on every call, so changing them applies at once."""
        negotiated = Feature.SNAPPY in features
        compress_within = snappy.compress_within
        compress_buffer = snappy.compress_buffer  # (None without cramjam)

        def deflate(value: bytes) -> Optional[bytes]:
            mode = self.mode
            size = len(value)
            if not mode & COMPRESS_OUT or size < self.min_size or \
                    not (negotiated or mode & COMPRESS_FORCE):
                return None
            # Sent compressed only if compressed / original <= min_ratio and smaller:
            # a budget in whole bytes (budget(size, min_ratio), written out), so the
            # codec gives up (or its output is dropped before any copy) once it is
            # passed. This runs for every mutation, and most small values do not
            # compress within it: the fast codec is called right here.
            limit = int(size * self.min_ratio)
            if limit >= size:
                limit = size - 1
            if compress_buffer is None or type(value) is not bytes:
                return compress_within(value, limit)
            packed = compress_buffer(value)
            return bytes(packed) if len(packed) <= limit else None
        return deflate

    def __repr__(self) -> str:
        return (f"Compression(mode={self.mode}, min_size={self.min_size}, "
                f"min_ratio={self.min_ratio})")


def budget(size: int, min_ratio: float) -> int:
    """The most bytes a value of ``size`` bytes may take compressed to be sent so:
    ``packed <= size * min_ratio`` and ``packed < size``."""
    limit = int(size * min_ratio)  # (floor: both are >= 0)
    return limit if limit < size else size - 1


def wants_snappy(options: Mapping[str, str]) -> bool:
    """Whether a connection with these connection-string options asks for SNAPPY."""
    return MODES.get(options.get("compression", "").lower(), DEFAULT_MODE) != COMPRESS_NONE


def inflate(value: bytes) -> bytes:
    """A value that came with the SNAPPY datatype bit; :class:`snappy.SnappyError`
    if it is malformed or would exceed the largest value a server stores."""
    return snappy.decompress(value)


__all__ = ["COMPRESSIBLE", "COMPRESS_FORCE", "COMPRESS_IN", "COMPRESS_INOUT", "COMPRESS_NONE",
           "COMPRESS_OUT", "Compression", "DEFAULT_MIN_RATIO", "DEFAULT_MIN_SIZE",
           "DEFAULT_MODE", "MODES", "budget", "check_min_ratio", "check_min_size", "check_mode",
           "inflate", "wants_snappy"]
