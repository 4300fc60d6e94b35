"""The query engine's :class:`~.n1ql.datastore.Datastore` over the local cluster.

:class:`ClusterDatastore` reads and writes the documents the KV service
serves: every couchbase bucket's collections are keyspaces
``(bucket, scope, collection)``; reads go to each vbucket's active copy and
writes go through the bucket's :class:`~.engine.Engine`, so a N1QL mutation
gets a CAS and a sequence number and reaches the replicas like a KV one.

Index maintenance: the adapter joins the cluster's commit observers and
tells the engine's listeners about every change to a keyspace that has an
index (``watched``, the engine's catalog, keeps the KV path free of work
otherwise: one emptiness check while there is no index at all).
Lifecycle: on every config change it checks which keyspaces are gone (a
bucket deleted, or deleted and created again; a collection dropped) and
forgets their indexes.

One :class:`ClusterQueryEngine` serves every node's query port of a
cluster: :func:`query_engine_for` makes it on first use, on the mock's loop.

Threads: requests run on the engine's worker threads (see
:mod:`couchbase_mock.query_workers`), documents change on the loop. So
:meth:`ClusterDatastore.get` reads with single lookups only (and leaves an
expired document for the KV side to expire), :meth:`ClusterDatastore.scan`
copies a keyspace's vbuckets on the loop and reads the copies, and the write
methods are called on the loop (the engine sends them there).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Optional

from couchbase._core.feature import Datatype
from couchbase._core.status import Status

from .bucket import Bucket
from .cluster import Cluster
from .n1ql import ast as A
from .n1ql.datastore import (
    CasMismatch,
    DatastoreError,
    DocRecord,
    DocumentExists,
    DocumentNotFound,
    Listener,
    Path,
)
from .n1ql.engine import QueryEngine, run_here
from .n1ql.indexes import Index, PrimaryIndex, SecondaryIndex
from .n1ql.parser import parse_expression
from .query_catalog_store import attach as attach_catalog
from .query_catalog_store import data_dir_of
from .query_workers import LoopBridge, WorkerPool
from .storage import DocKey, Document

JSON_FLAGS = 0x02000000


def _record(key: str, doc: Document) -> DocRecord:
    return DocRecord(key, doc.value, doc.cas, doc.flags, doc.expiry)


class ClusterDatastore:
    """The cluster's couchbase buckets as a N1QL datastore."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._listeners: list[Listener] = []
        # (bucket name, collection id) -> keyspace path, rebuilt after config changes.
        self._paths: dict[tuple[str, int], Optional[Path]] = {}
        # What each keyspace was when last seen: (bucket object, collection id).
        self._known = self._snapshot()
        self.watched: Optional[Mapping[Path, Any]] = None
        """If set, only changes to keyspaces with a non-empty entry are reported."""
        self.on_dropped: list[Callable[[Path], None]] = []
        """Called with each keyspace that stopped existing."""
        self.on_loop: Callable[[Callable[[], Any]], Any] = run_here
        """Runs a call on the loop (set with the engine's)."""
        cluster.commit_observers.append(self._committed)
        cluster.subscribe(self._config_changed)

    def close(self) -> None:
        if self._committed in self.cluster.commit_observers:
            self.cluster.commit_observers.remove(self._committed)
        self.cluster.unsubscribe(self._config_changed)

    # -- keyspaces ----------------------------------------------------------

    def _buckets(self) -> Iterable[Bucket]:
        return (b for b in self.cluster.buckets.values() if b.is_couchbase)

    def _snapshot(self) -> dict[Path, tuple[Bucket, int]]:
        out = {}
        for bucket in self._buckets():
            for scope_name, scope in bucket.manifest.scopes.items():
                for coll_name, coll in scope.collections.items():
                    out[(bucket.name, scope_name, coll_name)] = (bucket, coll.uid)
        return out

    # ``_known`` is replaced, never changed, on the loop: any thread may read it.

    def buckets(self) -> list[str]:
        return sorted({path[0] for path in self._known})

    def keyspaces(self) -> list[Path]:
        return sorted(self._known)

    def _locate(self, path: Path) -> tuple[Bucket, int]:
        """``(bucket, collection id)``; :class:`DatastoreError` if gone."""
        bucket = self.cluster.buckets.get(path[0])
        if bucket is None or not bucket.is_couchbase:
            raise DatastoreError(f"no bucket {path[0]}")
        scope = bucket.manifest.scopes.get(path[1])
        coll = scope.collections.get(path[2]) if scope is not None else None
        if coll is None:
            raise DatastoreError(f"no collection {path[1]}.{path[2]}")
        return bucket, coll.uid

    # -- scopes and collections (N1QL's CREATE/DROP SCOPE/COLLECTION) ----------
    # Changed in the bucket's manifest on the loop, as the REST API does, so the
    # KV service and the SDKs see them at once. ManifestError, KeyError (bucket).

    def _change(self, bucket: str, change: Callable[[], Any]) -> Any:
        def run() -> Any:
            known = self.cluster.buckets.get(bucket)
            if known is None or not known.is_couchbase:
                raise KeyError(bucket)
            return change()

        return self.on_loop(run)

    def scopes(self, bucket: str) -> list[str]:
        return sorted(self._change(bucket, lambda: list(
            self.cluster.buckets[bucket].manifest.scopes)))

    def create_scope(self, bucket: str, scope: str) -> None:
        self._change(bucket, lambda: self.cluster.create_scope(bucket, scope))

    def drop_scope(self, bucket: str, scope: str) -> None:
        self._change(bucket, lambda: self.cluster.drop_scope(bucket, scope))

    def add_collection(self, bucket: str, scope: str, collection: str) -> None:
        self._change(bucket, lambda: self.cluster.create_collection(bucket, scope, collection))

    def drop_collection(self, bucket: str, scope: str, collection: str) -> None:
        self._change(bucket, lambda: self.cluster.drop_collection(bucket, scope, collection))

    # -- users, groups, roles and buckets (N1QL's CREATE USER, GRANT, CREATE BUCKET...) --

    def manage(self, call: Callable[[Cluster], Any]) -> Any:
        """``call(cluster)`` on the loop: the RBAC and bucket state the management
        REST API changes (see n1ql/statements/users.py and buckets.py)."""
        return self.on_loop(lambda: call(self.cluster))

    def _config_changed(self) -> None:
        self._paths.clear()
        now = self._snapshot()
        gone = [p for p, (b, cid) in self._known.items()
                if p not in now or now[p][0] is not b or now[p][1] != cid]
        self._known = now
        for path in gone:
            for callback in self.on_dropped:
                callback(path)

    # -- reads ----------------------------------------------------------------

    def scan(self, path: Path) -> list[DocRecord]:
        """Every live document of a keyspace, as of one moment: the active
        vbuckets are copied on the loop (a dict copy each), then filtered here."""

        def copies() -> tuple[int, list[dict[DocKey, Document]]]:
            bucket, cid = self._locate(path)
            return cid, [bucket.stores[bucket.active_node(vb)].vbuckets[vb].docs.copy()
                         for vb in range(bucket.num_vbuckets)]

        cid, vbuckets = self.on_loop(copies)
        now = self.cluster.clock()
        out = []
        for docs in vbuckets:
            for (kcid, key), doc in docs.items():
                if kcid != cid or doc.deleted or (doc.expiry and now >= doc.expiry):
                    continue
                out.append(_record(key.decode("utf-8", "surrogateescape"), doc))
        return out

    def get(self, path: Path, key: str) -> Optional[DocRecord]:
        """The live document, read with single lookups (safe on any thread)."""
        try:
            bucket, cid = self._locate(path)
        except DatastoreError:
            return None
        raw = key.encode("utf-8", "surrogateescape")
        vb = bucket.vbucket_of(raw)
        doc = bucket.stores[bucket.active_node(vb)].vbuckets[vb].docs.get((cid, raw))
        if doc is None or doc.deleted or doc.is_expired(self.cluster.clock()):
            return None
        return _record(key, doc)

    # -- writes ---------------------------------------------------------------

    def _store(self, path: Path, key: str, mode: str, value: bytes, flags: int,
               expiry: int, cas: int = 0) -> DocRecord:
        bucket, cid = self._locate(path)
        raw = key.encode("utf-8", "surrogateescape")
        vb = bucket.vbucket_of(raw)
        engine = self.cluster.engines[bucket.name]
        status, doc = engine.store(bucket.active_node(vb), vb, (cid, raw), mode, value, flags,
                                   expiry, cas, Datatype.JSON)
        if status == Status.SUCCESS and doc is not None:
            return _record(key, doc)
        if status == Status.KEY_EEXISTS:
            raise DocumentExists(key) if mode == "add" else CasMismatch(key)
        if status == Status.KEY_ENOENT:
            raise DocumentNotFound(key)
        if status == Status.LOCKED:
            raise CasMismatch(key)  # the lock changed the CAS the statement read
        raise DatastoreError(f"{key}: {status.name}")

    def insert(self, path: Path, key: str, value: bytes, flags: int = JSON_FLAGS,
               expiry: int = 0) -> DocRecord:
        return self._store(path, key, "add", value, flags, expiry)

    def upsert(self, path: Path, key: str, value: bytes, flags: int = JSON_FLAGS,
               expiry: int = 0) -> DocRecord:
        return self._store(path, key, "set", value, flags, expiry)

    def replace(self, path: Path, key: str, value: bytes, flags: int = JSON_FLAGS,
                expiry: int = 0, cas: int = 0) -> DocRecord:
        return self._store(path, key, "replace", value, flags, expiry, cas)

    def remove(self, path: Path, key: str, cas: int = 0) -> None:
        bucket, cid = self._locate(path)
        raw = key.encode("utf-8", "surrogateescape")
        vb = bucket.vbucket_of(raw)
        engine = self.cluster.engines[bucket.name]
        status, _ = engine.delete(bucket.active_node(vb), vb, (cid, raw), cas)
        if status == Status.SUCCESS:
            return
        if status == Status.KEY_ENOENT:
            raise DocumentNotFound(key)
        if status in (Status.KEY_EEXISTS, Status.LOCKED):
            raise CasMismatch(key)
        raise DatastoreError(f"{key}: {status.name}")

    # -- change notifications --------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _path_of(self, bucket: Bucket, cid: int) -> Optional[Path]:
        try:
            return self._paths[(bucket.name, cid)]
        except KeyError:
            pass
        path = None
        for scope_name, scope in bucket.manifest.scopes.items():
            for coll_name, coll in scope.collections.items():
                if coll.uid == cid:
                    path = (bucket.name, scope_name, coll_name)
        self._paths[(bucket.name, cid)] = path
        return path

    def _committed(self, bucket: Bucket, key: DocKey, doc: Document) -> None:
        watched = self.watched
        if (watched is not None and not watched) or not bucket.is_couchbase:
            return
        path = self._path_of(bucket, key[0])
        if path is None or (watched is not None and not watched.get(path)):
            return
        name = key[1].decode("utf-8", "surrogateescape")
        rec = None if doc.deleted else _record(name, doc)
        for listener in self._listeners:
            listener(path, name, rec)


class ClusterQueryEngine(QueryEngine):
    """The engine of a local cluster, with the worker threads its requests run on."""

    def __init__(self, datastore: ClusterDatastore, datastore_id: str) -> None:
        super().__init__(datastore, datastore_id)
        self.on_loop = datastore.on_loop = LoopBridge()
        self.workers = WorkerPool()


def query_engine_for(cluster: Cluster) -> ClusterQueryEngine:
    """The cluster's query engine, made on first use (call on the mock's loop)."""
    engine = cluster.query_engine
    if engine is None:
        store = ClusterDatastore(cluster)
        first = cluster.nodes[0]
        engine = ClusterQueryEngine(store, f"http://{cluster.host}:{first.mgmt_port}")
        catalog = engine.catalog
        store.watched = catalog.by_path  # the same dict for the engine's lifetime

        def forget(path: Path) -> None:
            catalog.by_path.pop(path, None)

        store.on_dropped.append(forget)
        cluster.query_engine = engine
        catalog.search_indexes = (  # type: ignore[attr-defined]  # flex indexes (hints.py)
            lambda path: search_indexes_of(cluster, path))
        catalog.search_definitions = (  # type: ignore[attr-defined]  # n1ql/flex_search.py
            lambda path: search_definitions_of(cluster, path))
        catalog.search_ids = (  # type: ignore[attr-defined]
            lambda name, request: search_ids_of(cluster, name, request))
        _restore_indexes(engine, cluster.restored_extra.get(INDEXES_META, []))
        cluster.metadata_sources[INDEXES_META] = lambda: _saved_indexes(engine)
        catalog.changed = cluster.persist_meta
        data_dir = data_dir_of(cluster)
        if data_dir is not None:  # functions, sequences, query settings
            attach_catalog(engine, data_dir)
    assert isinstance(engine, ClusterQueryEngine)
    return engine


def search_definitions_of(cluster: Cluster, path: Path) -> list[tuple[str, Any]]:
    """``(name, mapping)`` of the Search indexes over a keyspace (flex indexes)."""
    from .search.service import search_state

    defs = search_state(cluster).defs
    return [(n, defs[n].mapping) for n in search_indexes_of(cluster, path) if n in defs]


def search_ids_of(cluster: Cluster, name: str, request: dict) -> Optional[list[str]]:
    """The ids of the documents the Search index ``name`` finds for the query
    object ``request``, up to date with the bucket (as a search request waits
    for its index: n1ql/flex_search.py); None when it cannot answer. Called on a
    query worker thread: the search runs on the cluster's loop."""
    import asyncio
    import threading
    import time

    from .search.query import Ctx, QueryError, parse_query
    from .search.service import _catch_up, search_state

    engine = cluster.query_engine
    bridge = getattr(engine, "on_loop", None)
    if bridge is None or not hasattr(bridge, "loop") or threading.get_ident() == bridge.thread:
        return None  # no loop to wait on from here: the planner's scan answers

    async def run() -> Optional[list[str]]:
        state = search_state(cluster)
        d = state.definition(name)
        if d is None:
            return None
        index = state.index_for(d)
        node = parse_query(request, d.mapping)
        async with index.lock:
            await _catch_up(state, index, time.monotonic() + 30)
            now = cluster.clock()
            return sorted(k for k in node.run(Ctx(index)) if index.live(k, now))

    try:
        found = asyncio.run_coroutine_threadsafe(run(), bridge.loop).result(timeout=60)
    except (QueryError, Exception):  # noqa: BLE001 - any failure: fall back to GSI
        return None
    if found is not None and engine is not None:
        engine.stats["flex_searches"] += 1
    return found


def search_indexes_of(cluster: Cluster, path: Path) -> list[str]:
    """The names of the cluster's Search indexes over a keyspace (what USE INDEX
    (USING FTS) and INDEX_FTS may use, flex-indexes.adoc): a bucket's index
    serves its default collection, a scope's index the collections its type
    mappings name (``scope.collection[.type]``)."""
    from .search.service import search_state

    out = []
    for d in list(search_state(cluster).defs.values()):
        if d.source_name != path[0]:
            continue
        if d.scope is None:
            if path[1:] == ("_default", "_default"):
                out.append(d.name)
        elif d.scope == path[1] and any(
                t.split(".")[:2] == list(path[1:]) for t in d.mapping.types):
            out.append(d.name)
    return sorted(out)


# -- index definitions in the data directory ---------------------------------------

INDEXES_META = "indexes"
"""The name index definitions are kept under in the data directory."""
_INDEX_EXTRAS = ("vector", "replicas", "row_extra", "key_attribs")
"""What statements/vector_index.py and alter_index.py add to an index, kept too."""


def _saved_indexes(engine: QueryEngine) -> list[dict[str, Any]]:
    """Every index's definition, as N1QL text (what :func:`_restore_indexes` reads)."""
    out = []
    for index in engine.catalog.all():
        entry: dict[str, Any] = {"name": index.name, "path": list(index.path),
                                 "namespace": index.namespace, "primary": index.primary,
                                 "deferred": index.state == "deferred"}
        if isinstance(index, SecondaryIndex):
            entry["keys"] = [A.to_n1ql(key) for key in index.key_exprs]
            entry["where"] = None if index.where is None else A.to_n1ql(index.where)
            if any(index.modifiers):
                entry["modifiers"] = index.modifiers
        if index.partition is not None:
            entry["partition"] = index.partition
        for extra in _INDEX_EXTRAS:
            if getattr(index, extra, None) is not None:
                entry[extra] = getattr(index, extra)
        out.append(entry)
    return out


def _restore_indexes(engine: QueryEngine, saved: list[dict[str, Any]]) -> None:
    """Make the saved indexes again, built from the documents (deferred ones
    stay deferred), on keyspaces that still exist. On the loop."""
    keyspaces = set(engine.datastore.keyspaces())
    for entry in saved:
        path = (entry["path"][0], entry["path"][1], entry["path"][2])
        if path not in keyspaces or engine.catalog.get(path, entry["name"]) is not None:
            continue
        index: Index
        if entry["primary"]:
            index = PrimaryIndex(entry["name"], path, entry["namespace"])
        else:
            where = entry["where"]
            index = SecondaryIndex(entry["name"], path,
                                   [parse_expression(key) for key in entry["keys"]],
                                   None if where is None else parse_expression(where),
                                   entry["namespace"])
            index.modifiers = list(entry.get("modifiers", []))
        index.partition = entry.get("partition")
        for extra in _INDEX_EXTRAS:
            if extra in entry:
                setattr(index, extra, entry[extra])
        if entry["deferred"]:
            index.state = "deferred"
        else:
            index.build(engine.datastore.scan(path))
        engine.catalog.add(index)
