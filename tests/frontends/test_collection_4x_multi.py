"""The 4.x *_multi methods on every front end: Multi*Result (results, exceptions,
all_ok), return_exceptions, per_key_options, and the binary *_multi."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from couchbase.exceptions import DocumentExistsException, DocumentNotFoundException
from couchbase.options import (
    GetMultiOptions,
    IncrementMultiOptions,
    IncrementOptions,
    SignedInt64,
    UpsertMultiOptions,
    UpsertOptions,
)
from couchbase.result import (
    CounterResult,
    ExistsResult,
    GetResult,
    MultiCounterResult,
    MultiExistsResult,
    MultiGetResult,
    MultiMutationResult,
    MutationResult,
)
from frontends.conftest import Proxy


@pytest.fixture
def coll(cb: Any) -> Proxy:
    return Proxy(cb._target.default_collection(), cb._resolve)


def test_upsert_multi_then_get_multi(coll: Any, key: str) -> None:
    docs = {f"{key}-{i}": {"i": i} for i in range(5)}
    written = coll.upsert_multi(docs)
    assert isinstance(written, MultiMutationResult) and written.all_ok
    assert all(isinstance(r, MutationResult) for r in written.results.values())
    got = coll.get_multi(list(docs))
    assert isinstance(got, MultiGetResult) and got.all_ok and not got.exceptions
    assert {k: r.content_as[dict] for k, r in got.results.items()} == docs
    assert all(isinstance(r, GetResult) for r in got.results.values())


def test_failures_are_per_key_or_raised(coll: Any, key: str) -> None:
    coll.upsert(key, 1)
    got = coll.get_multi([key, key + "-missing"])
    assert not got.all_ok
    assert list(got.results) == [key]
    assert isinstance(got.exceptions[key + "-missing"], DocumentNotFoundException)
    with pytest.raises(DocumentNotFoundException):
        coll.get_multi([key, key + "-missing"], GetMultiOptions(return_exceptions=False))
    inserted = coll.insert_multi({key: 2, key + "-new": 3})
    assert isinstance(inserted.exceptions[key], DocumentExistsException)
    assert key + "-new" in inserted.results


def test_exists_remove_touch_lock_unlock_multi(coll: Any, key: str) -> None:
    keys = [f"{key}-{i}" for i in range(3)]
    coll.upsert_multi({k: k for k in keys})
    found = coll.exists_multi(keys + [key + "-missing"])
    assert isinstance(found, MultiExistsResult)
    assert all(isinstance(r, ExistsResult) for r in found.results.values())
    assert [found.results[k].exists for k in keys + [key + "-missing"]] == [True] * 3 + [False]
    assert coll.touch_multi(keys, timedelta(seconds=60)).all_ok
    locked = coll.get_and_lock_multi(keys, timedelta(seconds=10))
    assert locked.all_ok
    assert coll.unlock_multi(locked) == dict.fromkeys(keys)  # key -> None: unlocked
    assert coll.remove_multi(keys).all_ok
    assert not coll.remove_multi(keys).all_ok


def test_per_key_options(coll: Any, key: str) -> None:
    coll.upsert_multi({key: 1, key + "-b": 2},
                      UpsertMultiOptions(per_key_options={
                          key: UpsertOptions(expiry=timedelta(hours=1))}))
    assert coll.get(key, with_expiry=True).expiry_time is not None
    assert coll.get(key + "-b", with_expiry=True).expiry_time is None


def test_replica_multi(coll: Any, key: str) -> None:
    coll.upsert(key, 1)
    assert coll.get_all_replicas_multi([key]).results[key][0].content_as[int] == 1
    any_copy = coll.get_any_replica_multi([key, key + "-missing"])
    assert any_copy.results[key].content_as[int] == 1
    assert key + "-missing" in any_copy.exceptions


def test_binary_multi(coll: Any, key: str) -> None:
    binary = Proxy(coll._target.binary(), coll._resolve)
    keys = [f"{key}-{i}" for i in range(3)]
    counted = binary.increment_multi(keys, IncrementMultiOptions(
        per_key_options={k: IncrementOptions(initial=SignedInt64(5)) for k in keys}))
    assert isinstance(counted, MultiCounterResult) and counted.all_ok
    assert all(isinstance(r, CounterResult) and r.content == 5
               for r in counted.results.values())
    assert binary.decrement_multi(keys, delta=2).results[keys[0]].content == 3
