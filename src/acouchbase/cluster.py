"""The asyncio 4.x entry point: :class:`AsyncCluster` (also ``Cluster``).

>>> auth = PasswordAuthenticator("Administrator", "password")
>>> cluster = await Cluster.connect("couchbase://127.0.0.1", ClusterOptions(auth))
>>> async for row in cluster.query("SELECT 1 AS one"):   # no bucket needed
...     print(row)
>>> bucket = cluster.bucket("default")
>>> await bucket.on_connect()
>>> await bucket.default_collection().upsert("key", {"a": 1})

Made on a running loop, the cluster starts bootstrapping its own connection
(no bucket selected) at once, as ``cluster.bucket(name)`` does for a bucket;
``await cluster.on_connect()`` / ``await bucket.on_connect()`` wait for that,
and operations issued earlier wait for it too. A refused password is
AuthenticationException, no answer UnAmbiguousTimeoutException (both from the
awaited call). Every Cluster, Bucket, Scope and Collection method returns an
awaitable; ``query``, ``search_query``, ``analytics_query`` and
``view_query`` return their result at once, read with ``async for`` (its
``metadata()`` once the rows were read) or ``await result.execute()``.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

from couchbase._cluster4x import connect_error
from couchbase._errors4x import UnAmbiguousTimeoutException
from couchbase._health4x import DiagnosticsResult
from couchbase.cluster import ClusterBase
from couchbase.options import ClusterOptions, timeout_seconds

from . import get_event_loop
from .bucket import Bucket


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class AsyncCluster(ClusterBase[Bucket]):
    """A cluster for asyncio; its buckets share its credentials and options."""

    _connection_class = Bucket

    def __init__(self, connection_string: str, options: Optional[ClusterOptions] = None,
                 **kwargs: Any) -> None:
        super().__init__(connection_string, options, **kwargs)
        if self._options is not None and _loop_running():
            self._connect_cluster()  # starts bootstrapping; on_connect() waits for it

    @classmethod
    async def connect(cls, connection_string: str, options: Optional[ClusterOptions] = None,
                      **kwargs: Any) -> AsyncCluster:
        """A connected cluster (AuthenticationException, UnAmbiguousTimeoutException)."""
        cluster = cls(connection_string, options, **kwargs)
        await cluster.on_connect()
        return cluster

    async def on_connect(self) -> AsyncCluster:
        """Wait until the cluster's own connection is up (starting it if needed)."""
        await self._own_connection().connect()
        return self

    @property
    def connected(self) -> bool:
        conn = self._conn
        return conn is not None and conn.connected

    def _connect_cluster(self) -> Bucket:
        conn: Bucket = super()._connect_cluster()
        conn._connect_errors = connect_error
        conn._begin_connect()
        return conn

    def bucket(self, name: str) -> Bucket:
        """Bucket ``name``, bootstrapping (``await bucket.on_connect()`` waits for it)."""
        return self._bucket(name, self._new_bucket, _reusable)

    def _new_bucket(self, *args: Any, **kwargs: Any) -> Bucket:
        bucket = Bucket(*args, **kwargs)
        bucket._connect_errors = connect_error
        if _loop_running():
            bucket._begin_connect()
        return bucket

    # -- what differs from the sync Cluster: awaitables throughout ---------------------------
    async def diagnostics(self, *options: Any,  # type: ignore[override]
                          **kwargs: Any) -> DiagnosticsResult:
        """As the sync Cluster's, once the connections bootstrapping came up."""
        await self.on_connect()
        for bucket in list(self._buckets.values()):
            if not bucket.closed and not bucket.connected:
                try:
                    await bucket.connect()
                except Exception:
                    pass  # a bucket that could not connect is left out of the report
        return super().diagnostics(*options, **kwargs)

    async def wait_until_ready(self, timeout: Any, *options: Any, **kwargs: Any) -> None:
        """Wait (at most ``timeout``, bootstrap included) until the services asked for
        answer pings; UnAmbiguousTimeoutException otherwise."""
        seconds = timeout_seconds(timeout)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        try:
            await asyncio.wait_for(self.on_connect(), seconds)
        except asyncio.TimeoutError:
            raise UnAmbiguousTimeoutException(
                message=f"the cluster did not connect within {seconds} s") from None
        left = max(deadline - loop.time(), 0.001)
        await super().wait_until_ready(left, *options, **kwargs)

    def _http_drive(self, flow: Any) -> Any:
        """Run an HTTP-only flow on this loop (managers of a 2.x-form cluster)."""
        from couchbase._io.http_only import HttpOnlyIO
        from couchbase._waiting import wait_async

        from ._backend import AsyncioBackend

        backend = AsyncioBackend(asyncio.get_event_loop())
        return asyncio.ensure_future(wait_async(flow, HttpOnlyIO(backend)))

    async def close(self) -> None:
        """Close the cluster's connections and its buckets'."""
        txns = self.__dict__.get("_transactions")
        if txns is not None:
            await txns.close()  # stops the background transaction cleanup
        self._close_buckets()


def _reusable(bucket: Bucket) -> bool:
    # open or bootstrapping, or made outside a loop and not connected yet
    return not bucket.closed or (bucket._cluster is None and bucket._connecting is None)


Cluster = AsyncCluster
"""The name the 4.x docs use (``from acouchbase.cluster import Cluster``)."""

__all__ = ["AsyncCluster", "Cluster", "get_event_loop"]
