"""The WITH clause: common table expressions, recursive ones included.

A SELECT's WITH terms are compiled with the statement (each in a scope that
sees the terms before it) and evaluated once each time the SELECT runs,
before its blocks: a term's value (the result array of its SELECT, or its
expression's value) is bound under its name, so the main query, later terms
and every subquery read it like a LET variable, and ``FROM name`` iterates it
(the parser makes that an expression term).

``WITH RECURSIVE name AS (anchor UNION [ALL] recursive)`` (with-recursive.adoc):
the anchor runs once (level 0), then the recursive arm runs with ``name``
bound to the rows the previous level produced, until a level produces no row.
UNION drops rows already produced; ``CYCLE f, ... RESTRICT`` drops a row whose
fields ``f, ...`` repeat an earlier row's; ``OPTIONS {"levels": n,
"documents": n}`` stops after level ``n`` or once ``n`` rows are produced.
Without those options a recursion stops with an error past
:data:`MAX_LEVELS` levels or :data:`MAX_DOCUMENTS` rows (the reference's
implicit limits), rather than running until the request times out.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import ast as A
from .errors import N1QLError
from .evaluator import CTX, Compiler, Scope
from .recursive_rules import check_recursive_term
from .values import hashable

MAX_LEVELS = 1000
MAX_DOCUMENTS = 10000
ROW = "\x00cte-row"


class _Term:
    """One compiled WITH term: ``value(env)`` gives what its name is bound to."""

    def __init__(self, engine: Any, term: A.WithTerm, scope: Scope) -> None:
        from .executor import SelectPlan

        self.name = term.name
        self.value: Callable[[dict], Any]
        if term.query is None:
            assert term.expr is not None
            self.value = Compiler(scope).compile(term.expr)
            return
        body = term.query.body
        if term.recursive:
            check_recursive_term(term)  # what a recursive term may not hold (recursive_rules.py)
        if not (term.recursive and isinstance(body, A.SetOp) and body.op == "UNION"
                and not term.query.order and term.query.limit is None
                and term.query.offset is None):
            plan = SelectPlan(engine, term.query, scope)
            self.value = plan.run
            return
        self.anchor = SelectPlan(engine, _as_select(body.left), scope)
        self.step = SelectPlan(engine, _as_select(body.right), scope.child([term.name]))
        self.distinct = not body.all
        row_scope = Scope({ROW}, ROW)
        self.cycle = [Compiler(row_scope).compile(_cycle_field(term.name, e))
                      for e in term.cycle or []]
        self.options = Compiler(scope).compile(term.options) if term.options else None
        self.value = self.recurse

    def recurse(self, env: dict) -> list:
        levels, documents = self._limits(env)
        seen: set = set()
        cycles: set = set()
        out: list = []
        rows = self.anchor.run(env)
        level = 0
        check = env[CTX].cancel.check
        while True:
            fresh = []
            for r in rows:
                if self.distinct:
                    h = hashable(r)
                    if h in seen:
                        continue
                    seen.add(h)
                if self.cycle:
                    c = tuple(hashable(f({ROW: r})) for f in self.cycle)
                    if c in cycles:
                        continue
                    cycles.add(c)
                fresh.append(r)
            out.extend(fresh)
            if documents is not None and len(out) >= documents:
                return out[:documents]
            if not fresh or (levels is not None and level >= levels):
                return out
            level += 1
            if levels is None and level > MAX_LEVELS:
                raise self._too_much(f"{MAX_LEVELS} levels")
            if documents is None and len(out) > MAX_DOCUMENTS:
                raise self._too_much(f"{MAX_DOCUMENTS} documents")
            check()
            e = dict(env)
            e[self.name] = fresh
            rows = self.step.run(e)

    def _limits(self, env: dict) -> tuple[Optional[int], Optional[int]]:
        if self.options is None:
            return None, None
        opts = self.options(env)
        if type(opts) is not dict:
            raise N1QLError(5010, f"OPTIONS of recursive WITH term {self.name} must be an object")
        out = []
        for key in ("levels", "documents"):
            v = opts.get(key)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise N1QLError(5010, f"OPTIONS {key} of recursive WITH term {self.name} "
                                      "must be a number")
            out.append(None if v is None else max(0, int(v)))
        return out[0], out[1]

    def _too_much(self, what: str) -> N1QLError:
        return N1QLError(5010, f"Recursive WITH term {self.name} exceeded the implicit limit of "
                               f"{what}: stop it with OPTIONS {{\"levels\": ...}} or "
                               "{\"documents\": ...}, or a CYCLE clause")


def _as_select(body: Any) -> A.Select:
    return body if isinstance(body, A.Select) else A.Select(body)


def _cycle_field(name: str, expr: A.Node) -> A.Node:
    """A CYCLE field as a path of the produced row (``id`` or ``cte.id``)."""
    steps = []
    node = expr
    while isinstance(node, A.Field):
        steps.append(node.name)
        node = node.base
    if not isinstance(node, A.Ident):
        raise N1QLError(3307, f"Cycle fields validation failed for with term: {name} - cause: "
                              f"invalid cycle field expression term: {A.to_n1ql(expr)} only "
                              "identifier/path expressions are allowed")
    if node.name != name:
        steps.append(node.name)
    out: A.Node = A.Ident(ROW)
    for step in reversed(steps):
        out = A.Field(out, step)
    return out


class WithPlan:
    """The compiled WITH clause of one SELECT: ``scope`` sees its names and
    ``bind(base)`` returns ``base`` with their values."""

    def __init__(self, engine: Any, terms: list, outer: Scope) -> None:
        scope = outer
        self.terms = []
        for t in terms:
            self.terms.append(_Term(engine, t, scope))
            scope = scope.child([t.name])
        self.scope = scope

    def bind(self, base: dict) -> dict:
        env = dict(base)
        for t in self.terms:
            env[t.name] = t.value(env)
        return env
