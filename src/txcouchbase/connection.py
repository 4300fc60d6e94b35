"""The 1.x Twisted names: ``Connection`` (Deferreds) over ``TxAsyncConnection`` (raw).

>>> from txcouchbase.connection import Connection as TxCouchbase
>>> client = TxCouchbase(bucket="default")
>>> client.set("foo", "bar").addCallback(print)
"""

from __future__ import annotations

from couchbase.connection import ConnectionArguments

from ._deferred import DeferredOps
from .bucket import RawBucket


class TxAsyncConnection(ConnectionArguments, RawBucket):
    """A 1.x connection whose operations return :class:`~txcouchbase.asyncresult.AsyncResult`
    handles: set their ``callback``/``errback`` right after the call.

    Takes the 1.x arguments: ``bucket``, ``host`` (a name or a list),
    ``port`` (the management port, 8091), ``username`` (defaults to the
    bucket name), ``password``; or ``connection_string=``. Every other
    keyword is as for :class:`~txcouchbase.bucket.Bucket` (``reactor``,
    ``timeout``, ``quiet``, ...).
    """


class Connection(DeferredOps, TxAsyncConnection):
    """A 1.x connection whose operations return Deferreds firing with Result objects."""


__all__ = ["Connection", "TxAsyncConnection"]
