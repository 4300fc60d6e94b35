"""streaming=True against the local cluster: a view over 30,000 documents read with the
client's memory staying near its baseline. The cluster runs in its own process so that
only the client's allocations are traced."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Iterator

import pytest

from couchbase.bucket import Bucket

pytest.importorskip("py_mini_racer")  # the mock's JavaScript engine (the 'views' extra)

ROOT = Path(__file__).resolve().parents[2]
DOCS = 30_000  # buffered, these would take ~30 MB: well over LIMIT
LIMIT = 4 * 1024 * 1024  # bytes above the baseline the streaming query may peak at


@pytest.fixture(scope="module")
def mock_process() -> Iterator[dict]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH"))
                                        if p)
    proc = subprocess.Popen([sys.executable, "-m", "couchbase_mock", "--nodes", "2",
                             "--bucket", "big"], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_streaming_a_large_document_view(mock_process: dict) -> None:
    cb = Bucket(f"{mock_process['connstr']}/big", username=mock_process["username"],
                password=mock_process["password"])
    try:
        for start in range(0, DOCS, 5000):
            cb.upsert_multi({f"beer-{i:06d}": {"type": "beer", "name": f"beer {i:06d}",
                                               "abv": i % 13, "note": "x" * 40}
                             for i in range(start, start + 5000)})
        cb.design_create("big", {"views": {"all": {
            "map": "function (doc, meta) { emit([doc.abv, meta.id], doc.name); }"}}},
            use_devmode=False, syncwait=30)
        assert len(list(cb.query("big", "all", stale=False, limit=1))) == 1  # index built

        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            view = cb.query("big", "all", streaming=True, stale=False)
            count = 0
            previous = None
            for row in view:
                assert previous is None or row.key > previous
                previous = row.key
                count += 1
            peak = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
        print(f"streaming {count} rows from the mock: peak {peak / 1e6:.2f} MB above baseline")
        assert count == view.indexed_rows == DOCS
        assert peak < LIMIT
    finally:
        cb.close()
