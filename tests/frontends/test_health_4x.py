"""4.x health checks (couchbase_diagnostics.html, health-check, managing-connections):
Cluster ping/diagnostics/wait_until_ready on sync and gevent; Bucket.ping and
diagnostics (also the 2.x dicts) on every front end."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from cluster4x import cluster_class, options  # tests/, shared (fixtures: conftest.py)
from couchbase.diagnostics import ClusterState, EndpointState, PingState, ServiceType
from couchbase.exceptions import InvalidArgumentException, UnAmbiguousTimeoutException
from couchbase.options import DiagnosticsOptions, PingOptions, WaitUntilReadyOptions
from couchbase.result import DiagnosticsResult, PingResult


def test_cluster_ping_reports_every_service(cluster: Any) -> None:
    result = cluster.ping(PingOptions(report_id="my-report"))
    assert isinstance(result, PingResult) and result.id == "my-report"
    assert result.sdk and result.version == 2
    assert set(result.endpoints) >= {ServiceType.KeyValue, ServiceType.Query,
                                     ServiceType.Search, ServiceType.View}
    kv = result.endpoints[ServiceType.KeyValue]
    assert len(kv) == 4 and all(e.state is PingState.OK for e in kv)
    assert all(e.latency > timedelta(0) and e.namespace is None for e in kv)
    doc = json.loads(result.as_json())
    assert doc["id"] == "my-report" and len(doc["services"]["kv"]) == 4
    assert set(doc["services"]) >= {"kv", "query", "search", "views"}


def test_cluster_ping_of_some_services(cluster: Any) -> None:
    result = cluster.ping(service_types=[ServiceType.Query])
    assert list(result.endpoints) == [ServiceType.Query]
    with pytest.raises(InvalidArgumentException):
        cluster.ping(PingOptions(service_types=["bogus"]))


def test_cluster_diagnostics(cluster: Any) -> None:
    cluster.bucket("default").ping()  # (KV connections open on first use: ping opens them)
    cluster.ping()
    result = cluster.diagnostics(DiagnosticsOptions(report_id="d1"))
    assert isinstance(result, DiagnosticsResult) and result.id == "d1"
    assert result.state is ClusterState.Online
    kv = result.endpoints[ServiceType.KeyValue]
    assert {e.namespace for e in kv} == {None, "default"}  # the cluster's and the bucket's
    assert all(e.state is EndpointState.Connected for e in kv)
    assert json.loads(result.as_json())["services"]["kv"]


def test_wait_until_ready(cluster: Any) -> None:
    assert cluster.wait_until_ready(timedelta(seconds=5)) is None
    cluster.wait_until_ready(3, WaitUntilReadyOptions(
        desired_state=ClusterState.Degraded, service_types=[ServiceType.KeyValue,
                                                            ServiceType.Query]))
    with pytest.raises(InvalidArgumentException):
        cluster.wait_until_ready(0)


def test_wait_until_ready_times_out_with_a_node_stopped(cluster_front_end: str,
                                                        fresh_mock: Any) -> None:
    cluster = cluster_class(cluster_front_end)(fresh_mock.connstr, options())
    try:
        cluster.wait_until_ready(timedelta(seconds=2))
        fresh_mock.stop_node(1)
        with pytest.raises(UnAmbiguousTimeoutException):
            cluster.wait_until_ready(timedelta(seconds=0.5),
                                     service_types=[ServiceType.KeyValue])
        # degraded is enough: the other node still answers
        cluster.wait_until_ready(timedelta(seconds=2), desired_state=ClusterState.Degraded,
                                 service_types=[ServiceType.KeyValue])
        report = cluster.ping(service_types=[ServiceType.KeyValue])
        states = sorted(e.state.value for e in report.endpoints[ServiceType.KeyValue])
        assert states == ["error", "ok"]
    finally:
        fresh_mock.start_node(1)
        cluster.close()


# -- Bucket.ping / diagnostics: every front end ---------------------------------------------
def test_bucket_ping_is_both_generations(cb: Any) -> None:
    result = cb.ping(PingOptions(service_types=[ServiceType.KeyValue], report_id="b1"))
    assert isinstance(result, PingResult) and isinstance(result, dict)
    assert result["id"] == "b1" and list(result["services"]) == ["kv"]  # the 2.x dict
    assert all(e["status"] == "ok" for e in result["services"]["kv"])
    kv = result.endpoints[ServiceType.KeyValue]
    assert [e.namespace for e in kv] == ["default"] * 4
    two = cb.ping(["kv"], "b2")  # the 2.x form
    assert two["id"] == "b2" and two.id == "b2"


def test_bucket_diagnostics_is_both_generations(cb: Any) -> None:
    result = cb.diagnostics(DiagnosticsOptions(report_id="d2"))
    assert isinstance(result, DiagnosticsResult) and result["id"] == "d2"
    assert result.state in (ClusterState.Online, ClusterState.Degraded)
    assert cb.diagnostics("d3")["id"] == "d3"  # 2.x: diagnostics(report_id)
