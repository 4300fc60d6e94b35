"""What keeps many operations in flight cheap on Twisted: finished operations leave no
garbage cycles behind (they are freed by reference counting, so the cyclic GC has
nothing to find and no reason to run more often)."""

from __future__ import annotations

import gc
import platform

import pytest
from twisted.internet import defer

from txcouchbase.bucket import RawBucket

# reference counting frees what has no cycle; PyPy has neither it nor a count
_CPYTHON = pytest.mark.skipif(platform.python_implementation() != "CPython",
                              reason="CPython's reference counting and gc.collect() count")


def _no_cycles_left(reactor, run_gets) -> int:
    reactor(run_gets)  # warm up: first-use caches are not garbage
    gc.collect()
    gc.disable()
    try:
        reactor(run_gets)
        return gc.collect()
    finally:
        gc.enable()


@_CPYTHON
def test_deferred_gets_create_no_garbage_cycles(reactor, cb, key):
    reactor(cb.upsert, key, {"a": 1})

    def gets():
        return defer.gatherResults([cb.get(key) for _ in range(500)])

    assert _no_cycles_left(reactor, gets) < 50  # (the test's own Deferreds, not one per get)


@_CPYTHON
def test_raw_gets_create_no_garbage_cycles(reactor, open_bucket, key):
    raw = open_bucket(RawBucket)
    reactor(open_bucket().upsert, key, {"a": 1})

    def gets():
        done = defer.Deferred()
        left = [500]

        def ok(result):
            left[0] -= 1
            if not left[0]:
                done.callback(None)

        for _ in range(500):
            raw.get(key).callback = ok
        return done

    assert _no_cycles_left(reactor, gets) < 50
