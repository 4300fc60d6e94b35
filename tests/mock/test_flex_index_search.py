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
           "params": {"mapping": {"default_analyzer": "keyword",
                                  "default_mapping": {"enabled": True, "dynamic": True}}}}
MORE = {  # values of every type, nested fields, arrays, near-misses
    "hotel_4": {"type": "hotel", "name": "Hotel Chevalier", "city": "Paris", "rooms": 100,
                "open": True, "geo": {"country": "France", "stars": 4}, "tags": ["a", "b"]},
    "hotel_5": {"type": "hotel", "name": "hotel chevalier", "city": "paris", "rooms": "100",
                "open": False, "geo": {"country": "france", "stars": 2}, "tags": ["b"]},
    "hotel_6": {"type": "Hotel", "name": "Overlook", "city": "Sidewinder", "rooms": 237.0},
    "inn_1": {"type": "inn", "name": "The Overlook Inn", "rooms": 3, "open": True},
}
STANDARD = {"type": "fulltext-index", "sourceType": "gocbcore", "sourceName": "std",
            "params": {"mapping": {"default_mapping": {"enabled": True, "dynamic": True}}}}
TYPED = {"type": "fulltext-index", "sourceType": "gocbcore", "sourceName": "typed",
         "params": {"doc_config": {"mode": "type_field", "type_field": "type"},
                    "mapping": {"default_analyzer": "keyword",
                                "default_mapping": {"enabled": False},
                                "types": {"hotel": {"enabled": True, "dynamic": False,
                                                    "properties": {
                                                        "name": {"fields": [{
                                                            "name": "name", "type": "text",
                                                            "index": True}]},
                                                        "rooms": {"fields": [{
                                                            "name": "rooms", "type": "number",
                                                            "index": True}]}}}}}}}


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
    buckets: dict = {"default": {}, "other": {}, "std": {}, "typed": {}}
    with MockCluster(nodes=1, replicas=0, buckets=buckets) as mock:
        for name in ("default", "std", "typed"):
            cb = Bucket(f"{mock.connstr}/{name}", username="Administrator",
                        password="password")
            cb.upsert_multi({**DOCS, **MORE})
            cb.close()
        for name in buckets:
            query(mock, f"CREATE PRIMARY INDEX ON `{name}`")
        for name, body in (("hotels", DYNAMIC), ("hotels_std", STANDARD),
                           ("hotels_typed", TYPED)):
            status, doc = _call(mock, mock.nodes[0].search_port, "PUT", f"/api/index/{name}",
                                body)
            assert status == 200 and doc["status"] == "ok", doc
        yield mock


WHERE = "WHERE d.type = 'hotel' AND d.rooms > 100"
"""Sargable for a keyword index: ``type = 'hotel'`` (the open range is filtered)."""


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
    assert query(mock, q) == query(mock, plain) == ["hotel_1", "hotel_2", "hotel_5"]
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


def searches(mock: MockCluster) -> int:
    """How many times the Search service answered a flex scan."""
    return int(mock.cluster.query_engine.stats["flex_searches"])


PREDICATES = [  # flex-indexes.adoc "N1QL Predicates": each is sargable
    "d.name = 'The Overlook'", "d.city = 'Paris'", "d.rooms = 100", "d.rooms = 237",
    "d.open = true", "d.open = false", "d.geo.country = 'France'", "d.geo.stars = 4",
    "d.city IN ['Paris', 'Torquay']", "d.rooms IN [12, 100]", "d.name LIKE 'Hotel%'",
    "d.name LIKE 'The Overlook'", "d.rooms BETWEEN 10 AND 150",
    "d.rooms >= 100 AND d.rooms <= 237", "d.rooms > 100 AND d.rooms < 237",
    "d.tags = 'b'", "d.type = 'hotel'", "d.name = 'nobody'",
]


@pytest.mark.parametrize("where", PREDICATES)
def test_search_index_answers_like_gsi(mock, where):
    # flex-indexes.adoc, Usage: the query is transformed into a Search query and run
    # against the qualified index; the rows equal the answer without it.
    q = f"SELECT RAW META(d).id FROM `default` d USE INDEX (USING FTS) WHERE {where}"
    before = searches(mock)
    got = sorted(query(mock, q))
    assert searches(mock) == before + 1  # the Search index gave the document ids
    plain = sorted(query(mock, f"SELECT RAW META(d).id FROM `default` d WHERE {where}"))
    assert got == plain
    scan, hints = scan_and_hints(mock, q)
    assert scan["#operator"] == "IndexFtsSearch" and hints["hints_followed"]


@pytest.mark.parametrize("where", PREDICATES)
def test_partial_sargability_with_other_conjuncts(mock, where):
    # "AND Expressions": one sargable child is enough; the others are filtered after
    # the fetch (here a function of a field and an open range).
    full = f"{where} AND LOWER(d.city) IS NOT NULL AND d.rooms > 1"
    q = f"SELECT RAW META(d).id FROM `default` d USE INDEX (USING FTS) WHERE {full}"
    plain = f"SELECT RAW META(d).id FROM `default` d WHERE {full}"
    assert sorted(query(mock, q)) == sorted(query(mock, plain))


@pytest.mark.parametrize("where", [
    "d.rooms >= 100",  # open-ended range: not deterministic ("Range Expressions")
    "d.rooms <= 237 AND d.rooms >= 100",  # maximum before minimum
    "LOWER(d.city) = 'paris'",  # the left-hand side is an expression ("Equality")
    "d.city = 'Paris' OR d.name = 'x'",  # OR is not translated here
    "d.name LIKE '%look'",  # not a prefix ("LIKE Expressions")
])
def test_predicates_that_do_not_qualify(mock, where):
    q = f"SELECT RAW META(d).id FROM `default` d USE INDEX (USING FTS) WHERE {where}"
    before = searches(mock)
    assert sorted(query(mock, q)) == sorted(query(
        mock, f"SELECT RAW META(d).id FROM `default` d WHERE {where}"))
    assert searches(mock) == before
    scan, hints = scan_and_hints(mock, q)
    assert scan["#operator"] == "PrimaryScan3"
    assert hints["hints_not_followed"] == ["INDEX_FTS(d): INDEX_FTS hint cannot be followed"]


def test_standard_analyzer_index_does_not_qualify_for_text(mock):
    # "Analyzer": the index must use the keyword analyzer; numbers still qualify.
    q = "SELECT RAW META(d).id FROM `std` d USE INDEX (USING FTS) WHERE d.name = 'Overlook'"
    assert query(mock, q) == ["hotel_6"]
    scan, _ = scan_and_hints(mock, q)
    assert scan["#operator"] == "PrimaryScan3"
    q = "SELECT RAW META(d).id FROM `std` d USE INDEX (USING FTS) WHERE d.rooms = 12"
    assert query(mock, q) == ["hotel_3"]
    assert scan_and_hints(mock, q)[0]["#operator"] == "IndexFtsSearch"


def test_custom_type_mapping_needs_the_type_in_the_where(mock):
    # "Conditional Expression for Custom Type Mappings" and "Indexed Fields".
    base = "SELECT RAW META(d).id FROM `typed` d USE INDEX (USING FTS) WHERE "
    q = base + "d.type = 'hotel' AND d.rooms BETWEEN 100 AND 300"
    before = searches(mock)
    assert sorted(query(mock, q)) == ["hotel_1", "hotel_2", "hotel_4"]
    assert searches(mock) == before + 1
    assert scan_and_hints(mock, q)[0]["#operator"] == "IndexFtsSearch"
    for where in ("d.rooms BETWEEN 100 AND 300",  # no type: the mapping cannot be known
                  "d.type = 'hotel' AND d.city = 'Paris'"):  # city is not mapped
        assert scan_and_hints(mock, base + where)[0]["#operator"] == "PrimaryScan3", where


def test_search_index_follows_writes(mock):
    # the Search index is brought up to date before it answers (no stale ids)
    cb = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
    try:
        cb.upsert("hotel_7", {"type": "hotel", "name": "Bates Motel", "rooms": 12})
        q = ("SELECT RAW META(d).id FROM `default` d USE INDEX (USING FTS) "
             "WHERE d.rooms = 12 ORDER BY META(d).id")
        assert query(mock, q) == ["hotel_3", "hotel_7"]
        cb.remove("hotel_7")
        assert query(mock, q) == ["hotel_3"]
    finally:
        cb.close()


def test_named_parameters_in_a_flex_query(mock):
    status, doc = _call(mock, mock.nodes[0].query_port, "POST", "/query/service", {
        "statement": "SELECT RAW META(d).id FROM `default` d USE INDEX (USING FTS) "
                     "WHERE d.city = $c ORDER BY META(d).id", "$c": "Paris"})
    assert status == 200 and doc["results"] == ["hotel_4"], doc
