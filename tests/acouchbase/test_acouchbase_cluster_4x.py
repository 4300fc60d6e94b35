"""The 4.x API on asyncio (acouchbase_api: AsyncCluster, AsyncBucket, AsyncScope,
AsyncCollection; howtos/concurrent-async-apis): ``await Cluster.connect(...)`` with
no bucket, awaitable methods, results read with ``async for`` and their metadata
after, the 4.x exceptions, and a cluster that survives cancelled tasks.

Each test runs its own loop (``asyncio.run``) against the session's local cluster.
"""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from datetime import timedelta
from typing import Any, Awaitable, Callable, Iterator

import pytest

from cluster4x import options as opts  # tests/, shared
from couchbase.diagnostics import ClusterState, EndpointState, PingState, ServiceType
from couchbase.exceptions import (
    AlreadyQueriedException,
    AuthenticationException,
    BucketNotFoundException,
    CouchbaseException,
    DocumentNotFoundException,
    InvalidArgumentException,
    NotFoundError,
    ObjectDestroyedError,
    ParsingFailedException,
    QueryIndexNotFoundException,
    UnAmbiguousTimeoutException,
)
from couchbase.kv_range_scan import PrefixScan
from couchbase.management.buckets import BucketSettings
from couchbase.options import (
    DiagnosticsOptions,
    PingOptions,
    QueryOptions,
    ScanOptions,
    SearchOptions,
    ViewOptions,
)
from couchbase.result import (
    DiagnosticsResult,
    PingResult,
    QueryResult,
)
from couchbase.search import MatchQuery, SearchResult
from couchbase.views import ViewResult, ViewScanConsistency
from service_rest import design_document, search_index_of, upsert_docs  # tests/, shared


def run(main: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(main())  # type: ignore[arg-type]


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


async def connected(mock: Any, **kwargs: Any) -> Any:
    from acouchbase.cluster import Cluster

    return await Cluster.connect(mock.connstr, opts(**kwargs))


# -- names and connecting ----------------------------------------------------------------
def test_the_4x_names() -> None:
    import acouchbase
    from acouchbase.bucket import AsyncBucket, Bucket
    from acouchbase.cluster import AsyncCluster, Cluster
    from acouchbase.collection import AsyncCollection, Collection
    from acouchbase.scope import AsyncScope, Scope

    assert Cluster is AsyncCluster and Bucket is AsyncBucket
    assert Scope is AsyncScope and Collection is AsyncCollection
    loop = acouchbase.get_event_loop()
    assert loop is acouchbase.get_event_loop() and not loop.is_running()
    loop.close()


def test_connect_with_no_bucket(mock_cluster: Any) -> None:
    async def main() -> Any:
        cluster = await connected(mock_cluster)
        assert not cluster._buckets and cluster.connected
        assert cluster._conn._cluster.bucket is None  # its own connection selects none
        rows = [row async for row in cluster.query("SELECT 1 AS one")]
        await cluster.close()
        return rows

    assert run(main) == [{"one": 1}]


def test_operations_issued_before_the_bootstrap_wait_for_it(mock_cluster: Any) -> None:
    from acouchbase.cluster import Cluster

    async def main() -> Any:
        cluster = Cluster(mock_cluster.connstr, opts())  # bootstrapping starts here
        assert not cluster.connected
        ping, rows = await asyncio.gather(
            cluster.ping(), cluster.query("SELECT RAW 7").execute())
        coll = cluster.bucket("default").default_collection()  # not awaited either
        key = unique("early-")
        await coll.upsert(key, {"early": True})
        got = await coll.get(key)
        assert await cluster.on_connect() is cluster  # already up: returns at once
        await cluster.close()
        return ping, rows, got.content_as[dict]

    ping, rows, doc = run(main)
    assert isinstance(ping, PingResult) and rows == [7] and doc == {"early": True}


def test_connect_outside_a_loop_then_on_connect(mock_cluster: Any) -> None:
    from acouchbase.cluster import Cluster

    cluster = Cluster(mock_cluster.connstr, opts())  # no loop yet: nothing starts

    async def main() -> Any:
        assert await cluster.on_connect() is cluster
        result = await cluster.query("SELECT RAW 1").execute()
        await cluster.close()
        return result

    assert run(main) == [1]


def test_wrong_password_is_authentication_exception(mock_cluster: Any) -> None:
    from acouchbase.cluster import Cluster

    async def main() -> list[type]:
        caught = []
        with pytest.raises(AuthenticationException) as info:
            await Cluster.connect(mock_cluster.connstr, opts("wrong"))
        caught.append(type(info.value))
        cluster = Cluster(mock_cluster.connstr, opts("wrong"))
        with pytest.raises(AuthenticationException):
            await cluster.ping()  # issued during the bootstrap: fails with it
        with pytest.raises(AuthenticationException):
            await cluster.on_connect()  # asked again: tried again, refused again
        await cluster.close()
        return caught

    assert run(main) == [AuthenticationException]


def test_unreachable_is_unambiguous_timeout_within_the_connect_timeout() -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]

        async def main() -> float:
            from acouchbase.cluster import Cluster

            start = time.monotonic()
            with pytest.raises(UnAmbiguousTimeoutException):
                await Cluster.connect(f"couchbase://127.0.0.1:{port}",
                                      opts(connect_timeout=timedelta(seconds=0.5)))
            return time.monotonic() - start

        elapsed = run(main)
    assert 0.4 < elapsed < 2.5


def test_missing_bucket_is_bucket_not_found(mock_cluster: Any) -> None:
    async def main() -> None:
        cluster = await connected(mock_cluster)
        bucket = cluster.bucket(unique("nobucket-"))
        with pytest.raises(BucketNotFoundException):
            await bucket.on_connect()
        await cluster.close()

    run(main)


# -- key-value through collections ---------------------------------------------------------
def test_kv_through_collections(mock_cluster: Any) -> None:
    async def main() -> None:
        cluster = await connected(mock_cluster)
        bucket = cluster.bucket("default")
        await bucket.on_connect()
        assert bucket.name == "default"
        coll = bucket.scope("_default").collection("_default")
        key = unique("kv-")
        res = await coll.upsert(key, {"name": "Ted", "age": 80})
        assert res.cas
        got = await coll.get(key)
        assert got.content_as[dict] == {"name": "Ted", "age": 80} and got.cas == res.cas
        assert (await bucket.default_collection().exists(key)).exists
        await coll.remove(key)
        with pytest.raises(DocumentNotFoundException) as info:
            await coll.get(key)
        assert isinstance(info.value, NotFoundError)  # 2.x code still catches it
        with pytest.raises(InvalidArgumentException):
            await coll.get_multi("not-a-list")
        await cluster.close()

    run(main)


# -- query ------------------------------------------------------------------------------------
def test_query_rows_then_metadata(mock_cluster: Any) -> None:
    async def main() -> None:
        cluster = await connected(mock_cluster)
        result = cluster.query("SELECT RAW x FROM ARRAY_RANGE(0, $n) AS x",
                               QueryOptions(named_parameters={"n": 5}, metrics=True,
                                            client_context_id="aq-1"))
        assert isinstance(result, QueryResult)
        rows = [row async for row in result.rows()]
        assert rows == [0, 1, 2, 3, 4]
        meta = result.metadata()
        assert meta.client_context_id() == "aq-1" and meta.status() == "success"
        assert meta.metrics().result_count() == 5
        assert isinstance(meta.metrics().execution_time(), timedelta)
        positional = await cluster.query("SELECT RAW $1 + $2", 40, 2).execute()
        assert positional == [42]
        async for row in cluster.query("SELECT $city AS city", city="Reno"):
            assert row == {"city": "Reno"}  # a keyword QueryOptions does not know
        await cluster.close()

    run(main)


def test_query_errors_are_4x_classes(mock_cluster: Any) -> None:
    async def main() -> None:
        cluster = await connected(mock_cluster)
        with pytest.raises(ParsingFailedException) as info:
            async for _ in cluster.query("SELEC 1"):
                pass
        assert info.value.context.statement == "SELEC 1"
        with pytest.raises(QueryIndexNotFoundException):
            await cluster.query("DROP INDEX `default`.no_such_index").execute()
        result = cluster.query("SELECT RAW 1")
        assert await result.execute() == [1]
        with pytest.raises(AlreadyQueriedException):  # a result is read once
            await result.execute()
        await cluster.close()

    run(main)


def test_scope_query_runs_in_the_scope(mock_cluster: Any) -> None:
    async def main() -> Any:
        cluster = await connected(mock_cluster)
        scope = cluster.bucket("default").scope("_default")
        key = unique("sq-")
        await scope.collection("_default").upsert(key, {"v": 3})
        rows = [row async for row in scope.query("SELECT RAW d.v FROM _default d USE KEYS $1",
                                                 key)]
        await cluster.close()
        return rows

    assert run(main) == [3]


# -- views, search, analytics -----------------------------------------------------------------
KIND = "acouchbase4x_doc"
DOCS = {f"ac4x::{i}": {"type": KIND, "n": i, "title": title}
        for i, title in enumerate(["couchbase on asyncio", "twisted tales", "asyncio loops"])}


@pytest.fixture(scope="module")
def docs(mock_cluster: Any) -> None:
    upsert_docs(mock_cluster, DOCS)


@pytest.fixture(scope="module")
def design(mock_cluster: Any, docs: None) -> Iterator[str]:
    pytest.importorskip("py_mini_racer")  # the local cluster's JavaScript engine
    view = {"map": f"function (doc, meta) {{ if (doc.type == '{KIND}') emit(doc.n, null); }}"}
    with design_document(mock_cluster, unique("ac4x_"), {"by_n": view}) as name:
        yield name


def test_view_query(mock_cluster: Any, design: str) -> None:
    async def main() -> Any:
        cluster = await connected(mock_cluster)
        bucket = cluster.bucket("default")
        result = bucket.view_query(design, "by_n", ViewOptions(
            scan_consistency=ViewScanConsistency.REQUEST_PLUS, limit=2))
        assert isinstance(result, ViewResult)
        rows = [(row.id, row.key) async for row in result.rows()]
        total = result.metadata().total_rows()
        await cluster.close()
        return rows, total

    rows, total = run(main)
    assert rows == [("ac4x::0", 0), ("ac4x::1", 1)] and total == 3


@pytest.fixture(scope="module")
def search_index(mock_cluster: Any, docs: None) -> Iterator[str]:
    with search_index_of(mock_cluster, unique("ac4x-"), KIND) as name:
        yield name


def test_search_query(mock_cluster: Any, search_index: str) -> None:
    async def main() -> Any:
        cluster = await connected(mock_cluster)
        result = cluster.search_query(search_index, MatchQuery("asyncio"),
                                      SearchOptions(limit=10))
        assert isinstance(result, SearchResult)
        ids = sorted([row.id async for row in result.rows()])
        total = result.metadata().metrics().total_rows()
        with pytest.raises(QueryIndexNotFoundException):
            async for _ in cluster.search_query(unique("none-"), MatchQuery("x")):
                pass
        await cluster.close()
        return ids, total

    assert run(main) == (["ac4x::0", "ac4x::2"], 2)


def test_analytics_query(mock_cluster: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from analytics_fake import FakeAnalytics  # tests/, shared

    with FakeAnalytics() as svc:
        host, port = svc.host.split(":")
        monkeypatch.setattr("couchbase.analytics.api._analytics_nodes",
                            lambda config, tls: [(host, int(port))])

        async def main() -> Any:
            cluster = await connected(mock_cluster)
            result = cluster.analytics_query("SELECT VALUE n", count=3)
            rows = [row async for row in result]
            status = result.metadata().status()
            with pytest.raises(CouchbaseException) as info:
                await cluster.analytics_query("SELECT * FROM FAIL").execute()
            await cluster.close()
            return rows, status, info.value

        rows, status, error = run(main)
    assert rows == [{"n": 0}, {"n": 1}, {"n": 2}] and status == "success"
    assert type(error).__name__ == "DatasetNotFoundException"


# -- scan -------------------------------------------------------------------------------------
def test_scan_with_async_for(mock_cluster: Any, docs: None) -> None:
    async def main() -> Any:
        cluster = await connected(mock_cluster)
        coll = cluster.bucket("default").default_collection()
        items = [item async for item in coll.scan(PrefixScan("ac4x::"))]
        ids = [item.id async for item in coll.scan(PrefixScan("ac4x::"),
                                                   ScanOptions(ids_only=True))]
        await cluster.close()
        return items, ids

    items, ids = run(main)
    assert sorted(i.id for i in items) == sorted(DOCS)
    assert {i.id: i.content_as[dict] for i in items} == DOCS
    assert sorted(ids) == sorted(DOCS)


# -- health -----------------------------------------------------------------------------------
def test_ping_wait_until_ready_diagnostics(mock_cluster: Any) -> None:
    async def main() -> Any:
        cluster = await connected(mock_cluster)
        await cluster.wait_until_ready(timedelta(seconds=5))
        ping = await cluster.ping(PingOptions(report_id="ap"))
        await cluster.bucket("default").ping()
        diag = await cluster.diagnostics(DiagnosticsOptions(report_id="ad"))
        with pytest.raises(InvalidArgumentException):
            await cluster.wait_until_ready(0)
        await cluster.close()
        return ping, diag

    ping, diag = run(main)
    assert isinstance(ping, PingResult) and ping.id == "ap"
    assert all(e.state is PingState.OK for e in ping.endpoints[ServiceType.KeyValue])
    assert isinstance(diag, DiagnosticsResult) and diag.id == "ad"
    assert diag.state is ClusterState.Online
    kv = diag.endpoints[ServiceType.KeyValue]
    assert {e.namespace for e in kv} == {None, "default"}
    assert all(e.state is EndpointState.Connected for e in kv)


def test_wait_until_ready_times_out_when_nothing_answers() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]

        async def main() -> float:
            from acouchbase.cluster import Cluster

            cluster = Cluster(f"couchbase://127.0.0.1:{port}", opts())
            start = time.monotonic()
            with pytest.raises(UnAmbiguousTimeoutException):
                await cluster.wait_until_ready(timedelta(seconds=0.3))
            await cluster.close()
            return time.monotonic() - start

        assert run(main) < 1.5


# -- management -------------------------------------------------------------------------------
def test_management_through_the_cluster(mock_cluster: Any) -> None:
    async def main() -> Any:
        cluster = await connected(mock_cluster)  # a KV seed, no bucket open
        settings = await cluster.buckets().get_bucket("default")
        names = [b.name for b in await cluster.buckets().get_all_buckets()]
        roles = await cluster.users().get_roles()
        await cluster.close()
        return settings, names, roles

    settings, names, roles = run(main)
    assert isinstance(settings, BucketSettings) and settings.name == "default"
    assert "default" in names and roles


# -- closing and cancelling -------------------------------------------------------------------
def test_close(mock_cluster: Any) -> None:
    async def main() -> None:
        cluster = await connected(mock_cluster)
        bucket = cluster.bucket("default")
        await bucket.on_connect()
        coll = bucket.default_collection()
        await cluster.close()
        assert bucket.closed and not cluster.connected
        with pytest.raises(CouchbaseException):
            cluster.query("SELECT 1")
        with pytest.raises(ObjectDestroyedError):
            await coll.get("any")

    run(main)


def test_close_while_bootstrapping_fails_the_waiters(mock_cluster: Any) -> None:
    from acouchbase.cluster import Cluster

    async def main() -> None:
        cluster = Cluster(mock_cluster.connstr, opts())
        pending = asyncio.ensure_future(cluster.ping())
        await asyncio.sleep(0)
        await cluster.close()
        with pytest.raises(ObjectDestroyedError):
            await asyncio.wait_for(pending, 5)

    run(main)


def test_cancelled_tasks_leave_the_cluster_working(mock_cluster: Any) -> None:
    from acouchbase.cluster import Cluster

    async def main() -> Any:
        cluster = Cluster(mock_cluster.connstr, opts())
        waiter = asyncio.ensure_future(cluster.on_connect())
        await asyncio.sleep(0)
        waiter.cancel()  # the waiter, not the bootstrap
        with pytest.raises(asyncio.CancelledError):
            await waiter
        await cluster.on_connect()

        async def read_some() -> None:
            async for _ in cluster.query("SELECT RAW x FROM ARRAY_RANGE(0, 5000) AS x"):
                await asyncio.sleep(3600)  # cancelled here, mid-rows

        reader = asyncio.ensure_future(read_some())
        await asyncio.sleep(0.2)
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
        coll = cluster.bucket("default").default_collection()
        key = unique("cancel-")
        await coll.upsert(key, 1)
        gets = [asyncio.ensure_future(coll.get(key)) for _ in range(20)]
        for task in gets[::2]:
            task.cancel()
        done = await asyncio.gather(*gets, return_exceptions=True)
        after = await cluster.query("SELECT RAW 9").execute()
        value = (await coll.get(key)).content_as[int]
        await cluster.close()
        return done, after, value

    done, after, value = run(main)
    assert all(isinstance(d, asyncio.CancelledError) for d in done[::2])
    assert all(d.content_as[int] == 1 for d in done[1::2])
    assert after == [9] and value == 1
