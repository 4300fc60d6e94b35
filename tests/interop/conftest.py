"""Fixtures for the interop tests: the official SDK's Python and a mock process.

The official SDK's virtualenv is made once and kept under .cache/ (git-ignored).
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".cache" / "official-sdk"
SPEC = "couchbase>=4.1,<5"


def _venv_python() -> Path:
    python = VENV / "bin" / "python"
    marker = VENV / ".installed"
    if marker.exists() and marker.read_text() == SPEC and python.exists():
        return python
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    subprocess.run([str(python), "-m", "pip", "install", "-q", SPEC], check=True,
                   timeout=600)
    marker.write_text(SPEC)
    return python


@pytest.fixture(scope="module")
def official_python() -> Path:
    return _venv_python()


@pytest.fixture(scope="module")
def mock_process() -> Iterator[dict]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "couchbase_mock", "--nodes", "4", "--replicas", "1"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        info = json.loads(line)
        yield info
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
