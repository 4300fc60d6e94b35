"""The query engine: statements in, rows out, over a :class:`~.datastore.Datastore`.

>>> from couchbase_mock.n1ql import MemoryDatastore, QueryEngine
>>> ds = MemoryDatastore(); ds.create_bucket("b")
>>> q = QueryEngine(ds)
>>> q.query('INSERT INTO b (KEY, VALUE) VALUES ("k", {"n": 1})').metrics["mutationCount"]
1
>>> q.query("SELECT RAW n FROM b USE KEYS 'k'").results
[1]

The engine keeps its index catalog current from the datastore's change
notifications, so an index always reflects every write (``request_plus``
and ``not_bounded`` both see all writes made before the request).

Threads: a request may run on any thread, while the documents (and so the
indexes, which follow every change) change on one "writer" thread. Whatever
touches that state beyond one lookup goes through :attr:`QueryEngine.on_loop`,
which runs a call on the writer thread and returns its result: index scans,
index definitions and builds, and every document write (see :mod:`.dml`).
By default it just calls (a single-threaded engine, as in the unit tests);
the local cluster sets it to hop onto its event loop.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections import Counter
from typing import Any, Callable, Optional, TypeVar

from . import ast as A
from .cancel import Cancel
from .contexts import split_query_context
from .datastore import Datastore, DocRecord, Path
from .dml import run_delete, run_insert, run_update
from .errors import (
    N1QLError,
    index_exists,
    index_not_found,
    internal,
    no_such_prepared,
)
from .evaluator import CTX, Compiler, Context, Scope
from .executor import SelectPlan
from .explain import dml_plan, explained_text, index_ddl_plan
from .hints import report as hints_report
from .index_with import apply_index_with
from .indexes import (
    Index,
    IndexCatalog,
    PrimaryIndex,
    SecondaryIndex,
    build_all,
    decode,
    key_text,
    meta_of,
)
from .monitor import RequestLog
from .parser import parse
from .planner import require_keyspace
from .quota import Quota, effective_quota, quota_error
from .statements import EXPLAINERS, RUNNERS
from .statements.udf import request_scope
from .system import Directory
from .system import run_delete as run_system_delete
from .system import scan as system_scan

T = TypeVar("T")


def run_here(fn: Callable[[], T]) -> T:
    """The default :attr:`QueryEngine.on_loop`: documents change on this thread."""
    return fn()


class QueryResult:
    """``results``, ``signature``, ``metrics`` (resultCount, mutationCount...),
    ``warnings`` (``[{"code", "msg"}]``)."""

    def __init__(self, results: list, signature: Any = None, mutations: Optional[int] = None,
                 elapsed: float = 0.0) -> None:
        self.results = results
        self.signature = signature
        self.status = "success"
        self.metrics: dict[str, Any] = {"resultCount": len(results)}
        if mutations is not None:
            self.metrics["mutationCount"] = mutations
        self.elapsed = elapsed
        self.warnings: list[dict[str, Any]] = []

    def __repr__(self) -> str:
        return f"QueryResult({self.results!r})"


class QueryEngine:
    """N1QL over one datastore: parse, plan, run; indexes and prepared statements."""

    def __init__(self, datastore: Datastore, datastore_id: str = "http://127.0.0.1:8091") -> None:
        self.datastore = datastore
        self.datastore_id = datastore_id
        self.catalog = IndexCatalog()
        self.prepared: dict[str, tuple[A.Node, str]] = {}
        self.stats: Counter = Counter()
        self.on_loop: Callable[[Callable[[], Any]], Any] = run_here
        """Run a call on the thread where documents and indexes change."""
        self.monitor = RequestLog()
        """Active and completed requests, prepared statement uses (``system:``)."""
        self.directory: Optional[Directory] = None
        """Users and nodes for ``system:`` keyspaces (``None``: a lone node)."""
        self.memory_quota: float = 0
        """The node's ``memory-quota`` in MB: default and cap of each request's (0: none)."""
        datastore.subscribe(self._on_change)

    # -- datastore plumbing ----------------------------------------------

    def _on_change(self, path: Path, key: str, rec: Optional[DocRecord]) -> None:
        self.catalog.on_change(path, key, rec)

    def fetch(self, path: Path, key: str) -> Optional[tuple[Any, dict]]:
        rec = self.datastore.get(path, key)
        self.stats["fetches"] += 1
        if rec is None:
            return None
        value = decode(rec)
        return value, meta_of(rec, value)

    def system_rows(self, name: str, ctx: Optional[Context] = None) -> list:
        """The rows of ``system:<name>`` the request may see (see :mod:`.system`)."""
        return [row for _, row in system_scan(self, name, ctx)]

    # -- requests ---------------------------------------------------------

    def query(self, statement: Optional[str] = None, positional: Optional[list] = None,
              named: Optional[dict] = None, prepared: Optional[str] = None,
              now: Optional[float] = None, cancel: Optional[Cancel] = None,
              may_read: Optional[Callable[[str], bool]] = None,
              parsed: Optional[A.Node] = None, user: Optional[str] = None,
              query_context: Optional[str] = None,
              memory_quota: Optional[float] = None) -> QueryResult:
        """Run one statement (or a prepared one by name); raises :class:`N1QLError`.

        ``cancel`` stops the request (1080 at its deadline); ``may_read(bucket)``
        limits what ``system:`` keyspaces show; ``parsed`` is ``statement``
        already parsed; ``user`` who asks (its own requests in ``system:``);
        ``query_context`` where prepared statements are kept and unqualified
        user-defined functions are found (keyspace names are the caller's job);
        ``memory_quota`` the request's quota in MB, capped by :attr:`memory_quota` (quota.py).
        """
        start = time.perf_counter()
        ctx = Context(named, positional, self, now, cancel, may_read)
        ctx.quota = Quota(effective_quota(memory_quota, self.memory_quota))  # type: ignore[attr-defined]
        ctx.user = user
        ctx.query_context = query_context  # type: ignore[attr-defined]
        try:
            if prepared is not None:
                stmt, text = self._prepared(prepared, query_context)
            else:
                if statement is None:
                    raise N1QLError(1050, "No statement or prepared value")
                stmt = parsed if parsed is not None else parse(statement, ctx.cancel)
                text = statement
            with request_scope(self, query_context):
                results, signature, mutations = self.run(stmt, ctx, text)
        except N1QLError:
            raise
        except RecursionError:
            raise internal("Statement too deeply nested") from None
        except MemoryError:  # the process ran short: this request alone fails (quota.py)
            raise quota_error() from None
        except Exception as exc:  # an engine bug must still answer like a server
            raise internal(f"{type(exc).__name__}: {exc}") from exc
        result = QueryResult(results, signature, mutations, time.perf_counter() - start)
        result.warnings = ctx.warnings
        return result

    @staticmethod
    def prepared_key(name: str, query_context: Optional[str] = None) -> str:
        """Where :attr:`prepared` keeps the statement ``name`` prepared under
        ``query_context``: the name alone without one, else ``name(bucket.scope)``
        (prepare.adoc, "Query Context": one name per context). A full name's
        ``[host:port]`` prefix is dropped (execute.adoc, "Statement Retrieval")."""
        if name.startswith("[") and "]" in name:
            name = name.split("]", 1)[1]
        if not query_context:
            return name
        try:
            parts = split_query_context(query_context)[1]
        except ValueError:
            return f"{name}({query_context})"
        return f"{name}({'.'.join(parts)})"

    def _prepared(self, name: str, query_context: Optional[str] = None) -> tuple[A.Node, str]:
        key = self.prepared_key(name, query_context)
        entry = self.prepared.get(key)
        if entry is None:
            raise no_such_prepared(name)
        self.monitor.prepared_used(key)
        return entry

    def run(self, stmt: A.Node, ctx: Context, text: str) -> tuple[list, Any, Optional[int]]:
        if isinstance(stmt, A.Select):
            plan = SelectPlan(self, stmt)
            base = {CTX: ctx}
            return plan.run(base), plan.signature(), None
        if isinstance(stmt, A.Insert):
            results, n = run_insert(self, stmt, ctx)
            return results, None, n
        if isinstance(stmt, A.Update):
            results, n = run_update(self, stmt, ctx)
            return results, None, n
        if isinstance(stmt, A.Delete) and stmt.term.ref.namespace == "system":
            return run_system_delete(self, stmt, ctx)
        if isinstance(stmt, A.Delete):
            results, n = run_delete(self, stmt, ctx)
            return results, None, n
        if isinstance(stmt, A.Explain):
            row = {"plan": self.explain(stmt.stmt), "text": explained_text(text)}
            hinted = hints_report(stmt.stmt)  # optimizer hints' status (hints.py)
            return [{"optimizer_hints": hinted, **row} if hinted else row], \
                {"plan": "json"}, None
        if isinstance(stmt, A.Prepare):
            made = self.prepare(stmt, getattr(ctx, "query_context", None))
            return [{**made, "text": text.strip()}], {"*": "*"}, None  # the full PREPARE text
        if isinstance(stmt, A.Execute):
            name = Compiler(Scope()).compile(stmt.name)({CTX: ctx})
            if not isinstance(name, str):
                raise N1QLError(4040, f"No such prepared statement: {name}")
            inner, inner_text = self._prepared(name, getattr(ctx, "query_context", None))
            if stmt.using is not None and (ctx.positional or ctx.named):  # execute.adoc
                raise N1QLError(5003, "cannot have both USING clause and request parameters")
            if stmt.using is not None:
                using = Compiler(Scope()).compile(stmt.using)({CTX: ctx})
                if type(using) is list:
                    ctx.positional = using
                elif type(using) is dict:
                    ctx.named.update({k.lstrip("$"): v for k, v in using.items()})
            return self.run(inner, ctx, inner_text)
        if isinstance(stmt, A.CreateIndex):
            self.create_index(stmt, ctx)
            return [], None, None
        if isinstance(stmt, A.DropIndex):
            self.drop_index(stmt)
            return [], None, None
        if isinstance(stmt, A.BuildIndex):
            self.build_index(stmt, ctx)
            return [], None, None
        plugin = RUNNERS.get(type(stmt))
        if plugin is not None:
            return plugin(self, stmt, ctx)
        raise internal(f"unsupported statement {type(stmt).__name__}")

    def explain(self, stmt: A.Node) -> dict:
        if isinstance(stmt, A.Select):
            return SelectPlan(self, stmt).explain()
        if isinstance(stmt, (A.Update, A.Delete, A.Insert)):
            return dml_plan(self, stmt)
        explainer = EXPLAINERS.get(type(stmt))
        if explainer is not None:
            return explainer(self, stmt)
        return index_ddl_plan(stmt) or {"#operator": type(stmt).__name__}

    def prepare(self, stmt: A.Prepare, query_context: Optional[str] = None) -> dict:
        # prepare.adoc "Statement Cache": an anonymous statement's name is a UUID
        # of its text; a name already given to another text is refused (4060)
        name = stmt.name or str(uuid.uuid5(uuid.NAMESPACE_URL, stmt.text))
        known = self.prepared.get(self.prepared_key(name, query_context))
        if known is not None and known[1] != stmt.text:
            raise N1QLError(4060, f"Unable to add name: duplicate name: {name}")
        operator = self.explain(stmt.stmt)
        signature: Any = None
        if isinstance(stmt.stmt, A.Select):
            signature = SelectPlan(self, stmt.stmt).signature()
        key = self.prepared_key(name, query_context)
        self.prepared[key] = (stmt.stmt, stmt.text)
        plan = {"name": name, "text": stmt.text}
        if query_context:
            plan["queryContext"] = query_context
        encoded = base64.b64encode(json.dumps(plan).encode())
        self.monitor.prepared_made(key, encoded.decode())
        return {"encoded_plan": encoded.decode(), "name": name, "namespace": "default",
                "queryContext": query_context or "",
                "operator": operator, "signature": signature, "text": stmt.text}

    # -- indexes ----------------------------------------------------------

    def create_index(self, stmt: A.CreateIndex, ctx: Context) -> None:
        path = require_keyspace(self.datastore, stmt.ref)
        name = stmt.name or "#primary"
        with_ = Compiler(Scope()).compile(stmt.with_)({CTX: ctx}) if stmt.with_ else None
        deferred = type(with_) is dict and with_.get("defer_build") is True
        if stmt.primary:
            index: Index = PrimaryIndex(name, path, stmt.ref.namespace)
        else:
            index = SecondaryIndex(name, path, stmt.keys, stmt.where, stmt.ref.namespace)
            index.modifiers = list(stmt.modifiers)
            index.key_attribs = list(stmt.key_attribs)
        apply_index_with(self, index, with_)  # nodes, num_replica (index_with.py)
        if stmt.partition is not None:
            index.partition = "HASH(" + ", ".join(key_text(e) for e in stmt.partition) + ")"
        index.state = "deferred" if deferred else "building"

        def add() -> bool:
            if self.catalog.get(path, name) is not None:
                return False
            self.catalog.add(index)
            return True

        if not self.on_loop(add):
            if stmt.if_not_exists:
                return
            raise index_exists(name)
        if not deferred:
            self._build([index], ctx, undo="drop")

    def _build(self, indexes: list[Index], ctx: Context, undo: str) -> None:
        """Fill ``building`` indexes of one keyspace from one snapshot of it, in
        one pass (:func:`~.indexes.build_all`), off the writer thread; changes
        made meanwhile wait in each ``index.pending``. If the request fails
        first, ``undo`` says what becomes of the indexes: ``"drop"`` them, or
        make them ``"deferred"`` again."""
        path = indexes[0].path

        def still_ours(index: Index) -> bool:
            return self.catalog.get(path, index.name) is index

        try:
            ctx.cancel.check()
            build_all(indexes, self.datastore.scan(path))
            ctx.cancel.check()
        except BaseException:
            def revert() -> None:
                for index in indexes:
                    if not still_ours(index):
                        continue
                    index.pending = []
                    if undo == "drop":
                        self.catalog.drop(path, index.name)
                    else:
                        index.state = "deferred"
            self.on_loop(revert)
            raise

        def finish() -> None:
            for index in indexes:
                if still_ours(index):  # not dropped (or its keyspace) meanwhile
                    index.finish_build()

        self.on_loop(finish)

    def drop_index(self, stmt: A.DropIndex) -> None:
        path = require_keyspace(self.datastore, stmt.ref)

        def drop() -> Optional[str]:
            if stmt.primary:  # dropprimaryindex.adoc: the one named #primary
                name = "#primary"
            else:
                name = stmt.name or ""
            if self.catalog.get(path, name) is None:
                return name
            self.catalog.drop(path, name)
            return None

        missing = self.on_loop(drop)
        if missing is not None and not stmt.if_exists:
            raise index_not_found(missing)

    def build_index(self, stmt: A.BuildIndex, ctx: Context) -> None:
        path = require_keyspace(self.datastore, stmt.ref)
        names: list[str] = []
        for node in stmt.names:
            if isinstance(node, A.Ident):
                names.append(node.name)
                continue
            v = Compiler(Scope()).compile(node)({CTX: ctx})
            names.extend(v if type(v) is list else [v])
        indexes = []
        for name in names:
            index = self.catalog.get(path, name) if isinstance(name, str) else None
            if index is None:
                raise index_not_found(str(name))
            indexes.append(index)

        def start() -> list[Index]:
            started = []
            for index in dict.fromkeys(indexes):  # a name given twice is built once
                if index.state == "deferred":  # not online, nor being built elsewhere
                    index.state = "building"
                    started.append(index)
            if started:
                self.catalog.changed()
            return started

        started = self.on_loop(start)
        if started:  # one scan of the keyspace fills them all, as GSI builds them
            self._build(started, ctx, undo="deferred")
