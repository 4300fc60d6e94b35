"""Bucket.ping() and Bucket.diagnostics() (SDK 2.5) on every front end."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from couchbase.exceptions import ArgumentError
from couchbase_mock.mock import MockCluster


def _kv_nodes(mock: Any) -> set[str]:
    return {f"127.0.0.1:{n.kv_port}" for n in mock.cluster.nodes if n.member}


def test_ping_measures_every_kv_node_and_query_node(cb: Any, mock_cluster: Any) -> None:
    report = cb.ping()
    assert report["version"] == 1 and report["id"] and report["sdk"].startswith("couchbase-pure")
    assert report["config_rev"] > 0
    kv = report["services"]["kv"]
    assert {e["remote"] for e in kv} == _kv_nodes(mock_cluster)
    for entry in kv:
        assert entry["status"] == "ok"
        assert entry["latency_us"] > 0
        assert entry["scope"] == "default"
    n1ql = report["services"]["n1ql"]
    assert len(n1ql) == len([n for n in mock_cluster.cluster.nodes if n.query_port])
    assert all(e["status"] == "ok" for e in n1ql)


def test_ping_of_chosen_services(cb: Any) -> None:
    report = cb.ping(services=["kv"])
    assert list(report["services"]) == ["kv"]
    assert cb.ping(report_id="mine")["id"] == "mine"
    with pytest.raises(ArgumentError):
        cb.ping(services=["kv", "memcached-admin"])
    with pytest.raises(ArgumentError):
        cb.ping(services=[])


def test_diagnostics_reports_connections_without_sending(cb: Any, mock_cluster: Any) -> None:
    cb.upsert("health-diag", 1)  # at least one connection is open
    report = cb.diagnostics()
    kv = report["services"]["kv"]
    assert {e["remote"] for e in kv} == _kv_nodes(mock_cluster)
    assert all(e["status"] in ("connected", "connecting", "disconnected") for e in kv)
    assert any(e["status"] == "connected" for e in kv)


@pytest.fixture
def two_nodes() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=0) as mock:
        yield mock


def test_ping_reports_a_stopped_node_and_still_measures_the_other(
        connect: Callable[..., Any], two_nodes: MockCluster) -> None:
    cb = connect(f"{two_nodes.connstr}/default?config_node_timeout=0.5",
                 username="Administrator", password="password", timeout=1.0)
    assert all(e["status"] == "ok" for e in cb.ping(services=["kv"])["services"]["kv"])
    stopped = two_nodes.cluster.nodes[1].kv_port
    two_nodes.stop_node(1)
    kv = {e["remote"]: e for e in cb.ping(services=["kv"])["services"]["kv"]}
    assert kv[f"127.0.0.1:{stopped}"]["status"] in ("error", "timeout")
    assert "error" in kv[f"127.0.0.1:{stopped}"]
    (alive,) = [e for r, e in kv.items() if r != f"127.0.0.1:{stopped}"]
    assert alive["status"] == "ok"


def test_ping_status_numbers_are_the_2x_ones(cb: Any) -> None:
    from couchbase.bucket import PingStatus

    assert (PingStatus.OK, PingStatus.TIMEOUT, PingStatus.ERROR) == (0, 1, 2)
    for entry in cb.ping(services=["kv"])["services"]["kv"]:
        assert PingStatus.of(entry["status"]) == PingStatus.OK
    assert PingStatus.of("timeout") == PingStatus.TIMEOUT
    assert PingStatus.of("error") == PingStatus.ERROR
