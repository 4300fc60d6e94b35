"""Snappy codec speed: the pure-Python codec and the fast one (cramjam), in MB/s.

    .venv/bin/python benchmarks/snappy_codec.py            # 1 MiB of JSON, best of 3
    pypy3 benchmarks/snappy_codec.py --size 4194304

Values: a JSON array of small user records (as a document store holds), cut to
``--size`` bytes, and the same size of random bytes (incompressible: the
match finder's lookups thin out, so it should pass quickly).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from couchbase._core import snappy  # noqa: E402


def _json_value(size: int) -> bytes:
    rng = random.Random(1)
    rows = []
    total = 0
    while total < size:
        row = {"id": len(rows), "name": f"user{len(rows)}", "email": f"user{len(rows)}@example.com",
               "age": rng.randint(1, 99), "score": rng.random(),
               "tags": rng.sample(["red", "green", "blue", "admin", "beta", "gamma"], 3)}
        rows.append(row)
        total += 120
    return json.dumps(rows).encode()[:size]


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1 << 20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    codecs = [("pure", snappy.pure_compress, snappy.pure_decompress)]
    if snappy.FAST:
        codecs.append(("cramjam", snappy.compress, snappy.decompress))
    print(f"{sys.implementation.name} {sys.version.split()[0]}, {args.size} bytes, "
          f"best of {args.repeat}")
    for label, value in (("json", _json_value(args.size)), ("random", os.urandom(args.size))):
        for name, compress, decompress in codecs:
            packed = compress(value)
            assert decompress(packed) == value
            tc = _best(lambda: compress(value), args.repeat)  # noqa: B023
            td = _best(lambda: decompress(packed), args.repeat)  # noqa: B023
            mb = len(value) / 1e6
            print(f"{label:6} {name:8} ratio {len(packed) / len(value):.3f}  "
                  f"compress {mb / tc:8.1f} MB/s  decompress {mb / td:8.1f} MB/s")


if __name__ == "__main__":
    main()
