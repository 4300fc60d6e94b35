"""Aggregate functions: one accumulator for GROUP BY and for window frames.

The reference (aggregatefun.adoc): ``COUNT``, ``COUNTN``, ``SUM``, ``AVG``
(alias ``MEAN``), ``MIN``, ``MAX``, ``ARRAY_AGG``, ``MEDIAN``, ``STDDEV``,
``STDDEV_POP``, ``STDDEV_SAMP``, ``VARIANCE``, ``VARIANCE_POP`` (alias
``VAR_POP``), ``VARIANCE_SAMP`` (alias ``VAR_SAMP``), each with ``ALL`` or
``DISTINCT`` and an optional ``FILTER (WHERE cond)``. With no input value
the COUNTs give 0 and every other aggregate NULL.

An :class:`Aggregate` takes values one at a time and can report its result
at any point, in constant time for the numeric ones, so a window frame that
grows row by row (``ROWS UNBOUNDED PRECEDING``) costs O(N) over a partition.
"""

from __future__ import annotations

import bisect
import math
from typing import Any, Callable, Optional

from .functions import num
from .values import MISSING, collation_key, hashable, is_number, truth

ALIASES = {"MEAN": "AVG", "VAR_POP": "VARIANCE_POP", "VAR_SAMP": "VARIANCE_SAMP"}

AGGREGATES = frozenset([
    "COUNT", "COUNTN", "SUM", "AVG", "MEAN", "MIN", "MAX", "ARRAY_AGG", "MEDIAN",
    "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VARIANCE", "VARIANCE_POP", "VARIANCE_SAMP",
    "VAR_POP", "VAR_SAMP",
])

# the statistics kept as a running mean and sum of squared deviations (Welford)
_SPREAD = frozenset(["STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VARIANCE", "VARIANCE_POP",
                     "VARIANCE_SAMP"])

SKIP = object()
"""An input row the aggregate's FILTER clause leaves out."""


class Aggregate:
    """Accumulates one aggregate over a group or a window frame (``distinct``:
    each value once). ``name`` is the function name, or ``COUNT_STAR``."""

    __slots__ = ("name", "distinct", "seen", "count", "total", "best", "items", "numeric",
                 "mean", "m2")

    def __init__(self, name: str, distinct: bool) -> None:
        self.name = ALIASES.get(name, name)
        self.distinct = distinct
        self.seen: Optional[set] = set() if distinct else None
        self.count = 0
        self.total: Any = 0
        self.best: Any = MISSING
        self.items: list = []
        self.numeric = False
        self.mean = 0.0
        self.m2 = 0.0

    def add(self, v: Any) -> None:
        if v is SKIP:
            return
        name = self.name
        if name == "COUNT_STAR":
            self.count += 1
            return
        if v is MISSING or (v is None and name != "ARRAY_AGG"):
            return
        if self.seen is not None:
            h = hashable(v)
            if h in self.seen:
                return
            self.seen.add(h)
        if name == "COUNT":
            self.count += 1
        elif name == "SUM" or name == "AVG":
            if is_number(v):
                self.total += v
                self.count += 1
                self.numeric = True
        elif name == "MIN":
            if self.best is MISSING or collation_key(v) < collation_key(self.best):
                self.best = v
        elif name == "MAX":
            if self.best is MISSING or collation_key(v) > collation_key(self.best):
                self.best = v
        elif name == "ARRAY_AGG":
            self.items.append(v)
        elif name == "COUNTN":
            if is_number(v):
                self.count += 1
        elif name == "MEDIAN":
            if is_number(v):
                bisect.insort(self.items, v)
        elif name in _SPREAD:
            if is_number(v):
                self.count += 1
                delta = v - self.mean
                self.mean += delta / self.count
                self.m2 += delta * (v - self.mean)

    def result(self) -> Any:
        name = self.name
        if name in ("COUNT_STAR", "COUNT", "COUNTN"):
            return self.count
        if name == "SUM":
            return num(self.total) if self.numeric else None
        if name == "AVG":
            return num(self.total / self.count) if self.count else None
        if name in ("MIN", "MAX"):
            return None if self.best is MISSING else self.best
        if name == "ARRAY_AGG":
            if not self.items:  # the server gives the values in collation order
                return None
            return sorted(self.items, key=collation_key)
        if name == "MEDIAN":
            return _median(self.items)
        if name in _SPREAD:
            return self._spread()
        return None

    def _spread(self) -> Any:
        n = self.count
        if n == 0:
            return None
        name = self.name
        if n == 1:  # one value: no spread, except the _SAMP forms which need two
            return None if name.endswith("_SAMP") else 0
        variance = self.m2 / (n if name.endswith("_POP") else n - 1)
        if name.startswith("STDDEV"):
            return num(math.sqrt(variance))
        return num(variance)


def _median(ordered: list) -> Any:
    n = len(ordered)
    if not n:
        return None
    mid = n // 2
    if n % 2:
        return num(ordered[mid])
    return num((ordered[mid - 1] + ordered[mid]) / 2)


def aggregate_input(node: Any, compile: Callable[[Any], Callable[[dict], Any]]
                    ) -> Optional[Callable[[dict], Any]]:
    """The function giving an aggregate call's input value for a row, with its
    FILTER clause applied (:data:`SKIP` for a row left out); None for ``COUNT(*)``
    without FILTER."""
    arg = compile(node.args[0]) if node.args else None
    cond_node = getattr(node, "filter", None)
    if cond_node is None:
        return arg
    cond = compile(cond_node)
    if arg is None:
        return lambda env: None if truth(cond(env)) else SKIP
    value = arg
    return lambda env: value(env) if truth(cond(env)) else SKIP
