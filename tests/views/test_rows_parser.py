"""The sans-IO pieces: RowParser fed a few bytes at a time, and HttpExchange."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from couchbase._core.errors import ConnectionClosed, RemoteProtocolError
from couchbase._core.http import HttpExchange
from couchbase._core.http_rows import RowParseError, RowParser

TRICKY_ROWS = [
    {"id": "a", "key": "plain", "value": None},
    {"id": "b\"q", "key": ["]", "}", "{", "[", ","], "value": {"n": [1, [2, [3]]]}},
    {"id": "c\\", "key": "back\\slash \"quoted\" \\\"", "value": "\u00e9\u4e2d\U0001f37a"},
    {"id": "d", "key": {"nested": {"deep": []}}, "value": [{}, [], ""]},
    {"key": None, "value": 12345.5},
    {"id": "e", "key": -1e-3, "value": True},
]


def body_of(rows: list[Any], total: int = 99, pretty: bool = False, **extra: Any) -> bytes:
    doc: dict[str, Any] = {"total_rows": total, "rows": rows, **extra}
    return json.dumps(doc, indent=2 if pretty else None).encode()


def parse_in_pieces(data: bytes, sizes: Any) -> tuple[list[Any], dict[str, Any], RowParser]:
    parser = RowParser()
    rows: list[Any] = []
    pos = 0
    while pos < len(data):
        n = sizes()
        rows += parser.feed(data[pos:pos + n])
        pos += n
    return rows, parser.finish(), parser


@pytest.mark.parametrize("pretty", [False, True])
@pytest.mark.parametrize("seed", range(20))
def test_one_to_five_bytes_at_a_time(pretty: bool, seed: int) -> None:
    rng = random.Random(seed)
    body = body_of(TRICKY_ROWS, pretty=pretty, errors=[{"from": "n1", "reason": "x]"}])
    rows, meta, parser = parse_in_pieces(body, lambda: rng.randint(1, 5))
    assert rows == TRICKY_ROWS
    assert meta == {"total_rows": 99, "rows": [], "errors": [{"from": "n1", "reason": "x]"}]}
    assert parser.total_rows == 99 and parser.rows_seen == len(TRICKY_ROWS)


def test_byte_by_byte_rows_come_out_as_soon_as_they_close() -> None:
    body = body_of(TRICKY_ROWS[:2])
    parser = RowParser()
    out = []
    first_at = None
    for i in range(len(body)):
        got = parser.feed(body[i:i + 1])
        if got and first_at is None:
            first_at = i
        out += got
    assert out == TRICKY_ROWS[:2]
    # the first row is returned with its own closing brace, before the second row starts
    assert first_at == body.index(b'"value": null}')+len(b'"value": null}') - 1


def test_total_rows_is_known_before_the_first_row() -> None:
    parser = RowParser()
    assert parser.feed(b'{"total_rows": 7, "rows": [') == []
    assert parser.total_rows == 7


def test_reduce_rows_and_empty_results() -> None:
    assert parse_in_pieces(b'{"rows":[\n{"key":null,"value":42}\n]\n}', lambda: 3)[:2] == (
        [{"key": None, "value": 42}], {"rows": []})
    rows, meta, _ = parse_in_pieces(b'{"total_rows":0,"rows":[]}', lambda: 1)
    assert rows == [] and meta == {"total_rows": 0, "rows": []}


def test_rows_key_inside_a_string_or_deeper_is_not_the_array() -> None:
    body = b'{"note":"\\"rows\\":[","x":{"rows":[1]},"total_rows":1,"rows":[{"k":1}]}'
    rows, meta, _ = parse_in_pieces(body, lambda: 2)
    assert rows == [{"k": 1}]
    assert meta == {"note": '"rows":[', "x": {"rows": [1]}, "total_rows": 1, "rows": []}


def test_scalar_rows() -> None:
    rows, _, _ = parse_in_pieces(b'{"rows":[1, "a,]", null, [2]]}', lambda: 1)
    assert rows == [1, "a,]", None, [2]]


def test_an_error_body_without_rows_is_meta() -> None:
    rows, meta, _ = parse_in_pieces(b'{"error":"not_found","reason":"missing"}', lambda: 4)
    assert rows == [] and meta == {"error": "not_found", "reason": "missing"}


@pytest.mark.parametrize("body", [
    b'{"total_rows":1,"rows":[{"a":1}',  # cut inside the array
    b'{"rows":[{"a":1}]',  # no closing brace
    b'not json',
    b'[1,2]',
])
def test_truncated_or_malformed(body: bytes) -> None:
    parser = RowParser()
    parser.feed(body)
    with pytest.raises(RowParseError):
        parser.finish()


def test_bad_row_json() -> None:
    with pytest.raises(RowParseError, match="row 1"):
        RowParser().feed(b'{"rows":[{"a":tru}]}')


def test_memory_stays_one_row() -> None:
    parser = RowParser()
    parser.feed(b'{"total_rows":100000,"rows":[')
    row = b'{"id":"x","key":"' + b"k" * 100 + b'","value":null},\n'
    for _ in range(2000):
        assert len(parser.feed(row * 5 + row[:40])) >= 5
        parser.feed(row[40:])
        assert len(parser._buf) < 2 * len(row)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
    | st.sampled_from(['"', "\\", "]", "[", "{", "}", ",", '\\"', "\\\\"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)
row_objects = st.fixed_dictionaries({"id": st.text(max_size=8), "key": json_values,
                                     "value": json_values})


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(row_objects, max_size=8), pretty=st.booleans(),
       ascii_only=st.booleans(), cuts=st.lists(st.integers(1, 9), min_size=1, max_size=30))
def test_round_trip(rows: list[Any], pretty: bool, ascii_only: bool, cuts: list[int]) -> None:
    doc = {"total_rows": len(rows) * 3, "rows": rows, "debug_info": {"x": "]"}}
    body = json.dumps(doc, indent=1 if pretty else None, ensure_ascii=ascii_only).encode()
    sizes = iter(cuts * (len(body) // len(cuts) + 1))
    got, meta, parser = parse_in_pieces(body, lambda: next(sizes))
    assert got == rows
    assert meta == {"total_rows": len(rows) * 3, "rows": [], "debug_info": {"x": "]"}}


# -- HttpExchange ---------------------------------------------------------------------------
def test_request_bytes() -> None:
    ex = HttpExchange("POST", "::1", 8092, "/b/_design/d/_view/v?limit=1", "user", "pw",
                      b'{"keys":[1]}')
    head, _, body = ex.request.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /b/_design/d/_view/v?limit=1 HTTP/1.1"
    assert b"host: [::1]:8092" in [line.lower() for line in lines]
    assert b"Authorization: Basic dXNlcjpwdw==" in lines
    assert b"Content-Length: 12" in lines and b"Connection: close" in lines
    assert body == b'{"keys":[1]}'


@pytest.mark.parametrize("size", [1, 2, 5, 1000])
def test_response_chunked_in_pieces(size: int) -> None:
    ex = HttpExchange("GET", "h", 1, "/", "u", "p")
    raw = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n"
           b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    body = b""
    for i in range(0, len(raw), size):
        body += b"".join(ex.feed(raw[i:i + size]))
    assert body == b"hello world" and ex.complete and ex.status == 200
    assert ex.headers["x-a"] == "b"


def test_response_until_close() -> None:
    ex = HttpExchange("GET", "h", 1, "/", "u", "p")
    assert ex.feed(b"HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n{\"a\"") == [b'{"a"']
    assert not ex.complete and ex.status == 404 and ex.reason == "Not Found"
    assert ex.feed(b":1}") == [b":1}"]
    assert ex.feed(b"") == [] and ex.complete


def test_early_close_and_garbage() -> None:
    ex = HttpExchange("GET", "h", 1, "/x", "u", "p")
    ex.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    with pytest.raises(ConnectionClosed, match="before answering"):
        ex.feed(b"")
    with pytest.raises(RemoteProtocolError):
        HttpExchange("GET", "h", 1, "/", "u", "p").feed(b"NOT HTTP AT ALL\r\n\r\n")
