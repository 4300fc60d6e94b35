"""examples/gevent_hello.py (the guide's gevent example) against a mock cluster process."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = str(ROOT / "src")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture(scope="module")
def mock_process() -> Iterator[dict]:
    proc = subprocess.Popen([sys.executable, "-m", "couchbase_mock", "--nodes", "2"],
                            stdout=subprocess.PIPE, text=True, env=_env())
    try:
        assert proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            assert sel.select(10), "the mock printed no ready line"
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_gevent_hello_runs_as_written(mock_process):
    mgmt = urlsplit(mock_process["mgmt"])
    run = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "gevent_hello.py"),
         "--host", str(mgmt.hostname), "--port", str(mgmt.port)],
        capture_output=True, text=True, env=_env(), timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["foo = bar", "counter = 100"]
    assert "monkey" not in run.stderr.lower()
