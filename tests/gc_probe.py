"""Garbage cycles per operation (tests/, imported by name): what the cyclic GC finds
after ``run(n)`` with the collector off, for a small and a large ``n``, per extra
operation. Other threads of the test process (clusters of other tests, cleanup
workers) leave a little garbage of their own while it runs; dividing the difference
by the extra operations keeps that noise far below the one-per-operation a leak of
cycles would show."""

from __future__ import annotations

import gc
import platform
from typing import Callable

import pytest

# reference counting frees what has no cycle; PyPy has neither it nor a count
CPYTHON_ONLY = pytest.mark.skipif(platform.python_implementation() != "CPython",
                                  reason="CPython's reference counting and gc.collect() count")


def _collected(run: Callable[[], None]) -> int:
    gc.collect()
    gc.disable()
    try:
        run()
        return gc.collect()
    finally:
        gc.enable()


def cycles_per_op(run: Callable[[int], None], small: int = 500, large: int = 2000) -> float:
    run(small)  # warm up: first-use caches are not garbage
    few = _collected(lambda: run(small))
    many = _collected(lambda: run(large))
    return (many - few) / (large - small)
