"""Array functions of the N1QL reference (arrayfun.html) beyond the core ones
in ``__init__``: searching, inserting, moving, set operations, ARRAY_STAR.

Element matching uses the ``=`` operator's rule, under which NULL equals
nothing (so ARRAY_REMOVE cannot remove NULLs, as the reference notes), except
ARRAY_REPLACE_EQUIVALENT, which matches by equivalence (NULL matches NULL).
"""

from __future__ import annotations

import bisect
from typing import Any, Callable, Optional

from ..limits import check_array_length
from ..values import MISSING, collation_key, compare, equal, hashable
from . import register


def _eq(a: Any, b: Any) -> bool:
    """``a = b`` is TRUE (a NULL anywhere inside makes it NULL, so not TRUE)."""
    if a is None or b is None:
        return False
    if type(a) is list and type(b) is list:
        return len(a) == len(b) and all(_eq(x, y) for x, y in zip(a, b))
    if type(a) is dict and type(b) is dict:
        return a.keys() == b.keys() and all(_eq(a[k], b[k]) for k in a)
    return equal(a, b)


def _equivalent(a: Any, b: Any) -> bool:
    return compare(a, b) == 0


def _int(v: Any) -> Optional[int]:
    """An integer argument (1 or 1.0), else None."""
    if type(v) is int:
        return v
    if type(v) is float and v.is_integer():
        return int(v)
    return None


def _index(n: Any, size: int, *, end_ok: bool = False) -> Optional[int]:
    """A position counted from the left (0...) or the right (-1...), if inside."""
    i = _int(n)
    if i is None:
        return None
    if i < 0:
        i += size
    limit = size + 1 if end_ok else size
    return i if 0 <= i < limit else None


def _contains(a: list, v: Any, eq: Callable[[Any, Any], bool] = _eq) -> bool:
    return any(eq(x, v) for x in a)


@register("ARRAY_CONTAINS", strict=("a", "*"))
def array_contains(a: list, v: Any) -> Any:
    return None if v is None else _contains(a, v)


@register("ARRAY_POSITION", strict=("a", "*"))
def array_position(a: list, v: Any) -> Any:
    return next((i for i, x in enumerate(a) if _eq(x, v)), -1)


@register("ARRAY_REMOVE", strict=("a", "*"))
def array_remove(a: list, *vs: Any) -> list:
    return [x for x in a if not any(_eq(x, v) for v in vs)]


@register("ARRAY_BINARY_SEARCH", strict=("a", "*"))
def array_binary_search(a: list, v: Any) -> Any:
    keys = [collation_key(x) for x in a]
    i = bisect.bisect_left(keys, collation_key(v))
    return i if i < len(a) and _eq(a[i], v) else -1


@register("ARRAY_EXCEPT", strict=("a", "a"))
def array_except(a: list, b: list) -> list:
    return [x for x in a if not _contains(b, x)]


@register("ARRAY_IFNULL", strict=("a",))
def array_ifnull(a: list) -> Any:
    return next((x for x in a if x is not None and x is not MISSING), None)


@register("ARRAY_INSERT", strict=("a", "*"))
def array_insert(a: list, pos: Any, *vals: Any) -> Any:
    i = _index(pos, len(a), end_ok=True)
    if i is None or not vals:
        return None
    return a[:i] + list(vals) + a[i:]


@register("ARRAY_MOVE", strict=("a", "n", "n"))
def array_move(a: list, old: Any, new: Any) -> Any:
    i, j = _index(old, len(a)), _index(new, len(a))
    if i is None or j is None:
        return None
    out = list(a)
    out.insert(j, out.pop(i))
    return out


@register("ARRAY_PUT", strict=("a", "*"))
def array_put(a: list, *vals: Any) -> list:
    out = list(a)
    for v in vals:
        if not _contains(out, v):
            out.append(v)
    return out


@register("ARRAY_REPEAT", strict=("*", "n"))
def array_repeat(v: Any, n: Any) -> Any:
    count = _int(n)
    if count is None or count < 0:
        return None
    check_array_length(count, "ARRAY_REPEAT")
    return [v] * count


def _replace(a: list, old: Any, new: Any, limit: Any,
             eq: Callable[[Any, Any], bool]) -> Any:
    left = -1
    if limit is not None:
        n = _int(limit)
        if n is None:
            return None
        left = n if n >= 0 else -1
    out = []
    for x in a:
        if left != 0 and eq(x, old):
            out.append(new)
            left -= 1
        else:
            out.append(x)
    return out


@register("ARRAY_REPLACE", strict=("a", "*", "*", "n"))
def array_replace(a: list, old: Any, new: Any, limit: Any = None) -> Any:
    return None if old is None else _replace(a, old, new, limit, _eq)


@register("ARRAY_REPLACE_EQUIVALENT", strict=("a", "*", "*", "n"))
def array_replace_equivalent(a: list, old: Any, new: Any, limit: Any = None) -> Any:
    return _replace(a, old, new, limit, _equivalent)


@register("ARRAY_STAR", strict=("a",))
def array_star(a: list) -> dict:
    names = sorted({k for x in a if type(x) is dict for k in x})
    return {k: [x.get(k) if type(x) is dict else None for x in a] for k in names}


def _counts(arrays: tuple) -> tuple[list, dict]:
    """The distinct elements in first-seen order, and in how many arrays each occurs."""
    order: list = []
    seen: dict = {}
    for arr in arrays:
        for h in {hashable(x): x for x in arr if x is not None}.items():
            if h[0] not in seen:
                seen[h[0]] = 0
                order.append(h)
            seen[h[0]] += 1
    return order, seen


@register("ARRAY_SYMDIFF", "ARRAY_SYMDIFF1", strict=("a", "a"))
def array_symdiff(*arrays: list) -> list:
    order, seen = _counts(arrays)
    return [x for h, x in order if seen[h] == 1]


@register("ARRAY_SYMDIFFN", strict=("a", "a"))
def array_symdiffn(*arrays: list) -> list:
    order, seen = _counts(arrays)
    return [x for h, x in order if seen[h] % 2 == 1]


