"""UPDATE STATISTICS and ANALYZE: optimizer statistics, accepted and recorded.

Syntax (statistics-expressions.adoc, statistics-index.adoc,
statistics-indexes.adoc, statistics-delete.adoc)::

    UPDATE STATISTICS [FOR] keyspace '(' expr, ... ')' [WITH {...}]
    UPDATE STATISTICS [FOR] keyspace DELETE ( '(' expr, ... ')' | ALL )
    UPDATE STATISTICS [FOR] keyspace INDEX ( '(' index, ... ')' | ALL ) [USING GSI] [WITH {...}]
    UPDATE STATISTICS FOR INDEX [keyspace.]index [ON keyspace] [USING GSI] [WITH {...}]
    ANALYZE [KEYSPACE | COLLECTION] ... (the same forms after the keyspace)

The local cluster has no cost-based optimizer: a statement checks its
keyspace (12003) and index names (12016), then records which expressions
have statistics and when (:func:`statistics_of`), and returns no rows.
``DELETE`` forgets them.
"""

from __future__ import annotations

import time
from typing import Any, Optional

from .. import ast as A
from ..errors import N1QLError, index_not_found
from ..evaluator import CTX, Compiler, Scope
from ..planner import require_keyspace
from . import runner, statement


class UpdateStatistics(A.Node):
    """``action``: ``"update"`` (``exprs``), ``"delete"`` (``exprs``, ``None``:
    all) or ``"index"`` (``indexes``, ``None``: all)."""

    __slots__ = ("ref", "action", "exprs", "indexes", "with_")

    def __init__(self, ref: A.KeyspaceRef, action: str, exprs: Optional[list],
                 indexes: Optional[list], with_: Optional[A.Node]) -> None:
        self.ref = ref
        self.action = action
        self.exprs = exprs
        self.indexes = indexes
        self.with_ = with_


def _expr_list(p: Any) -> list:
    p.expect_op("(")
    out = [p.expr()]
    while p.accept_op(","):
        out.append(p.expr())
    p.expect_op(")")
    return out


def _tail(p: Any) -> Optional[A.Node]:
    if p.is_kw("USING"):
        p.i += 1
        p.expect_kw("GSI")
    return p.expr() if p.accept_kw("WITH") else None


def _after_keyspace(p: Any, ref: A.KeyspaceRef) -> UpdateStatistics:
    if p.accept_kw("DELETE"):
        if p.is_kw("ALL"):
            p.i += 1
            return UpdateStatistics(ref, "delete", None, None, None)
        return UpdateStatistics(ref, "delete", _expr_list(p), None, None)
    if p.accept_kw("INDEX"):
        if p.is_kw("ALL"):
            p.i += 1
            return UpdateStatistics(ref, "index", None, None, _tail(p))
        names = _expr_list(p)
        return UpdateStatistics(ref, "index", None, names, _tail(p))
    exprs = _expr_list(p)
    return UpdateStatistics(ref, "update", exprs, None, _tail(p))


@statement("UPDATE", "STATISTICS")
def parse_update(p: Any) -> UpdateStatistics:
    p.i += 2
    p.accept_kw("FOR")
    if p.accept_kw("INDEX"):  # FOR INDEX [keyspace.]name [ON keyspace]
        parts = [p.ident_or_word()]
        while p.accept_op("."):
            parts.append(p.ident_or_word())
        if p.accept_kw("ON"):
            ref = p.keyspace_ref()
            name = parts[-1]
        elif len(parts) in (2, 4):
            name = parts[-1]
            ks = parts[:-1]
            ref = A.KeyspaceRef("default", ks[0], *(ks[1:] if len(ks) == 3 else ()))
        else:
            raise p.error()
        return UpdateStatistics(ref, "index", None, [A.Ident(name)], _tail(p))
    return _after_keyspace(p, p.keyspace_ref())


@statement("ANALYZE")
def parse_analyze(p: Any) -> UpdateStatistics:
    p.i += 1
    if p.is_kw("KEYSPACE", "COLLECTION") and not p.is_op("(", tok=p.peek()) and \
            not p.is_kw("INDEX", "DELETE", tok=p.peek()):
        p.i += 1
    return _after_keyspace(p, p.keyspace_ref())


def statistics_of(engine: Any) -> dict:
    """``{path: {expression text: {"updated": unix seconds, ...}}}`` of an engine."""
    stats = getattr(engine, "optimizer_statistics", None)
    if stats is None:
        stats = engine.optimizer_statistics = {}
    return stats


@runner(UpdateStatistics)
def run(engine: Any, stmt: UpdateStatistics, ctx: Any) -> tuple:
    path = require_keyspace(engine.datastore, stmt.ref)
    options = Compiler(Scope()).compile(stmt.with_)({CTX: ctx}) if stmt.with_ else {}
    if type(options) is not dict:
        raise N1QLError(5000, "UPDATE STATISTICS: WITH must be an object")
    keyspace = statistics_of(engine).setdefault(path, {})
    entry = {"updated": time.time(), **options}
    if stmt.action == "delete":
        if stmt.exprs is None:
            keyspace.clear()
        for expr in stmt.exprs or []:
            keyspace.pop(A.to_n1ql(expr, stmt.ref.default_alias), None)
        return [], None, None
    if stmt.action == "update":
        for expr in stmt.exprs or []:
            keyspace[A.to_n1ql(expr, stmt.ref.default_alias)] = dict(entry)
        return [], None, None
    if stmt.indexes is None:
        indexes = [ix for ix in engine.catalog.of(path) if not getattr(ix, "primary", False)]
    else:
        indexes = []
        for node in stmt.indexes:
            name = node.name if isinstance(node, A.Ident) else \
                Compiler(Scope()).compile(node)({CTX: ctx})
            index = engine.catalog.get(path, name) if isinstance(name, str) else None
            if index is None:
                raise index_not_found(str(name))
            indexes.append(index)
    for index in indexes:
        for expr in getattr(index, "key_exprs", None) or []:
            keyspace[A.to_n1ql(expr)] = dict(entry, index=index.name)
    return [], None, None
