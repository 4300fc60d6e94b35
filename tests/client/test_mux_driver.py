"""The event-loop cluster driver over a scripted backend (tests/scripted.py).

:class:`~couchbase._io.mux.MuxCluster` gets its connections and timers from
:class:`~scripted.ScriptedBackend`, whose small loop feeds every answer of the
local cluster's KV sessions and management port 1 to 5 bytes per
``data_received``. Seeds 0..4 give different cuttings.
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
from couchbase._io import mux
from couchbase._io.mux import MuxCluster, MuxNode
from couchbase._kv import get_request, mutation_result, value_result
from couchbase._settings import read_settings
from couchbase.exceptions import (
    AuthError,
    BucketNotFoundError,
    LibcouchbaseError,
    NoMatchingServerError,
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
    ScriptedBackend,
    addr,
    keys_on,
    kv_servers,
    move_vbucket_of,
    upsert,
)


# -- helpers ----------------------------------------------------------------------------------
def make_cluster(memory: MemoryCluster, seed: int = 0, connstr: Optional[str] = None,
                 password: str = "password", timeout: float = 2.5,
                 retry: Optional[RetryPolicy] = None) -> tuple[MuxCluster, ScriptedBackend]:
    if connstr is None:
        connstr = memory.connstr(config_node_timeout=0.3)
    settings = read_settings(connstr, password, "Administrator", timeout, 5.0)
    backend = ScriptedBackend(memory, seed)
    return MuxCluster(settings, backend, retry=retry), backend


def connect(cluster: MuxCluster, backend: ScriptedBackend) -> Optional[BaseException]:
    """Run the bootstrap walk; what ``done`` got (None or the error), exactly once."""
    got: list[Optional[BaseException]] = []
    cluster.connect(got.append)
    backend.run(lambda: bool(got))
    backend.run(backend.idle)
    assert len(got) == 1
    return got[0]


def connected(memory: MemoryCluster, seed: int = 0, **kw: Any,
              ) -> tuple[MuxCluster, ScriptedBackend]:
    cluster, backend = make_cluster(memory, seed, **kw)
    assert connect(cluster, backend) is None
    return cluster, backend


class Calls:
    """``done`` callbacks that record what they were called with."""

    def __init__(self) -> None:
        self.got: dict[Any, list[tuple[Any, Any]]] = {}

    def done(self, name: Any) -> Any:
        self.got[name] = []
        return lambda *args: self.got[name].append(args)

    def finished(self, *names: Any) -> bool:
        return all(self.got[n] for n in (names or self.got))

    def one(self, name: Any) -> tuple[Any, Any]:
        (args,) = self.got[name]  # called exactly once
        return args


def execute(cluster: MuxCluster, backend: ScriptedBackend, req: Any) -> tuple[Any, Any]:
    calls = Calls()
    cluster.execute(req, calls.done("op"))
    backend.run(calls.finished)
    return calls.one("op")


def ok(cluster: MuxCluster, backend: ScriptedBackend, req: Any) -> Packet:
    pkt, error = execute(cluster, backend, req)
    assert error is None and pkt is not None
    return pkt


# -- bootstrap ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_bootstrap_over_scripted_stream(memory, seed, monkeypatch):
    pieces: list[int] = []
    received = MuxNode.data_received

    def counting(self: MuxNode, data: bytes) -> None:
        pieces.append(len(data))
        received(self, data)

    monkeypatch.setattr(MuxNode, "data_received", counting)
    cluster, backend = connected(memory, seed)

    assert cluster.router.config is not None
    assert cluster.router.addresses() == [addr(0), addr(1)]
    assert list(cluster.nodes) == [addr(0)]  # only the seed is open
    node = cluster.nodes[addr(0)]
    assert node.ready and not node.closed and node.session is not None
    assert repr(node) == "MuxNode(127.0.0.1:11000, ready, 0 in flight)"
    assert repr(cluster) == ("<MuxCluster bucket='default' "
                             "nodes=[MuxNode(127.0.0.1:11000, ready, 0 in flight)]>")
    assert len(backend.transports) == 1
    (server,) = memory.connections
    assert server.requests == BOOTSTRAP_OPCODES
    assert pieces and max(pieces) <= 5 and len(pieces) > 50  # really 1-5 bytes at a time
    cluster.close()


def test_execute_before_connect_has_no_route(memory):
    cluster, _ = make_cluster(memory)
    calls = Calls()
    cluster.execute(get_request("k"), calls.done("op"))
    pkt, error = calls.one("op")  # at once: there is no map to route by
    assert pkt is None and isinstance(error, NoMatchingServerError)
    assert memory.connections == []


# -- key-value ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_upsert_then_get_on_both_nodes(memory, seed):
    cluster, backend = connected(memory, seed)
    keys = keys_on(memory, 0, 3, "a") + keys_on(memory, 1, 3, "b")
    cas = {}
    for i, key in enumerate(keys):
        pkt = ok(cluster, backend, upsert(key, {"i": i, "key": key, "pad": "x" * (i * 37)}))
        cas[key] = mutation_result(key, pkt).cas
        assert cas[key]
    for i, key in enumerate(keys):
        result = value_result(key, ok(cluster, backend, get_request(key)))
        assert result.value == {"i": i, "key": key, "pad": "x" * (i * 37)}
        assert result.cas == cas[key]
        assert result.flags == FMT_JSON
    assert set(cluster.nodes) == {addr(0), addr(1)}
    assert all(n.ready for n in cluster.nodes.values())
    for node in (0, 1):
        (server,) = kv_servers(memory, node)
        assert server.requests.count(Opcode.SET) == 3
        assert server.requests.count(Opcode.GET) == 3
    assert ok(cluster, backend, get_request("never-stored")).status == Status.KEY_ENOENT
    cluster.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_multi_batch_across_nodes(memory, seed):
    cluster, backend = connected(memory, seed)
    keys = [f"multi-{i}" for i in range(200)]
    per_node = [sum(1 for k in keys if memory.node_of(k) == n) for n in (0, 1)]
    assert min(per_node) > 50

    got: list[list[Any]] = []
    cluster.execute_multi([upsert(k, {"n": i}) for i, k in enumerate(keys)], got.append)
    backend.run(lambda: bool(got))
    (stored,) = got
    assert len(stored) == 200
    assert all(isinstance(p, Packet) and p.status == Status.SUCCESS for p in stored)
    assert len({p.cas for p in stored}) == 200

    got.clear()
    cluster.execute_multi([get_request(k) for k in keys], got.append)
    backend.run(lambda: bool(got))
    backend.run(backend.idle)
    (read,) = got
    assert [value_result(k, p).value for k, p in zip(keys, read)] == \
        [{"n": i} for i in range(200)]
    assert [p.cas for p in read] == [p.cas for p in stored]

    for n in (0, 1):
        (server,) = kv_servers(memory, n)
        assert server.requests.count(Opcode.SET) == per_node[n]
        assert server.requests.count(Opcode.GET) == per_node[n]
    for node in cluster.nodes.values():  # idle: nothing in flight, queued or half-read
        assert node.ready
        assert len(node.inflight) == 0 and node.queue == []
        assert node.reader.feed(b"") == []
        assert repr(node).endswith("ready, 0 in flight)")
    assert len(got) == 1  # done called once
    cluster.close()


def test_empty_multi_is_done_at_once(memory):
    cluster, _ = connected(memory)
    got: list[Any] = []
    cluster.execute_multi([], got.append)
    assert got == [[]]
    cluster.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_many_requests_in_flight_on_one_node(memory, seed):
    cluster, backend = connected(memory, seed)
    keys = keys_on(memory, 0, 100, "fly")
    node = cluster.nodes[addr(0)]
    calls = Calls()
    for i, key in enumerate(keys):
        cluster.execute(upsert(key, i), calls.done(key))
    # every request is written before any answer is read
    assert len(node.inflight) == 100
    assert repr(node) == "MuxNode(127.0.0.1:11000, ready, 100 in flight)"
    (server,) = kv_servers(memory, 0)
    assert server.requests.count(Opcode.SET) == 100
    assert not any(calls.got.values())

    backend.run(calls.finished)
    for key in keys:
        pkt, error = calls.one(key)
        assert error is None and pkt.status == Status.SUCCESS
    assert len(node.inflight) == 0

    for key in keys:
        cluster.execute(get_request(key), calls.done(key))
    assert len(node.inflight) == 100
    backend.run(calls.finished)
    assert [value_result(k, calls.one(k)[0]).value for k in keys] == list(range(100))
    assert len(node.inflight) == 0 and node.ready
    cluster.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_request_before_node_ready_is_queued_then_sent(memory, seed):
    cluster, backend = connected(memory, seed)
    keys = keys_on(memory, 1, 2, "early")
    calls = Calls()
    for key in keys:
        cluster.execute(upsert(key, key), calls.done(key))
    node = cluster.nodes[addr(1)]
    assert not node.ready and not node.closed
    assert repr(node) == "MuxNode(127.0.0.1:11001, bootstrapping, 0 in flight)"
    assert [op.req.key for op in node.queue] == [k.encode() for k in keys]
    assert all(op.opaque == 0 for op in node.queue)
    transport = backend.transports[-1]
    assert transport.written == b""  # not even connected yet

    # connected, HELLO on its way, not ready: a request made now waits as well
    backend.run(lambda: node.transport is not None)
    assert not node.ready and transport.written
    late = keys_on(memory, 1, 3, "early")[2]
    cluster.execute(upsert(late, late), calls.done(late))
    keys.append(late)
    assert len(node.queue) == 3
    (server,) = kv_servers(memory, 1)
    assert Opcode.SET not in server.requests

    backend.run(calls.finished)
    for key in keys:
        pkt, error = calls.one(key)
        assert error is None and pkt.status == Status.SUCCESS
    assert node.ready and node.queue == [] and len(node.inflight) == 0
    # the requests went out after the whole bootstrap, in the order they were made
    assert server.requests == BOOTSTRAP_OPCODES + [Opcode.SET] * 3
    assert [value_result(k, ok(cluster, backend, get_request(k))).value for k in keys] == keys
    cluster.close()



def stats(cluster, group, done):
    """STAT ``group`` on every node: ``done({address: [(name, value), ...]}, error)``."""
    def pairs(reply, error):
        done(None if reply is None else {a: p.pairs for a, p in reply.items()}, error)

    cluster.each_node(EachNode(partial(StatsCollector, group)), pairs)

@pytest.mark.parametrize("seed", SEEDS)
def test_stats_on_every_node(memory, seed):
    cluster, backend = connected(memory, seed)
    for i, key in enumerate(keys_on(memory, 0, 2, "s0") + keys_on(memory, 1, 5, "s1")):
        ok(cluster, backend, upsert(key, i))
    calls = Calls()
    stats(cluster, b"", calls.done("stats"))
    backend.run(calls.finished)
    reply, error = calls.one("stats")
    assert error is None
    assert set(reply) == {addr(0), addr(1)}
    items = {a: dict(pairs) for a, pairs in reply.items()}
    assert items[addr(0)]["curr_items"] == "2"
    assert items[addr(1)]["curr_items"] == "5"
    for pairs in reply.values():
        names = [name for name, _ in pairs]
        assert "pid" in names and "version" in names
        assert len(names) == len(set(names))
    for node in cluster.nodes.values():
        assert len(node.inflight) == 0  # the STAT entry left the table with its last answer

    # a group no node knows fails the call (once); the connections stay open
    stats(cluster, b"no-such-group", calls.done("bad"))
    backend.run(calls.finished)
    backend.run(backend.idle)
    reply, error = calls.one("bad")
    assert reply is None and isinstance(error, LibcouchbaseError)
    assert all(n.ready for n in cluster.nodes.values())
    assert ok(cluster, backend, get_request(keys_on(memory, 1, 1, "s1")[0])).status == 0
    cluster.close()


# -- an answer whose processing raises ---------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_raising_done_callback_fails_only_its_operation(memory, seed):
    cluster, backend = connected(memory, seed)
    keys = keys_on(memory, 0, 5, "cb")
    bad = keys[2]
    calls: list[tuple[str, Any, Any]] = []

    def done_for(key: str) -> Any:
        def done(pkt: Any, error: Any) -> None:
            calls.append((key, pkt, error))
            if key == bad:
                raise RuntimeError("the application's callback broke")
        return done

    for key in keys:  # all in flight on one node: their answers arrive in one stream
        cluster.execute(upsert(key, key), done_for(key))
    backend.run(lambda: len(calls) >= len(keys))
    backend.run(backend.idle)
    assert sorted(k for k, _, _ in calls) == sorted(keys)  # each called exactly once
    assert all(error is None and pkt.status == Status.SUCCESS for _, pkt, error in calls)
    node = cluster.nodes[addr(0)]
    assert node.ready and not node.closed and len(node.inflight) == 0
    assert [value_result(k, ok(cluster, backend, get_request(k))).value for k in keys] == keys
    cluster.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_answer_that_raises_fails_only_its_operation(memory, seed, monkeypatch):
    cluster, backend = connected(memory, seed)
    keys = keys_on(memory, 0, 5, "ans")
    bad = keys[1].encode()
    answer = mux._Op.answer

    def broken(self: Any, pkt: Packet) -> None:
        if self.req.key == bad:
            raise ValueError("could not make sense of the answer")
        answer(self, pkt)

    monkeypatch.setattr(mux._Op, "answer", broken)
    calls = Calls()
    for key in keys:
        cluster.execute(upsert(key, key), calls.done(key))
    backend.run(calls.finished)
    backend.run(backend.idle)
    for key in keys:
        pkt, error = calls.one(key)
        if key.encode() == bad:
            assert pkt is None and isinstance(error, ValueError)
        else:
            assert error is None and pkt.status == Status.SUCCESS
    node = cluster.nodes[addr(0)]
    assert node.ready and not node.closed and len(node.inflight) == 0
    monkeypatch.undo()
    assert ok(cluster, backend, get_request(keys[0])).status == Status.SUCCESS
    cluster.close()


def test_raising_callback_when_node_fails_does_not_strand_the_others(memory):
    cluster, backend = connected(memory, timeout=10.0)
    keys = keys_on(memory, 1, 3, "strand")
    memory.cluster.stall_kv_connections(1, 1)
    got: list[tuple[str, Any]] = []

    def done_for(key: str) -> Any:
        def done(pkt: Any, error: Any) -> None:
            got.append((key, error))
            if key == keys[0]:
                raise RuntimeError("the application's callback broke")
        return done

    for key in keys:  # all queued on the hung connection
        cluster.execute(get_request(key), done_for(key))
    try:
        backend.run(lambda: len(got) == 3, timeout=1.5)  # the node deadline is 0.3 s
    finally:
        cluster.close()
    assert [k for k, _ in got] == keys
    assert all(isinstance(error, CBTimeoutError) for _, error in got)


# -- bootstrap failures ---------------------------------------------------------------------------
def test_wrong_password_is_auth_error(memory):
    cluster, backend = make_cluster(memory, password="wrong")
    assert isinstance(connect(cluster, backend), AuthError)
    assert len(memory.connections) == 1  # the walk stops at once: no second seed tried
    assert cluster.router.config is None
    assert all(n.closed for n in cluster.nodes.values())
    assert all(t.closed for t in backend.transports)


def test_missing_bucket_is_bucket_not_found(memory):
    cluster, backend = make_cluster(memory, connstr=memory.connstr(bucket="nope"))
    assert isinstance(connect(cluster, backend), BucketNotFoundError)
    assert len(memory.connections) == 1
    assert Opcode.SELECT_BUCKET in memory.connections[0].requests
    assert cluster.router.config is None
    assert all(n.closed for n in cluster.nodes.values())


def test_silent_first_seed_is_skipped(memory):
    memory.silent_ports.add(KV_BASE + 0)
    cluster, backend = make_cluster(memory)
    started = time.monotonic()
    assert connect(cluster, backend) is None
    took = time.monotonic() - started
    assert 0.3 <= took < 2.0  # the seed's own deadline, far from the 5 s total
    assert cluster.router.config is not None
    silent = cluster.nodes[addr(0)]
    assert silent.closed and isinstance(silent.failure, CBTimeoutError)
    assert repr(silent) == "MuxNode(127.0.0.1:11000, closed, 0 in flight)"
    assert cluster.nodes[addr(1)].ready
    assert backend.transports[0].closed
    cluster.close()


# -- a hung node ---------------------------------------------------------------------------
def test_node_swallowing_hello_fails_at_node_deadline(memory):
    cluster, backend = connected(memory, timeout=10.0)  # the op timeout is far away
    keys = keys_on(memory, 1, 2, "hung")
    memory.cluster.stall_kv_connections(1, 1)
    calls = Calls()
    started = time.monotonic()
    for key in keys:  # both wait on the same (hung) connection
        cluster.execute(upsert(key, 1), calls.done(key))
    hung = cluster.nodes[addr(1)]
    assert len(hung.queue) == 2
    backend.run(calls.finished)
    took = time.monotonic() - started
    assert 0.3 <= took < 1.5  # config_node_timeout, not the 10 s operation timeout
    for key in keys:
        pkt, error = calls.one(key)
        assert pkt is None and isinstance(error, CBTimeoutError)
    assert hung.closed and hung.queue == []
    (server,) = kv_servers(memory, 1)
    assert server.stalled and server.requests == []

    # the next operation gets a new connection, which works
    assert ok(cluster, backend, upsert(keys[0], 2)).status == Status.SUCCESS
    assert value_result(keys[0], ok(cluster, backend, get_request(keys[0]))).value == 2
    fresh = cluster.nodes[addr(1)]
    assert fresh is not hung and fresh.ready
    first, second = kv_servers(memory, 1)
    assert first is server and not second.stalled
    assert second.requests[-2:] == [Opcode.SET, Opcode.GET]
    cluster.close()


# -- HTTP bootstrap --------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_http_bootstrap(memory, seed):
    cluster, backend = connected(memory, seed, connstr=f"http://{HOST}:{MGMT_BASE}/default")
    assert cluster.router.config is not None
    assert cluster.router.addresses() == [addr(0), addr(1)]
    assert cluster.nodes == {}  # no KV connection until one is needed
    (http,) = memory.connections
    assert isinstance(http, ConfigServerSide)
    assert http.targets == ["/pools/default/bs/default"]
    assert backend.transports[0].closed  # the flow's link was closed after the first config

    keys = [memory.key_on(0, "h"), memory.key_on(1, "h")]
    for key in keys:
        assert ok(cluster, backend, upsert(key, key.upper())).status == Status.SUCCESS
    assert [value_result(k, ok(cluster, backend, get_request(k))).value for k in keys] == \
        [k.upper() for k in keys]
    assert set(cluster.nodes) == {addr(0), addr(1)}
    cluster.close()


@pytest.mark.parametrize(("password", "bucket", "error"), [
    ("wrong", "default", AuthError),
    ("password", "nope", BucketNotFoundError),
])
def test_http_bootstrap_errors(memory, password, bucket, error):
    cluster, backend = make_cluster(memory, connstr=f"http://{HOST}:{MGMT_BASE}/{bucket}",
                                    password=password)
    assert isinstance(connect(cluster, backend), error)
    assert cluster.router.config is None
    assert len(memory.connections) == 1


# -- close ------------------------------------------------------------------------------------
def test_close_fails_what_is_in_flight_and_refuses_more(memory):
    cluster, backend = connected(memory)
    ok(cluster, backend, upsert(memory.key_on(1, "c"), 1))  # node 1 open too
    nodes = list(cluster.nodes.values())
    calls = Calls()
    cluster.execute(upsert(memory.key_on(0, "c"), 0), calls.done("in-flight"))
    assert len(cluster.nodes[addr(0)].inflight) == 1
    cluster.close()
    pkt, error = calls.one("in-flight")  # failed by close itself
    assert pkt is None and isinstance(error, ObjectDestroyedError)
    assert cluster.closed and cluster.nodes == {}
    assert all(n.closed and not n.ready for n in nodes)
    assert all(repr(n).endswith("closed, 0 in flight)") for n in nodes)
    assert all(t.closed for t in backend.transports)

    cluster.execute(get_request("k"), calls.done("after"))
    pkt, error = calls.one("after")  # at once
    assert pkt is None and isinstance(error, ObjectDestroyedError)
    got: list[Any] = []
    cluster.execute_multi([get_request("a"), get_request("b")], got.append)
    (answers,) = got
    assert len(answers) == 2 and all(isinstance(a, ObjectDestroyedError) for a in answers)
    backend.run(backend.idle)  # the late answer to the in-flight request changes nothing
    assert len(calls.got["in-flight"]) == 1
    assert cluster.nodes == {}


def test_close_while_connecting(memory):
    cluster, backend = make_cluster(memory)
    got: list[Any] = []
    cluster.connect(got.append)
    cluster.close()
    backend.run(lambda: bool(got))
    backend.run(backend.idle)
    assert len(got) == 1 and isinstance(got[0], ObjectDestroyedError)
    assert cluster.nodes == {}
    assert all(t.closed for t in backend.transports)


def test_stats_after_close_is_refused(memory):
    cluster, backend = connected(memory)
    cluster.close()
    opened = len(memory.connections)
    calls = Calls()
    stats(cluster, b"", calls.done("stats"))
    backend.run(calls.finished, timeout=2)
    reply, error = calls.one("stats")
    assert reply is None and isinstance(error, ObjectDestroyedError)
    assert cluster.nodes == {}
    assert len(memory.connections) == opened


# -- NOT_MY_VBUCKET ------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_not_my_vbucket_with_new_map_is_sent_again_at_once(memory, seed):
    retry = RecordingRetry()
    cluster, backend = connected(memory, seed, retry=retry)
    assert cluster.retry is retry
    ok(cluster, backend, get_request(memory.key_on(1, "open")))  # both nodes open, old map
    key = memory.key_on(0, "moved")
    move_vbucket_of(memory, key, to=1)

    assert ok(cluster, backend, upsert(key, "moved")).status == Status.SUCCESS
    assert retry.calls == [(0, True)]  # the NMVB carried a newer map
    assert kv_servers(memory, 0)[0].requests.count(Opcode.SET) == 1  # refused there
    assert kv_servers(memory, 1)[0].requests.count(Opcode.SET) == 1  # done here
    assert value_result(key, ok(cluster, backend, get_request(key))).value == "moved"
    assert retry.calls == [(0, True)]  # the router took the new map
    for node in cluster.nodes.values():
        assert len(node.inflight) == 0
    cluster.close()


def test_not_my_vbucket_without_new_map_backs_off_then_gives_up(memory):
    retry = RecordingRetry(pause=0.01, give_up_after=2)
    cluster, backend = connected(memory, retry=retry)
    key = memory.key_on(0, "stale")
    move_vbucket_of(memory, key, to=1, bump=False)  # same revision: nothing new to learn
    started = time.monotonic()
    pkt, error = execute(cluster, backend, upsert(key, 1))
    assert time.monotonic() - started >= 0.02  # two pauses on the backend's timers
    assert pkt is None and isinstance(error, CBTimeoutError)
    assert "cluster map" in str(error)
    assert retry.calls == [(0, False), (1, False), (2, False)]
    assert kv_servers(memory, 0)[0].requests.count(Opcode.SET) == 3
    assert kv_servers(memory, 1) == []
    assert len(cluster.nodes[addr(0)].inflight) == 0
    cluster.close()
