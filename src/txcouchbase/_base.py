"""What the Twisted front ends share: bootstrap, the pending queue, callback-driven I/O.

Everything here completes through one ``done(result, error)`` callback. The
Deferred front end makes it fire a Deferred; the raw front end an
:class:`~txcouchbase.asyncresult.AsyncResult`, so its per-operation path
makes no Deferred at all. Flows run on :func:`couchbase._waiting.drive_callbacks`.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from twisted.internet import defer

from couchbase._bucketbase import BucketBase, Flow
from couchbase._io.mux import MuxCluster
from couchbase._operation import Done, Operation, finish_batch, multi_result
from couchbase._settings import Settings
from couchbase._waiting import drive_callbacks
from couchbase.exceptions import NotSupportedError, ObjectDestroyedError

from ._analytics import TxAnalytics
from ._backend import TwistedBackend
from ._n1ql import TxN1QL
from ._search import TxSearch
from ._views import TxViews

Fail = Callable[[BaseException], Any]

_CONNECTING = 0
_UP = 1
_FAILED = 2


def fire_once(d: defer.Deferred[Any], result: Any, error: Optional[BaseException]) -> None:
    """Fire ``d`` unless the application cancelled it already."""
    if d.called:
        return
    if error is not None:
        d.errback(error)
    else:
        d.callback(result)


class TxBucketBase(TxAnalytics, TxN1QL, TxSearch, TxViews, BucketBase):
    """A bucket on a Twisted reactor. Bootstrapping starts in the constructor.

    Operations issued before the bootstrap finished wait for it; if it fails,
    they fail with its error. Create and use it in the reactor's thread.
    Takes the arguments of :class:`couchbase.bucket.Bucket` and ``reactor``
    (default: the global one).
    """

    _extra_arguments = ("reactor",)
    _cluster: MuxCluster
    # what a failed bootstrap fails with instead of its 2.x error (the 4.x TxCluster's)
    _connect_errors: Optional[Callable[[BaseException], BaseException]] = None

    def _open(self, settings: Settings, reactor: Any = None, **extra: Any) -> None:
        if reactor is None:
            from twisted.internet import reactor as default_reactor

            reactor = default_reactor
        self._reactor = reactor
        self._state = _CONNECTING
        self._error: Optional[BaseException] = None
        self._pending: list[tuple[Callable[[], Any], Fail]] = []
        self._cluster = MuxCluster(settings, TwistedBackend(reactor, settings.connstr,
                                                            settings.bootstrap_timeout))
        self._cluster.connect(self._bootstrapped)

    def _bootstrapped(self, error: Optional[BaseException]) -> None:
        if self._cluster.closed:
            # closed while connecting: the bootstrap may have opened connections since
            self._cluster.close()
            error = error or ObjectDestroyedError("the connection was closed while connecting")
        if self._state != _CONNECTING:
            return
        if error is not None:
            if self._connect_errors is not None:
                error = self._connect_errors(error)
            self._state, self._error = _FAILED, error
            self._cluster.close()
        else:
            self._state = _UP
        pending, self._pending = self._pending, []
        for run, fail in pending:
            if error is None:
                run()
            else:
                fail(error)

    def _when_up(self, run: Callable[[], Any], fail: Fail) -> None:
        """``run()`` once connected (now, if already); ``fail(error)`` if that failed."""
        if self._state == _UP:
            run()
        elif self._state == _FAILED:
            assert self._error is not None
            fail(self._error)
        else:
            self._pending.append((run, fail))

    def connect(self) -> defer.Deferred[Any]:
        """A Deferred firing with this bucket once connected, or failing with the reason
        (:class:`~couchbase.exceptions.AuthError`, :class:`BucketNotFoundError`,
        :class:`ConnectError`, ...). The bootstrap itself started in the constructor."""
        d: defer.Deferred[Any] = defer.Deferred()
        self._when_up(lambda: fire_once(d, self, None), lambda error: fire_once(d, None, error))
        return d

    on_connect = connect

    def registerDeferred(self, event: str, d: defer.Deferred[Any]) -> None:  # noqa: N802
        """2.x: fire ``d`` on ``event``; the one event is ``"connect"`` (with this
        bucket once connected, or with the reason it could not connect)."""
        if event != "connect":
            raise ValueError(f"unknown event {event!r} (the only one is 'connect')")
        self._when_up(lambda: fire_once(d, self, None), lambda error: fire_once(d, None, error))

    # -- connection ----------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._state == _UP and not self._cluster.closed

    @property
    def reactor(self) -> Any:
        return self._reactor

    def close(self) -> None:
        """Close every connection; operations still waiting fail with ObjectDestroyedError."""
        self._cluster.close()
        if self._state == _CONNECTING:
            self._bootstrapped(ObjectDestroyedError("the connection was closed"))
        elif self._state == _UP:
            self._state, self._error = _FAILED, ObjectDestroyedError("this connection is closed")

    _close = close  # the name the 1.x guide recommends after a connection error

    def __repr__(self) -> str:
        return f"<{type(self).__name__} bucket={self._bucket!r} connected={self.connected}>"

    # -- what each front end supplies -------------------------------------------------
    # _run(op): one operation's handle (the per-operation path, written out by each);
    # _handle(key): a (result handle, done callback) pair: a Deferred, or an AsyncResult
    # on the raw path; _deliver(handle): what the call returns
    _run: Callable[[Operation], Any]
    _handle: Callable[..., tuple[Any, Done]]  # (key=None)

    # -- the hooks (couchbase._bucketbase.FrontEnd), once connected --------------------------

    def _run_multi(self, ops: list[Operation], quiet: bool = False) -> Any:
        if self._state != _UP:
            return self._later(lambda: self._run_multi(ops, quiet))
        handle, done = self._handle()

        def finished(answers: list[Any]) -> None:
            try:
                result = multi_result(ops, *finish_batch(ops, answers))
            except Exception as exc:
                done(None, exc)
                return
            done(result, None)

        self._cluster.execute_multi([op.req for op in ops], finished)
        return self._deliver(handle)

    def _drive(self, flow: Flow) -> Any:
        if self._state != _UP:
            return self._later(lambda: self._drive(flow))
        handle, done = self._handle()
        drive_callbacks(flow, self._cluster, lambda result: done(result, None),
                        lambda error: done(None, error))
        return self._deliver(handle)

    def _push_rows(self, start: Callable[[], Flow], on_rows: Callable[[Any], Any],
                   ok: Callable[[Any], Any], fail: Fail) -> None:
        """Once connected, run the flow ``start()`` makes, pushing its rows to ``on_rows``."""
        def run() -> None:
            try:
                flow = start()
            except Exception as exc:
                fail(exc)
                return
            drive_callbacks(flow, self._cluster, ok, fail, on_rows)

        self._when_up(run, fail)

    def _rows(self, flow: Flow) -> Any:
        """Twisted pushes rows (:meth:`_push_rows`); reading them as they arrive is the
        sync and asyncio front ends' way (an already read request fails before this)."""
        flow.close()
        raise NotSupportedError("on Twisted rows arrive through Deferreds and callbacks, "
                                "not by iterating")

    def _buffered(self, request: Any, result: Any) -> Any:
        """This front end's handle firing with ``result`` (a 4.x query, analytics or
        search result) once every row of its ``request`` arrived; the result's rows
        are then read from memory, as txcouchbase 4.x gives them."""
        handle, done = self._handle()
        rows: list[Any] = []

        def ok(_: Any) -> None:
            request._buffer = rows  # what the request's iteration gives first
            done(result, None)

        self._push_rows(request._start, rows.extend, ok, lambda error: done(None, error))
        return self._deliver(handle)

    def _deliver(self, handle: Any) -> Any:
        """The handle, once the call that made it is over (AsyncResult holds early outcomes)."""
        return handle

    def _later(self, call: Callable[[], Any], key: Any = None) -> Any:
        """This front end's handle for ``call()``'s outcome, made once connected."""
        handle, done = self._handle(key)

        def run() -> None:
            try:
                inner = call()
            except Exception as exc:
                done(None, exc)
                return
            self._chain(inner, done)

        self._when_up(run, lambda error: done(None, error))
        return self._deliver(handle)

    # _chain(inner, done): deliver the outcome of ``inner`` (this front end's handle) to done
    _chain: Callable[[Any, Done], None]

    # camelCase names of the multi operations, conventional in Twisted code
    getMulti = BucketBase.get_multi
    setMulti = BucketBase.upsert_multi
    upsertMulti = BucketBase.upsert_multi
    addMulti = BucketBase.insert_multi
    insertMulti = BucketBase.insert_multi
    replaceMulti = BucketBase.replace_multi
    deleteMulti = BucketBase.remove_multi
    removeMulti = BucketBase.remove_multi
    incrMulti = BucketBase.incr_multi
    decrMulti = BucketBase.decr_multi
    counterMulti = BucketBase.counter_multi
    touchMulti = BucketBase.touch_multi
    lockMulti = BucketBase.lock_multi
    unlockMulti = BucketBase.unlock_multi
    appendMulti = BucketBase.append_multi
    prependMulti = BucketBase.prepend_multi
    observeMulti = BucketBase.observe_multi
    endureMulti = BucketBase.endure_multi
    rgetMulti = BucketBase.rget_multi
