"""Multi operations through Deferreds, under their underscore and camelCase names."""

from __future__ import annotations

import pytest

from couchbase.exceptions import ArgumentError, KeyExistsError, NotFoundError
from couchbase.formats import FMT_UTF8
from couchbase.result import MultiResult
from txcouchbase._base import TxBucketBase
from txcouchbase.bucket import Bucket

CAMEL = {
    "getMulti": "get_multi", "setMulti": "set_multi", "upsertMulti": "upsert_multi",
    "deleteMulti": "delete_multi", "removeMulti": "remove_multi", "addMulti": "add_multi",
    "insertMulti": "insert_multi", "replaceMulti": "replace_multi",
    "incrMulti": "incr_multi", "decrMulti": "decr_multi", "counterMulti": "counter_multi",
    "touchMulti": "touch_multi", "lockMulti": "lock_multi", "unlockMulti": "unlock_multi",
    "appendMulti": "append_multi", "prependMulti": "prepend_multi",
    "observeMulti": "observe_multi", "endureMulti": "endure_multi",
    "rgetMulti": "rget_multi",
}


@pytest.mark.parametrize("camel, snake", sorted(CAMEL.items()))
def test_camel_case_names_are_aliases(camel, snake):
    assert getattr(TxBucketBase, camel) is getattr(TxBucketBase, snake)
    assert getattr(Bucket, camel) is getattr(Bucket, snake)


def _keys(key, n=3):
    return [f"{key}-{i}" for i in range(n)]


def test_store_and_get(reactor, cb, key):
    keys = _keys(key)
    stored = reactor(cb.upsertMulti, {k: i for i, k in enumerate(keys)})
    assert isinstance(stored, MultiResult) and stored.all_ok
    got = reactor(cb.getMulti, keys)
    assert {k: r.value for k, r in got.items()} == {k: i for i, k in enumerate(keys)}
    assert reactor(cb.setMulti, {keys[0]: "a"}).all_ok
    assert reactor(cb.replaceMulti, {keys[0]: "b"}).all_ok
    assert reactor(cb.get_multi, [keys[0]])[keys[0]].value == "b"


def test_insert_multi_failure_carries_all_results(reactor, cb, key):
    keys = _keys(key)
    reactor(cb.insertMulti, {keys[0]: 1})
    failure = reactor.failure(cb.addMulti, {k: 2 for k in keys})
    assert failure.check(KeyExistsError)
    results = failure.value.all_results
    assert not results[keys[0]].success and results[keys[1]].success


def test_get_multi_missing(reactor, cb, key):
    keys = _keys(key)
    failure = reactor.failure(cb.getMulti, keys)
    assert failure.check(NotFoundError)
    quiet = reactor(cb.getMulti, keys, quiet=True)
    assert not quiet.all_ok and len(quiet) == 3


def test_remove_multi(reactor, cb, key):
    keys = _keys(key)
    reactor(cb.upsertMulti, {k: 1 for k in keys})
    assert reactor(cb.removeMulti, keys[:2]).all_ok
    assert reactor.failure(cb.deleteMulti, keys).check(NotFoundError)
    assert reactor(cb.delete_multi, keys, quiet=True)[keys[2]].success is False


def test_counters(reactor, cb, key):
    keys = _keys(key)
    assert {r.value for r in reactor(cb.counterMulti, keys, initial=5).values()} == {5}
    assert {r.value for r in reactor(cb.incrMulti, keys, 2).values()} == {7}
    assert {r.value for r in reactor(cb.decrMulti, keys, 3).values()} == {4}


def test_touch_lock_unlock(reactor, cb, key):
    keys = _keys(key)
    reactor(cb.upsertMulti, {k: "v" for k in keys})
    assert reactor(cb.touchMulti, keys, ttl=30).all_ok
    locked = reactor(cb.lockMulti, keys, ttl=5)
    assert locked.all_ok
    assert reactor(cb.unlockMulti, locked).all_ok


def test_append_prepend(reactor, cb, key):
    keys = _keys(key, 2)
    reactor(cb.upsertMulti, {k: "mid" for k in keys}, format=FMT_UTF8)
    assert reactor(cb.appendMulti, {k: ">" for k in keys}).all_ok
    assert reactor(cb.prependMulti, {k: "<" for k in keys}).all_ok
    assert {r.value for r in reactor(cb.getMulti, keys).values()} == {"<mid>"}


def test_observe_endure_rget(reactor, cb, key):
    keys = _keys(key, 2)
    stored = reactor(cb.upsertMulti, {k: "r" for k in keys}, persist_to=1, replicate_to=1)
    observed = reactor(cb.observeMulti, keys)
    assert set(observed) == set(keys) and all(r.value for r in observed.values())
    assert reactor(cb.endureMulti, stored, persist_to=1, replicate_to=1).all_ok
    assert {r.value for r in reactor(cb.rgetMulti, keys).values()} == {"r"}


def test_bad_arguments_raise_at_the_call(reactor, cb):
    with pytest.raises(ArgumentError):
        reactor(cb.upsertMulti, "not-a-dict")
    assert reactor(cb.getMulti, []) == {}
