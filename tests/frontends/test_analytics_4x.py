"""4.x analytics (couchbase_core.html Cluster.analytics_query, AnalyticsOptions,
AnalyticsResult) on the sync and gevent Clusters and a Scope. The local cluster has
no analytics service yet (issue 16): a cluster of its own lists a fake of the
service's HTTP API (tests/analytics_fake.py) as its nodes' analytics port, so the
requests go where a 4.x client sends them, found in the cluster map."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

import pytest

from analytics_fake import PATH, FakeAnalytics  # tests/, shared
from cluster4x import cluster_class, options  # tests/, shared (fixtures: conftest.py)
from couchbase.analytics import AnalyticsScanConsistency, AnalyticsStatus
from couchbase.exceptions import (
    DatasetNotFoundException,
    ServiceUnavailableException,
)
from couchbase.options import AnalyticsOptions
from couchbase.result import AnalyticsResult


@pytest.fixture(scope="module")
def svc() -> Iterator[FakeAnalytics]:
    with FakeAnalytics() as fake:
        yield fake


@pytest.fixture(scope="module")
def analytics_mock(svc: FakeAnalytics) -> Iterator[Any]:
    """A local cluster whose nodes list the fake as their analytics ("cbas") port."""
    from couchbase_mock import MockCluster

    def add_analytics(cluster: Any) -> None:
        for node in cluster.nodes:
            node.ports["cbas"] = svc.port
        cluster.bump()

    with MockCluster(nodes=1, replicas=0) as mock:
        mock.call(add_analytics)
        yield mock


@pytest.fixture
def acluster(cluster_front_end: str, analytics_mock: Any) -> Iterator[Any]:
    made = cluster_class(cluster_front_end)(analytics_mock.connstr, options())
    yield made
    made.close()


def test_rows_and_metadata(acluster: Any, svc: FakeAnalytics) -> None:
    result = acluster.analytics_query("SELECT VALUE n", AnalyticsOptions(
        named_parameters={"count": 3}, client_context_id="a-1"))
    assert isinstance(result, AnalyticsResult)
    assert list(result.rows()) == [{"n": 0}, {"n": 1}, {"n": 2}]
    meta = result.metadata()
    assert meta.status() is AnalyticsStatus.SUCCESS and meta.client_context_id() == "a-1"
    assert meta.request_id() and meta.signature() == {"*": "*"} and meta.warnings() == []
    metrics = meta.metrics()
    assert metrics.result_count() == 3 and metrics.result_size() == 10
    assert metrics.elapsed_time() == timedelta(microseconds=1500)
    assert metrics.execution_time() == timedelta(milliseconds=1)
    assert metrics.error_count() == 0 and metrics.processed_objects() == 0
    sent = svc.requests[-1]
    assert (sent["method"], sent["path"]) == ("POST", PATH)
    assert sent["body"]["client_context_id"] == "a-1" and sent["body"]["$count"] == 3


def test_positional_and_named_parameters(acluster: Any, svc: FakeAnalytics) -> None:
    stmt = "SELECT VALUE bw FROM breweries bw WHERE bw.name = ? AND bw.city = $city"
    (row,) = acluster.analytics_query(stmt, AnalyticsOptions(
        positional_parameters=["Kona Brewing"], named_parameters={"city": "Kona"})).rows()
    assert row == {"statement": stmt, "args": ["Kona Brewing"], "named": {"city": "Kona"}}
    (row,) = acluster.analytics_query(stmt, "Kona Brewing", city="Kona").rows()  # the same,
    assert row["args"] == ["Kona Brewing"] and row["named"] == {"city": "Kona"}  # as values


def test_options_reach_the_service(acluster: Any, svc: FakeAnalytics) -> None:
    list(acluster.analytics_query("SELECT 1", AnalyticsOptions(
        timeout=timedelta(seconds=5), read_only=True,
        scan_consistency=AnalyticsScanConsistency.REQUEST_PLUS,
        raw={"custom": "x"})).rows())
    body = svc.requests[-1]["body"]
    assert body["timeout"] == "5000ms" and body["readonly"] is True
    assert body["scan_consistency"] == "request_plus" and body["custom"] == "x"


def test_scope_analytics_query_sends_its_query_context(acluster: Any,
                                                       svc: FakeAnalytics) -> None:
    scope = acluster.bucket("default").scope("_default")
    list(scope.analytics_query("SELECT 1").rows())
    assert svc.requests[-1]["body"]["query_context"] == "default:`default`.`_default`"


def test_errors(acluster: Any) -> None:
    with pytest.raises(DatasetNotFoundException) as info:
        list(acluster.analytics_query("SELECT * FROM FAIL").rows())
    context = info.value.context
    assert context.first_error_code == 24045 and context.statement == "SELECT * FROM FAIL"
    assert "FAIL" in context.first_error_message


def test_no_analytics_node_is_service_unavailable(cluster: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # a cluster map that lists no analytics node (the local cluster now runs one: issue 16)
    monkeypatch.setattr("couchbase.analytics.api._analytics_nodes", lambda config, tls: [])
    with pytest.raises(ServiceUnavailableException):
        list(cluster.analytics_query("SELECT 1").rows())
