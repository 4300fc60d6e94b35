"""Bucket.analytics_query and couchbase.analytics (SDK 2.5) on every front end.

The local cluster has no analytics service yet (issue 16): the queries go to
a fake of the service's HTTP API on 127.0.0.1 (tests/analytics_fake.py),
named as the ``host`` argument, as the 2.5 documentation's examples do; the
bucket itself is on the local cluster. Without a host, the cluster map is
asked for an analytics node, and the local cluster lists none.
"""

from __future__ import annotations

import base64
import socket
from typing import Any, Iterator

import pytest

from analytics_fake import PATH, FakeAnalytics  # tests/, shared
from couchbase.analytics import (
    AnalyticsQuery,
    AnalyticsRequest,
    DeferredAnalyticsQuery,
    DeferredAnalyticsRequest,
)
from couchbase.exceptions import (
    AnalyticsError,
    ArgumentError,
    CouchbaseNetworkError,
    N1QLError,
    NotSupportedError,
    TimeoutError,
)


@pytest.fixture
def svc() -> Iterator[FakeAnalytics]:
    with FakeAnalytics() as fake:
        yield fake


def run(cb: Any, front_end: str, *args: Any, **kwargs: Any) -> tuple[list[Any], Any]:
    """``(rows, request)`` of ``cb.analytics_query(*args, **kwargs)``, the front end's way."""
    req = cb.analytics_query(*args, **kwargs)
    if front_end == "asyncio":
        return cb._resolve(req.all), req
    return list(req), req  # Twisted: the Deferred's BatchedAnalyticsRequest


def test_positional_parameters_reach_the_service_and_rows_come_back(
        cb: Any, front_end: str, svc: FakeAnalytics) -> None:
    q = AnalyticsQuery("SELECT VALUE bw FROM breweries bw WHERE bw.name = ?", "Kona Brewing")
    rows, req = run(cb, front_end, q, svc.host)
    assert rows == [{"statement": q.statement, "args": ["Kona Brewing"], "named": {}}]
    assert isinstance(req, AnalyticsRequest)
    assert req.meta["status"] == "success"
    assert req.meta["metrics"]["resultCount"] == 1
    assert "results" not in req.meta
    sent = svc.requests[-1]
    assert (sent["method"], sent["path"]) == ("POST", PATH)
    assert sent["body"]["client_context_id"] == req.meta["clientContextID"]
    assert sent["body"]["timeout"] == "75000ms"
    token = base64.b64encode(b"Administrator:password").decode()
    assert sent["headers"]["Authorization"] == f"Basic {token}"


def test_named_parameters_and_call_arguments(cb: Any, front_end: str,
                                             svc: FakeAnalytics) -> None:
    q = AnalyticsQuery("SELECT VALUE bw FROM breweries bw WHERE bw.name = $brewery",
                       brewery="Kona Brewing")
    rows, _ = run(cb, front_end, q, svc.host, 7, city="Kona")
    assert rows[0]["named"] == {"brewery": "Kona Brewing", "city": "Kona"}
    assert rows[0]["args"] == [7]
    assert q.named_args == {"brewery": "Kona Brewing"}  # the caller's query is not changed
    rows, _ = run(cb, front_end, "SELECT 1", svc.host)  # a plain statement
    assert rows[0]["statement"] == "SELECT 1"


def test_set_option_goes_into_the_request(cb: Any, front_end: str,
                                          svc: FakeAnalytics) -> None:
    q = AnalyticsQuery("SELECT 1")
    q.set_option("scan_wait", "2s")
    q.timeout = 10
    run(cb, front_end, q, svc.host)
    assert svc.requests[-1]["body"]["scan_wait"] == "2s"
    assert svc.requests[-1]["body"]["timeout"] == "10000ms"


def test_many_rows_stream_in_order(cb: Any, front_end: str, svc: FakeAnalytics) -> None:
    rows, req = run(cb, front_end, AnalyticsQuery("SELECT VALUE n", count=20000), svc.host)
    assert rows == [{"n": i} for i in range(20000)]
    assert req.rows_returned == 20000


def test_a_service_error_is_an_analytics_error(cb: Any, front_end: str,
                                               svc: FakeAnalytics) -> None:
    with pytest.raises(AnalyticsError) as info:
        run(cb, front_end, AnalyticsQuery("SELECT * FROM FAIL"), svc.host)
    assert isinstance(info.value, N1QLError)  # 2.x code catches N1QLError
    assert info.value.code == 24045
    assert "Cannot find dataset" in info.value.msg
    assert info.value.status == 400


def test_without_an_analytics_node_not_supported(cb: Any, front_end: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # a cluster map that lists no analytics node (the local cluster now runs one: issue 16)
    monkeypatch.setattr("couchbase.analytics.api._analytics_nodes", lambda config, tls: [])
    with pytest.raises(NotSupportedError, match="analytics"):
        run(cb, front_end, AnalyticsQuery("SELECT 1"))


def test_a_host_with_no_service_is_a_network_error(cb: Any, front_end: str) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(CouchbaseNetworkError):
        run(cb, front_end, AnalyticsQuery("SELECT 1"), f"127.0.0.1:{port}")


def test_deferred_query_polls_then_gives_the_rows(cb: Any, front_end: str,
                                                  svc: FakeAnalytics) -> None:
    q = DeferredAnalyticsQuery("SELECT VALUE n", count=3, polls=2)
    rows, req = run(cb, front_end, q, svc.host)
    assert rows == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert isinstance(req, DeferredAnalyticsRequest)
    assert svc.requests[0]["body"]["mode"] == "async"
    gets = [r["path"] for r in svc.requests if r["method"] == "GET"]
    assert len(gets) == 4 and "/status/" in gets[0] and "/result/" in gets[-1]
    assert req.meta["status"] == "success"


def test_bad_input_is_an_argument_error(cb: Any, front_end: str,
                                        svc: FakeAnalytics) -> None:
    with pytest.raises(ArgumentError):
        cb.analytics_query(12345, svc.host)
    with pytest.raises(ArgumentError):
        run(cb, front_end, AnalyticsQuery("SELECT ?", object()), svc.host)
    with pytest.raises(ArgumentError):
        run(cb, front_end, AnalyticsQuery("SELECT 1"), ["not", "a", "host"])
    assert not [r for r in svc.requests if r["method"] == "POST"]


def test_sync_request_helpers(svc: FakeAnalytics, mock_cluster: Any) -> None:
    from couchbase.bucket import Bucket
    from couchbase.views.iterator import AlreadyQueriedError

    cb = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                password="password")
    try:
        req = cb.analytics_query(AnalyticsQuery("SELECT VALUE n", count=3), svc.host)
        assert req.meta["metrics"]["resultCount"] == 3  # .meta first runs the query
        assert list(req) == [{"n": 0}, {"n": 1}, {"n": 2}]
        with pytest.raises(AlreadyQueriedError):
            list(req)
        q = AnalyticsQuery("SELECT VALUE n", count=2)
        assert cb.analytics_query(q, svc.host).get_single_result() == {"n": 0}
        assert cb.analytics_query(q, svc.host).execute().rows_returned == 2
        rows = list(AnalyticsRequest(q, svc.host, cb, row_factory=lambda r: r["n"]))
        assert rows == [0, 1]
        slow = DeferredAnalyticsQuery("SELECT VALUE n", count=1, polls=1000)
        with pytest.raises(TimeoutError):
            list(DeferredAnalyticsRequest(slow, svc.host, cb, timeout=0.2, interval=0.05))
        with pytest.raises(ArgumentError):
            DeferredAnalyticsRequest(slow, svc.host, cb, interval=0)
    finally:
        cb.close()
