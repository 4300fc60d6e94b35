"""INSERT, UPSERT, UPDATE and DELETE, with RETURNING.

Writes go through the :class:`~.datastore.Datastore`, so they are ordinary
document mutations (new CAS, change notifications that keep the indexes
current). UPDATE and DELETE pick their documents with the same access paths
as SELECT and write with the CAS they read, so a concurrent change makes the
statement fail (12009) rather than overwrite it.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from . import ast as A
from .datastore import JSON_FLAGS, CasMismatch, DocumentExists, DocumentNotFound
from .errors import E_DML, N1QLError, duplicate_key
from .evaluator import CTX, META, Compiler, Scope
from .executor import Projector, SelectPlan, Source
from .indexes import meta_of
from .planner import require_keyspace
from .values import MISSING, to_json_value, truth

ROW = "\x00row"


def encode(value: Any) -> bytes:
    return json.dumps(to_json_value(value), separators=(",", ":"), ensure_ascii=False).encode()


def _returning(stmt: Any, alias: str) -> Optional[Projector]:
    if stmt.returning is None:
        return None
    compiler = Compiler(Scope({alias}, alias))
    return Projector(stmt.returning.terms, stmt.returning.raw, compiler, [alias])


def _expiry(options: Any) -> int:
    if type(options) is dict:
        exp = options.get("expiration")
        if isinstance(exp, (int, float)) and not isinstance(exp, bool):
            return int(exp)
    return 0


def run_insert(engine: Any, stmt: A.Insert, ctx: Any) -> tuple[list, int]:
    path = require_keyspace(engine.datastore, stmt.ref)
    verb = "UPSERT" if stmt.upsert else "INSERT"
    base = {CTX: ctx}
    triples: list[tuple[Any, Any, Any]] = []
    if stmt.query is None:
        c = Compiler(Scope())
        for k, v, o in stmt.values:
            triples.append((c.compile(k)(base), c.compile(v)(base),
                            c.compile(o)(base) if o is not None else None))
    else:
        rows = SelectPlan(engine, stmt.query).run(base)
        c = Compiler(Scope({ROW}, ROW))
        kf = c.compile(stmt.key_expr) if stmt.key_expr is not None else None
        vf = c.compile(stmt.value_expr) if stmt.value_expr is not None else None
        of = c.compile(stmt.options_expr) if stmt.options_expr is not None else None
        for r in rows:
            env = {CTX: ctx, ROW: r}
            triples.append((kf(env) if kf else MISSING, vf(env) if vf else r,
                            of(env) if of else None))
    projector = _returning(stmt, stmt.alias)
    results = []
    count = 0
    for key, value, options in triples:
        if type(key) is not str:
            raise N1QLError(5070 if not stmt.upsert else 5078,
                            f"Cannot {verb} non-string key {json.dumps(to_json_value(key))} "
                            f"of type {type(key).__name__}.")
        if value is MISSING:
            continue
        data = encode(value)
        try:
            if stmt.upsert:
                rec = engine.datastore.upsert(path, key, data, JSON_FLAGS, _expiry(options))
            else:
                rec = engine.datastore.insert(path, key, data, JSON_FLAGS, _expiry(options))
        except DocumentExists:
            raise duplicate_key(key) from None
        count += 1
        if projector is not None:
            stored = json.loads(data)
            env = {CTX: ctx, stmt.alias: stored, META + stmt.alias: meta_of(rec, stored)}
            out = projector.project(env)
            if out is not MISSING:
                results.append(out)
    return results, count


def _targets(engine: Any, term: A.KeyspaceTerm, where: Optional[A.Node],
             limit: Optional[A.Node], ctx: Any) -> tuple[tuple, list]:
    path = require_keyspace(engine.datastore, term.ref)
    scope = Scope({term.alias}, term.alias)
    source = Source(engine, term, where, set(), Scope())
    cond = Compiler(scope).compile(where) if where is not None else None
    n = None
    if limit is not None:
        n = Compiler(Scope()).compile(limit)({CTX: ctx})
        n = int(n) if isinstance(n, (int, float)) and not isinstance(n, bool) else None
    out = []
    for env in source.rows({CTX: ctx}):
        if cond is None or truth(cond(env)):
            out.append(env)
            if n is not None and len(out) >= n:
                break
    return path, out


def _steps(path_node: A.Node, alias: str) -> list:
    """The field names / indexes leading from the document to the target."""
    steps: list = []
    node = path_node
    while True:
        if isinstance(node, A.Field):
            steps.append(node.name)
            node = node.base
        elif isinstance(node, A.Element):
            if not isinstance(node.index, A.Literal):
                raise N1QLError(3000, "SET and UNSET paths take constant array indexes")
            steps.append(node.index.value)
            node = node.base
        elif isinstance(node, A.Ident):
            if node.name != alias:
                steps.append(node.name)
            break
        else:
            raise N1QLError(3000, f"Invalid path {A.to_n1ql(path_node)} in SET or UNSET")
    steps.reverse()
    if not steps:
        raise N1QLError(5100, "Cannot SET or UNSET the whole document.")
    return steps


def _assign(doc: Any, steps: list, value: Any, unset: bool) -> None:
    target = doc
    for step in steps[:-1]:
        if type(target) is dict and isinstance(step, str):
            nxt = target.get(step)
            if type(nxt) not in (dict, list):
                if unset:
                    return
                nxt = target[step] = {}
            target = nxt
        elif type(target) is list and isinstance(step, int) and -len(target) <= step < len(target):
            target = target[step]
        else:
            return
    last = steps[-1]
    if type(target) is dict and isinstance(last, str):
        if unset or value is MISSING:
            target.pop(last, None)
        else:
            target[last] = value
    elif type(target) is list and isinstance(last, int) and -len(target) <= last < len(target):
        if not unset:
            target[last] = None if value is MISSING else value


def run_update(engine: Any, stmt: A.Update, ctx: Any) -> tuple[list, int]:
    term = stmt.term
    alias = term.alias
    path, rows = _targets(engine, term, stmt.where, stmt.limit, ctx)
    compiler = Compiler(Scope({alias}, alias))
    sets = [(_steps(p, alias), compiler.compile(e)) for p, e in stmt.set]
    unsets = [_steps(p, alias) for p in stmt.unset]
    projector = _returning(stmt, alias)
    results = []
    for env in rows:
        doc = env[alias]
        meta = env[META + alias]
        if type(doc) is not dict:
            continue
        values = [(steps, fn(env)) for steps, fn in sets]
        for steps, value in values:
            _assign(doc, steps, value, False)
        for steps in unsets:
            _assign(doc, steps, None, True)
        try:
            rec = engine.datastore.replace(path, meta["id"], encode(doc), meta["flags"],
                                           meta["expiration"], meta["cas"])
        except (CasMismatch, DocumentNotFound):
            raise N1QLError(E_DML, "DML Error, possible causes include CAS mismatch or "
                                   f"concurrent modification Failed to perform update on key "
                                   f"{meta['id']}") from None
        if projector is not None:
            new_env = {CTX: ctx, alias: doc, META + alias: meta_of(rec, doc)}
            out = projector.project(new_env)
            if out is not MISSING:
                results.append(out)
    return results, len(rows)


def run_delete(engine: Any, stmt: A.Delete, ctx: Any) -> tuple[list, int]:
    term = stmt.term
    alias = term.alias
    path, rows = _targets(engine, term, stmt.where, stmt.limit, ctx)
    projector = _returning(stmt, alias)
    results = []
    for env in rows:
        meta = env[META + alias]
        try:
            engine.datastore.remove(path, meta["id"], meta["cas"])
        except (CasMismatch, DocumentNotFound):
            raise N1QLError(E_DML, "DML Error, possible causes include CAS mismatch or "
                                   f"concurrent modification Failed to perform delete on key "
                                   f"{meta['id']}") from None
        if projector is not None:
            out = projector.project(env)
            if out is not MISSING:
                results.append(out)
    return results, len(rows)
