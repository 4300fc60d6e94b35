"""Every key-value operation through Deferreds: the Result it fires with, the exception
class its Failure carries."""

from __future__ import annotations

from typing import Any

import pytest
from twisted.internet import defer
from twisted.python.failure import Failure

from couchbase.exceptions import (
    ArgumentError,
    CouchbaseError,
    DeltaBadvalError,
    KeyExistsError,
    NotFoundError,
    NotStoredError,
    TemporaryFailError,
)
from couchbase.formats import FMT_UTF8
from couchbase.result import OperationResult, ValueResult


def test_upsert_and_get(reactor, cb, key):
    d = reactor(lambda: cb.upsert(key, {"a": 1}))
    assert isinstance(d, OperationResult) and d.success and d.cas
    got = reactor(cb.get, key)
    assert isinstance(got, ValueResult)
    assert got.value == {"a": 1} and got.cas == d.cas


def test_operations_return_deferreds(reactor, cb, key):
    assert reactor(lambda: isinstance(cb.upsert(key, 1), defer.Deferred))
    assert reactor(lambda: isinstance(cb.get(key), defer.Deferred))


def test_get_missing_fails_with_not_found_failure(reactor, cb, key):
    failure = reactor.failure(cb.get, key)
    assert isinstance(failure, Failure)
    assert failure.check(NotFoundError)
    assert failure.value.key == key
    with pytest.raises(NotFoundError):
        reactor(cb.get, key)


def test_get_quiet_fires_with_a_failed_result(reactor, cb, key):
    result = reactor(cb.get, key, quiet=True)
    assert not result.success and result.value is None


def test_insert_existing_fails_with_key_exists(reactor, cb, key):
    reactor(cb.insert, key, 1)
    assert reactor.failure(cb.insert, key, 2).check(KeyExistsError)
    assert reactor.failure(cb.add, key, 2).check(KeyExistsError)


def test_replace(reactor, cb, key):
    assert reactor.failure(cb.replace, key, 1).check(NotFoundError)
    stored = reactor(cb.set, key, 1)
    assert reactor.failure(cb.replace, key, 2, cas=stored.cas + 1).check(KeyExistsError)
    assert reactor(cb.replace, key, 2, cas=stored.cas).success
    assert reactor(cb.get, key).value == 2


def test_append_and_prepend(reactor, cb, key):
    assert reactor.failure(cb.append, key, "x").check(NotStoredError)
    reactor(cb.upsert, key, "mid", format=FMT_UTF8)
    reactor(cb.append, key, ">")
    reactor(cb.prepend, key, "<")
    assert reactor(cb.get, key).value == "<mid>"


def test_remove(reactor, cb, key):
    assert reactor.failure(cb.remove, key).check(NotFoundError)
    assert reactor.failure(cb.delete, key).check(NotFoundError)
    assert not reactor(cb.remove, key, quiet=True).success
    reactor(cb.upsert, key, 1)
    assert reactor(cb.remove, key).success
    assert reactor(cb.exists, key) is False


def test_exists(reactor, cb, key):
    assert reactor(cb.exists, key) is False
    reactor(cb.upsert, key, 1)
    assert reactor(cb.exists, key) is True


def test_counters(reactor, cb, key):
    assert reactor.failure(cb.counter, key).check(NotFoundError)
    assert reactor(cb.counter, key, initial=10).value == 10
    assert reactor(cb.incr, key, 5).value == 15
    assert reactor(cb.decr, key, 3).value == 12
    assert reactor(cb.counter, key, delta=-2).value == 10
    reactor(cb.upsert, key, "text")
    assert reactor.failure(cb.incr, key).check(DeltaBadvalError)


def test_lock_and_unlock(reactor, cb, key):
    assert reactor.failure(cb.lock, key, ttl=5).check(NotFoundError)
    reactor(cb.upsert, key, "v")
    locked = reactor(cb.lock, key, ttl=5)
    assert locked.value == "v"
    assert reactor.failure(cb.upsert, key, "w").check(KeyExistsError, TemporaryFailError)
    assert reactor.failure(cb.unlock, key, locked.cas + 1).check(CouchbaseError)
    assert reactor(cb.unlock, key, locked.cas).success
    assert reactor(cb.upsert, key, "w").success


def test_touch(reactor, cb, key):
    assert reactor.failure(cb.touch, key, ttl=10).check(NotFoundError)
    reactor(cb.upsert, key, 1)
    assert reactor(cb.touch, key, ttl=10).success
    assert reactor(cb.get, key, ttl=20).value == 1


def test_replica_read(reactor, cb, key):
    reactor(cb.upsert, key, "r", persist_to=1, replicate_to=1)
    assert reactor(cb.rget, key).value == "r"
    assert reactor(cb.rget, key, replica_index=0).value == "r"
    assert reactor(cb.get, key, replica=True).value == "r"
    assert reactor.failure(cb.rget, f"{key}-missing").check(NotFoundError)
    with pytest.raises(ArgumentError):  # a bad argument is raised at the call
        reactor(cb.rget, key, replica_index=5)


def test_observe_and_endure(reactor, cb, key):
    stored = reactor(cb.upsert, key, 1)
    observed = reactor(cb.observe, key)
    assert observed.cas == stored.cas and len(observed.value) == 2
    assert reactor(cb.endure, key, persist_to=1, replicate_to=1, cas=stored.cas).success


def test_durable_mutations(reactor, cb, key):
    assert reactor(cb.upsert, key, 1, persist_to=2, replicate_to=1).success
    assert reactor(cb.remove, key, persist_to=1, replicate_to=1).success
    failure = reactor.failure(cb.remove, key, persist_to=1)
    assert failure.check(NotFoundError)


def test_stats(reactor, cb):
    stats = reactor(cb.stats)
    assert stats and all(isinstance(per_node, dict) for per_node in stats.values())


def test_timeout_is_settable(reactor, cb):
    cb.timeout = 7
    assert cb.timeout == 7.0
    with pytest.raises(ArgumentError):
        cb.timeout = 0


def test_failure_reaches_errback_with_documented_class(reactor, cb, key):
    """The guide's ``addErrback(on_get_miss, key)``."""
    def scenario() -> defer.Deferred[Any]:
        misses: list[Any] = []
        cb.delete(key, quiet=True)
        d = cb.get(key).addErrback(lambda err, k: misses.append((err, k)), key)
        return d.addCallback(lambda _: misses)

    ((err, k),) = reactor(scenario)
    assert k == key and isinstance(err, Failure) and err.check(NotFoundError)
