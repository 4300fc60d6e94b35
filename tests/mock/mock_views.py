"""Helpers for the views tests: raw HTTP to a node's views (capi) port, and
documents written straight into the mock's engine."""

from __future__ import annotations

import http.client
import json
from typing import Any, Iterable, Mapping, Optional, Union
from urllib.parse import quote, urlencode

from mock_http import ADMIN

from couchbase._core.feature import Datatype


def capi(mock: Any, method: str, path: str, body: Any = None,
         headers: Optional[Mapping[str, str]] = None, node: int = 0,
         timeout: float = 30) -> tuple[int, Any, dict[str, str]]:
    """``(status, decoded JSON body, headers)`` of one request to the views port."""
    conn = http.client.HTTPConnection(mock.host, mock.nodes[node].capi_port, timeout=timeout)
    try:
        hdrs = dict(headers if headers is not None else ADMIN)
        data: Optional[bytes] = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = raw
        return resp.status, decoded, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


def put_ddoc(mock: Any, name: str, views: Mapping[str, Mapping[str, str]],
             bucket: str = "default") -> None:
    status, body, _ = capi(mock, "PUT", f"/{bucket}/_design/{name}", {"views": views})
    assert status == 201, body


def view_path(ddoc: str, view: str, bucket: str = "default", **params: Any) -> str:
    """``/<bucket>/_design/<ddoc>/_view/<view>?...``: values that are not
    strings are JSON encoded, strings are sent as they are."""
    query = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in params.items()}
    path = f"/{bucket}/_design/{quote(ddoc)}/_view/{quote(view)}"
    return path + ("?" + urlencode(query) if query else "")


def query(mock: Any, ddoc: str, view: str, bucket: str = "default", node: int = 0,
          **params: Any) -> dict[str, Any]:
    """A successful view query's decoded body (``stale=false`` unless given)."""
    params.setdefault("stale", "false")
    status, body, _ = capi(mock, "GET", view_path(ddoc, view, bucket, **params), node=node)
    assert status == 200, body
    return body  # type: ignore[no-any-return]


def store(mock: Any, docs: Union[Mapping[str, Any], Iterable[tuple[str, Any]]],
          bucket: str = "default", flags: int = 0x02000006, expiry: int = 0) -> None:
    """Write documents (JSON values, or bytes as they are) through the engine,
    on their active nodes, in one hop onto the mock's loop."""
    items = list(docs.items()) if isinstance(docs, Mapping) else list(docs)

    def run(cluster: Any) -> None:
        b = cluster.buckets[bucket]
        engine = cluster.engines[bucket]
        for key, value in items:
            raw = key.encode()
            vb = b.vbucket_of(raw)
            if isinstance(value, bytes):
                data, datatype = value, 0
            else:
                data, datatype = json.dumps(value).encode(), int(Datatype.JSON)
            engine.store(b.active_node(vb), vb, (0, raw), "set", data, flags, expiry, 0,
                         datatype)

    mock.call(run)


def remove(mock: Any, keys: Iterable[str], bucket: str = "default") -> None:
    keys = list(keys)

    def run(cluster: Any) -> None:
        b = cluster.buckets[bucket]
        engine = cluster.engines[bucket]
        for key in keys:
            raw = key.encode()
            vb = b.vbucket_of(raw)
            engine.delete(b.active_node(vb), vb, (0, raw), 0)

    mock.call(run)


def index_stats(mock: Any, ddoc: str, bucket: str = "default") -> dict[str, Any]:
    """The counters of a design document's index (documents mapped, ...)."""
    from couchbase_mock.views.service import bucket_views

    def run(cluster: Any) -> dict[str, Any]:
        state = bucket_views(cluster, bucket)
        assert state is not None
        return state.indexes[ddoc].stats()

    return mock.call(run)  # type: ignore[no-any-return]
