"""REGEXP_CONTAINS over 100,000 short strings: the fast path (Python's re on the
translated pattern) against the Pike VM, and through the N1QL function.

    .venv/bin/python benchmarks/n1ql_regex.py [count]
"""

from __future__ import annotations

import random
import sys
import time

from couchbase_mock.n1ql import regex as R
from couchbase_mock.n1ql.functions import FUNCTIONS

PATTERNS = ["In+.*", "[sS][qQ][lL]", "\\b[Bb]\\w+", "^[A-Z][a-z]+ (Inn|Hotel)$", "(?i)hostel"]
WORDS = ["Beijing", "Inn", "Hotel", "hostel", "Youth", "Sql", "bar", "Cafe", "Medway", "Botter"]


def texts(count: int) -> list:
    rnd = random.Random(7)
    return [" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 4))) for _ in range(count)]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    data = texts(count)
    print(f"{count} strings, mean length {sum(map(len, data)) / count:.1f}")
    for pattern in PATTERNS:
        rx = R.compile(pattern)
        row = [f"{pattern:28}"]
        for vm in (False, True):
            t = time.perf_counter()
            hits = sum(1 for s in data if rx.search(s, vm=vm) is not None)
            row.append(f"{'vm' if vm else 'fast'} {time.perf_counter() - t:6.2f}s ({hits} hits)")
        print("  ".join(row), "" if rx.fast else "(no fast path)")
    fn = FUNCTIONS["REGEXP_CONTAINS"]  # the N1QL function: argument checks and pattern cache
    t = time.perf_counter()
    hits = sum(1 for s in data if fn(s, PATTERNS[0]))
    print(f"REGEXP_CONTAINS(s, {PATTERNS[0]!r}) as the query calls it: "
          f"{time.perf_counter() - t:.2f}s ({hits} hits)")


if __name__ == "__main__":
    main()
