"""The asyncio 3.x entry point.

>>> auth = PasswordAuthenticator("Administrator", "password")
>>> cluster = await Cluster.connect("couchbase://127.0.0.1", ClusterOptions(auth))
>>> bucket = cluster.bucket("default")
>>> await bucket.on_connect()
>>> await bucket.default_collection().upsert("key", {"a": 1})
"""

from __future__ import annotations

from typing import Any, Optional

from couchbase.cluster import bucket_connection_string
from couchbase.exceptions import ArgumentError, ObjectDestroyedError
from couchbase.options import ClusterOptions

from .bucket import Bucket


class Cluster:
    """A cluster for asyncio; its buckets share its credentials and options."""

    def __init__(self, connection_string: str, options: Optional[ClusterOptions] = None,
                 **kwargs: Any) -> None:
        if options is None:
            options = kwargs.pop("cluster_options", None)
        if not isinstance(options, ClusterOptions):
            raise ArgumentError("Cluster needs ClusterOptions(PasswordAuthenticator(...))")
        if not isinstance(connection_string, str) or not connection_string:
            raise ArgumentError(f"bad connection string {connection_string!r}")
        self._connstr = connection_string
        self._options = options
        self._buckets: dict[str, Bucket] = {}
        self._closed = False

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
        if self._closed:
            raise ObjectDestroyedError("this cluster connection is closed")
        bucket = self._buckets.get(name)
        if bucket is None:
            auth = self._options.authenticator
            timeouts = self._options.timeout_options
            bucket = Bucket(bucket_connection_string(self._connstr, name),
                            username=auth.username, password=auth.password,
                            timeout=timeouts.kv_timeout,
                            bootstrap_timeout=timeouts.connect_timeout)
            self._buckets[name] = bucket
        return bucket

    async def close(self) -> None:
        self._closed = True
        for bucket in self._buckets.values():
            bucket.close()
        self._buckets.clear()
