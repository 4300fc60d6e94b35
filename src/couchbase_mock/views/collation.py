"""View collation: the order of JSON keys in a view index.

Values of different types sort by type, ``null < false < true < numbers <
strings < arrays < objects``; numbers by value; arrays element by element (a
prefix first); objects pair by pair, in the order of their members (key, then
value). Strings follow the Unicode Collation Algorithm as ICU's root locale
applies it, which is what CouchDB and Couchbase view engines use:

- level 1 (primary): the letters, ignoring case and accents; spaces,
  punctuation and symbols (even ``~``) sort before digits, digits before
  letters, so ``"a" < "A" < "aa" < "b"``;
- level 2 (secondary): accents (``"a" < "á"``);
- level 3 (tertiary): case, lowercase first (``"a" < "A"``);
- last, the code points themselves, so that only equal strings tie.

This is an approximation of ICU (no contractions or expansions, scripts
other than Latin ordered by code point), exact for ASCII.

:func:`sort_key` turns a decoded JSON value into a string whose order is
the collation order (a type tag, then the value's weights), so rows sort by
plain string comparison in C; string weights are built with
:meth:`str.translate`, which keeps the per-string cost low.
"""

from __future__ import annotations

import struct
import unicodedata
from typing import Any

# ICU root order of the printable ASCII characters that are not letters or
# digits (the order CouchDB documents for its view collation).
_ASCII_SYMBOLS = " `^_-,;:!?.'\"()[]{}@*/\\&#%+<=>|~$"
_SYMBOL_BASE = 0x20  # ASCII symbols: 0x20.. (control characters below)
_OTHER_SYMBOL_BASE = 0x1000  # other punctuation and symbols, by code point
_DIGIT_BASE = 0x20000
_LATIN_BASE = 0x20100
_OTHER_LETTER_BASE = 0x30000
_MAX_OTHER = 0xCFFFF  # other letters stay below the implicit weights
_IMPLICIT_BASE = 0x100000

_LOWER, _UPPER = "\x01", "\x02"
_BASE_SECONDARY = "\x01"


def _primary_weight(ch: str) -> str:
    """The primary weight of one (decomposed) character, as a character;
    ``""`` for characters ignorable at this level (combining marks)."""
    code = ord(ch)
    if code < 0x80:
        if ch.isalpha():
            return chr(_LATIN_BASE + ord(ch.lower()) - ord("a"))
        if ch.isdigit():
            return chr(_DIGIT_BASE + code - ord("0"))
        index = _ASCII_SYMBOLS.find(ch)
        if index >= 0:
            return chr(_SYMBOL_BASE + index)
        return chr(code + 1)  # control characters first
    category = unicodedata.category(ch)
    if category.startswith("M"):
        return ""
    if category in ("Cn", "Co", "Cs"):
        # Unassigned and private-use code points: implicit weights, after every
        # letter (so "abc\u0fff" ends the range of strings starting "abc").
        return chr(_IMPLICIT_BASE + (code & 0xFFFF))
    if category == "Nd":
        return chr(_DIGIT_BASE + unicodedata.decimal(ch, 0))
    if category.startswith("L") or category.startswith("N"):
        return chr(_OTHER_LETTER_BASE + min(ord(ch.lower()[:1] or ch), _MAX_OTHER))
    return chr(_OTHER_SYMBOL_BASE + min(code, 0xFFFF))


def _secondary_weight(ch: str) -> str:
    if ord(ch) >= 0x80 and unicodedata.category(ch).startswith("M"):
        return chr(0x100 + min(ord(ch), 0xFFFF))
    return _BASE_SECONDARY


def _tertiary_weight(ch: str) -> str:
    if ord(ch) >= 0x80 and unicodedata.category(ch).startswith("M"):
        return ""
    return _UPPER if ch.isupper() else _LOWER


class _Table(dict[int, str]):
    """A :meth:`str.translate` table that computes and remembers weights."""

    def __init__(self, weight: Any) -> None:
        super().__init__()
        self._weight = weight
        for code in range(0x80):
            self[code] = weight(chr(code))

    def __missing__(self, code: int) -> str:
        value: str = self._weight(chr(code))
        self[code] = value
        return value


_PRIMARY = _Table(_primary_weight)
_SECONDARY = _Table(_secondary_weight)
_TERTIARY = _Table(_tertiary_weight)
# Last, the code points themselves (shifted above the level separator).
_IDENTICAL = _Table(lambda ch: chr(min(ord(ch) + 1, 0x10FFFF)))


def string_weights(s: str) -> str:
    """The level weights of a string, levels separated by ``"\\x00"`` (every
    weight is above it), ending with ``"\\x00"``: comparing these compares
    the strings level by level, and no string's weights are a prefix of
    another's."""
    if not s.isascii():
        s = unicodedata.normalize("NFD", s)
    return (
        s.translate(_PRIMARY) + "\x00" + s.translate(_SECONDARY) + "\x00"
        + s.translate(_TERTIARY) + "\x00" + s.translate(_IDENTICAL) + "\x00"
    )


# Type tags: the first character of every key.
NULL, FALSE, TRUE, NUMBER, STRING, ARRAY, OBJECT = "\x01", "\x02", "\x03", "\x04", "\x05", \
    "\x06", "\x07"
END = "\x00"
"""Ends an array or object: below every type tag, so a prefix sorts first."""
_pack = struct.Struct(">d").pack


def _number(value: float) -> str:
    """Four characters whose order is the order of the doubles (as JS numbers)."""
    try:
        number = float(value)
    except OverflowError:
        number = float("inf") if value > 0 else float("-inf")
    if number == 0:
        number = 0.0  # -0 == 0
    bits = int.from_bytes(_pack(number), "big")
    bits = bits ^ 0xFFFFFFFFFFFFFFFF if bits >> 63 else bits | (1 << 63)
    return (
        chr(0x100 + (bits >> 48)) + chr(0x100 + ((bits >> 32) & 0xFFFF))
        + chr(0x100 + ((bits >> 16) & 0xFFFF)) + chr(0x100 + (bits & 0xFFFF))
    )


def sort_key(value: Any) -> str:
    """The collation key of a decoded JSON value: a string that compares
    (with ``<``) as the values collate. Keys are prefix-free, so an array's
    key is its elements' keys one after another, then :data:`END`."""
    if isinstance(value, str):
        return STRING + string_weights(value)
    if value is None:
        return NULL
    if value is True:
        return TRUE
    if value is False:
        return FALSE
    if isinstance(value, (int, float)):
        return NUMBER + _number(value)
    if isinstance(value, (list, tuple)):
        return ARRAY + "".join([sort_key(v) for v in value]) + END
    if isinstance(value, dict):
        return OBJECT + "".join(
            [STRING + string_weights(k) + sort_key(v) for k, v in value.items()]
        ) + END
    raise TypeError(f"not a JSON value: {value!r}")


def compare(a: Any, b: Any) -> int:
    """-1, 0 or 1 as ``a`` collates before, with or after ``b``."""
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)
