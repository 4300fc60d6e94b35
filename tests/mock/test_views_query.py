"""View query parameters on a small data set: ranges, keys, paging,
descending, document id bounds, the reduce switches and the 400 errors."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from mock_views import capi, put_ddoc, query, store, view_path

from couchbase_mock import MockCluster

pytest.importorskip("py_mini_racer")

GROUPS = "abcd"


@pytest.fixture(scope="module")
def vmock() -> Iterator[MockCluster]:
    with MockCluster(nodes=3) as mock:
        docs: dict[str, Any] = {
            f"p{i:02d}": {"t": "p", "n": i, "g": GROUPS[i % 4]} for i in range(20)
        }
        docs.update({f"dup{i}": {"t": "p", "n": 100, "g": "z"} for i in (3, 1, 2)})
        store(mock, docs)
        put_ddoc(mock, "q", {
            "by_n": {"map": "function (doc, meta) { if (doc.t == 'p') emit(doc.n, doc.n * 10); }"},
            "by_gn": {"map": "function (doc) { if (doc.t == 'p') emit([doc.g, doc.n], doc.n); }",
                      "reduce": "_sum"},
        })
        yield mock


def keys_of(body: dict[str, Any]) -> list[Any]:
    return [r["key"] for r in body["rows"]]


def ids_of(body: dict[str, Any]) -> list[str]:
    return [r["id"] for r in body["rows"]]


def test_all_rows_and_total_rows(vmock):
    body = query(vmock, "q", "by_n")
    assert body["total_rows"] == 23
    assert keys_of(body) == list(range(20)) + [100] * 3
    assert ids_of(body)[-3:] == ["dup1", "dup2", "dup3"]
    assert body["rows"][5] == {"id": "p05", "key": 5, "value": 50}


def test_key_and_keys(vmock):
    assert ids_of(query(vmock, "q", "by_n", key=7)) == ["p07"]
    assert ids_of(query(vmock, "q", "by_n", key=100)) == ["dup1", "dup2", "dup3"]
    assert query(vmock, "q", "by_n", key=55)["rows"] == []
    # keys: in the order given, missing keys give nothing, repeats repeat.
    body = query(vmock, "q", "by_n", keys=[9, 55, 2, 9])
    assert ids_of(body) == ["p09", "p02", "p09"]
    assert body["total_rows"] == 23
    status, body, _ = capi(vmock, "POST", view_path("q", "by_n", stale="false"),
                           {"keys": [100, 0]})
    assert status == 200
    assert ids_of(body) == ["dup1", "dup2", "dup3", "p00"]


def test_ranges(vmock):
    assert keys_of(query(vmock, "q", "by_n", startkey=3, endkey=6)) == [3, 4, 5, 6]
    assert keys_of(query(vmock, "q", "by_n", start_key=3, end_key=6)) == [3, 4, 5, 6]
    assert keys_of(query(vmock, "q", "by_n", startkey=3, endkey=6,
                         inclusive_end="false")) == [3, 4, 5]
    assert keys_of(query(vmock, "q", "by_n", startkey=18)) == [18, 19, 100, 100, 100]
    assert keys_of(query(vmock, "q", "by_n", endkey=1)) == [0, 1]
    assert keys_of(query(vmock, "q", "by_n", startkey=2.5, endkey=4.5)) == [3, 4]
    # Strings sort after every number.
    assert keys_of(query(vmock, "q", "by_n", startkey='"a"')) == []


def test_descending(vmock):
    assert keys_of(query(vmock, "q", "by_n", descending="true", limit=4)) == [100] * 3 + [19]
    assert ids_of(query(vmock, "q", "by_n", descending="true", limit=3)) == [
        "dup3", "dup2", "dup1"]
    body = query(vmock, "q", "by_n", descending="true", startkey=6, endkey=3)
    assert keys_of(body) == [6, 5, 4, 3]
    body = query(vmock, "q", "by_n", descending="true", startkey=6, endkey=3,
                 inclusive_end="false")
    assert keys_of(body) == [6, 5, 4]


def test_document_id_bounds(vmock):
    body = query(vmock, "q", "by_n", startkey=100, startkey_docid="dup2")
    assert ids_of(body) == ["dup2", "dup3"]
    body = query(vmock, "q", "by_n", startkey=19, endkey=100, endkey_docid="dup2")
    assert ids_of(body) == ["p19", "dup1", "dup2"]
    body = query(vmock, "q", "by_n", startkey=19, endkey=100, endkey_docid="dup2",
                 inclusive_end="false")
    assert ids_of(body) == ["p19", "dup1"]
    body = query(vmock, "q", "by_n", descending="true", startkey=100, startkey_docid="dup2",
                 endkey=19)
    assert ids_of(body) == ["dup2", "dup1", "p19"]


def test_skip_and_limit(vmock):
    assert keys_of(query(vmock, "q", "by_n", skip=2, limit=3)) == [2, 3, 4]
    assert keys_of(query(vmock, "q", "by_n", skip=21)) == [100, 100]
    assert query(vmock, "q", "by_n", skip=50)["rows"] == []
    assert query(vmock, "q", "by_n", limit=0)["rows"] == []
    assert keys_of(query(vmock, "q", "by_n", startkey=10, skip=1, limit=2)) == [11, 12]


def test_reduce_switches(vmock):
    assert query(vmock, "q", "by_gn")["rows"] == [{"key": None, "value": 490}]
    body = query(vmock, "q", "by_gn", reduce="false", limit=2)
    assert body["rows"][0] == {"id": "p00", "key": ["a", 0], "value": 0}
    assert body["total_rows"] == 23
    body = query(vmock, "q", "by_gn", group_level=1)
    assert body["rows"] == [
        {"key": ["a"], "value": 0 + 4 + 8 + 12 + 16},
        {"key": ["b"], "value": 1 + 5 + 9 + 13 + 17},
        {"key": ["c"], "value": 2 + 6 + 10 + 14 + 18},
        {"key": ["d"], "value": 3 + 7 + 11 + 15 + 19},
        {"key": ["z"], "value": 300},
    ]
    body = query(vmock, "q", "by_gn", group="true", startkey=["z"])
    assert body["rows"] == [{"key": ["z", 100], "value": 300}]
    body = query(vmock, "q", "by_gn", group_level=1, skip=1, limit=2, descending="true")
    assert keys_of(body) == [["d"], ["c"]]
    assert query(vmock, "q", "by_gn", group_level=0)["rows"] == [{"key": None, "value": 490}]
    body = query(vmock, "q", "by_gn", group_level=5, startkey=["a"], endkey=["a", 4])
    assert body["rows"] == [{"key": ["a", 0], "value": 0}, {"key": ["a", 4], "value": 4}]
    assert query(vmock, "q", "by_gn", startkey=["q"], endkey=["r"])["rows"] == []


@pytest.mark.parametrize("param", ["full_set", "debug"])
def test_boolean_extras_are_accepted(vmock, param):
    body = query(vmock, "q", "by_n", limit=1, **{param: "true"})
    assert keys_of(body) == [0]
    if param == "debug":
        assert body["debug_info"]["local"]["indexed_docs"] == 23


@pytest.mark.parametrize("value", ["stop", "continue"])
def test_on_error(vmock, value):
    assert keys_of(query(vmock, "q", "by_n", limit=1, on_error=value)) == [0]


def test_unknown_parameters_are_ignored(vmock):
    assert keys_of(query(vmock, "q", "by_n", limit=1, connection_timeout="60000")) == [0]


@pytest.mark.parametrize(
    "view, params, reason_part",
    [
        ("by_n", {"limit": "x"}, "limit"),
        ("by_n", {"limit": "-1"}, "limit"),
        ("by_n", {"skip": "1.5"}, "skip"),
        ("by_n", {"descending": "yes"}, "descending"),
        ("by_n", {"inclusive_end": "1"}, "inclusive_end"),
        ("by_n", {"stale": "maybe"}, "stale"),
        ("by_n", {"on_error": "panic"}, "on_error"),
        ("by_n", {"key": "unquoted"}, "key"),
        ("by_n", {"startkey": "[1,"}, "startkey"),
        ("by_n", {"keys": "{}"}, "keys"),
        ("by_n", {"keys": "[1]", "key": "1"}, "keys"),
        ("by_n", {"startkey": "5", "endkey": "1"}, "No rows can match your key range"),
        ("by_n", {"startkey": "1", "endkey": "5", "descending": "true"},
         "No rows can match your key range"),
        ("by_n", {"reduce": "true"}, "reduce"),
        ("by_n", {"group": "true"}, "group"),
        ("by_n", {"group_level": "1"}, "group"),
        ("by_gn", {"reduce": "false", "group": "true"}, "group"),
        ("by_gn", {"group_level": "a"}, "group_level"),
    ],
)
def test_bad_parameters_are_query_parse_errors(vmock, view, params, reason_part):
    status, body, _ = capi(vmock, "GET", view_path("q", view, **params))
    assert status == 400, body
    assert body["error"] == "query_parse_error"
    assert reason_part in body["reason"]


def test_bad_post_bodies(vmock):
    status, body, _ = capi(vmock, "POST", view_path("q", "by_n"), b"{nope")
    assert status == 400 and body["error"] == "bad_request"
    status, body, _ = capi(vmock, "POST", view_path("q", "by_n"), {"keys": 3})
    assert status == 400 and body["error"] == "query_parse_error"


def test_every_node_serves_the_same_index(vmock):
    expected = query(vmock, "q", "by_n")
    for node in range(1, 3):
        assert query(vmock, "q", "by_n", node=node) == expected


def test_responses_are_chunked(vmock):
    status, body, headers = capi(vmock, "GET", view_path("q", "by_n"))
    assert status == 200
    assert headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in headers
