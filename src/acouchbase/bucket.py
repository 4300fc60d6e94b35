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
from typing import Any, Callable, Optional

from couchbase._bucketbase import (
    DEFAULT,
    BucketBase,
    Flow,
    Sleep,
    Stats,
    check_timeout,
    finish_entries,
    multi_result,
)
from couchbase._core.packet import Packet
from couchbase._core.request import Request
from couchbase._http.aio import AsyncioView
from couchbase._http.aio import drive as drive_http
from couchbase._io.mux import MuxCluster
from couchbase._settings import read_settings, take_bucket_kwargs
from couchbase.collection import CollectionMixin, Scope
from couchbase.exceptions import (
    CouchbaseError,
    NotSupportedError,
    ObjectDestroyedError,
)
from couchbase.formats import FMT_JSON
from couchbase.n1ql.aio import AsyncioN1QLRequest

from ._backend import AsyncioBackend


class Bucket(BucketBase):
    """A bucket for asyncio. Call ``await bucket.connect()`` before using it."""

    def __init__(
        self,
        connection_string: Optional[str] = None,
        connstr: Optional[str] = None,
        password: Optional[str] = None,
        username: Optional[str] = None,
        quiet: bool = False,
        default_format: int = FMT_JSON,
        timeout: Optional[float] = None,
        transcoder: Any = None,
        data_passthrough: bool = False,
        bootstrap_timeout: Optional[float] = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("unlock_gil", None)
        # one event loop thread: nothing to lock
        bucket = take_bucket_kwargs(kwargs, kwargs.pop("lockmode", None))
        self._settings = read_settings(connection_string or connstr, password, username,
                                       timeout, bootstrap_timeout, bucket)
        self._init_api(self._settings.bucket, quiet, default_format, transcoder,
                       data_passthrough)
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._cluster: Optional[MuxCluster] = None

    async def connect(self) -> Bucket:
        """Bootstrap; raises the same errors as the sync constructor."""
        if self._cluster is not None:
            return self
        loop = asyncio.get_running_loop()
        s = self._settings
        cluster = MuxCluster(s.connstr, s.username, s.password, s.bucket, s.timeout,
                             s.bootstrap_timeout, s.tls, AsyncioBackend(loop))
        future: asyncio.Future[None] = loop.create_future()

        def connected(error: Optional[CouchbaseError]) -> None:
            if future.done():
                return
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

        cluster.connect(connected)
        try:
            await future
        except BaseException:
            cluster.close()
            raise
        self._loop = loop
        self._cluster = cluster
        return self

    on_connect = connect

    # -- connection ----------------------------------------------------------------
    @property
    def timeout(self) -> float:
        return self._live().timeout if self._cluster is not None else self._settings.timeout

    @timeout.setter
    def timeout(self, value: float) -> None:
        self._settings.timeout = check_timeout(value)
        if self._cluster is not None:
            self._cluster.timeout = self._settings.timeout

    @property
    def connected(self) -> bool:
        return self._cluster is not None and not self._cluster.closed

    @property
    def closed(self) -> bool:
        return self._cluster is None or self._cluster.closed

    def _live(self) -> MuxCluster:
        cluster = self._cluster
        if cluster is None:
            raise ObjectDestroyedError("not connected: await bucket.connect() first")
        if cluster.closed:
            raise ObjectDestroyedError("this connection is closed")
        return cluster

    def close(self) -> None:
        if self._cluster is not None:
            self._cluster.close()

    async def __aenter__(self) -> Bucket:
        return await self.connect()

    async def __aexit__(self, *exc: Any) -> None:
        self.close()

    # -- how this front end waits ------------------------------------------------------
    def _future(self) -> asyncio.Future[Any]:
        assert self._loop is not None
        return self._loop.create_future()

    def _run(self, req: Request, finish: Callable[..., Any], key: Any, *args: Any) -> Any:
        cluster = self._live()
        if self._cid:
            req.cid = self._cid
        future = self._future()

        def done(pkt: Optional[Packet], error: Optional[CouchbaseError]) -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
                return
            try:
                future.set_result(finish(key, pkt, *args))
            except CouchbaseError as exc:
                future.set_exception(exc)

        cluster.execute(req, done)
        return future

    def _packet(self, req: Request) -> asyncio.Future[Packet]:
        return self._run(req, lambda _key, pkt: pkt, req.key)

    def _complete(self, entries: list[Any]) -> asyncio.Future[Any]:
        cluster = self._live()
        future = self._future()
        reqs = []
        for entry in entries:
            if self._cid:
                entry[1].cid = self._cid
            reqs.append(entry[1])

        def done(packets: list[Any]) -> None:
            if not future.done():
                future.set_result(finish_entries(entries, packets))

        cluster.execute_multi(reqs, done)
        return future

    def _run_multi(self, entries: list[Any], quiet: bool = False) -> Any:
        async def run() -> Any:
            results, error = await self._complete(entries)
            return multi_result(entries, results, error)

        return asyncio.ensure_future(run())

    def _stats(self, group: bytes) -> asyncio.Future[Any]:
        future = self._future()

        def done(result: Any, error: Optional[CouchbaseError]) -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

        self._live().stats(group, done)
        return future

    def _drive(self, flow: Flow) -> Any:
        return asyncio.ensure_future(self._drive_async(flow))

    async def _drive_async(self, flow: Flow) -> Any:
        reply: Any = None
        error: Optional[BaseException] = None
        while True:
            try:
                command = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration as stop:
                return stop.value
            reply = error = None
            try:
                if isinstance(command, Request):
                    reply = await self._packet(command)
                elif isinstance(command, list):
                    reply = await self._complete(command)
                elif isinstance(command, Sleep):
                    await asyncio.sleep(command.seconds)
                elif isinstance(command, Stats):
                    reply = await self._stats(command.group)
                else:
                    raise TypeError(f"unknown flow command {command!r}")
            except CouchbaseError as exc:
                error = exc

    # -- views: query() returns an AsyncioView (async for); design_* return awaitables ----
    _view_class = AsyncioView
    # N1QL: n1ql_query() returns an AsyncioN1QLRequest (async for); the bucket manager's
    # methods return awaitables, through _http_drive
    _n1ql_class = AsyncioN1QLRequest

    def _http_drive(self, flow: Flow) -> Any:
        return asyncio.ensure_future(drive_http(flow, self))

    # -- scopes and collections (3.x) -------------------------------------------------
    def default_collection(self) -> Collection:
        return Collection(self, DEFAULT, DEFAULT, 0)

    def scope(self, name: str) -> Scope:
        return Scope(self, name)

    async def collection(self, name: str, scope: str = DEFAULT) -> Collection:
        """Collection ``name`` of ``scope`` (resolving its id takes a round trip)."""
        if name == DEFAULT and scope == DEFAULT:
            return self.default_collection()
        if not self._live().collections_enabled():
            raise NotSupportedError("the server does not support collections")
        cid = await self._drive(self._collection_id_flow(scope, name))
        return Collection(self, scope, name, cid)

    def __repr__(self) -> str:
        return f"<acouchbase.Bucket bucket={self._bucket!r} connected={self.connected}>"


class Collection(CollectionMixin, Bucket):
    """A collection of an asyncio :class:`Bucket`."""
