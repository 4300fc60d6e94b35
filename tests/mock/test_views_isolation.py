"""JavaScript that emits too much, loops forever or loses its process fails the
view query that ran it; the cluster goes on serving KV and other views."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Iterator

import pytest
from mock_kvclient import key_with_active
from mock_views import capi, put_ddoc, query, store, view_path

from couchbase.bucket import Bucket
from couchbase_mock import MockCluster
from couchbase_mock.views import jsengine

pytest.importorskip("py_mini_racer")

BIG_EMIT = "function (doc) { emit(doc.i, new Array(102400).join('x')); }"  # 100 KB each
ENDLESS = "function (doc) { while (true) {} }"
# V8 aborts its process on this (mini-racer 0.14: "Fatal process out of memory: Zone").
V8_ABORT = ("function (doc) { var s = new Array((1 << 27) + 1).join('x'); "
            "JSON.stringify(JSON.stringify([s, s])); }")
SIMPLE = "function (doc) { if ('i' in doc) { emit(doc.i, null); } }"
DOCS = 2000


@pytest.fixture
def mock() -> Iterator[MockCluster]:
    """2 nodes with ``DOCS`` documents ``{"i": n}``."""
    with MockCluster(nodes=2, replicas=1) as cluster:
        store(cluster, ((f"d{i}", {"i": i}) for i in range(DOCS)))
        yield cluster


@pytest.fixture
def kv_keys(mock: MockCluster) -> list[str]:
    """A document on every node, ``{"k": key}``."""
    keys = [key_with_active(mock, node, "kv").decode() for node in range(len(mock.nodes))]
    store(mock, ((key, {"k": key}) for key in keys))
    return keys


@pytest.fixture
def client(mock: MockCluster) -> Iterator[Bucket]:
    """A client, bootstrapped before any JavaScript runs (default timeouts)."""
    cb = Bucket(f"{mock.connstr}/default", password="")
    yield cb
    cb.close()


@pytest.fixture
def time_limit(monkeypatch: pytest.MonkeyPatch) -> float:
    # Well above the KV timeout (2.5 s): were the event loop waiting for the
    # JavaScript, the gets made meanwhile would time out.
    monkeypatch.setattr(jsengine, "CALL_TIMEOUT", 4.0)
    return 4.0


def kv_answers_on_every_node(cb: Bucket, keys: list[str]) -> None:
    for key in keys:
        assert cb.get(key).value == {"k": key}


def view_in_background(pool: ThreadPoolExecutor, mock: Any, ddoc: str) -> Future[Any]:
    """Start a ``stale=false`` query and return once its map batch is in the worker."""
    sent = jsengine.CALLS.sent
    running = pool.submit(capi, mock, "GET", view_path(ddoc, "v", stale="false"), timeout=120)
    assert jsengine.CALLS.wait_beyond(sent, 60)
    return running


def worker_pid(mock: Any) -> Any:
    return mock.call(lambda _cluster: jsengine.worker_pid())


def test_a_map_function_emitting_too_much_fails_its_view_only(mock, client, kv_keys):
    put_ddoc(mock, "huge", {"v": {"map": BIG_EMIT}})
    put_ddoc(mock, "small", {"v": {"map": SIMPLE}})
    status, body, _ = capi(mock, "GET", view_path("huge", "v", stale="false", limit=1))
    assert status == 500 and body["error"] == "error"
    assert "emitted more than" in body["reason"] or "memory" in body["reason"]
    kv_answers_on_every_node(client, kv_keys)
    assert query(mock, "small", "v", limit=1)["total_rows"] == DOCS
    # The failing view fails the same way the next time: nothing half-built.
    status, again, _ = capi(mock, "GET", view_path("huge", "v", stale="false", limit=1))
    assert (status, again["error"]) == (500, "error")


def test_a_map_function_that_makes_v8_abort_fails_its_view_only(mock, client, kv_keys):
    put_ddoc(mock, "abort", {"v": {"map": V8_ABORT}})
    put_ddoc(mock, "small", {"v": {"map": SIMPLE}})
    status, body, _ = capi(mock, "GET", view_path("abort", "v", stale="false", limit=1))
    assert status == 500 and body["error"] == "error"
    assert body["reason"].startswith("the JavaScript engine stopped")
    kv_answers_on_every_node(client, kv_keys)
    assert query(mock, "small", "v", limit=1)["total_rows"] == DOCS


def test_an_endless_map_function_times_out_while_kv_answers(mock, client, kv_keys, time_limit):
    put_ddoc(mock, "spin", {"v": {"map": ENDLESS}})
    with ThreadPoolExecutor(1) as pool:
        running = view_in_background(pool, mock, "spin")
        kv_answers_on_every_node(client, kv_keys)
        status, body, _ = running.result(timeout=60)
    assert status == 500 and body["error"] == "timeout"
    assert f"{time_limit:g} s" in body["reason"]


def test_design_documents_and_other_views_work_while_a_map_function_loops(mock, client, kv_keys,
                                                                          time_limit):
    put_ddoc(mock, "spin", {"v": {"map": ENDLESS}})
    with ThreadPoolExecutor(2) as pool:
        running = view_in_background(pool, mock, "spin")
        sent = jsengine.CALLS.sent
        creating = pool.submit(put_ddoc, mock, "other", {"v": {"map": SIMPLE}})
        assert jsengine.CALLS.wait_beyond(sent, 60)  # its functions are being checked
        kv_answers_on_every_node(client, kv_keys)
        creating.result(timeout=60)
        assert query(mock, "other", "v", limit=1)["total_rows"] == DOCS
        status, body, _ = running.result(timeout=60)
    assert (status, body["error"]) == (500, "timeout")


def test_a_killed_worker_is_replaced(mock, monkeypatch):
    monkeypatch.setattr(jsengine, "CALL_TIMEOUT", 2.0)
    put_ddoc(mock, "spin", {"v": {"map": ENDLESS}})
    put_ddoc(mock, "fine", {"v": {"map": SIMPLE}})
    assert query(mock, "fine", "v", limit=1)["total_rows"] == DOCS
    with ThreadPoolExecutor(1) as pool:
        running = view_in_background(pool, mock, "spin")
        first = worker_pid(mock)
        os.kill(first, signal.SIGKILL)
        store(mock, {"late": {"i": DOCS}})
        assert query(mock, "fine", "v", limit=1)["total_rows"] == DOCS + 1
        status, body, _ = running.result(timeout=60)
    assert status == 500 and body["error"] in ("timeout", "error")
    assert worker_pid(mock) not in (None, first)


def test_the_worker_goes_with_its_cluster():
    with MockCluster(nodes=1) as cluster:
        put_ddoc(cluster, "any", {"v": {"map": SIMPLE}})
        pid = worker_pid(cluster)
        assert pid is not None
    with pytest.raises(ProcessLookupError):  # not even a zombie: it was reaped
        os.kill(pid, 0)


def test_the_worker_exits_when_its_parent_is_gone():
    worker = subprocess.Popen([sys.executable, str(jsengine.WORKER_SCRIPT)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert worker.stdin is not None
    worker.stdin.close()
    assert worker.wait(timeout=30) == 0
    assert worker.stdout is not None
    worker.stdout.close()
