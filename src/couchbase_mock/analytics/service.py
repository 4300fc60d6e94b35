"""The analytics service's HTTP API (the ``cbas`` port, 8095 on a real node).

Routes (Basic auth, any user of the cluster):

- ``POST /analytics/service`` (and ``/query/service``): run a request. The
  body is JSON or a form, with the server's fields: ``statement`` (one or
  more statements separated by ``;``: the answer holds the last one's rows),
  ``args`` (positional), ``$name`` (named parameters), ``client_context_id``,
  ``readonly``, ``scan_consistency`` (``not_bounded`` or ``request_plus``:
  datasets are always current here), ``timeout`` (a Go duration),
  ``query_context`` (``default:`bucket`.`scope```: the scope's dataverse),
  ``mode`` (``async``: the answer is a status handle); the ``Analytics-Priority``
  header is accepted. The answer: ``requestID``, ``clientContextID``,
  ``signature``, ``results``, ``status`` (``success``, ``fatal``, ``timeout``),
  ``errors`` ([{code, msg}]) and ``metrics`` (``elapsedTime``, ``executionTime``,
  ``resultCount``, ``resultSize``, ``processedObjects``, ``errorCount``,
  ``warningCount``);
- ``GET /analytics/status/{handle}``, ``GET /analytics/result/{handle}``: an
  async request's status, then its rows (one JSON array);
- ``GET /analytics/node/agg/stats/remaining``: mutations each dataset has yet
  to ingest (``{dataverse: {dataset: n}}``);
- ``/analytics/link`` (:mod:`.links`): remote links.

Requests run on the mock's loop, where KV commits reach the datasets: a
query sees every write made before it.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Optional
from urllib.parse import parse_qsl, unquote, urlsplit

import h11

from ..cluster import Cluster
from ..httpserver import Headers, HTTPProtocol
from ..n1ql.cancel import Cancel
from ..n1ql.durations import go_duration, parse_go_duration
from ..persistence import meta_durable, meta_mark
from . import links
from .datasets import DEFAULT_DATAVERSE, AnalyticsState, analytics_state
from .ddl import Session, dataverse_of_context, split_statements
from .errors import AnalyticsError
from .query import run_query

SERVICE_PATHS = (["analytics", "service"], ["query", "service"])
MAX_JOBS = 100
_CONSISTENCY = ("not_bounded", "request_plus")

Reply = tuple[int, Any]


class Request:
    """One analytics request's fields."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.statement = fields.get("statement")
        if not isinstance(self.statement, str) or not self.statement.strip():
            raise AnalyticsError(21006, "Missing statement parameter")  # (real: 21006?)
        args = fields.get("args")
        if args is not None and not isinstance(args, list):
            raise AnalyticsError(21008, "Invalid value for parameter \"args\"")
        self.positional = args
        self.named = {k[1:]: v for k, v in fields.items() if k.startswith("$")}
        self.client_context_id = fields.get("client_context_id")
        self.read_only = _flag(fields, "readonly")
        consistency = fields.get("scan_consistency", "not_bounded")
        if consistency not in _CONSISTENCY:
            raise AnalyticsError(21008, "Invalid value for parameter \"scan_consistency\"")
        self.timeout: Optional[float] = None
        if fields.get("timeout") is not None:
            try:
                self.timeout = parse_go_duration(str(fields["timeout"]))
            except ValueError:
                raise AnalyticsError(21008, "Invalid value for parameter \"timeout\"") \
                    from None
        self.query_context = fields.get("query_context")
        self.mode = fields.get("mode", "immediate")
        if self.mode not in ("immediate", "async", "deferred"):
            raise AnalyticsError(21008, "Invalid value for parameter \"mode\"")


def _flag(fields: dict[str, Any], name: str) -> bool:
    value = fields.get(name, False)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if not isinstance(value, bool):
        raise AnalyticsError(21008, f"Invalid value for parameter \"{name}\"")
    return value


def _fields(body: bytes, headers: list[tuple[bytes, bytes]], query: str) -> dict[str, Any]:
    """A request's fields from its JSON or form body (and the URL's query string)."""
    content_type = b""
    for name, value in headers:
        if name.lower() == b"content-type":
            content_type = value.lower()
    fields: dict[str, Any] = {}
    form = dict(parse_qsl(query))
    if body and (b"json" in content_type or body.lstrip()[:1] == b"{"):
        try:
            decoded = json.loads(body)
        except ValueError:
            raise AnalyticsError(21008, "Invalid JSON in the request body") from None
        if not isinstance(decoded, dict):
            raise AnalyticsError(21008, "The request body is not a JSON object")
        fields.update(decoded)
    elif body:
        form.update(parse_qsl(body.decode("utf-8", "replace")))
    for key, text in form.items():  # form values are JSON text, except the statement
        if key in ("statement", "client_context_id", "query_context", "mode", "timeout",
                   "scan_consistency"):
            fields[key] = text
        else:
            try:
                fields[key] = json.loads(text)
            except ValueError:
                fields[key] = text
    return fields


def execute(state: AnalyticsState, req: Request) -> tuple[list[Any], int]:
    """Run a request's statements: the last one's rows, and the objects read."""
    dataverse = dataverse_of_context(req.query_context) or DEFAULT_DATAVERSE
    session = Session(state, dataverse, req.read_only)
    cancel = Cancel(req.timeout)
    rows: list[Any] = []
    processed = 0
    for text in split_statements(str(req.statement)):
        if cancel.deadline is not None and time.monotonic() > cancel.deadline:
            raise AnalyticsError(21002, "Request timed out and will be cancelled", 500)
        if session.run(text):
            state.changed()  # (USE too: a no-op snapshot, cheap)
            rows, processed = [], 0
            continue
        rows, processed = run_query(state, text, session.dataverse, req.positional,
                                    req.named, cancel)
    return rows, processed


def _head(request_id: str, req_fields: dict[str, Any]) -> dict[str, Any]:
    head: dict[str, Any] = {"requestID": request_id}
    if req_fields.get("client_context_id") is not None:
        head["clientContextID"] = req_fields["client_context_id"]
    return head


def _metrics(elapsed: float, execution: float, count: int, size: int, processed: int,
             errors: int) -> dict[str, Any]:
    return {"elapsedTime": go_duration(elapsed), "executionTime": go_duration(execution),
            "resultCount": count, "resultSize": size, "processedObjects": processed,
            "errorCount": errors, "warningCount": 0}


def run_request(state: AnalyticsState, fields: dict[str, Any], received: float,
                base: str) -> Reply:
    """Answer one ``/analytics/service`` request."""
    request_id = str(uuid.uuid4())
    head = _head(request_id, fields)
    start = time.perf_counter()
    try:
        req = Request(fields)
        rows, processed = execute(state, req)
    except AnalyticsError as err:
        now = time.perf_counter()
        status = "timeout" if err.code == 21002 else "fatal"
        return err.status, {**head, "errors": [err.json()], "status": status,
                            "metrics": _metrics(now - received, now - start, 0, 0, 0, 1)}
    encoded = json.dumps(rows, separators=(",", ":"))
    now = time.perf_counter()
    metrics = _metrics(now - received, now - start, len(rows), len(encoded) - 2 if rows
                       else 0, processed, 0)
    if req.mode in ("async", "deferred"):
        job = uuid.uuid4().hex
        state.jobs[job] = {"rows": rows, "metrics": metrics}
        while len(state.jobs) > MAX_JOBS:
            state.jobs.pop(next(iter(state.jobs)))
        return 202, {**head, "signature": {"*": "*"}, "status": "running",
                     "handle": f"{base}/analytics/status/{job}", "metrics": metrics}
    return 200, {**head, "signature": {"*": "*"}, "results": rows, "plans": {},
                 "status": "success", "metrics": metrics}


def handle(cluster: Cluster, method: str, target: str, headers: list[tuple[bytes, bytes]],
           body: bytes, received: float, base: str) -> Reply:
    """Answer one request on an analytics port: ``(HTTP status, JSON-ready body)``."""
    split = urlsplit(target)
    parts = [unquote(p) for p in split.path.split("/") if p]
    state = analytics_state(cluster)
    if parts in SERVICE_PATHS:
        if method not in ("POST", "GET"):
            return 405, {"errors": [{"code": 1, "msg": f"Method {method} not allowed"}]}
        try:
            fields = _fields(body, headers, split.query)
        except AnalyticsError as err:
            return err.status, {"requestID": str(uuid.uuid4()), "errors": [err.json()],
                                "status": "fatal"}
        return run_request(state, fields, received, base)
    if parts[:2] in (["analytics", "status"], ["analytics", "result"]) and len(parts) == 3:
        job = state.jobs.get(parts[2])
        if job is None:
            return 404, {"errors": [{"code": 1, "msg": "Unknown handle"}], "status": "fatal"}
        if parts[1] == "result":
            return 200, job["rows"]
        return 200, {"status": "success", "handle": f"{base}/analytics/result/{parts[2]}",
                     "resultCount": len(job["rows"]), "metrics": job["metrics"]}
    if parts == ["analytics", "node", "agg", "stats", "remaining"] and method == "GET":
        return 200, state.pending()
    if parts[:2] == ["analytics", "link"]:
        return links.handle(state, method, parts[2:], body, split.query)
    if parts in (["admin", "ping"], ["analytics", "ping"]):
        return 200, {"status": "ok"}
    return 404, {"errors": [{"code": 1, "msg": f"No such path {split.path}"}]}


class AnalyticsProtocol(HTTPProtocol):
    """One HTTP connection to a node's analytics port."""

    def __init__(self, cluster: Cluster, node: int) -> None:
        super().__init__()
        self.cluster = cluster
        self.node = node

    def unauthorized(self, request: h11.Request) -> tuple[Headers, bytes]:
        return ([("Content-Type", "application/json")],
                json.dumps({"errors": [{"code": 20000, "msg": "Unauthorized user."}],
                            "status": "fatal"}).encode())

    async def respond(self, request: h11.Request, body: bytes) -> None:
        port = self.transport.get_extra_info("sockname")[1] if self.transport else 0
        scheme = "https" if self.transport and self.transport.get_extra_info("sslcontext") \
            else "http"
        base = f"{scheme}://{self.cluster.host}:{port}"
        mark = meta_mark(self.cluster)  # a catalog change: on disk before the answer
        status, doc = handle(self.cluster, request.method.decode(),
                             request.target.decode("latin-1"), list(request.headers), body,
                             self._received, base)
        await meta_durable(self.cluster, mark)
        data = json.dumps(doc, separators=(",", ":")).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        self.send_whole(status, headers, data, request.method == b"HEAD")

    async def respond_error(self, request: h11.Request, exc: Exception) -> None:
        data = json.dumps({"errors": [{"code": 25000, "msg": f"Internal error: "
                                                             f"{type(exc).__name__}: {exc}"}],
                           "status": "fatal"}).encode()
        self.send_whole(500, [("Content-Type", "application/json"),
                              ("Content-Length", str(len(data)))], data, False)


__all__ = ["AnalyticsProtocol", "handle", "run_request"]
