"""The ``*_multi`` operations of the gevent Bucket: one batch, many nodes, per-key errors."""

from __future__ import annotations

import pytest

from couchbase import FMT_UTF8
from couchbase.exceptions import (
    ArgumentError,
    DuplicateCommandsError,
    KeyExistsError,
    NotFoundError,
    TemporaryFailError,
)
from couchbase.items import Item, ItemOptionDict
from couchbase.result import MultiResult, OperationResult


def test_upsert_and_get_multi(gcb, key):
    docs = {f"{key}-{i}": {"i": i} for i in range(300)}
    stored = gcb.upsert_multi(docs)
    assert isinstance(stored, MultiResult) and stored.all_ok and set(stored) == set(docs)
    assert all(isinstance(r, OperationResult) and r.cas for r in stored.values())
    got = gcb.get_multi(list(docs))
    assert {k: r.value for k, r in got.items()} == docs
    assert all(got[k].cas == stored[k].cas for k in docs)


def test_failure_carries_all_results(gcb, key):
    gcb.upsert(f"{key}-here", 1)
    keys = [f"{key}-here", f"{key}-missing"]
    quiet = gcb.get_multi(keys, quiet=True)
    assert not quiet.all_ok and quiet[f"{key}-missing"].rc == 0xD
    with pytest.raises(NotFoundError) as info:
        gcb.get_multi(keys)
    assert info.value.all_results[f"{key}-here"].value == 1
    with pytest.raises(KeyExistsError) as exists:
        gcb.insert_multi({f"{key}-here": 2, f"{key}-new": 3})
    assert not exists.value.all_results[f"{key}-here"].success
    assert exists.value.all_results[f"{key}-new"].success
    with pytest.raises(NotFoundError):
        gcb.replace_multi({f"{key}-missing": 1})


def test_counter_touch_lock_remove_multi(gcb, key):
    keys = [f"{key}-{i}" for i in range(10)]
    counted = gcb.counter_multi(keys, initial=5)
    assert all(r.value == 5 for r in counted.values())
    assert all(r.value == 7 for r in gcb.incr_multi(keys, amount=2).values())
    assert all(r.value == 6 for r in gcb.decr_multi(keys).values())
    assert gcb.touch_multi(keys, ttl=100).all_ok
    locked = gcb.lock_multi(keys, ttl=10)
    with pytest.raises(TemporaryFailError):
        gcb.upsert(keys[0], 1)
    assert gcb.unlock_multi({k: r.cas for k, r in locked.items()}).all_ok
    assert gcb.remove_multi(keys).all_ok
    with pytest.raises(NotFoundError):
        gcb.remove_multi(keys)
    assert not gcb.remove_multi(keys, quiet=True).all_ok


def test_append_prepend_replica_observe_endure_multi(gcb, key):
    keys = [f"{key}-{i}" for i in range(5)]
    gcb.upsert_multi({k: "mid" for k in keys}, format=FMT_UTF8)
    gcb.append_multi({k: "-end" for k in keys})
    gcb.prepend_multi({k: "start-" for k in keys})
    assert all(r.value == "start-mid-end" for r in gcb.get_multi(keys).values())
    assert all(r.value == "start-mid-end" for r in gcb.rget_multi(keys).values())
    observed = gcb.observe_multi(keys)
    assert set(observed) == set(keys) and all(len(r.value) == 2 for r in observed.values())
    stored = gcb.upsert_multi({k: 1 for k in keys}, persist_to=1, replicate_to=1)
    assert stored.all_ok
    assert gcb.endure_multi({k: r.cas for k, r in stored.items()}, persist_to=1,
                            replicate_to=1).all_ok


def test_item_api(gcb, key):
    items = ItemOptionDict()
    first, second = Item(f"{key}-a", {"a": 1}), Item(f"{key}-b", {"b": 2})
    items.add(first)
    items.add(second, ttl=100)
    gcb.upsert_multi(items)
    assert first.cas and second.cas and first.rc == 0
    fetched = Item(f"{key}-a")
    gcb.get_multi(ItemOptionDict({fetched: {}}))
    assert fetched.value == {"a": 1}


def test_input_is_checked_before_anything_is_sent(gcb, key):
    with pytest.raises(ArgumentError):
        gcb.get_multi(key)  # one key, not a list of them
    with pytest.raises(DuplicateCommandsError):
        gcb.get_multi([key, key])
    with pytest.raises(ArgumentError):
        gcb.upsert_multi({key: 1, "": 2})
    assert gcb.exists(key) is False
    assert gcb.get_multi([]) == {}
