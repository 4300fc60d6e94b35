"""A search as an HTTP flow (see :mod:`couchbase._core.commands`), for every front end.

``POST /api/index/{name}/query`` to a node's search service; the ``hits``
go out in Emit commands as they arrive, the rest of the response becomes
the request's ``meta``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generator
from urllib.parse import quote

from .._core.commands import Endpoint
from .._http.row_stream import encode_json, row_stream_flow
from .queries import SearchError

if TYPE_CHECKING:
    from .request import SearchRequest

Flow = Generator[Any, Any, Any]


def search_flow(request: SearchRequest, endpoint: Endpoint) -> Flow:
    """Run ``request``; its hits go out in Emit commands, in order."""
    target = request.path or f"/api/index/{quote(request.index, safe='')}/query"
    _, meta = yield from row_stream_flow(
        endpoint, target, encode_json(request.body, "search"), "hits", request._handle_rows,
        f"search of index {request.index!r}", "search", error_json=False)
    request._finish(meta)
    status = meta.get("status")
    if isinstance(status, dict) and status.get("failed"):
        errors = status.get("errors") or {}
        detail = "; ".join(f"{k}: {v}" for k, v in errors.items()) if isinstance(
            errors, dict) else str(errors)
        raise SearchError(f"search of index {request.index!r} failed on "
                          f"{status['failed']} of {status.get('total')} partitions: {detail}",
                          objextra=meta)
