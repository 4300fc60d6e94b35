"""What a recursive WITH term may not contain (recursive.adoc, "Limitations").

A ``WITH RECURSIVE name AS (anchor UNION [ALL] recursive)`` term is refused
with 3300 ``recursive_with semantics: CAUSE`` when:

* the term has ORDER BY, LIMIT or OFFSET, or either arm has DISTINCT;
* the recursive arm groups (GROUP BY, an aggregate, a window function or a
  WINDOW clause), has an OUTER join, NEST or UNNEST, or names the term more
  than once in its FROM clause (a self-join of the term).

A term whose query is no UNION is an ordinary CTE and none of this applies.
"""

from __future__ import annotations

from typing import Any, Iterator

from . import ast as A
from .errors import N1QLError
from .evaluator import contains_aggregate

E_RECURSIVE_WITH_SEMANTIC = 3300


def check_recursive_term(term: A.WithTerm) -> None:
    query = term.query
    if query is None or not (isinstance(query.body, A.SetOp) and query.body.op == "UNION"):
        return
    if query.order or query.limit is not None or query.offset is not None:
        _refuse("ORDER BY, LIMIT and OFFSET are not allowed in a recursive WITH term")
    for arm in (query.body.left, query.body.right):
        for block in _blocks(arm):
            if block.distinct:
                _refuse("DISTINCT is not allowed in the anchor or recursive clause")
    for block in _blocks(query.body.right):
        _check_recursive_block(term.name, block)


def _check_recursive_block(name: str, block: A.SelectBlock) -> None:
    nodes = [t.expr for t in block.terms] + [block.having] + [e for _n, e in block.letting]
    if block.group_by is not None or block.window or any(
            n is not None and (contains_aggregate(n) or _has_window(n)) for n in nodes):
        _refuse("GROUP BY, WINDOW and aggregate functions are not allowed in the recursive "
                "clause")
    refs = int(_names(block.from_, name))
    for j in block.joins:
        if j.outer:
            _refuse("OUTER JOIN is not allowed in the recursive clause")
        if j.kind in ("NEST", "UNNEST"):
            _refuse(f"{j.kind} is not allowed in the recursive clause")
        refs += _names(j.term, name)
    if refs > 1:
        _refuse(f"the recursive reference {name} is allowed only once in the FROM clause")


def _blocks(arm: Any) -> Iterator[A.SelectBlock]:
    """The SELECT blocks of one arm (a block, a parenthesised query, a set operation)."""
    if isinstance(arm, A.Select):
        if arm.order or arm.limit is not None or arm.offset is not None:
            _refuse("ORDER BY, LIMIT and OFFSET are not allowed in the anchor or recursive "
                    "clause")
        yield from _blocks(arm.body)
    elif isinstance(arm, A.SetOp):
        yield from _blocks(arm.left)
        yield from _blocks(arm.right)
    elif isinstance(arm, A.SelectBlock):
        yield arm


def _names(term: Any, name: str) -> bool:
    return isinstance(term, A.ExprTerm) and isinstance(term.expr, A.Ident) \
        and term.expr.name == name


def _has_window(node: Any) -> bool:
    return any(isinstance(n, A.Call) and getattr(n, "over", None) is not None
               for n in A.walk(node))


def _refuse(cause: str) -> None:
    raise N1QLError(E_RECURSIVE_WITH_SEMANTIC, f"recursive_with semantics: {cause}")
