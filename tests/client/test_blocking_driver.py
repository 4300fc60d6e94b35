"""The blocking cluster driver over a scripted network (tests/scripted.py).

Every answer of the local cluster's KV sessions and management port reaches
:class:`~couchbase._io.blocking_cluster.BlockingCluster` 1 to 5 bytes per
``recv``, so each read path meets split headers, split bodies and several
packets in one read. Seeds 0..4 give different cuttings.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any, Optional

import pytest

from couchbase._core.commands import EachNode
from couchbase._core.opcode import Opcode
from couchbase._core.packet import Packet
from couchbase._core.retry import RetryPolicy
from couchbase._core.stats import StatsCollector
from couchbase._core.status import Status
from couchbase._io.blocking_cluster import BlockingCluster
from couchbase._kv import get_request, mutation_result, value_result
from couchbase._settings import read_settings
from couchbase.exceptions import (
    AuthError,
    BucketNotFoundError,
    LibcouchbaseError,
    ObjectDestroyedError,
)
from couchbase.exceptions import TimeoutError as CBTimeoutError
from couchbase.formats import FMT_JSON
from scripted import (
    BOOTSTRAP_OPCODES,
    HOST,
    KV_BASE,
    MGMT_BASE,
    SEEDS,
    ConfigServerSide,
    MemoryCluster,
    RecordingRetry,
    ScriptedNetwork,
    ScriptedSocket,
    addr,
    keys_on,
    kv_servers,
    move_vbucket_of,
    upsert,
)


# -- helpers ----------------------------------------------------------------------------------
def make_cluster(memory: MemoryCluster, seed: int = 0, connstr: Optional[str] = None,
                 password: str = "password", timeout: float = 2.5,
                 retry: Optional[RetryPolicy] = None,
                 ) -> tuple[BlockingCluster, ScriptedNetwork]:
    if connstr is None:
        connstr = memory.connstr(config_node_timeout=0.3)
    settings = read_settings(connstr, password, "Administrator", timeout, 5.0)
    network = ScriptedNetwork(memory, seed)
    return BlockingCluster(settings, retry=retry, network=network), network


def connected(memory: MemoryCluster, seed: int = 0, **kw: Any,
              ) -> tuple[BlockingCluster, ScriptedNetwork]:
    cluster, network = make_cluster(memory, seed, **kw)
    cluster.connect()
    return cluster, network


# -- bootstrap ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_bootstrap_over_scripted_stream(memory, seed, monkeypatch):
    pieces: list[int] = []
    recv = ScriptedSocket.recv

    def counting_recv(self: ScriptedSocket, size: int) -> bytes:
        data = recv(self, size)
        pieces.append(len(data))
        return data

    monkeypatch.setattr(ScriptedSocket, "recv", counting_recv)
    cluster, network = connected(memory, seed)

    assert cluster.router.config is not None
    assert cluster.router.addresses() == [addr(0), addr(1)]
    assert list(cluster.nodes) == [addr(0)]  # only the seed is open
    node = cluster.nodes[addr(0)]
    assert node.usable and node.session is not None
    assert repr(node) == "BlockingNode(127.0.0.1:11000, ready)"
    assert "nodes=[('127.0.0.1', 11000)]" in repr(cluster)
    assert len(network.streams) == 1
    (server,) = memory.connections
    assert server.requests == BOOTSTRAP_OPCODES
    # the answers really came 1-5 bytes at a time, in many reads
    assert pieces and max(pieces) <= 5 and len(pieces) > 50
    cluster.close()


# -- key-value ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_upsert_then_get_on_both_nodes(memory, seed):
    cluster, _ = connected(memory, seed)
    keys = keys_on(memory, 0, 3, "a") + keys_on(memory, 1, 3, "b")
    cas = {}
    for i, key in enumerate(keys):
        pkt = cluster.execute(upsert(key, {"i": i, "key": key, "pad": "x" * (i * 37)}))
        cas[key] = mutation_result(key, pkt).cas
        assert cas[key]
    for i, key in enumerate(keys):
        result = value_result(key, cluster.execute(get_request(key)))
        assert result.value == {"i": i, "key": key, "pad": "x" * (i * 37)}
        assert result.cas == cas[key]
        assert result.flags == FMT_JSON
    assert set(cluster.nodes) == {addr(0), addr(1)}
    assert all(n.usable for n in cluster.nodes.values())
    for node in (0, 1):
        (server,) = kv_servers(memory, node)
        assert server.requests.count(Opcode.SET) == 3
        assert server.requests.count(Opcode.GET) == 3
    missing = cluster.execute(get_request("never-stored"))
    assert missing.status == Status.KEY_ENOENT
    cluster.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_multi_batch_across_nodes(memory, seed):
    cluster, _ = connected(memory, seed)
    keys = [f"multi-{i}" for i in range(200)]
    per_node = [sum(1 for k in keys if memory.node_of(k) == n) for n in (0, 1)]
    assert min(per_node) > 50

    stored = cluster.execute_multi([upsert(k, {"n": i}) for i, k in enumerate(keys)])
    assert len(stored) == 200
    assert all(isinstance(p, Packet) and p.status == Status.SUCCESS for p in stored)
    assert len({p.cas for p in stored}) == 200

    got = cluster.execute_multi([get_request(k) for k in keys])
    assert [value_result(k, p).value for k, p in zip(keys, got)] == \
        [{"n": i} for i in range(200)]
    assert [p.cas for p in got] == [p.cas for p in stored]

    for n in (0, 1):  # one connection per node, each got its own keys only
        (server,) = kv_servers(memory, n)
        assert server.requests.count(Opcode.SET) == per_node[n]
        assert server.requests.count(Opcode.GET) == per_node[n]
    for node in cluster.nodes.values():  # idle: nothing in flight or half-read
        assert len(node.inflight) == 0
        assert not node.has_pending
        assert node.reader.feed(b"") == []
    cluster.close()



def stats(cluster, group):
    """STAT ``group`` on every node: ``{address: [(name, value), ...]}``."""
    reply = cluster.each_node(EachNode(partial(StatsCollector, group)))
    return {address: probe.pairs for address, probe in reply.items()}

@pytest.mark.parametrize("seed", SEEDS)
def test_stats_on_every_node(memory, seed):
    cluster, _ = connected(memory, seed)
    for i, key in enumerate(keys_on(memory, 0, 2, "s0") + keys_on(memory, 1, 5, "s1")):
        cluster.execute(upsert(key, i))
    reply = stats(cluster, b"")
    assert set(reply) == {addr(0), addr(1)}
    items = {a: dict(pairs) for a, pairs in reply.items()}
    assert items[addr(0)]["curr_items"] == "2"
    assert items[addr(1)]["curr_items"] == "5"
    for pairs in reply.values():
        names = [name for name, _ in pairs]
        assert "pid" in names and "version" in names
        assert len(names) == len(set(names))
    # a group no node knows fails the call, and the connection stays usable
    with pytest.raises(LibcouchbaseError):
        stats(cluster, b"no-such-group")
    assert all(n.usable for n in cluster.nodes.values())
    assert set(stats(cluster, b"")) == {addr(0), addr(1)}
    cluster.close()


# -- bootstrap failures ---------------------------------------------------------------------------
def test_wrong_password_is_auth_error(memory):
    cluster, _ = make_cluster(memory, password="wrong")
    with pytest.raises(AuthError):
        cluster.connect()
    assert len(memory.connections) == 1  # the walk stops at once: no second seed tried
    assert cluster.nodes == {}
    assert cluster.router.config is None


def test_missing_bucket_is_bucket_not_found(memory):
    cluster, network = make_cluster(memory, connstr=memory.connstr(bucket="nope"))
    with pytest.raises(BucketNotFoundError):
        cluster.connect()
    assert len(memory.connections) == 1
    assert Opcode.SELECT_BUCKET in memory.connections[0].requests
    assert cluster.nodes == {}
    assert all(s.closed for s in network.streams)


def test_silent_first_seed_is_skipped(memory):
    memory.silent_ports.add(KV_BASE + 0)
    cluster, network = make_cluster(memory)
    started = time.monotonic()
    cluster.connect()
    took = time.monotonic() - started
    assert 0.3 <= took < 2.0  # the seed's own deadline, far from the 5 s total
    assert cluster.router.config is not None
    assert list(cluster.nodes) == [addr(1)]
    assert repr(cluster.nodes[addr(1)]) == "BlockingNode(127.0.0.1:11001, ready)"
    assert network.streams[0].closed  # the silent seed's stream was given up
    cluster.close()


# -- a hung node ---------------------------------------------------------------------------
def test_node_swallowing_hello_fails_at_node_deadline(memory):
    cluster, _ = connected(memory, timeout=10.0)  # the op timeout is far away
    key = memory.key_on(1, "hung")
    memory.cluster.stall_kv_connections(1, 1)
    started = time.monotonic()
    with pytest.raises(CBTimeoutError):
        cluster.execute(upsert(key, 1))
    took = time.monotonic() - started
    assert 0.3 <= took < 1.5  # config_node_timeout, not the 10 s operation timeout
    assert addr(1) not in cluster.nodes or not cluster.nodes[addr(1)].usable
    (hung,) = kv_servers(memory, 1)
    assert hung.stalled and hung.requests == []

    # the next operation opens a new connection, which works
    pkt = cluster.execute(upsert(key, 2))
    assert pkt.status == Status.SUCCESS
    assert value_result(key, cluster.execute(get_request(key))).value == 2
    first, second = kv_servers(memory, 1)
    assert first is hung and not second.stalled
    assert second.requests[-2:] == [Opcode.SET, Opcode.GET]
    assert cluster.nodes[addr(1)].usable
    cluster.close()


def test_multi_to_hung_node_fails_at_node_deadline(memory):
    cluster, _ = connected(memory, timeout=5.0)
    keys = keys_on(memory, 1, 3, "hung-multi")
    memory.cluster.stall_kv_connections(1, 100)  # node 1 stays hung
    started = time.monotonic()
    answers = cluster.execute_multi([get_request(k) for k in keys])
    took = time.monotonic() - started
    assert all(isinstance(a, CBTimeoutError) for a in answers)
    assert len(kv_servers(memory, 1)) == 1  # one connection attempt for the batch
    assert took < 0.6  # the node deadline (0.3 s), like a single operation


# -- HTTP bootstrap --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_http_bootstrap(memory, seed):
    cluster, network = connected(memory, seed, connstr=f"http://{HOST}:{MGMT_BASE}/default")
    assert cluster.router.config is not None
    assert cluster.router.addresses() == [addr(0), addr(1)]
    assert cluster.nodes == {}  # no KV connection until one is needed
    (http,) = memory.connections
    assert isinstance(http, ConfigServerSide)
    assert http.targets == ["/pools/default/bs/default"]
    assert network.streams[0].closed  # the flow's link was closed after the first config

    keys = [memory.key_on(0, "h"), memory.key_on(1, "h")]
    for key in keys:
        assert cluster.execute(upsert(key, key.upper())).status == Status.SUCCESS
    assert [value_result(k, cluster.execute(get_request(k))).value for k in keys] == \
        [k.upper() for k in keys]
    assert set(cluster.nodes) == {addr(0), addr(1)}
    cluster.close()


@pytest.mark.parametrize(("password", "bucket", "error"), [
    ("wrong", "default", AuthError),
    ("password", "nope", BucketNotFoundError),
])
def test_http_bootstrap_errors(memory, password, bucket, error):
    cluster, _ = make_cluster(memory, connstr=f"http://{HOST}:{MGMT_BASE}/{bucket}",
                              password=password)
    with pytest.raises(error):
        cluster.connect()
    assert cluster.router.config is None
    assert len(memory.connections) == 1


# -- close ------------------------------------------------------------------------------------
def test_close_closes_every_connection(memory):
    cluster, network = connected(memory)
    for node in (0, 1):
        cluster.execute(upsert(memory.key_on(node, "c"), node))
    assert len(cluster.nodes) == 2
    nodes = list(cluster.nodes.values())
    cluster.close()
    assert cluster.closed
    assert cluster.nodes == {}
    assert all(s.closed for s in network.streams)
    assert all(not n.usable and n.sock is None for n in nodes)
    assert all(repr(n).endswith(", closed)") for n in nodes)
    cluster.close()  # twice is harmless
    assert cluster.closed and cluster.nodes == {}


def test_requests_after_close_are_refused(memory):
    cluster, _ = connected(memory)
    key = memory.key_on(1, "closed")
    cluster.close()
    opened = len(memory.connections)
    with pytest.raises(ObjectDestroyedError):
        cluster.execute(get_request(key))
    with pytest.raises(ObjectDestroyedError):
        cluster.execute_multi([get_request(key)])
    with pytest.raises(ObjectDestroyedError):
        stats(cluster, b"")
    assert cluster.nodes == {}
    assert len(memory.connections) == opened  # no new connection on a closed cluster


# -- NOT_MY_VBUCKET ------------------------------------------------------------------------------
def test_not_my_vbucket_with_new_map_is_sent_again_at_once(memory):
    retry = RecordingRetry()
    cluster, network = connected(memory, retry=retry)
    assert cluster.retry is retry
    key = memory.key_on(0, "moved")
    cluster.execute(get_request(key))  # node 0 is open and routes this key
    move_vbucket_of(memory, key, to=1)

    pkt = cluster.execute(upsert(key, "moved"))
    assert pkt.status == Status.SUCCESS
    assert retry.calls == [(0, True)]  # the NMVB carried a newer map
    assert network.slept == []
    assert kv_servers(memory, 0)[0].requests.count(Opcode.SET) == 1  # refused there
    assert kv_servers(memory, 1)[0].requests.count(Opcode.SET) == 1  # done here
    # the router took the new map: the next request goes straight to node 1
    assert value_result(key, cluster.execute(get_request(key))).value == "moved"
    assert retry.calls == [(0, True)]
    cluster.close()


def test_not_my_vbucket_without_new_map_backs_off_then_gives_up(memory):
    retry = RecordingRetry(pause=0.01, give_up_after=2)
    cluster, network = connected(memory, retry=retry)
    key = memory.key_on(0, "stale")
    move_vbucket_of(memory, key, to=1, bump=False)  # same revision: nothing new to learn
    with pytest.raises(CBTimeoutError, match="cluster map"):
        cluster.execute(upsert(key, 1))
    assert retry.calls == [(0, False), (1, False), (2, False)]
    assert network.slept == [0.01, 0.01]
    assert kv_servers(memory, 0)[0].requests.count(Opcode.SET) == 3
    assert kv_servers(memory, 1) == []
    cluster.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_not_my_vbucket_in_a_batch(memory, seed):
    retry = RecordingRetry()
    cluster, _ = connected(memory, seed, retry=retry)
    cluster.execute(get_request(memory.key_on(1, "open")))  # both nodes open, old map
    keys = [f"batch-{i}" for i in range(40)]
    moved = [k for k in keys if memory.node_of(k) == 0][:3]
    for key in moved:
        move_vbucket_of(memory, key, to=1)
    stored = cluster.execute_multi([upsert(k, k) for k in keys])
    assert all(isinstance(p, Packet) and p.status == Status.SUCCESS for p in stored)
    assert retry.calls == [(0, True)]  # one more round for the moved ones
    got = cluster.execute_multi([get_request(k) for k in keys])
    assert [value_result(k, p).value for k, p in zip(keys, got)] == keys
    for node in cluster.nodes.values():
        assert len(node.inflight) == 0 and not node.has_pending
    cluster.close()
