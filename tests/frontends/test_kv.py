"""Key-value operations of the sync Bucket against the local cluster."""

from __future__ import annotations

import pytest

from couchbase import FMT_BYTES, FMT_JSON, FMT_PICKLE, FMT_UTF8
from couchbase.exceptions import (
    ArgumentError,
    CouchbaseError,
    KeyExistsError,
    NotFoundError,
    TemporaryFailError,
    ValueFormatError,
)
from couchbase.result import OperationResult, ValueResult


def test_upsert_get_replace_remove(cb, key):
    stored = cb.upsert(key, {"name": "Juleøl", "abv": 5.9})
    assert isinstance(stored, OperationResult) and stored.success and stored.cas
    got = cb.get(key)
    assert isinstance(got, ValueResult)
    assert got.value == {"name": "Juleøl", "abv": 5.9}
    assert got.cas == stored.cas and got.flags == FMT_JSON and got.rc == 0
    replaced = cb.replace(key, {"v": 2}, cas=got.cas)
    assert replaced.cas != got.cas
    with pytest.raises(KeyExistsError) as info:
        cb.replace(key, {"v": 3}, cas=got.cas)
    assert info.value.key == key and info.value.rc == 0xC
    assert cb.get(key).value == {"v": 2}
    removed = cb.remove(key)
    assert removed.success
    with pytest.raises(NotFoundError):
        cb.get(key)


def test_insert_existing_and_replace_missing(cb, key):
    cb.insert(key, "first")
    with pytest.raises(KeyExistsError):
        cb.insert(key, "second")
    assert cb.get(key).value == "first"
    with pytest.raises(NotFoundError):
        cb.replace(key + "-missing", 1)
    with pytest.raises(NotFoundError):
        cb.remove(key + "-missing")


def test_quiet_get_and_remove(cb, key):
    result = cb.get(key, quiet=True)
    assert not result.success and result.rc == 0xD and result.value is None
    assert CouchbaseError.rc_to_exctype(result.rc) is NotFoundError
    assert cb.remove(key, quiet=True).rc == 0xD
    cb.quiet = True
    assert cb.get(key).rc == 0xD


def test_reprs_are_shaped_like_the_docs(cb, key):
    stored = cb.upsert(key, "demo_value")
    assert repr(stored) == f"OperationResult<RC=0x0, Key={key}, CAS=0x{stored.cas:x}>"
    got = cb.get(key)
    assert repr(got) == (
        f"ValueResult<RC=0x0, Key={key}, Value='demo_value', CAS=0x{stored.cas:x}, "
        f"Flags=0x{FMT_JSON:x}>"
    )


@pytest.mark.parametrize(
    "value,fmt",
    [
        ({"a": [1, 2.5, None, True]}, FMT_JSON),
        ("text ünïcode", FMT_UTF8),
        (b"\x00\x01\xffbinary", FMT_BYTES),
        ({1, 2, 3}, FMT_PICKLE),
    ],
)
def test_formats_round_trip_with_common_flags(cb, key, value, fmt):
    cb.upsert(key, value, format=fmt)
    got = cb.get(key)
    assert got.value == value and got.flags == fmt
    raw = cb.get(key, no_format=True)
    assert isinstance(raw.value, bytes)


def test_json_is_stored_compact(cb, key):
    cb.upsert(key, {"a": 1, "b": [1, 2]})
    assert cb.get(key, no_format=True).value == b'{"a":1,"b":[1,2]}'


def test_default_format_applies(cb, key):
    cb.default_format = FMT_UTF8
    cb.upsert(key, "plain")
    assert cb.get(key, no_format=True).value == b"plain"
    with pytest.raises(ArgumentError):
        cb.default_format = 12345


def test_counter_incr_decr(cb, key):
    with pytest.raises(NotFoundError):
        cb.counter(key)
    assert cb.counter(key, initial=10).value == 10
    assert cb.counter(key, delta=5).value == 15
    assert cb.incr(key, amount=2).value == 17
    assert cb.decr(key, amount=20).value == 0  # floors at zero
    assert cb.get(key).value == 0


def test_touch_and_expiry(cb, key, mock_cluster):
    cb.upsert(key, "short", ttl=10)
    cb.touch(key, ttl=100)
    mock_cluster.advance_time(50)
    assert cb.get(key).value == "short"
    got = cb.get(key, ttl=5)  # get-and-touch
    assert got.value == "short"
    mock_cluster.advance_time(10)
    with pytest.raises(NotFoundError):
        cb.get(key)


def test_lock_and_unlock(cb, key):
    cb.upsert(key, {"n": 1})
    locked = cb.lock(key, ttl=10)
    assert locked.value == {"n": 1}
    with pytest.raises(TemporaryFailError):
        cb.upsert(key, {"n": 2})
    with pytest.raises(TemporaryFailError):
        cb.lock(key, ttl=5)
    assert cb.get(key).cas == 0xFFFFFFFFFFFFFFFF
    cb.unlock(key, locked.cas)
    cb.upsert(key, {"n": 3})
    locked = cb.lock(key, ttl=5)
    cb.replace(key, {"n": 4}, cas=locked.cas)  # the right CAS unlocks
    assert cb.get(key).value == {"n": 4}


def test_replica_read(cb, key):
    cb.upsert(key, {"copy": True})
    assert cb.rget(key).value == {"copy": True}
    assert cb.get(key, replica=True).value == {"copy": True}
    assert cb.rget(key, replica_index=0).value == {"copy": True}


def test_append_prepend(cb, key):
    cb.upsert(key, "Hello", format=FMT_UTF8)
    cb.append(key, " World!")
    cb.prepend(key, "Why, ")
    assert cb.get(key).value == "Why, Hello World!"
    with pytest.raises(ValueFormatError):
        cb.append(key, "x", format=FMT_JSON)


@pytest.mark.parametrize(
    "call,exc",
    [
        (lambda cb: cb.upsert("", 1), ArgumentError),
        (lambda cb: cb.get(""), ArgumentError),
        (lambda cb: cb.upsert(123, 1), ValueFormatError),
        (lambda cb: cb.upsert(None, 1), ValueFormatError),
        (lambda cb: cb.upsert("k" * 251, 1), ArgumentError),
        (lambda cb: cb.upsert("k", 1, ttl=-1), ArgumentError),
        (lambda cb: cb.upsert("k", object()), ValueFormatError),
        (lambda cb: cb.upsert("k", b"bytes", format=FMT_UTF8), ValueFormatError),
        (lambda cb: cb.upsert("k", 1, format=999), ArgumentError),
        (lambda cb: cb.counter("k", delta=0), ArgumentError),
        (lambda cb: cb.unlock("k", 0), ArgumentError),
    ],
)
def test_bad_input_never_reaches_the_wire(cb, call, exc):
    with pytest.raises(exc) as info:
        call(cb)
    assert info.value.message


def test_unserializable_value_keeps_its_cause(cb):
    value = object()
    with pytest.raises(ValueFormatError) as info:
        cb.upsert("k", value)
    assert info.value.objextra is value
    assert isinstance(info.value.inner_cause, TypeError)


def test_timeout_property(cb):
    assert cb.timeout == 2.5
    cb.timeout = 0.75
    assert cb.timeout == 0.75
    with pytest.raises(ArgumentError):
        cb.timeout = -1
