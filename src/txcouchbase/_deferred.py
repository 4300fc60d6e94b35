"""Operations that return Deferreds: the model of :class:`txcouchbase.bucket.Bucket`."""

from __future__ import annotations

from functools import partial
from typing import Any, Optional

from twisted.internet.defer import Deferred

from couchbase._operation import Done, Operation, complete

from ._base import _UP, TxBucketBase, fire_once


class DeferredOps(TxBucketBase):
    """Every key-value method returns a Deferred firing with the same Result objects as
    the synchronous API; failures carry the same exception classes (NotFoundError, ...)."""

    def _run(self, op: Operation) -> Any:
        if self._state != _UP:
            return self._later(lambda: self._run(op), op.key)
        d: Deferred[Any] = Deferred()
        self._cluster.execute(op.req, _Fire(op, d))
        return d

    def _handle(self, key: Any = None) -> tuple[Any, Done]:
        d: Deferred[Any] = Deferred()
        return d, partial(fire_once, d)

    def _deliver(self, handle: Any) -> Any:
        return handle

    def _chain(self, inner: Any, done: Done) -> None:
        inner.addCallbacks(lambda result: done(result, None),
                           lambda failure: done(None, failure.value))


class _Fire:
    """The cluster's ``done(packet, error)`` for one operation: its outcome fires its
    Deferred. One GC-tracked object per operation in flight instead of four (two
    partials and their argument tuples; see acouchbase.bucket._Settle)."""

    __slots__ = ("op", "d")

    def __init__(self, op: Operation, d: Deferred[Any]) -> None:
        self.op = op
        self.d = d

    def __call__(self, pkt: Any, error: Optional[BaseException]) -> None:
        complete(self.op, self.fire, pkt, error)

    def fire(self, result: Any, error: Optional[BaseException]) -> None:
        fire_once(self.d, result, error)
