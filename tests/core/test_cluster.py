"""The core's cluster policy without any I/O: the node cache, deadlines, endpoints, the plan."""

from __future__ import annotations

import json
from typing import Any

import pytest

from couchbase._core.cluster import ClusterBase
from couchbase._core.connstr import parse_connection_string
from couchbase._core.errors import NoRoute, ServiceUnavailable
from couchbase._core.walk import HTTP, KV


class Settings:
    def __init__(self, connstr: str = "couchbase://a,b:12000/beer", node_timeout: float = 2.0,
                 bootstrap_timeout: float = 5.0) -> None:
        self.connstr = parse_connection_string(connstr)
        self.bucket = "beer"
        self.username, self.password = "u", "p"
        self.timeout = 2.5
        self.bootstrap_timeout = bootstrap_timeout
        self.node_timeout = node_timeout
        self.tls: Any = None


class Node:
    def __init__(self, host: str, port: int, deadline: float) -> None:
        self.host, self.port, self.deadline = host, port, deadline
        self.collections = False
        self.usable = True
        self.closed = False

    def close(self) -> None:
        self.closed = True
        self.usable = False


class Cluster(ClusterBase[Node]):
    def __init__(self, settings: Settings) -> None:
        self.now = 100.0
        super().__init__(settings, clock=lambda: self.now)
        self.opened: list[Node] = []

    def _open(self, host: str, port: int, deadline: float) -> Node:
        node = Node(host, port, deadline)
        self.opened.append(node)
        return node


def _config(rev: int, hosts: tuple[str, ...] = ("a", "b"), **node_extra: Any) -> bytes:
    nodes = [{"hostname": h, "services": {"kv": 11210, **node_extra.get(h, {})}} for h in hosts]
    vbmap = [[i % len(hosts)] for i in range(64)]
    return json.dumps({"rev": rev, "nodesExt": nodes, "vBucketServerMap": {
        "hashAlgorithm": "CRC", "numReplicas": 0, "vBucketMap": vbmap,
        "serverList": [f"{h}:11210" for h in hosts]}}).encode()


def test_one_connection_per_node_until_it_fails() -> None:
    cluster = Cluster(Settings())
    cluster.router.update(_config(1), "a")
    first = cluster.node_at(0)
    assert cluster.node_at(0) is first and len(cluster.opened) == 1
    assert (first.host, first.port) == ("a", 11210)
    first.usable = False  # it failed (or missed its bootstrap deadline)
    second = cluster.node_at(0)
    assert second is not first and first.closed and cluster.nodes[("a", 11210)] is second


def test_a_new_config_keeps_connections_to_the_same_addresses() -> None:
    cluster = Cluster(Settings())
    cluster.router.update(_config(1), "a")
    a = cluster.node_at(0)
    cluster.router.update(_config(2, ("c", "a")), "a")  # a is now kv node 1
    assert cluster.node_at(1) is a
    assert cluster.node_at(0).host == "c" and len(cluster.opened) == 2


def test_the_node_deadline_is_the_node_timeout_or_sooner() -> None:
    cluster = Cluster(Settings(node_timeout=2.0))
    cluster.router.update(_config(1), "a")
    assert cluster.node_at(0).deadline == 102.0
    cluster.now = 200.0
    assert cluster.node_at(1, deadline=201.0).deadline == 201.0  # the operation's is sooner


def test_no_route_before_a_config() -> None:
    with pytest.raises(NoRoute):
        Cluster(Settings()).service_endpoint("views", 1.0)


def test_service_endpoints_round_robin_and_tls_ports() -> None:
    cluster = Cluster(Settings())
    cluster.router.update(_config(1, ("a", "b", "c"), a={"n1ql": 8093, "n1qlSSL": 18093},
                                  c={"n1ql": 9093}), "a")
    picked = [(e.host, e.port) for e in (cluster.service_endpoint("query", 7.0)
                                         for _ in range(3))]
    assert picked == [("a", 8093), ("c", 9093), ("a", 8093)]
    assert cluster.service_endpoint("query", 7.0).timeout == 7.0
    cluster.settings.tls = object()
    assert {cluster.service_endpoint("query", 1.0).port for _ in range(3)} == {18093}
    with pytest.raises(ServiceUnavailable, match="views"):
        cluster.service_endpoint("views", 1.0)


def test_the_plan_walks_kv_seeds_then_management_ports() -> None:
    plan = Cluster(Settings(node_timeout=1.5, bootstrap_timeout=4.0)).bootstrap_plan()
    assert [(s.kind, s.host, s.port) for s in plan.seeds] == [
        (KV, "a", 11210), (KV, "b", 12000), (HTTP, "a", 8091), (HTTP, "b", 8091)]
    assert (plan.node_timeout, plan.total_timeout, plan.bucket) == (1.5, 4.0, "beer")


def test_close_closes_every_connection() -> None:
    cluster = Cluster(Settings())
    cluster.router.update(_config(1), "a")
    nodes = [cluster.node_at(0), cluster.node_at(1)]
    cluster.close()
    assert cluster.closed and all(n.closed for n in nodes) and not cluster.nodes


def test_after_a_node_failure_only_unsent_requests_and_reads_go_again() -> None:
    from couchbase._core.opcode import Opcode

    retry = ClusterBase.retry_on_failure
    assert retry(Opcode.SET, sent=False) and retry(Opcode.GET, sent=True)
    assert not retry(Opcode.SET, sent=True) and not retry(Opcode.INCREMENT, sent=True)


def test_the_config_comes_from_another_node_with_a_live_connection_first() -> None:
    cluster = Cluster(Settings())
    cluster.router.update(_config(1, ("a", "b", "c")), "a")
    assert cluster.config_source(("a", 11210)) == 1  # nothing open yet: the next one
    cluster.node_at(2)
    assert cluster.config_source(("a", 11210)) == 2  # "c" is connected
    cluster.node_at(2).close()
    assert cluster.config_source(("b", 11210)) == 0
    single = Cluster(Settings())
    single.router.update(_config(1, ("a",)), "a")
    assert single.config_source(("a", 11210)) is None  # nobody else to ask
