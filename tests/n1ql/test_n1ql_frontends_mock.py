"""N1QL on asyncio, Twisted and gevent against the local cluster's query service."""

from __future__ import annotations

import threading
from typing import Any, Iterator

import pytest

from couchbase.asynchronous.n1ql import AsyncN1QLRequest
from couchbase.bucket import Bucket
from couchbase.exceptions import N1QLSyntaxError
from couchbase.n1ql import REQUEST_PLUS, N1QLQuery
from couchbase_mock.mock import MockCluster
from loop_thread import LoopThread

DOCS = {f"f-{i:04d}": {"type": "f", "i": i, "odd": i % 2 == 1} for i in range(3000)}
ORDERED = "SELECT RAW i FROM default WHERE type = 'f' AND i >= $1 ORDER BY i"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=3, replicas=0) as mock:
        cb = Bucket(f"{mock.connstr}/default", username=mock.username, password=mock.password)
        if not any(n.query_port for n in cb._live().router.config.nodes):
            cb.close()
            pytest.skip("the local cluster has no query service yet")
        cb.upsert_multi(DOCS)
        cb.bucket_manager().n1ql_index_create_primary()
        q = N1QLQuery("SELECT RAW COUNT(*) FROM default")
        q.consistency = REQUEST_PLUS
        assert list(cb.n1ql_query(q)) == [3000]
        cb.close()
        yield mock


def _connect(mock: MockCluster, cls: Any, **extra: Any) -> Any:
    return cls(f"{mock.connstr}/default", username=mock.username, password=mock.password,
               **extra)


def test_sync_queries_go_round_robin_to_every_query_node(mock: MockCluster) -> None:
    cb = _connect(mock, Bucket)
    try:
        ports = {cb._query_endpoint().port for _ in range(6)}
        assert len(ports) == 3
        for _ in range(3):
            assert list(cb.n1ql_query(ORDERED, 2990)) == list(range(2990, 3000))
    finally:
        cb.close()


def test_asyncio(mock: MockCluster) -> None:
    from acouchbase.bucket import Bucket as AioBucket

    loop = LoopThread()
    try:
        cb = loop.run(lambda: _connect(mock, AioBucket))
        loop.run(cb.connect)

        async def collect() -> tuple[list[Any], Any]:
            req = cb.n1ql_query(ORDERED, 0)
            return [row async for row in req], req

        rows, req = loop.run(collect)
        assert rows == list(range(3000)) and req.metrics["resultCount"] == 3000
        q = N1QLQuery("SELECT RAW COUNT(*) FROM default WHERE odd = $1", True)
        q.adhoc = False
        assert loop.run(lambda: cb.n1ql_query(q).all()) == [1500]
        assert loop.run(lambda: cb.n1ql_query(q).get_single_result()) == 1500
        with pytest.raises(N1QLSyntaxError):
            loop.run(lambda: cb.n1ql_query("SELEC 1").all())
        names = loop.run(cb.bucket_manager().n1ql_index_list)
        assert [ix.name for ix in names] == ["#primary"]
        loop.run(cb.close)
    finally:
        loop.close()


def test_twisted(reactor: Any, mock: MockCluster) -> None:
    from txcouchbase.bucket import Bucket as TxBucket

    cb = reactor(lambda: _connect(mock, TxBucket))
    try:
        got = reactor(cb.n1qlQueryAll, ORDERED, 2995)
        assert list(got) == [2995, 2996, 2997, 2998, 2999] and got.status == "success"
        assert reactor.failure(cb.n1qlQueryAll, "SELEC 1").check(N1QLSyntaxError)
        done = threading.Event()
        seen: dict[str, Any] = {"rows": [], "calls": 0}

        class Handler(AsyncN1QLRequest):
            def on_rows(self, rows: Any) -> None:
                seen["calls"] += 1
                seen["rows"] += list(rows)

            def on_error(self, ex: BaseException) -> None:
                seen["error"] = ex
                done.set()

            def on_done(self) -> None:
                done.set()

        reactor(lambda: cb.n1qlQueryEx(Handler, ORDERED, 0))
        assert done.wait(20) and "error" not in seen
        assert seen["rows"] == list(range(3000))
    finally:
        reactor(cb.close)


def test_gevent(mock: MockCluster) -> None:
    gevent = pytest.importorskip("gevent")
    from gcouchbase.bucket import Bucket as GBucket

    cb = _connect(mock, GBucket)
    try:
        jobs = [gevent.spawn(lambda s=s: list(cb.n1ql_query(ORDERED, s))) for s in (0, 1000, 2000)]
        gevent.joinall(jobs, timeout=20, raise_error=True)
        assert [len(j.value) for j in jobs] == [3000, 2000, 1000]
    finally:
        cb.close()
