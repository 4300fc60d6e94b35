"""Sub-document paths: ``a.b[0].`dot.ted`[-1]`` into ``["a", "b", 0, "dot.ted", -1]``.

The syntax is kv_engine's ``docs/SubDocument.md`` (N1QL-like): components
separated by dots, array indexes in brackets straight after the component
they index (``[-1]`` is the last element; other negative indexes are
invalid), and backticks around any part of a key that holds a dot or a
bracket (two backticks stand for one). A key is the text of a JSON string,
so ``\\"`` in a path is a ``"`` in the key.

Limits: a path is at most 1,024 bytes (``SUBDOC_PATH_E2BIG``) and has at most
32 components (``SUBDOC_PATH_E2BIG`` too); a path that does not parse is
``SUBDOC_PATH_EINVAL``.
"""

from __future__ import annotations

import json
from typing import Union

from couchbase._core.status import Status

from .errors import SubdocError

MAX_PATH_LENGTH = 1024
"""Bytes in a path at most (memcached's SUBDOC_MAX_PATH_LENGTH)."""

MAX_COMPONENTS = 32
"""Components in a path at most, and levels of nesting in a document."""

Component = Union[str, int]
"""A dictionary key (``str``) or an array index (``int``, -1 = the last)."""

_INVALID = Status.SUBDOC_PATH_EINVAL


def parse_path(raw: bytes) -> list[Component]:
    """The components of a path (``[]`` for the empty path: the whole document).

    >>> parse_path(b"pDistributors[-1].dAdded[2]")
    ['pDistributors', -1, 'dAdded', 2]
    >>> parse_path(b"`back``tick`.x")
    ['back`tick', 'x']
    """
    if len(raw) > MAX_PATH_LENGTH:
        raise SubdocError(Status.SUBDOC_PATH_E2BIG)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SubdocError(_INVALID) from None
    parts: list[Component] = []
    if not text:
        return parts
    pos = 0
    end = len(text)
    while True:
        pos = _key(text, pos, parts)
        while pos < end and text[pos] == "[":
            pos = _index(text, pos, parts)
        if len(parts) > MAX_COMPONENTS:
            raise SubdocError(Status.SUBDOC_PATH_E2BIG)
        if pos == end:
            return parts
        if text[pos] != ".":
            raise SubdocError(_INVALID)
        pos += 1
        if pos == end:  # a trailing dot
            raise SubdocError(_INVALID)


def _key(text: str, pos: int, parts: list[Component]) -> int:
    """Read the key starting at ``pos`` (may be empty only before an index at
    the very start: ``[0]`` addresses a top-level array)."""
    out: list[str] = []
    end = len(text)
    quoted = False
    start = pos
    while pos < end:
        ch = text[pos]
        if ch == "`":
            if quoted and pos + 1 < end and text[pos + 1] == "`":
                out.append("`")
                pos += 2
                continue
            quoted = not quoted
            pos += 1
            continue
        if not quoted and ch in ".[]":
            break
        out.append(ch)
        pos += 1
    if quoted:
        raise SubdocError(_INVALID)  # an unterminated backtick
    if pos < end and text[pos] == "]":
        raise SubdocError(_INVALID)
    if pos == start:
        # No key: only a leading index may stand alone ("[0].a").
        if start == 0 and pos < end and text[pos] == "[":
            return pos
        raise SubdocError(_INVALID)
    parts.append(_unescape("".join(out)))
    return pos


def _unescape(key: str) -> str:
    """A key written as the text of a JSON string (``\\"`` is ``"``)."""
    if "\\" not in key:
        return key
    try:
        decoded = json.loads('"' + key + '"')
    except ValueError:
        return key  # not a valid escape: the characters as they are
    return decoded if isinstance(decoded, str) else key


def _index(text: str, pos: int, parts: list[Component]) -> int:
    close = text.find("]", pos)
    if close < 0:
        raise SubdocError(_INVALID)
    digits = text[pos + 1 : close]
    if digits == "-1":
        parts.append(-1)
    elif digits.isdigit() and digits.isascii():
        parts.append(int(digits))
    else:
        raise SubdocError(_INVALID)
    return close + 1
