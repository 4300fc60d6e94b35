"""What the Twisted front ends share: bootstrap, the pending queue, callback-driven I/O.

Everything here completes through plain ``ok(result)`` / ``fail(exception)``
callbacks. The Deferred front end passes ``d.callback``/``d.errback``; the
raw front end passes an :class:`~txcouchbase.asyncresult.AsyncResult`'s, so
its per-operation path makes no Deferred at all.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from twisted.internet import defer

from couchbase._bucketbase import BucketBase, Flow, Sleep, Stats, finish_entries, multi_result
from couchbase._core.packet import Packet
from couchbase._core.request import Request
from couchbase._io.mux import MuxCluster
from couchbase._settings import read_settings, take_bucket_kwargs
from couchbase.exceptions import CouchbaseError, ObjectDestroyedError
from couchbase.formats import FMT_JSON

from ._backend import TwistedBackend
from ._n1ql import TxN1QL
from ._views import TxViews

Ok = Callable[[Any], Any]
Fail = Callable[[BaseException], Any]

_CONNECTING = 0
_UP = 1
_FAILED = 2


class TxBucketBase(TxN1QL, TxViews, BucketBase):
    """A bucket on a Twisted reactor. Bootstrapping starts in the constructor.

    Operations issued before the bootstrap finished wait for it; if it fails,
    they fail with its error. Create and use it in the reactor's thread.
    """

    def __init__(
        self,
        connection_string: Optional[str] = None,
        connstr: Optional[str] = None,
        password: Optional[str] = None,
        username: Optional[str] = None,
        quiet: bool = False,
        default_format: int = FMT_JSON,
        timeout: Optional[float] = None,
        transcoder: Any = None,
        data_passthrough: bool = False,
        bootstrap_timeout: Optional[float] = None,
        reactor: Any = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("unlock_gil", None)
        # one reactor thread: nothing to lock
        bucket = take_bucket_kwargs(kwargs, kwargs.pop("lockmode", None))
        if reactor is None:
            from twisted.internet import reactor as default_reactor

            reactor = default_reactor
        self._reactor = reactor
        s = self._settings = read_settings(connection_string or connstr, password, username,
                                           timeout, bootstrap_timeout, bucket)
        self._init_api(s.bucket, quiet, default_format, transcoder, data_passthrough)
        self._state = _CONNECTING
        self._error: Optional[CouchbaseError] = None
        self._pending: list[tuple[Callable[[], Any], Fail]] = []
        self._cluster = MuxCluster(s.connstr, s.username, s.password, s.bucket, s.timeout,
                                   s.bootstrap_timeout, s.tls,
                                   TwistedBackend(reactor, s.connstr, s.bootstrap_timeout))
        self._cluster.connect(self._bootstrapped)

    def _bootstrapped(self, error: Optional[CouchbaseError]) -> None:
        if self._cluster.closed:
            # closed while connecting: the bootstrap may have opened connections since
            self._cluster.close()
            error = error or ObjectDestroyedError("the connection was closed while connecting")
        if self._state != _CONNECTING:
            return
        if error is not None:
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
        self._when_up(lambda: d.callback(self), d.errback)
        return d

    on_connect = connect

    # -- connection ----------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._state == _UP and not self._cluster.closed

    @property
    def closed(self) -> bool:
        return self._cluster.closed

    @property
    def reactor(self) -> Any:
        return self._reactor

    def _live(self) -> MuxCluster:
        """The cluster, connected or not (timeout and nodes are readable before connect)."""
        return self._cluster

    def _replica_count(self) -> int:
        if self._state != _UP:
            raise ObjectDestroyedError("not connected yet: wait for connect()'s Deferred")
        return self._cluster.router.replica_count()

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
    # _later(call, key=None): this front end's result for ``call()``, made once the
    # bucket is connected (a Deferred, or an AsyncResult on the raw path)
    _later: Callable[..., Any]

    # -- callback-driven I/O shared by the front ends --------------------------------------
    def _submit(self, req: Request, finish: Callable[..., Any], key: Any, args: tuple[Any, ...],
                ok: Ok, fail: Fail) -> None:
        if self._cid:
            req.cid = self._cid

        def done(pkt: Optional[Packet], error: Optional[CouchbaseError]) -> None:
            if error is None:
                try:
                    result = finish(key, pkt, *args)
                except CouchbaseError as exc:
                    fail(exc)
                    return
                ok(result)
            else:
                fail(error)

        self._cluster.execute(req, done)

    def _submit_batch(self, entries: list[Any], done: Callable[[Any], Any]) -> None:
        """Run entries as one pipelined batch; ``done((results, first error))``."""
        cid = self._cid
        reqs = []
        for entry in entries:
            if cid:
                entry[1].cid = cid
            reqs.append(entry[1])
        self._cluster.execute_multi(reqs, lambda packets: done(finish_entries(entries, packets)))

    def _submit_multi(self, entries: list[Any], ok: Ok, fail: Fail) -> None:
        def done(outcome: tuple[list[Any], Optional[CouchbaseError]]) -> None:
            try:
                result = multi_result(entries, *outcome)
            except CouchbaseError as exc:
                fail(exc)
                return
            ok(result)

        self._submit_batch(entries, done)

    def _submit_flow(self, flow: Flow, ok: Ok, fail: Fail) -> None:
        """Run a multi-step flow: each command it yields is answered by a callback."""

        def step(reply: Any, error: Optional[BaseException]) -> None:
            try:
                command = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration as stop:
                ok(stop.value)
                return
            except Exception as exc:
                fail(exc)
                return
            if isinstance(command, Request):
                self._submit(command, _packet, command.key, (), answer, throw)
            elif isinstance(command, list):
                self._submit_batch(command, answer)
            elif isinstance(command, Sleep):
                self._reactor.callLater(command.seconds, answer, None)
            elif isinstance(command, Stats):
                self._cluster.stats(command.group,
                                    lambda out, err: throw(err) if err else answer(out))
            else:
                throw(TypeError(f"unknown flow command {command!r}"))

        def answer(reply: Any) -> None:
            step(reply, None)

        def throw(error: BaseException) -> None:
            step(None, error)

        step(None, None)

    # -- operations that read the cluster map before sending: wait for it ------------------
    def rget(self, key: Any, replica_index: Optional[int] = None,
             quiet: Optional[bool] = None, no_format: bool = False) -> Any:
        if self._state != _UP:
            return self._later(lambda: BucketBase.rget(self, key, replica_index, quiet,
                                                       no_format))
        return BucketBase.rget(self, key, replica_index, quiet, no_format)

    def endure(self, key: Any, persist_to: int = -1, replicate_to: int = -1, cas: int = 0,
               check_removed: bool = False, timeout: float = 5.0,
               interval: float = 0.010) -> Any:
        args = (key, persist_to, replicate_to, cas, check_removed, timeout, interval)
        if self._state != _UP:
            return self._later(lambda: BucketBase.endure(self, *args))
        return BucketBase.endure(self, *args)

    def endure_multi(self, keys: Any, persist_to: int = -1, replicate_to: int = -1,
                     timeout: float = 5.0, interval: float = 0.010,
                     check_removed: bool = False) -> Any:
        args = (keys, persist_to, replicate_to, timeout, interval, check_removed)
        if self._state != _UP:
            return self._later(lambda: BucketBase.endure_multi(self, *args))
        return BucketBase.endure_multi(self, *args)

    def _durable_multi(self, entries: list[Any], quiet: bool, persist_to: int,
                       replicate_to: int, removed: bool = False) -> Any:
        args = (entries, quiet, persist_to, replicate_to, removed)
        if (persist_to or replicate_to) and self._state != _UP:
            return self._later(lambda: BucketBase._durable_multi(self, *args))
        return BucketBase._durable_multi(self, *args)

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
    endureMulti = endure_multi
    rgetMulti = BucketBase.rget_multi


def _packet(_key: Any, pkt: Packet) -> Packet:
    return pkt
