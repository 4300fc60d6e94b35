"""``python -m couchbase_mock`` with bad arguments: one line on stderr, a
non-zero exit, no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "couchbase_mock", *args],
                          capture_output=True, text=True, env=env, timeout=60)


def _one_line_error(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode != 0 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("couchbase-mock: error: "), run.stderr
    return lines[0]


@pytest.mark.parametrize("args, says", [
    (("--port-base", "65530"), "port base 65530 does not fit 4 node(s)"),
    (("--port-base", "abc"), "invalid int value: 'abc'"),
    (("--nodes", "many"), "invalid int value: 'many'"),
    (("--replicas", "7"), "--replicas must be between 0 and 3"),
    (("--bucket", "../x y"), "Bucket name cannot start with dot."),
])
def test_bad_arguments_are_one_line(args, says):
    assert says in _one_line_error(_run(*args))


def test_a_port_in_use_is_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        if port + 3 > 65535:
            pytest.skip("the ephemeral port leaves no room for a node's four ports")
        line = _one_line_error(_run("--nodes", "1", "--port-base", str(port)))
    assert "address already in use" in line and str(port) in line
