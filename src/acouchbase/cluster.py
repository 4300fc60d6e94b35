"""The asyncio 3.x entry point.

>>> auth = PasswordAuthenticator("Administrator", "password")
>>> cluster = await Cluster.connect("couchbase://127.0.0.1", ClusterOptions(auth))
>>> bucket = cluster.bucket("default")
>>> await bucket.on_connect()
>>> await bucket.default_collection().upsert("key", {"a": 1})
"""

from __future__ import annotations

from typing import Any, Optional

from couchbase.cluster import ClusterBase
from couchbase.options import ClusterOptions

from .bucket import Bucket


class Cluster(ClusterBase[Bucket]):
    """A cluster for asyncio; its buckets share its credentials and options."""

    @classmethod
    async def connect(cls, connection_string: str, options: Optional[ClusterOptions] = None,
                      **kwargs: Any) -> Cluster:
        cluster = cls(connection_string, options, **kwargs)
        await cluster.on_connect()
        return cluster

    async def on_connect(self) -> None:
        """Buckets bootstrap when opened; the cluster object itself needs no connection."""

    def bucket(self, name: str) -> Bucket:
        """Bucket ``name`` (``await bucket.on_connect()`` before using it)."""
        return self._bucket(name, Bucket, lambda b: True)

    def _http_drive(self, flow: Any) -> Any:
        """Run an HTTP-only flow on this loop (cluster managers with no bucket open)."""
        import asyncio

        from couchbase._io.http_only import HttpOnlyIO
        from couchbase._waiting import wait_async

        from ._backend import AsyncioBackend

        backend = AsyncioBackend(asyncio.get_event_loop())
        return asyncio.ensure_future(wait_async(flow, HttpOnlyIO(backend)))

    async def close(self) -> None:
        self._close_buckets()
