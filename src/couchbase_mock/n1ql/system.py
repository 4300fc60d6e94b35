"""The ``system`` namespace: catalogs of data containers, monitoring and security.

Each keyspace is a row source registered with :func:`keyspace`:
``rows(engine, ctx) -> [(key, row), ...]`` (the key is ``META().id``). The
fields are those the reference lists (n1ql-intro/sysinfo, "Get System
Information"; n1ql-manage/monitoring-n1ql-query for the monitoring catalogs).

What a user sees (sysinfo, "Authentication and Client Privileges"):
``system:dual``, ``system:datastores`` and ``system:namespaces`` are open to
everyone; elsewhere a user sees only the buckets, scopes, collections and
indexes it may read (``ctx.may_read``), its own requests and user record, and
the prepared statements over keyspaces it may read. ``ctx.may_read`` ``None``
is the administrator (or the engine's own caller): everything.

``DELETE FROM system:completed_requests`` / ``system:prepareds`` forget rows,
``DELETE FROM system:active_requests`` stops the requests (monitoring page,
"Purge the Completed Requests", "Delete Prepared Statements", "Terminate an
Active Request"). Other engines' statements add keyspaces the same way
(``system:functions`` is empty until user-defined functions register theirs:
call :func:`keyspace` with ``replace=True``).

Users and nodes come from :attr:`QueryEngine.directory` (a :class:`Directory`;
the local cluster sets one that reads its RBAC users and its nodes).
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Iterator, Optional

from . import ast as A
from .errors import N1QLError
from .monitor import RequestRecord

Rows = Iterable[tuple[str, dict]]
RowSource = Callable[[Any, Any], Rows]

KEYSPACES: dict[str, RowSource] = {}
DELETERS: dict[str, Callable[[Any, list[str]], None]] = {}
OPEN = frozenset({"dual", "datastores", "namespaces"})
ADMIN = "Administrator"


def keyspace(name: str, replace: bool = False) -> Callable[[RowSource], RowSource]:
    """Register the decorated row source as ``system:<name>``."""

    def deco(fn: RowSource) -> RowSource:
        if name in KEYSPACES and not replace:
            raise ValueError(f"system:{name} is registered twice")
        KEYSPACES[name] = fn
        return fn

    return deco


def not_found(path: str) -> N1QLError:
    return N1QLError(12003, f"Keyspace not found in CB datastore: {path}")


def check(ref: A.KeyspaceRef) -> str:
    """The name of a ``system:`` keyspace (12003 if there is none such)."""
    if ref.bucket not in KEYSPACES or ref.scope:
        raise not_found(ref.path)
    return ref.bucket


def scan(engine: Any, name: str, ctx: Any) -> Rows:
    """``(key, row)`` of every row of ``system:<name>`` the request may see."""
    return KEYSPACES[name](engine, ctx)


class Directory:
    """Users and nodes as the engine's host knows them; this default knows the
    administrator and one node at the datastore's address."""

    def __init__(self, node: str = "127.0.0.1:8091") -> None:
        self.node = node

    def users(self) -> list[dict[str, Any]]:
        """Every user, as ``system:user_info`` shows it."""
        return [{"domain": "builtin", "id": ADMIN, "name": ADMIN, "roles": [{"role": "admin"}]}]

    def user(self, name: str) -> Optional[dict[str, Any]]:
        return next((u for u in self.users() if u["id"] == name), None)

    def nodes(self) -> list[dict[str, Any]]:
        return [{"name": self.node, "ports": {"n1ql": 8093}, "services": ["n1ql"]}]


def _directory(engine: Any) -> Directory:
    directory = getattr(engine, "directory", None)
    return directory if directory is not None else Directory(_host(engine))


def _host(engine: Any) -> str:
    return engine.datastore_id.split("://", 1)[-1]


def _admin(ctx: Any) -> bool:
    return ctx is None or ctx.may_read is None


def _readable(ctx: Any, bucket: str) -> bool:
    return _admin(ctx) or ctx.may_read(bucket)


# -- data containers ------------------------------------------------------------------


@keyspace("dual")
def _dual(engine: Any, ctx: Any) -> Rows:
    return [("", {})]


@keyspace("datastores")
def _datastores(engine: Any, ctx: Any) -> Rows:
    return [(engine.datastore_id, {"id": engine.datastore_id, "url": engine.datastore_id})]


@keyspace("namespaces")
def _namespaces(engine: Any, ctx: Any) -> Rows:
    return [("default", {"datastore_id": engine.datastore_id, "id": "default",
                         "name": "default"})]


@keyspace("buckets")
def _buckets(engine: Any, ctx: Any) -> Rows:
    return [(b, {"datastore_id": engine.datastore_id, "name": b, "namespace": "default",
                 "namespace_id": "default", "path": f"default:{b}"})
            for b in engine.datastore.buckets() if _readable(ctx, b)]


def _scope_rows(engine: Any, ctx: Any, named_only: bool) -> Rows:
    seen = sorted({(b, s) for b, s, _ in engine.datastore.keyspaces()})
    return [(f"{b}.{s}", {"bucket": b, "datastore_id": engine.datastore_id, "name": s,
                          "namespace": "default", "namespace_id": "default",
                          "path": f"default:{b}.{s}"})
            for b, s in seen if _readable(ctx, b) and not (named_only and s == "_default")]


@keyspace("scopes")
def _scopes(engine: Any, ctx: Any) -> Rows:
    """Named scopes only (sysinfo, "Query Scopes")."""
    return _scope_rows(engine, ctx, named_only=True)


@keyspace("all_scopes")
def _all_scopes(engine: Any, ctx: Any) -> Rows:
    return _scope_rows(engine, ctx, named_only=False)


@keyspace("keyspaces")
def _keyspaces(engine: Any, ctx: Any) -> Rows:
    """A bucket's default collection shows as the bucket; named collections with
    their bucket and scope (sysinfo, "Query Collections")."""
    ds_id = engine.datastore_id
    rows = []
    for bucket, scope, coll in engine.datastore.keyspaces():
        if not _readable(ctx, bucket):
            continue
        if (scope, coll) == ("_default", "_default"):
            rows.append((bucket, {"datastore_id": ds_id, "id": bucket, "name": bucket,
                                  "namespace": "default", "namespace_id": "default",
                                  "path": f"default:{bucket}"}))
        else:
            rows.append((f"{bucket}.{scope}.{coll}", {
                "bucket": bucket, "datastore_id": ds_id, "id": coll, "name": coll,
                "namespace": "default", "namespace_id": "default",
                "path": f"default:{bucket}.{scope}.{coll}", "scope": scope}))
    return rows


KEYSPACES["all_keyspaces"] = _keyspaces  # the mock has no system collections


@keyspace("indexes")
def _indexes(engine: Any, ctx: Any) -> Rows:
    return [(ix.id, ix.system_row(engine.datastore_id)) for ix in engine.catalog.all()
            if _readable(ctx, ix.path[0])]


KEYSPACES["all_indexes"] = _indexes


# -- monitoring -----------------------------------------------------------------------


def _visible(ctx: Any, record: RequestRecord) -> bool:
    return _admin(ctx) or record.user == ctx.user


@keyspace("active_requests")
def _active_requests(engine: Any, ctx: Any) -> Rows:
    now = time.perf_counter()
    return [(r.request_id, r.row(now)) for r in engine.monitor.active_records()
            if _visible(ctx, r)]


@keyspace("completed_requests")
def _completed_requests(engine: Any, ctx: Any) -> Rows:
    return [(r.request_id, r.row()) for r in engine.monitor.completed_records()
            if _visible(ctx, r)]


def _prepared_keyspaces_readable(ctx: Any, stmt: A.Node) -> bool:
    if _admin(ctx):
        return True
    stack = [stmt]
    while stack:
        n = stack.pop()
        if isinstance(n, A.KeyspaceRef) and n.namespace != "system" \
                and not ctx.may_read(n.bucket):
            return False
        if isinstance(n, A.Subquery):
            stack.append(n.query)
        if isinstance(n, A.Node):
            stack.extend(n.children())
    return True


@keyspace("prepareds")
def _prepareds(engine: Any, ctx: Any) -> Rows:
    """Fields of the monitoring page's "Prepared Statement Details"; ``lastUse``
    once the statement ran."""
    rows = []
    uses = dict(engine.monitor.prepared)
    node = _host(engine)
    for name, (stmt, text) in list(engine.prepared.items()):
        if not _prepared_keyspaces_readable(ctx, stmt):
            continue
        use = uses.get(name)
        row: dict[str, Any] = {
            "encoded_plan": use.encoded_plan if use is not None else "",
            "featuresControl": 76, "indexApiVersion": 4, "name": name,
            "namespace": "default", "node": node, "statement": text,
            "uses": use.uses if use is not None else 0,
        }
        if use is not None and use.last is not None:
            row["lastUse"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(use.last)) \
                + f".{int(use.last * 1e9) % 1_000_000_000:09d} +0000 UTC"
        rows.append((name, dict(sorted(row.items()))))
    return rows


@keyspace("vitals")
def _vitals(engine: Any, ctx: Any) -> Rows:
    mon = engine.monitor
    return [(_host(engine), {
        "cores": 1, "local.time": time.strftime("%Y-%m-%d %H:%M:%S +0000 UTC", time.gmtime()),
        "node": _host(engine), "request.active.count": len(mon.active_records()),
        "request.completed.count": mon.completed_count, "version": "7.6.2-N1QL"})]


def _empty(engine: Any, ctx: Any) -> Rows:
    return []


for _name in ("functions", "functions_cache", "tasks_cache", "transactions", "sequences",
              "all_sequences", "dictionary", "dictionary_cache", "group_info",
              "completed_requests_history", "aus", "aus_settings"):
    KEYSPACES[_name] = _empty


# -- security -------------------------------------------------------------------------


def _me(ctx: Any) -> str:
    return ctx.user if ctx is not None and ctx.user else ADMIN


@keyspace("my_user_info")
def _my_user_info(engine: Any, ctx: Any) -> Rows:
    me = _directory(engine).user(_me(ctx))
    return [(f"{me['domain']}:{me['id']}", me)] if me is not None else []


@keyspace("user_info")
def _user_info(engine: Any, ctx: Any) -> Rows:
    directory = _directory(engine)
    if _admin(ctx):
        users = directory.users()
    else:
        me = directory.user(_me(ctx))
        users = [me] if me is not None else []
    return [(f"{u['domain']}:{u['id']}", u) for u in users]


@keyspace("applicable_roles")
def _applicable_roles(engine: Any, ctx: Any) -> Rows:
    """One row per user and role: ``grantee``, ``role`` and the role's bucket
    (sysinfo, "Monitor Applicable Roles")."""
    rows = []
    for key, user in _user_info(engine, ctx):
        for role in user.get("roles", []):
            row = {"grantee": user["id"], "role": role["role"]}
            if "bucket_name" in role:
                row["bucket_name"] = role["bucket_name"]
            rows.append((f"{key}:{role['role']}:{role.get('bucket_name', '')}",
                         dict(sorted(row.items()))))
    return rows


@keyspace("nodes")
def _nodes(engine: Any, ctx: Any) -> Rows:
    return [(n["name"], n) for n in _directory(engine).nodes()]


# -- DELETE ---------------------------------------------------------------------------


def _forget_completed(engine: Any, keys: list[str]) -> None:
    engine.monitor.forget_completed(keys)


def _forget_prepared(engine: Any, keys: list[str]) -> None:
    for name in keys:
        engine.prepared.pop(name, None)
        engine.monitor.prepared_forgotten(name)


def _stop_active(engine: Any, keys: list[str]) -> None:
    wanted = set(keys)
    for record in engine.monitor.active_records():
        if record.request_id in wanted and record.cancel is not None:
            record.cancel.stop(N1QLError(5000, "Request cancelled"))


DELETERS.update({"completed_requests": _forget_completed, "prepareds": _forget_prepared,
                 "active_requests": _stop_active})


def run_delete(engine: Any, stmt: A.Delete, ctx: Any) -> tuple[list, Any, int]:
    """``DELETE FROM system:...``: only the monitoring catalogs allow it."""
    from .dml import _returning
    from .evaluator import CTX, META, Compiler, Scope
    from .executor import Source
    from .values import MISSING, truth

    term = stmt.term
    name = check(term.ref)
    deleter = DELETERS.get(name)
    if deleter is None:
        raise N1QLError(11003, f"System datastore : Not implemented {term.ref.path}")
    alias = term.alias
    source = Source(engine, term, stmt.where, set(), Scope())
    cond = Compiler(Scope({alias}, alias)).compile(stmt.where) \
        if stmt.where is not None else None
    limit = None
    if stmt.limit is not None:
        n = Compiler(Scope()).compile(stmt.limit)({CTX: ctx})
        limit = int(n) if type(n) in (int, float) else None
    chosen: list[dict] = []
    for env in source.rows({CTX: ctx}):
        if limit is not None and len(chosen) >= limit:
            break
        if cond is None or truth(cond(env)):
            chosen.append(env)
    deleter(engine, [env[META + alias]["id"] for env in chosen])
    results = []
    projector = _returning(stmt, alias)
    if projector is not None:
        for env in chosen:
            out = projector.project(env)
            if out is not MISSING:
                results.append(out)
    return results, None, len(chosen)


def rows_with_keys(engine: Any, name: str, ctx: Any, keys: Optional[list]) -> Iterator[tuple]:
    """The rows of ``system:<name>``, only those whose key is in ``keys`` if given."""
    wanted = None if keys is None else {k for k in keys if type(k) is str}
    for key, row in scan(engine, name, ctx):
        if wanted is None or key in wanted:
            yield key, row
