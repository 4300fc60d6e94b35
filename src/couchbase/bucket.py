"""The synchronous ``Bucket`` (SDK 2.x names, with the 1.x names as aliases).

The API itself is :class:`~couchbase._bucketbase.BucketBase`; this front end
waits by blocking the calling thread (no background thread): its requests
are answered by :class:`~couchbase._io.blocking_cluster.BlockingCluster`.
"""

from __future__ import annotations

from typing import Any

from ._blocking_frontend import BlockingFrontEnd
from ._bucketbase import BucketBase
from ._core.health import PingStatus
from ._io.blocking_cluster import BlockingCluster
from ._locking import make_guard
from ._pipeline import Pipeline
from ._settings import Settings
from .formats import format_of_flags


class Bucket(BlockingFrontEnd, BucketBase):
    """A connection to one bucket of a cluster; the constructor connects.

    >>> cb = Bucket("couchbase://127.0.0.1/default")
    >>> cb.upsert("key", {"a": 1})
    OperationResult<RC=0x0, Key=key, CAS=0x...>

    Arguments as for :class:`~couchbase._bucketbase.BucketBase`.
    """

    _cluster: BlockingCluster

    def _open(self, settings: Settings, **extra: Any) -> None:
        self._guard = make_guard(self._lockmode)
        cluster = BlockingCluster(settings)
        try:
            cluster.connect()
        except BaseException:
            cluster.close()
            raise
        self._cluster = cluster
        self._io = cluster


__all__ = ["Bucket", "PingStatus", "Pipeline", "format_of_flags"]
