"""A search as an HTTP flow (see :mod:`couchbase._core.commands`), for every front end.

``POST /api/index/{name}/query`` to a node's search service; the ``hits``
go out in Emit commands as they arrive, the rest of the response becomes
the request's ``meta``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Generator, Optional
from urllib.parse import quote

from .._core.commands import RECEIVE, Connect, Emit, Endpoint
from .._core.http import HttpExchange
from .._core.http_rows import RowParseError, RowParser
from .._http.flows import http_error
from ..exceptions import ArgumentError, ProtocolError
from .queries import SearchError

if TYPE_CHECKING:
    from .request import SearchRequest

Flow = Generator[Any, Any, Any]
_ERROR_BODY_LIMIT = 1 << 20


def _encode(body: dict[str, Any]) -> bytes:
    try:
        return json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ArgumentError(f"search parameters must be JSON-encodable: {exc}",
                            objextra=body) from None


def search_flow(request: SearchRequest, endpoint: Endpoint) -> Flow:
    """Run ``request``; its hits go out in Emit commands, in order."""
    target = request.path or f"/api/index/{quote(request.index, safe='')}/query"
    ex = HttpExchange("POST", endpoint.host, endpoint.port, target, endpoint.username,
                      endpoint.password, _encode(request.body))
    yield Connect(endpoint, ex.request)
    parser = RowParser("hits")
    raw = bytearray()  # an error response, kept for the exception
    broken: Optional[RowParseError] = None
    while not ex.complete:
        data = yield RECEIVE
        for chunk in ex.feed(data):
            if ex.status != 200:
                if len(raw) < _ERROR_BODY_LIMIT:
                    raw += chunk
                continue
            if broken is not None:
                continue
            try:
                rows = parser.feed(chunk)
            except RowParseError as exc:
                broken = exc
                continue
            if rows:
                yield Emit(request._handle_rows(rows))
    if ex.status != 200:
        raise http_error(ex, bytes(raw), f"search of index {request.index!r}")
    meta: Optional[dict[str, Any]] = None
    if broken is None:
        try:
            meta = parser.finish()
        except RowParseError as exc:
            broken = exc
    if meta is None:
        raise ProtocolError(f"bad search response: {broken}", inner_cause=broken)
    request._finish(meta)
    status = meta.get("status")
    if isinstance(status, dict) and status.get("failed"):
        errors = status.get("errors") or {}
        detail = "; ".join(f"{k}: {v}" for k, v in errors.items()) if isinstance(
            errors, dict) else str(errors)
        raise SearchError(f"search of index {request.index!r} failed on "
                          f"{status['failed']} of {status.get('total')} partitions: {detail}",
                          objextra=meta)
