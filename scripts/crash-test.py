#!/usr/bin/env python3
"""The long form of the suite's crash test: SIGKILL a `python -m couchbase_mock
--data-dir` process at random moments under a write load, restart it on the same
directory, and report what survived.

    .venv/bin/python scripts/crash-test.py [--rounds 100] [--seed N]

Exits 1 if any write acknowledged with persist_to=1 was lost or the store is
corrupt. Also reports, for writes acknowledged without persist_to, how many
were lost and how long before the kill they had been acknowledged.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "mock"))

import crash_harness  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as data_dir:
        report = crash_harness.run(data_dir, args.rounds, args.seed)
    ages = report.lost_ages_ms
    print(f"rounds: {report.rounds} in {time.monotonic() - started:.0f} s; store integrity: ok")
    print(f"persist_to=1 writes acknowledged: {report.persisted_acked}, "
          f"lost: {len(report.persisted_lost)}")
    print(f"plain writes acknowledged: {report.plain_acked}, lost: {report.plain_lost}"
          + (f" (acknowledged {min(ages):.1f}-{max(ages):.1f} ms before the kill, "
             f"median {statistics.median(ages):.1f} ms)" if ages else ""))
    if report.persisted_lost:
        print("LOST:", ", ".join(report.persisted_lost[:20]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
