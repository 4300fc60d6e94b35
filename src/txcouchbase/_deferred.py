"""Operations that return Deferreds: the model of :class:`txcouchbase.bucket.Bucket`."""

from __future__ import annotations

from typing import Any, Callable

from twisted.internet.defer import Deferred

from couchbase._bucketbase import Flow
from couchbase._core.request import Request

from ._base import _UP, TxBucketBase


class DeferredOps(TxBucketBase):
    """Every key-value method returns a Deferred firing with the same Result objects as
    the synchronous API; failures carry the same exception classes (NotFoundError, ...)."""

    def _run(self, req: Request, finish: Callable[..., Any], key: Any, *args: Any) -> Any:
        if self._state != _UP:
            return self._later(lambda: self._run(req, finish, key, *args))
        d: Deferred[Any] = Deferred()
        self._submit(req, finish, key, args, d.callback, d.errback)
        return d

    def _run_multi(self, entries: list[Any], quiet: bool = False) -> Any:
        if self._state != _UP:
            return self._later(lambda: self._run_multi(entries, quiet))
        d: Deferred[Any] = Deferred()
        self._submit_multi(entries, d.callback, d.errback)
        return d

    def _drive(self, flow: Flow) -> Any:
        if self._state != _UP:
            return self._later(lambda: self._drive(flow))
        d: Deferred[Any] = Deferred()
        self._submit_flow(flow, d.callback, d.errback)
        return d

    def _later(self, call: Callable[[], Any], key: Any = None) -> Any:
        d: Deferred[Any] = Deferred()

        def run() -> None:
            try:
                inner = call()
            except Exception:
                d.errback()
                return
            inner.chainDeferred(d)

        self._when_up(run, d.errback)
        return d
