"""CREATE/DROP SCOPE and CREATE/DROP COLLECTION.

Syntax (createscope.adoc, dropscope.adoc, createcollection.adoc,
dropcollection.adoc)::

    CREATE SCOPE [namespace:]bucket.scope [IF NOT EXISTS]
    DROP SCOPE [namespace:]bucket.scope [IF EXISTS]
    CREATE COLLECTION [[namespace:]bucket.scope.]collection [IF NOT EXISTS] [WITH {...}]
    DROP COLLECTION [[namespace:]bucket.scope.]collection [IF EXISTS]

A collection named by one word is one of the query_context's scope (the query
service rewrites its :class:`~..ast.KeyspaceRef` as for any keyspace); with
no such context it is an error. The change goes to the datastore's
``create_scope`` / ``drop_scope`` / ``add_collection`` / ``drop_collection``:
on the local cluster that is the bucket's collections manifest, the one the KV
service and the management REST API use, so the SDK sees a new collection at
once. Dropping a scope or collection drops its indexes.

Errors: an unknown bucket is 12003; a scope that exists 12025, a missing one
12026 (drop) or 12021 (creating a collection in it); a collection that exists
12027, a missing one 12028; a name the server refuses 12025/12027 with its
reason.
"""

from __future__ import annotations

from typing import Any, Optional

from ... import manifest
from ...names import collection_name_error
from .. import ast as A
from ..errors import N1QLError, keyspace_not_found
from ..evaluator import CTX, Compiler, Scope
from . import runner, statement


class ScopeStatement(A.Node):
    """``verb`` CREATE/DROP, ``kind`` SCOPE/COLLECTION; ``ref`` holds the path
    (for a scope ``collection`` is ``None``); ``if_flag`` is IF [NOT] EXISTS."""

    __slots__ = ("verb", "kind", "ref", "if_flag", "with_")

    def __init__(self, verb: str, kind: str, ref: A.KeyspaceRef, if_flag: bool,
                 with_: Optional[A.Node] = None) -> None:
        self.verb = verb
        self.kind = kind
        self.ref = ref
        self.if_flag = if_flag
        self.with_ = with_


def _path(p: Any, kind: str) -> A.KeyspaceRef:
    """A scope is ``bucket.scope``; a collection ``bucket.scope.coll`` or one name
    (resolved through the query context)."""
    return p.object_path((2,) if kind == "SCOPE" else (1, 3))


def _parse(p: Any) -> ScopeStatement:
    verb = p.expect_kw("CREATE", "DROP")
    kind = p.tok.text.upper()
    p.i += 1
    ref = _path(p, kind)
    if_flag = False
    if p.is_kw("IF"):
        p.i += 1
        if verb == "CREATE":
            p.expect_kw("NOT")
        p.expect_kw("EXISTS")
        if_flag = True
    with_ = None
    if verb == "CREATE" and kind == "COLLECTION" and p.accept_kw("WITH"):
        with_ = p.expr()
    return ScopeStatement(verb, kind, ref, if_flag, with_)


statement("CREATE", "SCOPE")(_parse)
statement("DROP", "SCOPE")(_parse)
statement("CREATE", "COLLECTION")(_parse)
statement("DROP", "COLLECTION")(_parse)


def _fail(code: int, what: str, path: str, cause: str) -> N1QLError:
    return N1QLError(code, f"Error while {what} {path} - cause: {cause}")


@runner(ScopeStatement)
def run(engine: Any, stmt: ScopeStatement, ctx: Any) -> tuple:
    ref = stmt.ref
    if ref.namespace != "default":
        raise N1QLError(12002, f"Namespace not found in CB datastore: {ref.namespace}")
    if stmt.kind == "COLLECTION" and ref.collection is None:
        raise N1QLError(3000, f"{stmt.verb} COLLECTION {ref.bucket}: a collection name alone "
                              "needs a query_context naming its bucket and scope")
    store = engine.datastore
    if not hasattr(store, "create_scope"):
        raise N1QLError(5000, "This datastore cannot change scopes and collections")
    bucket, scope = ref.bucket, ref.scope or ""
    coll = ref.collection or ""
    scope_path = f"default:{bucket}.{scope}"
    full = f"{scope_path}.{coll}" if coll else scope_path
    creating = stmt.verb == "CREATE"
    what = ("creating " if creating else "dropping ") + stmt.kind.lower()
    code = {("CREATE", "SCOPE"): 12025, ("DROP", "SCOPE"): 12026,
            ("CREATE", "COLLECTION"): 12027, ("DROP", "COLLECTION"): 12028}[
        (stmt.verb, stmt.kind)]
    if creating:
        if stmt.with_ is not None:  # maxTTL and history are the REST API's business here
            Compiler(Scope()).compile(stmt.with_)({CTX: ctx})
        reason = collection_name_error(coll or scope)
        if reason is not None:
            raise _fail(code, what, full, reason)
    dropped: list = []
    try:
        if stmt.kind == "SCOPE":
            if creating:
                store.create_scope(bucket, scope)
            else:
                dropped = [p for p in store.keyspaces() if p[:2] == (bucket, scope)]
                store.drop_scope(bucket, scope)
        elif creating:
            store.add_collection(bucket, scope, coll)
        else:
            store.drop_collection(bucket, scope, coll)
            dropped = [(bucket, scope, coll)]
    except KeyError:
        raise keyspace_not_found(f"default:{bucket}", bucket, False) from None
    except manifest.ManifestError as exc:
        if exc.reason == manifest.EXISTS and stmt.if_flag:
            return [], None, None
        if exc.reason == manifest.MISSING and not creating and stmt.if_flag:
            return [], None, None
        raise _refused(exc, stmt, code, what, full, scope_path) from None
    for path in dropped:
        _forget_indexes(engine, path)
    return [], None, None


def _refused(exc: manifest.ManifestError, stmt: ScopeStatement, code: int, what: str,
             full: str, scope_path: str) -> N1QLError:
    ref = stmt.ref
    if exc.reason == manifest.FORBIDDEN:
        return _fail(code, what, full, "Deleting _default scope is not allowed")
    if exc.kind == "scope":
        if exc.reason == manifest.EXISTS:
            return _fail(code, what, full, f'Scope with name "{ref.scope}" already exists')
        if stmt.kind == "COLLECTION":
            return N1QLError(12021, f"Scope not found in CB datastore {scope_path}")
        return _fail(code, what, full, f'Scope with name "{ref.scope}" is not found')
    where = f'Collection with name "{ref.collection}" in scope "{ref.scope}"'
    if exc.reason == manifest.EXISTS:
        return _fail(code, what, full, f"{where} already exists")
    return _fail(code, what, full, f"{where} is not found")


def _forget_indexes(engine: Any, path: tuple) -> None:
    def forget() -> None:
        for index in list(engine.catalog.of(path)):
            engine.catalog.drop(path, index.name)

    engine.on_loop(forget)
