"""The views service (``capi``, port 8092 on a real node), driven by h11.

Routes, on every node's views port (Basic auth as on the REST port: the
administrator, or a bucket name with its bucket password):

- ``GET|PUT|DELETE /<bucket>/_design/<name>``: design documents;
- ``GET|POST /<bucket>/_design/<ddoc>/_view/<view>``: queries (POST body
  ``{"keys": [...]}`` and/or other parameters as JSON).

``<bucket>`` may carry the bucket uuid (``default+<uuid>``, as real
``couchApiBase`` URLs do). There is one logical index per design document
per bucket, built from the active vbuckets and served by every node;
development views (``dev_``) see only the active vbuckets of the node asked,
unless ``full_set=true``. View responses are streamed in chunks.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from typing import Any, Optional
from urllib.parse import parse_qsl, unquote, urlsplit

import h11

from ..bucket import Bucket
from ..cluster import Cluster
from ..httpserver import HTTPProtocol, credentials
from ..persistence import meta_durable, meta_mark
from . import jsengine
from .ddocs import DesignDoc, DesignError, DesignStore
from .index import DdocIndex
from .query import (
    QueryError,
    body_chunks,
    check_for_view,
    check_range,
    map_row,
    page,
    parse,
    select,
)
from .reduce import ReduceError, encode, group_rows, reduce_groups

_JSON = "application/json"


# -- state --------------------------------------------------------------------


class BucketViews:
    """The design documents of one bucket and their indexes."""

    def __init__(self, bucket: Bucket) -> None:
        self.bucket = bucket
        self.ddocs = DesignStore()
        self.indexes: dict[str, DdocIndex] = {}

    def index_for(self, ddoc: DesignDoc, clock: Any) -> DdocIndex:
        index = self.indexes.get(ddoc.name)
        if index is None or index.signature != ddoc.signature():
            if index is not None:
                index.close()
            index = DdocIndex(self.bucket, ddoc, clock)
            self.indexes[ddoc.name] = index
        return index

    def drop_index(self, name: str) -> None:
        index = self.indexes.pop(name, None)
        if index is not None:
            index.close()


_STATE: weakref.WeakKeyDictionary[Cluster, dict[str, BucketViews]] = (
    weakref.WeakKeyDictionary()
)


def bucket_views(cluster: Cluster, name: str) -> Optional[BucketViews]:
    """The views state of a bucket (``None``: no such couchbase bucket); a
    bucket deleted and created again starts with no design documents."""
    bucket = cluster.buckets.get(name)
    if bucket is None or not bucket.is_couchbase:
        return None
    per_cluster = _STATE.get(cluster)
    if per_cluster is None:
        per_cluster = _STATE[cluster] = {}
        cluster.metadata_sources[DDOCS_META] = lambda: _saved_ddocs(cluster)
    state = per_cluster.get(name)
    if state is None or state.bucket is not bucket:
        if state is not None:
            for index_name in list(state.indexes):
                state.drop_index(index_name)
        state = per_cluster[name] = BucketViews(bucket)
        saved = cluster.restored_extra.get(DDOCS_META, {}).get(name)
        if saved is not None and saved["uuid"] == bucket.uuid:  # from the data directory
            state.ddocs.restore(saved["docs"])
    return state


DDOCS_META = "ddocs"
"""The name design documents are kept under in the data directory."""


def _saved_ddocs(cluster: Cluster) -> dict[str, Any]:
    """Every bucket's design documents, as the data directory keeps them: those
    of buckets whose views ran in this process, else what was restored."""
    out = dict(cluster.restored_extra.get(DDOCS_META, {}))
    for name, state in _STATE.get(cluster, {}).items():
        out[name] = {"uuid": state.bucket.uuid, "docs": state.ddocs.to_json()}
    return {name: entry for name, entry in out.items()
            if name in cluster.buckets and cluster.buckets[name].uuid == entry["uuid"]}


def ddoc_listing(cluster: Cluster, name: str) -> dict[str, Any]:
    """``GET /pools/default/buckets/<name>/ddocs`` on the REST port."""
    state = bucket_views(cluster, name)
    if state is None:
        return {"rows": []}
    return state.ddocs.listing(name)


# -- responses ------------------------------------------------------------------


class Reply:
    """A response: status, JSON (or bytes) body, or a stream of chunks."""

    __slots__ = ("status", "body", "chunks", "headers", "after")

    def __init__(self, status: int, body: Any = b"", chunks: Any = None,
                 headers: Optional[list[tuple[str, str]]] = None) -> None:
        self.status = status
        self.body = body if isinstance(body, bytes) else encode(body).encode()
        self.chunks = chunks
        self.headers = headers or []
        self.after: Optional[DdocIndex] = None


def _error(status: int, error: str, reason: str) -> Reply:
    return Reply(status, {"error": error, "reason": reason})


def _not_found(reason: str = "missing") -> Reply:
    return _error(404, "not_found", reason)


async def handle(cluster: Cluster, node: int, method: str, target: str,
                 user: Optional[str], body: bytes) -> Reply:
    """Answer one request on a node's views port."""
    if user is None:
        return Reply(401, {"error": "unauthorized", "reason": "password required"},
                     headers=[("WWW-Authenticate", 'Basic realm="Couchbase Server Admin / REST"')])
    split = urlsplit(target)
    parts = [unquote(p) for p in split.path.split("/") if p]
    if not parts:
        return Reply(200, {"couchdb": "Welcome", "version": "v4.5.1-couchbase"})
    bucket_name = parts[0].split("+", 1)[0]
    if bucket_name not in cluster.buckets:
        return _not_found("no_couchbase_bucket_exists")
    if not cluster.may_access(user, bucket_name):
        return Reply(401, {"error": "unauthorized", "reason": "password required"})
    state = bucket_views(cluster, bucket_name)
    if state is None:
        return _not_found("no_couchbase_bucket_exists")
    rest = parts[1:]
    if len(rest) == 1 and rest[0].startswith("_design/"):  # _design%2Fname
        rest = ["_design", rest[0][len("_design/"):]]
    if len(rest) < 2 or rest[0] != "_design":
        return _not_found("missing")
    name = rest[1]
    if len(rest) == 2:
        return await _design(cluster, state, method, name, body)
    if len(rest) == 4 and rest[2] == "_view":
        if method not in ("GET", "POST", "HEAD"):
            return _error(405, "method_not_allowed", "Only GET,POST,HEAD allowed")
        return await _view(cluster, node, state, name, rest[3], split.query, method, body)
    return _not_found("missing")


async def _design(cluster: Cluster, state: BucketViews, method: str, name: str,
                  body: bytes) -> Reply:
    store = state.ddocs
    if method in ("GET", "HEAD"):
        doc = store.get(name)
        if doc is None:
            return _not_found("missing")
        meta = encode({"id": doc.id, "rev": doc.rev, "type": "json"})
        return Reply(200, doc.body, headers=[("X-Couchbase-Meta", meta)])
    if method == "PUT":
        if not jsengine.available():
            return _error(500, "error", "the views JavaScript engine (mini-racer) is not installed")
        try:
            doc = await store.put(name, body)
        except DesignError as exc:
            return _error(400, exc.error, exc.reason)
        except jsengine.JSError as exc:  # the check itself failed (a limit, the engine)
            return _error(500, exc.error, str(exc))
        state.drop_index(name)
        cluster.persist_meta()
        meta = encode({"id": doc.id, "rev": doc.rev, "type": "json"})
        return Reply(201, {"ok": True, "id": doc.id}, headers=[("X-Couchbase-Meta", meta)])
    if method == "DELETE":
        doc = store.delete(name)
        if doc is None:
            return _not_found("missing")
        state.drop_index(name)
        cluster.persist_meta()
        return Reply(200, {"ok": True, "id": doc.id})
    return _error(405, "method_not_allowed", "Only DELETE,GET,HEAD,PUT allowed")


async def _view(cluster: Cluster, node: int, state: BucketViews, ddoc_name: str,
                view_name: str, query_string: str, method: str, body: bytes) -> Reply:
    ddoc = state.ddocs.get(ddoc_name)
    if ddoc is None:
        return _not_found("missing")
    view = ddoc.views.get(view_name)
    if view is None:
        return _not_found("missing_named_view")
    posted: Optional[dict[str, Any]] = None
    if method == "POST" and body.strip():
        try:
            posted = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return _error(400, "bad_request", "invalid UTF-8 JSON")
        if not isinstance(posted, dict):
            return _error(400, "bad_request", "Request body must be a JSON object")
    try:
        q = parse(parse_qsl(query_string, keep_blank_values=True), posted)
        level = check_for_view(q, view.reduce is not None)
        check_range(q)
    except QueryError as exc:
        return _error(400, "query_parse_error", str(exc))
    index = state.index_for(ddoc, cluster.clock)
    if q.stale == "false":
        try:
            await index.update()
        except jsengine.JSError as exc:  # the map functions failed as a whole
            return _error(500, exc.error, str(exc))
    rows = index.view_rows(view_name)
    vbuckets: Optional[set[int]] = None
    if ddoc.is_dev and not q.full_set:
        vbuckets = set(state.bucket.vbuckets_of(node))
    head = ""
    if q.debug:
        head = f'"debug_info":{encode({"local": index.stats()})},'
    if level is None:
        total = len(rows) if vbuckets is None else sum(1 for r in rows if r[3] in vbuckets)
        chunks = body_chunks(
            f'{{"total_rows":{total},' + head,
            (map_row(r) for r in page(select(rows, q, vbuckets), q)),
        )
    else:
        assert view.reduce is not None
        groups = group_rows(select(rows, q, vbuckets), None if level == 0 else level)
        groups = list(page(iter(groups), q))
        try:
            values = await reduce_groups(index, view_name, view.reduce, groups)
        except ReduceError as exc:
            return _error(500, exc.error, str(exc))
        chunks = body_chunks(
            "{" + head,
            (f'{{"key":{encode(key)},"value":{encode(value)}}}'
             for (key, _rows), value in zip(groups, values)),
        )
    reply = Reply(200, chunks=chunks)
    if q.stale == "update_after":
        reply.after = index
    return reply


# -- the protocol -----------------------------------------------------------------


class CapiProtocol(HTTPProtocol):
    """One HTTP connection to a node's views port: one request at a time,
    responses streamed with chunked encoding and flow control."""

    def __init__(self, cluster: Cluster, node: int) -> None:
        super().__init__()
        self.cluster = cluster
        self.node = node

    async def respond(self, request: h11.Request, body: bytes) -> None:
        creds = credentials(request.headers)
        user = None
        if creds is not None and self.cluster.check_password(*creds):
            user = creds[0]
        mark = meta_mark(self.cluster)  # a design document: on disk before the answer
        reply = await handle(
            self.cluster, self.node, request.method.decode(), request.target.decode("latin-1"),
            user, body,
        )
        await meta_durable(self.cluster, mark)
        await self._write(reply, request.method == b"HEAD")
        if reply.after is not None:
            _background(_update_after(reply.after))

    async def respond_error(self, request: h11.Request, exc: Exception) -> None:
        await self._write(_error(500, "error", f"{type(exc).__name__}: {exc}"), False)

    async def _write(self, reply: Reply, head_only: bool) -> None:
        headers = [
            ("Content-Type", _JSON),
            ("Server", "MochiWeb/1.0 (Any of you quaids got a smint?)"),
            ("Cache-Control", "must-revalidate"),
            *reply.headers,
        ]
        if reply.chunks is None:
            headers.append(("Content-Length", str(len(reply.body))))
            self.send_whole(reply.status, headers, reply.body, head_only)
        else:
            await self.send_chunked(reply.status, headers, reply.chunks, head_only)


_TASKS: set[asyncio.Future[Any]] = set()


async def _update_after(index: DdocIndex) -> None:
    """``stale=update_after``: a failure is the next ``stale=false`` query's to
    report (the index keeps it in ``last_error``)."""
    try:
        await index.update()
    except jsengine.JSError:
        pass


def _background(coro: Any) -> None:
    """Run an index update after a response (``stale=update_after``)."""
    task = asyncio.ensure_future(coro)
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
