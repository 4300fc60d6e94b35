"""Rows cut out of a streamed ``{"total_rows": N, "rows": [...], ...}`` body, one at a time.

A view response can be far larger than memory should hold. :class:`RowParser`
takes the body in chunks of any size and returns each row of the ``rows``
array as soon as its closing bracket arrived, decoding only that row's JSON.
It keeps the bytes of one unfinished row, plus whatever surrounds the array
(``total_rows``, ``errors``, ``debug_info``), which it decodes at the end as
:attr:`meta`. A query response streams its rows in ``results`` instead:
``RowParser("results")``.

Inside a row one regular expression jumps over everything but brackets
(whole strings included), so a row costs a few steps of Python work
whatever its length; a string cut by a chunk's end is scanned again from
its opening quote when more bytes arrive.

>>> p = RowParser()
>>> p.feed(b'{"total_rows":2,"rows":[{"id":"a","key":1},{"i')
[{'id': 'a', 'key': 1}]
>>> p.total_rows
2
>>> p.feed(b'd":"b","key":[2,"]"]}]}')
[{'id': 'b', 'key': [2, ']']}]
>>> p.finish()
{'total_rows': 2, 'rows': []}
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from .errors import RemoteProtocolError

# outside strings, the bytes that change the nesting or open a string
_STRUCTURE = re.compile(rb'[\[\]{}",]')
# inside a row: a run of anything but brackets, whole strings included
_SKIP = re.compile(rb'(?:[^"\[\]{}]+|"[^"\\]*(?:\\.[^"\\]*)*")*', re.DOTALL)
# inside a string, the bytes that end it or escape the next one
_IN_STRING = re.compile(rb'["\\]')

_HEAD, _ROWS, _TAIL = 0, 1, 2
_QUOTE, _BACKSLASH, _COMMA = 0x22, 0x5C, 0x2C
_OPEN = (0x5B, 0x7B)  # [ {
_CLOSE = (0x5D, 0x7D)  # ] }


class RowParseError(RemoteProtocolError, ValueError):
    """The body is not the JSON object of a view (or query) response."""


class RowParser:
    """Incremental splitter of a response body into the decoded rows of its array
    member ``field`` (``rows`` for views, ``results`` for N1QL)."""

    def __init__(self, field: str = "rows") -> None:
        self._field = field
        self._phase = _HEAD
        self._buf = bytearray()
        self._pos = 0  # next byte of _buf to scan
        self._depth = 0  # nesting: of the whole body in the head, of one row in the rows
        self._in_string = False
        self._escaped = False  # (head only: scanned byte by byte)
        self._string_from = 0
        self._last_string: Optional[str] = None
        self._key: Optional[str] = None
        self._head = b""
        self._tail = bytearray()
        self._row_from = 0  # where the current row starts in _buf
        self.total_rows: Optional[int] = None
        self.rows_seen = 0
        self.meta: Optional[dict[str, Any]] = None

    # -- public ------------------------------------------------------------------------
    def feed(self, data: bytes) -> list[Any]:
        """The rows completed by ``data``, decoded."""
        rows: list[Any] = []
        if self._phase == _TAIL:
            self._tail += data
            return rows
        self._buf += data
        if self._phase == _HEAD:
            self._scan_head()
        if self._phase == _ROWS:
            self._scan_rows(rows)
            if self._row_from:  # drop what the finished rows used
                del self._buf[:self._row_from]
                self._pos -= self._row_from
                self._row_from = 0
        return rows

    def finish(self) -> dict[str, Any]:
        """Everything but the rows (``total_rows``, ``errors``...), once the body ended."""
        if self._phase == _ROWS:
            raise RowParseError("the response ended inside the rows array")
        text = bytes(self._buf) if self._phase == _HEAD else self._head + b"[]" + self._tail
        try:
            meta = json.loads(text) if text.strip() else {}
        except ValueError as exc:
            raise RowParseError(f"the response is not JSON: {exc}") from None
        if not isinstance(meta, dict):
            raise RowParseError("the response is not a JSON object")
        self.meta = meta
        if self.total_rows is None and isinstance(meta.get("total_rows"), int):
            self.total_rows = meta["total_rows"]
        return meta

    # -- before the rows ---------------------------------------------------------------------
    def _scan_head(self) -> None:
        """Walk the object's start byte by byte (it is short) up to ``"<field>": [``."""
        buf = self._buf
        pos = self._pos
        end = len(buf)
        while pos < end:
            c = buf[pos]
            pos += 1
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                elif c == _BACKSLASH:
                    self._escaped = True
                elif c == _QUOTE:
                    self._in_string = False
                    if self._depth == 1:
                        self._last_string = json.loads(bytes(buf[self._string_from:pos]))
                continue
            if c == _QUOTE:
                self._in_string = True
                self._string_from = pos - 1
            elif c == 0x3A and self._depth == 1:  # ':' after a member name
                self._key, self._last_string = self._last_string, None
            elif c == _COMMA and self._depth == 1:
                self._key = None
            elif c in _OPEN:
                if c == 0x5B and self._depth == 1 and self._key == self._field:
                    self._head = bytes(buf[:pos - 1])
                    self._peek_total_rows()
                    del buf[:pos]
                    self._pos = 0
                    self._depth = 0
                    self._phase = _ROWS
                    return
                self._depth += 1
            elif c in _CLOSE:
                self._depth -= 1
        self._pos = pos

    def _peek_total_rows(self) -> None:
        """``total_rows`` precedes the rows: make it known before the first row."""
        try:
            head = json.loads(self._head + b"[]}")
        except ValueError:
            return
        if isinstance(head, dict) and isinstance(head.get("total_rows"), int):
            self.total_rows = head["total_rows"]

    # -- the rows ---------------------------------------------------------------------------
    def _scan_rows(self, rows: list[Any]) -> None:
        buf = self._buf
        pos = self._pos
        depth = self._depth
        in_string = self._in_string
        row_from = self._row_from
        structure = _STRUCTURE.search
        in_str = _IN_STRING.search
        skip = _SKIP.match
        end = len(buf)
        while True:
            if depth:
                # inside a row only brackets matter: jump over everything else at once
                pos = skip(buf, pos).end()  # type: ignore[union-attr]  # (matches always)
                if pos >= end or buf[pos] == _QUOTE:  # (a string that has not ended yet)
                    break
                c = buf[pos]
                pos += 1
                if c in _OPEN:
                    depth += 1
                    continue
                depth -= 1
                if not depth:
                    rows.append(self._decode(buf[row_from:pos]))
                    row_from = pos
                continue
            if in_string:
                m = in_str(buf, pos)
                if m is None:
                    pos = len(buf)
                    break
                i = m.start()
                if buf[i] == _BACKSLASH:
                    if i + 1 >= len(buf):  # the escaped byte has not arrived
                        pos = i
                        break
                    pos = i + 2
                    continue
                in_string = False
                pos = i + 1
                continue
            m = structure(buf, pos)
            if m is None:
                pos = len(buf)
                break
            i = m.start()
            c = buf[i]
            pos = i + 1
            if c == _QUOTE:
                in_string = True
            elif c in _OPEN:
                depth += 1
            elif c == _COMMA or c == 0x5D:  # between rows, or the array's end
                piece = buf[row_from:i]
                if piece.strip():  # a scalar row
                    rows.append(self._decode(piece))
                row_from = pos
                if c == 0x5D:
                    self._tail = bytearray(buf[pos:])
                    buf.clear()
                    self._phase = _TAIL
                    pos = row_from = 0
                    break
            else:
                raise RowParseError(f"unexpected {chr(c)!r} between rows")
        self._pos = pos
        self._depth = depth
        self._in_string = in_string
        self._row_from = row_from

    def _decode(self, raw: bytearray) -> Any:
        self.rows_seen += 1
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise RowParseError(f"row {self.rows_seen} is not JSON: {exc}") from None
