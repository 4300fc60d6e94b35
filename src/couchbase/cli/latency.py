"""Latency samples and their percentiles: what ``-T/--timings`` and pillowfight report."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Sequence

PERCENTILES = (50, 95, 99)


def percentile(ordered: Sequence[float], pct: float) -> float:
    """The ``pct``-th percentile (nearest rank) of values already sorted; 0.0 for none."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil(n * pct / 100), at least 1
    return ordered[int(rank) - 1]


def summary(samples: Iterable[float]) -> dict[str, float]:
    """``{"count", "min", "p50", "p95", "p99", "max"}`` of ``samples`` (seconds) in
    microseconds (count as a number of samples)."""
    ordered = sorted(samples)
    out: dict[str, float] = {"count": len(ordered)}
    out["min"] = ordered[0] * 1e6 if ordered else 0.0
    for pct in PERCENTILES:
        out[f"p{pct}"] = percentile(ordered, pct) * 1e6
    out["max"] = ordered[-1] * 1e6 if ordered else 0.0
    return out


def describe(stats: dict[str, float]) -> str:
    """One line: ``p50 120us p95 300us p99 900us``."""
    return " ".join(f"p{p} {stats[f'p{p}']:.0f}us" for p in PERCENTILES)


class Timings:
    """Durations of the operations a command ran (``-T``)."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.samples.append(time.perf_counter() - start)
