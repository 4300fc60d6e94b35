"""The view API of the asyncio, Twisted and gevent front ends (same flows as sync)."""

from __future__ import annotations

import threading
import uuid
from typing import Any, Iterator

import pytest
from fakeviews import FakeViews, point_at

from couchbase.asynchronous.view import AsyncViewBase
from couchbase.exceptions import HTTPError
from couchbase.result import HttpResult
from couchbase.views.iterator import ViewRow
from loop_thread import LoopThread  # tests/, shared

ADMIN = {"username": "Administrator", "password": "password"}
DESIGN = {"views": {"v": {"map": "function (doc) { emit(doc.n, null); }"}}}


def _rows(fake: FakeViews, prefix: str, count: int = 30) -> list[dict[str, Any]]:
    rows = [{"id": f"{prefix}-{i:03d}", "key": i, "value": i * 2} for i in range(count)]
    fake.rows[("d", "v")] = rows
    return rows


@pytest.fixture
def aio(mock_cluster: Any, fake: FakeViews) -> Iterator[tuple[LoopThread, Any]]:
    from acouchbase.bucket import Bucket

    loop = LoopThread()
    bucket = loop.run(lambda: Bucket(f"{mock_cluster.connstr}/default", **ADMIN))
    loop.run(bucket.connect)
    point_at(bucket, fake)
    yield loop, bucket
    loop.run(bucket.close)
    loop.close()


def test_asyncio_async_for(aio: tuple[LoopThread, Any], fake: FakeViews) -> None:
    loop, cb = aio
    prefix = uuid.uuid4().hex
    rows = _rows(fake, prefix)
    loop.run(lambda: cb.upsert_multi({r["id"]: {"n": r["key"]} for r in rows}))

    async def collect(**options: Any) -> list[Any]:
        return [row async for row in cb.query("d", "v", **options)]

    got = loop.run(lambda: collect(limit=5, include_docs=True))
    assert [r.docid for r in got] == [r["id"] for r in rows[:5]]
    assert [r.doc.value for r in got] == [{"n": i} for i in range(5)]
    streamed = loop.run(lambda: collect(streaming=True))
    assert streamed == [ViewRow(r["key"], r["value"], r["id"], None) for r in rows]
    assert loop.run(lambda: cb.query("d", "v", skip=28).all()) == streamed[28:]
    with pytest.raises(TypeError, match="async for"):
        iter(cb.query("d", "v"))
    with pytest.raises(HTTPError) as info:
        loop.run(lambda: collect(query="bogus=1"))
    assert info.value.status == 400


def test_asyncio_design_documents(aio: tuple[LoopThread, Any], fake: FakeViews) -> None:
    loop, cb = aio
    created = loop.run(lambda: cb.design_create("d", DESIGN, syncwait=2))
    assert isinstance(created, HttpResult) and created.http_status == 201
    assert loop.run(lambda: cb.design_get("d")).value == DESIGN
    assert loop.run(lambda: cb.design_publish("d")).success
    assert loop.run(lambda: cb.design_delete("d", syncwait=2)).success
    with pytest.raises(HTTPError):
        loop.run(lambda: cb.design_get("d"))


# -- Twisted -------------------------------------------------------------------------------
@pytest.fixture
def tx(reactor: Any, mock_cluster: Any, fake: FakeViews) -> Iterator[Any]:
    from txcouchbase.connection import Connection

    conn = reactor(Connection, bucket="default",
                   connection_string=f"{mock_cluster.connstr}/default", **ADMIN)
    point_at(conn, fake)
    yield conn
    reactor(conn.close)


def test_twisted_query_all(reactor: Any, tx: Any, fake: FakeViews) -> None:
    rows = _rows(fake, uuid.uuid4().hex)
    got = reactor(tx.queryAll, "d", "v", limit=5)
    assert got == [ViewRow(r["key"], r["value"], r["id"], None) for r in rows[:5]]
    failure = reactor.failure(tx.queryAll, "missing", "v")
    assert failure.check(HTTPError) and failure.value.status == 404
    assert reactor.failure(tx.queryAll, "d", "v", limit="x").check(Exception)


def test_twisted_query_ex_streams_into_the_handler(reactor: Any, tx: Any,
                                                   fake: FakeViews) -> None:
    fake.generated[("big", "v")] = (3000, lambda i: {"id": f"d{i}", "key": i, "value": None})
    done = threading.Event()
    seen: dict[str, Any] = {"calls": 0, "rows": 0}

    class MyRowHandler(AsyncViewBase):
        def on_rows(self, rows: Any) -> None:
            seen["calls"] += 1
            seen["rows"] += len([r for r in rows])

        def on_error(self, ex: BaseException) -> None:
            seen["error"] = ex
            done.set()

        def on_done(self) -> None:
            seen["indexed"] = self.indexed_rows
            done.set()

    handler = reactor(lambda: tx.queryEx(MyRowHandler, "big", "v"))
    assert isinstance(handler, MyRowHandler) and handler.streaming
    assert done.wait(20)
    assert "error" not in seen and seen["rows"] == 3000 and seen["indexed"] == 3000
    assert seen["calls"] > 1  # rows arrived in several batches

    done.clear()
    reactor(lambda: tx.queryEx(MyRowHandler, "missing", "v"))
    assert done.wait(20) and isinstance(seen["error"], HTTPError)


def test_twisted_design_documents(reactor: Any, tx: Any, fake: FakeViews) -> None:
    assert reactor(tx.design_create, "d", DESIGN, syncwait=2).http_status == 201
    assert reactor(tx.design_get, "d").value == DESIGN
    assert reactor(tx.design_publish, "d").success
    assert reactor(tx.design_delete, "d").success
    assert reactor.failure(tx.design_get, "d").check(HTTPError)


# -- gevent --------------------------------------------------------------------------------
def test_gevent_queries_cooperate(mock_cluster: Any, fake: FakeViews) -> None:
    gevent = pytest.importorskip("gevent")
    from gcouchbase.bucket import Bucket

    cb = Bucket(f"{mock_cluster.connstr}/default", **ADMIN)
    try:
        point_at(cb, fake)
        rows = _rows(fake, uuid.uuid4().hex)
        cb.upsert_multi({r["id"]: {"n": r["key"]} for r in rows})
        fake.generated[("big", "v")] = (2000, lambda i: {"id": f"d{i}", "key": i,
                                                          "value": None})
        ticks = []

        def ticker() -> None:
            for _ in range(5):
                ticks.append(1)
                gevent.sleep(0)

        jobs = [gevent.spawn(lambda: list(cb.query("big", "v", streaming=True)))
                for _ in range(3)] + [gevent.spawn(ticker)]
        gevent.joinall(jobs, timeout=20, raise_error=True)
        assert [len(j.value) for j in jobs[:3]] == [2000] * 3 and len(ticks) == 5
        got = list(cb.query("d", "v", include_docs=True, limit=3))
        assert [r.doc.value["n"] for r in got] == [0, 1, 2]
        assert cb.design_create("d", DESIGN, syncwait=2).success
        assert cb.design_get("d").value == DESIGN
    finally:
        cb.close()
