"""Value formats and the flags that record them on the server.

The 1.x SDK wrote the legacy flags (FMT_JSON 0x0, FMT_PICKLE 0x1, FMT_BYTES
0x2, FMT_UTF8 0x4); SDK 2.x and later write the cross-SDK "common flags"
in the top byte. Decoding accepts both: if any of the top eight bits are set
the common bits decide, else the legacy ones; flags 0 read as JSON.
"""

from __future__ import annotations

import json
import pickle
from typing import Any, Callable

FMT_JSON = 0x02000000
FMT_PICKLE = 0x01000001
FMT_BYTES = 0x03000002
FMT_UTF8 = 0x04000004
FMT_AUTO = 0xFFFF0000
FMT_MASK = 0xFF000007

FMT_LEGACY_MASK = 0x07
FMT_COMMON_MASK = 0xFF000000

LEGACY_JSON = 0x0
LEGACY_PICKLE = 0x1
LEGACY_BYTES = 0x2
LEGACY_UTF8 = 0x4

# common-flags top byte -> format
_COMMON = {0x01: FMT_PICKLE, 0x02: FMT_JSON, 0x03: FMT_BYTES, 0x04: FMT_UTF8}
_LEGACY = {LEGACY_JSON: FMT_JSON, LEGACY_PICKLE: FMT_PICKLE, LEGACY_BYTES: FMT_BYTES,
           LEGACY_UTF8: FMT_UTF8}

# JSONDecoder.raw_decode(text) is one call of its scanner at index 0 (CPython's C
# scanner, which clears its memo after each call), wrapped in a Python frame that
# turns StopIteration into JSONDecodeError: the scanner is called directly here.
_scan_once = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def json_loads(text: str) -> Any:
    """``json.loads(text)``, minus its per-call layers in the common case (a document
    with no whitespace around it: every value the SDKs store). Anything else goes to
    ``json.loads`` itself, so results and errors are exactly its."""
    try:
        value, end = _scan_once(text, 0)
    except (StopIteration, ValueError):
        return json.loads(text)  # leading whitespace, or not JSON: json.loads says which
    if end != len(text):
        return json.loads(text)  # trailing whitespace, or more after the value
    return value


if json.scanner.c_make_scanner is None:  # type: ignore[attr-defined]
    # PyPy: the scanner above is pure Python (~9x slower on a 100-byte document), while
    # json.loads itself is its built-in decoder (_pypyjson): use that.
    json_loads = json.loads  # type: ignore[assignment]  # noqa: F811


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)  # CPython's C accelerator


# CPython's C encoder with the settings of _ENCODER, made once, without the
# circular-reference check (``markers`` None): that leaves it stateless, so one is
# shared by every thread, and spares it a dict insert and delete per container.
_FAST_ENCODE = None if _c_make_encoder is None else _c_make_encoder(
    None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, True)


def json_dumps(value: Any) -> str:
    """``json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode(value)``.

    On CPython it calls the C encoder that ``encode`` ends up in directly,
    skipping the Python layers in between (a third of the time of a 100-byte
    document). A circular value recurses until RecursionError there, and is
    then encoded again by ``encode`` itself, so the error is exactly the
    standard library's (``ValueError: Circular reference detected``, or
    RecursionError for a value nested too deep). Elsewhere (PyPy) it is
    ``encode`` itself.
    """
    if _FAST_ENCODE is None or isinstance(value, str):
        return _ENCODER.encode(value)
    try:
        return "".join(_FAST_ENCODE(value, 0))
    except RecursionError:
        return _ENCODER.encode(value)


_json_encode: Callable[[Any], Any] = json_dumps
_json_decode: Callable[[Any], Any] = json_loads
PICKLE_PROTOCOL = min(pickle.DEFAULT_PROTOCOL, 4)
"""FMT_PICKLE values are written as the 2.x SDK wrote them (``pickle.dumps``
with the interpreter's default, 4 on the Pythons it ran on), so the older
applications sharing a bucket can read them; reading takes any protocol."""
_pickle_encode: Callable[[Any], bytes] = lambda obj: pickle.dumps(obj, PICKLE_PROTOCOL)
_pickle_decode: Callable[[bytes], Any] = pickle.loads


def set_json_converters(encode: Callable[[Any], Any], decode: Callable[[Any], Any]) -> tuple:
    """Replace the JSON encoder and decoder; returns the previous pair."""
    global _json_encode, _json_decode
    if not callable(encode) or not callable(decode):
        raise TypeError("encode and decode must be callable")
    old = (_json_encode, _json_decode)
    _json_encode, _json_decode = encode, decode
    return old


def set_pickle_converters(encode: Callable[[Any], bytes], decode: Callable[[bytes], Any]) -> tuple:
    """Replace the pickle encoder and decoder; returns the previous pair."""
    global _pickle_encode, _pickle_decode
    if not callable(encode) or not callable(decode):
        raise TypeError("encode and decode must be callable")
    old = (_pickle_encode, _pickle_decode)
    _pickle_encode, _pickle_decode = encode, decode
    return old


def format_of_flags(flags: int) -> int:
    """The FMT_* constant that ``flags`` (legacy or common) denote; -1 if unknown."""
    if flags & FMT_COMMON_MASK:
        return _COMMON.get(flags >> 24, -1)
    return _LEGACY.get(flags & FMT_LEGACY_MASK, -1)


def auto_format(value: Any) -> int:
    """FMT_AUTO: bytes as FMT_BYTES, str as FMT_UTF8, JSON types as JSON, else pickle."""
    if isinstance(value, (bytes, bytearray)):
        return FMT_BYTES
    if isinstance(value, str):
        return FMT_UTF8
    if isinstance(value, (list, dict, tuple, bool, int, float)) or value is None:
        return FMT_JSON
    return FMT_PICKLE


def encode_value(value: Any, fmt: int) -> tuple[bytes, int]:
    """Serialise ``value`` in format ``fmt``; returns ``(bytes, flags)``.

    Raises ``ValueError``/``TypeError`` (the caller wraps them into
    :class:`~couchbase.exceptions.ValueFormatError`).
    """
    if fmt == FMT_JSON:
        if type(value) is dict and _json_encode is json_dumps and _FAST_ENCODE is not None:
            # A document with the default converter (nearly every call): json_dumps,
            # written out, one frame fewer. A RecursionError (a circular or too deep
            # value) goes on to json_dumps, which raises the standard library's error.
            try:
                return "".join(_FAST_ENCODE(value, 0)).encode("utf-8"), FMT_JSON
            except RecursionError:
                pass
        encoded = _json_encode(value)
        if isinstance(encoded, str):
            encoded = encoded.encode("utf-8")
        return encoded, FMT_JSON
    if fmt == FMT_UTF8:
        if not isinstance(value, str):
            raise TypeError(f"FMT_UTF8 needs a str, not {type(value).__name__}")
        return value.encode("utf-8"), FMT_UTF8
    if fmt == FMT_BYTES:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"FMT_BYTES needs bytes, not {type(value).__name__}")
        return bytes(value), FMT_BYTES
    if fmt == FMT_PICKLE:
        return _pickle_encode(value), FMT_PICKLE
    if fmt == FMT_AUTO:
        return encode_value(value, auto_format(value))
    if fmt in _LEGACY:  # a 1.x constant: store with today's common flags
        return encode_value(value, _LEGACY[fmt])
    raise ValueError(f"unknown format 0x{fmt:x}")


def decode_value(data: bytes, flags: int) -> Any:
    """Deserialise ``data`` according to the format ``flags`` record."""
    if flags == FMT_JSON:  # what every SDK since 2.x writes for a JSON document
        return _json_decode(data.decode("utf-8"))
    fmt = format_of_flags(flags)
    if fmt == FMT_JSON:
        return _json_decode(data.decode("utf-8"))
    if fmt == FMT_UTF8:
        return data.decode("utf-8")
    if fmt == FMT_PICKLE:
        return _pickle_decode(data)
    # FMT_BYTES, and unknown flags: hand the bytes back untouched
    return data
