"""The bootstrap walk and routing, driven with bytes only (no socket, no loop, no clock).

The walk is a flow; this test answers its commands itself, the way a driver
would: an OpenNode by running the core's per-connection bootstrap against
the local cluster's KV session, a Connect/RECEIVE pair by feeding the
management port's HTTP answer, every answer cut into 1 to 5 byte pieces. A
hung node is the test raising the driver's timeout at the node's deadline,
on a clock the test moves.
"""

from __future__ import annotations

import random
from typing import Any, Optional

import pytest

from couchbase._core.bootstrap import Session, bootstrap
from couchbase._core.commands import Connect, OpenNode, Receive
from couchbase._core.errors import (
    AuthenticationFailed,
    BootstrapFailed,
    BucketUnavailable,
    NoRoute,
    RemoteProtocolError,
    Timeout,
)
from couchbase._core.packet import PacketReader
from couchbase._core.router import Router
from couchbase._core.walk import HTTP, KV, Seed, WalkPlan, config_flow, walk
from scripted import HOST, MGMT_BASE, MemoryCluster, chop


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Driver:
    """Answers the walk's commands from a MemoryCluster, over bytes, 1-5 at a time."""

    def __init__(self, memory: MemoryCluster, clock: FakeClock, password: str = "password",
                 bucket: Optional[str] = "default", seed: int = 1) -> None:
        self.memory = memory
        self.clock = clock
        self.password = password
        self.bucket = bucket
        self.rng = random.Random(seed)
        self.opened: list[tuple[str, int, float]] = []  # (host, port, deadline)
        self.http_server: Any = None
        self.http_inbox: list[bytes] = []

    def run(self, flow: Any) -> Any:
        reply: Any = None
        error: Optional[BaseException] = None
        while True:
            try:
                command = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration as stop:
                return stop.value
            reply = error = None
            try:
                reply = self.answer(command)
            except Exception as exc:
                error = exc

    def answer(self, command: Any) -> Any:
        if isinstance(command, OpenNode):
            self.opened.append((command.host, command.port, command.deadline))
            return self.open_node(command)
        if isinstance(command, Connect):
            self.http_server = self.memory.open(command.endpoint.host, command.endpoint.port)
            self.http_inbox = chop(self.http_server.feed(command.data), self.rng)
            return None
        if isinstance(command, Receive):
            if self.http_inbox:
                return self.http_inbox.pop(0)
            return b""  # (the scripted server closed, or has nothing more: EOF)
        raise AssertionError(f"unexpected command {command!r}")

    def open_node(self, command: OpenNode) -> Session:
        server = self.memory.open(command.host, command.port)  # ConnectionRefusedError
        boot = bootstrap("Administrator", self.password, self.bucket)
        reader = PacketReader()
        out = next(boot)
        while True:
            answer = server.feed(out) if out else b""
            if not answer:  # the node says nothing: the driver's deadline passes
                self.clock.now = max(self.clock.now, command.deadline)
                raise Timeout(f"{command.host}:{command.port} did not answer in time")
            out = b""
            for piece in chop(answer, self.rng):
                for pkt in reader.feed(piece):
                    try:
                        more = boot.send(pkt)
                    except StopIteration as stop:
                        return stop.value  # type: ignore[no-any-return]
                    out += more


def _plan(*seeds: Seed, node_timeout: float = 2.0, total: float = 5.0,
          bucket: str = "default") -> WalkPlan:
    return WalkPlan(list(seeds), total, node_timeout, bucket, "Administrator", "password",
                    None, seed_errors=(Exception,))


def _kv(memory: MemoryCluster, node: int) -> Seed:
    return Seed(KV, HOST, memory.kv_port(node))


@pytest.fixture
def memory() -> MemoryCluster:
    return MemoryCluster(nodes=3, replicas=1)


def test_a_hung_seed_costs_its_deadline_then_the_next_one_bootstraps(memory):
    memory.silent_ports.add(9999)
    clock, router = FakeClock(), Router()
    driver = Driver(memory, clock)
    driver.run(walk(_plan(Seed(KV, HOST, 9999), _kv(memory, 1)), router, clock))
    assert driver.opened == [(HOST, 9999, 102.0), (HOST, memory.kv_port(1), 104.0)]
    assert router.config is not None and router.config.rev == memory.cluster.rev
    assert [n.kv_port for n in router.config.kv_nodes] == [memory.kv_port(i) for i in range(3)]


def test_node_deadlines_never_pass_the_whole_walk_s(memory):
    memory.silent_ports.update({9998, 9999})
    clock, router = FakeClock(), Router()
    driver = Driver(memory, clock)
    with pytest.raises(BootstrapFailed) as info:
        driver.run(walk(_plan(Seed(KV, HOST, 9998), Seed(KV, HOST, 9999), _kv(memory, 0),
                              node_timeout=2.0, total=3.0), router, clock))
    # the second seed gets only what is left of the 3 s; the third none at all
    assert [d for _, _, d in driver.opened] == [102.0, 103.0]
    errors = info.value.errors
    assert [type(e) for e in errors] == [Timeout, Timeout, Timeout]
    assert "did not finish in 3.0s" in str(errors[-1])
    assert router.config is None


def test_refused_credentials_end_the_walk_at_once(memory):
    clock, router = FakeClock(), Router()
    driver = Driver(memory, clock, password="wrong")
    with pytest.raises(AuthenticationFailed):
        driver.run(walk(_plan(_kv(memory, 0), _kv(memory, 1)), router, clock))
    assert len(driver.opened) == 1  # another node would say the same


def test_a_missing_bucket_ends_the_walk_at_once(memory):
    clock, router = FakeClock(), Router()
    driver = Driver(memory, clock, bucket="nope")
    with pytest.raises(BucketUnavailable):
        driver.run(walk(_plan(_kv(memory, 0), _kv(memory, 1), bucket="nope"), router, clock))
    assert len(driver.opened) == 1


def test_refused_kv_seeds_fall_back_to_the_management_port(memory):
    clock, router = FakeClock(), Router()
    driver = Driver(memory, clock)
    driver.run(walk(_plan(Seed(KV, HOST, 9999), Seed(HTTP, HOST, MGMT_BASE + 2)), router,
                    clock))
    assert driver.http_server.targets == ["/pools/default/bs/default"]
    assert router.config is not None and len(router.config.kv_nodes) == 3


def test_config_flow_reads_only_the_first_config_of_the_stream(memory):
    driver = Driver(memory, FakeClock())
    endpoint = _plan().endpoint(HOST, MGMT_BASE, 1.0)
    raw = driver.run(config_flow(endpoint, "/pools/default/bs/default"))
    assert raw.startswith(b"{") and raw.endswith(b"}")  # up to the separator, no further


@pytest.mark.parametrize("path, password, error", [
    ("/pools/default/bs/default", "wrong", AuthenticationFailed),
    ("/pools/default/bs/nope", "password", BucketUnavailable),
])
def test_config_flow_errors(memory, path, password, error):
    memory.password = password  # what the scripted server expects
    driver = Driver(memory, FakeClock())
    endpoint = _plan().endpoint(HOST, MGMT_BASE, 1.0)
    if password == "wrong":
        endpoint = endpoint._replace(password="password")
    with pytest.raises(error) as info:
        driver.run(config_flow(endpoint, path))
    assert info.value.http_status in (401, 404)


def test_an_empty_seed_list(memory):
    with pytest.raises(BootstrapFailed, match="no node to bootstrap from"):
        Driver(memory, FakeClock()).run(walk(_plan(), Router(), FakeClock()))


def test_a_seed_without_config_is_skipped(memory):
    """A node whose GET_CLUSTER_CONFIG gave nothing (an old memcached) is not enough."""
    clock, router = FakeClock(), Router()
    driver = Driver(memory, clock)
    real_open = driver.open_node
    driver.open_node = lambda command: (  # type: ignore
        Session(frozenset(), None, "PLAIN") if command.port == 9999 else real_open(command))
    driver.run(walk(_plan(Seed(KV, HOST, 9999), _kv(memory, 0)), router, clock))
    assert router.config is not None and [p for _, p, _ in driver.opened] == [
        9999, memory.kv_port(0)]
    with pytest.raises(BootstrapFailed) as info:
        driver.run(walk(_plan(Seed(KV, HOST, 9999)), Router(), clock))
    assert [type(e) for e in info.value.errors] == [RemoteProtocolError]


def test_routing_follows_the_servers_vbucket_map(memory):
    clock, router = FakeClock(), Router()
    Driver(memory, clock).run(walk(_plan(_kv(memory, 2)), router, clock))
    bucket = memory.cluster.buckets["default"]
    for i in range(300):
        key = f"route-{i}".encode()
        vb, index = router.route_index(key)
        assert vb == bucket.vbucket_of(key)
        assert index == bucket.active_node(vb)
        assert router.route_index(key, 1)[1] == bucket.replica_nodes(vb)[0]
        assert router.address(index) == (HOST, memory.kv_port(index))
    with pytest.raises(NoRoute):
        router.route_index(b"k", 2)  # one replica only


def test_no_route_without_a_config():
    with pytest.raises(NoRoute, match="no cluster configuration"):
        Router().route_index(b"k")
