"""What keeps many operations in flight cheap on Twisted: finished operations leave no
garbage cycles behind (they are freed by reference counting, so the cyclic GC has
nothing to find and no reason to run more often)."""

from __future__ import annotations

from twisted.internet import defer

from gc_probe import CPYTHON_ONLY, cycles_per_op  # tests/, shared
from txcouchbase.bucket import RawBucket


@CPYTHON_ONLY
def test_deferred_gets_create_no_garbage_cycles(reactor, cb, key):
    reactor(cb.upsert, key, {"a": 1})

    def gets(n: int) -> None:
        reactor(lambda: defer.gatherResults([cb.get(key) for _ in range(n)]))

    assert cycles_per_op(gets) < 0.5  # a cycle per get would be >= 1


@CPYTHON_ONLY
def test_raw_gets_create_no_garbage_cycles(reactor, open_bucket, key):
    raw = open_bucket(RawBucket)
    reactor(open_bucket().upsert, key, {"a": 1})

    def gets(n: int) -> None:
        def issue():
            done = defer.Deferred()
            left = [n]

            def ok(result):
                left[0] -= 1
                if not left[0]:
                    done.callback(None)

            for _ in range(n):
                raw.get(key).callback = ok
            return done

        reactor(issue)

    assert cycles_per_op(gets) < 0.5
