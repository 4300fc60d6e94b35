"""Snappy on the local cluster's KV port, with raw packets.

From the data service's documentation and the client compression RFC:
HELLO feature 0x0A; datatype bit 0x02; a compressed request from a connection
that did not negotiate it is invalid; responses are compressed only for
connections that negotiated it; the bucket's mode (off/passive/active)
decides whether reads come back compressed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from mock_kvclient import DEFAULT_FEATURES, connect, key_with_active

from couchbase._core.feature import Datatype, Feature
from couchbase._core.opcode import Opcode
from couchbase._core.snappy import compress, decompress
from couchbase._core.status import Status
from couchbase_mock.compression import counters

SNAPPY_FEATURES = DEFAULT_FEATURES + (Feature.SNAPPY,)
# without JSON the server decides whether a value is JSON (with it, the client says)
DETECTING = tuple(f for f in SNAPPY_FEATURES if f != Feature.JSON)
DOC = json.dumps({"name": "a" * 40, "tags": ["x", "y"] * 30}).encode()


def _bucket(mock: Any, name: str = "default") -> Any:
    return mock.cluster.buckets[name]


def test_hello_acknowledges_snappy(mock_cluster):
    with connect(mock_cluster, features=SNAPPY_FEATURES) as kv:
        assert Feature.SNAPPY in kv.features
    with connect(mock_cluster) as kv:
        assert Feature.SNAPPY not in kv.features


def test_compressed_write_is_stored_plain_and_json_detected(mock_cluster):
    key = key_with_active(mock_cluster, 0, "snappy-write")
    before = counters(_bucket(mock_cluster)).received
    with connect(mock_cluster, features=DETECTING) as kv:
        resp = kv.set(key, compress(DOC), datatype=Datatype.SNAPPY)
        assert resp.status == Status.SUCCESS
    with connect(mock_cluster, features=SNAPPY_FEATURES) as kv:
        got = kv.get(key)  # passive bucket: the value comes back as stored, plain
        assert got.status == Status.SUCCESS
        assert got.value == DOC
        assert got.datatype == Datatype.JSON  # detected on the inflated value
    assert counters(_bucket(mock_cluster)).received == before + 1
    with connect(mock_cluster) as plain:
        got = plain.get(key)
        assert got.value == DOC and not got.datatype & Datatype.SNAPPY


def test_compressed_append_is_inflated(mock_cluster):
    key = key_with_active(mock_cluster, 1, "snappy-append")
    with connect(mock_cluster, 1, features=SNAPPY_FEATURES) as kv:
        assert kv.set(key, b"start:").status == Status.SUCCESS
        tail = b"0123456789" * 10
        resp = kv.doc(Opcode.APPEND, key, compress(tail), datatype=Datatype.SNAPPY)
        assert resp.status == Status.SUCCESS
        assert kv.get(key).value == b"start:" + tail


def test_not_negotiated_client_sending_the_bit_gets_einval(mock_cluster):
    key = key_with_active(mock_cluster, 0, "snappy-refused")
    with connect(mock_cluster) as kv:
        resp = kv.set(key, compress(DOC), datatype=Datatype.SNAPPY)
        assert resp.status == Status.EINVAL
        assert kv.get(key).status == Status.KEY_ENOENT  # nothing stored
        assert kv.set(key, DOC).status == Status.SUCCESS  # the connection goes on


@pytest.mark.parametrize("bad", [
    b"",                                   # no length at all
    b"\x80\x80\x80",                       # truncated length
    b"\x10\x08abc",                        # declares 16 bytes, gives 3
    b"\x08\x00a" + bytes([0x02 | (6 << 2), 5, 0]),  # copy from before the start
    b"\x05\x08abc" + b"junk",               # trailing garbage
])
def test_malformed_snappy_is_einval_and_everything_survives(mock_cluster, bad):
    key = key_with_active(mock_cluster, 2, "snappy-bad")
    with connect(mock_cluster, 2, features=SNAPPY_FEATURES) as kv:
        assert kv.set(key, bad, datatype=Datatype.SNAPPY).status == Status.EINVAL
        assert kv.get(key).status == Status.KEY_ENOENT
        assert kv.set(key, compress(b"ok" * 40), datatype=Datatype.SNAPPY).status == 0
        assert kv.get(key).value == b"ok" * 40
    with connect(mock_cluster, 2) as other:  # the node still serves new connections
        assert other.get(key).status == Status.SUCCESS


def test_inflated_size_over_the_limit_is_e2big(mock_cluster):
    key = key_with_active(mock_cluster, 3, "snappy-big")
    bomb = b"\x81\x80\x80\x0a" + bytes([0x02 | (63 << 2), 1, 0])  # claims 20 MiB + 1
    with connect(mock_cluster, 3, features=SNAPPY_FEATURES) as kv:
        assert kv.set(key, bomb, datatype=Datatype.SNAPPY).status == Status.E2BIG
        assert kv.get(key).status == Status.KEY_ENOENT


def test_a_large_compressed_value_round_trips(mock_cluster):
    key = key_with_active(mock_cluster, 0, "snappy-large")
    value = json.dumps([{"id": i, "v": "value"} for i in range(50_000)]).encode()
    packed = compress(value)
    assert len(packed) < len(value) // 3
    with connect(mock_cluster, features=SNAPPY_FEATURES) as kv:
        assert kv.set(key, packed, datatype=Datatype.SNAPPY).status == Status.SUCCESS
        assert kv.get(key).value == value


def test_active_bucket_answers_compressed_only_to_negotiated_clients(fresh_mock):
    fresh_mock.call(lambda c: setattr(c.buckets["default"], "compression_mode", "active"))
    key = key_with_active(fresh_mock, 0, "snappy-active")
    small = key_with_active(fresh_mock, 0, "snappy-small")
    with connect(fresh_mock, features=SNAPPY_FEATURES) as kv:
        assert kv.set(key, DOC, datatype=Datatype.JSON).status == Status.SUCCESS
        assert kv.set(small, b'{"a":1}', datatype=Datatype.JSON).status == Status.SUCCESS
        got = kv.get(key)
        assert got.datatype == Datatype.JSON | Datatype.SNAPPY
        assert len(got.value) < len(DOC) and decompress(got.value) == DOC
        got = kv.doc(Opcode.GETK, key)  # the keyed reply is compressed the same way
        assert got.datatype & Datatype.SNAPPY and decompress(got.value) == DOC
        tiny = kv.get(small)
        assert tiny.datatype == Datatype.JSON and tiny.value == b'{"a":1}'
    assert counters(_bucket(fresh_mock)).sent >= 2
    with connect(fresh_mock) as plain:
        got = plain.get(key)
        assert got.datatype == Datatype.JSON and got.value == DOC
