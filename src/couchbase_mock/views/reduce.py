"""Reduces: the builtins ``_count``, ``_sum``, ``_stats`` and JavaScript.

Rows arrive in output order; grouping puts consecutive rows with the same
group key together: the whole key (``group=true``), its first ``n`` elements
(``group_level=n``, for array keys) or nothing (one row, key ``null``). A
JavaScript reduce runs on chunks of rows and then re-reduces the partial
results (``rereduce = true``), as the server does over its B-tree nodes.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Optional

from .collation import sort_key
from .index import R_CK, R_IDJ, R_KEYJ, R_VALJ, DdocIndex, Row, row_key, row_value
from .jsengine import JSError

JS_CHUNK = 100
"""Rows per call of a JavaScript reduce before its results are re-reduced."""

EXACT = -1
"""``group_level`` meaning ``group=true``."""


class ReduceError(Exception):
    """A reduce that failed (non-numbers given to ``_sum``, a throwing function);
    ``error`` is the server's error name (``timeout`` for a reduce too slow)."""

    def __init__(self, reason: str, error: str = "error") -> None:
        super().__init__(reason)
        self.error = error


def _number(value: Any, name: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ReduceError(f"Builtin {name} function requires map values to be numbers")
    return value


def _sum(values: list[Any]) -> Any:
    total: Any = 0
    vector: Optional[list[Any]] = None
    for value in values:
        if isinstance(value, list):
            items = [_number(v, "_sum") for v in value]
            if vector is None:
                vector = items
            else:
                if len(items) > len(vector):
                    vector.extend([0] * (len(items) - len(vector)))
                for i, item in enumerate(items):
                    vector[i] += item
        else:
            total += _number(value, "_sum")
    if vector is not None:
        if total:
            raise ReduceError("Builtin _sum function requires map values to be numbers")
        return vector
    return total


def _stats(values: list[Any]) -> dict[str, Any]:
    numbers = [_number(v, "_stats") for v in values]
    if not numbers:
        return {"sum": 0, "count": 0, "min": 0, "max": 0, "sumsqr": 0}
    return {
        "sum": sum(numbers),
        "count": len(numbers),
        "min": min(numbers),
        "max": max(numbers),
        "sumsqr": sum(n * n for n in numbers),
    }


def builtin(name: str, rows: list[Row]) -> Any:
    if name == "_count":
        return len(rows)
    values = [row_value(row) for row in rows]
    if name == "_sum":
        return _sum(values)
    return _stats(values)


def group_rows(rows: Iterable[Row], level: Optional[int]) -> list[tuple[Any, list[Row]]]:
    """``(output key, rows)`` per group; ``level`` ``None``: one group."""
    if level is None:
        everything = list(rows)
        return [(None, everything)] if everything else []
    groups: list[tuple[Any, list[Row]]] = []
    current: Any = None
    members: list[Row] = []
    for row in rows:
        if level == EXACT:
            gk = row[R_CK]
        else:
            key = row_key(row)
            gk = sort_key(key[:level]) if isinstance(key, list) else row[R_CK]
        if members and gk == current:
            members.append(row)
            continue
        if members:
            groups.append((_group_key(members[0], level), members))
        current, members = gk, [row]
    if members:
        groups.append((_group_key(members[0], level), members))
    return groups


def _group_key(row: Row, level: int) -> Any:
    key = row_key(row)
    if level != EXACT and isinstance(key, list):
        return key[:level]
    return key


async def reduce_groups(
    index: DdocIndex, view: str, reduce: str, groups: list[tuple[Any, list[Row]]]
) -> list[Any]:
    """The reduced value of each group."""
    if reduce.startswith("_"):
        return [builtin(reduce, rows) for _key, rows in groups]
    if not groups:
        return []
    parts = []
    for _key, rows in groups:
        parts.append(
            "[" + ",".join(f"[{r[R_KEYJ]},{r[R_IDJ]},{r[R_VALJ]}]" for r in rows) + "]"
        )
    try:
        return await index.runner.reduce_batch(view, "[" + ",".join(parts) + "]", JS_CHUNK)
    except JSError as exc:
        raise ReduceError(str(exc), exc.error) from None


def encode(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
