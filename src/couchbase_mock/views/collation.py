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

:func:`sort_key` turns a decoded JSON value into a Python object whose
natural order is the collation order, so rows are compared as tuples and
sorted by C code; weights are characters of a string built with
:meth:`str.translate`, which keeps the per-string cost low.
"""

from __future__ import annotations

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
_MAX_OTHER = 0x10FFFF - _OTHER_LETTER_BASE

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


class _Table(dict):  # type: ignore[type-arg]
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


def string_key(s: str) -> tuple[str, str, str, str]:
    """A key whose order is the collation order of strings."""
    if not s.isascii():
        s = unicodedata.normalize("NFD", s)
    return (s.translate(_PRIMARY), s.translate(_SECONDARY), s.translate(_TERTIARY), s)


# Type ranks.
NULL, FALSE, TRUE, NUMBER, STRING, ARRAY, OBJECT = range(7)
_NULL_KEY = (NULL,)
_FALSE_KEY = (FALSE,)
_TRUE_KEY = (TRUE,)


def sort_key(value: Any) -> tuple[Any, ...]:
    """The collation key of a decoded JSON value."""
    if value is None:
        return _NULL_KEY
    if value is True:
        return _TRUE_KEY
    if value is False:
        return _FALSE_KEY
    if isinstance(value, (int, float)):
        return (NUMBER, value)
    if isinstance(value, str):
        return (STRING, string_key(value))
    if isinstance(value, (list, tuple)):
        return (ARRAY, tuple([sort_key(v) for v in value]))
    if isinstance(value, dict):
        return (OBJECT, tuple([(string_key(k), sort_key(v)) for k, v in value.items()]))
    raise TypeError(f"not a JSON value: {value!r}")


def prefix_key(key: tuple[Any, ...], level: int) -> tuple[Any, ...]:
    """The sort key of ``value[:level]`` given the sort key of ``value``
    (for ``group_level``); keys of non-arrays are returned as they are."""
    if key[0] != ARRAY:
        return key
    return (ARRAY, key[1][:level])


def compare(a: Any, b: Any) -> int:
    """-1, 0 or 1 as ``a`` collates before, with or after ``b``."""
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)
