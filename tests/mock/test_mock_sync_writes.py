"""Synchronous writes held pending (the sync write delay fault): while a durable
write waits for its replicas, another durable write to the key gets
SYNC_WRITE_IN_PROGRESS (0xA2); a write whose replicas do not acknowledge within
its durability timeout gets SYNC_WRITE_AMBIGUOUS (0xA3) and is not applied; once
acknowledged it is committed and answered."""

from __future__ import annotations

import time
from typing import Iterator

import pytest
from mock_kvclient import KV, connect, key_with_active

from couchbase._core.frameinfo import DurabilityLevel, durability_frame
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase_mock import MockCluster

MAJORITY = DurabilityLevel.MAJORITY


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1) as m:
        yield m


@pytest.fixture
def delayed(mock: MockCluster) -> Iterator[tuple[KV, KV]]:
    """Two connections to node 0, whose durable writes are acknowledged 400 ms late."""
    first, second = connect(mock, 0), connect(mock, 0)
    mock.control("sync_write_delay", msecs=400, servers=[0])
    try:
        yield first, second
    finally:
        mock.control("sync_write_delay", msecs=0)
        first.close()
        second.close()


def test_a_second_durable_write_during_the_window_is_in_progress(mock: MockCluster,
                                                                 delayed: tuple[KV, KV]) -> None:
    first, second = delayed
    key = key_with_active(mock, 0, "sw")
    started = time.monotonic()
    first.send(Opcode.SET, first.wire_key(key), b'"one"', b"\0" * 8,
               mock.locate("default", key)[0], framing=durability_frame(MAJORITY))
    refused = second.set(key, b'"two"', framing=durability_frame(MAJORITY))
    assert refused.status == Status.SYNC_WRITE_IN_PROGRESS
    committed = first.recv()
    assert committed.status == Status.SUCCESS and committed.cas
    assert time.monotonic() - started >= 0.35  # (held until the replicas answered)
    got = second.get(key)
    assert (got.status, got.value) == (Status.SUCCESS, b'"one"')
    # the window is over: the key takes durable writes again
    assert second.set(key, b'"three"', framing=durability_frame(MAJORITY)).status == 0


def test_plain_writes_and_other_keys_are_not_held(mock: MockCluster,
                                                   delayed: tuple[KV, KV]) -> None:
    first, _ = delayed
    started = time.monotonic()
    assert first.set(key_with_active(mock, 0, "plain"), b"1").status == Status.SUCCESS
    assert time.monotonic() - started < 0.3


def test_no_acknowledgement_within_the_timeout_is_ambiguous(mock: MockCluster) -> None:
    kv = connect(mock, 0)
    mock.control("sync_write_delay", msecs=-1, servers=[0])
    try:
        key = key_with_active(mock, 0, "amb")
        started = time.monotonic()
        resp = kv.set(key, b"1", framing=durability_frame(MAJORITY, 200))
        assert resp.status == Status.SYNC_WRITE_AMBIGUOUS
        assert 0.15 <= time.monotonic() - started < 2
        assert kv.get(key).status == Status.KEY_ENOENT  # (aborted)
    finally:
        mock.control("sync_write_delay", msecs=0)
        kv.close()


def test_a_delay_longer_than_the_timeout_is_ambiguous(mock: MockCluster) -> None:
    kv = connect(mock, 0)
    mock.control("sync_write_delay", msecs=500, servers=[0])
    try:
        key = key_with_active(mock, 0, "amb2")
        assert kv.set(key, b"1", framing=durability_frame(MAJORITY, 100)).status == \
            Status.SYNC_WRITE_AMBIGUOUS
    finally:
        mock.control("sync_write_delay", msecs=0)
        kv.close()
