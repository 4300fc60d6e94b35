"""The 1.x ``GConnection``: :class:`couchbase.connection.Connection` for gevent.

>>> from gcouchbase.connection import GConnection
>>> cb = GConnection(bucket="default")
>>> cb.set("foo", "bar")
OperationResult<RC=0x0, Key=foo, CAS=0x...>
"""

from __future__ import annotations

from couchbase.connection import ConnectionArguments

from .bucket import Bucket


class GConnection(ConnectionArguments, Bucket):
    """A gevent connection to one bucket, bootstrapped from the management port (8091).

    Takes the 1.x arguments: ``host`` (a name or a list), ``port``,
    ``bucket``, ``username`` (defaults to the bucket name) and ``password``,
    or a ``connection_string`` instead of ``host`` and ``port``; every other
    keyword is as for :class:`gcouchbase.bucket.Bucket`.
    """


__all__ = ["GConnection"]
