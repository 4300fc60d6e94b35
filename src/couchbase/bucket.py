"""The synchronous ``Bucket`` (SDK 2.x names, with the 1.x names as aliases).

The API itself is :class:`~couchbase._bucketbase.BucketBase`; this front end
waits by blocking the calling thread (no background thread).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, Optional

from ._bucketbase import DEFAULT, BucketBase, Flow, Sleep, Stats, finish_entries, multi_result
from ._core.packet import Packet
from ._core.request import Request
from ._io.blocking_cluster import BlockingCluster
from ._locking import LOCKMODE_WAIT, make_guard
from ._pipeline import Pipeline
from ._settings import read_settings, take_bucket_kwargs
from .exceptions import (
    CouchbaseError,
    NotSupportedError,
    ObjectDestroyedError,
)
from .formats import FMT_JSON, format_of_flags
from .result import MultiResult, Result

if TYPE_CHECKING:
    from .collection import Collection, Scope


class Bucket(BucketBase):
    """A connection to one bucket of a cluster.

    >>> cb = Bucket("couchbase://127.0.0.1/default")
    >>> cb.upsert("key", {"a": 1})
    OperationResult<RC=0x0, Key=key, CAS=0x...>
    """

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
        settings = read_settings(connection_string or connstr, password, username, timeout,
                                 bootstrap_timeout, bucket)
        self._guard = make_guard(lockmode)
        self.unlock_gil = unlock_gil
        self._init_api(settings.bucket, quiet, default_format, transcoder, data_passthrough)
        self._connstr = settings.connstr
        self._cluster: Optional[BlockingCluster] = BlockingCluster(
            settings.connstr, settings.username, settings.password, settings.bucket,
            settings.timeout, settings.bootstrap_timeout, settings.tls,
        )
        self._cluster.connect()

    # -- connection ----------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._cluster is None

    def _live(self) -> BlockingCluster:
        cluster = self._cluster
        if cluster is None:
            raise ObjectDestroyedError("this connection is closed")
        return cluster

    def close(self) -> None:
        cluster, self._cluster = self._cluster, None
        if cluster is not None:
            cluster.close()

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
    def _run(self, req: Request, finish: Callable[..., Any], key: Any, *args: Any) -> Any:
        """Execute one request and turn its response into a result (or defer it)."""
        if self._cid:
            req.cid = self._cid
        pipeline = self._pipeline
        if pipeline is not None:
            return pipeline.add(req, finish, key, args)
        with self._guard:
            pkt = self._live().execute(req)
        return finish(key, pkt, *args)

    def _execute(self, req: Request) -> Packet:
        if self._cid:
            req.cid = self._cid
        with self._guard:
            return self._live().execute(req)

    def _complete(self, entries: list[Any]) -> tuple[list[Result], Optional[CouchbaseError]]:
        """Execute entries in one pipelined batch: their results and the first error."""
        cid = self._cid
        reqs = []
        for entry in entries:
            req = entry[1]
            if cid:
                req.cid = cid
            reqs.append(req)
        with self._guard:
            packets = self._live().execute_multi(reqs)
        return finish_entries(entries, packets)

    def _run_multi(self, entries: list[Any], quiet: bool = False) -> MultiResult:
        pipeline = self._pipeline
        if pipeline is not None:
            return pipeline.add_multi(entries, quiet)
        results, error = self._complete(entries)
        return multi_result(entries, results, error)

    def _drive(self, flow: Flow) -> Any:
        """Run a multi-step flow to its result, blocking for each command."""
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
                    time.sleep(command.seconds)
                elif isinstance(command, Stats):
                    with self._guard:
                        reply = self._live().stats(command.group)
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
        return Pipeline(self)

    # -- scopes and collections (3.x) -------------------------------------------------
    def default_collection(self) -> Collection:
        """The default collection: the same documents the Bucket methods reach."""
        return self.collection(DEFAULT, DEFAULT)

    def scope(self, name: str) -> Scope:
        from .collection import Scope

        return Scope(self, name)

    def collection(self, name: str, scope: str = DEFAULT) -> Collection:
        """Collection ``name`` of ``scope``; its key-value methods use the collection id."""
        from .collection import Collection

        cid = 0
        if name != DEFAULT or scope != DEFAULT:
            if not self._live().collections_enabled():
                raise NotSupportedError(
                    "the server does not support collections; only the default one exists")
            cid = self._drive(self._collection_id_flow(scope, name))
        return Collection(self, scope, name, cid)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} bucket={self._bucket!r} closed={self.closed}>"


__all__ = ["Bucket", "format_of_flags"]
