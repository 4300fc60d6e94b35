"""The search service (FTS, port 8094 on a real node), driven by h11.

Routes, on every node's search port (Basic auth: the administrator, or a
bucket name with its bucket password, which reaches only the indexes over
its own bucket):

- ``GET /api/index``: every index definition;
- ``PUT /api/index/{name}``: create an index (a JSON definition, see
  :mod:`.mapping`), or replace one when the body's ``uuid`` (or the
  ``prevIndexUUID`` parameter) names the current one;
- ``GET /api/index/{name}``, ``DELETE /api/index/{name}``;
- ``GET /api/index/{name}/count``: documents indexed;
- ``POST /api/index/{name}/query``: a search (see :mod:`.results`);
- ``GET /api/ping``;
- Server 7.6's scope-level routes, ``/api/bucket/{bucket}/scope/{scope}/index`` (the
  scope's definitions) and ``.../index/{name}`` followed by any of the above: the
  index is named ``bucket.scope.name`` (the global routes reach it by that name too)
  and reads the documents of the scope's collections.

Answers have the server's shapes: ``{"status": "ok", ...}``, and for a
refused request ``{"error": "...", "request": ..., "status": "fail"}`` with
400 (a bad definition, a bad query, an unknown index: the message then
contains "index not found", which SDKs look for), 403 for a bucket user
reaching another bucket's index, 412 when ``at_plus`` consistency was not
reached in time, 429 ``query request rejected`` for a query on an index
that stopped growing at the cluster's ``Limits.search_index_bytes`` (the
server rejects queries over its memory quota with that error, and holds
indexing back). A query that runs out of its ``ctl.timeout`` answers 200
with the failure in ``status.errors``, as the server does.

Index definitions belong to the cluster and are kept in its data
directory, if it has one (``cluster.metadata_sources["fts"]``). Each index
is built from its bucket's documents on first use and caught up with what
changed before every count and query (see :mod:`.index`), so a query sees
every write made before it: ``at_plus`` vectors are checked against what
was indexed, and a mismatched vbucket uuid is refused. Catching up and
searching run on worker threads (:mod:`couchbase_mock.query_workers`),
one index at a time under its lock, never on the event loop: KV and every
other service keep answering while a large index is built or searched.
They step aside as N1QL requests do (:func:`_policy`), and the answer is
encoded to JSON on the worker too (:func:`.results.answer`).
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, unquote, urlsplit

import h11

from ..cluster import Cluster
from ..httpserver import HTTPProtocol, credentials
from ..limits import DEFAULT_LIMITS, Limits
from ..n1ql.cancel import Cancel
from ..n1ql.errors import N1QLError
from ..n1ql.limits import loads
from ..persistence import meta_durable, meta_mark
from ..query_workers import SLICE, WorkerPool
from .analysis import analyze, known_analyzer
from .index import SearchIndex
from .mapping import DefinitionError, IndexDef, parse_definition
from .query import QueryError
from .results import SearchRequest, answer

__all__ = ["SEARCH_META", "SearchProtocol", "SearchState", "handle", "search_state"]

SEARCH_META = "fts"
"""The name index definitions are kept under in the data directory."""
WORKERS = 2
CONSISTENCY_POLL = 0.01

Reply = tuple[int, Any]


class Timeout(Exception):
    """A request ran out of its time."""


class SearchState:
    """The index definitions of one cluster, their indexes, and the workers."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.defs: dict[str, IndexDef] = {}
        self.indexes: dict[str, SearchIndex] = {}
        self.uuid = "0"
        self.pool = WorkerPool(WORKERS, name="fts-worker")
        self.max_index_bytes: Optional[int] = DEFAULT_LIMITS.search_index_bytes
        for raw in cluster.restored_extra.get(SEARCH_META, {}).get("defs", []):
            try:
                self.defs[raw["name"]] = IndexDef(raw["def"], raw["uuid"])
            except (DefinitionError, KeyError, TypeError):
                continue  # a definition this version cannot read: left out
        cluster.metadata_sources[SEARCH_META] = self.saved

    def saved(self) -> dict[str, Any]:
        return {"defs": [{"name": d.name, "uuid": d.uuid, "def": d.raw}
                         for d in self.defs.values()]}

    def changed(self) -> None:
        self.uuid = format(int(self.uuid, 16) + 1, "x")
        self.cluster.persist_meta()

    def definition(self, name: str) -> Optional[IndexDef]:
        """The definition of an index; one whose bucket is gone went with it."""
        d = self.defs.get(name)
        if d is not None and d.source_name not in self.cluster.buckets:
            self.drop(name)
            return None
        return d

    def drop(self, name: str) -> None:
        self.defs.pop(name, None)
        self.indexes.pop(name, None)
        self.changed()

    def index_for(self, d: IndexDef) -> SearchIndex:
        """The index of a definition (a new one when the definition or bucket changed)."""
        bucket = self.cluster.buckets[d.source_name]
        index = self.indexes.get(d.name)
        if index is None or index.definition is not d or index.bucket is not bucket:
            index = self.indexes[d.name] = SearchIndex(d, bucket, self.max_index_bytes)
            index.lock = asyncio.Lock()
        return index


_STATE: weakref.WeakKeyDictionary[Cluster, SearchState] = weakref.WeakKeyDictionary()


def search_state(cluster: Cluster) -> SearchState:
    state = _STATE.get(cluster)
    if state is None:
        state = _STATE[cluster] = SearchState(cluster)
    return state


def _fail(status: int, error: str, request: Any = None) -> Reply:
    return status, {"error": error, "request": request, "status": "fail"}


def _not_found(what: str, name: str) -> Reply:
    return _fail(400, f"rest_index: {what}, indexName: {name}, err: index not found")


async def handle(cluster: Cluster, method: str, target: str, user: str, body: bytes,
                 received: float) -> Reply:
    """Answer one request on a search port: ``(HTTP status, JSON-ready body)``."""
    split = urlsplit(target)
    parts = [unquote(p) for p in split.path.split("/") if p]
    state = search_state(cluster)
    if parts == ["api", "ping"]:
        return 200, {"status": "ok"}
    if parts == ["api", "index"] and method == "GET":
        defs = {}
        for name in list(state.defs):
            found = state.definition(name)
            if found is not None and cluster.may_access(user, found.source_name):
                defs[name] = found.to_json(cluster.buckets[found.source_name].uuid)
        return 200, {"status": "ok", "indexDefs": {
            "uuid": state.uuid, "indexDefs": defs, "implVersion": "5.5.0"}}
    scope: Optional[tuple[str, str]] = None
    if len(parts) >= 6 and parts[:2] == ["api", "bucket"] and parts[3:6:2] == ["scope",
                                                                              "index"]:
        scope = (parts[2], parts[4])  # Server 7.6's scoped routes: index bucket.scope.name
        if len(parts) == 6 and method == "GET":
            return _scope_indexes(state, scope, user)
        if len(parts) < 7:
            return 404, None
        name, rest = ".".join((*scope, parts[6])), parts[7:]
    elif len(parts) >= 3 and parts[:2] == ["api", "index"]:
        name, rest = parts[2], parts[3:]
    else:
        return 404, None
    if not rest and method == "PUT":
        return _put(state, name, body, dict(parse_qsl(split.query)), user, scope)
    d = state.definition(name)
    if d is not None and not cluster.may_access(user, d.source_name):
        return 403, {"message": "Forbidden. User needs one of the following permissions",
                     "permissions": [f"cluster.bucket[{d.source_name}].fts!read"],
                     "status": "fail"}
    if not rest and method == "GET":
        if d is None:
            return _not_found("GetIndex", name)
        return 200, {"status": "ok", "indexDef": d.to_json(
            cluster.buckets[d.source_name].uuid), "planPIndexes": [], "warnings": []}
    if not rest and method == "DELETE":
        if d is None:
            return _fail(400, f"rest_delete_index: error deleting index, indexName: {name}, "
                              f"err: index not found")
        state.drop(name)
        return 200, {"status": "ok", "uuid": d.uuid}
    if rest == ["count"] and method == "GET":
        if d is None:
            return _not_found("Count", name)
        index = state.index_for(d)
        async with index.lock:
            if _node_plan(d).get("canWrite", True):
                await _catch_up(state, index, time.monotonic() + 60)
            return 200, {"status": "ok", "count": index.doc_count()}
    if rest == ["query"] and method == "POST":
        if d is None:
            return _not_found("Query", name)
        if not _node_plan(d).get("canRead", True):
            return _fail(400, f"rest_index: Query, indexName: {name}, err: "
                              "query is disallowed for the index (queryControl)")
        return await _query(state, d, body, received)
    if len(rest) == 2 and rest[0] in _CONTROLS and method == "POST":
        if d is None:
            return _not_found(rest[0], name)
        return _control(state, d, rest[0], rest[1])
    if rest == ["analyzeDoc"] and method == "POST":
        if d is None:
            return _not_found("AnalyzeDoc", name)
        return _analyze_doc(d, body)
    return 405, {"error": f"method {method} not allowed on {split.path}", "status": "fail"}


def _scope_indexes(state: SearchState, scope: tuple[str, str], user: str) -> Reply:
    """``GET /api/bucket/{bucket}/scope/{scope}/index``: the scope's index definitions."""
    cluster = state.cluster
    if scope[0] not in cluster.buckets:
        return _fail(400, f"rest_index: bucket not found: {scope[0]}")
    if not cluster.may_access(user, scope[0]):
        return 403, {"message": "Forbidden. User needs one of the following permissions",
                     "permissions": [f"cluster.bucket[{scope[0]}].fts!read"],
                     "status": "fail"}
    prefix = ".".join(scope) + "."
    defs = {}
    for name in list(state.defs):
        found = state.definition(name) if name.startswith(prefix) else None
        if found is not None:
            defs[name] = found.to_json(cluster.buckets[found.source_name].uuid)
    return 200, {"status": "ok", "indexDefs": {
        "uuid": state.uuid, "indexDefs": defs, "implVersion": "5.5.0"}}


_CONTROLS = {
    # path: {action: (where in planParams, value)}
    "ingestControl": {"pause": ("canWrite", False), "resume": ("canWrite", True)},
    "queryControl": {"disallow": ("canRead", False), "allow": ("canRead", True)},
    "planFreezeControl": {"freeze": ("planFrozen", True), "unfreeze": ("planFrozen", False)},
}


def _node_plan(d: IndexDef) -> dict[str, Any]:
    """``planParams.nodePlanParams[""][""]``: where the service keeps whether the index
    takes new mutations (``canWrite``) and answers queries (``canRead``)."""
    plan = d.raw.get("planParams") or {}
    found = ((plan.get("nodePlanParams") or {}).get("") or {}).get("")
    return found if isinstance(found, dict) else {}


def _control(state: SearchState, d: IndexDef, kind: str, action: str) -> Reply:
    """``POST /api/index/{name}/{ingestControl|queryControl|planFreezeControl}/{action}``:
    kept in the definition's ``planParams`` (and so in what GET returns)."""
    choice = _CONTROLS[kind].get(action)
    if choice is None:
        return _fail(400, f"rest_index: {kind}, indexName: {d.name}, err: unsupported "
                          f"action: {action}")
    field, value = choice
    plan = dict(d.raw.get("planParams") or {"maxPartitionsPerPIndex": 1024,
                                             "indexPartitions": 1})
    if field == "planFrozen":
        plan["planFrozen"] = value
    else:
        node = dict(_node_plan(d))
        node[field] = value
        node.setdefault("canRead", True)
        node.setdefault("canWrite", True)
        plan["nodePlanParams"] = {"": {"": node}}
    d.raw["planParams"] = plan
    state.changed()
    return 200, {"status": "ok"}


def _analyze_doc(d: IndexDef, body: bytes) -> Reply:
    """``POST /api/index/{name}/analyzeDoc``: the tokens the index's analyzers make of
    each text field of the document: ``{"analyzed": [{field: [token, ...]}], ...}``."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return _fail(400, f"rest_index: AnalyzeDoc, indexName: {d.name}, err: {exc}")
    fields: dict[str, list[dict[str, Any]]] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for inner in value:
                walk(inner, path)
        elif isinstance(value, str) and path:
            name = d.mapping.analyzer_of(path)
            tokens = analyze(name if known_analyzer(name) else "standard", value)
            fields.setdefault(path, []).extend(
                {"term": t.term, "position": t.pos, "start": t.start, "end": t.end}
                for t in tokens)

    walk(doc, "")
    return 200, {"status": "ok", "analyzed": [fields] if fields else []}


def _put(state: SearchState, name: str, body: bytes, params: dict[str, str],
         user: str, scope: Optional[tuple[str, str]] = None) -> Reply:
    try:
        raw = json.loads(body.decode("utf-8")) if body.strip() else None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return _fail(400, f"rest_create_index: failed to unmarshal index definition, "
                          f"err: {exc}")
    buckets = state.cluster.buckets
    try:
        d = parse_definition(name, raw, buckets, scope)
    except DefinitionError as exc:
        return _fail(400, str(exc), raw)
    if not state.cluster.may_access(user, d.source_name):
        return 403, {"message": "Forbidden. User needs one of the following permissions",
                     "permissions": [f"cluster.bucket[{d.source_name}].fts!write"],
                     "status": "fail"}
    current = state.definition(name)
    prev = params.get("prevIndexUUID") or (raw.get("uuid") if isinstance(raw, dict) else "")
    if current is not None and prev not in (current.uuid, "*"):
        return _fail(400, f"rest_create_index: error creating index: {name}, err: manager_api: "
                          f"cannot create index because an index with the same name already "
                          f"exists: {name}", raw)
    if current is None and prev:
        return _fail(400, f"rest_create_index: error creating index: {name}, err: manager_api: "
                          f"index not found for the prevIndexUUID: {prev}", raw)
    state.defs[name] = d
    state.indexes.pop(name, None)
    state.changed()
    return 200, {"status": "ok", "uuid": d.uuid}


def _policy(state: SearchState, deadline: Optional[float]) -> Callable[[], None]:
    """What a worker calls in its loops: :class:`Timeout` past ``deadline``
    (``None``: none), and, as N1QL requests do, every :data:`SLICE` seconds
    a turn for the other search requests waiting (see :mod:`..query_workers`)."""
    cancel = Cancel(None if deadline is None else max(0.0, deadline - time.monotonic()))
    cancel.pause_every(SLICE, state.pool.turns.pass_turn)

    def check() -> None:
        try:
            cancel.check()
        except N1QLError:
            raise Timeout() from None

    return check


async def _catch_up(state: SearchState, index: SearchIndex, deadline: float) -> None:
    """Index what changed in the bucket (the caller holds the index's lock)."""
    changes, seqnos = index.collect()
    if changes or seqnos != index.seqnos:
        loop = asyncio.get_running_loop()
        await state.pool.run(loop, lambda: index.apply(changes, seqnos,
                                                       _policy(state, deadline)))


async def _query(state: SearchState, d: IndexDef, body: bytes, received: float) -> Reply:
    loop = asyncio.get_running_loop()
    prefix = f"rest_index: Query, indexName: {d.name}, err: "
    index = state.index_for(d)

    def parse() -> Any:
        raw = loads(body)
        return raw, SearchRequest(raw, index)

    try:
        raw, req = await state.pool.run(loop, parse)
    except QueryError as exc:
        return _fail(400, f"{prefix}bleve: QueryBleve parsing searchRequest, err: {exc}")
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return _fail(400, f"{prefix}bleve: QueryBleve parsing searchRequest, err: {exc}")
    deadline = time.monotonic() - (time.perf_counter() - received) + req.timeout
    try:
        async with index.lock:
            if _node_plan(d).get("canWrite", True):  # (not while ingest is paused)
                await _catch_up(state, index, deadline)
            reply = await _consistent(state, index, req.vectors.get(d.name), deadline, prefix)
            if reply is not None:
                return reply
            if index.full:
                return _fail(429, f"{prefix}query request rejected: the index is over its "
                                  f"size limit of {index.max_bytes} bytes", raw)
            now = state.cluster.clock()
            return 200, await state.pool.run(loop, lambda: answer(
                req, index, now, _policy(state, deadline), _policy(state, None)))
    except QueryError as exc:  # found while running (a term expansion over the cap)
        return _fail(400, f"{prefix}{exc}")
    except Timeout:
        return 200, {"status": {"total": 1, "failed": 1, "successful": 0, "errors": {
            f"{d.name}_{d.uuid}_{0:08x}": "context deadline exceeded"}},
            "request": raw, "hits": [], "total_hits": 0, "max_score": 0, "took": int(
                (time.perf_counter() - received) * 1e9), "facets": {}}


async def _consistent(state: SearchState, index: SearchIndex, vector: Optional[dict[str, Any]],
                      deadline: float, prefix: str) -> Optional[Reply]:
    """Wait until the index holds the mutations of an ``at_plus`` vector
    (``{"vb/uuid": seqno}`` or ``{"vb": seqno}``); an answer if it cannot."""
    if not vector:
        return None
    wanted: dict[int, tuple[Optional[str], int]] = {}
    for key, seqno in vector.items():
        vb_text, _, uuid = str(key).partition("/")
        if not vb_text.isdigit() or int(vb_text) >= len(index.seqnos) or \
                isinstance(seqno, bool) or not isinstance(seqno, int):
            return _fail(400, f"{prefix}bad consistency vector entry {key!r}: {seqno!r}")
        wanted[int(vb_text)] = (uuid or None, seqno)
    state_now = {int(k.split("/")[0]): k.split("/")[1] for k in index.vbucket_state()}
    for vb, (want_uuid, _) in wanted.items():
        if want_uuid is not None and want_uuid != state_now[vb]:
            return _fail(400, f"{prefix}pindex_consistency mismatched partition, "
                              f"vbucket {vb}: uuid {want_uuid} is not {state_now[vb]}")
    while any(index.seqnos[vb] < seqno for vb, (_, seqno) in wanted.items()):
        if time.monotonic() > deadline:
            behind = {vb: [index.seqnos[vb], seqno] for vb, (_, seqno) in wanted.items()
                      if index.seqnos[vb] < seqno}
            return _fail(412, f"{prefix}cbft.ErrorConsistencyWait, err: timeout waiting "
                              f"for consistency, behind (vbucket: [indexed, wanted]): {behind}")
        await asyncio.sleep(CONSISTENCY_POLL)
        await _catch_up(state, index, deadline)
    return None


class SearchProtocol(HTTPProtocol):
    """One HTTP connection to a node's search port: one request at a time."""

    def __init__(self, cluster: Cluster, node: int) -> None:
        super().__init__()
        self.cluster = cluster
        self.node = node

    def apply_limits(self, limits: Limits) -> None:
        super().apply_limits(limits)
        search_state(self.cluster).max_index_bytes = limits.search_index_bytes

    async def respond(self, request: h11.Request, body: bytes) -> None:
        creds = credentials(request.headers)
        user = creds[0] if creds is not None else ""
        mark = meta_mark(self.cluster)  # an index definition: on disk before the answer
        status, doc = await handle(self.cluster, request.method.decode(),
                                   request.target.decode("latin-1"), user, body,
                                   self._received)
        await meta_durable(self.cluster, mark)
        if doc is None:
            self._send_text(status, request, b"404 page not found\n")
            return
        data = doc if isinstance(doc, bytes) else json.dumps(doc, separators=(",", ":")).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        self.send_whole(status, headers, data, request.method == b"HEAD")

    async def respond_error(self, request: h11.Request, exc: Exception) -> None:
        data = json.dumps({"error": f"{type(exc).__name__}: {exc}", "status": "fail"}).encode()
        self.send_whole(500, [("Content-Type", "application/json"),
                              ("Content-Length", str(len(data)))], data, False)

    def _send_text(self, status: int, request: h11.Request, text: bytes) -> None:
        self.send_whole(status, [("Content-Type", "text/plain; charset=utf-8"),
                                 ("Content-Length", str(len(text)))], text,
                        request.method == b"HEAD")
