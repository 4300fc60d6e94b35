"""The HTTP flows of the API: a view query, and design document management.

Written once for every front end: each is a generator of the commands in
:mod:`couchbase._core.commands`, its driver only moves bytes.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, Generator, Optional
from urllib.parse import quote

from .._core.commands import RECEIVE, Connect, Emit, Endpoint, Sleep
from .._core.http import HttpExchange
from .._core.http_rows import RowParseError, RowParser
from ..exceptions import ArgumentError, HTTPError, ProtocolError, TimeoutError
from ..result import HttpResult

if TYPE_CHECKING:
    from ..views.iterator import View

Flow = Generator[Any, Any, Any]

_ERROR_BODY_LIMIT = 1 << 20  # keep at most this much of an error response


def request_flow(endpoint: Endpoint, method: str, target: str,
                 body: Optional[bytes] = None, content_type: str = "application/json") -> Flow:
    """One request on a new connection -> ``(exchange, whole body)``."""
    ex = HttpExchange(method, endpoint.host, endpoint.port, target, endpoint.username,
                      endpoint.password, body, content_type)
    yield Connect(endpoint, ex.request)
    chunks: list[bytes] = []
    while not ex.complete:
        data = yield RECEIVE
        chunks += ex.feed(data)
    return ex, b"".join(chunks)


def decode_body(raw: bytes) -> Any:
    """The JSON of a body; its text if it is not JSON."""
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        return raw.decode("utf-8", "replace")


def http_error(ex: HttpExchange, raw: bytes, what: str) -> HTTPError:
    """The HTTPError for a failed response, with the server's error and reason."""
    value = decode_body(raw)
    if isinstance(value, dict):
        detail = ": ".join(str(value[k]) for k in ("error", "reason", "_", "message")
                           if value.get(k))
        if isinstance(value.get("errors"), dict):  # management: {"errors": {field: text}}
            detail = "; ".join(f"{k}: {v}" for k, v in value["errors"].items())
    else:
        detail = (value or ex.reason or "").strip() if isinstance(value, str) else ex.reason
    message = f"{what} failed with HTTP {ex.status}"
    if detail:
        message += f": {detail}"
    return HTTPError(message, status=ex.status, objextra=value)


# -- view queries ------------------------------------------------------------------------
def view_flow(view: View, endpoint: Endpoint) -> Flow:
    """Query ``view``'s view; rows go out in :class:`Emit` commands, in order.

    Streaming views emit the rows of each chunk as it arrives, so memory holds
    one chunk's rows; the others emit all rows once the response is complete.
    """
    query_string, body = view.query._for_request(len(view._path))
    target = view._path + (f"?{query_string}" if query_string else "")
    method = "GET" if body is None else "POST"
    ex = HttpExchange(method, endpoint.host, endpoint.port, target, endpoint.username,
                      endpoint.password, body)
    yield Connect(endpoint, ex.request)
    parser = RowParser()
    held: list[Any] = []
    error_body = bytearray()
    while not ex.complete:
        data = yield RECEIVE
        for chunk in ex.feed(data):
            if ex.status != 200:
                if len(error_body) < _ERROR_BODY_LIMIT:
                    error_body += chunk
                continue
            try:
                rows = parser.feed(chunk)
            except RowParseError as exc:
                raise ProtocolError(f"bad view response: {exc}", inner_cause=exc) from None
            if view._indexed_rows is None and parser.total_rows is not None:
                view._indexed_rows = parser.total_rows
            if not rows:
                continue
            if view.streaming:
                yield from _emit(view, rows)
            else:
                held += rows
    if ex.status != 200:
        raise http_error(ex, bytes(error_body), f"view query {view.design}/{view.view}")
    try:
        meta = parser.finish()
    except RowParseError as exc:
        raise ProtocolError(f"bad view response: {exc}", inner_cause=exc) from None
    if view._indexed_rows is None and parser.total_rows is not None:
        view._indexed_rows = parser.total_rows
    if held:
        yield from _emit(view, held)
        del held
    view._finish(meta)


def _emit(view: View, rows: list[Any]) -> Flow:
    if view.include_docs:
        ops = view._doc_ops(rows)
        if ops:
            results, _ = yield ops  # quiet: a missing document is a result, not an error
            view._attach_docs(rows, results)
    view.rows_returned += len(rows)
    yield Emit(view.row_processor.handle_rows(rows, view._parent, view.include_docs))


# -- design documents ----------------------------------------------------------------------
def design_name(name: str, use_devmode: bool) -> str:
    if not isinstance(name, str) or not name:
        raise ArgumentError(f"a design document name must be a non-empty string, not {name!r}")
    if name.startswith("_design/"):
        name = name[len("_design/"):]
    if use_devmode and not name.startswith("dev_"):
        name = "dev_" + name
    return name


def design_path(bucket: str, name: str) -> str:
    return f"/{quote(bucket, safe='')}/_design/{quote(name, safe='')}"


def _design_body(design: Any) -> tuple[bytes, Any]:
    """The JSON to PUT, and the design as a dict where it is one."""
    if isinstance(design, dict):
        return json.dumps(design).encode("utf-8"), design
    if isinstance(design, (str, bytes)):
        raw = design.encode("utf-8") if isinstance(design, str) else design
        try:
            return raw, json.loads(raw)
        except ValueError:
            raise ArgumentError("the design document is not valid JSON",
                                objextra=design) from None
    raise ArgumentError(f"a design document must be a dict or a JSON string, not {design!r}",
                        objextra=design)


def raw_view_flow(endpoint: Endpoint, bucket: str, design: str, view: str,
                  query: Any) -> Flow:
    """A view's whole response as an HttpResult (``Bucket._view``)."""
    path = f"{design_path(bucket, design)}/_view/{quote(view, safe='')}"
    query_string, body = query._for_request(len(path))
    target = path + (f"?{query_string}" if query_string else "")
    ex, raw = yield from request_flow(endpoint, "GET" if body is None else "POST", target, body)
    if ex.status != 200:
        raise http_error(ex, raw, f"querying view {design}/{view}")
    return HttpResult(target, ex.status, decode_body(raw), ex.headers)


def design_get_flow(endpoint: Endpoint, bucket: str, name: str) -> Flow:
    path = design_path(bucket, name)
    ex, raw = yield from request_flow(endpoint, "GET", path)
    if ex.status != 200:
        raise http_error(ex, raw, f"getting design document {name!r}")
    return HttpResult(path, ex.status, decode_body(raw), ex.headers)


def design_create_flow(endpoint: Endpoint, bucket: str, name: str, design: Any,
                       syncwait: float) -> Flow:
    body, doc = _design_body(design)
    path = design_path(bucket, name)
    ex, raw = yield from request_flow(endpoint, "PUT", path, body)
    if ex.status not in (200, 201):
        raise http_error(ex, raw, f"creating design document {name!r}")
    result = HttpResult(path, ex.status, decode_body(raw), ex.headers)
    if syncwait:
        yield from _wait_ready(endpoint, bucket, name, doc, syncwait)
    return result


def design_publish_flow(endpoint: Endpoint, bucket: str, name: str, syncwait: float) -> Flow:
    """Copy ``dev_<name>`` to ``<name>``; the development document stays."""
    name = design_name(name, False)
    prod = name[len("dev_"):] if name.startswith("dev_") else name
    got = yield from design_get_flow(endpoint, bucket, "dev_" + prod)
    doc = got.value if isinstance(got.value, dict) else {}
    doc = {k: v for k, v in doc.items() if k not in ("_id", "_rev")}
    result = yield from design_create_flow(endpoint, bucket, prod, doc, syncwait)
    return result


def design_delete_flow(endpoint: Endpoint, bucket: str, name: str, syncwait: float) -> Flow:
    path = design_path(bucket, name)
    ex, raw = yield from request_flow(endpoint, "DELETE", path)
    if ex.status != 200:
        raise http_error(ex, raw, f"deleting design document {name!r}")
    result = HttpResult(path, ex.status, decode_body(raw), ex.headers)
    if syncwait:
        deadline = time.monotonic() + syncwait
        pause = 0.02
        while True:
            check, _ = yield from request_flow(endpoint, "GET", path)
            if check.status == 404:
                break
            pause = yield from _pause(pause, deadline, f"design document {name!r} still "
                                                       f"exists {syncwait}s after its deletion")
    return result


def _wait_ready(endpoint: Endpoint, bucket: str, name: str, doc: Any, syncwait: float) -> Flow:
    """Poll until the design's first view answers (or the document reads back)."""
    views = doc.get("views") if isinstance(doc, dict) else None
    path = design_path(bucket, name)
    if isinstance(views, dict) and views:
        first = next(iter(views))
        target = f"{path}/_view/{quote(first, safe='')}?limit=1&stale=ok"
    else:
        target = path
    deadline = time.monotonic() + syncwait
    pause = 0.02
    while True:
        ex, _ = yield from request_flow(endpoint, "GET", target)
        if ex.status == 200:
            return
        pause = yield from _pause(pause, deadline, f"design document {name!r} not ready "
                                                   f"after {syncwait}s")


def _pause(pause: float, deadline: float, message: str) -> Flow:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError(message)
    yield Sleep(min(pause, left))
    return min(pause * 2, 0.5)
