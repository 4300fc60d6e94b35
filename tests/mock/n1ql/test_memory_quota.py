"""The ``memory_quota`` request parameter and the node's ``memory-quota``.

settings/query-settings.adoc: ``memory_quota`` (request level, MB) has the
node-level twin ``memory-quota`` (``/admin/settings``), which is the default
and the upper bound of the request's; 0 means no quota, the default. A
request holding more than its quota fails with 5500 "Request has exceeded
memory quota". What counts: fetched documents and the rows a request keeps
(sort buffers, groups, window partitions, WITH results, DISTINCT and set
operations, results) -- see src/couchbase_mock/n1ql/quota.py.
"""

from __future__ import annotations

import base64
import http.client
import json
from typing import Any, Optional

import pytest

from couchbase_mock.n1ql import MemoryDatastore, N1QLError, QueryEngine
from couchbase_mock.n1ql.quota import Quota, effective_quota, size_of

BIG = ("big", "_default", "_default")
FAT = "y" * 10_000  # ~10 KB a document


@pytest.fixture(scope="module")
def engine() -> QueryEngine:
    """2,000 documents of about 10 KB (20 MB in all) in `big`."""
    ds = MemoryDatastore()
    ds.create_bucket("big")
    for i in range(2000):
        ds.upsert(BIG, f"k{i:05d}", json.dumps({"n": i, "g": i % 10, "fat": FAT}).encode())
    eng = QueryEngine(ds)
    eng.query("CREATE PRIMARY INDEX ON big")
    return eng


def over_quota(engine: QueryEngine, statement: str, mb: float) -> None:
    with pytest.raises(N1QLError) as err:
        engine.query(statement, memory_quota=mb)
    assert (err.value.code, err.value.msg) == (5500, "Request has exceeded memory quota")


HOLDING = {  # each holds every (10 KB) document or row: ~20 MB
    "order_by": "SELECT b.* FROM big b ORDER BY b.n DESC",
    "results": "SELECT b.* FROM big b",
    "group_as": "SELECT g, COUNT(*) AS c FROM big b GROUP BY g GROUP AS grp",
    "window": "SELECT b.n, ROW_NUMBER() OVER (ORDER BY b.n) AS r FROM big b",
    "cte": "WITH c AS (SELECT RAW b FROM big b) SELECT COUNT(*) FROM c AS x",
    "distinct": "SELECT DISTINCT b.fat || TO_STRING(b.n) AS f FROM big b",
    "union": "SELECT b.fat, b.n FROM big b UNION SELECT b.fat, b.n FROM big b",
    "join_inner": "SELECT COUNT(*) FROM big x USE KEYS [\"k00000\", \"k00001\"] "
                  "JOIN big y ON x.n = y.n + 100000",  # (2 outer rows: the inner side is held)
    "array_agg": "SELECT ARRAY_AGG(b) FROM big b WHERE b.n < 0 OR true ORDER BY 1",
}


@pytest.mark.parametrize("name", sorted(HOLDING))
def test_a_request_holding_more_than_its_quota_fails_with_5500(engine, name) -> None:
    over_quota(engine, HOLDING[name], 5)


@pytest.mark.parametrize("name", sorted(HOLDING))
def test_the_same_request_runs_with_room_or_without_a_quota(engine, name) -> None:
    for mb in (None, 0, 200):
        engine.query(HOLDING[name], memory_quota=mb)


def test_streaming_requests_hold_one_document_at_a_time(engine) -> None:
    """A scan that keeps nothing (COUNT, a filter, LIMIT) fits in a small quota."""
    assert engine.query("SELECT RAW COUNT(*) FROM big b WHERE b.fat IS NOT NULL",
                        memory_quota=1).results == [2000]
    assert len(engine.query("SELECT b.* FROM big b LIMIT 3", memory_quota=1).results) == 3


def test_a_document_larger_than_the_quota_fails_alone() -> None:
    ds = MemoryDatastore()
    ds.create_bucket("big")
    ds.upsert(BIG, "huge", json.dumps({"blob": "z" * (3 * 1024 * 1024)}).encode())
    ds.upsert(BIG, "tiny", b'{"n": 1}')
    eng = QueryEngine(ds)
    eng.query("CREATE PRIMARY INDEX ON big")
    over_quota(eng, "SELECT RAW COUNT(*) FROM big", 1)
    assert eng.query("SELECT RAW n FROM big USE KEYS 'tiny'", memory_quota=1).results == [1]


def test_the_node_quota_is_default_and_cap(engine) -> None:
    """query-settings.adoc: the node-level setting is the request's default and bound."""
    assert effective_quota(None, 0) is None and effective_quota(0, 0) is None
    assert effective_quota(None, 5) == 5 and effective_quota(50, 5) == 5
    assert effective_quota(3, 5) == 3 and effective_quota(50, 0) == 50
    statement = HOLDING["order_by"]
    engine.memory_quota = 5
    try:
        over_quota(engine, statement, None)
        over_quota(engine, statement, 500)  # the request cannot raise the node's cap
    finally:
        engine.memory_quota = 0
    engine.query(statement)


def test_size_of_is_about_the_json_length() -> None:
    for value in ({"a": [1, 2.5, "xyz", None, True]}, "x" * 1000, [[[]]], {}):
        assert abs(size_of(value) - len(json.dumps(value))) <= len(json.dumps(value)) // 2 + 8
    deep: Any = []
    for _ in range(100_000):  # any depth: iterative
        deep = [deep]
    assert size_of(deep) > 100_000
    q = Quota(1)
    q.charge("x" * 1000)
    with pytest.raises(N1QLError):
        q.charge("x" * (1024 * 1024))


# -- through the query service ------------------------------------------------------------

ADMIN = {"Authorization": "Basic " + base64.b64encode(b"Administrator:password").decode()}


def _post(mock: Any, path: str, body: dict) -> tuple[int, Any]:
    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].query_port, timeout=60)
    try:
        conn.request("POST", path, body=json.dumps(body).encode(),
                     headers={**ADMIN, "Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")
    finally:
        conn.close()


BIG_ROWS = "SELECT RAW REPEAT('q', 1000) || TO_STRING(v) FROM ARRAY_RANGE(0, 20000) AS v ORDER BY v"


def _error(doc: dict) -> Optional[tuple[int, str]]:
    errors = doc.get("errors")
    return (errors[0]["code"], errors[0]["msg"]) if errors else None


def test_memory_quota_request_parameter(mock_cluster) -> None:
    status, doc = _post(mock_cluster, "/query/service", {"statement": BIG_ROWS,
                                                          "memory_quota": 5})
    assert _error(doc) == (5500, "Request has exceeded memory quota")
    assert doc["status"] != "success"
    status, doc = _post(mock_cluster, "/query/service", {"statement": BIG_ROWS,
                                                          "memory_quota": 100})
    assert (status, doc["status"], len(doc["results"])) == (200, "success", 20000)
    status, doc = _post(mock_cluster, "/query/service", {"statement": "SELECT 1",
                                                          "memory_quota": "lots"})
    assert (status, _error(doc)[0]) == (400, 1060)  # type: ignore[index]


def test_node_memory_quota_setting(mock_cluster) -> None:
    status, doc = _post(mock_cluster, "/admin/settings", {"memory-quota": 5})
    try:
        assert status == 200 and doc["memory-quota"] == 5
        status, doc = _post(mock_cluster, "/query/service", {"statement": BIG_ROWS})
        assert _error(doc) == (5500, "Request has exceeded memory quota")
        status, doc = _post(mock_cluster, "/admin/settings", {"memory-quota": "x"})
        assert status == 400
    finally:
        status, doc = _post(mock_cluster, "/admin/settings", {"memory-quota": 0})
    assert status == 200 and doc["memory-quota"] == 0
    status, doc = _post(mock_cluster, "/query/service", {"statement": BIG_ROWS})
    assert doc["status"] == "success"
