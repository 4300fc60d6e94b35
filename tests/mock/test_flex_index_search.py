"""Flex indexes through the whole local cluster (flex-indexes.adoc, Usage;
keyspace-hints.adoc INDEX_FTS; hints.adoc USE INDEX (USING FTS)): a Search
index made over the search service's REST API serves a N1QL query that asks
for it; EXPLAIN shows IndexFtsSearch and reports the hint followed; the
results equal the answer without the hint (GSI or primary)."""

from __future__ import annotations

import base64
import http.client
import json
from typing import Any, Iterator

import pytest

from couchbase.bucket import Bucket
from couchbase_mock import MockCluster

TOKEN = base64.b64encode(b"Administrator:password").decode()
HEADERS = {"Authorization": f"Basic {TOKEN}", "Content-Type": "application/json"}
DOCS = {
    "hotel_1": {"type": "hotel", "name": "Grand Budapest", "city": "Zubrowka", "rooms": 120},
    "hotel_2": {"type": "hotel", "name": "The Overlook", "city": "Sidewinder", "rooms": 237},
    "hotel_3": {"type": "hotel", "name": "Fawlty Towers", "city": "Torquay", "rooms": 12},
    "landmark_1": {"type": "landmark", "name": "Parliament", "city": "Budapest"},
}
DYNAMIC = {"type": "fulltext-index", "sourceType": "gocbcore", "sourceName": "default",
           "params": {"mapping": {"default_mapping": {"enabled": True, "dynamic": True}}}}


def _call(mock: MockCluster, port: int, method: str, path: str, body: Any) -> tuple[int, Any]:
    conn = http.client.HTTPConnection(mock.host, port, timeout=60)
    try:
        conn.request(method, path, body=json.dumps(body).encode(), headers=HEADERS)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def query(mock: MockCluster, statement: str) -> list:
    status, doc = _call(mock, mock.nodes[0].query_port, "POST", "/query/service",
                        {"statement": statement})
    assert status == 200 and doc["status"] == "success", doc
    return doc["results"]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=1, replicas=0, buckets={"default": {}, "other": {}}) as mock:
        cb = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
        cb.upsert_multi(DOCS)
        cb.close()
        query(mock, "CREATE PRIMARY INDEX ON `default`")
        query(mock, "CREATE PRIMARY INDEX ON `other`")
        status, doc = _call(mock, mock.nodes[0].search_port, "PUT", "/api/index/hotels", DYNAMIC)
        assert status == 200 and doc["status"] == "ok", doc
        yield mock


WHERE = "WHERE d.type = 'hotel' AND d.rooms > 100"


def scan_and_hints(mock: MockCluster, statement: str) -> tuple[dict, dict]:
    row = query(mock, "EXPLAIN " + statement)[0]
    scan = row["plan"]["~children"][0]
    while scan["#operator"] == "Sequence":
        scan = scan["~children"][0]
    return scan, row.get("optimizer_hints", {})


@pytest.mark.parametrize("hint, followed", [
    ("USE INDEX (USING FTS)", "INDEX_FTS(d)"),
    ("USE INDEX (hotels USING FTS)", "INDEX_FTS(d hotels)"),
])
def test_use_index_using_fts(mock, hint, followed):
    # flex-indexes.adoc, Usage: USE INDEX (USING FTS) makes the query use a Search index
    q = f"SELECT RAW META(d).id FROM `default` d {hint} {WHERE} ORDER BY META(d).id"
    plain = f"SELECT RAW META(d).id FROM `default` d {WHERE} ORDER BY META(d).id"
    assert query(mock, q) == query(mock, plain) == ["hotel_1", "hotel_2"]
    scan, hints = scan_and_hints(mock, q)
    assert scan["#operator"] == "IndexFtsSearch" and scan["index"] == "hotels"
    assert scan["using"] == "fts"
    assert hints["hints_followed"] == [followed]


def test_index_fts_hint(mock):
    # keyspace-hints.adoc, INDEX_FTS
    q = f"SELECT /*+ INDEX_FTS(d) */ d.name FROM `default` d {WHERE} ORDER BY d.name"
    plain = f"SELECT d.name FROM `default` d {WHERE} ORDER BY d.name"
    assert query(mock, q) == query(mock, plain)
    scan, hints = scan_and_hints(mock, q)
    assert scan["#operator"] == "IndexFtsSearch"
    assert hints == {"hints_followed": ["INDEX_FTS(d)"]}


def test_no_search_index_on_the_keyspace(mock):
    # the hint cannot be followed: the planner's own scan answers
    q = "SELECT /*+ INDEX_FTS(o) */ RAW META(o).id FROM `other` o WHERE o.x = 1"
    assert query(mock, q) == []
    scan, hints = scan_and_hints(mock, q)
    assert scan["#operator"] == "PrimaryScan3"
    assert hints == {"hints_not_followed": ["INDEX_FTS(o): INDEX_FTS hint cannot be followed"]}


def test_named_search_index_that_does_not_exist(mock):
    q = f"SELECT /*+ INDEX_FTS(d nosuch) */ RAW META(d).id FROM `default` d {WHERE}"
    scan, hints = scan_and_hints(mock, q)
    assert scan["#operator"] == "PrimaryScan3"
    assert "hints_not_followed" in hints


def test_without_a_hint_no_search_index(mock):
    scan, hints = scan_and_hints(mock, f"SELECT RAW META(d).id FROM `default` d {WHERE}")
    assert scan["#operator"] == "PrimaryScan3" and hints == {}
