"""``python -m couchbase_mock``: the ready line, serving, clean exit (start-up time is
measured by benchmarks/mock_startup.py, not asserted here)."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from pathlib import Path

from mock_kvclient import KV

from couchbase._core.status import Status
from couchbase_mock import MockCluster

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen(
        [sys.executable, "-m", "couchbase_mock", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _read_line(proc: subprocess.Popen[str], timeout: float = 10.0) -> str:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        assert sel.select(timeout), "no ready line before the deadline"
    return proc.stdout.readline()


def test_cli_prints_ready_line_serves_and_exits_on_sigterm():
    proc = _spawn("--nodes", "3", "--replicas", "1", "--bucket", "default",
                  "--bucket", "secure:pw")
    try:
        info = json.loads(_read_line(proc))
        assert set(info) == {"connstr", "mgmt", "username", "password", "buckets"}
        assert info["buckets"] == ["default", "secure"]
        assert info["username"] == "Administrator" and info["password"] == "password"
        hosts = info["connstr"].removeprefix("couchbase://").split(",")
        assert len(hosts) == 3 and info["mgmt"].startswith("http://127.0.0.1:")
        kv_port = int(hosts[0].rsplit(":", 1)[1])
        with KV(kv_port) as kv:
            assert kv.auth("secure", "pw") == Status.SUCCESS
            assert kv.select("secure") == Status.SUCCESS
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_exits_zero_on_sigint():
    proc = _spawn("--nodes", "1")
    try:
        json.loads(_read_line(proc))
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_fixed_ports():
    # A free range cannot be reserved without racing; if this one is taken the
    # CLI must fail cleanly (exit 1).
    base = 20000 + os.getpid() % 20000
    proc = _spawn("--nodes", "2", "--port-base", str(base))
    try:
        line = _read_line(proc)
        if not line:
            assert proc.wait(timeout=10) == 1
            return
        info = json.loads(line)
        assert info["mgmt"] == f"http://127.0.0.1:{base}"
        assert info["connstr"] == f"couchbase://127.0.0.1:{base + 1},127.0.0.1:{base + 3}"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_in_process_start_serves_every_node():
    mock = MockCluster(nodes=4, replicas=1, buckets={"default": {}, "b2": {}}).start()
    try:
        with KV(mock.nodes[3].kv_port) as kv:
            assert kv.auth("Administrator", "password") == Status.SUCCESS
    finally:
        mock.stop()


def test_stop_drops_open_connections_and_is_idempotent():
    mock = MockCluster(nodes=1).start()
    kv = KV(mock.nodes[0].kv_port)
    try:
        assert kv.auth("Administrator", "password") == Status.SUCCESS
        mock.stop()
        try:
            kv.recv()
        except (ConnectionError, OSError):
            pass
        else:
            raise AssertionError("the connection outlived the cluster")
        mock.stop()
    finally:
        kv.close()


def test_help_says_data_is_kept_in_memory_unless_a_data_dir_is_given():
    proc = _spawn("--help")
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    text = " ".join(out.split())
    assert "memory only" in text and "--data-dir" in text
