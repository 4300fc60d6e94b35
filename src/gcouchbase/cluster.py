"""The gevent 4.x entry point: the sync ``Cluster`` API, waiting cooperatively.

>>> cluster = Cluster("couchbase://127.0.0.1", ClusterOptions(auth))
>>> rows = list(cluster.query("SELECT 1 AS one"))  # blocks only this greenlet

Buckets opened from it are :class:`gcouchbase.bucket.Bucket` objects; the
cluster's own connection (queries, pings, wait_until_ready with no bucket
open) is one too. Use it in the thread (and hub) that made it.
"""

from __future__ import annotations

from typing import Any, Optional

from couchbase.cluster import ClusterBase
from couchbase.options import ClusterOptions

from .bucket import Bucket


class Cluster(ClusterBase[Bucket]):
    """A cluster for gevent; the constructor connects (as the sync API's does)."""

    _connection_class = Bucket

    def __init__(self, connection_string: str, options: Optional[ClusterOptions] = None,
                 **kwargs: Any) -> None:
        super().__init__(connection_string, options, **kwargs)
        if self._options is not None:
            self._connect_cluster()

    @classmethod
    def connect(cls, connection_string: str, options: Optional[ClusterOptions] = None,
                **kwargs: Any) -> Cluster:
        return cls(connection_string, options, **kwargs)

    def bucket(self, bucket_name: str) -> Bucket:
        """Open (once) and return bucket ``bucket_name``."""
        return self._bucket(bucket_name, Bucket, lambda b: not b.closed)

    def close(self) -> None:
        self._close_buckets()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


__all__ = ["Cluster"]
