"""How long the local cluster takes to be ready: the CLI (interpreter start
included, until its ready line) and ``MockCluster(...).start()`` in process.

Prints the median and the slowest of ``--runs`` starts of each. The budget is
well under a second for both (the tests used to assert it; a loaded machine
made that assertion fail, so it is measured here instead). Usage::

    PYTHONPATH=src python3 benchmarks/mock_startup.py [--runs 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
sys.path.insert(0, str(SRC))

from couchbase_mock import MockCluster  # noqa: E402


def cli_start() -> float:
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "couchbase_mock", "--nodes", "3",
                             "--replicas", "1", "--bucket", "default"],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        json.loads(proc.stdout.readline())
        return time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def in_process_start() -> float:
    started = time.perf_counter()
    mock = MockCluster(nodes=4, replicas=1, buckets={"default": {}, "b2": {}}).start()
    elapsed = time.perf_counter() - started
    mock.stop()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out = {}
    for name, fn in (("cli (3 nodes)", cli_start), ("in-process (4 nodes)", in_process_start)):
        times = [fn() for _ in range(args.runs)]
        out[name] = {"median_s": round(statistics.median(times), 3),
                     "max_s": round(max(times), 3)}
    if args.json:
        print(json.dumps(out))
        return
    for name, t in out.items():
        print(f"{name:22} median {t['median_s']:.3f} s   slowest {t['max_s']:.3f} s")


if __name__ == "__main__":
    main()
