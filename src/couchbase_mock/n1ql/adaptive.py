"""Adaptive indexes: an array index on ``PAIRS(SELF)`` or ``PAIRS({name: expr, ...})``.

adaptive-indexing.adoc: ``CREATE INDEX ai ON ks(DISTINCT PAIRS(SELF))`` (every
field) or ``(DISTINCT PAIRS({name, city}))`` (the named fields; ALL works as
DISTINCT) is an array index whose entries are the ``[name, value]`` pairs of
:func:`~.functions.objects.pairs`; it serves a WHERE predicate on any of the
fields it covers, whatever their order. A predicate on field ``f`` compared
with a constant (=, IN, <, <=, >, >=, BETWEEN, LIKE 'prefix%', IS NOT NULL /
MISSING, IS VALUED: what :func:`~.planner.range_for` reads) becomes a range of
pairs: ``f = v`` the point ``["f", v]``, ``f > v`` the pairs after ``["f", v]``
and before every pair of the next name. PAIRS also lists the fields of nested
objects and the elements of arrays under their own names, so the pairs of a
name may come from more documents than the predicate holds for: the WHERE is
applied to what the scan returns, as to every scan.

A partial adaptive index is chosen only when the fields its WHERE filters on
are among the fields it covers ("Partial Adaptive Indexes"). Where a regular
index answers as many predicates, the regular index is preferred (the page's
"Functional Limitations": it is the smaller, faster one). The server may
intersect scans of several fields; this engine scans one field, the one with
the most predicates, an equality first.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from . import ast as A
from .indexes import SecondaryIndex, field_path, key_text
from .values import MISSING, TOP


def pairs_source(ix: SecondaryIndex) -> Optional[A.Node]:
    """The argument of ``PAIRS`` when ``ix``'s leading key is ``DISTINCT|ALL PAIRS(...)``."""
    ak = ix.array
    if ak is None or ix.array_pos != 0 or ak.inner is not None:
        return None
    src = ak.source
    if not (isinstance(ak.value, A.Ident) and isinstance(src, A.Call) and src.name == "PAIRS"
            and len(src.args) == 1):
        return None
    return src.args[0]


def _covered(arg: A.Node) -> Optional[dict]:
    """Field path -> pair name for an object constructor; None for SELF (every field)."""
    if isinstance(arg, A.SelfRef):
        return None
    out: dict = {}
    if isinstance(arg, A.ObjectCons):
        for name, expr in arg.pairs:
            path = field_path(expr)
            if isinstance(name, A.Literal) and type(name.value) is str and path is not None:
                out[path] = name.value
    return out


def _name_of(expr: A.Node, alias: str, covered: Optional[dict]) -> Optional[str]:
    """The pair name a predicate's field has in the index, if the index covers it:
    for SELF any field path (its last name); else a covered path, or a path inside
    a covered object field (PAIRS lists nested fields by their own names)."""
    path = field_path(expr, alias)
    if path is None:
        return None
    if covered is None:
        return path[-1]
    if path in covered:
        return covered[path]
    for i in range(len(path) - 1, 0, -1):
        if path[:i] in covered:
            return path[-1]
    return None


def where_covered(ix: SecondaryIndex, arg: A.Node) -> bool:
    """Whether every field the partial index's WHERE reads is among the pairs."""
    covered = _covered(arg)
    if covered is None or ix.where is None:
        return True
    for n in A.walk(ix.where):
        if isinstance(n, (A.Field, A.Ident)) and not isinstance(n, A.SelfRef):
            path = field_path(n)
            if path is not None and path not in covered:
                return False
    return True


class PairSpec:
    """The spans of one field's predicates turned into spans of ``[name, value]``
    pairs (wraps a :class:`~.planner.RangeSpec` built on that field)."""

    def __init__(self, name: str, inner: Any) -> None:
        self.name = name
        self.inner = inner
        self.texts = inner.texts
        self.exact = inner.exact
        self.ranges = [self._range_text(r) for r in inner.ranges]

    @property
    def empty(self) -> bool:
        return self.inner.empty

    def _range_text(self, r: dict) -> dict:
        out = dict(r)
        name = json.dumps(self.name)
        out["low"] = f"[{name}, {r['low']}]" if "low" in r else f"[{name}]"
        after = json.dumps(self.name + chr(0))
        out["high"] = f"[{name}, {r['high']}]" if "high" in r else f"[{after}]"
        return out

    def spans(self, env: dict) -> list:
        name = self.name
        out = []
        for low, low_inc, high, high_inc in self.inner.spans(env):
            if low is MISSING:
                lo, lo_inc = [name], True
            else:
                lo, lo_inc = [name, low], low_inc
            if high is TOP:
                hi, hi_inc = [name + "\x00"], False  # before every pair of a later name
            else:
                hi, hi_inc = [name, high], high_inc
            out.append((lo, lo_inc, hi, hi_inc))
        return out


def pairs_spec(ix: SecondaryIndex, conjs: list, alias: str, others: set,
               range_for: Any) -> Optional[PairSpec]:
    """The best :class:`PairSpec` for ``ix`` (an adaptive index) given the WHERE
    conjuncts, or None if it covers no field a conjunct constrains."""
    arg = pairs_source(ix)
    if arg is None or not where_covered(ix, arg):
        return None
    covered = _covered(arg)
    best: Optional[PairSpec] = None
    seen: set = set()
    for c in conjs:
        for n in A.walk(c):
            if not isinstance(n, (A.Field, A.Ident)) or isinstance(n, A.SelfRef):
                continue
            name = _name_of(n, alias, covered)
            text = key_text(n, alias)
            if name is None or text in seen:
                continue
            seen.add(text)
            inner = range_for(conjs, text, alias, others)
            if inner.empty:
                continue
            spec = PairSpec(name, inner)
            if best is None or (len(spec.texts), spec.exact) > (len(best.texts), best.exact):
                best = spec
    return best
