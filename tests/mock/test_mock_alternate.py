"""Alternate addresses: the mock advertises an "external" hostname for every node."""

from __future__ import annotations

from typing import Iterator

import pytest
from mock_http import fetch
from mock_kvclient import KV, connect

from couchbase._core.config import ClusterConfig
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase_mock import MockCluster
from couchbase_mock.__main__ import build_cluster, parse_args


@pytest.fixture(scope="module")
def alt_mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, alternate_hostname="localhost") as mock:
        yield mock


def _expected(mock: MockCluster, index: int) -> dict:
    # A hostname alone (no mapped ports): the server lists no "ports" object.
    return {"external": {"hostname": "localhost"}}


def test_every_config_flavour_carries_the_external_address(alt_mock):
    terse = fetch(alt_mock, "/pools/default/b/default")[1]
    verbose = fetch(alt_mock, "/pools/default/buckets/default")[1]
    pools = fetch(alt_mock, "/pools/default")[1]
    with connect(alt_mock, node=1) as kv:
        kv_config = kv.config()
    for doc in (terse, verbose, pools, kv_config):
        assert [n["alternateAddresses"] for n in doc["nodesExt"]] == [
            _expected(alt_mock, 0), _expected(alt_mock, 1)]
    assert [n["alternateAddresses"] for n in pools["nodes"]] == [
        _expected(alt_mock, 0), _expected(alt_mock, 1)]
    # With alternate addresses set up, the KV flavour names the node's own host
    # (not $HOST), so network=auto can tell it from the external one.
    assert {n["hostname"] for n in kv_config["nodesExt"]} == {"127.0.0.1"}


def test_without_the_option_there_are_no_alternate_addresses(mock_cluster):
    terse = fetch(mock_cluster, "/pools/default/b/default")[1]
    assert all("alternateAddresses" not in n for n in terse["nodesExt"])


@pytest.mark.parametrize("origin, network, expected", [
    ("localhost", "auto", "external"),
    ("127.0.0.1", "auto", "default"),
    ("127.0.0.1", "external", "external"),
])
def test_our_parser_picks_the_network(alt_mock, origin, network, expected):
    terse = fetch(alt_mock, "/pools/default/b/default")[1]
    cfg = ClusterConfig.from_json(terse, origin, network=network)
    host = "localhost" if expected == "external" else "127.0.0.1"
    assert cfg.network == expected
    assert [(n.hostname, n.kv_port) for n in cfg.kv_nodes] == [
        (host, n.kv_port) for n in alt_mock.nodes]


def test_the_external_addresses_answer(alt_mock):
    terse = fetch(alt_mock, "/pools/default/b/default")[1]
    cfg = ClusterConfig.from_json(terse, "localhost", network="external")
    for node in cfg.kv_nodes:
        assert node.kv_port is not None
        with KV(node.kv_port, host=node.hostname) as kv:
            kv.hello()
            assert kv.auth(alt_mock.username, alt_mock.password) == Status.SUCCESS
            assert kv.request(Opcode.NOOP).status == Status.SUCCESS


def test_cli_option():
    cluster = build_cluster(parse_args(["--nodes", "1", "--alternate-hostname", "db.local"]))
    assert cluster.alternate_hostname == "db.local"
    assert build_cluster(parse_args(["--nodes", "1"])).alternate_hostname is None
