"""Transcoders: how keys and values become bytes and flags, and back.

A :class:`Transcoder` wraps the built-in converters; subclass it to add your
own formats (the developer guide's ``ZlibTranscoder`` is the classic
example) and pass ``transcoder=`` (a class or an instance) to the Bucket.
"""

from __future__ import annotations

from typing import Any

from . import formats


class Transcoder:
    """The default conversions, as overridable methods."""

    def encode_key(self, key: Any) -> bytes:
        if isinstance(key, str):
            return key.encode("utf-8")
        if isinstance(key, (bytes, bytearray)):
            return bytes(key)
        raise TypeError(f"keys must be str or bytes, not {type(key).__name__}")

    def decode_key(self, key: bytes) -> str:
        return key.decode("utf-8")

    def encode_value(self, value: Any, format: int) -> tuple[bytes, int]:
        """Return ``(bytes, flags)`` for ``value`` stored in ``format``."""
        return formats.encode_value(value, format)

    def decode_value(self, value: bytes, flags: int) -> Any:
        """Return the Python object for stored ``value`` with ``flags``."""
        return formats.decode_value(value, flags)


class LegacyTranscoder(Transcoder):
    """Writes the 1.x flags (FMT_JSON 0x0, FMT_PICKLE 0x1, FMT_BYTES 0x2, FMT_UTF8 0x4),
    for applications that share a bucket with 1.x clients."""

    def encode_value(self, value: Any, format: int) -> tuple[bytes, int]:
        data, flags = formats.encode_value(value, format)
        return data, flags & formats.FMT_LEGACY_MASK


# 2.x names: its "pure Python" transcoders, as opposed to the ones in C. Here
# every transcoder is Python, so they are the same classes.
TranscoderPP = Transcoder
LegacyTranscoderPP = LegacyTranscoder
