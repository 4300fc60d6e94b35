"""Documents over REST, as the server's web console reads and writes them::

    GET    /pools/default/buckets/<b>[/scopes/<s>/collections/<c>]/docs
           ?skip=&limit=&startkey=&endkey=   keys in order (keys as JSON strings)
    GET    .../docs/<id>                     {"meta": {...}, "json": ...}
    POST   .../docs/<id>                     form: value=<JSON>[&flags=][&expiry=]
    DELETE .../docs/<id>

Without ``scopes/.../collections/...`` the default collection is meant. A
listing answers ``{"rows": [{"id", "doc": {"meta", "json"}}], "total_rows"}``
(``"base64"`` in place of ``"json"`` for a body that is not JSON); ``meta``
holds ``id``, ``rev`` (``<revno>-<cas hex>``), ``expiration``, ``flags`` and,
an addition of the local cluster, ``cas`` (a decimal string). Missing
documents get 404 ``{"error": "not_found", "reason": "missing"}``.

Also the local cluster's own: a ``cas`` form field on POST (query parameter
on DELETE) makes the write conditional; a stale one gets 409
``{"error": "cas_mismatch", "cas": "<current>"}`` and changes nothing, so a
console edit never silently overwrites a concurrent one.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Optional
from urllib.parse import parse_qsl

from couchbase._core.status import Status

from .cluster import Cluster
from .manifest import ManifestError
from .storage import Document

Answer = tuple[int, Any]
MAX_LIMIT = 1000
JSON_DATATYPE = 0x01


def owns(rest: list[str]) -> bool:
    """Whether ``rest`` (the path after ``/pools/default/buckets/<b>``) is ours."""
    return rest[:1] == ["docs"] or (len(rest) >= 5 and rest[0] == "scopes"
                                    and rest[2] == "collections" and rest[4] == "docs")


def handle(cluster: Cluster, bucket_name: str, method: str, rest: list[str],
           query: str, body: bytes) -> Answer:
    """Answer a request under ``/pools/default/buckets/<bucket_name>/``."""
    if rest[0] == "docs":
        path, tail = "_default._default", rest[1:]
    else:
        path, tail = f"{rest[1]}.{rest[3]}", rest[5:]
    bucket = cluster.buckets[bucket_name]
    if not bucket.is_couchbase:
        return 400, {"error": "bad_request", "reason": "only couchbase buckets hold documents"}
    try:
        cid = bucket.manifest.collection_id(path)[1]
    except ManifestError as exc:
        return 404, {"error": "not_found", "reason": str(exc)}
    params = dict(parse_qsl(query, keep_blank_values=True))
    if not tail:
        if method != "GET":
            return 405, b""
        return _listing(cluster, bucket_name, cid, params)
    if len(tail) != 1:
        return 404, b"Requested resource not found.\r\n"
    key = tail[0].encode()
    if method == "GET":
        doc = _find(cluster, bucket_name, cid, key)
        if doc is None:
            return 404, {"error": "not_found", "reason": "missing"}
        return 200, _shape(tail[0], doc)
    if method == "POST":
        return _store(cluster, bucket_name, cid, key, body)
    if method == "DELETE":
        return _delete(cluster, bucket_name, cid, key, params.get("cas", ""))
    return 405, b""


def _locate(cluster: Cluster, bucket_name: str, key: bytes) -> tuple[int, int]:
    bucket = cluster.buckets[bucket_name]
    vb = bucket.vbucket_of(key)
    return bucket.active_node(vb), vb


def _find(cluster: Cluster, bucket_name: str, cid: int, key: bytes) -> Optional[Document]:
    node, vb = _locate(cluster, bucket_name, key)
    status, doc = cluster.engines[bucket_name].get(node, vb, (cid, key))
    return doc if status == Status.SUCCESS else None


def _meta(key: str, doc: Document) -> dict[str, Any]:
    return {"id": key, "rev": f"{doc.revno}-{doc.cas:016x}", "expiration": int(doc.expiry),
            "flags": doc.flags, "cas": str(doc.cas)}


def _shape(key: str, doc: Document) -> dict[str, Any]:
    try:
        return {"meta": _meta(key, doc), "json": json.loads(doc.value)}
    except (UnicodeDecodeError, ValueError, RecursionError):
        return {"meta": _meta(key, doc), "base64": base64.b64encode(doc.value).decode()}


def _json_key(params: dict[str, str], name: str) -> Optional[str]:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw  # a bare string is taken as meant
    return value if isinstance(value, str) else str(value)


def _listing(cluster: Cluster, bucket_name: str, cid: int, params: dict[str, str]) -> Answer:
    try:
        skip = int(params.get("skip", "0"))
        limit = int(params.get("limit", "10"))
    except ValueError:
        return 400, {"error": "bad_request", "reason": "skip and limit must be integers"}
    if skip < 0 or not 0 < limit <= MAX_LIMIT:
        return 400, {"error": "bad_request",
                     "reason": f"skip must be >= 0 and limit between 1 and {MAX_LIMIT}"}
    start, end = _json_key(params, "startkey"), _json_key(params, "endkey")
    bucket = cluster.buckets[bucket_name]
    now = cluster.clock()
    live: dict[bytes, Document] = {}
    for vb_id, chain in enumerate(bucket.vbmap):
        vb = bucket.stores[chain[0]].vbuckets[vb_id]
        for (doc_cid, key), doc in vb.docs.items():
            if doc_cid == cid and not doc.deleted and not doc.is_expired(now):
                live[key] = doc
    keys = sorted(k.decode("utf-8", "replace") for k in live)
    if start is not None:
        keys = [k for k in keys if k >= start]
    if end is not None:
        keys = [k for k in keys if k <= end]
    rows = [{"id": k, "doc": _shape(k, live[k.encode()])} for k in keys[skip:skip + limit]]
    return 200, {"rows": rows, "total_rows": len(keys)}


def _cas(raw: str) -> Optional[int]:
    if raw == "":
        return 0
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if 0 <= value < 1 << 64 else None


def _store(cluster: Cluster, bucket_name: str, cid: int, key: bytes, body: bytes) -> Answer:
    form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    value = form.get("value", "")
    try:
        json.loads(value)
        flags = int(form.get("flags", "33554432"))  # the JSON common flags
        expiry = int(form.get("expiry", "0"))
    except (ValueError, RecursionError):
        return 400, {"errors": {"value": "The value must be JSON; flags and expiry integers"}}
    cas = _cas(form.get("cas", ""))
    if cas is None or not 0 <= flags < 1 << 32 or expiry < 0:
        return 400, {"errors": {"_": "cas, flags or expiry out of range"}}
    node, vb = _locate(cluster, bucket_name, key)
    engine = cluster.engines[bucket_name]
    status, doc = engine.store(node, vb, (cid, key), "set", value.encode(), flags, expiry,
                               cas, JSON_DATATYPE)
    return _outcome(cluster, bucket_name, cid, key, status, doc)


def _delete(cluster: Cluster, bucket_name: str, cid: int, key: bytes, raw_cas: str) -> Answer:
    cas = _cas(raw_cas)
    if cas is None:
        return 400, {"errors": {"cas": "not a CAS"}}
    node, vb = _locate(cluster, bucket_name, key)
    status, doc = cluster.engines[bucket_name].delete(node, vb, (cid, key), cas)
    return _outcome(cluster, bucket_name, cid, key, status, doc)


def _outcome(cluster: Cluster, bucket_name: str, cid: int, key: bytes, status: Status,
             doc: Optional[Document]) -> Answer:
    if status == Status.SUCCESS:
        assert doc is not None
        return 200, {"meta": _meta(key.decode("utf-8", "replace"), doc)}
    if status == Status.KEY_ENOENT:
        return 404, {"error": "not_found", "reason": "missing"}
    if status == Status.KEY_EEXISTS:
        current = _find(cluster, bucket_name, cid, key)
        return 409, {"error": "cas_mismatch",
                     "reason": "the document changed since it was read",
                     "cas": str(current.cas) if current is not None else "0"}
    if status == Status.LOCKED:
        return 423, {"error": "locked", "reason": "the document is locked"}
    return 400, {"error": "bad_request", "reason": status.name}
