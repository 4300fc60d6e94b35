"""What threshold tracing costs an operation that is not over the threshold.

Two measurements:

1. the check a driver adds to every key-value operation (read the clock,
   subtract, compare with the threshold), timed alone with ``timeit``;
2. the client thread's CPU time (``time.thread_time``: the in-process local
   cluster runs in another thread and is not counted) per sync ``get`` with
   the default settings, with ``enable_tracing=false`` and with
   ``enable_tracing=true`` (HELLO TRACING: every response carries the server's
   duration), interleaved, median of several rounds.

Usage::

    .venv/bin/python benchmarks/tracing_overhead.py [--ops 5000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from couchbase._tracing import TracingSettings  # noqa: E402
from couchbase.bucket import Bucket  # noqa: E402
from couchbase_mock.mock import MockCluster  # noqa: E402

VARIANTS = {"default": "", "enable_tracing=false": "?enable_tracing=false",
            "enable_tracing=true": "?enable_tracing=true"}


def check_cost(number: int = 2_000_000) -> float:
    """Nanoseconds of the fast-path check (clock read, subtraction, comparison)."""
    settings = TracingSettings()
    env = {"monotonic": time.monotonic, "tracing": settings, "started": time.monotonic()}
    stmt = "elapsed = monotonic() - started\nif elapsed > tracing.kv: pass"
    best = min(timeit.repeat(stmt, globals=env, number=number, repeat=5))
    empty = min(timeit.repeat("pass", globals=env, number=number, repeat=5))
    return (best - empty) / number * 1e9


def round_trips(mock: MockCluster, ops: int, rounds: int) -> dict[str, float]:
    """Median CPU microseconds of the calling thread per sync get, per variant."""
    buckets = {name: Bucket(f"{mock.connstr}/default{query}", password="")
               for name, query in VARIANTS.items()}
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for cb in buckets.values():
        cb.upsert("bench", {"v": 1})
        for _ in range(500):
            cb.get("bench")
    for _ in range(rounds):
        for name, cb in buckets.items():
            start = time.thread_time()
            for _ in range(ops):
                cb.get("bench")
            samples[name].append((time.thread_time() - start) / ops * 1e6)
    for cb in buckets.values():
        cb.close()
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"fast-path check: {check_cost():.0f} ns per operation")
    with MockCluster(nodes=1, replicas=0) as mock:
        results = round_trips(mock, args.ops, args.rounds)
    base = results["enable_tracing=false"]
    for name, micros in results.items():
        print(f"sync get, {name:22s} {micros:7.1f} CPU us/op  ({micros / base - 1:+.1%})")


if __name__ == "__main__":
    main()
