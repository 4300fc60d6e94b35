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

from typing import Any, Callable

from couchbase._bucketbase import Flow
from couchbase._core.request import Request

from ._base import _UP, TxBucketBase
from ._deferred import DeferredOps
from .asyncresult import AsyncResult


class RawBucket(TxBucketBase):
    """A bucket whose key-value methods return :class:`AsyncResult` handles."""

    def _run(self, req: Request, finish: Callable[..., Any], key: Any, *args: Any) -> Any:
        if self._state != _UP:
            return self._later(lambda: self._run(req, finish, key, *args), key)
        res = AsyncResult(key)
        self._submit(req, finish, key, args, res._ok, res._fail)
        return res._release(self._reactor)

    def _run_multi(self, entries: list[Any], quiet: bool = False) -> Any:
        if self._state != _UP:
            return self._later(lambda: self._run_multi(entries, quiet))
        res = AsyncResult()
        self._submit_multi(entries, res._ok, res._fail)
        return res._release(self._reactor)

    def _drive(self, flow: Flow) -> Any:
        if self._state != _UP:
            return self._later(lambda: self._drive(flow))
        res = AsyncResult()
        self._submit_flow(flow, res._ok, res._fail)
        return res._release(self._reactor)

    def _later(self, call: Callable[[], Any], key: Any = None) -> Any:
        res = AsyncResult(key)

        def run() -> None:
            try:
                inner = call()
            except Exception as exc:
                res._fail(exc)
                return
            res._chain(inner)

        self._when_up(run, res._fail)
        return res._release(self._reactor)


class Bucket(DeferredOps, RawBucket):
    """A bucket whose key-value methods return Deferreds.

    Bootstrapping starts in the constructor; :meth:`connect` returns a
    Deferred firing with the bucket (or failing with AuthError,
    BucketNotFoundError, ConnectError, ...). Operations issued earlier wait
    for it.
    """


__all__ = ["AsyncResult", "Bucket", "RawBucket"]
