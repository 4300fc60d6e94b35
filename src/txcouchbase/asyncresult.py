"""``AsyncResult``: the lightweight handle the raw Twisted front end returns.

No Deferred, no callback chain: the application sets ``callback`` and
``errback`` right after the call, and one of them is called once::

    res = client.get("foo")
    res.callback = lambda result: print("Got item", result)
    res.errback = lambda opres, exc_type, exc_value, exc_tb: print("failed", exc_value)

The outcome always arrives from the reactor, never during the call itself,
so setting the attributes after the call is never too late.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from twisted.logger import Logger
from twisted.python.failure import Failure

from couchbase._operation import Operation, complete
from couchbase.exceptions import CouchbaseError
from couchbase.result import OperationResult

_log = Logger()
_CALLING = object()  # the outcome came while the call that made the handle still ran


def _ignore(result: Any) -> None:
    """The default ``callback``: the application did not ask for the result."""


def _log_error(opres: Any, exc_type: Any, exc_value: BaseException, exc_tb: Any) -> None:
    """The default ``errback``: an error nobody handles is logged, not lost."""
    _log.failure("unhandled error in a couchbase operation ({opres!r})",
                 Failure(exc_value, exc_type, exc_tb), opres=opres)


class AsyncResult:
    """The pending outcome of one operation.

    ``callback(result)`` gets the :class:`~couchbase.result.Result` (a
    ``MultiResult`` for the ``*_multi`` methods); ``errback(opres, exc_type,
    exc_value, exc_traceback)`` gets the failed operation's result (``rc``
    set) and the exception, as ``sys.exc_info()`` would give it.
    """

    __slots__ = ("key", "callback", "errback", "_held", "_op")

    def __init__(self, key: Any = None) -> None:
        self.key = key
        self._op: Optional[Operation] = None  # the operation ``_answer`` completes
        self.callback: Callable[[Any], Any] = _ignore
        self.errback: Callable[[Any, Any, BaseException, Any], Any] = _log_error
        self._held: Any = _CALLING

    def __repr__(self) -> str:
        return f"AsyncResult<Key={self.key!r}>"

    def _ok(self, result: Any) -> None:
        if self._held is not None:
            self._held = (self._ok, result)
            return
        try:
            self.callback(result)
        except Exception:
            _log.failure("an AsyncResult callback raised")

    def _fail(self, exc: BaseException) -> None:
        if self._held is not None:
            self._held = (self._fail, exc)
            return
        try:
            self.errback(self._opres(exc), type(exc), exc, exc.__traceback__)
        except Exception:
            _log.failure("an AsyncResult errback raised")

    def _done(self, result: Any, error: Optional[BaseException]) -> None:
        if error is not None:
            self._fail(error)
        else:
            self._ok(result)

    def _answer(self, pkt: Any, error: Optional[BaseException]) -> None:
        """The cluster's ``done(packet, error)`` for ``_op`` (the raw path's per-operation
        callback: a bound method, where a partial and its tuple were two more objects
        for the cyclic GC to track while the operation is in flight)."""
        assert self._op is not None
        complete(self._op, self._done, pkt, error)

    def _opres(self, exc: BaseException) -> Any:
        if isinstance(exc, CouchbaseError):
            if exc._all_results is not None:  # a multi operation's (not one key's)
                return exc._all_results
            if exc.result is not None:
                return exc.result
            return OperationResult(exc.key if exc.key is not None else self.key, exc.rc)
        return OperationResult(self.key, -1)

    def _release(self, reactor: Any) -> AsyncResult:
        """The call is over: deliver from now on (an outcome held meanwhile, soon)."""
        held, self._held = self._held, None
        if held is not _CALLING:
            reactor.callLater(0, *held)
        return self

