"""The 4.x API on Twisted (txcouchbase reference: TxCluster; howtos/concurrent-async-apis,
Twisted): a cluster with no bucket, Deferreds throughout, query/search/analytics and
view results delivered once their rows arrived (then iterated with ``rows()``), the
4.x exceptions as the Deferreds' failures, and cancelled Deferreds that leave the
cluster working.

Objects are made and used in the session's reactor thread (the ``reactor`` fixture).
"""

from __future__ import annotations

import socket
import time
import uuid
from datetime import timedelta
from typing import Any, Iterator

import pytest

pytest.importorskip("twisted")

from twisted.internet import defer  # noqa: E402

from cluster4x import options as opts  # noqa: E402
from couchbase.diagnostics import ClusterState, PingState, ServiceType  # noqa: E402
from couchbase.exceptions import (  # noqa: E402
    AlreadyQueriedException,
    AuthenticationException,
    CouchbaseException,
    DocumentNotFoundException,
    InvalidArgumentException,
    NotFoundError,
    ObjectDestroyedError,
    ParsingFailedException,
    QueryIndexNotFoundException,
    UnAmbiguousTimeoutException,
)
from couchbase.kv_range_scan import PrefixScan  # noqa: E402
from couchbase.options import (  # noqa: E402
    DiagnosticsOptions,
    PingOptions,
    QueryOptions,
    ViewOptions,
)
from couchbase.result import DiagnosticsResult, PingResult, QueryResult  # noqa: E402
from couchbase.search import MatchQuery, SearchResult  # noqa: E402
from couchbase.views import ViewResult, ViewScanConsistency  # noqa: E402
from service_rest import design_document, search_index_of, upsert_docs  # noqa: E402 (tests/)
from txcouchbase.cluster import TxCluster  # noqa: E402


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@pytest.fixture
def cluster(reactor: Any, mock_cluster: Any) -> Iterator[Any]:
    """A connected TxCluster with no bucket open (closed after)."""
    made = reactor(TxCluster, mock_cluster.connstr, opts())
    assert reactor(made.on_connect) is made
    yield made
    reactor(made.close)


def silent_port() -> tuple[socket.socket, int]:
    """A socket that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock, sock.getsockname()[1]


# -- names and connecting ----------------------------------------------------------------
def test_the_4x_names() -> None:
    from txcouchbase.bucket import Bucket, TxBucket
    from txcouchbase.cluster import Cluster
    from txcouchbase.collection import Collection, TxCollection
    from txcouchbase.scope import Scope, TxScope

    assert Cluster is TxCluster and TxBucket is Bucket
    assert TxScope is Scope and TxCollection is Collection


def test_no_transactions_on_twisted(reactor: Any, cluster: Any) -> None:
    """The official SDK's txcouchbase has no transactions: a clear error, not the
    asyncio form's coroutine that a Twisted caller could never run."""
    from couchbase.exceptions import FeatureUnavailableException

    with pytest.raises(FeatureUnavailableException, match="acouchbase"):
        getattr(cluster, "transactions")  # noqa: B009 - the property raises


def test_connect_with_no_bucket(reactor: Any, cluster: Any) -> None:
    assert not cluster._buckets and cluster.connected
    assert cluster._conn._cluster.bucket is None  # its own connection selects none
    result = reactor(cluster.query, "SELECT 1 AS one")
    assert isinstance(result, QueryResult)
    assert list(result.rows()) == [{"one": 1}]
    assert result.metadata().status() == "success"


def test_operations_issued_before_the_bootstrap_wait_for_it(reactor: Any,
                                                             mock_cluster: Any) -> None:
    def start() -> defer.Deferred[Any]:
        made = TxCluster(mock_cluster.connstr, opts())
        coll = made.bucket("default").default_collection()
        key = unique("early-")
        d = defer.gatherResults([made.ping(), made.query("SELECT RAW 7"),
                                 coll.upsert(key, {"early": True})])
        d.addCallback(lambda results: coll.get(key).addCallback(
            lambda got: (results, got.content_as[dict], made)))
        return d

    (ping, rows, _), doc, made = reactor(start)
    assert isinstance(ping, PingResult) and rows.execute() == [7] and doc == {"early": True}
    reactor(made.close)


def test_wrong_password_is_authentication_exception(reactor: Any, mock_cluster: Any) -> None:
    bad = reactor(TxCluster, mock_cluster.connstr, opts("wrong"))
    assert reactor.failure(bad.ping).check(AuthenticationException)  # issued meanwhile
    assert reactor.failure(bad.on_connect).check(AuthenticationException)
    assert reactor.failure(bad.on_connect).check(AuthenticationException)  # tried again
    reactor(bad.close)


def test_unreachable_is_unambiguous_timeout_within_the_connect_timeout(reactor: Any) -> None:
    sock, port = silent_port()
    with sock:
        made = reactor(TxCluster, f"couchbase://127.0.0.1:{port}",
                       opts(connect_timeout=timedelta(seconds=0.5)))
        start = time.monotonic()
        failure = reactor.failure(made.on_connect)
        elapsed = time.monotonic() - start
        reactor(made.close)
    assert failure.check(UnAmbiguousTimeoutException)
    assert elapsed < 2.5


# -- key-value through collections ---------------------------------------------------------
def test_kv_through_collections(reactor: Any, cluster: Any) -> None:
    bucket = reactor(cluster.bucket, "default")
    assert reactor(bucket.on_connect) is bucket and bucket.name == "default"
    coll = bucket.scope("_default").collection("_default")
    key = unique("kv-")
    res = reactor(coll.upsert, key, {"name": "Ted", "age": 80})
    got = reactor(coll.get, key)
    assert got.content_as[dict] == {"name": "Ted", "age": 80} and got.cas == res.cas
    assert reactor(bucket.default_collection().exists, key).exists
    reactor(coll.remove, key)
    failure = reactor.failure(coll.get, key)
    assert failure.check(DocumentNotFoundException) and failure.check(NotFoundError)


# -- query ------------------------------------------------------------------------------------
def test_query_rows_then_metadata(reactor: Any, cluster: Any) -> None:
    result = reactor(cluster.query, "SELECT RAW x FROM ARRAY_RANGE(0, $n) AS x",
                     QueryOptions(named_parameters={"n": 5}, metrics=True,
                                  client_context_id="tq-1"))
    meta = result.metadata()  # every row arrived: the metadata is there before the rows
    assert meta.client_context_id() == "tq-1" and meta.status() == "success"
    assert meta.metrics().result_count() == 5
    assert list(result.rows()) == [0, 1, 2, 3, 4]
    with pytest.raises(AlreadyQueriedException):
        list(result.rows())
    assert reactor(cluster.query, "SELECT RAW $1 + $2", 40, 2).execute() == [42]
    assert list(reactor(cluster.query, "SELECT $city AS city", city="Reno")) == [
        {"city": "Reno"}]


def test_query_errors_are_the_deferreds_failures(reactor: Any, cluster: Any) -> None:
    failure = reactor.failure(cluster.query, "SELEC 1")
    assert failure.check(ParsingFailedException)
    assert failure.value.context.statement == "SELEC 1"
    assert reactor.failure(cluster.query, "DROP INDEX `default`.no_such_index").check(
        QueryIndexNotFoundException)


def test_scope_query_runs_in_the_scope(reactor: Any, cluster: Any) -> None:
    scope = reactor(cluster.bucket, "default").scope("_default")
    key = unique("sq-")
    reactor(scope.collection("_default").upsert, key, {"v": 3})
    result = reactor(scope.query, "SELECT RAW d.v FROM _default d USE KEYS $1", key)
    assert list(result.rows()) == [3]


# -- views, search, analytics -----------------------------------------------------------------
KIND = "txcouchbase4x_doc"
DOCS = {f"tx4x::{i}": {"type": KIND, "n": i, "title": title}
        for i, title in enumerate(["deferred results", "reactor loops", "deferred rows"])}


@pytest.fixture(scope="module")
def docs(mock_cluster: Any) -> None:
    upsert_docs(mock_cluster, DOCS)


@pytest.fixture(scope="module")
def design(mock_cluster: Any, docs: None) -> Iterator[str]:
    pytest.importorskip("py_mini_racer")  # the local cluster's JavaScript engine
    view = {"map": f"function (doc, meta) {{ if (doc.type == '{KIND}') emit(doc.n, null); }}"}
    with design_document(mock_cluster, unique("tx4x_"), {"by_n": view}) as name:
        yield name


def test_view_query(reactor: Any, cluster: Any, design: str) -> None:
    bucket = reactor(cluster.bucket, "default")
    result = reactor(bucket.view_query, design, "by_n", ViewOptions(
        scan_consistency=ViewScanConsistency.REQUEST_PLUS, limit=2))
    assert isinstance(result, ViewResult)
    assert [(row.id, row.key) for row in result.rows()] == [("tx4x::0", 0), ("tx4x::1", 1)]
    assert result.metadata().total_rows() == 3


def test_a_cancelled_view_query_leaves_the_bucket_working(reactor: Any, cluster: Any,
                                                          design: str) -> None:
    bucket = reactor(cluster.bucket, "default")
    reactor(bucket.on_connect)

    def cancel() -> defer.Deferred[Any]:
        d = bucket.view_query(design, "by_n")
        d.cancel()  # its rows still arrive, and go nowhere
        return d.addErrback(lambda f: f.trap(defer.CancelledError))

    reactor(cancel)
    result = reactor(bucket.view_query, design, "by_n", ViewOptions(
        scan_consistency=ViewScanConsistency.REQUEST_PLUS))
    assert [row.key for row in result.rows()] == [0, 1, 2]


@pytest.fixture(scope="module")
def search_index(mock_cluster: Any, docs: None) -> Iterator[str]:
    with search_index_of(mock_cluster, unique("tx4x-"), KIND) as name:
        yield name


def test_search_query(reactor: Any, cluster: Any, search_index: str) -> None:
    result = reactor(cluster.search_query, search_index, MatchQuery("deferred"))
    assert isinstance(result, SearchResult)
    assert sorted(row.id for row in result.rows()) == ["tx4x::0", "tx4x::2"]
    assert result.metadata().metrics().total_rows() == 2
    assert reactor.failure(cluster.search_query, unique("none-"), MatchQuery("x")).check(
        QueryIndexNotFoundException)


def test_analytics_query(reactor: Any, cluster: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from analytics_fake import FakeAnalytics  # tests/, shared

    with FakeAnalytics() as svc:
        host, port = svc.host.split(":")
        monkeypatch.setattr("couchbase.analytics.api._analytics_nodes",
                            lambda config, tls: [(host, int(port))])
        result = reactor(cluster.analytics_query, "SELECT VALUE n", count=3)
        failure = reactor.failure(cluster.analytics_query, "SELECT * FROM FAIL")
    assert list(result.rows()) == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert result.metadata().status() == "success"
    assert failure.check(CouchbaseException)
    assert type(failure.value).__name__ == "DatasetNotFoundException"


# -- scan -------------------------------------------------------------------------------------
def test_scan_is_a_deferred_of_the_items(reactor: Any, cluster: Any, docs: None) -> None:
    coll = reactor(cluster.bucket, "default").default_collection()
    items = reactor(coll.scan, PrefixScan("tx4x::"))
    assert {item.id: item.content_as[dict] for item in items} == DOCS


# -- health -----------------------------------------------------------------------------------
def test_ping_wait_until_ready_diagnostics(reactor: Any, cluster: Any) -> None:
    assert reactor(cluster.wait_until_ready, timedelta(seconds=5)) is None
    ping = reactor(cluster.ping, PingOptions(report_id="tp"))
    assert isinstance(ping, PingResult) and ping.id == "tp"
    assert all(e.state is PingState.OK for e in ping.endpoints[ServiceType.KeyValue])
    diag = reactor(cluster.diagnostics, DiagnosticsOptions(report_id="td"))
    assert isinstance(diag, DiagnosticsResult) and diag.id == "td"
    assert diag.state is ClusterState.Online
    assert reactor.failure(cluster.wait_until_ready, 0).check(InvalidArgumentException)


def test_wait_until_ready_times_out_when_nothing_answers(reactor: Any) -> None:
    sock, port = silent_port()
    with sock:
        made = reactor(TxCluster, f"couchbase://127.0.0.1:{port}", opts())
        start = time.monotonic()
        failure = reactor.failure(made.wait_until_ready, timedelta(seconds=0.3))
        elapsed = time.monotonic() - start
        reactor(made.close)
    assert failure.check(UnAmbiguousTimeoutException) and elapsed < 1.5


# -- management -------------------------------------------------------------------------------
def test_management_through_the_cluster(reactor: Any, cluster: Any) -> None:
    settings = reactor(reactor(cluster.buckets).get_bucket, "default")  # a KV seed, no bucket
    assert settings.name == "default"
    assert "default" in [b.name for b in reactor(reactor(cluster.buckets).get_all_buckets)]
    assert reactor(reactor(cluster.users).get_roles)


# -- closing and cancelling -------------------------------------------------------------------
def test_close(reactor: Any, mock_cluster: Any) -> None:
    made = reactor(TxCluster, mock_cluster.connstr, opts())
    bucket = reactor(made.bucket, "default")
    reactor(bucket.on_connect)
    coll = bucket.default_collection()
    reactor(made.close)
    assert bucket.closed and not made.connected
    assert reactor.failure(made.query, "SELECT 1").check(CouchbaseException)
    assert reactor.failure(coll.get, "any").check(ObjectDestroyedError)


def test_close_while_bootstrapping_fails_the_waiters(reactor: Any, mock_cluster: Any) -> None:
    def start() -> defer.Deferred[Any]:
        made = TxCluster(mock_cluster.connstr, opts())
        d = made.ping()
        made.close()
        return d

    assert reactor.failure(start).check(ObjectDestroyedError)


def test_cancelled_deferreds_leave_the_cluster_working(reactor: Any, cluster: Any) -> None:
    coll = reactor(cluster.bucket, "default").default_collection()
    key = unique("cancel-")
    reactor(coll.upsert, key, 1)

    def cancel_some() -> defer.Deferred[Any]:
        made = TxCluster(cluster._connstr, opts())
        waiter = made.on_connect()
        waiter.cancel()  # before the bootstrap finished
        waiter.addErrback(lambda f: f.trap(defer.CancelledError))
        query = cluster.query("SELECT RAW x FROM ARRAY_RANGE(0, 5000) AS x")
        query.cancel()
        query.addErrback(lambda f: f.trap(defer.CancelledError))
        gets = [coll.get(key) for _ in range(20)]
        for d in gets[::2]:
            d.cancel()
            d.addErrback(lambda f: f.trap(defer.CancelledError))
        return defer.gatherResults(gets[1::2] + [made.on_connect(), waiter, query])

    results = reactor(cancel_some)
    made = results[-3]
    assert [r.content_as[int] for r in results[:10]] == [1] * 10
    assert reactor(made.query, "SELECT RAW 9").execute() == [9]
    assert reactor(cluster.query, "SELECT RAW 8").execute() == [8]
    assert reactor(coll.get, key).content_as[int] == 1
    reactor(made.close)
