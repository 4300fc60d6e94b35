"""A FROM name in a subquery that is a variable of an enclosing query
(subqueries.adoc, FROM clause in Subqueries): ``(SELECT ... FROM t1 AS t2)``,
``FROM x y`` (a LET name), ``FROM t.geo.alt`` are expressions over the outer
query's current document, not keyspaces.

A name that is also a keyspace stays a keyspace (Q6: ``FROM `travel-sample`
t1``). A subquery alias that repeats an enclosing one (Q6B's 4020) is
refused by subquery_rules.py.
"""

from __future__ import annotations

from typing import Any

from . import ast as A
from .errors import N1QLError


def resolve_term(engine: Any, term: Any, bound: set) -> Any:
    """``term``, or the expression term it stands for in this scope."""
    if not isinstance(term, A.KeyspaceTerm) or term.ref.namespace != "default" \
            or term.ref.bucket not in bound:
        return term
    ref = term.ref
    if _is_keyspace(engine, ref):
        return term
    node: A.Node = A.Ident(ref.bucket)
    for part in (ref.scope, ref.collection):
        if part:
            node = A.Field(node, part)
    return A.ExprTerm(node, term.alias)


def _is_keyspace(engine: Any, ref: A.KeyspaceRef) -> bool:
    from .planner import require_keyspace

    try:
        require_keyspace(engine.datastore, A.KeyspaceRef(ref.namespace, ref.bucket))
    except N1QLError:
        return False
    return True
