"""The query service on the local cluster's query ports: wiring, request forms,
response shape, HTTP status codes, auth, prepared statements, and the N1QL
engine's view of KV writes (indexes kept current, keyspaces dropped)."""

from __future__ import annotations

import base64
import http.client
import json
import re
import time
from typing import Any, Iterator, Optional
from urllib.parse import quote, urlencode

import pytest
from mock_http import basic_auth, fetch
from mock_kvclient import ClusterKV, connect

from couchbase._core.opcode import Opcode
from couchbase_mock import MockCluster
from couchbase_mock.n1ql_adapter import query_engine_for

ADMIN = basic_auth("Administrator", "password")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
GO_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|µs|ms|s|m|h))+$")


class Answer:
    def __init__(self, status: int, headers: dict[str, str], text: str) -> None:
        self.status = status
        self.headers = headers
        self.text = text
        ctype = headers.get("content-type", "")
        self.doc: Any = json.loads(text) if "json" in ctype and text else None

    @property
    def results(self) -> list:
        assert self.doc["status"] == "success", self.doc
        return self.doc["results"]

    @property
    def error(self) -> tuple[int, str]:
        err = self.doc["errors"][0]
        return err["code"], err["msg"]


def request(mock: MockCluster, method: str = "POST", path: str = "/query/service",
            body: Optional[bytes] = None, headers: Optional[dict[str, str]] = None,
            node: int = 0) -> Answer:
    conn = http.client.HTTPConnection(mock.host, mock.nodes[node].query_port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=ADMIN if headers is None else headers)
        resp = conn.getresponse()
        text = resp.read().decode()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, text)
    finally:
        conn.close()


def q(mock: MockCluster, statement: Optional[str] = None, node: int = 0,
      headers: Optional[dict[str, str]] = None, **params: Any) -> Answer:
    body = dict(params)
    if statement is not None:
        body["statement"] = statement
    hdrs = dict(ADMIN if headers is None else headers)
    hdrs["Content-Type"] = "application/json"
    return request(mock, body=json.dumps(body).encode(), headers=hdrs, node=node)


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    """A cluster of its own: these tests create indexes and collections."""
    buckets = {"default": {}, "protected": {"password": "secret"}}
    with MockCluster(nodes=3, replicas=1, buckets=buckets) as m:
        assert q(m, "CREATE PRIMARY INDEX ON `default`").status == 200
        assert q(m, "CREATE PRIMARY INDEX ON `protected`").status == 200
        yield m


# -- wiring ---------------------------------------------------------------------------


def test_every_node_has_a_query_port_in_every_config(mock):
    ports = [n.query_port for n in mock.nodes]
    assert all(ports) and len(set(ports)) == len(ports)
    terse = fetch(mock, "/pools/default/b/default")[1]
    pools = fetch(mock, "/pools/default")[1]
    with connect(mock, node=1) as kv:
        kv_config = kv.config()
    for doc in (terse, pools, kv_config):
        assert [n["services"]["n1ql"] for n in doc["nodesExt"]] == ports
        assert doc["clusterCapabilities"]["n1ql"] == ["enhancedPreparedStatements"]
    assert all("n1ql" in n["services"] for n in pools["nodes"])
    assert mock.query_url == f"http://{mock.host}:{ports[0]}"


def test_every_node_serves_the_same_engine(mock, key):
    assert q(mock, "INSERT INTO `default` (KEY, VALUE) VALUES ($k, {'n': 1})",
             node=2, args=[], **{"$k": key}).status == 200
    for node in range(len(mock.nodes)):
        assert q(mock, "SELECT RAW n FROM `default` USE KEYS $1", node=node,
                 args=[key]).results == [1]


def test_no_query_engine_and_no_observer_until_the_first_query():
    with MockCluster(nodes=1) as m:
        with ClusterKV(m) as kv:
            kv.set(b"k", b'{"a":1}')
        assert m.call(lambda c: (c.query_engine, list(c.commit_observers))) == (None, [])
        assert q(m, "SELECT 1 AS one").results == [{"one": 1}]
        assert m.call(lambda c: len(c.commit_observers)) == 1


def test_kv_writes_reach_listeners_only_for_indexed_keyspaces():
    with MockCluster(nodes=1) as m:
        seen: list = []

        def setup(c):
            query_engine_for(c).datastore.subscribe(lambda *a: seen.append(a))

        m.call(setup)
        with ClusterKV(m) as kv:
            kv.set(b"k1", b'{"a":1}')
            assert seen == []  # no index: nothing to maintain
            assert q(m, "CREATE PRIMARY INDEX ON `default`").status == 200
            kv.set(b"k2", b'{"a":2}')
        assert [(path, k, rec.value) for path, k, rec in seen] == [
            (("default", "_default", "_default"), "k2", b'{"a":2}')]


# -- response shape ---------------------------------------------------------------------


def test_response_fields_in_order_and_metrics(mock):
    ans = q(mock, "SELECT 1 AS one, 'ü' AS u UNION ALL SELECT 2 AS one, 'x' AS u",
            client_context_id="ctx-1")
    assert ans.status == 200
    assert ans.headers["content-type"].startswith("application/json")
    assert list(ans.doc) == ["requestID", "clientContextID", "signature", "results",
                             "status", "metrics"]
    assert UUID.match(ans.doc["requestID"])
    assert ans.doc["clientContextID"] == "ctx-1"
    assert ans.results == [{"one": 1, "u": "ü"}, {"one": 2, "u": "x"}]
    metrics = ans.doc["metrics"]
    assert list(metrics) == ["elapsedTime", "executionTime", "resultCount", "resultSize"]
    assert GO_DURATION.match(metrics["elapsedTime"]), metrics
    assert GO_DURATION.match(metrics["executionTime"]), metrics
    assert metrics["resultCount"] == 2
    assert metrics["resultSize"] == len('{"one":1,"u":"ü"}'.encode()) + len('{"one":2,"u":"x"}')
    # The layout of the real service: one field per line, one row per line.
    assert ans.text.startswith('{\n"requestID": "')
    assert '\n"results": [\n{"one":1,"u":"ü"},\n{"one":2,"u":"x"}\n],\n"status": "success",' \
        in ans.text


def test_failure_shape(mock):
    ans = q(mock, "SELECT * FROM `default` WHERE", client_context_id="bad-1")
    assert ans.status == 400
    assert list(ans.doc) == ["requestID", "clientContextID", "errors", "status", "metrics"]
    assert ans.doc["status"] == "fatal"
    assert ans.error == (3000, "syntax error - at end of input")
    assert ans.doc["metrics"]["errorCount"] == 1
    assert ans.doc["metrics"]["resultCount"] == 0


def test_metrics_and_signature_can_be_left_out(mock):
    ans = q(mock, "SELECT 1 AS one", metrics=False, signature=False)
    assert list(ans.doc) == ["requestID", "results", "status"]


def test_dml_reports_mutations(mock, key):
    ans = q(mock, "UPSERT INTO `default` (KEY, VALUE) VALUES ($1, {'v': 1}), ($2, {'v': 2}) "
                  "RETURNING RAW META().id", args=[key + "a", key + "b"])
    assert sorted(ans.results) == [key + "a", key + "b"]
    assert ans.doc["metrics"]["mutationCount"] == 2
    assert ans.doc["metrics"]["resultCount"] == 2


def test_large_results_are_chunked(mock, key):
    values = ", ".join(f"('{key}-{i}', {{'n': {i}, 'pad': '{'x' * 100}'}})"
                       for i in range(2000))
    assert q(mock, f"INSERT INTO `default` (KEY, VALUE) VALUES {values}").status == 200
    small = q(mock, "SELECT RAW d.n FROM `default` d WHERE META(d).id LIKE $1 LIMIT 10",
              args=[key + "-%"])
    assert "transfer-encoding" not in small.headers  # small: one piece, Content-Length
    assert int(small.headers["content-length"]) == len(small.text.encode())
    rows = q(mock, "SELECT d.* FROM `default` d WHERE META(d).id LIKE $1 ORDER BY d.n",
             args=[key + "-%"])
    assert rows.results == [{"n": i, "pad": "x" * 100} for i in range(2000)]
    assert rows.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in rows.headers
    assert rows.doc["metrics"]["resultCount"] == 2000


# -- request forms ------------------------------------------------------------------------


def test_form_encoded_post(mock, key):
    q(mock, "UPSERT INTO `default` (KEY, VALUE) VALUES ($1, {'kind': 'form', 'n': 7})",
      args=[key])
    body = urlencode({"statement": "SELECT RAW n FROM `default` USE KEYS $k WHERE kind = $1",
                      "args": '["form"]', "$k": json.dumps(key)}).encode()
    ans = request(mock, body=body, headers={
        **ADMIN, "Content-Type": "application/x-www-form-urlencoded"})
    assert ans.results == [7]


def test_get_with_query_string(mock):
    path = "/query/service?" + urlencode({"statement": "SELECT RAW $x + 1", "$x": "41"})
    assert request(mock, "GET", path).results == [42]


def test_get_is_read_only(mock, key):
    path = "/query/service?statement=" + quote(
        f"INSERT INTO `default` (KEY, VALUE) VALUES ('{key}', 1)")
    ans = request(mock, "GET", path)
    assert ans.status == 403 and ans.error[0] == 1000
    assert q(mock, "SELECT RAW META().id FROM `default` USE KEYS $1", args=[key]).results == []


def test_json_body_without_content_type(mock):
    ans = request(mock, body=json.dumps({"statement": "SELECT RAW 5"}).encode())
    assert ans.results == [5]


def test_the_query_alias_path(mock):
    ans = request(mock, path="/query", body=b'{"statement": "SELECT RAW 6"}',
                  headers={**ADMIN, "Content-Type": "application/json"})
    assert ans.results == [6]


def test_scan_consistency_and_timeout_are_accepted(mock):
    for level in ("not_bounded", "request_plus", "REQUEST_PLUS", "statement_plus"):
        assert q(mock, "SELECT RAW 1", scan_consistency=level,
                 timeout="75000ms").results == [1]


def test_a_request_over_its_timeout_reports_1080(mock):
    ans = q(mock, "SELECT RAW COUNT(*) FROM `default`", timeout="1ns")
    assert ans.status == 200
    assert ans.doc["status"] == "timeout"
    assert ans.error == (1080, "Timeout 1ns exceeded")


# -- HTTP status codes ----------------------------------------------------------------------


@pytest.mark.parametrize("params, status, code", [
    ({"statement": "SELEC 1"}, 400, 3000),
    ({}, 400, 1050),
    ({"statement": "SELECT 1", "bogus": 1}, 400, 1065),
    ({"statement": "SELECT 1", "scan_consistency": "whenever"}, 400, 1040),
    ({"statement": "SELECT 1", "args": {"not": "a list"}}, 400, 1070),
    ({"statement": "SELECT 1", "timeout": "soon"}, 400, 1060),
    ({"statement": "SELECT * FROM nobucket"}, 500, 12003),
    ({"prepared": "never-prepared"}, 404, 4040),
    ({"statement": "SELECT $nothing"}, 500, 5010),
])
def test_error_codes_and_http_status(mock, params, status, code):
    ans = q(mock, **params)
    assert (ans.status, ans.error[0]) == (status, code), ans.text
    assert ans.doc["status"] == "fatal"


def test_no_index_is_404_with_4000(mock):
    mock.create_scope("default", "s1")
    mock.create_collection("default", "s1", "c1")
    ans = q(mock, "SELECT * FROM `default`.s1.c1")
    assert ans.status == 404
    assert ans.error == (4000, "No index available on keyspace `default`.`s1`.`c1` that "
                               "matches your query. Use CREATE PRIMARY INDEX ON "
                               "`default`.`s1`.`c1` to create a primary index, or check "
                               "that your expected index is online.")


def test_existing_index_is_409(mock):
    ans = q(mock, "CREATE PRIMARY INDEX ON `default`")
    assert (ans.status, ans.error[0]) == (409, 4300)


def test_unsupported_method(mock):
    ans = request(mock, "PUT", body=b"{}")
    assert (ans.status, ans.error[0]) == (405, 1010)


def test_admin_ping_and_vitals(mock):
    assert request(mock, "GET", "/admin/ping").status == 200
    vitals = request(mock, "GET", "/admin/vitals")
    assert vitals.status == 200 and vitals.doc["version"]
    assert request(mock, "GET", "/nothing/here").status == 404


# -- auth ---------------------------------------------------------------------------------


def test_credentials_are_required(mock):
    for headers in ({}, basic_auth("Administrator", "wrong")):
        ans = q(mock, "SELECT 1", headers=headers)
        assert (ans.status, ans.error[0]) == (401, 10000)


def test_bucket_credentials_reach_only_their_bucket(mock):
    creds = basic_auth("protected", "secret")
    assert q(mock, "SELECT RAW COUNT(*) FROM `protected`", headers=creds).status == 200
    ans = q(mock, "SELECT RAW COUNT(*) FROM `default`", headers=creds)
    assert (ans.status, ans.error[0]) == (401, 13014)
    ans = q(mock, "SELECT RAW COUNT(*) FROM `protected` p WHERE p.x IN "
                  "(SELECT RAW d.x FROM `default` d)", headers=creds)
    assert (ans.status, ans.error[0]) == (401, 13014)


# -- prepared statements -------------------------------------------------------------------


def test_prepare_with_auto_execute_then_by_name(mock, key):
    q(mock, "UPSERT INTO `default` (KEY, VALUE) VALUES ($1, {'p': 'prep'})", args=[key])
    statement = "SELECT RAW META().id FROM `default` WHERE p = $1"
    ans = q(mock, "PREPARE " + statement, auto_execute=True, args=["prep"])
    assert ans.results == [key]
    name = ans.doc["prepared"]
    assert list(ans.doc)[:4] == ["requestID", "signature", "prepared", "results"]
    again = q(mock, prepared=name, args=["prep"])
    assert again.results == [key]


def test_prepared_from_an_encoded_plan(mock):
    plain = q(mock, "PREPARE SELECT RAW 40 + $1")
    row = plain.results[0]
    engine_prepared = mock.call(lambda c: query_engine_for(c).prepared)
    mock.call(lambda c: engine_prepared.pop(row["name"]))
    assert q(mock, prepared=row["name"], args=[2]).error[0] == 4040
    ans = q(mock, prepared=row["name"], encoded_plan=row["encoded_plan"], args=[2])
    assert ans.results == [42]
    bad = q(mock, prepared="x", encoded_plan=base64.b64encode(b"junk").decode())
    assert bad.error[0] == 4070


# -- the engine over the cluster's documents ------------------------------------------------


def test_kv_writes_are_visible_to_indexes(mock, key):
    assert q(mock, "CREATE INDEX by_colour ON `default`(colour)").status == 200
    with ClusterKV(mock) as kv:
        kv.set(key.encode(), b'{"colour": "teal"}', flags=0x02000000)
        assert q(mock, "SELECT RAW META().id FROM `default` WHERE colour = 'teal'"
                 ).results == [key]
        plan = q(mock, "EXPLAIN SELECT META().id FROM `default` WHERE colour = 'teal'")
        assert "by_colour" in json.dumps(plan.results)
        kv.set(key.encode(), b'{"colour": "navy"}')
        assert q(mock, "SELECT RAW META().id FROM `default` WHERE colour = 'teal'"
                 ).results == []
        kv.doc(Opcode.DELETE, key.encode())
        assert q(mock, "SELECT RAW META().id FROM `default` WHERE colour = 'navy'"
                 ).results == []


def test_n1ql_writes_are_kv_documents_with_replicas(mock, key):
    ans = q(mock, "INSERT INTO `default` (KEY, VALUE) VALUES ($1, {'via': 'n1ql'}) "
                  "RETURNING META().cas", args=[key])
    cas = ans.results[0]["cas"]
    with ClusterKV(mock) as kv:
        got = kv.get(key.encode())
        assert json.loads(got.value) == {"via": "n1ql"}
        assert got.cas == cas
    assert sorted(mock.stored_on("default", key).values()) == ["active", "replica"]
    dup = q(mock, "INSERT INTO `default` (KEY, VALUE) VALUES ($1, 1)", args=[key])
    assert dup.error[0] == 12009


def test_expired_documents_leave_the_results(key):
    with MockCluster(nodes=2) as m:
        q(m, "CREATE PRIMARY INDEX ON `default`")
        with ClusterKV(m) as kv:
            kv.set(key.encode(), b'{"t": 1}', exptime=10)
        assert q(m, "SELECT RAW t FROM `default`").results == [1]
        m.advance_time(11)
        assert q(m, "SELECT RAW t FROM `default`").results == []
        assert q(m, "SELECT RAW COUNT(*) FROM `default`").results == [0]


def test_dropped_collection_and_bucket_lose_their_indexes():
    with MockCluster(nodes=2, buckets={"b": {}}) as m:
        m.create_scope("b", "s")
        m.create_collection("b", "s", "c")
        assert q(m, "CREATE PRIMARY INDEX ON b.s.c").status == 200
        assert q(m, "CREATE PRIMARY INDEX ON b").status == 200
        assert q(m, "INSERT INTO b.s.c (KEY, VALUE) VALUES ('k', 1)").status == 200
        assert q(m, "SELECT RAW c FROM b.s.c AS c").results == [1]

        m.drop_collection("b", "s", "c")
        ans = q(m, "SELECT RAW c FROM b.s.c AS c")
        assert ans.error[0] == 12003
        m.create_collection("b", "s", "c")
        assert q(m, "SELECT RAW c FROM b.s.c AS c").error[0] == 4000
        names = q(m, "SELECT RAW name FROM system:indexes").results
        assert names == ["#primary"]  # only the bucket's

        m.delete_bucket("b")
        assert q(m, "SELECT RAW name FROM system:indexes").results == []
        m.create_bucket("b")
        assert q(m, "SELECT * FROM b").error[0] == 4000
        keyspaces = q(m, "SELECT RAW name FROM system:keyspaces ORDER BY name").results
        assert keyspaces == ["b"]  # the new bucket has no collection c


def test_go_durations():
    from couchbase_mock.query_service import go_duration, parse_go_duration

    assert go_duration(0) == "0s"
    assert go_duration(0.000000123) == "123ns"
    assert go_duration(0.0000015) == "1.5µs"
    assert go_duration(0.001234567) == "1.234567ms"
    assert go_duration(2) == "2s"
    assert go_duration(90.5) == "1m30.5s"
    assert go_duration(7322) == "2h2m2s"
    assert parse_go_duration("75000ms") == 75.0
    assert parse_go_duration("1m30s") == 90.0
    assert parse_go_duration("1.5h") == 5400.0
    assert parse_go_duration("250us") == parse_go_duration("250µs") == 0.00025
    for bad in ("", "10", "ms", "1x", "1s2"):
        with pytest.raises(ValueError):
            parse_go_duration(bad)


def test_a_slow_query_does_not_hold_up_later_requests(mock):
    started = time.perf_counter()
    for _ in range(20):
        assert q(mock, "SELECT RAW 1").results == [1]
    assert time.perf_counter() - started < 5
