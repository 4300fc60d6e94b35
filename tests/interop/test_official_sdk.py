"""The official Couchbase SDK (C++ core, in its own virtualenv) accepts couchbase_mock.

The ``official_python`` and ``mock_process`` fixtures live in conftest.py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from couchbase.bucket import Bucket
from couchbase.exceptions import KeyExistsError, NotFoundError, TemporaryFailError


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
