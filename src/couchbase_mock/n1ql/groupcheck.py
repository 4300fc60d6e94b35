"""The grouped query's rule (groupby.adoc, Limitations: "GROUP BY works only on
a group key or aggregate function"; n1ql-error-codes.adoc 4210): once rows are
grouped (GROUP BY, or an aggregate anywhere after WHERE), the LETTING, HAVING,
projection and ORDER BY expressions may use only

* an expression equal to a group key (``city`` and ``l.city`` are one key when
  ``l`` is the only keyspace), or any expression built from such parts;
* aggregates, literals, parameters, LETTING variables and GROUP BY aliases,
  the GROUP AS array, names of enclosing queries (correlation), and in ORDER
  BY the projection's result names.

Anything else that reads a row (a field of a FROM alias, the alias itself, a
LET variable, ``META()``) is error 4210 ``Expression «expr» must depend only
on group keys or aggregates.``
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from . import ast as A
from .aggregates import AGGREGATES
from .errors import N1QLError

E_NOT_GROUP_KEY_OR_AGG = 4210


class GroupCheck:
    """Checks the post-grouping expressions of one SELECT block.

    ``row_names``: names bound per row before grouping (FROM aliases, LET
    variables); ``default``: the implicit keyspace alias (or None);
    ``allowed``: names that stay valid after grouping."""

    def __init__(self, keys: list, row_names: Iterable[str], default: Optional[str],
                 allowed: Iterable[str]) -> None:
        self.row_names = set(row_names)
        self.default = default
        self.allowed = set(allowed) - self.row_names
        self.keys = {self.canon(k, frozenset()) for k in keys}

    # -- the canonical form that makes ``city`` and ``l.city`` one key -------------
    def canon(self, node: Any, local: frozenset) -> Any:
        if isinstance(node, A.Ident):
            name = node.name
            if name in local:
                return ("var", name)
            if name in self.row_names or name in self.allowed or self.default is None:
                return ("id", name)
            return ("Field", ("id", self.default), repr(name))  # as l.name
        if isinstance(node, A.Subquery):
            return ("subquery", id(node))
        if isinstance(node, A.Call) and node.name == "META" and not node.args \
                and self.default is not None:
            return ("meta", ("id", self.default))
        if isinstance(node, (A.Quantified, A.Comprehension)):
            local = local | {n for b in node.bindings for n in (b.var, b.pos) if n}
        if isinstance(node, A.Node):
            return (type(node).__name__,) + tuple(
                self.canon(getattr(node, s), local) for s in _slots(node))
        if isinstance(node, (list, tuple)):
            return tuple(self.canon(x, local) for x in node)
        return repr(node)

    # -- the rule ---------------------------------------------------------------
    def ok(self, node: Any, local: frozenset = frozenset(), extra: frozenset = frozenset()) -> bool:
        if node is None or not isinstance(node, A.Node):
            return True
        if self.canon(node, local) in self.keys:
            return True
        if isinstance(node, A.Ident):
            name = node.name
            if name in local or (name in extra and name not in self.row_names):
                return True
            if name in self.row_names:
                return False
            return name in self.allowed or self.default is None
        if isinstance(node, A.Call):
            if node.name in AGGREGATES and node.over is None:
                return True
            if node.name == "META":
                return not node.args and self.default is None
        if isinstance(node, A.Subquery):
            return not (_free_names(node.query) & self.row_names)
        if isinstance(node, (A.Quantified, A.Comprehension)):
            inner = set(local)
            for b in node.bindings:
                if not self.ok(b.expr, frozenset(inner), extra):
                    return False
                inner.update(n for n in (b.var, b.pos) if n)
            rest = [node.cond] if isinstance(node, A.Quantified) else \
                [node.value, node.name, node.when]
            return all(self.ok(x, frozenset(inner), extra) for x in rest)
        return all(self.ok(c, local, extra) for c in node.children())

    def check(self, node: Any, extra: Iterable[str] = ()) -> None:
        """Raise 4210 unless ``node`` depends only on group keys or aggregates."""
        if node is not None and not self.ok(node, frozenset(), frozenset(extra)):
            raise N1QLError(E_NOT_GROUP_KEY_OR_AGG, f"Expression {A.to_n1ql(node)} must "
                                                    "depend only on group keys or aggregates.")


def check_grouped_block(block: A.SelectBlock, order: Optional[list], row_names: list,
                        default: Optional[str], allowed: set, result_names: list) -> None:
    """Apply the rule to a grouped block's LETTING, HAVING, projection and ORDER BY."""
    check = GroupCheck(list(block.group_by or []), row_names, default, allowed)
    for _name, expr in block.letting:
        check.check(expr)
    check.check(block.having)
    for t in block.terms:
        if t.expr is not None:
            check.check(t.expr)
    for o in order or []:
        check.check(o.expr, result_names)


def _slots(node: A.Node) -> list:
    return [s for cls in type(node).__mro__ for s in getattr(cls, "__slots__", ())]


def _free_names(node: Any) -> set:
    """Identifiers read anywhere inside a subquery, less the aliases its own
    FROM clauses bind (an approximation of its correlated references)."""
    names: set = set()
    bound: set = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, A.Ident):
            names.add(n.name)
        if isinstance(n, A.KeyspaceTerm) and n.ref.namespace == "default":
            names.add(n.ref.bucket)  # FROM l.children c: a path over an outer name
        if isinstance(n, A.Subquery):
            stack.append(n.query)
            continue
        alias = getattr(n, "alias", None) if isinstance(n, (A.KeyspaceTerm, A.ExprTerm,
                                                              A.Join)) else None
        if isinstance(alias, str):
            bound.add(alias)
        if isinstance(n, A.SelectBlock):
            bound.update(name for name, _e in n.let + n.letting)
        if isinstance(n, A.Node):
            stack.extend(n.children())
        elif isinstance(n, (list, tuple)):
            stack.extend(n)
    return names - bound
