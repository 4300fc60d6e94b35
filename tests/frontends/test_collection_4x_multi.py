"""The 4.x *_multi methods on every front end: Multi*Result (results, exceptions,
all_ok), return_exceptions, per_key_options, and the binary *_multi."""

from __future__ import annotations

import re
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


# -- get_multi: the sync API's batch path and the general one give the same ---------------

def test_get_multi_in_a_named_collection(cb: Any, key: str, mock_cluster: Any) -> None:
    scope = f"s{abs(hash(key)) % 10**8}"
    mock_cluster.create_scope("default", scope)
    mock_cluster.create_collection("default", scope, "people")
    named = Proxy(cb._target.scope(scope).collection("people"), cb._resolve)
    default = Proxy(cb._target.default_collection(), cb._resolve)
    docs = {f"{key}-{i}": {"i": i} for i in range(40)}
    assert named.upsert_multi(docs).all_ok
    got = named.get_multi(list(docs))
    assert got.all_ok and {k: r.content_as[dict] for k, r in got.results.items()} == docs
    assert list(got.results) == list(docs)  # in the keys' order
    elsewhere = default.get_multi(list(docs))  # the same keys, another collection
    assert not elsewhere.results and set(elsewhere.exceptions) == set(docs)
    assert all(isinstance(e, DocumentNotFoundException) for e in elsewhere.exceptions.values())


def test_get_multi_of_missing_keys(coll: Any, key: str) -> None:
    keys = [f"{key}-none-{i}" for i in range(30)]
    got = coll.get_multi(keys)
    assert isinstance(got, MultiGetResult) and not got.all_ok and not got.results
    assert list(got.exceptions) == keys
    assert all(isinstance(e, DocumentNotFoundException) for e in got.exceptions.values())
    with pytest.raises(DocumentNotFoundException):
        coll.get_multi(keys, return_exceptions=False)
    coll.upsert(keys[7], "seven")
    mixed = coll.get_multi(keys, GetMultiOptions(return_exceptions=True))
    assert list(mixed.results) == [keys[7]] and keys[7] not in mixed.exceptions
    assert mixed.results[keys[7]].content_as[str] == "seven"
    with pytest.raises(DocumentNotFoundException):
        coll.get_multi(keys, GetMultiOptions(return_exceptions=False))


def test_get_multi_with_per_key_options_behaves_the_same(coll: Any, key: str) -> None:
    docs = {f"{key}-{i}": {"i": i} for i in range(10)}
    coll.upsert_multi(docs)
    keys = [*docs, f"{key}-missing"]
    plain = coll.get_multi(keys)
    for kwargs in ({"per_key_options": {keys[0]: {"timeout": timedelta(seconds=5)}}},
                   {"timeout": timedelta(seconds=5)}):  # (the general path)
        other = coll.get_multi(keys, **kwargs)
        assert list(other.results) == list(plain.results)
        assert {k: (r.cas, r.content_as[dict]) for k, r in other.results.items()} == \
            {k: (r.cas, r.content_as[dict]) for k, r in plain.results.items()}
        assert {k: type(e) for k, e in other.exceptions.items()} == \
            {k: type(e) for k, e in plain.exceptions.items()}
        assert _no_opaque(other.exceptions[keys[-1]]) == _no_opaque(plain.exceptions[keys[-1]])


def _no_opaque(exc: BaseException) -> str:
    return re.sub(r"'opaque': \d+", "", str(exc))  # (the one field that differs)
