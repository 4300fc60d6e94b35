"""The query service cannot freeze or break the local cluster.

Queries run off the event loop, so KV answers on every node while a long one
runs; a request stops at its timeout with 1080; an over-long statement, a
too-deep request body and a too-deep document fail only themselves; a bucket
user sees only its bucket in ``system:``; queries, index builds and DML run
consistently alongside KV writes. (Engine-level limits: test_n1ql_limits.py.)
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
from typing import Any, Iterator, Optional

import pytest

from couchbase.bucket import Bucket
from couchbase.formats import FMT_UTF8
from couchbase_mock import MockCluster
from couchbase_mock.n1ql.limits import MAX_STATEMENT_BYTES
from couchbase_mock.n1ql_adapter import query_engine_for

N = 2001
BUCKETS = {"default": {}, "deep": {}, "busy": {}, "copies": {},
           "protected": {"password": "secret"}}
# Runs until its timeout: 2001 x 2001 x 2001 rows.
ENDLESS_JOIN = "SELECT COUNT(*) AS n FROM default a JOIN default b ON true JOIN default c ON true"


def _auth(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Content-Type": "application/json"}


ADMIN = _auth("Administrator", "password")


def post(mock: MockCluster, body: bytes, headers: Optional[dict[str, str]] = None,
         node: int = 0, wait: float = 60) -> tuple[int, Any]:
    conn = http.client.HTTPConnection(mock.host, mock.nodes[node].query_port, timeout=wait)
    try:
        conn.request("POST", "/query/service", body=body, headers=headers or ADMIN)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def query(mock: MockCluster, statement: str, headers: Optional[dict[str, str]] = None,
          node: int = 0, wait: float = 60, **params: Any) -> tuple[int, Any]:
    return post(mock, json.dumps({"statement": statement, **params}).encode(), headers, node,
                wait)


def rows(mock: MockCluster, statement: str, **params: Any) -> list:
    status, doc = query(mock, statement, **params)
    assert (status, doc["status"]) == (200, "success"), doc
    return doc["results"]


def bucket(mock: MockCluster, name: str = "default") -> Bucket:
    return Bucket(f"{mock.connstr}/{name}", username=mock.username, password=mock.password)


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=3, replicas=1, buckets=BUCKETS) as m:
        values = ", ".join(f"('d{i}', {{'i': {i}}})" for i in range(N))
        rows(m, f"INSERT INTO default (KEY, VALUE) VALUES {values}")
        for name in BUCKETS:
            rows(m, f"CREATE PRIMARY INDEX ON `{name}`")
        yield m


def keys_on_every_node(mock: MockCluster, prefix: str) -> list[str]:
    """One key per node, each in a vbucket active on that node."""
    found: dict[int, str] = {}
    i = 0
    while len(found) < len(mock.nodes):
        key = f"{prefix}-{i}"
        found.setdefault(mock.locate("default", key)[1], key)
        i += 1
    return [found[n] for n in range(len(mock.nodes))]


def query_started(mock: MockCluster) -> threading.Event:
    """Set when a query first reads a document (the engine's fetch, wrapped)."""
    started = threading.Event()

    def wrap(cluster: Any) -> None:
        engine = query_engine_for(cluster)
        fetch = engine.fetch

        def fetch_and_tell(*args: Any) -> Any:
            started.set()
            return fetch(*args)

        engine.fetch = fetch_and_tell  # type: ignore[method-assign]

    mock.call(wrap)
    return started


def unwrap(mock: MockCluster) -> None:
    mock.call(lambda c: vars(query_engine_for(c)).pop("fetch", None))


# -- isolation and timeouts -----------------------------------------------------------


def test_kv_answers_on_every_node_while_a_long_join_runs(mock):
    cb = bucket(mock)  # KV operations time out after 2.5 s
    probes = keys_on_every_node(mock, "probe")
    for key in probes:
        cb.upsert(key, {"node": key})
    started = query_started(mock)
    answer: list = []
    runner = threading.Thread(target=lambda: answer.append(
        query(mock, ENDLESS_JOIN, timeout="4s")))
    runner.start()
    try:
        assert started.wait(30)
        for key in probes:  # the join holds no node: each get is answered at once
            assert cb.get(key).value == {"node": key}
            cb.upsert(key, {"node": key, "again": True})
        for node in range(len(mock.nodes)):  # nor the query service: short queries go on
            status, doc = query(mock, "SELECT RAW d.i FROM default d USE KEYS 'd7'", node=node,
                                wait=2.5)
            assert doc["results"] == [7]
    finally:
        runner.join()
        unwrap(mock)
        cb.close()
    status, doc = answer[0]
    assert (status, doc["status"]) == (200, "timeout")  # it was running all along
    assert doc["errors"][0]["code"] == 1080


def test_a_timeout_stops_a_long_join_with_1080(mock):
    status, doc = query(mock, ENDLESS_JOIN, timeout="100ms")
    assert status == 200
    assert doc["status"] == "timeout"
    assert doc["errors"] == [{"code": 1080, "msg": "Timeout 100ms exceeded", "retry": True}]
    assert rows(mock, "SELECT RAW COUNT(d.i) FROM default d") == [N]  # the service goes on


def test_a_timeout_stops_a_long_sort_and_a_long_parse(mock):
    status, doc = query(mock, "SELECT a.i FROM default a JOIN default b ON true ORDER BY a.i",
                        timeout="150ms")
    assert doc["errors"][0]["code"] == 1080
    long_statement = "SELECT RAW " + " + ".join(["1"] * 200_000)  # under the size limit
    assert len(long_statement) < MAX_STATEMENT_BYTES
    status, doc = query(mock, long_statement, timeout="50ms")
    assert doc["errors"][0]["code"] == 1080


def test_dml_stopped_by_its_timeout_writes_no_more(mock):
    status, doc = query(mock, "UPSERT INTO copies (KEY k, VALUE v) SELECT TOSTRING(x) AS k, "
                              "{'x': x} AS v FROM [0] AS z UNNEST ARRAY_RANGE(0, 200000) AS x",
                        timeout="1s")
    assert doc["errors"][0]["code"] == 1080
    # The timeout was decided where the writes are made: none can follow the answer.
    written = rows(mock, "SELECT RAW COUNT(*) FROM copies")
    assert written[0] < 200_000
    assert rows(mock, "SELECT RAW COUNT(*) FROM copies") == written


# -- limits -----------------------------------------------------------------------------


def test_an_over_long_statement_is_refused_before_parsing(mock):
    statement = "SELECT " + "+".join(["1"] * (5 * 1024 * 1024))  # 10 MB
    status, doc = query(mock, statement)
    assert status == 400
    code, msg = doc["errors"][0]["code"], doc["errors"][0]["msg"]
    assert code == 1060
    assert f"over the limit of {MAX_STATEMENT_BYTES} bytes" in msg


def test_a_deeply_nested_statement_fails_alone(mock):
    for statement in ("SELECT RAW " + "(" * 100_000 + "1" + ")" * 100_000,
                      "SELECT RAW " + "[" * 5000 + "1" + "]" * 5000,
                      "SELECT RAW " + "+".join(["1"] * 1000)):
        status, doc = query(mock, statement)
        assert (status, doc["errors"][0]) == (
            500, {"code": 5000, "msg": "Statement too deeply nested"})
    assert rows(mock, "SELECT RAW 1+1") == [2]


def test_a_deeply_nested_request_body_gets_400(mock):
    deep = "[" * 100_000 + "]" * 100_000
    status, doc = post(mock, f'{{"statement": "SELECT RAW $1", "args": [{deep}]}}'.encode())
    assert status == 400
    assert doc["errors"][0]["code"] == 1060
    assert "nested more than" in doc["errors"][0]["msg"]
    form = {**ADMIN, "Content-Type": "application/x-www-form-urlencoded"}
    status, doc = post(mock, b"statement=SELECT+RAW+%241&args=" + deep.encode(), form)
    assert (status, doc["errors"][0]["code"]) == (400, 1060)


def test_a_100k_deep_document_does_not_break_scans_of_its_bucket(mock):
    cb = bucket(mock, "deep")
    try:
        for i in range(5):
            cb.upsert(f"plain-{i}", {"n": i})
        cb.upsert("abyss", "[" * 100_000 + "]" * 100_000, format=FMT_UTF8)
    finally:
        cb.close()
    rows(mock, "CREATE INDEX deep_n ON deep(n)")
    assert rows(mock, "SELECT RAW d.n FROM deep d WHERE d.n IS VALUED ORDER BY d.n",
                scan_consistency="request_plus") == [0, 1, 2, 3, 4]
    assert rows(mock, "SELECT RAW n FROM deep WHERE n >= 3 ORDER BY n") == [3, 4]
    # The deep document reads as a document that is not JSON: no fields, no error.
    ids = rows(mock, "SELECT RAW META(d).id FROM deep d ORDER BY META(d).id")
    assert ids == ["abyss"] + [f"plain-{i}" for i in range(5)]
    assert rows(mock, "SELECT META(d).type, d.n FROM deep d USE KEYS 'abyss'") == [
        {"type": "base64"}]
    everything = rows(mock, "SELECT d.* FROM deep d ORDER BY META(d).id")
    assert everything == [{}] + [{"n": i} for i in range(5)]
    whole = rows(mock, "SELECT * FROM deep d USE KEYS ['abyss', 'plain-0']")
    assert sorted(whole, key=str) == [{"d": "<binary (200000 b)>"}, {"d": {"n": 0}}]


# -- privacy ----------------------------------------------------------------------------


def test_a_bucket_user_sees_only_its_bucket_in_system_keyspaces(mock):
    mock.create_scope("protected", "s")
    mock.create_collection("protected", "s", "c")
    rows(mock, "CREATE INDEX p_i ON protected(i)")
    user = _auth("protected", "secret")
    for statement, outer, inner in (("SELECT k.* FROM system:keyspaces k", "bucket", "name"),
                                    ("SELECT i.* FROM system:indexes i", "bucket_id",
                                     "keyspace_id")):
        status, doc = query(mock, statement, headers=user)
        assert (status, doc["status"]) == (200, "success"), doc
        seen = {r.get(outer, r[inner]) for r in doc["results"]}
        assert seen == {"protected"}, (statement, doc["results"])
    everything = rows(mock, "SELECT RAW k.name FROM system:keyspaces k WHERE k.`bucket` IS MISSING")
    assert set(everything) >= set(BUCKETS)  # the administrator sees every bucket


# -- concurrency ------------------------------------------------------------------------


def test_queries_index_builds_and_dml_alongside_kv_writes(mock):
    writes = 1000
    failures: list = []
    done = threading.Event()

    def writer() -> None:
        cb = bucket(mock, "busy")
        try:
            for i in range(writes):
                cb.upsert(f"w-{i:05d}", {"i": i, "tag": "w"})
        except Exception as exc:  # noqa: BLE001 - reported by the test
            failures.append(exc)
        finally:
            cb.close()
            done.set()

    def reader(statement: str) -> None:
        last = -1
        while not done.is_set():
            status, doc = query(mock, statement)
            if doc["status"] != "success":
                failures.append(doc)
                return
            count = doc["results"][0]
            if count < last:  # documents are only added: a count never goes down
                failures.append((statement, last, count))
            last = count

    threads = [threading.Thread(target=writer)]
    threads += [threading.Thread(target=reader, args=(s,)) for s in (
        "SELECT RAW COUNT(*) FROM busy WHERE tag = 'w'",
        "SELECT RAW COUNT(*) FROM busy a JOIN busy b ON META(b).id = META(a).id "
        "WHERE a.tag = 'w'",
        "SELECT RAW COUNT(*) FROM (SELECT DISTINCT i FROM busy WHERE tag = 'w' ORDER BY i) x",
    )]
    for t in threads:
        t.start()
    built = rows(mock, "CREATE INDEX busy_i ON busy(i) WHERE tag = 'w'")  # while writing
    updated = rows(mock, "UPDATE busy SET seen = true WHERE tag = 'w' RETURNING RAW i")
    copied = rows(mock, "UPSERT INTO busy (KEY k, VALUE v) SELECT 'n-' || TOSTRING(x) AS k, "
                        "{'x': x} AS v FROM [0] AS z UNNEST ARRAY_RANGE(0, 5000) AS x")
    for t in threads:
        t.join()
    assert failures == []
    assert built == copied == []
    assert rows(mock, "SELECT RAW COUNT(*) FROM busy WHERE x IS VALUED") == [5000]
    assert len(updated) == len(set(updated))
    everything = rows(mock, "SELECT RAW COUNT(*) FROM busy WHERE tag = 'w'")
    assert everything == [writes]
    # The index built during the writes has every document, as a scan shows.
    assert rows(mock, "SELECT RAW COUNT(*) FROM busy USE INDEX (busy_i) "
                      "WHERE tag = 'w' AND i >= 0") == [writes]
    assert rows(mock, "SELECT RAW COUNT(*) FROM busy WHERE seen = true") == [len(updated)]
