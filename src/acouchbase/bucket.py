"""The asyncio ``Bucket``: every key-value method returns an awaitable.

Same methods, results and exceptions as :class:`couchbase.bucket.Bucket`::

    cb = Bucket("couchbase://127.0.0.1/default", username=..., password=...)
    await cb.connect()
    await cb.upsert("key", {"a": 1})
    print((await cb.get("key")).value)

Many operations may be in flight at once on one connection; each has its own
timeout (``timeout``, default 2.5 s).
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any, AsyncIterator, Optional

from couchbase._bucketbase import BucketBase, Flow
from couchbase._io.mux import MuxCluster
from couchbase._operation import Operation, complete, finish_batch, multi_result
from couchbase._settings import Settings
from couchbase._waiting import drive_async, settle, wait_async
from couchbase.analytics.aio import AsyncioAnalyticsRequest, AsyncioDeferredAnalyticsRequest
from couchbase.collection import Collection, Scope
from couchbase.fulltext.aio import AsyncioSearchRequest
from couchbase.n1ql.aio import AsyncioN1QLRequest
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

    def _open(self, settings: Settings, **extra: Any) -> None:
        self._loop: Optional[asyncio.AbstractEventLoop] = None  # connect() needs the loop

    async def connect(self) -> Bucket:
        """Bootstrap; raises the same errors as the sync constructor."""
        if self._cluster is not None and not self._cluster.closed:
            return self
        loop = asyncio.get_running_loop()
        cluster = MuxCluster(self._settings, AsyncioBackend(loop))
        future: asyncio.Future[None] = loop.create_future()
        cluster.connect(lambda error: settle(future, None, error))
        try:
            await future
        except BaseException:
            cluster.close()
            raise
        self._loop = loop
        self._cluster = cluster
        return self

    on_connect = connect

    @property
    def connected(self) -> bool:
        return self._cluster is not None and not self._cluster.closed

    async def __aenter__(self) -> Bucket:
        return await self.connect()

    async def __aexit__(self, *exc: Any) -> None:
        self.close()

    # -- the hooks (couchbase._bucketbase.FrontEnd) ---------------------------------------
    def _run(self, op: Operation) -> asyncio.Future[Any]:
        cluster = self._live()
        future = self._loop.create_future()  # type: ignore[union-attr]
        cluster.execute(op.req, partial(complete, op, partial(settle, future)))
        return future

    def _run_multi(self, ops: list[Operation], quiet: bool = False) -> asyncio.Future[Any]:
        cluster = self._live()
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
        return asyncio.ensure_future(wait_async(flow, self._live()))

    def _rows(self, flow: Flow) -> AsyncIterator[Any]:
        return drive_async(flow, self._live())

    def __repr__(self) -> str:
        return f"<acouchbase.Bucket bucket={self._bucket!r} connected={self.connected}>"


__all__ = ["Bucket", "Collection", "Scope"]
