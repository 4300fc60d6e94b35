"""The sync N1QL API against a stand-in query service (the engine over a memory store)."""

from __future__ import annotations

import base64
import json
import threading
from types import SimpleNamespace
from typing import Any, Iterator

import pytest
from fakequery import FakeQuery, point_at

from couchbase._core.cluster import ClusterBase
from couchbase._core.config import NodeInfo
from couchbase._core.errors import NoRoute, ServiceUnavailable
from couchbase._core.http_rows import RowParser
from couchbase._public_errors import to_public
from couchbase._settings import read_settings
from couchbase.auth import PasswordAuthenticator
from couchbase.bucket import Bucket
from couchbase.cluster import Cluster
from couchbase.exceptions import (
    ArgumentError,
    HTTPError,
    KeyExistsError,
    N1QLError,
    N1QLIndexExistsError,
    N1QLIndexNotFoundError,
    N1QLKeyspaceNotFoundError,
    N1QLNoIndexError,
    N1QLSyntaxError,
    NoMatchingServerError,
    NotFoundError,
    NotSupportedError,
    ProtocolError,
    TimeoutError,
)
from couchbase.n1ql import (
    NOT_BOUNDED,
    REQUEST_PLUS,
    STATEMENT_PLUS,
    N1QLQuery,
    N1QLRequest,
    QueryOptions,
    QueryScanConsistency,
)
from couchbase.n1ql.api import N1QLAPI
from couchbase.n1ql.query import parse_duration
from couchbase.options import ClusterOptions
from couchbase.views.iterator import AlreadyQueriedError

ADMIN = {"username": "Administrator", "password": "password"}
DOCS = {f"beer-{i:02d}": {"type": "beer", "name": f"beer {i:02d}", "abv": 4 + i % 7,
                          "style": ["ale", "lager", "stout"][i % 3]} for i in range(40)}
DOCS.update({f"brewery-{i}": {"type": "brewery", "name": f"brewery {i}"} for i in range(5)})


@pytest.fixture
def cb(mock_cluster: Any, fakeq: FakeQuery) -> Iterator[Bucket]:
    bucket = Bucket(f"{mock_cluster.connstr}/default", **ADMIN)
    point_at(bucket, fakeq)
    fakeq.load(DOCS)
    fakeq.engine.query("CREATE PRIMARY INDEX ON default")
    yield bucket
    bucket.close()


# -- the query object ------------------------------------------------------------------
def test_query_body_has_parameters_and_options() -> None:
    q = N1QLQuery("SELECT * FROM b WHERE a = $1 AND c = $2 AND d = $d", 1, [2, 3], d="x")
    assert q.statement.startswith("SELECT") and q.consistency == NOT_BOUNDED
    q.consistency = REQUEST_PLUS
    q.timeout = 2.5
    q.set_option("scan_cap", 10)
    assert json.loads(q.encoded) == {
        "statement": "SELECT * FROM b WHERE a = $1 AND c = $2 AND d = $d", "args": [1, [2, 3]],
        "$d": "x", "scan_consistency": "request_plus", "timeout": "2500ms", "scan_cap": 10}
    assert q.timeout == 2.5 and q.positional_args == [1, [2, 3]] and q.named_args == {"d": "x"}
    q.consistency = STATEMENT_PLUS
    q.consistency = QueryScanConsistency.NOT_BOUNDED
    assert q.consistency == "not_bounded" and q.adhoc
    q.adhoc = False
    assert not q.adhoc
    assert N1QLQuery("SELECT 1").timeout == 75.0


@pytest.mark.parametrize("bad", [
    lambda: N1QLQuery(""), lambda: N1QLQuery(None),  # type: ignore[arg-type]
    lambda: setattr(N1QLQuery("SELECT 1"), "consistency", "eventually"),
    lambda: setattr(N1QLQuery("SELECT 1"), "timeout", 0),
    lambda: setattr(N1QLQuery("SELECT 1"), "timeout", "5s"),
    lambda: N1QLQuery("SELECT $1", object()).encoded,
    lambda: QueryOptions(bogus=1),
])
def test_bad_query_arguments(bad: Any) -> None:
    with pytest.raises(ArgumentError):
        bad()


@pytest.mark.parametrize("text,seconds", [
    ("1.5ms", 0.0015), ("2s", 2.0), ("1m3.5s", 63.5), ("250us", 0.00025),
    ("12\u00b5s", 0.000012), ("3ns", 3e-9), ("1h", 3600.0), ("0", 0.0), ("bogus", None),
    ("", None), (None, None), ("5", None),
])
def test_go_durations(text: Any, seconds: Any) -> None:
    assert parse_duration(text) == (pytest.approx(seconds) if seconds else seconds)


def test_row_parser_takes_the_results_array_in_any_chunks() -> None:
    body = (b'{"requestID":"r","signature":{"results":"json"},"results":[{"a":"]"},'
            b'"s",3,[1,{"b":[]}]],"status":"success","metrics":{"resultCount":4}}')
    for size in (1, 2, 5, len(body)):
        p = RowParser("results")
        rows: list[Any] = []
        for i in range(0, len(body), size):
            rows += p.feed(body[i:i + size])
        assert rows == [{"a": "]"}, "s", 3, [1, {"b": []}]]
        assert p.finish() == {"requestID": "r", "signature": {"results": "json"},
                              "results": [], "status": "success",
                              "metrics": {"resultCount": 4}}
    p = RowParser("results")
    assert p.feed(b'{"errors":[{"code":3000,"msg":"x"}],"status":"fatal"}') == []
    assert p.finish()["errors"][0]["code"] == 3000


# -- running queries -----------------------------------------------------------------------
def test_rows_meta_and_the_request_body(cb: Bucket, fakeq: FakeQuery) -> None:
    req = cb.n1ql_query("SELECT name, abv FROM default WHERE type = $1 AND abv > $min "
                        "ORDER BY name LIMIT 3", "beer", min=7)
    assert isinstance(req, N1QLRequest) and fakeq.requests == []  # sent when iterated
    rows = list(req)
    assert rows == [{"name": "beer 04", "abv": 8}, {"name": "beer 05", "abv": 9},
                    {"name": "beer 06", "abv": 10}]
    sent = fakeq.requests[0]
    assert sent["path"] == "/query/service" and sent["content_type"] == "application/json"
    assert sent["auth"] == "Basic " + base64.b64encode(b"Administrator:password").decode()
    assert sent["body"]["args"] == ["beer"] and sent["body"]["$min"] == 7
    assert sent["body"]["timeout"] == "75000ms"
    assert sent["body"]["client_context_id"] == req.client_context_id
    assert req.meta["clientContextID"] == req.client_context_id and "results" not in req.meta
    assert req.status == "success" and req.errors == [] and req.done
    assert req.metrics["resultCount"] == 3 and req.request_id
    assert req.signature == {"name": "json", "abv": "json"}
    md = req.metadata()
    assert md.status() == "success" and md.metrics().result_count() == 3
    assert md.metrics().elapsed_time().total_seconds() == pytest.approx(0.0025)
    with pytest.raises(AlreadyQueriedError):
        list(req)


def test_query_object_options_are_sent(cb: Bucket, fakeq: FakeQuery) -> None:
    q = N1QLQuery("SELECT RAW name FROM default USE KEYS $keys", keys=["beer-01", "beer-02"])
    q.consistency = REQUEST_PLUS
    q.timeout = 4
    assert sorted(cb.n1ql_query(q)) == ["beer 01", "beer 02"]
    body = fakeq.bodies()[0]
    assert body["scan_consistency"] == "request_plus" and body["timeout"] == "4000ms"
    # arguments given to n1ql_query add to a copy of the query object
    assert list(cb.n1ql_query(N1QLQuery("SELECT RAW $1 + $2", 1), 2)) == [3]
    assert list(cb.n1ql_query(q, keys=["beer-03"])) == ["beer 03"]
    assert q.named_args == {"keys": ["beer-01", "beer-02"]}


def test_single_result_execute_row_factory_and_meta_lookahead(cb: Bucket) -> None:
    q = "SELECT COUNT(*) AS n FROM default WHERE type = 'beer'"
    assert cb.n1ql_query(q).get_single_result() == {"n": 40}
    assert cb.n1ql_query("SELECT RAW 1 FROM default WHERE false").get_single_result() is None
    req = cb.n1ql_query("UPDATE default USE KEYS 'beer-00' SET seen = true").execute()
    assert req.metrics["mutationCount"] == 1
    rows = cb.n1ql_query("SELECT RAW name FROM default WHERE type = 'brewery' ORDER BY name",
                         row_factory=str.upper)
    assert list(rows) == [f"BREWERY {i}" for i in range(5)]
    ahead = cb.n1ql_query("SELECT RAW abv FROM default USE KEYS ['beer-01', 'beer-02']")
    assert ahead.meta["status"] == "success" and ahead.metrics["resultCount"] == 2
    assert sorted(ahead) == [5, 6]  # the rows read ahead by .meta


def test_rows_stream_before_the_response_ends(cb: Bucket, fakeq: FakeQuery) -> None:
    fakeq.load({f"n-{i:05d}": {"type": "n", "i": i} for i in range(3000)})
    fakeq.rows_per_write = 100
    gate = threading.Event()
    original = fakeq._stream

    def stream(*args: Any) -> Iterator[bytes]:
        for i, piece in enumerate(original(*args)):
            if i == 3:
                assert gate.wait(10)
            yield piece

    fakeq._stream = stream  # type: ignore[method-assign]
    it = iter(cb.n1ql_query("SELECT RAW i FROM default WHERE type = 'n' ORDER BY i"))
    first = [next(it) for _ in range(150)]  # the service holds the rest until the gate opens
    gate.set()
    assert first + list(it) == list(range(3000))


# -- errors ---------------------------------------------------------------------------------
def test_syntax_error(cb: Bucket) -> None:
    with pytest.raises(N1QLSyntaxError) as info:
        list(cb.n1ql_query("SELEC name FROM default"))
    err = info.value
    assert isinstance(err, N1QLError) and isinstance(err, HTTPError)
    assert err.code == 3000 == err.n1ql_errcode and "syntax error" in err.msg
    assert err.errors == [{"code": 3000, "msg": err.msg}] and err.status == 400
    assert err.objextra == err.errors[0] and "3000" in str(err)


def test_no_index_and_missing_keyspace(cb: Bucket, fakeq: FakeQuery) -> None:
    fakeq.engine.query("DROP PRIMARY INDEX ON default")
    with pytest.raises(N1QLNoIndexError) as info:
        cb.n1ql_query("SELECT * FROM default").execute()
    assert info.value.code == 4000 and info.value.msg.startswith("No index available")
    with pytest.raises(N1QLKeyspaceNotFoundError) as nf:
        cb.n1ql_query("SELECT * FROM nosuch").execute()
    assert nf.value.code == 12003


def test_errors_after_rows_and_bodies_that_are_not_query_responses(
        cb: Bucket, fakeq: FakeQuery) -> None:
    fakeq.canned.append((200, json.dumps({
        "requestID": "r", "results": [1, 2], "errors": [{"code": 5000, "msg": "boom"}],
        "status": "errors"}).encode()))
    got: list[Any] = []
    with pytest.raises(N1QLError) as info:
        for row in cb.n1ql_query("SELECT 1"):
            got.append(row)
    assert got == [1, 2] and info.value.code == 5000 and type(info.value) is N1QLError
    fakeq.canned.append((500, b"internal failure, not JSON"))
    with pytest.raises(HTTPError) as http:
        list(cb.n1ql_query("SELECT 1"))
    assert not isinstance(http.value, N1QLError) and http.value.status == 500
    assert "not JSON" in str(http.value)
    fakeq.canned.append((401, b'{"error": "unauthorized"}'))
    with pytest.raises(HTTPError) as auth:
        list(cb.n1ql_query("SELECT 1"))
    assert auth.value.status == 401
    fakeq.canned.append((200, b'{"results": [1, 2'))  # cut short
    with pytest.raises(ProtocolError):
        list(cb.n1ql_query("SELECT 1"))


def test_timeout_waiting_for_the_service(cb: Bucket, fakeq: FakeQuery) -> None:
    from couchbase._core.commands import Endpoint

    hang = threading.Event()
    fakeq._stream = lambda *a: iter([hang.wait(5) and b""])  # type: ignore
    fakeq.rows_per_write = 1
    cb._query_endpoint = lambda timeout=None: Endpoint(  # type: ignore[method-assign]
        "127.0.0.1", fakeq.port, None, "Administrator", "password", 0.3)
    with pytest.raises(TimeoutError):
        list(cb.n1ql_query("SELECT 1"))
    hang.set()


# -- prepared statements -------------------------------------------------------------------------
def test_prepared_once_then_executed_by_name(cb: Bucket, fakeq: FakeQuery) -> None:
    q = N1QLQuery("SELECT RAW name FROM default WHERE type = 'brewery' AND name = $1",
                  "brewery 3")
    q.adhoc = False
    assert list(cb.n1ql_query(q)) == ["brewery 3"]
    prepare, execute = fakeq.bodies()
    assert prepare["statement"] == "PREPARE " + q.statement and "args" not in prepare
    assert "statement" not in execute and execute["args"] == ["brewery 3"]
    name = execute["prepared"]
    assert name in fakeq.engine.prepared
    assert list(cb.n1ql_query(q)) == ["brewery 3"]
    q2 = N1QLQuery(q.statement, "brewery 1")  # the same statement: the same prepared name
    q2.adhoc = False
    assert list(cb.n1ql_query(q2)) == ["brewery 1"]
    assert len(fakeq.requests) == 4 and fakeq.bodies()[-1]["prepared"] == name
    assert fakeq.bodies()[-1]["args"] == ["brewery 1"]


def test_prepared_statement_unknown_to_the_service_is_prepared_again(
        cb: Bucket, fakeq: FakeQuery) -> None:
    q = N1QLQuery("SELECT RAW COUNT(*) FROM default WHERE type = $1", "brewery")
    q.adhoc = False
    assert list(cb.n1ql_query(q)) == [5]
    fakeq.engine.prepared.clear()  # e.g. the query node restarted
    assert list(cb.n1ql_query(q)) == [5]
    kinds = [("prepare" if "statement" in b else "execute") for b in fakeq.bodies()]
    assert kinds == ["prepare", "execute", "execute", "prepare", "execute"]
    # a second failure is the application's
    fakeq.canned += [(404, json.dumps({"errors": [{"code": 4040, "msg": "No such prepared "
                                                   "statement: x"}], "status": "fatal"}).encode())
                     ] * 3
    with pytest.raises(N1QLError) as info:
        list(cb.n1ql_query(q))
    assert info.value.code == 4040


def test_enhanced_prepared_statements_take_one_request(cb: Bucket, fakeq: FakeQuery) -> None:
    point_at(cb, fakeq, enhanced=True)
    q = N1QLQuery("SELECT RAW name FROM default WHERE type = 'brewery' AND name = $1",
                  "brewery 2")
    q.adhoc = False
    assert list(cb.n1ql_query(q)) == ["brewery 2"]
    first = fakeq.bodies()[0]
    assert first["statement"] == "PREPARE " + q.statement and first["auto_execute"] is True
    assert first["args"] == ["brewery 2"] and len(fakeq.requests) == 1
    assert list(cb.n1ql_query(q)) == ["brewery 2"]
    assert fakeq.bodies()[1]["prepared"] in fakeq.engine.prepared
    fakeq.engine.prepared.clear()
    assert list(cb.n1ql_query(q)) == ["brewery 2"]
    assert [("prepared" in b, "auto_execute" in b) for b in fakeq.bodies()] == [
        (False, True), (True, False), (True, False), (False, True)]


# -- index management ---------------------------------------------------------------------------
def test_bucket_manager_indexes(cb: Bucket, fakeq: FakeQuery) -> None:
    mgr = cb.bucket_manager()
    mgr.n1ql_index_create_primary(ignore_exists=True)
    with pytest.raises(N1QLIndexExistsError) as exists:
        mgr.n1ql_index_create_primary()
    assert isinstance(exists.value, KeyExistsError) and exists.value.code == 4300
    mgr.n1ql_index_create("by_abv", fields=["type", "abv"])
    mgr.n1ql_index_create("by_style", fields=["style"], defer=True,
                          condition="type = 'beer'")
    mgr.n1ql_index_create("by_lower_name", fields=["LOWER(name)"], defer=True)
    mgr.n1ql_index_create("by_abv", fields=["abv"], ignore_exists=True)
    indexes = {ix.name: ix for ix in mgr.n1ql_index_list()}
    assert set(indexes) == {"#primary", "by_abv", "by_style", "by_lower_name"}
    assert indexes["#primary"].primary and indexes["by_abv"].fields == ["`type`", "`abv`"]
    assert indexes["by_style"].state == "deferred" and indexes["by_abv"].state == "online"
    assert indexes["by_style"].condition and indexes["by_abv"].keyspace == "default"
    built = mgr.n1ql_index_build_deferred()
    assert sorted(built) == ["by_lower_name", "by_style"]
    online = mgr.n1ql_index_watch(built, timeout=5, watch_primary=True)
    assert {ix.name for ix in online} == {"#primary", "by_lower_name", "by_style"}
    assert all(ix.state == "online" for ix in online)
    assert mgr.n1ql_index_build_deferred() == []
    mgr.n1ql_index_drop("by_style")
    with pytest.raises(N1QLIndexNotFoundError) as missing:
        mgr.n1ql_index_drop("by_style")
    assert isinstance(missing.value, NotFoundError)
    mgr.n1ql_index_drop("by_style", ignore_missing=True)
    mgr.n1ql_index_drop(None, primary=True)
    mgr.n1ql_index_drop_primary(ignore_missing=True)
    assert {ix.name for ix in mgr.n1ql_index_list()} == {"by_abv", "by_lower_name"}
    with pytest.raises(N1QLIndexNotFoundError):
        mgr.n1ql_index_watch(["nosuch"], timeout=1)
    with pytest.raises(ArgumentError):
        mgr.n1ql_index_create("x")
    with pytest.raises(ArgumentError):
        mgr.n1ql_index_watch(["by_abv"], timeout=0)
    statements = [b["statement"] for b in fakeq.bodies()]
    assert "CREATE INDEX `by_style` ON `default`(`style`) WHERE type = 'beer' " \
           'WITH {"defer_build": true}' in statements
    assert "DROP INDEX `default`.`by_style`" in statements


def test_index_watch_times_out(cb: Bucket, fakeq: FakeQuery) -> None:
    mgr = cb.bucket_manager()
    mgr.n1ql_index_create("later", fields=["name"], defer=True)
    with pytest.raises(TimeoutError):
        mgr.n1ql_index_watch(["later"], timeout=0.3, interval=0.05)
    polls = [b for b in fakeq.bodies() if "system:indexes" in b["statement"]]
    assert len(polls) >= 3


# -- 3.x Cluster.query ----------------------------------------------------------------------------
def test_cluster_query(mock_cluster: Any, fakeq: FakeQuery) -> None:
    fakeq.load(DOCS)
    fakeq.engine.query("CREATE PRIMARY INDEX ON default")
    cluster = Cluster.connect(mock_cluster.connstr,
                              ClusterOptions(PasswordAuthenticator("Administrator", "password")))
    try:
        # (4.x: no bucket needs to be open: the cluster's own connection runs it)
        assert list(cluster.query("SELECT 1 AS one")) == [{"one": 1}]
        point_at(cluster.bucket("default"), fakeq)
        stmt = "SELECT RAW name FROM default WHERE abv = $1 AND style = $style ORDER BY name"
        rows = list(cluster.query(stmt, 10, style="lager"))
        assert rows == ["beer 13", "beer 34"]
        result = cluster.query(stmt, QueryOptions(positional_parameters=[10],
                                                  named_parameters={"style": "lager"},
                                                  scan_consistency=QueryScanConsistency
                                                  .REQUEST_PLUS, timeout=3))
        assert list(result.rows()) == rows and result.metadata().status() == "success"
        body = fakeq.bodies()[-1]
        assert body["scan_consistency"] == "request_plus" and body["timeout"] == "3000ms"
        assert body["args"] == [10] and body["$style"] == "lager"
        assert list(cluster.query("SELECT RAW $1", positional_parameters=["x"],
                                  client_context_id="ctx-1", raw={"pretty": False})) == ["x"]
        assert fakeq.bodies()[-1]["client_context_id"] == "ctx-1"
        assert fakeq.bodies()[-1]["pretty"] is False
        with pytest.raises(N1QLSyntaxError):
            list(cluster.query("SELEC 1"))
    finally:
        cluster.close()


# -- choosing a node ------------------------------------------------------------------------------
def test_query_nodes_round_robin_from_the_cluster_map() -> None:
    nodes = [NodeInfo("h1", kv_port=1, query_port=8093), NodeInfo("h2", kv_port=1),
             NodeInfo("h3", kv_port=1, query_port=9093, query_tls_port=19093)]
    live: ClusterBase[Any] = ClusterBase(read_settings("couchbase://h1/b", "p", "u", None, None),
                                         clock=lambda: 0.0)
    live.router.config = SimpleNamespace(nodes=nodes)  # type: ignore[assignment]
    api = N1QLAPI()
    api._live = lambda: live  # type: ignore[method-assign]
    picked = [(e.host, e.port) for e in (api._query_endpoint() for _ in range(4))]
    assert picked == [("h1", 8093), ("h3", 9093), ("h1", 8093), ("h3", 9093)]
    assert api._query_endpoint(5.0).timeout == 6.0
    assert (api._query_endpoint().username, api._query_endpoint().password) == ("u", "p")
    live.settings.tls = object()
    assert {api._query_endpoint().port for _ in range(2)} == {19093}
    live.router.config.nodes = [NodeInfo("h2", kv_port=1)]
    with pytest.raises(ServiceUnavailable) as missing:
        api._query_endpoint()
    live.router.config = None
    with pytest.raises(NoRoute) as unknown:
        api._query_endpoint()
    # (the core's errors; they leave a flow's driver as the documented classes)
    assert isinstance(to_public(missing.value), NotSupportedError)
    assert isinstance(to_public(unknown.value), NoMatchingServerError)
