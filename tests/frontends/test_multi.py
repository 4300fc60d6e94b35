"""Bulk operations, the Item API, pipelines, observe/endure and stats."""

from __future__ import annotations

import pytest

from couchbase import FMT_UTF8
from couchbase.exceptions import (
    ArgumentError,
    CouchbaseError,
    KeyExistsError,
    NotFoundError,
)
from couchbase.items import Item, ItemOptionDict, ItemSequence
from couchbase.result import MultiResult, OperationResult, ValueResult


def test_upsert_and_get_multi(cb, key):
    docs = {f"{key}-{i}": {"i": i} for i in range(300)}
    stored = cb.upsert_multi(docs)
    assert isinstance(stored, MultiResult) and stored.all_ok
    assert set(stored) == set(docs)
    assert all(isinstance(r, OperationResult) and r.cas for r in stored.values())
    got = cb.get_multi(list(docs))
    assert got.all_ok
    assert {k: r.value for k, r in got.items()} == docs
    assert all(got[k].cas == stored[k].cas for k in docs)


def test_get_multi_quiet_and_failure_carries_all_results(cb, key):
    cb.upsert(f"{key}-here", 1)
    keys = [f"{key}-here", f"{key}-missing"]
    quiet = cb.get_multi(keys, quiet=True)
    assert not quiet.all_ok
    assert quiet[f"{key}-here"].value == 1
    assert quiet[f"{key}-missing"].rc == 0xD and not quiet[f"{key}-missing"].success
    with pytest.raises(NotFoundError) as info:
        cb.get_multi(keys)
    results = info.value.all_results
    assert results[f"{key}-here"].success and results[f"{key}-here"].value == 1
    assert not results[f"{key}-missing"].success


def test_insert_multi_failure_shows_which_keys_failed(cb, key):
    cb.upsert("foo-" + key, "foo value")
    try:
        cb.insert_multi({"foo-" + key: "x", "bar-" + key: "bar value", "baz-" + key: "z"})
    except CouchbaseError as exc:
        failed = {k for k, r in exc.all_results.items() if not r.success}
        assert failed == {"foo-" + key}
        assert isinstance(exc, KeyExistsError)
        rc = exc.all_results["foo-" + key].rc
        assert CouchbaseError.rc_to_exctype(rc) is KeyExistsError
    else:
        pytest.fail("insert_multi of an existing key must raise")
    assert cb.get("bar-" + key).value == "bar value"


def test_remove_touch_counter_lock_multi(cb, key):
    keys = [f"{key}-{i}" for i in range(10)]
    stored = cb.upsert_multi({k: i for i, k in enumerate(keys)})
    assert cb.touch_multi(keys, ttl=100).all_ok
    assert cb.touch_multi({k: 50 for k in keys}).all_ok
    locked = cb.lock_multi(keys[:3], ttl=5)
    assert [locked[k].value for k in keys[:3]] == [0, 1, 2]
    assert cb.unlock_multi(locked).all_ok
    with pytest.raises(KeyExistsError):
        cb.remove_multi({keys[5]: stored[keys[5]].cas + 1})
    assert cb.remove_multi(keys).all_ok
    assert not cb.get_multi(keys, quiet=True).all_ok
    counters = cb.counter_multi([f"{key}-c1", f"{key}-c2"], initial=5)
    assert [r.value for r in counters.values()] == [5, 5]
    assert cb.incr_multi([f"{key}-c1", f"{key}-c2"], amount=3)[f"{key}-c1"].value == 8
    assert cb.decr_multi([f"{key}-c1"], amount=10)[f"{key}-c1"].value == 0


def test_multi_bad_input_is_refused_before_sending(cb, key):
    with pytest.raises(ArgumentError):
        cb.get_multi([key, key])
    with pytest.raises(ArgumentError):
        cb.upsert_multi({key: 1}, cas=123)
    with pytest.raises(ArgumentError):
        cb.get_multi("a-single-key")
    with pytest.raises(ArgumentError):
        cb.upsert_multi({key: 1, "": 2})
    assert not cb.exists(key)  # nothing of the refused batch was stored


def test_item_api_example(cb, key):
    class MyItem(Item):
        def upper(self):
            return self.value.upper()

    itm = MyItem()
    itm.key = key
    itm.value = "Hello World"
    cb.upsert_multi(ItemSequence([itm]), format=FMT_UTF8)
    assert itm.cas and itm.success
    coll = ItemOptionDict()
    coll.add(itm, fragment=" ..again")
    cb.append_items(coll, format=FMT_UTF8)
    assert cb.get(itm.key).value == "Hello World ..again"
    fresh = MyItem(key)
    result = cb.get_multi(ItemSequence([fresh]))
    assert result[key] is fresh and fresh.value == "Hello World ..again"
    assert fresh.upper() == "HELLO WORLD ..AGAIN"


def test_observe_and_endure(cb, key):
    res = cb.upsert(key, "durable", persist_to=1, replicate_to=1)
    assert res.success
    observed = cb.observe(key)
    assert isinstance(observed, ValueResult)
    assert len(observed.value) == 2
    assert sum(1 for info in observed.value if info.from_master) == 1
    assert all(info.cas == res.cas for info in observed.value)
    assert len(cb.observe(key, master_only=True).value) == 1
    with pytest.raises(ArgumentError):
        cb.upsert(key, "x", replicate_to=3)
    cb.remove(key, persist_to=1, replicate_to=1)


def test_stats_per_node(cb):
    stats = cb.stats()
    assert "curr_items" in stats or "pid" in stats
    some = next(iter(stats.values()))
    assert len(some) == 4  # one value per node
    assert all(":" in server for server in some)


# -- stats(keys, keystats=True): one document's metadata, from the node holding it ---------
def test_key_stats_come_from_the_node_holding_the_key(cb, key):
    rv = cb.upsert(key, {"a": 1}, ttl=3600)
    stats = cb.stats([key], keystats=True)
    (server,) = stats["key_cas"]  # one node answers: the active one
    assert int(stats["key_cas"][server]) == rv.cas
    assert int(stats["key_exptime"][server]) > 0
    assert stats["key_vb_state"][server] == "active"
    from couchbase.exceptions import ArgumentError, NotFoundError

    with pytest.raises(NotFoundError):
        cb.stats([key + "-missing"], keystats=True)
    with pytest.raises(ArgumentError):
        cb.stats(keystats=True)
