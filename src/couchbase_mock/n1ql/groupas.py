"""``GROUP BY ... GROUP AS g`` (groupby.adoc, GROUP AS Clause): each group keeps
its rows as they were before grouping, as an array bound to ``g`` for the
clauses after GROUP BY (LETTING, HAVING, the projection, ORDER BY; a subquery
may read it: ``(SELECT g1.a.name FROM g AS g1)``). Each element is an object
with one field per FROM alias (the keyspace's, each JOIN's, NEST's or
UNNEST's), its value the row's value for that alias.
"""

from __future__ import annotations

from typing import Any

from .values import MISSING


def group_member(env: dict, aliases: list) -> dict[str, Any]:
    """The GROUP AS element of one row: ``{alias: value}`` (MISSING values left out)."""
    out: dict[str, Any] = {}
    for alias in aliases:
        v = env.get(alias, MISSING)
        if v is not MISSING:
            out[alias] = v
    return out
