"""The 1.x ``GConnection``: :class:`couchbase.connection.Connection` for gevent.

>>> from gcouchbase.connection import GConnection
>>> cb = GConnection(bucket="default")
>>> cb.set("foo", "bar")
OperationResult<RC=0x0, Key=foo, CAS=0x...>
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Union

from couchbase.connection import http_connection_string

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
        connstr = http_connection_string(host, port, bucket, kwargs.pop("connection_string", None))
        super().__init__(connstr, password=password, username=username, bucket=bucket, **kwargs)


__all__ = ["GConnection"]
