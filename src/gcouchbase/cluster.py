"""The gevent 4.x entry point: the sync ``Cluster`` API, waiting cooperatively.

>>> cluster = Cluster("couchbase://127.0.0.1", ClusterOptions(auth))
>>> rows = list(cluster.query("SELECT 1 AS one"))  # blocks only this greenlet

Buckets opened from it are :class:`gcouchbase.bucket.Bucket` objects; the
cluster's own connection (queries, pings, wait_until_ready with no bucket
open) is one too. Use it in the thread (and hub) that made it.
"""

from __future__ import annotations

from couchbase.cluster import BlockingClusterBase

from .bucket import Bucket


class Cluster(BlockingClusterBase[Bucket]):
    """A cluster for gevent; the constructor connects (as the sync API's does)."""

    _connection_class = Bucket


__all__ = ["Cluster"]
