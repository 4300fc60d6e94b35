"""The 3.x entry point: ``Cluster.connect(connstr, ClusterOptions(...))``.

>>> auth = PasswordAuthenticator("Administrator", "password")
>>> cluster = Cluster.connect("couchbase://127.0.0.1", ClusterOptions(auth))
>>> collection = cluster.bucket("default").default_collection()
>>> collection.upsert("key", {"a": 1})
"""

from __future__ import annotations

from typing import Any, Callable, Generic, Optional, TypeVar
from urllib.parse import urlsplit, urlunsplit

from .bucket import Bucket
from .exceptions import ArgumentError, ObjectDestroyedError
from .options import ClusterOptions

B = TypeVar("B")


def bucket_connection_string(connstr: str, bucket: str) -> str:
    """``connstr`` with its path naming ``bucket``."""
    parts = urlsplit(connstr if "://" in connstr else f"couchbase://{connstr}")
    return urlunsplit((parts.scheme, parts.netloc, "/" + bucket, parts.query, ""))


class ClusterBase(Generic[B]):
    """Options and opened buckets of a cluster, whatever the front end."""

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
        self._buckets: dict[str, B] = {}
        self._closed = False

    def _bucket(self, name: str, make: Callable[..., B], reuse: Callable[[B], bool]) -> B:
        if self._closed:
            raise ObjectDestroyedError("this cluster connection is closed")
        bucket = self._buckets.get(name)
        if bucket is None or not reuse(bucket):
            auth = self._options.authenticator
            timeouts = self._options.timeout_options
            bucket = make(bucket_connection_string(self._connstr, name),
                          username=auth.username, password=auth.password,
                          timeout=timeouts.kv_timeout, bootstrap_timeout=timeouts.connect_timeout)
            self._buckets[name] = bucket
        return bucket

    def _close_buckets(self) -> None:
        self._closed = True
        for bucket in self._buckets.values():
            bucket.close()  # type: ignore[attr-defined]
        self._buckets.clear()


class Cluster(ClusterBase[Bucket]):
    """A cluster connection; buckets opened from it share its credentials and options."""

    @classmethod
    def connect(cls, connection_string: str, options: Optional[ClusterOptions] = None,
                **kwargs: Any) -> Cluster:
        return cls(connection_string, options, **kwargs)

    def bucket(self, name: str) -> Bucket:
        """Open (once) and return bucket ``name``."""
        return self._bucket(name, Bucket, lambda b: not b.closed)

    def close(self) -> None:
        self._close_buckets()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
