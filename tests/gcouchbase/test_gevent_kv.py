"""Every key-value operation of the gevent Bucket, with the sync API's results and errors."""

from __future__ import annotations

import gevent
import pytest

from couchbase import FMT_BYTES, FMT_JSON, FMT_PICKLE, FMT_UTF8
from couchbase.exceptions import (
    ArgumentError,
    CouchbaseError,
    DurabilityError,
    KeyExistsError,
    NotFoundError,
    PipelineError,
    TemporaryFailError,
    ValueFormatError,
)
from couchbase.exceptions import TimeoutError as CBTimeoutError
from couchbase.result import OperationResult, ValueResult


def test_upsert_get_replace_remove(gcb, key):
    stored = gcb.upsert(key, {"name": "Juleøl", "abv": 5.9})
    assert isinstance(stored, OperationResult) and stored.success and stored.cas
    got = gcb.get(key)
    assert isinstance(got, ValueResult) and got.value == {"name": "Juleøl", "abv": 5.9}
    assert got.cas == stored.cas and got.flags == FMT_JSON
    assert gcb.replace(key, {"v": 2}, cas=got.cas).cas != got.cas
    with pytest.raises(KeyExistsError) as info:
        gcb.replace(key, {"v": 3}, cas=got.cas)
    assert info.value.key == key and info.value.rc == 0xC
    assert gcb.remove(key).success
    with pytest.raises(NotFoundError) as missing:
        gcb.get(key)
    assert missing.value.key == key and missing.value.rc == 0xD


def test_insert_replace_remove_errors(gcb, key):
    gcb.insert(key, "first")
    with pytest.raises(KeyExistsError):
        gcb.insert(key, "second")
    with pytest.raises(NotFoundError):
        gcb.replace(key + "-missing", 1)
    with pytest.raises(NotFoundError):
        gcb.remove(key + "-missing")
    with pytest.raises(KeyExistsError):
        gcb.remove(key, cas=1)
    assert gcb.get(key).value == "first"


def test_1x_names(gcb, key):
    assert gcb.set(key, 1).success
    with pytest.raises(KeyExistsError):
        gcb.add(key, 2)
    assert gcb.incr(key + "-n", initial=5).value == 5
    assert gcb.decr(key + "-n", amount=2).value == 3
    assert gcb.delete(key).success
    with pytest.raises(NotFoundError):
        gcb.delete(key)


def test_quiet_get_and_remove(gcb, key):
    result = gcb.get(key, quiet=True)
    assert not result.success and result.rc == 0xD and result.value is None
    assert gcb.remove(key, quiet=True).rc == 0xD
    gcb.quiet = True
    assert gcb.get(key).rc == 0xD


@pytest.mark.parametrize("value,fmt", [
    ({"a": [1, 2.5, None, True]}, FMT_JSON),
    ("text ünïcode", FMT_UTF8),
    (b"\x00\x01\xffbinary", FMT_BYTES),
    ({1, 2, 3}, FMT_PICKLE),
])
def test_formats_round_trip(gcb, key, value, fmt):
    gcb.upsert(key, value, format=fmt)
    got = gcb.get(key)
    assert got.value == value and got.flags == fmt
    assert isinstance(gcb.get(key, no_format=True).value, bytes)


def test_counter(gcb, key):
    with pytest.raises(NotFoundError):
        gcb.counter(key)
    assert gcb.counter(key, initial=10).value == 10
    assert gcb.counter(key, delta=5).value == 15
    assert gcb.counter(key, delta=-20).value == 0
    gcb.upsert(key + "-text", "not a number")
    with pytest.raises(CouchbaseError):
        gcb.counter(key + "-text")


def test_touch_and_expiry(gcb, key, mock_cluster):
    gcb.upsert(key, "short", ttl=10)
    assert gcb.touch(key, ttl=100).success
    mock_cluster.advance_time(50)
    assert gcb.get(key, ttl=5).value == "short"  # get-and-touch
    mock_cluster.advance_time(10)
    with pytest.raises(NotFoundError):
        gcb.get(key)
    with pytest.raises(NotFoundError):
        gcb.touch(key)


def test_lock_and_unlock(gcb, key):
    gcb.upsert(key, {"n": 1})
    locked = gcb.lock(key, ttl=10)
    assert locked.value == {"n": 1}
    with pytest.raises(TemporaryFailError):
        gcb.upsert(key, {"n": 2})
    with pytest.raises(TemporaryFailError):
        gcb.lock(key, ttl=5)
    gcb.unlock(key, locked.cas)
    locked = gcb.lock(key, ttl=5)
    gcb.replace(key, {"n": 4}, cas=locked.cas)
    assert gcb.get(key).value == {"n": 4}
    with pytest.raises(NotFoundError):
        gcb.lock(key + "-missing", ttl=5)


def test_append_prepend(gcb, key):
    gcb.upsert(key, "Hello", format=FMT_UTF8)
    gcb.append(key, " World!")
    gcb.prepend(key, "Why, ")
    assert gcb.get(key).value == "Why, Hello World!"
    with pytest.raises(ValueFormatError):
        gcb.append(key, "x", format=FMT_JSON)
    with pytest.raises(CouchbaseError):
        gcb.append(key + "-missing", "x")


def test_exists_and_replica_reads(gcb, key):
    assert gcb.exists(key) is False
    gcb.upsert(key, {"copy": True})
    assert gcb.exists(key) is True
    assert gcb.rget(key).value == {"copy": True}
    assert gcb.get(key, replica=True).value == {"copy": True}
    assert gcb.rget(key, replica_index=0).value == {"copy": True}
    with pytest.raises(ArgumentError):
        gcb.rget(key, replica_index=5)
    with pytest.raises(NotFoundError):
        gcb.rget(key + "-missing")
    assert gcb.rget(key + "-missing", quiet=True).rc == 0xD


def test_observe_endure_and_durable_mutations(gcb, key):
    stored = gcb.upsert(key, 1, persist_to=1, replicate_to=1)
    assert stored.success
    observed = gcb.observe(key)
    assert observed.success and len(observed.value) == 2
    assert any(info.from_master for info in observed.value)
    assert gcb.endure(key, persist_to=1, replicate_to=1, cas=stored.cas).success
    with pytest.raises(ArgumentError):  # more replicas than the bucket has
        gcb.upsert(key, 2, replicate_to=3)
    with pytest.raises(DurabilityError):  # a document that is not there never persists
        gcb.endure(key + "-missing", persist_to=1, cas=stored.cas, timeout=0.05)
    assert gcb.remove(key, persist_to=1).success


def test_stats(gcb):
    stats = gcb.stats()
    assert len(stats["curr_items"]) == 4


def test_pipeline(gcb, key):
    with gcb.pipeline() as pipe:
        gcb.upsert(key, "piped")
        got = gcb.get(key)
        gcb.get_multi([key])
    assert got.value == "piped" and len(pipe.results) == 3
    with pytest.raises(PipelineError):
        with gcb.pipeline():
            gcb.pipeline().__enter__()


def test_default_collection_and_scope(gcb, key):
    coll = gcb.default_collection()
    coll.upsert(key, "via collection")
    assert gcb.get(key).value == "via collection"
    assert gcb.scope("_default").collection("_default").get(key).value == "via collection"


@pytest.mark.parametrize("call,exc", [
    (lambda cb: cb.upsert("", 1), ArgumentError),
    (lambda cb: cb.get(""), ArgumentError),
    (lambda cb: cb.upsert(123, 1), ValueFormatError),
    (lambda cb: cb.upsert("k" * 251, 1), ArgumentError),
    (lambda cb: cb.upsert("k", 1, ttl=-1), ArgumentError),
    (lambda cb: cb.upsert("k", object()), ValueFormatError),
    (lambda cb: cb.upsert("k", 1, format=999), ArgumentError),
    (lambda cb: cb.counter("k", delta=0), ArgumentError),
    (lambda cb: cb.unlock("k", 0), ArgumentError),
])
def test_bad_input_never_reaches_the_wire(gcb, call, exc):
    with pytest.raises(exc):
        call(gcb)


def test_operation_timeout_then_the_connection_still_works(gcb, key):
    gcb.upsert(key, "slow")
    gcb.timeout = 1e-6  # expires before any response can arrive
    with pytest.raises(CBTimeoutError):
        gcb.get(key)
    gcb.timeout = 2.5
    assert gcb.get(key).value == "slow"  # the late reply was dropped, not misrouted


def test_gevent_timeout_interrupts_only_the_waiting_call(gcb, key):
    gcb.upsert(key, "v")
    with pytest.raises(gevent.Timeout):
        with gevent.Timeout(0):
            gcb.get(key)
    assert gcb.get(key).value == "v"


def test_timeout_property(gcb):
    assert gcb.timeout == 2.5
    gcb.timeout = 0.75
    assert gcb.timeout == 0.75
    with pytest.raises(ArgumentError):
        gcb.timeout = -1
