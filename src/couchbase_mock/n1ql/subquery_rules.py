"""Two rules for the FROM clause of a subquery (subqueries.adoc, "FROM clause in
Subqueries"):

* Q6B: a subquery's FROM (or JOIN) alias, implicit or explicit, may not repeat
  a variable of an enclosing query block (its keyspace aliases, implicit ones
  included, and its LET/LETTING variables): ``SELECT (SELECT RAW t1.geo.alt
  FROM `travel-sample`) FROM `travel-sample``` is error 4020 ``Duplicate
  subquery alias travel-sample``. ``FROM `travel-sample` t1`` in the subquery,
  or an explicit alias on the outer keyspace (Q1, Q6), is fine.
* Q8: an expression FROM term reads only names in scope: ``FROM
  `travel-sample`.geo t2`` where ``travel-sample`` is no variable (the outer
  keyspace has the alias ``t1``) is ``Ambiguous reference to field
  travel-sample.`` (E_AMBIGUOUS_REFERENCE), not an empty result.

Enclosing blocks' names travel in :attr:`Scope.block_names`, set by
:func:`mark_scopes` for each scope a block compiles its expressions in.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from . import ast as A
from .errors import E_AMBIGUOUS_REFERENCE, N1QLError

E_DUPLICATE_SUBQUERY_ALIAS = 4020


def check_subquery_aliases(outer: Any, aliases: Iterable[Optional[str]]) -> None:
    """Q6B: raise 4020 when one of a block's FROM aliases repeats a name of an
    enclosing block (``outer``: the scope the block is compiled in)."""
    taken: frozenset = getattr(outer, "block_names", frozenset())
    for alias in aliases:
        if alias is not None and alias in taken:
            raise N1QLError(E_DUPLICATE_SUBQUERY_ALIAS, f"Duplicate subquery alias {alias}")


def mark_scopes(scopes: Iterable[Any], outer: Any, names: Iterable[str]) -> None:
    """Record, on each scope, the names of this block and every enclosing one."""
    marked = frozenset(getattr(outer, "block_names", frozenset())) | frozenset(names)
    for scope in scopes:
        scope.block_names = marked


def check_from_expression(expr: A.Node, bound: set) -> None:
    """Q8: every identifier of a FROM expression (outside its subqueries and
    its own ARRAY/ANY variables) must be a name in scope."""
    name = _first_free(expr, frozenset(bound))
    if name is not None:
        raise N1QLError(E_AMBIGUOUS_REFERENCE, f"Ambiguous reference to field {name}.")


def _first_free(node: Any, bound: frozenset) -> Optional[str]:
    if isinstance(node, A.Ident):
        return None if node.name in bound else node.name
    if isinstance(node, A.Subquery) or not isinstance(node, A.Node):
        return None
    if isinstance(node, (A.Quantified, A.Comprehension)):
        inner = set(bound)
        for b in node.bindings:
            found = _first_free(b.expr, frozenset(inner))
            if found is not None:
                return found
            inner.update(n for n in (b.var, b.pos) if n)
        rest = [node.cond] if isinstance(node, A.Quantified) else \
            [node.value, node.name, node.when]
        for x in rest:
            found = _first_free(x, frozenset(inner))
            if found is not None:
                return found
        return None
    for child in node.children():
        found = _first_free(child, bound)
        if found is not None:
            return found
    return None
