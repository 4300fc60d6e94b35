"""What tests set up through the local cluster's service REST APIs: documents, a
search index over one type of document, a design document (tests/, shared)."""

from __future__ import annotations

import base64
import http.client
import json
from contextlib import contextmanager
from typing import Any, Iterator, Optional


def rest(mock: Any, port: int, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """``(status, decoded JSON or None)`` of one request to ``port`` as Administrator."""
    conn = http.client.HTTPConnection(mock.host, port, timeout=30)
    token = base64.b64encode(b"Administrator:password").decode()
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body),
                     headers={"Authorization": f"Basic {token}",
                              "Content-Type": "application/json"})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, json.loads(data) if data else None
    finally:
        conn.close()


def upsert_docs(mock: Any, docs: dict[str, Any]) -> None:
    """Write ``docs`` to the default bucket."""
    from couchbase.bucket import Bucket

    cb = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
    cb.upsert_multi(docs)
    cb.close()


def books(prefix: str, kind: str) -> dict[str, Any]:
    """Four book documents of type ``kind``, keyed ``{prefix}::1`` to ``{prefix}::4``."""
    shelf = [("Couchbase and NoSQL in practice", 320, "2016-03-01", "databases"),
             ("Learning NoSQL", 150, "2012-07-15", "databases"),
             ("Gardening for beginners", 90, "2019-04-20", "hobbies"),
             ("The couchbase cookbook", 410, "2020-11-02", "databases")]
    return {f"{prefix}::{i}": {"type": kind, "title": title, "pages": pages,
                               "published": published, "topic": topic}
            for i, (title, pages, published, topic) in enumerate(shelf, 1)}


def type_index(kind: str) -> dict[str, Any]:
    """The definition of a search index over the default bucket's documents whose
    ``type`` is ``kind`` (every field indexed and stored)."""
    return {
        "type": "fulltext-index", "sourceType": "gocbcore", "sourceName": "default",
        "params": {"doc_config": {"mode": "type_field", "type_field": "type"},
                   "mapping": {"default_mapping": {"enabled": False}, "store_dynamic": True,
                               "types": {kind: {"enabled": True, "dynamic": True}}}},
    }


@contextmanager
def search_index_of(mock: Any, name: str, kind: str,
                    scope: Optional[tuple[str, str]] = None) -> Iterator[str]:
    """Search index ``name`` over the documents of type ``kind`` (a ``(bucket, scope)``
    index with ``scope``), deleted on the way out."""
    path = f"/api/index/{name}" if scope is None else \
        f"/api/bucket/{scope[0]}/scope/{scope[1]}/index/{name}"
    port = mock.nodes[0].search_port
    status, doc = rest(mock, port, "PUT", path, type_index(kind))
    assert status == 200, doc
    try:
        yield name
    finally:
        rest(mock, port, "DELETE", path)


@contextmanager
def design_document(mock: Any, name: str, views: dict[str, Any]) -> Iterator[str]:
    """Design document ``name`` of the default bucket with ``views``, deleted on the way out."""
    port = mock.nodes[0].capi_port
    status, doc = rest(mock, port, "PUT", f"/default/_design/{name}", {"views": views})
    assert status in (200, 201), doc
    try:
        yield name
    finally:
        rest(mock, port, "DELETE", f"/default/_design/{name}")
