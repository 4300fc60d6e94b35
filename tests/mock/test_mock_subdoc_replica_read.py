"""Sub-document lookups answered by a replica (Couchbase Server 7.6): the HELLO
feature SUBDOC_REPLICA_READ (0x1C) and the replica-read doc flag (0x20) on a
lookup let a replica vbucket answer it; without the feature the flag is EINVAL,
on a mutation always, and a node holding no copy answers NOT_MY_VBUCKET."""

from __future__ import annotations

import struct
from typing import Iterator

import pytest
from mock_kvclient import DEFAULT_FEATURES, connect

from couchbase._core.feature import Feature
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase_mock import MockCluster

REPLICA_READ = 0x20
WITH_FEATURE = (*DEFAULT_FEATURES, Feature.SUBDOC_REPLICA_READ)


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=3, replicas=1) as m:
        yield m


def _lookup_value(path: bytes) -> bytes:
    return struct.pack(">BBH", Opcode.SUBDOC_GET, 0, len(path)) + path


def _stored(mock: MockCluster, key: bytes) -> tuple[int, int, list[int]]:
    vb, active, replicas = mock.locate("default", key.decode())
    kv = connect(mock, active)
    assert kv.set(key, b'{"a":{"b":7}}', datatype=1).status == Status.SUCCESS
    kv.close()
    return vb, active, replicas


def test_a_replica_answers_a_lookup_with_the_flag(mock: MockCluster) -> None:
    key = b"replica-read-1"
    vb, _, replicas = _stored(mock, key)
    kv = connect(mock, replicas[0], features=WITH_FEATURE)
    assert Feature.SUBDOC_REPLICA_READ in kv.features
    resp = kv.doc(Opcode.SUBDOC_MULTI_LOOKUP, key, _lookup_value(b"a.b"),
                  extras=bytes((REPLICA_READ,)), vbucket=vb)
    assert resp.status == Status.SUCCESS
    assert resp.value == struct.pack(">HI", 0, 1) + b"7"
    plain = kv.doc(Opcode.SUBDOC_MULTI_LOOKUP, key, _lookup_value(b"a.b"), vbucket=vb)
    assert plain.status == Status.NOT_MY_VBUCKET  # (without the flag only the active answers)
    kv.close()


def test_the_active_answers_with_the_flag_too(mock: MockCluster) -> None:
    key = b"replica-read-2"
    vb, active, _ = _stored(mock, key)
    kv = connect(mock, active, features=WITH_FEATURE)
    resp = kv.doc(Opcode.SUBDOC_MULTI_LOOKUP, key, _lookup_value(b"a"),
                  extras=bytes((REPLICA_READ,)), vbucket=vb)
    assert resp.status == Status.SUCCESS
    kv.close()


def test_the_flag_without_the_feature_is_einval(mock: MockCluster) -> None:
    key = b"replica-read-3"
    vb, _, replicas = _stored(mock, key)
    kv = connect(mock, replicas[0])
    resp = kv.doc(Opcode.SUBDOC_MULTI_LOOKUP, key, _lookup_value(b"a"),
                  extras=bytes((REPLICA_READ,)), vbucket=vb)
    assert resp.status == Status.EINVAL
    kv.close()


def test_the_flag_on_a_mutation_is_einval(mock: MockCluster) -> None:
    key = b"replica-read-4"
    vb, active, _ = _stored(mock, key)
    kv = connect(mock, active, features=WITH_FEATURE)
    spec = struct.pack(">BBHI", Opcode.SUBDOC_DICT_UPSERT, 0, 1, 1) + b"c" + b"1"
    resp = kv.doc(Opcode.SUBDOC_MULTI_MUTATION, key, spec, extras=bytes((REPLICA_READ,)),
                  vbucket=vb)
    assert resp.status == Status.EINVAL
    kv.close()


def test_a_node_without_a_copy_is_not_my_vbucket(mock: MockCluster) -> None:
    key = b"replica-read-5"
    vb, active, replicas = _stored(mock, key)
    (other,) = {0, 1, 2} - {active, *replicas}
    kv = connect(mock, other, features=WITH_FEATURE)
    resp = kv.doc(Opcode.SUBDOC_MULTI_LOOKUP, key, _lookup_value(b"a"),
                  extras=bytes((REPLICA_READ,)), vbucket=vb)
    assert resp.status == Status.NOT_MY_VBUCKET
    kv.close()
