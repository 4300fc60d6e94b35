"""The 4.x Collection's key-value methods on every front end, from the 4.x docs
(kv-operations, concurrent-document-mutations, durability): results, options
as objects and keywords, and the documented exceptions (each also its 2.x class)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from couchbase.durability import ClientDurability, DurabilityLevel, ReplicateTo, ServerDurability
from couchbase.exceptions import (
    CasMismatchException,
    DocumentExistsException,
    DocumentLockedException,
    DocumentNotFoundException,
    InvalidArgumentException,
    KeyExistsError,
    NotFoundError,
    TemporaryFailError,
    ValueFormatException,
)
from couchbase.options import (
    DecrementOptions,
    GetOptions,
    IncrementOptions,
    InsertOptions,
    ReplaceOptions,
    SignedInt64,
    UpsertOptions,
)
from couchbase.result import CounterResult, ExistsResult, GetResult, MutationResult
from couchbase.transcoder import RawBinaryTranscoder, RawStringTranscoder
from frontends.conftest import Proxy


@pytest.fixture
def coll(cb: Any) -> Proxy:
    return Proxy(cb._target.default_collection(), cb._resolve)


def test_upsert_then_get(coll: Any, key: str) -> None:
    written = coll.upsert(key, {"name": "Ted", "age": 31})
    assert isinstance(written, MutationResult) and written.cas
    assert written.mutation_token() is not None
    got = coll.get(key)
    assert isinstance(got, GetResult)
    assert got.content_as[dict] == {"name": "Ted", "age": 31}
    assert got.value == {"name": "Ted", "age": 31}
    assert got.cas == written.cas and got.key == key and got.id == key and got.success
    assert got.expiry_time is None


def test_content_as_converts(coll: Any, key: str) -> None:
    coll.upsert(key, "42")
    assert coll.get(key).content_as[str] == "42"
    assert coll.get(key).content_as[int] == 42


def test_get_missing_is_document_not_found_and_not_found_error(coll: Any, key: str) -> None:
    with pytest.raises(DocumentNotFoundException) as info:
        coll.get(key)
    assert isinstance(info.value, NotFoundError)
    assert info.value.context.key == key


def test_insert_existing_is_document_exists(coll: Any, key: str) -> None:
    coll.insert(key, {"a": 1})
    with pytest.raises(DocumentExistsException) as info:
        coll.insert(key, {"a": 2}, InsertOptions(expiry=timedelta(seconds=10)))
    assert isinstance(info.value, KeyExistsError)


def test_replace_with_stale_cas_is_cas_mismatch(coll: Any, key: str) -> None:
    first = coll.upsert(key, 1)
    coll.upsert(key, 2)
    with pytest.raises(CasMismatchException):
        coll.replace(key, 3, ReplaceOptions(cas=first.cas))
    with pytest.raises(CasMismatchException):
        coll.replace(key, 3, cas=first.cas)  # the same as a keyword
    current = coll.get(key)
    assert coll.replace(key, 4, cas=current.cas).cas != current.cas
    with pytest.raises(DocumentNotFoundException):
        coll.replace(key + "-missing", 1)


def test_remove(coll: Any, key: str) -> None:
    written = coll.upsert(key, 1)
    coll.upsert(key, 2)
    with pytest.raises(CasMismatchException):
        coll.remove(key, cas=written.cas)
    assert isinstance(coll.remove(key), MutationResult)
    with pytest.raises(DocumentNotFoundException):
        coll.remove(key)


def test_exists(coll: Any, key: str) -> None:
    missing = coll.exists(key)
    assert isinstance(missing, ExistsResult) and missing.exists is False
    written = coll.upsert(key, 1)
    found = coll.exists(key)
    assert found.exists and found.cas == written.cas
    coll.remove(key)
    assert not coll.exists(key).exists


def test_expiry_as_timedelta_datetime_and_with_expiry(coll: Any, key: str,
                                                     mock_cluster: Any) -> None:
    # The expiry is the server's clock plus the TTL; other tests move the local
    # cluster's clock forward (advance_time), so read it rather than time.time().
    server_now = mock_cluster.call(lambda c: c.clock())
    coll.upsert(key, 1, UpsertOptions(expiry=timedelta(hours=1)))
    expiry = coll.get(key, GetOptions(with_expiry=True)).expiry_time
    assert isinstance(expiry, datetime)
    assert abs(expiry.timestamp() - (server_now + 3600)) < 60
    when = datetime.now() + timedelta(days=40)  # past 30 days: an absolute time
    coll.upsert(key, 1, expiry=when)
    assert abs(coll.get(key, with_expiry=True).expiry_time.timestamp() - when.timestamp()) < 60


def test_preserve_expiry(coll: Any, key: str) -> None:
    coll.upsert(key, 1, expiry=timedelta(hours=2))
    coll.upsert(key, 2, preserve_expiry=True)
    assert coll.get(key, with_expiry=True).expiry_time is not None
    coll.upsert(key, 3)
    assert coll.get(key, with_expiry=True).expiry_time is None


def test_project(coll: Any, key: str) -> None:
    coll.upsert(key, {"name": "Ted", "address": {"city": "Paris", "zip": "75001"}, "x": 1})
    got = coll.get(key, project=["name", "address.city"])
    assert got.content_as[dict] == {"name": "Ted", "address": {"city": "Paris"}}
    many = [f"p{i}" for i in range(20)]  # more than a command holds: fetched whole
    coll.upsert(key, {f"p{i}": i for i in range(25)})
    assert coll.get(key, project=many).content_as[dict] == {f"p{i}": i for i in range(20)}


def test_touch_and_get_and_touch(coll: Any, key: str) -> None:
    coll.upsert(key, "v")
    assert isinstance(coll.touch(key, timedelta(seconds=100)), MutationResult)
    assert coll.get(key, with_expiry=True).expiry_time is not None
    assert coll.get_and_touch(key, timedelta(seconds=0)).content_as[str] == "v"
    assert coll.get(key, with_expiry=True).expiry_time is None
    with pytest.raises(DocumentNotFoundException):
        coll.touch(key + "-missing", timedelta(seconds=10))


def test_get_and_lock_then_unlock(coll: Any, key: str) -> None:
    coll.upsert(key, {"a": 1})
    locked = coll.get_and_lock(key, timedelta(seconds=10))
    assert locked.content_as[dict] == {"a": 1}
    with pytest.raises(DocumentLockedException) as info:
        coll.upsert(key, {"a": 2})
    assert isinstance(info.value, TemporaryFailError)  # the 2.x class of a locked key
    coll.unlock(key, locked.cas)
    coll.upsert(key, {"a": 3})
    with pytest.raises(InvalidArgumentException):
        coll.get_and_lock(key, timedelta(seconds=0))


def test_counters(coll: Any, key: str) -> None:
    binary = Proxy(coll._target.binary(), coll._resolve)
    with pytest.raises(DocumentNotFoundException):
        binary.increment(key, initial=SignedInt64(-1))  # negative initial: not created
    assert binary.increment(key + "-zero").content == 0  # no initial: created with 0
    created = binary.increment(key, IncrementOptions(initial=SignedInt64(10)))
    assert isinstance(created, CounterResult) and created.content == 10
    assert binary.increment(key, delta=5).content == 15
    assert binary.decrement(key, DecrementOptions(delta=20)).content == 0  # floors at 0
    with pytest.raises(InvalidArgumentException):
        binary.increment(key, delta=-1)


def test_append_prepend(coll: Any, key: str) -> None:
    coll.upsert(key, "middle", transcoder=RawStringTranscoder())
    binary = Proxy(coll._target.binary(), coll._resolve)
    binary.append(key, "-end")
    binary.prepend(key, "start-")
    assert coll.get(key, transcoder=RawStringTranscoder()).value == "start-middle-end"
    with pytest.raises(DocumentNotFoundException):
        binary.append(key + "-missing", "x")


def test_default_transcoder_refuses_bytes_and_raw_binary_takes_them(coll: Any,
                                                                      key: str) -> None:
    with pytest.raises(ValueFormatException):
        coll.upsert(key, b"\x00\x01")
    coll.upsert(key, b"\x00\x01", transcoder=RawBinaryTranscoder())
    assert coll.get(key, transcoder=RawBinaryTranscoder()).value == b"\x00\x01"
    with pytest.raises(ValueFormatException):
        assert coll.get(key).value is None  # JSON transcoder reading binary flags: raises


def test_durability(coll: Any, key: str) -> None:
    coll.upsert(key, 1, durability=ServerDurability(DurabilityLevel.MAJORITY))
    coll.upsert(key, 2, UpsertOptions(durability=ClientDurability(
        replicate_to=ReplicateTo.ONE)))
    assert coll.get(key).value == 2
    with pytest.raises(InvalidArgumentException):
        coll.upsert(key, 3, durability="majority")


def test_replica_reads(coll: Any, key: str) -> None:
    coll.upsert(key, {"r": 1}, durability=ClientDurability(replicate_to=ReplicateTo.ONE))
    any_copy = coll.get_any_replica(key)
    assert any_copy.content_as[dict] == {"r": 1}
    copies = coll.get_all_replicas(key)
    assert len(copies) >= 2 and {c.is_replica for c in copies} == {False, True}


def test_bad_arguments(coll: Any, key: str) -> None:
    with pytest.raises(InvalidArgumentException):
        coll.get("")
    with pytest.raises(InvalidArgumentException):
        coll.upsert(key, 1, expiry=timedelta(seconds=-1))
    with pytest.raises(InvalidArgumentException):
        coll.upsert(key, 1, expiry="soon")
    with pytest.raises(InvalidArgumentException):
        coll.get(key, "not options")


def test_data_structures(coll: Any, key: str, front_end: str) -> None:
    """The helpers wait the front end's way; the classes are the sync (and gevent) API."""
    assert coll.list_append(key, "a", create=True) is not None
    assert coll.list_size(key) == 1
    if front_end not in ("sync", "gevent"):
        return
    from couchbase.exceptions import QueueEmpty

    target = coll._target
    items = target.couchbase_list(key + "-l")
    items.append(1)
    items.prepend(0)
    assert items.get_all() == [0, 1] and items.get_at(1) == 1 and len(items) == 2
    assert items.index_of(1) == 1 and list(items) == [0, 1]
    mapping = target.couchbase_map(key + "-m")
    mapping.add("a", 1)
    assert mapping.get("a") == 1 and mapping.exists("a") and mapping.keys() == ["a"]
    unique = target.couchbase_set(key + "-s")
    unique.add("x")
    unique.add("x")
    assert unique.values() == ["x"] and unique.contains("x")
    queue = target.couchbase_queue(key + "-q")
    queue.push(1)
    queue.push(2)
    assert queue.pop() == 1 and queue.size() == 1
    queue.pop()
    with pytest.raises(QueueEmpty):
        queue.pop()
