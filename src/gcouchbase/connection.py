"""The 1.x ``GConnection``: :class:`couchbase.connection.Connection` for gevent.

>>> from gcouchbase.connection import GConnection
>>> cb = GConnection(bucket="default")
>>> cb.set("foo", "bar")
OperationResult<RC=0x0, Key=foo, CAS=0x...>
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Union

from couchbase.connection import _http_connstr
from couchbase.exceptions import ArgumentError

from .bucket import Bucket


class GConnection(Bucket):
    """A gevent connection to one bucket, bootstrapped from the management port (8091).

    Takes the 1.x arguments: ``host`` (a name or a list), ``port``,
    ``bucket``, ``username`` (defaults to the bucket name) and ``password``,
    or a ``connection_string`` instead of ``host`` and ``port``; every other
    keyword is as for :class:`gcouchbase.bucket.Bucket`.
    """

    def __init__(
        self,
        bucket: str = "default",
        host: Union[str, Iterable[str]] = "localhost",
        port: int = 8091,
        password: Optional[str] = None,
        username: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(bucket, str) or not bucket:
            raise ArgumentError(f"bucket must be a non-empty name, not {bucket!r}")
        connstr = kwargs.pop("connection_string", None) or _http_connstr(host, port, bucket)
        super().__init__(connstr, password=password, username=username, bucket=bucket, **kwargs)


__all__ = ["GConnection"]
