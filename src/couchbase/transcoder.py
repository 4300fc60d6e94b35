"""Transcoders: how keys and values become bytes and flags, and back.

A :class:`Transcoder` wraps the built-in converters; subclass it to add your
own formats (the developer guide's ``ZlibTranscoder`` is the classic
example) and pass ``transcoder=`` (a class or an instance) to the Bucket.
"""

from __future__ import annotations

from typing import Any, Optional

from . import formats
from .exceptions import ValueFormatError


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
    """Two generations, one class, told apart by how they call it:

    - 2.x (a Bucket passes ``format``): writes the 1.x flags (FMT_JSON 0x0,
      FMT_PICKLE 0x1, FMT_BYTES 0x2, FMT_UTF8 0x4), for applications that share a
      bucket with 1.x clients;
    - 4.x (``encode_value(value)``): str as FMT_UTF8, bytes as FMT_BYTES, JSON
      types as JSON, anything else pickled, with both flag generations set.
    """

    def encode_value(self, value: Any, format: Optional[int] = None) -> tuple[bytes, int]:
        if format is None:
            fmt = formats.auto_format(value)
            if fmt == formats.FMT_JSON:
                return _json_bytes(self, value), formats.FMT_JSON
            return _wrap_encode(value, fmt)
        data, flags = formats.encode_value(value, format)
        return data, flags & formats.FMT_LEGACY_MASK

    def decode_value(self, value: bytes, flags: int) -> Any:
        try:
            return formats.decode_value(value, flags)
        except Exception as exc:
            if isinstance(exc, ValueFormatError):
                raise
            raise _format_error(f"couldn't decode value: {exc}", exc) from exc


# 2.x names: its "pure Python" transcoders, as opposed to the ones in C. Here
# every transcoder is Python, so they are the same classes.
TranscoderPP = Transcoder
LegacyTranscoderPP = LegacyTranscoder


# -- 4.x: encode_value(value) -> (bytes, flags), decode_value(bytes, flags) -------------
def _format_error(message: str, cause: Optional[BaseException] = None) -> Exception:
    from ._errors4x import ValueFormatException

    return ValueFormatException(message=message, inner_cause=cause)


def _wrap_encode(value: Any, fmt: int) -> tuple[bytes, int]:
    try:
        return formats.encode_value(value, fmt)
    except Exception as exc:
        raise _format_error(f"couldn't encode value: {exc}", exc) from exc


def _json_bytes(transcoder: Any, value: Any) -> bytes:
    serializer = getattr(transcoder, "_serializer", None)
    try:
        if serializer is not None:
            return bytes(serializer.serialize(value))
        encoded = formats._json_encode(value)
        return encoded.encode("utf-8") if isinstance(encoded, str) else bytes(encoded)
    except Exception as exc:
        if isinstance(exc, ValueFormatError):
            raise
        raise _format_error(f"couldn't serialize value to JSON: {exc}", exc) from exc


_JSON, _UTF8, _BYTES = formats.FMT_JSON, formats.FMT_UTF8, formats.FMT_BYTES
_COMMON_MASK = formats.FMT_COMMON_MASK
_NAMES = {_JSON: "JSON", _UTF8: "String", _BYTES: "Binary", formats.FMT_PICKLE: "Pickle"}


def _format_of(flags: int, supported: int, who: str) -> int:
    fmt = formats.format_of_flags(flags)
    if fmt == supported:
        return fmt
    if fmt in _NAMES:
        raise _format_error(f"{_NAMES[fmt]} format type not supported by {who}")
    raise _format_error(f"Unrecognized format provided: 0x{flags:x}")


class JSONTranscoder(Transcoder):
    """The 4.x default: every value as JSON (through ``serializer``, default
    :class:`~couchbase.serializer.DefaultJsonSerializer`); bytes are refused (use
    :class:`RawBinaryTranscoder`), and so are documents stored as text or binary."""

    def __init__(self, serializer: Any = None) -> None:
        self._serializer = serializer

    def encode_value(self, value: Any, format: Optional[int] = None) -> tuple[bytes, int]:
        if isinstance(value, (bytes, bytearray)):
            raise _format_error("The JSONTranscoder (default transcoder) does not support "
                                "binary data.")
        return _json_bytes(self, value), _JSON

    def decode_value(self, value: bytes, flags: int) -> Any:
        if flags & _COMMON_MASK == _JSON and self._serializer is None:  # the common case
            try:
                return formats._json_decode(value.decode("utf-8"))
            except Exception as exc:
                raise _format_error(f"couldn't decode JSON: {exc}", exc) from exc
        fmt = formats.format_of_flags(flags)
        if fmt != _JSON:
            if fmt in (_UTF8, _BYTES):
                raise _format_error("The JSONTranscoder (default transcoder) does not support "
                                    f"{_NAMES[fmt].lower()} format types.")
            raise _format_error(f"Unrecognized format provided: 0x{flags:x}")
        try:
            if self._serializer is not None:
                return self._serializer.deserialize(value)
            return formats._json_decode(value.decode("utf-8"))
        except Exception as exc:
            raise _format_error(f"couldn't decode JSON: {exc}", exc) from exc


class RawJSONTranscoder(Transcoder):
    """JSON that is already text: str or bytes go out as they are, with the JSON
    flags; reads return the stored bytes."""

    def encode_value(self, value: Any, format: Optional[int] = None) -> tuple[bytes, int]:
        if isinstance(value, str):
            return value.encode("utf-8"), _JSON
        if isinstance(value, (bytes, bytearray)):
            return bytes(value), _JSON
        raise _format_error("Only binary and string data supported by RawJSONTranscoder")

    def decode_value(self, value: bytes, flags: int) -> Any:
        _format_of(flags, _JSON, "RawJSONTranscoder")
        return bytes(value)


class RawStringTranscoder(Transcoder):
    """Text: str only, stored with the string flags; reads return str."""

    def encode_value(self, value: Any, format: Optional[int] = None) -> tuple[bytes, int]:
        if not isinstance(value, str):
            raise _format_error("Only string data supported by RawStringTranscoder")
        return value.encode("utf-8"), _UTF8

    def decode_value(self, value: bytes, flags: int) -> Any:
        _format_of(flags, _UTF8, "RawStringTranscoder")
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _format_error(f"the stored text is not UTF-8: {exc}", exc) from exc


class RawBinaryTranscoder(Transcoder):
    """Bytes only, stored with the binary flags; reads return bytes."""

    def encode_value(self, value: Any, format: Optional[int] = None) -> tuple[bytes, int]:
        if not isinstance(value, (bytes, bytearray)):
            raise _format_error("Only binary data supported by RawBinaryTranscoder")
        return bytes(value), _BYTES

    def decode_value(self, value: bytes, flags: int) -> Any:
        _format_of(flags, _BYTES, "RawBinaryTranscoder")
        return bytes(value)


DEFAULT_TRANSCODER = JSONTranscoder()
"""What a 4.x Collection uses when neither the call nor the cluster names one."""
