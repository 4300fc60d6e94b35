"""The official Couchbase SDK (C++ core, in its own virtualenv) accepts couchbase_mock.

The virtualenv is made once and kept under .cache/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import Iterator

import pytest

from couchbase.bucket import Bucket
from couchbase.exceptions import KeyExistsError, NotFoundError, TemporaryFailError

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


def test_official_sdk_runs_kv_operations(official_python, mock_process):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run(
        [str(official_python), str(Path(__file__).with_name("official_sdk_ops.py")),
         mock_process["connstr"], mock_process["username"], mock_process["password"]],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert out.returncode == 0 and "ALL OK" in out.stdout, out.stdout + out.stderr[-3000:]


def test_our_bucket_does_the_same_against_the_same_process(mock_process):
    cb = Bucket(f"{mock_process['connstr']}/default", username=mock_process["username"],
                password=mock_process["password"])
    key = "ours-interop"
    up = cb.upsert(key, {"name": "Juleøl"})
    got = cb.get(key)
    assert got.value == {"name": "Juleøl"} and got.cas == up.cas
    cb.replace(key, {"v": 2}, cas=got.cas)
    with pytest.raises(KeyExistsError):
        cb.replace(key, {"v": 3}, cas=got.cas)
    with pytest.raises(KeyExistsError):
        cb.insert(key, 1)
    cb.remove(key)
    with pytest.raises(NotFoundError):
        cb.get(key)
    assert cb.counter(key + "-c", initial=10).value == 10
    assert cb.counter(key + "-c", delta=5).value == 15
    cb.upsert(key, {"touch": 1})
    assert cb.touch(key, ttl=100).cas
    locked = cb.lock(key, ttl=10)
    with pytest.raises(TemporaryFailError):
        cb.upsert(key, {"touch": 2})
    cb.unlock(key, locked.cas)
    cb.upsert(key, {"touch": 3})
    assert cb.rget(key).value == {"touch": 3}
    cb.close()
