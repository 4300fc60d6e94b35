"""``couchbase-mock`` informational flags: ``--version``, ``-v``/``-vv`` (its own
events logged to stderr through :mod:`logging`), ``--help``'s word on where data
lives. Without ``-v`` nothing is logged."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import couchbase

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "couchbase_mock", *args],
                          capture_output=True, text=True, env=_env(), timeout=60)


def _serve_then_stop(*args: str, connect: bool = False) -> tuple[dict, str]:
    """Start the cluster, optionally open one KV connection, SIGTERM it: the
    ready line and everything it wrote to stderr."""
    proc = subprocess.Popen([sys.executable, "-m", "couchbase_mock", "--nodes", "1", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env())
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        if connect:
            port = int(ready["connstr"].rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(b"\x80\x0a" + bytes(22))  # NOOP
                sock.recv(24)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    return ready, err


def test_version_prints_the_package_version():
    run = _run("--version")
    assert run.returncode == 0
    assert run.stdout.strip() == f"couchbase-mock {couchbase.__version__}"


def test_help_names_the_flags_and_says_data_is_in_memory_unless_data_dir():
    run = _run("--help")
    text = " ".join(run.stdout.split())
    assert run.returncode == 0
    assert "memory only" in text and "--data-dir" in text
    assert "--version" in text and "-v, --verbose" in text


def test_quiet_by_default():
    _, err = _serve_then_stop(connect=True)
    assert err == ""


def test_verbose_logs_ports_and_buckets_at_info():
    ready, err = _serve_then_stop("-v", "--bucket", "beers", connect=True)
    kv_port = ready["connstr"].rsplit(":", 1)[1]
    mgmt_port = ready["mgmt"].rsplit(":", 1)[1]
    listening = [line for line in err.splitlines() if "node 0 listening" in line]
    assert len(listening) == 1 and " INFO " in listening[0]
    assert f"kv {kv_port}" in listening[0] and f"mgmt {mgmt_port}" in listening[0]
    assert "couchbase_mock.cluster INFO bucket 'beers' created" in err
    assert "connection accepted" not in err  # connections are DEBUG


def test_very_verbose_logs_connections_at_debug():
    _, err = _serve_then_stop("-vv", connect=True)
    accepted = [line for line in err.splitlines() if "connection accepted" in line]
    assert accepted and all(" DEBUG " in line for line in accepted)
    assert any("KVProtocol" in line for line in accepted)


def test_bad_verbosity_argument_is_one_line():
    run = _run("--verbose=2")
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1
