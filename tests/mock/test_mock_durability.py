"""Synchronous durability on the local cluster, with raw packets: the durability
frame info (level, optional timeout), the bucket's durabilityMinLevel, and the
statuses kv_engine answers (DurabilityInvalidLevel, DurabilityImpossible,
NOT_SUPPORTED on memcached buckets, EINVAL for a malformed frame)."""

from __future__ import annotations

import struct
from typing import Iterator
from urllib.parse import urlencode

import pytest
from mock_http import fetch
from mock_kvclient import KV, connect, key_with_active

from couchbase._core.frameinfo import DurabilityLevel, RequestFrame, durability_frame, encode_frame
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase_mock import MockCluster

LEVELS = [DurabilityLevel.MAJORITY, DurabilityLevel.MAJORITY_AND_PERSIST_TO_ACTIVE,
          DurabilityLevel.PERSIST_TO_MAJORITY]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1) as m:
        yield m


@pytest.fixture
def kv(mock: MockCluster) -> Iterator[KV]:
    conn = connect(mock, 0)
    yield conn
    conn.close()


def _key(mock: MockCluster, prefix: str = "dur") -> bytes:
    return key_with_active(mock, 0, prefix)


def _create_bucket(mock: MockCluster, name: str, **fields: str) -> None:
    form = {"name": name, "bucketType": "couchbase", "ramQuota": "100", "replicaNumber": "1",
            **fields}
    status, body = fetch(mock, "/pools/default/buckets", method="POST", body=urlencode(form))
    assert status == 202, body


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_commits_to_active_and_replica(mock, kv, level):
    key = _key(mock)
    resp = kv.set(key, b"v", framing=durability_frame(level))
    assert resp.status == Status.SUCCESS
    assert mock.stored_on("default", key) == {0: "active", 1: "replica"}


def test_timeout_in_the_frame(mock, kv):
    key = _key(mock)
    assert kv.set(key, b"v", framing=durability_frame(1, 2500)).status == Status.SUCCESS
    assert kv.set(key, b"v", framing=durability_frame(1, 0xFFFF)).status == Status.SUCCESS


@pytest.mark.parametrize("payload,status", [
    (b"\x00", Status.DURABILITY_INVALID_LEVEL),
    (b"\x04", Status.DURABILITY_INVALID_LEVEL),
    (b"\x04\x01\x00", Status.DURABILITY_INVALID_LEVEL),
    (b"", Status.EINVAL),
    (b"\x01\x00", Status.EINVAL),
    (b"\x01\x00\x00", Status.EINVAL),  # a timeout of 0
    (b"\x01\x00\x10\x00", Status.EINVAL),
])
def test_malformed_durability_frames(mock, kv, payload, status):
    key = _key(mock)
    frame = encode_frame(RequestFrame.DURABILITY, payload)
    assert kv.set(key, b"v", framing=frame).status == status
    assert kv.get(key).status == Status.KEY_ENOENT  # nothing was written


def test_every_mutation_takes_a_durability_frame(mock, kv):
    key = _key(mock)
    frame = durability_frame(DurabilityLevel.MAJORITY)
    assert kv.set(key, b"1", framing=frame).status == Status.SUCCESS
    assert kv.doc(Opcode.APPEND, key, b"2", framing=frame).status == Status.SUCCESS
    arith = struct.pack(">QQI", 1, 0, 0)
    assert kv.doc(Opcode.INCREMENT, key, extras=arith, framing=frame).status == Status.SUCCESS
    assert kv.doc(Opcode.DELETE, key, framing=frame).status == Status.SUCCESS
    bad = durability_frame(9)
    assert kv.doc(Opcode.DELETE, key, framing=bad).status == Status.DURABILITY_INVALID_LEVEL


def test_durability_impossible_when_a_replica_is_missing():
    with MockCluster(nodes=1, replicas=1) as m, connect(m, 0) as kv:
        frame = durability_frame(DurabilityLevel.MAJORITY)
        assert kv.set(b"k", b"v", framing=frame).status == Status.DURABILITY_IMPOSSIBLE
        assert kv.get(b"k").status == Status.KEY_ENOENT
        assert kv.set(b"k", b"v").status == Status.SUCCESS  # plain writes go ahead


def test_no_replicas_is_a_majority_of_one():
    with MockCluster(nodes=1, replicas=0) as m, connect(m, 0) as kv:
        frame = durability_frame(DurabilityLevel.PERSIST_TO_MAJORITY)
        assert kv.set(b"k", b"v", framing=frame).status == Status.SUCCESS


def test_bucket_min_level_makes_plain_writes_durable():
    with MockCluster(nodes=2, replicas=1) as m:
        _create_bucket(m, "strict", durabilityMinLevel="majority")
        with connect(m, 0, bucket="strict") as kv:
            key = key_with_active(m, 0, "strict", bucket="strict")
            assert kv.set(key, b"v").status == Status.SUCCESS
            m.failover(1)
            key = key_with_active(m, 0, "strict2", bucket="strict")
            # The bucket asks for majority; with the replica gone, that is impossible.
            assert kv.set(key, b"v").status == Status.DURABILITY_IMPOSSIBLE
            assert kv.doc(Opcode.DELETE, key).status == Status.DURABILITY_IMPOSSIBLE
            assert kv.get(key).status == Status.KEY_ENOENT


def test_ephemeral_buckets_take_majority_only(mock):
    _create_bucket(mock, "eph", bucketType="ephemeral", evictionPolicy="noEviction")
    try:
        with connect(mock, 0, bucket="eph") as kv:
            key = key_with_active(mock, 0, "eph", bucket="eph")
            assert kv.set(key, b"v", framing=durability_frame(1)).status == Status.SUCCESS
            for level in LEVELS[1:]:
                resp = kv.set(key, b"v", framing=durability_frame(level))
                assert resp.status == Status.DURABILITY_INVALID_LEVEL
    finally:
        mock.delete_bucket("eph")


def test_memcached_buckets_have_no_synchronous_writes(mock):
    mock.create_bucket("cache", bucket_type="memcached")
    try:
        with connect(mock, 0, bucket="cache") as kv:
            resp = kv.set(b"k", b"v", framing=durability_frame(1), vbucket=0)
            assert resp.status == Status.NOT_SUPPORTED
            assert kv.set(b"k", b"v", vbucket=0).status == Status.SUCCESS
    finally:
        mock.delete_bucket("cache")
