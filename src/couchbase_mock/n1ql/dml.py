"""INSERT, UPSERT, UPDATE and DELETE, with RETURNING.

Writes go through the :class:`~.datastore.Datastore`, so they are ordinary
document mutations (new CAS, change notifications that keep the indexes
current). UPDATE and DELETE pick their documents with the same access paths
as SELECT and write with the CAS they read, so a concurrent change makes the
statement fail (12009) rather than overwrite it.

A statement first works out all its writes (on the request's thread), then
applies them in order on the writer thread (:attr:`~.engine.QueryEngine.on_loop`),
:data:`WRITE_BATCH` at a time, stopping at the first that fails; the writes
before it stay, as on the server. A request stopped meanwhile (its timeout)
writes nothing more.
"""

from __future__ import annotations

import json
from typing import Any, Callable, NamedTuple, Optional

from . import ast as A
from .datastore import (
    JSON_FLAGS,
    CasMismatch,
    DatastoreError,
    DocRecord,
    DocumentExists,
    DocumentNotFound,
    Path,
)
from .errors import E_DML, N1QLError, duplicate_key
from .evaluator import CTX, META, Compiler, Scope
from .executor import Projector, SelectPlan, Source
from .indexes import meta_of
from .planner import require_keyspace
from .update_for import compile_update_fors
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


WRITE_BATCH = 256
"""Writes applied per hop onto the writer thread (a few milliseconds of its time)."""


class Write(NamedTuple):
    """One document write: ``op`` is a :class:`~.datastore.Datastore` method name."""

    op: str
    key: str
    data: bytes = b""
    expiry: int = 0
    cas: int = 0
    flags: int = JSON_FLAGS


def _apply(datastore: Any, path: Path, batch: list[Write], cancel: Any
           ) -> tuple[list[Optional[DocRecord]], Optional[DatastoreError]]:
    """Runs on the writer thread: the writes in order, until one fails."""
    done: list[Optional[DocRecord]] = []
    for w in batch:
        cancel.check()
        try:
            if w.op == "remove":
                datastore.remove(path, w.key, w.cas)
                done.append(None)
            elif w.op == "replace":
                done.append(datastore.replace(path, w.key, w.data, w.flags, w.expiry, w.cas))
            else:
                done.append(getattr(datastore, w.op)(path, w.key, w.data, w.flags, w.expiry))
        except DatastoreError as exc:
            return done, exc
    return done, None


def apply_writes(engine: Any, ctx: Any, path: Path, writes: list[Write]
                 ) -> tuple[list[Optional[DocRecord]], Optional[DatastoreError]]:
    """Apply ``writes`` in order on the writer thread: the records written
    (``None`` for a removal) and the error that stopped them, if any."""
    done: list[Optional[DocRecord]] = []
    for start in range(0, len(writes), WRITE_BATCH):
        batch = writes[start:start + WRITE_BATCH]
        ctx.cancel.check()
        recs, failure = engine.on_loop(
            lambda batch=batch: _apply(engine.datastore, path, batch, ctx.cancel))
        done.extend(recs)
        if failure is not None:
            return done, failure
    return done, None


def run_insert(engine: Any, stmt: A.Insert, ctx: Any) -> tuple[list, int]:
    path = require_keyspace(engine.datastore, stmt.ref)
    verb = "UPSERT" if stmt.upsert else "INSERT"
    base = {CTX: ctx}
    triples: list[tuple[Any, Any, Any]] = []
    if stmt.query is None:
        c = Compiler(Scope())
        for k, v, o in stmt.values:  # key and value apart: each takes its own NEXTVAL
            triples.append((c.compile(k)(dict(base)), c.compile(v)(dict(base)),
                            c.compile(o)(dict(base)) if o is not None else None))
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
    writes: list[Write] = []
    bad_key: Optional[N1QLError] = None
    op = "upsert" if stmt.upsert else "insert"
    for key, value, options in triples:
        if type(key) is not str:  # the writes before it are made, as on the server
            bad_key = N1QLError(5070 if not stmt.upsert else 5078,
                                f"Cannot {verb} non-string key "
                                f"{json.dumps(to_json_value(key))} of type {type(key).__name__}.")
            break
        if value is not MISSING:
            writes.append(Write(op, key, encode(value), _expiry(options)))
    done, failure = apply_writes(engine, ctx, path, writes)
    if isinstance(failure, DocumentExists):
        raise duplicate_key(writes[len(done)].key)
    if failure is not None:
        raise failure  # reported as the engine reports any other failure
    if bad_key is not None:
        raise bad_key
    results = []
    if projector is not None:
        for w, rec in zip(writes, done):
            assert rec is not None
            stored = json.loads(w.data)
            env = {CTX: ctx, stmt.alias: stored, META + stmt.alias: meta_of(rec, stored)}
            out = projector.project(env)
            if out is not MISSING:
                results.append(out)
    return results, len(done)


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


def compile_changes(target: Any, compiler: Compiler, alias: str,
                    skip: Optional[Callable[[A.Node], bool]] = None) -> Callable[[dict], None]:
    """The SET/UNSET paths of ``target`` (an UPDATE, or a MERGE's update action)
    compiled: ``apply(env)`` changes the document ``env[alias]`` in place, every
    SET value read before any path changes. ``skip(path)``: SET paths the caller
    handles itself (MERGE's ``meta().expiration``)."""
    sets = [(_steps(p, alias), compiler.compile(e)) for i, (p, e) in enumerate(target.set)
            if i not in target.set_for and not (skip is not None and skip(p))]
    unsets = [_steps(p, alias) for i, p in enumerate(target.unset) if i not in target.unset_for]
    looped = compile_update_fors(target, alias, compiler, _steps)  # SET/UNSET ... FOR ... END

    def apply(env: dict) -> None:
        doc = env[alias]
        values = [(steps, fn(env)) for steps, fn in sets]
        for steps, value in values:
            _assign(doc, steps, value, False)
        for steps in unsets:
            _assign(doc, steps, None, True)
        for apply_for in looped:
            apply_for(env, _assign)

    return apply


def run_update(engine: Any, stmt: A.Update, ctx: Any) -> tuple[list, int]:
    term = stmt.term
    alias = term.alias
    path, rows = _targets(engine, term, stmt.where, stmt.limit, ctx)
    changes = compile_changes(stmt, Compiler(Scope({alias}, alias)), alias)
    projector = _returning(stmt, alias)
    updated = []
    writes: list[Write] = []
    for env in rows:
        doc = env[alias]
        meta = env[META + alias]
        if type(doc) is not dict:
            continue
        changes(env)
        updated.append(doc)
        writes.append(Write("replace", meta["id"], encode(doc), meta["expiration"],
                            meta["cas"], meta["flags"]))
    done, failure = apply_writes(engine, ctx, path, writes)
    _raise_dml(failure, "update", writes, done)
    results = []
    if projector is not None:
        for doc, rec in zip(updated, done):
            assert rec is not None
            new_env = {CTX: ctx, alias: doc, META + alias: meta_of(rec, doc)}
            out = projector.project(new_env)
            if out is not MISSING:
                results.append(out)
    return results, len(rows)


def _raise_dml(failure: Optional[DatastoreError], verb: str, writes: list[Write],
               done: list) -> None:
    if isinstance(failure, (CasMismatch, DocumentNotFound)):
        raise N1QLError(E_DML, "DML Error, possible causes include CAS mismatch or "
                               f"concurrent modification Failed to perform {verb} on key "
                               f"{writes[len(done)].key}")
    if failure is not None:
        raise failure


def run_delete(engine: Any, stmt: A.Delete, ctx: Any) -> tuple[list, int]:
    term = stmt.term
    alias = term.alias
    path, rows = _targets(engine, term, stmt.where, stmt.limit, ctx)
    projector = _returning(stmt, alias)
    writes = [Write("remove", env[META + alias]["id"], cas=env[META + alias]["cas"])
              for env in rows]
    done, failure = apply_writes(engine, ctx, path, writes)
    _raise_dml(failure, "delete", writes, done)
    results = []
    if projector is not None:
        for env in rows:
            out = projector.project(env)
            if out is not MISSING:
                results.append(out)
    return results, len(rows)
