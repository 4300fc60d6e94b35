"""MERGE: update, delete or insert documents of a keyspace from a join with a source.

Syntax (merge.adoc)::

    MERGE INTO target [[AS] alias] [USE INDEX (...)]
    USING (keyspace [[AS] alias] [hints] | (subquery) [AS] alias | expr [[AS] alias])
    ON condition                                 -- ANSI merge
       WHEN MATCHED THEN UPDATE SET ... [UNSET ...] [WHERE cond]
       WHEN MATCHED THEN DELETE [WHERE cond]
       WHEN NOT MATCHED THEN INSERT ([KEY] k [, [VALUE] v [, [OPTIONS] o]]) [WHERE cond]
    | ON [PRIMARY] KEY expr                      -- lookup merge
       ... WHEN NOT MATCHED THEN INSERT value [WHERE cond]
    [LIMIT n] [RETURNING ...]

Each source row is joined with the target documents it matches: by key for a
lookup merge (and for an ANSI condition ``meta(t).id = expr``), else by
testing the condition on every target document. A matched document is
deleted if the DELETE action applies to it (its WHERE holds), else updated if
the UPDATE action does, so the reference's lookup example (UPDATE without
WHERE, then DELETE WHERE p.inventoryCount <= 0) deletes the sold-out
products and updates the others; an unmatched source row inserts a document.
Touching one document twice is error 5320, inserting one key twice 5330.
All writes are worked out first, then made in order through
:func:`~..dml.apply_writes` (as UPDATE and DELETE do: with the CAS read, so a
concurrent change fails the statement with 12009).
LIMIT bounds the source rows merged. RETURNING sees the target as written (as
it was, for a deletion) and, except for an insertion, the source row.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from .. import ast as A
from .. import hints
from ..dml import Write, _raise_dml, apply_writes, compile_changes, encode
from ..errors import N1QLError, duplicate_key
from ..evaluator import CTX, META, Compiler, Scope
from ..executor import JoinStep, Projector, Source
from ..indexes import meta_of
from ..planner import require_keyspace
from ..values import MISSING, to_json_value, truth
from . import runner, statement


class MergeAction(A.Node):
    """``kind`` UPDATE, DELETE or INSERT, with its clauses."""

    __slots__ = ("kind", "set", "unset", "set_for", "unset_for", "key", "value", "options",
                 "where")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.set: list[tuple[A.Node, A.Node]] = []
        self.unset: list[A.Node] = []
        self.set_for: dict[int, A.UpdateFor] = {}
        self.unset_for: dict[int, A.UpdateFor] = {}
        self.key: Optional[A.Node] = None
        self.value: Optional[A.Node] = None
        self.options: Optional[A.Node] = None
        self.where: Optional[A.Node] = None


class Merge(A.Node):
    """``target`` a KeyspaceTerm; ``source`` a KeyspaceTerm or ExprTerm; ``on_key``
    (lookup merge) or ``on`` (ANSI merge)."""

    __slots__ = ("target", "source", "on_key", "on", "actions", "limit", "returning")

    def __init__(self, target: A.KeyspaceTerm, source: Any) -> None:
        self.target = target
        self.source = source
        self.on_key: Optional[A.Node] = None
        self.on: Optional[A.Node] = None
        self.actions: list[MergeAction] = []
        self.limit: Optional[A.Node] = None
        self.returning: Optional[A.Returning] = None


# -- parsing ------------------------------------------------------------------


@statement("MERGE")
def parse_merge(p: Any) -> Merge:
    hint_at = p.i  # a hint comment follows MERGE (merge.adoc, Optimizer Hints)
    p.expect_kw("MERGE")
    p.expect_kw("INTO")
    ref = p.keyspace_ref()
    target = A.KeyspaceTerm(ref, p.alias() or ref.default_alias)
    if p.is_kw("USE") and not p.is_kw("INDEX", tok=p.peek()):
        raise p.error(p.peek())  # USE INDEX is the only hint the target takes
    p.use_clause(target)
    p.expect_kw("USING")
    stmt = Merge(target, p.from_term())
    p.expect_kw("ON")
    if p.accept_kw("PRIMARY"):
        p.expect_kw("KEY")
        stmt.on_key = p.expr()
    elif p.accept_kw("KEY"):
        stmt.on_key = p.expr()
    else:
        stmt.on = p.expr()
    seen = set()
    while p.accept_kw("WHEN"):
        at = p.tok
        matched = p.accept_kw("NOT") is None
        if not p.is_kw("MATCHED"):
            raise p.error()
        p.i += 1
        p.expect_kw("THEN")
        kind = p.expect_kw(*(("UPDATE", "DELETE") if matched else ("INSERT",)))
        if kind in seen:
            raise p.error(at)
        seen.add(kind)
        stmt.actions.append(_action(p, kind, stmt.on_key is not None))
    if not stmt.actions:
        raise p.error()
    if p.accept_kw("LIMIT"):
        stmt.limit = p.expr()
    stmt.returning = p.returning()
    hints.attach(p, hint_at, stmt)
    return stmt


def _action(p: Any, kind: str, lookup: bool) -> MergeAction:
    action = MergeAction(kind)
    if kind == "UPDATE":
        p.set_unset(action)
    elif kind == "INSERT" and lookup:
        action.value = p.expr()
    elif kind == "INSERT":
        p.expect_op("(")
        keyword = p.accept_kw("KEY") is not None  # KEY/VALUE/OPTIONS all or none
        action.key = p.expr()
        if p.accept_op(","):
            if keyword:
                p.expect_kw("VALUE")
            action.value = p.expr()
            if p.accept_op(","):
                if keyword:
                    if not p.is_kw("OPTIONS"):
                        raise p.error()
                    p.i += 1
                action.options = p.expr()
        p.expect_op(")")
    if p.accept_kw("WHERE"):
        action.where = p.expr()
    return action


# -- running ------------------------------------------------------------------


def _expiration_path(node: A.Node, alias: str) -> bool:
    """``meta(alias).expiration`` as a SET target."""
    return (isinstance(node, A.Field) and node.name == "expiration"
            and isinstance(node.base, A.Call) and node.base.name == "META"
            and (not node.base.args or (isinstance(node.base.args[0], A.Ident)
                                        and node.base.args[0].name == alias)))


class _Plan:
    def __init__(self, engine: Any, stmt: Merge) -> None:
        self.engine = engine
        self.stmt = stmt
        t = self.t = stmt.target.alias
        s = self.s = stmt.source.alias
        if s == t:
            raise N1QLError(3000, f"Duplicate alias {t} in MERGE: give the source another alias")
        self.path = require_keyspace(engine.datastore, stmt.target.ref)
        self.source = Source(engine, stmt.source, None, set(), Scope())
        src = Compiler(Scope({s}, s))
        both = Compiler(Scope({s, t}, t))
        self.key_fn = src.compile(stmt.on_key) if stmt.on_key is not None else None
        self.on_fn = None
        self.scan_all = False
        if stmt.on is not None:
            key_side = None
            for cond in _and_terms(stmt.on):
                key_side = JoinStep._meta_id_match(cond, t)
                if key_side is not None:
                    break
            if key_side is not None:
                self.key_fn = Compiler(Scope({s}, s)).compile(key_side)
            else:
                self.scan_all = True
                if not engine.catalog.of(self.path):
                    raise N1QLError(4330, f"No index available for ANSI merge term {t}")
            self.on_fn = both.compile(stmt.on)
        hints.merge_target(engine.catalog, stmt.target, self.path, self.scan_all)
        self.update: Optional[tuple] = None
        self.delete: Optional[tuple] = None
        self.insert: Optional[tuple] = None
        for a in stmt.actions:
            where = None
            if a.where is not None:
                where = (src if a.kind == "INSERT" else both).compile(a.where)
            if a.kind == "UPDATE":
                expiry = None
                for path, value in a.set:
                    if _expiration_path(path, t):
                        expiry = both.compile(value)
                changes = compile_changes(a, both, t, skip=lambda path: _expiration_path(path, t))
                self.update = (changes, expiry, where)
            elif a.kind == "DELETE":
                self.delete = (where,)
            else:
                self.insert = tuple(src.compile(x) if x is not None else None
                                    for x in (a.key, a.value, a.options)) + (where,)
        self.limit = Compiler(Scope()).compile(stmt.limit) if stmt.limit is not None else None
        self.projector = None
        if stmt.returning is not None:
            self.projector = Projector(stmt.returning.terms, stmt.returning.raw,
                                       Compiler(Scope({t, s}, t)), [t, s])

    def _matches(self, env: dict, cache: dict) -> list:
        """The target documents (value, meta) the source row ``env`` joins with."""
        fetch = self.engine.fetch
        if self.key_fn is not None:
            keys = self.key_fn(env)
            keys = keys if type(keys) is list else [keys]
            found = [g for g in (fetch(self.path, k) for k in keys if type(k) is str) if g]
        else:
            if "all" not in cache:
                cache["all"] = [fetch(self.path, r.key)
                                for r in self.engine.datastore.scan(self.path)]
            found = [g for g in cache["all"] if g is not None]
        if self.on_fn is None:
            return found
        out = []
        for value, meta in found:
            e = dict(env)
            e[self.t] = value
            e[META + self.t] = meta
            if truth(self.on_fn(e)):
                out.append((value, meta))
        return out

    def writes(self, ctx: Any) -> tuple[list[Write], list[dict]]:
        """The writes, and for each the environment RETURNING sees."""
        base = {CTX: ctx}
        limit = None
        if self.limit is not None:
            n = self.limit(base)
            if isinstance(n, (int, float)) and not isinstance(n, bool):
                limit = max(0, int(n))
        t = self.t
        writes: list[Write] = []
        envs: list[dict] = []
        touched: set = set()
        inserted: set = set()
        cache: dict = {}
        for count, env in enumerate(self.source.rows(base)):
            if limit is not None and count >= limit:
                break
            ctx.cancel.check()
            matches = self._matches(env, cache)
            for value, meta in matches:
                e = dict(env)
                e[t] = json.loads(encode(value))  # a copy to change
                e[META + t] = meta
                if self.delete is not None and (self.delete[0] is None
                                                or truth(self.delete[0](e))):
                    op = "remove"
                elif self.update is not None and (self.update[2] is None
                                                  or truth(self.update[2](e))):
                    changes, expiry_fn, _w = self.update
                    op = "replace"
                else:
                    continue
                key = meta["id"]
                if key in touched:
                    raise N1QLError(5320, f"Multiple UPDATE/DELETE of the same document "
                                          f"(document key '{key}') in a MERGE statement")
                touched.add(key)
                if op == "remove":
                    writes.append(Write("remove", key, cas=meta["cas"]))
                    envs.append(e)
                    continue
                doc = e[t]
                expiry = expiry_fn(e) if expiry_fn is not None else meta.get("expiration", 0)
                changes(e)
                exp = int(expiry) if isinstance(expiry, (int, float)) and not \
                    isinstance(expiry, bool) else 0
                writes.append(Write("replace", key, encode(doc), exp, meta["cas"],
                                    meta.get("flags", 0)))
                envs.append(e)
            if matches or self.insert is None:
                continue
            key_fn, value_fn, options_fn, where = self.insert
            if where is not None and not truth(where(env)):
                continue
            key = key_fn(env) if key_fn is not None else self.key_fn(env)  # type: ignore[misc]
            if type(key) is not str:
                raise N1QLError(5070, f"Cannot INSERT non-string key "
                                      f"{json.dumps(to_json_value(key))} of type "
                                      f"{type(key).__name__}.")
            if key in inserted:
                raise N1QLError(5330, f"Multiple INSERT of the same document (document key "
                                      f"'{key}') in a MERGE statement")
            inserted.add(key)
            value = value_fn(env) if value_fn is not None else {}
            if value is MISSING:
                continue
            options = options_fn(env) if options_fn is not None else None
            exp = options.get("expiration", 0) if type(options) is dict else 0
            exp = int(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else 0
            writes.append(Write("insert", key, encode(value), exp))
            envs.append({CTX: ctx, t: json.loads(encode(value))})
        return writes, envs


@runner(Merge, explain=lambda engine, stmt: _explain(engine, stmt))
def run_merge(engine: Any, stmt: Merge, ctx: Any) -> tuple[list, Any, int]:
    plan = _Plan(engine, stmt)
    writes, envs = plan.writes(ctx)
    done, failure = apply_writes(engine, ctx, plan.path, writes)
    if failure is not None and writes[len(done)].op == "insert":
        from ..datastore import DocumentExists

        if isinstance(failure, DocumentExists):
            raise duplicate_key(writes[len(done)].key)
    _raise_dml(failure, "merge", writes, done)
    results = []
    if plan.projector is not None:
        for rec, env in zip(done, envs):
            if rec is not None:  # written: meta as stored now
                env[META + plan.t] = meta_of(rec, env[plan.t])
            out = plan.projector.project(env)
            if out is not MISSING:
                results.append(out)
    return results, None, len(done)


def _and_terms(node: A.Node) -> list:
    from ..evaluator import flatten_op

    return flatten_op(node, "AND")


def _explain(engine: Any, stmt: Merge) -> dict:
    from ..explain import scan_operators

    plan = _Plan(engine, stmt)
    merge = {"#operator": "Merge", "as": plan.t, "keyspace": stmt.target.ref.path,
             "key": A.to_n1ql(stmt.on_key)} if stmt.on_key is not None else {
        "#operator": "Merge", "as": plan.t, "keyspace": stmt.target.ref.path,
        "on": A.to_n1ql(stmt.on)}
    ops = scan_operators(plan.source) + [merge]
    if stmt.limit is not None:
        ops.append({"#operator": "Limit", "expr": A.to_n1ql(stmt.limit)})
    return {"#operator": "Sequence", "~children": ops}
