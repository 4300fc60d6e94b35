"""The developer guide's Twisted examples (examples/twisted_*.py) run as written against a
mock cluster in its own process, and print what the guide shows."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

EXPECTED = {
    "twisted_connect.py": [r"Couchbase Connected!"],
    "twisted_set_get.py": [
        r"Set item OperationResult<RC=0x0, Key=foo, CAS=0x[0-9a-f]+>",
        r"Got result ValueResult<RC=0x0, Key=foo, Value='bar', CAS=0x[0-9a-f]+, Flags=0x[0-9a-f]+>",
    ],
    "twisted_errback.py": [r"Couldn't fetch foo"],
    "twisted_txasync.py": [
        r"Stored item OperationResult<RC=0x0, Key=foo, CAS=0x[0-9a-f]+>",
        r"Got item ValueResult<RC=0x0, Key=foo, Value='bar', CAS=0x[0-9a-f]+, Flags=0x[0-9a-f]+>",
    ],
}


@pytest.fixture(scope="module")
def mock_process() -> Iterator[dict]:
    proc = subprocess.Popen([sys.executable, "-m", "couchbase_mock", "--nodes", "2"],
                            stdout=subprocess.PIPE, text=True, env=_env())
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    return env


def _run(script: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, str(EXAMPLES / script), *args],
                          capture_output=True, text=True, timeout=60, env=_env())
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_prints_what_the_guide_shows(mock_process, script):
    mgmt = urlsplit(mock_process["mgmt"])
    lines = _run(script, str(mgmt.hostname), str(mgmt.port)).splitlines()
    assert len(lines) == len(EXPECTED[script]), lines
    for line, pattern in zip(lines, EXPECTED[script]):
        assert re.fullmatch(pattern, line), line


def test_every_twisted_example_is_checked():
    # (the view examples need a beer-sample bucket: tests/views/test_twisted_view_examples.py)
    assert sorted(p.name for p in EXAMPLES.glob("twisted_*.py")
                  if not p.name.startswith("twisted_views_")) == sorted(EXPECTED)


def test_connect_example_reports_a_connection_error():
    out = _run("twisted_connect.py", "127.0.0.1", "1")
    assert out.startswith("Got error") and "ConnectError" in out
