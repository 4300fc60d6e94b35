"""View query parameters, row selection and the streamed response body.

Parameters come from the query string and, for POST, a JSON body (``keys``
and any other parameter, as JSON values). Bad values are the server's 400
``query_parse_error``. Unknown parameters are ignored, as the server does
(clients send some, such as ``connection_timeout``).

Selection works on a view's sorted rows with bisection: a key range is two
positions in the list; ``keys`` is one range per key, in the order given.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from typing import Any, Iterable, Iterator, Optional

from .collation import sort_key
from .index import R_IDJ, R_KEYJ, R_VALJ, R_VB, Row
from .reduce import EXACT

MISSING: Any = object()
_HIGH_ID = b"\xff" * 300  # above every document id (at most 250 bytes)
_INF = float("inf")
STALE_VALUES = ("ok", "false", "update_after")
CHUNK_ROWS = 1000
"""Rows per chunk of a streamed response."""


class QueryError(Exception):
    """A parameter the server refuses (400 ``query_parse_error``)."""


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


class ViewQuery:
    """The parsed parameters of one view query."""

    def __init__(self) -> None:
        self.key: Any = MISSING
        self.keys: Optional[list[Any]] = None
        self.startkey: Any = MISSING
        self.endkey: Any = MISSING
        self.startkey_docid: Optional[str] = None
        self.endkey_docid: Optional[str] = None
        self.inclusive_end = True
        self.descending = False
        self.limit: Optional[int] = None
        self.skip = 0
        self.reduce: Optional[bool] = None
        self.group = False
        self.group_level: Optional[int] = None
        self.stale = "update_after"
        self.full_set = False
        self.debug = False
        self.on_error = "stop"


def _json_text(name: str, text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        raise QueryError(f"Invalid value for json parameter `{name}`: {text!r}") from None


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise QueryError(f"Invalid value for boolean parameter `{name}`: {_show(value)}")


def _uint(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value)
    else:
        raise QueryError(f"Invalid value for integer parameter `{name}`: {_show(value)}")
    if number < 0:
        raise QueryError(
            f"Invalid value for integer parameter `{name}`: {_show(value)} (must be >= 0)"
        )
    return number


def _show(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else f'"{value}"'


_JSON_PARAMS = {"key": "key", "startkey": "startkey", "start_key": "startkey",
                "endkey": "endkey", "end_key": "endkey", "keys": "keys"}


def parse(params: Iterable[tuple[str, str]], body: Optional[dict[str, Any]] = None) -> ViewQuery:
    """Parse query-string pairs (raw text) and a POST body (JSON values)."""
    q = ViewQuery()
    items: list[tuple[str, Any, bool]] = [(k, v, False) for k, v in params]
    if body:
        items.extend((k, v, True) for k, v in body.items())
    for name, value, decoded in items:
        if name in _JSON_PARAMS:
            if not decoded:
                value = _json_text(name, value)
            setattr(q, _JSON_PARAMS[name], value)
        elif name in ("startkey_docid", "start_key_doc_id"):
            q.startkey_docid = value if isinstance(value, str) else json.dumps(value)
        elif name in ("endkey_docid", "end_key_doc_id"):
            q.endkey_docid = value if isinstance(value, str) else json.dumps(value)
        elif name in ("inclusive_end", "descending", "group", "full_set", "debug"):
            setattr(q, name, _bool(name, value))
        elif name == "reduce":
            q.reduce = _bool(name, value)
        elif name in ("limit", "skip", "group_level"):
            setattr(q, name, _uint(name, value))
        elif name == "stale":
            if value not in STALE_VALUES:
                raise QueryError(f"Invalid value for parameter `stale`: {_show(value)}")
            q.stale = value
        elif name == "on_error":
            if value not in ("stop", "continue"):
                raise QueryError(f"Invalid value for parameter `on_error`: {_show(value)}")
            q.on_error = value
    if q.keys is not None:
        if not isinstance(q.keys, list):
            raise QueryError("`keys` parameter is not an array")
        if q.key is not MISSING or q.startkey is not MISSING or q.endkey is not MISSING:
            raise QueryError("`keys` is incompatible with `key`, `start_key` and `end_key`")
    if q.key is not MISSING:
        q.startkey = q.endkey = q.key
        q.inclusive_end = True
    return q


def check_for_view(q: ViewQuery, has_reduce: bool) -> Optional[int]:
    """Check the reduce parameters against the view; the group level to use
    (``None``: no reduce, ``-1``: exact; ``0`` reduces everything to one row)."""
    grouping = q.group or q.group_level is not None
    if not has_reduce:
        if q.reduce:
            raise QueryError("Invalid URL parameter `reduce` for map view.")
        if grouping:
            raise QueryError("Invalid URL parameter `group` or `group_level` for non-reduce view.")
        return None
    if q.reduce is False:
        if grouping:
            raise QueryError("Invalid URL parameter `group` or `group_level` for reduce=false.")
        return None
    if q.group:
        return EXACT
    if q.group_level is not None:
        return q.group_level or 0
    return 0
    # level 0: the whole range reduced to one row


def _range(rows: list[Row], q: ViewQuery) -> tuple[int, int]:
    """The slice ``[lo, hi)`` of the rows the range parameters select."""
    lo, hi = 0, len(rows)
    # With descending=true the start key is the high end of the range.
    start_low = not q.descending
    if q.startkey is not MISSING:
        ck = sort_key(q.startkey)
        docid = q.startkey_docid.encode() if q.startkey_docid is not None else None
        if start_low:
            lo = bisect_left(rows, (ck, docid if docid is not None else b""))
        else:
            hi = bisect_right(rows, (ck, docid, _INF) if docid is not None else (ck, _HIGH_ID))
    if q.endkey is not MISSING:
        ck = sort_key(q.endkey)
        docid = q.endkey_docid.encode() if q.endkey_docid is not None else None
        if start_low:
            if q.inclusive_end:
                hi = bisect_right(rows, (ck, docid, _INF) if docid is not None else (ck, _HIGH_ID))
            else:
                hi = bisect_left(rows, (ck, docid if docid is not None else b""))
        else:
            if q.inclusive_end:
                lo = bisect_left(rows, (ck, docid if docid is not None else b""))
            else:
                lo = bisect_right(rows, (ck, docid, _INF) if docid is not None else (ck, _HIGH_ID))
    return lo, max(lo, hi)


def check_range(q: ViewQuery) -> None:
    """A start key beyond the end key (in the direction asked) is an error."""
    if q.startkey is MISSING or q.endkey is MISSING or q.key is not MISSING:
        return
    start, end = sort_key(q.startkey), sort_key(q.endkey)
    if (start > end and not q.descending) or (start < end and q.descending):
        raise QueryError(
            "No rows can match your key range, reverse your start_key and end_key "
            "or set descending=true"
        )


def select(rows: list[Row], q: ViewQuery, vbuckets: Optional[set[int]]) -> Iterator[Row]:
    """The rows a query selects, in output order (before skip and limit)."""
    if q.keys is not None:
        selected: Iterator[Row] = _by_keys(rows, q)
    else:
        lo, hi = _range(rows, q)
        if q.descending:
            selected = (rows[i] for i in range(hi - 1, lo - 1, -1))
        else:
            selected = (rows[i] for i in range(lo, hi))
    if vbuckets is not None:
        selected = (row for row in selected if row[R_VB] in vbuckets)
    return selected


def _by_keys(rows: list[Row], q: ViewQuery) -> Iterator[Row]:
    assert q.keys is not None
    for key in q.keys:
        ck = sort_key(key)
        lo = bisect_left(rows, (ck,))
        hi = bisect_right(rows, (ck, _HIGH_ID))
        if q.descending:
            yield from (rows[i] for i in range(hi - 1, lo - 1, -1))
        else:
            yield from (rows[i] for i in range(lo, hi))


def page(rows: Iterator[Any], q: ViewQuery) -> Iterator[Any]:
    """Apply ``skip`` and ``limit``."""
    skipped = 0
    while skipped < q.skip:
        try:
            next(rows)
        except StopIteration:
            return
        skipped += 1
    if q.limit is None:
        yield from rows
        return
    for count, row in enumerate(rows):
        if count >= q.limit:
            return
        yield row


def map_row(row: Row) -> str:
    return f'{{"id":{row[R_IDJ]},"key":{row[R_KEYJ]},"value":{row[R_VALJ]}}}'


def body_chunks(head: str, rows: Iterator[str], tail: str = "") -> Iterator[bytes]:
    """``{<head>"rows":[`` rows ``]<tail>}`` in chunks of :data:`CHUNK_ROWS` rows."""
    out = [head + '"rows":[\r\n']
    first = True
    count = 0
    for text in rows:
        out.append(text if first else ",\r\n" + text)
        first = False
        count += 1
        if count >= CHUNK_ROWS:
            yield "".join(out).encode("utf-8", "surrogatepass")
            out, count = [], 0
    out.append("\r\n]" + tail + "\r\n}\r\n")
    yield "".join(out).encode("utf-8", "surrogatepass")
