"""Bad input gets the documented exception before anything reaches the server (2.x)."""

from __future__ import annotations

import pytest

from couchbase import FMT_BYTES
from couchbase._core.document import MAX_VALUE_SIZE
from couchbase.exceptions import ArgumentError, TooBigError, ValueFormatError


def test_get_multi_given_a_dict_takes_ttls_or_options_only(cb, key):
    cb.upsert(key, 1)
    with pytest.raises(ArgumentError):
        cb.get_multi({key: "string"})
    assert cb.get_multi({key: None})[key].value == 1
    assert cb.get_multi({key: 100})[key].value == 1
    assert cb.get_multi({key: {"ttl": 100}})[key].value == 1


def test_ttl_must_be_a_whole_number(cb, key):
    for bad in (1.5, "10", True):
        with pytest.raises(ArgumentError):
            cb.upsert(key, 1, ttl=bad)
    with pytest.raises(ArgumentError):
        cb.upsert_multi({key: 1}, ttl=2.5)


def test_lock_needs_a_ttl(cb, key):
    cb.upsert(key, 1)
    with pytest.raises(ArgumentError, match="ttl"):
        cb.lock(key)
    with pytest.raises(ArgumentError):
        cb.lock_multi([key])
    cb.upsert(key, 2)  # nothing was locked


def test_a_key_with_a_lone_surrogate_is_a_value_format_error(cb):
    with pytest.raises(ValueFormatError, match="not valid Unicode"):
        cb.upsert("bad-\udc80-key", 1)


def test_a_value_over_the_server_limit_is_refused_before_sending(cb, key):
    with pytest.raises(TooBigError):
        cb.upsert(key, b"x" * (MAX_VALUE_SIZE + 1), format=FMT_BYTES)
    with pytest.raises(ValueFormatError) as info:
        cb.upsert(key, b"y" * 5000)  # bytes are not JSON: the message shows a cut value
    assert len(str(info.value)) < 1000
    cb.upsert(key, "still connected")
    assert cb.get(key).value == "still connected"


def test_an_unprintable_value_still_gives_a_printable_error(cb, key):
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(ValueFormatError) as info:
        cb.upsert(key, deep)
    assert "OBJ=" in str(info.value)
