"""Operations that return Deferreds: the model of :class:`txcouchbase.bucket.Bucket`."""

from __future__ import annotations

from typing import Any, Optional

from twisted.internet.defer import Deferred

from couchbase._operation import Done

from ._base import TxBucketBase


def _firing(d: Deferred[Any]) -> Done:
    def done(result: Any, error: Optional[BaseException]) -> None:
        if error is not None:
            d.errback(error)
        else:
            d.callback(result)
    return done


class DeferredOps(TxBucketBase):
    """Every key-value method returns a Deferred firing with the same Result objects as
    the synchronous API; failures carry the same exception classes (NotFoundError, ...)."""

    def _handle(self, key: Any = None) -> tuple[Any, Done]:
        d: Deferred[Any] = Deferred()
        return d, _firing(d)

    def _deliver(self, handle: Any) -> Any:
        return handle

    def _chain(self, inner: Any, done: Done) -> None:
        inner.addCallbacks(lambda result: done(result, None),
                           lambda failure: done(None, failure.value))
