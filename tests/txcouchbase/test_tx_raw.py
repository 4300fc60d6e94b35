"""The raw front end (TxAsyncConnection, RawBucket): AsyncResult handles, no Deferreds."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from twisted.internet import defer

from couchbase.exceptions import KeyExistsError, NotFoundError
from couchbase.result import MultiResult, OperationResult, ValueResult
from txcouchbase.asyncresult import AsyncResult
from txcouchbase.bucket import Bucket, RawBucket
from txcouchbase.connection import Connection, TxAsyncConnection


def test_hierarchy():
    assert issubclass(Connection, TxAsyncConnection)
    assert issubclass(Bucket, RawBucket)


def test_callback_gets_the_result(reactor, open_bucket, key):
    conn = open_bucket(TxAsyncConnection)
    assert reactor(lambda: isinstance(conn.set(key, "bar"), AsyncResult))
    kind, (result,) = reactor.raw(conn.set, key, "bar")
    assert kind == "callback" and isinstance(result, OperationResult) and result.success
    kind, (result,) = reactor.raw(conn.get, key)
    assert kind == "callback" and isinstance(result, ValueResult) and result.value == "bar"


def test_errback_signature(reactor, open_bucket, key):
    conn = open_bucket(RawBucket)
    kind, args = reactor.raw(conn.get, key)
    assert kind == "errback"
    opres, exc_type, exc_value, exc_traceback = args
    assert exc_type is NotFoundError and isinstance(exc_value, NotFoundError)
    assert opres.key == key and opres.rc == exc_value.rc == 0x0D and not opres.success
    assert exc_traceback is None or isinstance(exc_traceback, TracebackType)


def test_multi_and_flows(reactor, open_bucket, key):
    conn = open_bucket(RawBucket)
    keys = [f"{key}-{i}" for i in range(3)]
    kind, (result,) = reactor.raw(conn.upsertMulti, {k: i for i, k in enumerate(keys)})
    assert kind == "callback" and isinstance(result, MultiResult) and result.all_ok
    kind, (opres, exc_type, _, _) = reactor.raw(conn.insertMulti, {k: 0 for k in keys})
    assert kind == "errback" and exc_type is KeyExistsError
    assert isinstance(opres, MultiResult) and set(opres) == set(keys)
    kind, (observed,) = reactor.raw(conn.observe, keys[0])
    assert kind == "callback" and observed.value
    kind, (exists,) = reactor.raw(conn.exists, keys[0])
    assert exists is True
    kind, (empty,) = reactor.raw(conn.get_multi, [])  # completes at once: still delivered
    assert kind == "callback" and empty == {}


def test_no_deferred_on_the_raw_path(reactor, open_bucket, key):
    conn = open_bucket(RawBucket)
    # connections to the other nodes open on first use (connectTCP makes Deferreds)
    reactor.raw(conn.get_multi, [f"{key}-warm-{i}" for i in range(64)], quiet=True)
    reactor.raw(conn.upsert, key, 1)

    def scenario() -> defer.Deferred[Any]:
        done: defer.Deferred[Any] = defer.Deferred()
        created = []
        original = defer.Deferred.__init__

        def counting(self: Any, *args: Any, **kwargs: Any) -> None:
            created.append(self)
            original(self, *args, **kwargs)

        left = [200]

        def one(*_: Any) -> None:
            left[0] -= 1
            if not left[0]:
                defer.Deferred.__init__ = original  # type: ignore[method-assign]
                done.callback(len(created))

        defer.Deferred.__init__ = counting  # type: ignore[method-assign]
        for i in range(100):
            res = conn.get(key)
            res.callback = one
            res = conn.get(f"{key}-missing-{i}")
            res.errback = one
        return done

    assert reactor(scenario) == 0


def test_callback_errors_are_logged_not_fatal(reactor, open_bucket, key):
    conn = open_bucket(RawBucket)

    def scenario() -> defer.Deferred[Any]:
        done: defer.Deferred[Any] = defer.Deferred()

        def broken(result: Any) -> None:
            raise RuntimeError("application bug")

        res = conn.upsert(key, 1)
        res.callback = broken
        nxt = conn.get(key)  # the connection survives the application's exception
        nxt.callback = done.callback
        return done

    assert reactor(scenario).value == 1


def test_many_operations_in_flight(reactor, open_bucket, key):
    conn = open_bucket(TxAsyncConnection)
    deferred_bucket = open_bucket(Bucket)
    n = 2000

    def raw_scenario() -> defer.Deferred[Any]:
        done: defer.Deferred[Any] = defer.Deferred()
        results: dict[str, Any] = {}

        def store(k: str) -> Any:
            def on_result(result: Any) -> None:
                results[k] = result
                if len(results) == n:
                    done.callback(results)
            return on_result

        for i in range(n):
            k = f"{key}-{i}"
            res = conn.set(k, i)
            res.callback = store(k)
        return done

    stored = reactor(raw_scenario)
    assert len(stored) == n and all(r.success for r in stored.values())

    def deferred_scenario() -> defer.Deferred[Any]:
        return defer.gatherResults([deferred_bucket.get(f"{key}-{i}") for i in range(n)])

    got = reactor(deferred_scenario)
    assert [r.value for r in got] == list(range(n))
