"""The Twisted ``Bucket`` (SDK 2.x names, the 1.x names as aliases).

:class:`Bucket` returns Deferreds::

    from twisted.internet import reactor
    from txcouchbase.bucket import Bucket

    cb = Bucket("couchbase://127.0.0.1/default", username=..., password=...)
    cb.upsert("key", {"a": 1}).addCallback(print)   # may be called before connect() fires
    cb.connect().addCallback(lambda _: print("connected"))
    reactor.run()

:class:`RawBucket` returns :class:`~txcouchbase.asyncresult.AsyncResult`
handles instead: cheaper, for code that needs no callback chain.
"""

from __future__ import annotations

from typing import Any

from couchbase._operation import Done, Operation
from couchbase.asynchronous.analytics import BatchedAnalyticsRequest
from couchbase.asynchronous.batched_view import BatchedView
from couchbase.asynchronous.fulltext import BatchedSearchRequest
from couchbase.asynchronous.n1ql import BatchedN1QLRequest

from ._base import _UP, TxBucketBase
from ._deferred import DeferredOps
from .asyncresult import AsyncResult


class RawBucket(TxBucketBase):
    """A bucket whose key-value methods return :class:`AsyncResult` handles."""

    def _run(self, op: Operation) -> Any:
        if self._state != _UP:
            return self._later(lambda: self._run(op), op.key)
        res = AsyncResult(op.key)
        res._op = op
        self._cluster.execute(op.req, res._answer)
        return res._release(self._reactor)

    def _handle(self, key: Any = None) -> tuple[Any, Done]:
        res = AsyncResult(key)
        return res, res._done

    def _deliver(self, handle: Any) -> Any:
        return handle._release(self._reactor)

    def _chain(self, inner: Any, done: Done) -> None:
        inner.callback = lambda result: done(result, None)
        inner.errback = lambda _opres, _type, exc, _tb: done(None, exc)


class Bucket(DeferredOps, RawBucket):
    """A bucket whose key-value methods return Deferreds.

    Bootstrapping starts in the constructor; :meth:`connect` returns a
    Deferred firing with the bucket (or failing with AuthError,
    BucketNotFoundError, ConnectError, ...). Operations issued earlier wait
    for it.
    """


TxBucket = Bucket
"""The 4.x name (``txcouchbase.bucket.TxBucket``, what ``TxCluster.bucket()`` gives)."""

__all__ = ["AsyncResult", "BatchedAnalyticsRequest", "BatchedN1QLRequest", "BatchedSearchRequest",
           "BatchedView", "Bucket", "RawBucket", "TxBucket"]
