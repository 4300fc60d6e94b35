"""The N1QL API of the asyncio, Twisted and gevent front ends (same flows as sync)."""

from __future__ import annotations

import threading
from typing import Any, Iterator

import pytest
from fakequery import FakeQuery, point_at

from couchbase.asynchronous.n1ql import AsyncN1QLRequest, BatchedN1QLRequest
from couchbase.exceptions import N1QLIndexExistsError, N1QLSyntaxError
from couchbase.n1ql import N1QLQuery
from loop_thread import LoopThread

ADMIN = {"username": "Administrator", "password": "password"}
DOCS = {f"n-{i:04d}": {"type": "n", "i": i, "even": i % 2 == 0} for i in range(2000)}


@pytest.fixture
def loaded(fakeq: FakeQuery) -> FakeQuery:
    fakeq.load(DOCS)
    fakeq.engine.query("CREATE PRIMARY INDEX ON default")
    fakeq.rows_per_write = 200
    return fakeq


@pytest.fixture
def aio(mock_cluster: Any, loaded: FakeQuery) -> Iterator[tuple[LoopThread, Any]]:
    from acouchbase.bucket import Bucket

    loop = LoopThread()
    bucket = loop.run(lambda: Bucket(f"{mock_cluster.connstr}/default", **ADMIN))
    loop.run(bucket.connect)
    point_at(bucket, loaded)
    yield loop, bucket
    loop.run(bucket.close)
    loop.close()


def test_asyncio_async_for(aio: tuple[LoopThread, Any], loaded: FakeQuery) -> None:
    loop, cb = aio
    stmt = "SELECT RAW i FROM default WHERE even = $1 ORDER BY i"

    async def collect() -> tuple[list[Any], Any]:
        req = cb.n1ql_query(stmt, True)
        return [row async for row in req], req

    rows, req = loop.run(collect)
    assert rows == list(range(0, 2000, 2))
    assert req.meta["status"] == "success" and req.metrics["resultCount"] == 1000
    assert loop.run(lambda: cb.n1ql_query("SELECT RAW COUNT(*) FROM default")
                    .get_single_result()) == 2000
    assert loop.run(lambda: cb.n1ql_query(stmt, False).all())[:3] == [1, 3, 5]
    q = N1QLQuery("SELECT RAW i FROM default USE KEYS $1", ["n-0007"])
    q.adhoc = False
    assert loop.run(lambda: cb.n1ql_query(q).all()) == [7]
    assert loop.run(lambda: cb.n1ql_query(q).all()) == [7]
    assert sum("prepared" in b for b in loaded.bodies()) == 2
    with pytest.raises(TypeError, match="async for"):
        iter(cb.n1ql_query(stmt, True))
    with pytest.raises(N1QLSyntaxError):
        loop.run(lambda: cb.n1ql_query("SELEC 1").all())


def test_asyncio_bucket_manager_and_cluster_query(mock_cluster: Any, loaded: FakeQuery) -> None:
    from acouchbase.cluster import Cluster
    from couchbase.auth import PasswordAuthenticator
    from couchbase.options import ClusterOptions

    loop = LoopThread()
    try:
        cluster = loop.run(lambda: Cluster.connect(
            mock_cluster.connstr, ClusterOptions(PasswordAuthenticator(**ADMIN))))
        bucket = loop.run(lambda: cluster.bucket("default"))
        loop.run(bucket.on_connect)
        point_at(bucket, loaded)
        mgr = bucket.bucket_manager()
        loop.run(lambda: mgr.n1ql_index_create("by_i", fields=["i"], defer=True))
        with pytest.raises(N1QLIndexExistsError):
            loop.run(lambda: mgr.n1ql_index_create("by_i", fields=["i"]))
        built = loop.run(mgr.n1ql_index_build_deferred)
        assert built == ["by_i"]
        assert [ix.state for ix in loop.run(lambda: mgr.n1ql_index_watch(built))] == ["online"]
        assert {ix.name for ix in loop.run(mgr.n1ql_index_list)} == {"#primary", "by_i"}
        rows = loop.run(lambda: cluster.query("SELECT RAW i FROM default WHERE i < $n "
                                              "ORDER BY i", n=3).all())
        assert rows == [0, 1, 2]
        loop.run(cluster.close)
    finally:
        loop.close()


# -- Twisted -------------------------------------------------------------------------------
@pytest.fixture(params=["connection", "bucket"])
def tx(request: Any, reactor: Any, mock_cluster: Any, loaded: FakeQuery) -> Iterator[Any]:
    if request.param == "connection":
        from txcouchbase.connection import Connection as cls
    else:
        from txcouchbase.bucket import Bucket as cls
    conn = reactor(cls, connection_string=f"{mock_cluster.connstr}/default", **ADMIN)
    point_at(conn, loaded)
    yield conn
    reactor(conn.close)


def test_twisted_query_all(reactor: Any, tx: Any) -> None:
    got = reactor(tx.n1qlQueryAll, "SELECT RAW i FROM default WHERE i BETWEEN $1 AND $2 "
                                   "ORDER BY i", 10, 14)
    assert isinstance(got, BatchedN1QLRequest) and list(got) == [10, 11, 12, 13, 14]
    assert len(got) == 5 and got.meta["status"] == "success"
    assert got.metrics["resultCount"] == 5
    assert list(reactor(tx.n1ql_query, "SELECT RAW 1 + 1")) == [2]
    failure = reactor.failure(tx.n1qlQueryAll, "SELEC 1")
    assert failure.check(N1QLSyntaxError) and failure.value.code == 3000
    assert reactor.failure(tx.n1qlQueryAll, 42).check(Exception)
    mgr = tx.bucket_manager()
    reactor(lambda: mgr.n1ql_index_create("tx_by_i", fields=["i"]))
    assert "tx_by_i" in {ix.name for ix in reactor(mgr.n1ql_index_list)}
    assert reactor.failure(lambda: mgr.n1ql_index_create("tx_by_i", fields=["i"])).check(
        N1QLIndexExistsError)


def test_twisted_query_ex_streams_into_the_handler(reactor: Any, tx: Any) -> None:
    done = threading.Event()
    seen: dict[str, Any] = {"calls": 0, "rows": []}

    class MyHandler(AsyncN1QLRequest):
        def on_rows(self, rows: Any) -> None:
            seen["calls"] += 1
            seen["rows"] += list(rows)

        def on_error(self, ex: BaseException) -> None:
            seen["error"] = ex
            done.set()

        def on_done(self) -> None:
            seen["status"] = self.meta["status"]
            done.set()

    handler = reactor(lambda: tx.n1qlQueryEx(MyHandler, "SELECT RAW i FROM default "
                                                        "ORDER BY i"))
    assert isinstance(handler, MyHandler)
    assert done.wait(20)
    assert "error" not in seen and seen["rows"] == list(range(2000))
    assert seen["status"] == "success" and seen["calls"] > 1  # rows came in several batches
    with pytest.raises(TypeError):
        iter(handler)

    done.clear()
    reactor(lambda: tx.n1qlQueryEx(MyHandler, "SELEC 1"))
    assert done.wait(20) and isinstance(seen["error"], N1QLSyntaxError)


# -- gevent --------------------------------------------------------------------------------
def test_gevent_queries_cooperate(mock_cluster: Any, loaded: FakeQuery) -> None:
    gevent = pytest.importorskip("gevent")
    from gcouchbase.bucket import Bucket

    cb = Bucket(f"{mock_cluster.connstr}/default", **ADMIN)
    try:
        point_at(cb, loaded)
        ticks = []

        def ticker() -> None:
            for _ in range(5):
                ticks.append(1)
                gevent.sleep(0)

        stmt = "SELECT RAW i FROM default ORDER BY i"
        jobs = [gevent.spawn(lambda: list(cb.n1ql_query(stmt))) for _ in range(3)]
        jobs.append(gevent.spawn(ticker))
        gevent.joinall(jobs, timeout=20, raise_error=True)
        assert [j.value for j in jobs[:3]] == [list(range(2000))] * 3 and len(ticks) == 5
        mgr = cb.bucket_manager()
        mgr.n1ql_index_create("g_by_i", fields=["i"], defer=True)
        assert mgr.n1ql_index_build_deferred() == ["g_by_i"]
        assert mgr.n1ql_index_watch(["g_by_i"])[0].state == "online"
        with pytest.raises(N1QLSyntaxError):
            list(cb.n1ql_query("SELEC 1"))
    finally:
        cb.close()
