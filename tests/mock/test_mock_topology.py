"""Failover and rebalance under load: no acknowledged write lost, clients recover."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from couchbase.bucket import Bucket
from couchbase.exceptions import CouchbaseError
from couchbase_mock import MockCluster
from couchbase_mock.topology import TopologyError


def _bucket(mock: MockCluster) -> Bucket:
    return Bucket(f"{mock.connstr}/default", password="")


class Load:
    """Writes ``total`` upserts over ``keys`` keys from a thread, recording the
    last acknowledged value of each key and every failure with its time."""

    def __init__(self, cb: Bucket, total: int, keys: int, replicate_to: int = 0) -> None:
        self.cb = cb
        self.total = total
        self.keys = keys
        self.replicate_to = replicate_to
        self.acked: dict[str, int] = {}
        self.failures: list[tuple[float, str]] = []
        self.done = 0
        self.halfway = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        for i in range(self.total):
            key = f"load-{i % self.keys}"
            try:
                self.cb.upsert(key, i, replicate_to=self.replicate_to)
                self.acked[key] = i
            except CouchbaseError as exc:
                self.failures.append((time.monotonic(), type(exc).__name__))
            self.done = i + 1
            if i == self.total // 4:
                self.halfway.set()

    def __enter__(self) -> Load:
        self._thread.start()
        assert self.halfway.wait(60), "the load did not get going"
        return self

    def __exit__(self, *exc: Any) -> None:
        self._thread.join(120)

    def lost(self, cb: Bucket) -> list[str]:
        """Keys whose last acknowledged value does not read back."""
        got = cb.get_multi(list(self.acked))
        return [k for k, v in self.acked.items() if got[k].value != v]


def test_failover_under_load_loses_no_acknowledged_replicated_write():
    with MockCluster(nodes=3, replicas=1) as mock:
        cb = _bucket(mock)
        with Load(cb, total=10_000, keys=10_000, replicate_to=1) as load:
            mock.failover(1)
            # Until the rebalance, a third of the vbuckets have no replica:
            # replicate_to=1 on them fails at once (DurabilityError), the rest
            # go on; the failed node answers NOT_MY_VBUCKET and clients follow.
            mock.rebalance(pause=0.001)
        assert load.done == 10_000 and len(load.acked) > 5_000
        assert load.lost(cb) == []
        assert {kind for _when, kind in load.failures} <= {"DurabilityError"}
        for i in range(0, 10_000, 97):  # every document has its replica again
            _vb, active, replicas = mock.locate("default", f"load-{i}")
            assert 1 not in (active, *replicas) and len(replicas) == 1


def test_rebalance_out_and_in_under_load_keeps_every_document_readable():
    with MockCluster(nodes=3, replicas=1) as mock:
        cb = _bucket(mock)
        with Load(cb, total=10_000, keys=2_000) as load:
            mock.failover(2)
            mock.rebalance(pause=0.001)  # ejects node 2
            assert [n.index for n in mock.nodes] == [0, 1]
        assert load.lost(cb) == [] and load.failures == []
        # Every vbucket has an active and a replica on the two nodes left.
        assert {mock.locate("default", f"load-{i}")[1] for i in range(50)} == {0, 1}


def test_respawn_rebalances_the_node_back_in_with_its_data():
    with MockCluster(nodes=3, replicas=1) as mock:
        cb = _bucket(mock)
        for i in range(500):
            cb.upsert(f"k{i}", i)
        mock.failover(0)
        mock.respawn(0)
        assert [n.index for n in mock.nodes] == [0, 1, 2]
        placed = {mock.locate("default", f"k{i}")[1] for i in range(500)}
        assert placed == {0, 1, 2}
        got = cb.get_multi([f"k{i}" for i in range(500)])
        assert all(got[f"k{i}"].value == i for i in range(500))
        for i in (0, 250, 499):  # the copies are where the map says
            _vb, active, replicas = mock.locate("default", f"k{i}")
            assert set(mock.stored_on("default", f"k{i}")) == {active, *replicas}


def test_a_failover_that_would_lose_data_is_refused():
    with MockCluster(nodes=2, replicas=0) as mock:
        with pytest.raises(TopologyError, match="no replica"):
            mock.failover(1)
        with pytest.raises(TopologyError, match="no node 5"):
            mock.failover(5)


def test_the_asyncio_client_follows_a_failover():
    acouchbase = pytest.importorskip("acouchbase.bucket")

    async def scenario(mock: MockCluster) -> tuple[int, int]:
        cb = acouchbase.Bucket(f"{mock.connstr}/default", password="")
        await cb.connect()
        for i in range(200):
            await cb.upsert(f"a{i}", i)
        await asyncio.get_running_loop().run_in_executor(None, mock.failover, 1)
        results = await asyncio.gather(*(cb.get(f"a{i}") for i in range(200)))
        return sum(r.value for r in results), len(results)

    with MockCluster(nodes=3, replicas=1) as mock:
        total, count = asyncio.run(scenario(mock))
    assert (total, count) == (sum(range(200)), 200)


def _keys_on(mock: MockCluster, node: int, count: int) -> list[str]:
    keys = [f"key-{i}" for i in range(count * 10)]
    return [k for k in keys if mock.locate("default", k)[1] == node][:count]


def test_a_stopped_node_fails_its_requests_until_it_is_failed_over():
    with MockCluster(nodes=3, replicas=1) as mock:
        cb = _bucket(mock)
        keys = _keys_on(mock, 1, 20)
        cb.upsert_multi({k: k for k in keys})
        mock.stop_node(1)
        with pytest.raises(CouchbaseError):
            cb.get(keys[0])
        mock.failover(1)
        # The first request after the failover asks another node for the map
        # and finds the promoted replica: no request fails.
        assert [cb.get(k).value for k in keys] == keys
        assert all(r.value == k for k, r in cb.get_multi(keys).items())
        cb.upsert(keys[0], "written after the failover")


def test_get_multi_recovers_from_a_failover_of_a_stopped_node():
    with MockCluster(nodes=3, replicas=1) as mock:
        cb = _bucket(mock)
        keys = [f"m{i}" for i in range(60)]
        cb.upsert_multi({k: k for k in keys})
        cb.get_multi(keys)  # connections to every node are open
        mock.stop_node(2)
        mock.failover(2)
        assert {k: r.value for k, r in cb.get_multi(keys).items()} == {k: k for k in keys}


def test_a_restarted_node_serves_its_data_again():
    with MockCluster(nodes=2, replicas=1) as mock:
        cb = _bucket(mock)
        keys = _keys_on(mock, 0, 5)
        cb.upsert_multi({k: k for k in keys})
        port = mock.nodes[0].kv_port
        mock.stop_node(0)
        mock.start_node(0)
        assert mock.nodes[0].kv_port == port
        assert [cb.get(k).value for k in keys] == keys


def test_nodes_added_and_removed_under_load():
    with MockCluster(nodes=2, replicas=1) as mock:
        cb = _bucket(mock)
        with Load(cb, total=10_000, keys=3_000) as load:
            added = mock.add_node(pause=0.001)
            mock.remove_node(0, pause=0.001)
        assert load.failures == [] and load.lost(cb) == []
        assert [n.index for n in mock.nodes] == [1, added.index]
        assert {mock.locate("default", f"load-{i}")[1] for i in range(100)} == {1, added.index}


def test_the_asyncio_client_recovers_when_a_stopped_node_is_failed_over():
    acouchbase = pytest.importorskip("acouchbase.bucket")

    async def scenario(mock: MockCluster, keys: list[str]) -> list[Any]:
        cb = acouchbase.Bucket(f"{mock.connstr}/default", password="")
        await cb.connect()
        for k in keys:
            await cb.upsert(k, k)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, mock.stop_node, 1)
        with pytest.raises(CouchbaseError):
            await cb.get(keys[0])
        await loop.run_in_executor(None, mock.failover, 1)
        results = await asyncio.gather(*(cb.get(k) for k in keys))
        return [r.value for r in results]

    with MockCluster(nodes=3, replicas=1) as mock:
        keys = _keys_on(mock, 1, 30)
        assert asyncio.run(scenario(mock, keys)) == keys
