"""The sync API's stores (upsert, insert, replace) share one path: the request, then
straight to the cluster unless durability is asked for. Their documented outcomes,
at the edges of that path."""

from __future__ import annotations

import pytest

from couchbase import FMT_AUTO, FMT_BYTES, FMT_JSON, FMT_PICKLE, FMT_UTF8
from couchbase.exceptions import (
    ArgumentError,
    KeyExistsError,
    NotFoundError,
    ValueFormatError,
)
from couchbase.transcoder import Transcoder

FORMATS = [
    (FMT_JSON, {"a": [1, "x"], "b": None}),
    (FMT_UTF8, "plain text ü"),
    (FMT_BYTES, b"\x00\xffraw"),
    (FMT_PICKLE, {1, 2, 3}),
    (FMT_AUTO, ("a", 1)),
    (0x0, [1, 2]),  # the 1.x constants, stored with today's common flags
    (0x4, "legacy text"),
]


def test_insert_refuses_an_existing_key_and_replace_a_missing_one(cb, key):
    first = cb.insert(key, {"v": 1})
    assert first.success and first.cas
    with pytest.raises(KeyExistsError) as exists:
        cb.insert(key, {"v": 2})
    assert exists.value.key == key and exists.value.rc == 0x0C
    assert cb.get(key).value == {"v": 1}
    with pytest.raises(NotFoundError) as missing:
        cb.replace(f"{key}-missing", {"v": 3})
    assert missing.value.key == f"{key}-missing" and missing.value.rc == 0x0D
    replaced = cb.replace(key, {"v": 4})
    assert replaced.cas and replaced.cas != first.cas
    assert cb.get(key).value == {"v": 4}


def test_replace_and_upsert_with_a_stale_cas_fail(cb, key):
    stored = cb.upsert(key, "one", format=FMT_UTF8)
    newer = cb.replace(key, "two", cas=stored.cas, format=FMT_UTF8)
    with pytest.raises(KeyExistsError):  # the 2.x name of a CAS mismatch
        cb.replace(key, "three", cas=stored.cas, format=FMT_UTF8)
    with pytest.raises(KeyExistsError):
        cb.upsert(key, "three", cas=stored.cas, format=FMT_UTF8)
    assert cb.get(key).value == "two" and cb.get(key).cas == newer.cas


@pytest.mark.parametrize("fmt,value", FORMATS, ids=lambda v: repr(v)[:20])
def test_every_format_round_trips_through_each_store(cb, key, fmt, value):
    expected = list(value) if isinstance(value, tuple) else value  # (JSON has no tuple)
    cb.insert(key, value, format=fmt)
    assert cb.get(key).value == expected
    cb.replace(key, value, format=fmt)
    assert cb.get(key).value == expected
    cb.upsert(key, value, format=fmt)
    assert cb.get(key).value == expected


def test_a_custom_transcoder_and_default_format_apply_to_each_store(cb, key):
    class Upper(Transcoder):
        def encode_value(self, value, fmt):
            return value.upper().encode(), FMT_UTF8

    cb.transcoder = Upper
    try:
        cb.insert(key, "quiet")
        assert cb.get(key).value == "QUIET"
        cb.replace(key, "louder")
        assert cb.get(key).value == "LOUDER"
    finally:
        cb.transcoder = None
    cb.default_format = FMT_UTF8
    try:
        cb.replace(key, "text by default")
        assert cb.get(key).value == "text by default"
        with pytest.raises(ValueFormatError):  # FMT_UTF8 needs a str
            cb.replace(key, {"a": 1})
    finally:
        cb.default_format = FMT_JSON


def test_expiry_of_insert_and_replace(cb, key, mock_cluster):
    cb.insert(key, "short", ttl=10)
    cb.replace(f"{key}", "still short", ttl=20)
    cb.insert(f"{key}-kept", "kept")
    mock_cluster.advance_time(15)
    assert cb.get(key).value == "still short"
    mock_cluster.advance_time(10)
    with pytest.raises(NotFoundError):
        cb.get(key)
    assert cb.get(f"{key}-kept").value == "kept"


@pytest.mark.parametrize("bad", [
    {"ttl": -1}, {"ttl": 1.5}, {"ttl": 2 ** 32}, {"format": 12345},
])
def test_bad_arguments_fail_before_anything_is_sent(cb, key, bad):
    for store in (cb.insert, cb.replace, cb.upsert):
        with pytest.raises(ArgumentError):
            store(key, "v", **bad)
    with pytest.raises(NotFoundError):  # nothing was stored
        cb.get(key)


@pytest.mark.parametrize("bad_key", ["", "k" * 251, 12, None])
def test_bad_keys_fail_with_the_documented_errors(cb, bad_key):
    for store in (cb.insert, cb.replace, cb.upsert):
        with pytest.raises((ArgumentError, ValueFormatError)):
            store(bad_key, "v")


def test_durability_takes_the_durable_path(cb, key, monkeypatch):
    flows = []
    durable = cb._durable_flow

    def spy(op, persist_to, replicate_to, removed=False):
        flows.append((op.req.opcode, persist_to, replicate_to))
        return durable(op, persist_to, replicate_to, removed)

    monkeypatch.setattr(cb, "_durable_flow", spy)
    cb.insert(key, 1, persist_to=1)
    cb.replace(key, 2, replicate_to=1)
    cb.upsert(key, 3, persist_to=1, replicate_to=1)
    with cb.durability(persist_to=1, replicate_to=0):
        cb.replace(key, 4)
    cb.replace(key, 5)  # outside the block: no durability, no flow
    assert flows == [(0x02, 1, 0), (0x03, 0, 1), (0x01, 1, 1), (0x03, 1, 0)]
    assert cb.get(key).value == 5


# -- the 4.x Collection's upsert with no options ------------------------------------------
def test_collection_upsert_encodes_through_its_default_transcoder(cb, key):
    from couchbase.collection import Collection
    from couchbase.exceptions import ValueFormatException

    coll = Collection(cb)
    coll.upsert(key, {"a": [1, "ü"]})
    assert coll.get(key).content_as[dict] == {"a": [1, "ü"]}
    with pytest.raises(ValueFormatException):  # the JSONTranscoder refuses bytes
        coll.upsert(key, b"\x00")

    class OneArgument:  # a transcoder of the 4.x shape: encode_value(value) only
        def encode_value(self, value):
            return value.upper().encode(), FMT_UTF8

        def decode_value(self, value, flags):
            return value.decode()

    cb._default_transcoder = OneArgument()
    coll = Collection(cb)
    coll.upsert(key, "shout")
    assert coll.get(key).value == "SHOUT"
