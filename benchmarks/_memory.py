"""Memory measurements for the benchmark workers: RSS and tracemalloc deltas.

Standard library only (the workers run under our SDK, the official one, CPython
and PyPy). Two views of the same delta:

- ``tracemalloc``: bytes Python allocated and still holds (CPython only; PyPy
  has no tracemalloc, and it cannot see the official SDK's C++ allocations);
- ``rss``: the process's resident set (``/proc/<pid>/status`` VmRSS, Linux),
  which sees everything but moves in pages and keeps freed memory;
- ``gc_heap`` (PyPy only): its GC's heap, arenas plus large objects, the
  nursery left out (``gc.get_stats()``), after full collections: what PyPy's
  objects take, which its RSS (the nursery and arenas are reserved ahead) hides.

Each result is a dict ``{"n", "tracemalloc_bytes", "rss_bytes", "gc_heap_bytes"}``
of per-item figures (None where unknown).
"""

from __future__ import annotations

import gc
from typing import Any, Callable, Optional

try:
    import tracemalloc
    tracemalloc.is_tracing()
except ImportError:  # PyPy: no _tracemalloc
    tracemalloc = None  # type: ignore[assignment]


def rss_bytes(pid: Optional[int] = None) -> Optional[int]:
    """Resident set size of ``pid`` (default: this process), None when unreadable."""
    try:
        with open(f"/proc/{pid or 'self'}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def gc_heap_bytes() -> Optional[int]:
    """PyPy's GC heap in use (arenas and large objects, not the nursery); None on
    CPython. ``gc.get_stats()`` formats its figures ("2.3MB"): the raw ones are its
    ``_s``."""
    stats = getattr(getattr(gc, "get_stats", lambda: None)(), "_s", None)
    if stats is None:
        return None
    return int(stats.total_arena_memory) + int(stats.total_rawmalloced_memory)


class Delta:
    """RSS, traced-memory and (PyPy) GC-heap delta between ``start()`` and ``stop(n)``,
    per item."""

    def __init__(self, trace: bool = True) -> None:
        self.trace = trace and tracemalloc is not None
        self.rss0: Optional[int] = None
        self.heap0: Optional[int] = None
        self.traced0 = 0

    def start(self) -> None:
        _settle()
        if self.trace:
            tracemalloc.start()
            self.traced0 = tracemalloc.get_traced_memory()[0]
        self.rss0 = rss_bytes()
        self.heap0 = gc_heap_bytes()

    def stop(self, n: int) -> dict[str, Any]:
        _settle()
        rss1, heap1 = rss_bytes(), gc_heap_bytes()
        traced = None
        if self.trace:
            traced = (tracemalloc.get_traced_memory()[0] - self.traced0) / n
            tracemalloc.stop()
        return {"n": n, "tracemalloc_bytes": traced,
                "rss_bytes": None if rss1 is None or self.rss0 is None
                else (rss1 - self.rss0) / n,
                "gc_heap_bytes": None if heap1 is None or self.heap0 is None
                else (heap1 - self.heap0) / n}


def per_item(n: int, make: Callable[[], Any], trace: bool = True) -> tuple[dict[str, Any],
                                                                        list[Any]]:
    """Memory per object of ``n`` calls of ``make()``; the objects, still alive, too."""
    delta = Delta(trace)
    delta.start()
    held = [make() for _ in range(n)]
    return delta.stop(n), held


def _settle() -> None:
    gc.collect()
    gc.collect()
