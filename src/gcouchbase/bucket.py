"""The gevent ``Bucket``: the synchronous API, waiting cooperatively.

Methods return results and raise exceptions exactly as
:class:`couchbase.bucket.Bucket` does, but a call blocks only the calling
greenlet: the hub keeps running others meanwhile. Many greenlets may share
one Bucket; their operations are in flight at once on its connections::

    import gevent
    from gcouchbase.bucket import Bucket

    cb = Bucket("couchbase://127.0.0.1/default", username=..., password=...)
    gevent.joinall([gevent.spawn(cb.upsert, f"k{i}", i) for i in range(100)])

No monkey-patching is needed. A Bucket belongs to the thread (and so the
hub) that made it.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Optional, cast

import gevent
from gevent.hub import Waiter, get_hub

from couchbase._bucketbase import (
    DEFAULT,
    BucketBase,
    Flow,
    Sleep,
    Stats,
    finish_entries,
    multi_result,
)
from couchbase._core.packet import Packet
from couchbase._core.request import Request
from couchbase._io.mux import MuxCluster
from couchbase._locking import LOCKMODE_WAIT
from couchbase._pipeline import Pipeline
from couchbase._settings import read_settings, take_bucket_kwargs
from couchbase.collection import CollectionMixin, Scope
from couchbase.exceptions import (
    CouchbaseError,
    NotSupportedError,
    ObjectDestroyedError,
    ObjectThreadError,
)
from couchbase.formats import FMT_JSON
from couchbase.result import MultiResult, Result

from ._backend import GeventBackend
from ._views import GEVENT_IO, GeventIO


class Bucket(BucketBase):
    """A connection to one bucket for gevent; the constructor connects.

    Takes the arguments of :class:`couchbase.bucket.Bucket`. ``lockmode`` is
    accepted and ignored: greenlets share a Bucket without a lock.
    """

    _cluster: Optional[MuxCluster] = None

    def __init__(
        self,
        connection_string: Optional[str] = None,
        connstr: Optional[str] = None,
        password: Optional[str] = None,
        username: Optional[str] = None,
        quiet: bool = False,
        default_format: int = FMT_JSON,
        lockmode: int = LOCKMODE_WAIT,
        unlock_gil: bool = True,
        timeout: Optional[float] = None,
        transcoder: Any = None,
        data_passthrough: bool = False,
        bootstrap_timeout: Optional[float] = None,
        **kwargs: Any,
    ) -> None:
        bucket = take_bucket_kwargs(kwargs, lockmode)
        s = read_settings(connection_string or connstr, password, username, timeout,
                          bootstrap_timeout, bucket)
        self.unlock_gil = unlock_gil
        self._init_api(s.bucket, quiet, default_format, transcoder, data_passthrough)
        self._thread = threading.get_ident()
        self._hub = get_hub()
        self._schedule = schedule = self._hub.loop.run_callback
        cluster = MuxCluster(s.connstr, s.username, s.password, s.bucket, s.timeout,
                             s.bootstrap_timeout, s.tls,
                             GeventBackend(self._hub, s.bootstrap_timeout))
        waiter = Waiter(self._hub)
        cluster.connect(lambda error: schedule(waiter.switch, error))  # no ref to self
        try:
            error = waiter.get()
        except BaseException:
            cluster.close()
            raise
        if error is not None:
            cluster.close()
            raise error
        self._cluster = cluster

    # -- connection ----------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._cluster is None or self._cluster.closed

    def _live(self) -> MuxCluster:
        cluster = self._cluster
        if cluster is None or cluster.closed:
            raise ObjectDestroyedError("this connection is closed")
        if threading.get_ident() != self._thread:
            raise ObjectThreadError(
                "a gcouchbase Bucket belongs to the thread (and gevent hub) that made it")
        return cluster

    def close(self) -> None:
        """Close the connections; operations still waiting raise ObjectDestroyedError."""
        cluster, self._cluster = self._cluster, None
        if cluster is None or cluster.closed:
            return
        if threading.get_ident() == self._thread:
            cluster.close()
        else:  # e.g. garbage collected in another thread: close in the hub's own
            self._hub.loop.run_callback_threadsafe(cluster.close)

    def __enter__(self) -> Bucket:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    # -- how this front end waits ------------------------------------------------------
    def _execute(self, req: Request) -> Packet:
        """Send ``req`` and yield to the hub until its response (or error) arrives."""
        cluster = self._live()
        if self._cid:
            req.cid = self._cid
        waiter = Waiter(self._hub)
        schedule = self._schedule

        def done(pkt: Optional[Packet], error: Optional[CouchbaseError]) -> None:
            schedule(waiter.switch, (pkt, error))

        cluster.execute(req, done)
        pkt, error = waiter.get()
        if error is not None:
            raise error
        return pkt

    def _run(self, req: Request, finish: Callable[..., Any], key: Any, *args: Any) -> Any:
        pipeline = self._pipeline
        if pipeline is not None:
            if self._cid:
                req.cid = self._cid
            return pipeline.add(req, finish, key, args)
        return finish(key, self._execute(req), *args)

    def _complete(self, entries: list[Any]) -> tuple[list[Result], Optional[CouchbaseError]]:
        """Send every entry's request at once: their results and the first error."""
        cluster = self._live()
        cid = self._cid
        reqs = []
        for entry in entries:
            req = entry[1]
            if cid:
                req.cid = cid
            reqs.append(req)
        waiter = Waiter(self._hub)
        schedule = self._schedule
        cluster.execute_multi(reqs, lambda packets: schedule(waiter.switch, packets))
        return finish_entries(entries, waiter.get())

    def _run_multi(self, entries: list[Any], quiet: bool = False) -> MultiResult:
        pipeline = self._pipeline
        if pipeline is not None:
            return pipeline.add_multi(entries, quiet)
        results, error = self._complete(entries)
        return multi_result(entries, results, error)

    def _stats(self, group: bytes) -> Any:
        waiter = Waiter(self._hub)
        schedule = self._schedule
        self._live().stats(group, lambda out, error: schedule(waiter.switch, (out, error)))
        out, error = waiter.get()
        if error is not None:
            raise error
        return out

    def _drive(self, flow: Flow) -> Any:
        """Run a multi-step flow to its result, yielding to the hub for each command."""
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
                    reply = self._execute(command)
                elif isinstance(command, list):
                    reply = self._complete(command)
                elif isinstance(command, Sleep):
                    gevent.sleep(command.seconds)
                elif isinstance(command, Stats):
                    reply = self._stats(command.group)
                else:
                    raise TypeError(f"unknown flow command {command!r}")
            except CouchbaseError as exc:
                error = exc

    def pipeline(self) -> Pipeline:
        """Batch the operations of a ``with`` block into one round of writes.

        >>> with cb.pipeline() as pipe:
        ...     cb.upsert("a", 1)
        ...     cb.get("b")
        >>> pipe.results
        """
        return Pipeline(cast(Any, self))

    def _http_io(self) -> GeventIO:
        """Views and design documents: the sync API over gevent's sockets."""
        return GEVENT_IO

    # -- scopes and collections (3.x) -------------------------------------------------
    def default_collection(self) -> Collection:
        """The default collection: the same documents the Bucket methods reach."""
        return Collection(self, DEFAULT, DEFAULT, 0)

    def scope(self, name: str) -> Scope:
        return Scope(self, name)

    def collection(self, name: str, scope: str = DEFAULT) -> Collection:
        """Collection ``name`` of ``scope``; its key-value methods use the collection id."""
        cid = 0
        if name != DEFAULT or scope != DEFAULT:
            if not self._live().collections_enabled():
                raise NotSupportedError(
                    "the server does not support collections; only the default one exists")
            cid = self._drive(self._collection_id_flow(scope, name))
        return Collection(self, scope, name, cid)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} bucket={self._bucket!r} closed={self.closed}>"


class Collection(CollectionMixin, Bucket):
    """A collection of a gevent :class:`Bucket`; it shares the bucket's connections."""


__all__ = ["Bucket", "Collection"]
