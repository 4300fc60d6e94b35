"""Threshold and orphan reports (the 2.x ``tracing_*`` settings), written through logging.

From libcouchbase's documentation of response time observability: operations
slower than their service's threshold are reported, the slowest
``tracing_threshold_queue_size`` of them, at most once per
``tracing_threshold_queue_flush_interval``, as ``Operations over threshold:
{"service": "kv", "count": N, "top": [...]}``; responses that arrive after
their operation gave up are reported as ``Orphan responses observed: {...}``.
"""

from __future__ import annotations

import json
import logging
import math
import time
from typing import Any, Iterator

import pytest

from couchbase._core.connstr_options import ACTED_UPON
from couchbase._tracing import Tracer, TracingSettings, operation_name, server_us
from couchbase.bucket import Bucket
from couchbase.exceptions import ArgumentError, TimeoutError
from couchbase_mock.mock import MockCluster

# the front ends' fixtures (tests/frontends/conftest.py): one test on every front end
from frontends.conftest import connect, front_end, loop_thread  # noqa: F401

THRESHOLD = "couchbase.tracing"
ORPHANED = "couchbase.tracing.orphaned"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def reports(caplog: pytest.LogCaptureFixture, logger: str) -> list[dict[str, Any]]:
    """The reports logged by ``logger``, parsed from the message (and checked
    against the structured copy on the record)."""
    out = []
    for record in caplog.records:
        if record.name != logger:
            continue
        prefix, _, body = record.getMessage().partition(": ")
        assert prefix in ("Operations over threshold", "Orphan responses observed")
        report = json.loads(body)
        assert report == record.report  # type: ignore[attr-defined]
        out.append(report)
    return out


# -- the report machinery, on a fake clock ------------------------------------------------
def test_a_report_lists_the_slowest_first_and_counts_them_all(caplog):
    settings = TracingSettings()
    settings.threshold_queue_size = 2
    clock = FakeClock()
    tracer = Tracer(settings, clock)
    caplog.set_level(logging.INFO, THRESHOLD)
    for seconds in (0.6, 0.9, 0.7):
        tracer.over_threshold("kv", "get", seconds, {"last_operation_id": "0x10"})
    tracer.over_threshold("n1ql", "n1ql", 1.5)
    assert reports(caplog, THRESHOLD) == []  # not before the interval
    clock.now += 10.0
    tracer.over_threshold("kv", "upsert", 0.55)
    kv, n1ql = reports(caplog, THRESHOLD)
    assert kv["service"] == "kv" and kv["count"] == 4
    assert [e["total_us"] for e in kv["top"]] == [900000, 700000]
    assert kv["top"][0] == {"operation_name": "get", "last_operation_id": "0x10",
                            "total_us": 900000}
    assert n1ql == {"service": "n1ql", "count": 1,
                    "top": [{"operation_name": "n1ql", "total_us": 1500000}]}
    assert all(r.levelno == logging.INFO for r in caplog.records)


def test_reports_go_out_at_most_once_per_interval_and_the_rest_at_close(caplog):
    settings = TracingSettings()
    settings.threshold_flush_interval = 5.0
    clock = FakeClock()
    tracer = Tracer(settings, clock)
    caplog.set_level(logging.INFO, THRESHOLD)
    clock.now += 6
    tracer.over_threshold("kv", "get", 1.0)  # the interval since the last report passed
    assert len(reports(caplog, THRESHOLD)) == 1
    clock.now += 1
    tracer.over_threshold("kv", "get", 2.0)
    clock.now += 3
    tracer.over_threshold("kv", "get", 3.0)
    assert len(reports(caplog, THRESHOLD)) == 1  # 4 s after the first: held
    tracer.close()
    last = reports(caplog, THRESHOLD)[-1]
    assert last["count"] == 2 and last["top"][0]["total_us"] == 3000000
    tracer.close()  # nothing left: nothing more
    assert len(reports(caplog, THRESHOLD)) == 2


def test_an_interval_of_zero_reports_only_at_close(caplog):
    settings = TracingSettings()
    settings.threshold_flush_interval = 0
    clock = FakeClock()
    tracer = Tracer(settings, clock)
    caplog.set_level(logging.INFO, THRESHOLD)
    clock.now += 1e6
    tracer.over_threshold("kv", "get", 1.0)
    assert reports(caplog, THRESHOLD) == []
    tracer.close()
    assert reports(caplog, THRESHOLD)[0]["count"] == 1


def test_event_loops_get_a_timer_for_the_next_report(caplog):
    timers: list[tuple[float, Any]] = []
    clock = FakeClock()
    settings = TracingSettings()

    def call_later(delay: float, fn: Any) -> Any:
        timers.append((delay, fn))
        return object()  # (the event loop's timer handle)

    tracer = Tracer(settings, clock, call_later)
    caplog.set_level(logging.INFO, "couchbase.tracing")
    tracer.orphan("get", 3.0)
    tracer.orphan("get", 4.0)
    assert len(timers) == 1 and timers[0][0] == pytest.approx(10.0)  # one timer armed
    clock.now += 10.0
    timers.pop()[1]()
    (report,) = reports(caplog, ORPHANED)
    assert report["count"] == 2 and report["top"][0]["total_us"] == 4000000
    assert caplog.records[0].levelno == logging.WARNING
    assert timers == []  # nothing queued: no timer


def test_operation_names_and_server_durations():
    from couchbase._core.frameinfo import server_duration_frame
    from couchbase._core.opcode import Opcode
    from couchbase._core.packet import Packet

    assert operation_name(Opcode.SET) == "upsert" and operation_name(Opcode.GET) == "get"
    assert operation_name(0xEE) == "0xee"
    pkt = Packet(0x18, Opcode.GET, framing=server_duration_frame(1234))
    assert server_us(pkt) == pytest.approx(1234, rel=0.02)
    assert server_us(Packet(0x81, Opcode.GET)) is None


# -- settings ---------------------------------------------------------------------------
def test_the_2x_defaults(cb):
    assert cb.tracing_threshold_kv == 0.5
    assert cb.tracing_threshold_n1ql == cb.tracing_threshold_view == 1.0
    assert cb.tracing_threshold_fts == cb.tracing_threshold_analytics == 1.0
    assert cb.tracing_threshold_queue_size == cb.tracing_orphaned_queue_size == 128
    assert cb.tracing_threshold_queue_flush_interval == 10.0
    assert cb.tracing_orphaned_queue_flush_interval == 10.0
    assert cb.redaction == 0


@pytest.mark.parametrize("name, value", [
    ("tracing_threshold_kv", 0.25), ("tracing_threshold_n1ql", 2),
    ("tracing_threshold_view", 0), ("tracing_threshold_fts", 3.5),
    ("tracing_threshold_analytics", 4294), ("tracing_threshold_queue_size", 5),
    ("tracing_orphaned_queue_size", 2**32 - 1),
    ("tracing_threshold_queue_flush_interval", 0.5),
    ("tracing_orphaned_queue_flush_interval", 60),
])
def test_settings_read_back_what_was_set(cb, name, value):
    setattr(cb, name, value)
    assert getattr(cb, name) == value


@pytest.mark.parametrize("name", ["tracing_threshold_kv", "tracing_threshold_n1ql",
                                  "tracing_threshold_queue_flush_interval",
                                  "tracing_orphaned_queue_flush_interval"])
@pytest.mark.parametrize("bad", [-0.1, "0.5", None, True, math.nan, math.inf, 1e10, [1]])
def test_bad_times_are_argument_errors(cb, name, bad):
    before = getattr(cb, name)
    with pytest.raises(ArgumentError):
        setattr(cb, name, bad)
    assert getattr(cb, name) == before


@pytest.mark.parametrize("name", ["tracing_threshold_queue_size", "tracing_orphaned_queue_size"])
@pytest.mark.parametrize("bad", [0, -1, 2**32, 1.5, "10", True, None])
def test_bad_queue_sizes_are_argument_errors(cb, name, bad):
    with pytest.raises(ArgumentError):
        setattr(cb, name, bad)
    assert getattr(cb, name) == 128


@pytest.mark.parametrize("bad", [2, -1, "on", None, 0.5])
def test_redaction_is_0_or_1(cb, bad):
    cb.redaction = True
    assert cb.redaction == 1
    cb.redaction = 0
    assert cb.redaction == 0
    with pytest.raises(ArgumentError):
        cb.redaction = bad


def test_connection_string_options(mock_cluster):
    cb = Bucket(f"{mock_cluster.connstr}/default?tracing_threshold_kv=0.01"
                "&tracing_threshold_query=250ms&tracing_threshold_search=2"
                "&tracing_threshold_queue_size=7&tracing_orphaned_queue_flush_interval=1m"
                "&log_redaction=on", password="")
    try:
        assert cb.tracing_threshold_kv == 0.01
        assert cb.tracing_threshold_n1ql == 0.25 and cb.tracing_threshold_fts == 2.0
        assert cb.tracing_threshold_queue_size == 7
        assert cb.tracing_orphaned_queue_flush_interval == 60.0
        assert cb.redaction == 1
    finally:
        cb.close()
    for option in ("tracing_threshold_kv", "log_redaction", "enable_tracing",
                   "tracing_orphaned_queue_size"):
        assert option in ACTED_UPON


@pytest.mark.parametrize("option", [
    "tracing_threshold_kv=soon", "tracing_threshold_kv=-1", "tracing_threshold_kv=99999",
    "tracing_threshold_queue_size=0", "tracing_threshold_queue_size=1.5",
    "tracing_orphaned_queue_size=x", "tracing_threshold_queue_flush_interval=1x",
    "enable_tracing=maybe", "log_redaction=2",
])
def test_bad_connection_string_values_are_refused_before_connecting(option):
    with pytest.raises(ArgumentError):
        Bucket(f"couchbase://127.0.0.1:1/default?{option}", password="")


# -- reports from a local cluster -----------------------------------------------------------
@pytest.fixture(scope="module")
def slow_mock() -> Iterator[MockCluster]:
    """A cluster of its own: the tests here hold back a node's answers."""
    with MockCluster(nodes=2, replicas=0) as mock:
        yield mock


def key_on(mock: MockCluster, node: int, prefix: str) -> str:
    for i in range(10000):
        key = f"{prefix}-{time.monotonic_ns()}-{i}"
        if mock.locate("default", key)[1] == node:
            return key
    raise AssertionError("no key found")


def hiccup(mock: MockCluster, node: int, msecs: int) -> None:
    """Hold every answer of ``node`` back ``msecs`` (0: stop)."""
    assert mock.control("hiccup", msecs=msecs, offset=0, servers=[node])["status"] == "ok"


@pytest.fixture
def slow_node(slow_mock: MockCluster) -> Iterator[int]:
    yield 1
    hiccup(slow_mock, 1, 0)


def test_a_slow_operation_is_reported_with_its_node_and_duration(
        connect, slow_mock, slow_node, caplog, front_end):  # noqa: F811 (fixtures)
    caplog.set_level(logging.INFO, THRESHOLD)
    cb = connect(f"{slow_mock.connstr}/default?tracing_threshold_kv=0.1", password="")
    fast, slow = key_on(slow_mock, 0, "fast"), key_on(slow_mock, slow_node, "slow")
    cb.upsert(slow, {"v": 1})
    for _ in range(3):
        cb.upsert(fast, {"v": 1})
    hiccup(slow_mock, slow_node, 250)
    assert cb.get(slow).value == {"v": 1}
    hiccup(slow_mock, slow_node, 0)
    cb.get(fast)
    cb.close()  # what is queued goes out
    (report,) = reports(caplog, THRESHOLD)
    # (on a loaded machine a "fast" operation may pass 100 ms too: the held-back
    # get is the slowest, first in the top list)
    assert report["service"] == "kv" and report["count"] >= 1
    entry = report["top"][0]
    node = slow_mock.nodes[slow_node]
    assert entry["operation_name"] == "get"
    assert entry["last_remote_address"] == f"{slow_mock.host}:{node.kv_port}"
    assert entry["last_local_address"].startswith("127.0.0.1:")
    assert entry["last_operation_id"].startswith("0x")
    assert "/" in entry["last_local_id"]
    assert 250_000 <= entry["total_us"] < 5_000_000
    assert "server_us" not in entry  # (server durations were not asked for)


def test_server_durations_when_tracing_is_enabled(slow_mock, slow_node, caplog):
    caplog.set_level(logging.INFO, THRESHOLD)
    cb = Bucket(f"{slow_mock.connstr}/default?enable_tracing=true&tracing_threshold_kv=0.1",
                password="")
    key = key_on(slow_mock, slow_node, "timed")
    hiccup(slow_mock, slow_node, 200)
    cb.upsert(key, "x")
    hiccup(slow_mock, slow_node, 0)
    cb.close()
    (entry,) = reports(caplog, THRESHOLD)[0]["top"]
    # the server spent microseconds; the answer was held back in the network
    assert 0 <= entry["server_us"] < 100_000 <= 200_000 <= entry["total_us"]


def test_tracing_disabled_reports_nothing(slow_mock, slow_node, caplog):
    caplog.set_level(logging.DEBUG, "couchbase")
    cb = Bucket(f"{slow_mock.connstr}/default?enable_tracing=false&tracing_threshold_kv=0.01",
                password="")
    key = key_on(slow_mock, slow_node, "untraced")
    hiccup(slow_mock, slow_node, 100)
    cb.upsert(key, "x")
    cb.close()
    assert reports(caplog, THRESHOLD) == []


def test_multi_operations_are_measured_each(slow_mock, slow_node, caplog):
    caplog.set_level(logging.INFO, THRESHOLD)
    cb = Bucket(f"{slow_mock.connstr}/default?tracing_threshold_kv=0.1", password="")
    cb.tracing_threshold_queue_size = 3
    slow = [key_on(slow_mock, slow_node, f"multi{i}") for i in range(5)]
    fast = [key_on(slow_mock, 0, f"multi{i}") for i in range(5)]
    writer = Bucket(f"{slow_mock.connstr}/default?enable_tracing=false", password="")
    writer.upsert_multi({k: 1 for k in slow + fast})  # (untraced: a loaded machine may be slow)
    writer.close()
    hiccup(slow_mock, slow_node, 200)
    assert len(cb.get_multi(slow + fast)) == 10
    hiccup(slow_mock, slow_node, 0)
    cb.close()
    (report,) = reports(caplog, THRESHOLD)
    # each of the 5 held-back gets counts on its own (the fast ones too, if the machine
    # was slow); the top 3 are held-back ones
    assert 5 <= report["count"] <= 10 and len(report["top"]) == 3
    assert {e["operation_name"] for e in report["top"]} == {"get"}
    assert all(e["total_us"] >= 200_000 for e in report["top"])


def test_an_answer_after_the_timeout_is_an_orphan(
        connect, slow_mock, slow_node, caplog, front_end):  # noqa: F811 (fixtures)
    caplog.set_level(logging.INFO, "couchbase")
    cb = connect(f"{slow_mock.connstr}/default?tracing_orphaned_queue_flush_interval=0",
                 password="")
    key = key_on(slow_mock, slow_node, "orphan")
    cb.upsert(key, "v")
    cb.timeout = 0.1
    hiccup(slow_mock, slow_node, 400)
    with pytest.raises(TimeoutError):
        cb.get(key)
    hiccup(slow_mock, slow_node, 0)
    cb.timeout = 2.5
    # answers keep their order: the late one is read (an orphan) before this one
    assert cb.get(key).value == "v"
    assert reports(caplog, ORPHANED) == []  # an interval of 0: only at close
    cb.close()
    (report,) = reports(caplog, ORPHANED)
    assert report["service"] == "kv" and report["count"] == 1
    (entry,) = report["top"]
    assert entry["operation_name"] == "get"
    assert entry["last_remote_address"].endswith(f":{slow_mock.nodes[slow_node].kv_port}")
    assert 350_000 <= entry["total_us"] < 5_000_000
    (warning,) = [r for r in caplog.records if r.name == ORPHANED]
    assert warning.levelno == logging.WARNING
    timeouts = [r.getMessage() for r in caplog.records if r.name == "couchbase.io"
                and "timed out" in r.getMessage()]
    assert len(timeouts) == 1 and key in timeouts[0] and "get of key" in timeouts[0]


def test_a_slow_query_is_reported_under_its_service(mock_cluster, caplog):
    caplog.set_level(logging.INFO, THRESHOLD)
    cb = Bucket(f"{mock_cluster.connstr}/default", password="")
    cb.tracing_threshold_n1ql = 0  # every query is over it
    assert list(cb.n1ql_query("SELECT 1 AS one")) == [{"one": 1}]
    cb.tracing_threshold_n1ql = 1000
    list(cb.n1ql_query("SELECT 2 AS two"))  # under the threshold: not reported
    cb.close()
    (report,) = reports(caplog, THRESHOLD)
    assert report["service"] == "n1ql" and report["count"] == 1
    (entry,) = report["top"]
    node = mock_cluster.nodes[0]
    assert entry["operation_name"] == "n1ql" and entry["total_us"] > 0
    assert entry["last_remote_address"].startswith(f"{mock_cluster.host}:")
    assert entry["last_remote_address"] != f"{mock_cluster.host}:{node.kv_port}"
