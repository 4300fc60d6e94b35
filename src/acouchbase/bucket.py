"""The asyncio ``Bucket``: every key-value method returns an awaitable.

Same methods, results and exceptions as :class:`couchbase.bucket.Bucket`::

    cb = Bucket("couchbase://127.0.0.1/default", username=..., password=...)
    await cb.connect()
    await cb.upsert("key", {"a": 1})
    print((await cb.get("key")).value)

Many operations may be in flight at once on one connection; each has its own
timeout (``timeout``, default 2.5 s).

Buckets opened by a 4.x :class:`acouchbase.cluster.AsyncCluster` start
bootstrapping at once (:meth:`Bucket._begin_connect`); operations issued
meanwhile wait for it, and fail with its error if it fails.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Awaitable, Callable, Optional

from couchbase._bucketbase import BucketBase, Flow
from couchbase._io.mux import MuxCluster
from couchbase._operation import Operation, complete, finish_batch, multi_result
from couchbase._settings import Settings
from couchbase._waiting import drive_async, settle, wait_async
from couchbase.analytics.aio import AsyncioAnalyticsRequest, AsyncioDeferredAnalyticsRequest
from couchbase.collection import Collection
from couchbase.exceptions import ObjectDestroyedError
from couchbase.fulltext.aio import AsyncioSearchRequest
from couchbase.n1ql.aio import AsyncioN1QLRequest
from couchbase.scope import Scope
from couchbase.views.aio import AsyncioView

from ._backend import AsyncioBackend


class Bucket(BucketBase):
    """A bucket for asyncio. Call ``await bucket.connect()`` before using it."""

    _cluster: Optional[MuxCluster] = None
    _not_connected = "not connected: await bucket.connect() first"
    # views: query() returns an AsyncioView (async for); N1QL: n1ql_query() an
    # AsyncioN1QLRequest; design documents and the bucket manager give awaitables
    _view_class = AsyncioView
    _n1ql_class = AsyncioN1QLRequest
    _search_class = AsyncioSearchRequest  # search(): async for
    _analytics_class = AsyncioAnalyticsRequest  # analytics_query(): async for
    _deferred_analytics_class = AsyncioDeferredAnalyticsRequest
    _structures_module = "acouchbase.datastructures"  # collection.couchbase_list(): coroutines

    # the bootstrap in flight (or last finished); None before the first connect()
    _connecting: Optional[asyncio.Future[None]] = None
    # what a failed bootstrap raises instead of its 2.x error (the 4.x Cluster's buckets)
    _connect_errors: Optional[Callable[[BaseException], BaseException]] = None

    def _open(self, settings: Settings, **extra: Any) -> None:
        self._loop: Optional[asyncio.AbstractEventLoop] = None  # connect() needs the loop

    async def connect(self) -> Bucket:
        """Bootstrap; raises the same errors as the sync constructor. Waiting for it may
        be cancelled: the bootstrap goes on for the other waiters."""
        if not self.connected:
            await _bootstrapped(self._begin_connect())
        return self

    on_connect = connect

    def _begin_connect(self) -> asyncio.Future[None]:
        """Start bootstrapping on the running loop, unless a bootstrap is in flight or
        succeeded: the future of it."""
        task = self._connecting
        if task is None or (task.done() and not self.connected):
            task = asyncio.ensure_future(self._bootstrap())
            task.add_done_callback(_retrieve)  # a failure nobody awaited is no warning
            self._connecting = task
        return task

    async def _bootstrap(self) -> None:
        loop = asyncio.get_running_loop()
        cluster = MuxCluster(self._settings, AsyncioBackend(loop))
        future: asyncio.Future[None] = loop.create_future()
        cluster.connect(lambda error: settle(future, None, error))
        try:
            await future
            if self._connecting is None:  # closed meanwhile
                raise ObjectDestroyedError("the connection was closed while connecting")
        except BaseException as exc:
            cluster.close()
            convert = self._connect_errors
            if convert is not None and isinstance(exc, Exception):
                raise convert(exc) from None
            raise
        self._loop = loop
        self._cluster = cluster

    @property
    def connected(self) -> bool:
        return self._cluster is not None and not self._cluster.closed

    @property
    def closed(self) -> bool:
        """Not closed while bootstrapping: operations issued then wait for it."""
        if self._cluster is None:
            task = self._connecting
            return task is None or task.done()
        return self._cluster.closed

    def close(self) -> None:
        task, self._connecting = self._connecting, None
        if task is not None and not task.done():
            task.cancel()  # waiters fail; _bootstrap closes what it opened
        super().close()

    def _in_flight(self) -> asyncio.Future[None]:
        """The bootstrap in flight; if none, ObjectDestroyedError (not connected, closed)."""
        task = self._connecting
        if task is None or task.done():
            self._live()  # raises
        assert task is not None
        return task

    def _when_connected(self, call: Callable[[], Awaitable[Any]]) -> asyncio.Future[Any]:
        """``call()``'s outcome once the bootstrap in flight succeeded."""
        task = self._in_flight()

        async def after() -> Any:
            await _bootstrapped(task)
            return await call()

        return asyncio.ensure_future(after())

    async def __aenter__(self) -> Bucket:
        return await self.connect()

    async def __aexit__(self, *exc: Any) -> None:
        self.close()

    # -- the hooks (couchbase._bucketbase.FrontEnd) ---------------------------------------
    def _run(self, op: Operation) -> asyncio.Future[Any]:
        cluster = self._cluster
        if cluster is None or cluster.closed:
            return self._when_connected(lambda: self._run(op))
        future = self._loop.create_future()  # type: ignore[union-attr]
        cluster.execute(op.req, _Settle(op, future))
        return future

    def _run_multi(self, ops: list[Operation], quiet: bool = False) -> asyncio.Future[Any]:
        cluster = self._cluster
        if cluster is None or cluster.closed:
            return self._when_connected(lambda: self._run_multi(ops, quiet))
        future = self._loop.create_future()  # type: ignore[union-attr]

        def done(answers: list[Any]) -> None:
            try:
                result = multi_result(ops, *finish_batch(ops, answers))
            except Exception as exc:
                settle(future, None, exc)
                return
            settle(future, result, None)

        cluster.execute_multi([op.req for op in ops], done)
        return future

    def _live(self) -> MuxCluster:
        return super()._live()  # type: ignore[return-value]

    def _drive(self, flow: Flow) -> asyncio.Future[Any]:
        if not self.connected:
            return self._when_connected(lambda: wait_async(flow, self._live()))
        return asyncio.ensure_future(wait_async(flow, self._live()))

    def _rows(self, flow: Flow) -> AsyncIterator[Any]:
        if not self.connected:
            return self._rows_when_connected(self._in_flight(), flow)
        return drive_async(flow, self._live())

    async def _rows_when_connected(self, task: asyncio.Future[None], flow: Flow
                                   ) -> AsyncIterator[Any]:
        await _bootstrapped(task)
        rows: Any = drive_async(flow, self._live())  # an async generator: aclose()
        try:
            async for row in rows:
                yield row
        finally:
            await rows.aclose()

    def __repr__(self) -> str:
        return f"<acouchbase.Bucket bucket={self._bucket!r} connected={self.connected}>"


class _Settle:
    """The cluster's ``done(packet, error)`` for one operation: its outcome set on its
    future. One object per operation in flight, where ``partial(complete, op,
    partial(settle, future))`` made four the cyclic GC tracks (two partials, their
    argument tuples): with 20,000 gets in flight, those outlive young collections and
    make every full one longer."""

    __slots__ = ("op", "future")

    def __init__(self, op: Operation, future: asyncio.Future[Any]) -> None:
        self.op = op
        self.future = future

    def __call__(self, pkt: Any, error: Optional[BaseException]) -> None:
        complete(self.op, self.settle, pkt, error)

    def settle(self, result: Any, error: Optional[BaseException]) -> None:
        settle(self.future, result, error)


def _retrieve(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()


async def _bootstrapped(task: asyncio.Future[None]) -> None:
    """Wait for a bootstrap (cancelling the waiter leaves it running); a bootstrap
    cancelled by ``close()`` is ObjectDestroyedError."""
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        if task.cancelled():
            raise ObjectDestroyedError("the connection was closed while connecting") from None
        raise


AsyncBucket = Bucket
"""The 4.x name (``acouchbase.bucket.AsyncBucket``): the same class."""

__all__ = ["AsyncBucket", "Bucket", "Collection", "Scope"]
