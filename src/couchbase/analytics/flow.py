"""Analytics requests as HTTP flows (see :mod:`couchbase._core.commands`), for every
front end: the N1QL flows' shape, on the analytics service's path.

:func:`analytics_flow` POSTs the query to ``/analytics/service`` and emits
the rows of its ``results`` as they arrive. :func:`deferred_flow` runs a
query in the background (``mode: async``): the answer is a status handle,
polled with GET until the status is ``success``; its result handle then
gives the rows, one JSON array.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, Callable, Generator, Optional
from urllib.parse import urlsplit

from .._core.commands import Emit, Endpoint, Sleep
from .._http.flows import http_error, request_flow
from .._http.row_stream import encode_json, row_stream_flow, service_error
from ..exceptions import AnalyticsError, ProtocolError, TimeoutError

if TYPE_CHECKING:
    from .request import AnalyticsRequest, DeferredAnalyticsRequest

Flow = Generator[Any, Any, Any]

PATH = "/analytics/service"
_RUNNING = ("running", "queued", "scheduled")


def post_flow(endpoint: Endpoint, body: dict[str, Any],
              emit: Optional[Callable[[list[Any]], list[Any]]]) -> Flow:
    """POST ``body``; rows go out through ``emit`` (None: no rows expected).

    Returns the response less its rows; raises AnalyticsError for a response
    with errors, HTTPError for one that is not an analytics response at all.
    """
    statement = str(body.get("statement"))
    status, meta = yield from row_stream_flow(
        endpoint, PATH, encode_json(body, "analytics query"), "results",
        emit or _no_rows, f"analytics query {statement!r}", "analytics",
        any_2xx=True)  # 202 for mode async
    meta.pop("results", None)
    ok = status is not None and 200 <= status < 300
    if meta.get("errors") or not ok or meta.get("status", "success") not in (
            "success", *_RUNNING):
        raise analytics_error(meta, status, statement)
    return meta


def _no_rows(rows: list[Any]) -> None:
    """Drop the rows of a response that has none to give (a status handle's)."""


def analytics_error(meta: dict[str, Any], status: Optional[int],
                    statement: str) -> AnalyticsError:
    return service_error(meta, status, statement, "analytics", lambda _: AnalyticsError)


def analytics_flow(request: AnalyticsRequest, endpoint: Endpoint) -> Flow:
    """Run ``request``, its rows going out in Emit commands."""
    meta = yield from post_flow(endpoint, request._body(), request._handle_rows)
    request._finish(meta)


def _handle_endpoint(handle: Any, endpoint: Endpoint) -> tuple[Endpoint, str]:
    """Where a handle (an absolute URL or a path) points: the node and the target."""
    if not isinstance(handle, str) or not handle:
        raise ProtocolError(f"the analytics service sent no usable handle: {handle!r}",
                            objextra=handle)
    parts = urlsplit(handle)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    if parts.hostname and parts.port:
        endpoint = endpoint._replace(host=parts.hostname, port=parts.port)
    return endpoint, target or "/"


def _get_json(endpoint: Endpoint, handle: Any, what: str) -> Flow:
    where, target = _handle_endpoint(handle, endpoint)
    ex, raw = yield from request_flow(where, "GET", target)
    if ex.status != 200:
        raise http_error(ex, raw, what)
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ProtocolError(f"bad analytics response to {what}: {exc}",
                            inner_cause=exc) from None


def deferred_flow(request: DeferredAnalyticsRequest, endpoint: Endpoint) -> Flow:
    """Run ``request`` in the background: post, poll its status every
    ``request.interval`` seconds for up to ``request.timeout``, then emit its rows."""
    statement = request.params.statement
    meta = yield from post_flow(endpoint, request._body(), None)
    status_handle = meta.get("handle")
    polls = max(1, math.ceil(request.timeout / request.interval))
    for poll in range(polls + 1):
        status = yield from _get_json(endpoint, status_handle,
                                      f"status of analytics query {statement!r}")
        if not isinstance(status, dict):
            raise ProtocolError("bad analytics status response", objextra=status)
        state = status.get("status")
        if state == "success":
            break
        if state not in _RUNNING or status.get("errors"):
            raise analytics_error(status, 200, statement)
        if poll == polls:
            raise TimeoutError(f"deferred analytics query {statement!r} still "
                               f"{state!r} after {request.timeout} s", objextra=status)
        yield Sleep(request.interval)
    rows = yield from _get_json(endpoint, status.get("handle"),
                                f"results of analytics query {statement!r}")
    if not isinstance(rows, list):
        rows = [rows]
    if rows:
        yield Emit(request._handle_rows(rows))
    meta.update({k: v for k, v in status.items() if k != "handle"})
    request._finish(meta)


__all__ = ["PATH", "analytics_error", "analytics_flow", "deferred_flow", "post_flow"]
