"""FROM and JOIN terms that are not keyspaces, and comma joins (from.adoc).

- A name in FROM that is a WITH term, and a path such as an outer query's
  ``o.orderlines`` in a correlated subquery, are expressions, not keyspaces
  (the parser makes them :class:`~.ast.ExprTerm`): ``WITH hotels AS (...)
  SELECT ... FROM hotels`` and ``(SELECT l FROM o.orderlines AS l)`` iterate
  the value (an array: each element is a row; another value: one row;
  MISSING or NULL: none), as the executor's Source does for any expression.
- ``JOIN``/``NEST`` onto a subquery, an expression or such a name (an ANSI
  join: ``ON`` condition only) evaluates the term for each left row.
- ``FROM a, b`` (comma.adoc) joins each row of ``a`` with each row of ``b``,
  ``b`` evaluated for each row of ``a`` (so it may refer to ``a``).
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from . import ast as A
from .errors import N1QLError
from .evaluator import Compiler
from .values import MISSING, truth


def is_term_join(join: A.Join) -> bool:
    """Whether ``join`` is run by :class:`TermJoin` (not a keyspace JOIN/NEST/UNNEST)."""
    if join.kind == "COMMA":
        return True
    return join.kind in ("JOIN", "NEST") and isinstance(join.term, A.ExprTerm)


class TermJoin:
    """A comma join, or a JOIN/NEST onto a non-keyspace term."""

    def __init__(self, engine: Any, join: A.Join, compiler: Compiler, others: set) -> None:
        from .executor import Source

        self.kind = join.kind
        self.outer = join.outer
        self.alias = join.alias
        scope = compiler.scope
        term = join.term
        if join.on_keys is not None:
            raise N1QLError(3000, f"ON KEYS needs a keyspace: {self.alias} is not one")
        self.source = Source(engine, term, None, others, scope)
        inner = compiler.with_scope(scope.joined(self.alias))  # (the name rule: Scope)
        self.on_fn = inner.compile(join.on) if join.on is not None else None

    def apply(self, rows: Iterator[dict], ctx: Any) -> Iterator[dict]:
        alias, on_fn, nest = self.alias, self.on_fn, self.kind == "NEST"
        check = ctx.cancel.check
        for env in rows:
            check()
            matched = []
            for e in self.source.rows(env):
                if on_fn is None or truth(on_fn(e)):
                    if not nest:
                        yield e
                    matched.append(e[alias])
            if nest and matched:
                e = dict(env)
                e[alias] = matched
                yield e
            elif not matched and self.outer:
                e = dict(env)
                e[alias] = MISSING
                yield e

    def explain(self) -> dict:
        op = "NestedLoopNest" if self.kind == "NEST" else "NestedLoopJoin"
        return {"#operator": op, "alias": self.alias, "outer": self.outer,
                "~child": {"#operator": "Sequence", "~children": self.source.explain()}}


def explain_op(step: Any) -> Optional[dict]:
    return step.explain() if isinstance(step, TermJoin) else None
