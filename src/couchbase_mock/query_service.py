"""The query service (N1QL, port 8093 on a real node), driven by h11.

Routes, on every node's query port:

- ``POST /query/service`` (also ``/query``): a JSON body
  (``{"statement": ..., "args": [...], "$name": ..., "timeout": "75000ms",
  "scan_consistency": ..., "client_context_id": ..., "metrics": ...}``, as
  today's SDKs send it) or a form (``statement=...&args=[...]``, as older
  clients do; parameter values other than strings are JSON text);
- ``GET /query/service?statement=...``: the same parameters in the query
  string; GET requests are read-only (DML and DDL fail with 1000);
- ``GET /admin/ping`` and ``GET /admin/vitals``: liveness and a few figures.

Requests need Basic auth (the administrator, or a bucket name and its bucket
password; a bucket user may only query its own bucket, and sees only it in
``system:keyspaces`` and ``system:indexes``). Every node's port serves the
same :class:`~.n1ql.engine.QueryEngine` (see :mod:`couchbase_mock.n1ql_adapter`).

Requests are parsed and run on the engine's worker threads, never on the
mock's event loop (see :mod:`couchbase_mock.query_workers`), so KV and the
other services keep answering on every node while a query runs. A request
runs at most its ``timeout`` (and at most :data:`SERVER_TIMEOUT`): the engine
stops at that point and the answer is 1080 ``Timeout 100ms exceeded`` with
status ``timeout``, sent when the time is up even if the engine is still
finishing a step. Limits (see :mod:`couchbase_mock.n1ql.limits`): a statement
over :data:`~.n1ql.limits.MAX_STATEMENT_BYTES` is refused (1060) before it is
parsed; JSON nested over :data:`~.n1ql.limits.MAX_JSON_DEPTH` levels in a
request body is refused with 400 (1060).

Responses follow the real service's layout, field by field::

    {
    "requestID": "...",
    "clientContextID": "...",
    "signature": {...},
    "results": [
    {...},
    {...}
    ],
    "status": "success",
    "metrics": {"elapsedTime": "1.2ms","executionTime": "1.1ms","resultCount": 2,"resultSize": 40}
    }

A failed request has ``errors`` (``[{"code": ..., "msg": ...}]``) and status
``fatal`` instead of a signature and results, and the HTTP status the real
service gives the error's code (400 for a syntax error, 404 when no index
can serve the query, ...). Large result sets are sent in chunks.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from typing import Any, Callable, Iterator, Optional
from urllib.parse import parse_qsl, unquote, urlsplit

import h11

from . import js_libraries_rest
from .cluster import Cluster
from .httpserver import Headers, HTTPProtocol, credentials
from .n1ql import ast as A
from .n1ql import jsontext
from .n1ql.cancel import E_TIMEOUT, Cancel, timeout_error
from .n1ql.contexts import split_query_context
from .n1ql.durations import go_duration, parse_go_duration
from .n1ql.errors import N1QLError
from .n1ql.limits import MAX_JSON_DEPTH, MAX_STATEMENT_BYTES, TooDeep, loads
from .n1ql.monitor import RequestRecord
from .n1ql.parser import parse
from .n1ql.statements.transaction import run_request as run_in_transaction
from .n1ql.statements.transaction import wants_transaction
from .n1ql.system import DELETERS
from .n1ql.system import scan as system_scan
from .n1ql.transactions import TX_PARAMETERS, TxParams
from .n1ql.transactions import read_param as read_tx_param
from .n1ql.values import MISSING, Binary
from .n1ql_adapter import ClusterQueryEngine, query_engine_for
from .persistence import meta_durable, meta_mark
from .query_directory import ClusterDirectory
from .query_workers import SLICE

__all__ = ["QueryProtocol", "go_duration", "parse_go_duration", "handle", "execute"]

_CONTENT_TYPE = "application/json; version=7.6.2-N1QL"
_CHUNK = 64 * 1024
SERVICE_PATHS = ("/query/service", "/query")
MAX_CLIENT_ID = 64

# Every parameter the service accepts (names compare case-insensitively);
# ``$name`` parameters are named arguments. Most only tune a real server.
KNOWN_PARAMETERS = frozenset("""
statement prepared encoded_plan creds args timeout scan_consistency scan_wait
scan_vector scan_vectors max_parallelism scan_cap pipeline_cap pipeline_batch
readonly metrics namespace format encoding compression signature pretty
client_context_id profile controls query_context auto_execute auto_prepare
use_fts use_cbo preserve_expiry memory_quota txid tximplicit txdata txstmtnum
txtimeout durability_level durability_timeout kvtimeout atrcollection numatrs
sort_projection use_replica errorlimit
""".split())
PROFILES = ("off", "phases", "timings")
SCAN_CONSISTENCIES = ("not_bounded", "request_plus", "statement_plus", "at_plus")
READ_ONLY_STATEMENTS = (A.Select, A.Explain, A.Prepare, A.Execute)
SERVER_TIMEOUT = 600.0
"""The node's own limit in seconds: a request runs at most this long, whatever
its ``timeout`` (0 or none included) asks, as with the server's timeout setting."""
INLINE_BODY = 64 * 1024
"""Request bodies up to this size are decoded on the loop; larger ones on a worker."""


# -- errors and HTTP status ---------------------------------------------------------


def http_status(code: int, default: int = 500) -> int:
    """The HTTP status the query service answers a failed request with."""
    if code == 1000:
        return 403
    if code == 1010:
        return 405
    if code in (1020, 1030, 1040, 1050, 1060, 1065, 1070):
        return 400
    if code == 1120:
        return 406
    if code == 3000:
        return 400
    if code in (4000, 4040):
        return 404
    if code == 4300:
        return 409
    if code == 5000:
        return 500
    if code in (10000, 13014):
        return 401
    return default


def _bad_request(code: int, msg: str) -> N1QLError:
    return N1QLError(code, msg)


# -- request parameters ----------------------------------------------------------------


class QueryRequest:
    """The parameters of one request, checked."""

    def __init__(self) -> None:
        self.statement: Optional[str] = None
        self.prepared: Optional[str] = None
        self.encoded_plan: Optional[str] = None
        self.positional: Optional[list] = None
        self.named: dict[str, Any] = {}
        self.timeout: Optional[float] = None
        self.memory_quota: Optional[float] = None  # MB (n1ql/quota.py); 0: none
        self.scan_consistency = "not_bounded"
        self.client_context_id = ""
        self.metrics = True
        self.signature = True
        self.readonly = False
        self.auto_execute = False
        self.query_context: Optional[str] = None
        self.profile = "off"
        self.tx = TxParams()  # txid, tximplicit, txtimeout... (n1ql/transactions.py)


def _tristate(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _bad_request(1070, f"{name} has to be of type boolean")


def _string(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _bad_request(1070, f"{name} has to be of type string")
    return value


def raw_parameters(method: str, target: str, headers: list[tuple[bytes, bytes]],
                   body: bytes) -> tuple[dict[str, Any], bool]:
    """The request's parameters, and whether values are typed (JSON body) or
    text (query string, form)."""
    content_type = ""
    for name, value in headers:
        if name.lower() == b"content-type":
            content_type = value.decode("latin-1").lower()
    query = urlsplit(target).query
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if method != "POST" or not body.strip():
        return params, False
    if "json" in content_type or (
            "form" not in content_type and body.lstrip().startswith(b"{")):
        try:
            doc = loads(body.decode("utf-8"))
        except TooDeep:
            raise _bad_request(1060, "Error processing JSON request body: nested more "
                                     f"than {MAX_JSON_DEPTH} levels deep") from None
        except (UnicodeDecodeError, ValueError):
            raise _bad_request(1060, "Error processing JSON request body") from None
        if not isinstance(doc, dict):
            raise _bad_request(1060, "Error processing JSON request body: not an object")
        if params:
            raise _bad_request(1030, "Multiple values for request: URL and JSON body")
        return doc, True
    try:
        form = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise _bad_request(1060, "Error processing request form") from None
    params.update(form)
    return params, False


def read_request(method: str, target: str, headers: list[tuple[bytes, bytes]],
                 body: bytes) -> QueryRequest:
    """Check and decode the parameters (:class:`N1QLError` 1xxx if they are wrong)."""
    params, typed = raw_parameters(method, target, headers, body)
    req = QueryRequest()
    req.readonly = method == "GET"
    for key, value in params.items():
        name = key.strip()
        if not name:
            continue
        if name.startswith("$"):
            if not typed:
                try:
                    value = loads(value)
                except ValueError:
                    raise _bad_request(1060, f"Error processing named parameter {name}: "
                                             "invalid JSON value") from None
            req.named[name[1:]] = value
            continue
        lname = name.lower()
        if lname not in KNOWN_PARAMETERS:
            raise _bad_request(1065, f"Unrecognized parameter in request: {name}")
        if lname in TX_PARAMETERS:
            read_tx_param(req.tx, lname, value, typed)
        elif lname == "statement":
            req.statement = _string(name, value)
        elif lname == "prepared":
            if typed and isinstance(value, dict):
                value = value.get("name")
            req.prepared = _string(name, value)
        elif lname == "encoded_plan":
            req.encoded_plan = _string(name, value)
        elif lname == "args":
            if not typed:
                try:
                    value = loads(value)
                except ValueError:
                    raise _bad_request(1060, "Error processing args: invalid JSON value") \
                        from None
            if not isinstance(value, list):
                raise _bad_request(1070, "args has to be of type array")
            req.positional = value
        elif lname == "timeout":
            try:
                req.timeout = parse_go_duration(_string(name, value))
            except ValueError:
                raise _bad_request(1060, f"Error processing timeout: {value}") from None
            if req.timeout <= 0:
                req.timeout = None  # 0 or negative: no limit
        elif lname == "memory_quota":  # MB, a number (query-settings.adoc memory_quota)
            try:
                quota = float(value)
            except (TypeError, ValueError):
                raise _bad_request(1060, f"Error processing memory_quota: {value}") from None
            if quota != quota or quota < 0 or isinstance(value, bool):
                raise _bad_request(1060, f"Error processing memory_quota: {value}")
            req.memory_quota = quota
        elif lname == "scan_consistency":
            level = _string(name, value).lower()
            if level not in SCAN_CONSISTENCIES:
                raise _bad_request(1040, f"Unknown scan_consistency value: {value}")
            if level == "at_plus" and not ({"scan_vector", "scan_vectors"}
                                           & {k.lower() for k in params}):
                raise _bad_request(1050, "No value for scan_vector")
            req.scan_consistency = level
        elif lname == "client_context_id":
            ccid = _string(name, value)[:MAX_CLIENT_ID]
            if '"' in ccid or "\\" in ccid:
                raise _bad_request(1110, "forbidden character (\\ or \") in "
                                         "client_context_id")
            req.client_context_id = ccid
        elif lname == "metrics":
            req.metrics = _tristate(name, value)
        elif lname == "signature":
            req.signature = _tristate(name, value)
        elif lname == "readonly":
            readonly = _tristate(name, value)
            if method == "GET" and not readonly:
                raise _bad_request(1000, "readonly=false cannot be used with HTTP GET method.")
            req.readonly = readonly
        elif lname == "auto_execute":
            req.auto_execute = _tristate(name, value)
        elif lname == "query_context":
            req.query_context = _string(name, value)
            if req.query_context:
                _context_parts(req.query_context)  # 1060 if it is no bucket[.scope]
        elif lname == "profile":
            profile = _string(name, value).lower()
            if profile not in PROFILES:
                raise _bad_request(1060, f"Error processing profile: {value} is not one of "
                                         "off, phases, timings")
            req.profile = profile
    if not req.statement and not req.prepared:
        raise _bad_request(1050, "No statement or prepared value")
    if req.statement is not None:
        size = len(req.statement.encode("utf-8", "surrogatepass"))
        if size > MAX_STATEMENT_BYTES:  # refused before any parsing
            raise _bad_request(1060, f"Error processing statement: {size} bytes, over the "
                                     f"limit of {MAX_STATEMENT_BYTES} bytes")
    return req


# -- running a request ------------------------------------------------------------------


class Outcome:
    """What to send: rows (with signature, mutation count, prepared name) or errors."""

    def __init__(self) -> None:
        self.rows: list[str] = []
        """The results, each as JSON text (encoded where the request ran)."""
        self.signature: Any = None
        self.mutations = 0
        self.prepared_name: Optional[str] = None
        self.errors: list[N1QLError] = []
        self.warnings: list[dict[str, Any]] = []
        self.status = "success"
        self.http_status = 200
        self.execution = 0.0
        self.tx_metrics: dict[str, str] = {}
        """A transaction's ``transactionElapsedTime``/``RemainingTime``."""

    def fail(self, err: N1QLError, status: str = "fatal",
             http: Optional[int] = None) -> Outcome:
        # The error outlives the request in this outcome: drop its traceback and
        # the exception it was raised from, whose frames hold the request body
        # (and its decoded text) until the cycle collector runs.
        err.__traceback__ = err.__context__ = err.__cause__ = None
        self.errors = [err]
        self.status = status
        self.http_status = http if http is not None else http_status(err.code)
        self.rows = []
        return self


class _PreparedIn:
    """The engine's prepared statements as seen from one query_context."""

    def __init__(self, engine: Any, query_context: Optional[str]) -> None:
        self.engine = engine
        self.query_context = query_context

    def get(self, name: Any) -> Any:
        if not isinstance(name, str):
            return None
        return self.engine.prepared.get(self.engine.prepared_key(name, self.query_context))


def _keyspaces(node: Any, prepared: Any) -> Iterator[A.KeyspaceRef]:
    """Every keyspace a statement names, in subqueries and prepared statements too."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, A.KeyspaceRef):
            yield n
        elif isinstance(n, A.Subquery):
            stack.append(n.query)
        elif isinstance(n, A.Execute) and isinstance(n.name, A.Literal):
            entry = prepared.get(n.name.value)
            if entry is not None:
                stack.append(entry[0])
        if isinstance(n, A.Node):
            stack.extend(n.children())


def _authorize(cluster: Cluster, user: str, stmt: A.Node, prepared: Any) -> None:
    """A bucket user may use only its own bucket (and ``system:``)."""
    if user == cluster.username:
        return
    for ref in _keyspaces(stmt, prepared):
        if ref.namespace == "system":
            continue
        if not cluster.may_access(user, ref.bucket):
            path = ref.path
            raise N1QLError(13014, f"User does not have credentials to run queries "
                                   f"accessing {path}. Add role query_select on {path} "
                                   "to allow the statement to run.")


def execute(cluster: Cluster, user: str, req: QueryRequest, cancel: Optional[Cancel] = None,
            engine: Optional[ClusterQueryEngine] = None) -> Outcome:
    """Run one checked request against the cluster's query engine, stopping when
    ``cancel`` says so (by default, at the request's own timeout).

    The query service calls it on a worker thread, with the ``engine`` it got
    on the loop (:func:`~.n1ql_adapter.query_engine_for` must run there).
    """
    engine = engine if engine is not None else query_engine_for(cluster)
    cancel = cancel if cancel is not None else Cancel(req.timeout)
    engine.stats["requests"] += 1
    if engine.directory is None:
        engine.directory = ClusterDirectory(cluster)
    may_read: Optional[Callable[[str], bool]] = None
    if user != cluster.username:  # system: keyspaces show only this user's buckets
        def may_read(bucket: str) -> bool:
            return cluster.may_access(user, bucket)
    out = Outcome()
    start = time.perf_counter()
    try:
        prepared = req.prepared
        in_context = _PreparedIn(engine, req.query_context)  # prepare.adoc "Query Context"
        if prepared is not None and in_context.get(prepared) is None and req.encoded_plan:
            _reprepare(engine, prepared, req.encoded_plan, cancel, cluster, req.query_context)
        parsed: Optional[A.Node] = None
        if prepared is not None:
            entry = in_context.get(prepared)
            stmt = entry[0] if entry is not None else None
        else:
            stmt = parsed = _parse(req.statement or "", cancel)
            if req.query_context:
                scoped(cluster, stmt, req.query_context)
        if stmt is not None and (req.readonly or user != cluster.username):
            if req.readonly and not isinstance(stmt, READ_ONLY_STATEMENTS):
                raise N1QLError(1000, "The server or request is read-only and cannot "
                                      "accept this write statement.")
            _authorize(cluster, user, stmt, in_context)
        if prepared is None and req.auto_execute and _is_prepare(req.statement or ""):
            made = engine.query(req.statement, cancel=cancel, may_read=may_read, parsed=parsed,
                                user=user, query_context=req.query_context)
            prepared = made.results[0]["name"]
            out.prepared_name = prepared

        def call(on: Any) -> Any:  # on the engine, or a transaction's view of it
            if prepared is not None:
                return on.query(None, req.positional, req.named, prepared, cancel=cancel,
                                may_read=may_read, user=user,
                                query_context=req.query_context,
                                memory_quota=req.memory_quota)
            return on.query(req.statement, req.positional, req.named, cancel=cancel,
                            may_read=may_read, parsed=parsed, user=user,
                            query_context=req.query_context, memory_quota=req.memory_quota)

        if wants_transaction(stmt, req.tx):  # n1ql/statements/transaction.py
            result = run_in_transaction(engine, stmt, req.tx, call, out.tx_metrics)
        else:
            result = call(engine)
        out.rows = _encode_rows(result.results, cancel)
        cancel.check()  # over time without noticing (a long step): still over time
    except N1QLError as err:
        out.execution = time.perf_counter() - start
        if err.code == E_TIMEOUT:
            return out.fail(err, "timeout", 200)
        return out.fail(err)
    out.execution = time.perf_counter() - start
    out.signature = result.signature
    out.mutations = int(result.metrics.get("mutationCount", 0))
    out.warnings = list(result.warnings)
    return out


def _context_parts(context: str) -> list[str]:
    """``[bucket]`` or ``[bucket, scope]`` of a query_context (``default:b.s``,
    ``b.s``, names optionally in backticks)."""
    try:
        return split_query_context(context)[1]
    except ValueError:
        raise _bad_request(1060, f"Error processing query_context: {context} is not "
                                 "[namespace:]bucket[.scope]") from None


def scoped(cluster: Cluster, stmt: A.Node, context: str) -> None:
    """Make the statement's one-word keyspaces collections of the query_context's
    scope (``FROM airline`` with ``default:travel-sample.inventory`` is
    ``travel-sample.inventory.airline``); 12021 if that scope does not exist."""
    parts = _context_parts(context)
    if len(parts) == 1:
        return  # a bucket alone: one-word names are still buckets
    bucket, scope = parts
    for ref in _keyspaces(stmt, {}):
        if ref.namespace == "system" or ref.scope is not None:
            continue
        known = cluster.buckets.get(bucket)
        if known is not None and scope not in known.manifest.scopes:
            raise N1QLError(12021, f"Scope not found in CB datastore default:{bucket}.{scope}")
        ref.bucket, ref.scope, ref.collection = bucket, scope, ref.bucket


def _parse(statement: str, cancel: Cancel) -> A.Node:
    try:
        return parse(statement, cancel)
    except N1QLError:
        raise
    except Exception as exc:  # a parser bug must still answer like a server
        raise N1QLError(5000, f"{type(exc).__name__}: {exc}") from exc


def _encode_rows(results: list, cancel: Cancel) -> list[str]:
    """Every result as JSON text (on the request's thread, not the loop's)."""
    rows = []
    try:
        for i, row in enumerate(results):
            if not i & 1023:
                cancel.check()
            rows.append(_json(row))
    except RecursionError:
        raise N1QLError(5000, "Statement too deeply nested") from None
    return rows


def _is_prepare(statement: str) -> bool:
    return statement.lstrip()[:7].upper() == "PREPARE"


def _reprepare(engine: Any, name: str, encoded_plan: str, cancel: Cancel,
               cluster: Optional[Cluster] = None, query_context: Optional[str] = None) -> None:
    """Prepare again from an ``encoded_plan`` this service handed out (another
    node, or before a restart, as the real service decodes plans), under the
    request's query_context."""
    try:
        plan = json.loads(base64.b64decode(encoded_plan, validate=True))
        text = plan["text"]
        if plan["name"] != name or not isinstance(text, str):
            raise ValueError
    except (ValueError, TypeError, KeyError):
        raise N1QLError(4070, f"Unable to decode prepared statement {name}") from None
    quoted = name.replace("`", "``")
    statement = f"PREPARE `{quoted}` AS {text}"
    parsed = _parse(statement, cancel)
    if query_context and cluster is not None:
        scoped(cluster, parsed, query_context)
    engine.query(statement, cancel=cancel, parsed=parsed, query_context=query_context)


# -- the response body ----------------------------------------------------------------------


def _json(value: Any) -> str:
    """Numbers as the Go service writes them (1e-7, 1e+21, "NaN"): n1ql/jsontext.py."""
    return jsontext.dumps(value, default=_not_json)


def _not_json(value: Any) -> Any:
    """A document that is not JSON shows as the service shows it: its size."""
    if isinstance(value, Binary):
        return f"<binary ({len(value.data)} b)>"
    if value is MISSING:
        return None
    raise TypeError(f"{type(value).__name__} is not JSON")


def _metrics(out: Outcome, elapsed: float, count: int, size: int) -> str:
    text = (f',\n"metrics": {{"elapsedTime": "{go_duration(elapsed)}",'
            f'"executionTime": "{go_duration(out.execution)}",'
            f'"resultCount": {count},"resultSize": {size}')
    if out.mutations:
        text += f',"mutationCount": {out.mutations}'
    if out.errors:
        text += f',"errorCount": {len(out.errors)}'
    if out.warnings:
        text += f',"warningCount": {len(out.warnings)}'
    for name, value in out.tx_metrics.items():
        text += f',"{name}": "{value}"'
    return text + "}"


def body_chunks(req: Optional[QueryRequest], out: Outcome, request_id: str,
                received: float, chunk_size: int = _CHUNK) -> Iterator[bytes]:
    """The response body in pieces of about ``chunk_size`` bytes."""
    head = f'{{\n"requestID": "{request_id}"'
    if req is not None and req.client_context_id:
        head += f',\n"clientContextID": {_json(req.client_context_id)}'
    count = size = 0
    buf: list[str] = [head]
    pending = len(head)
    if not out.errors:
        if req is None or req.signature:
            buf.append(f',\n"signature": {_json(out.signature)}')
        if out.prepared_name is not None:
            buf.append(f',\n"prepared": {_json(out.prepared_name)}')
        buf.append(',\n"results": [')
        for text in out.rows:
            buf.append(("\n" if count == 0 else ",\n") + text)
            count += 1
            size += len(text.encode()) if not text.isascii() else len(text)
            pending += len(text) + 2
            if pending >= chunk_size:
                yield "".join(buf).encode()
                buf = []
                pending = 0
        buf.append("\n]")
    else:
        errors = ",".join(_json(e.to_json()) for e in out.errors)
        buf.append(f',\n"errors": [{errors}]')
    if out.warnings:
        buf.append(f',\n"warnings": [{",".join(_json(w) for w in out.warnings)}]')
    buf.append(f',\n"status": "{out.status}"')
    elapsed = time.perf_counter() - received
    if req is None or req.metrics:
        buf.append(_metrics(out, elapsed, count, size))
    if req is not None and req.profile != "off":
        buf.append(f',\n"profile": {_json(_profile(req, out, elapsed, count))}')
    buf.append("\n}\n")
    yield "".join(buf).encode()


def _profile(req: QueryRequest, out: Outcome, elapsed: float, count: int) -> dict[str, Any]:
    """The response's ``profile`` (``phases``: phase times, counts and operator
    counts; ``timings`` adds ``executionTimings``), in the server's field names.
    The mock runs a statement as one step: its whole execution is the ``run`` phase."""
    run = go_duration(out.execution)
    profile: dict[str, Any] = {
        "phaseTimes": {"authorize": "0s", "parse": "0s", "plan": "0s", "run": run},
        "phaseCounts": {"fetch": count} if count else {},
        "phaseOperators": {"authorize": 1, "fetch": 1} if count else {"authorize": 1},
        "requestTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "servicingHost": "127.0.0.1:8091",
        "executionTimings": None,
    }
    if req.profile == "timings":
        profile["executionTimings"] = {
            "#operator": "Authorize",
            "#stats": {"#phaseSwitches": 4, "execTime": "0s", "servTime": run},
            "~child": {"#operator": "Sequence", "~children": [
                {"#operator": "Stream", "#stats": {"#itemsIn": count, "#itemsOut": count,
                                                   "execTime": run}},
            ]},
        }
    else:
        del profile["executionTimings"]
    return profile


Started = Callable[[Cancel], None]


async def handle(cluster: Cluster, method: str, target: str,
                 headers: list[tuple[bytes, bytes]], body: bytes, received: float,
                 started: Optional[Started] = None) -> tuple[int, Iterator[bytes], str]:
    """Answer one request on a query port: ``(HTTP status, body chunks, content
    type)`` (on the loop: the request itself runs on a worker thread, and
    ``started`` is told the :class:`~.n1ql.cancel.Cancel` that stops it)."""
    path = unquote(urlsplit(target).path).rstrip("/") or "/"
    if path == "/admin/ping":
        return 200, iter([b"{}"]), _CONTENT_TYPE
    if path == "/admin/vitals":
        return 200, iter([_json(_vitals(cluster)).encode()]), _CONTENT_TYPE
    if path == "/admin/settings":
        creds = credentials(headers)
        if method != "GET" and (creds is None or creds[0] != cluster.username):
            return 403, iter([_json({"code": 13014, "msg": "User does not have credentials "
                                     "to change the query settings."}).encode()]), _CONTENT_TYPE
        status, doc = _settings(cluster, method, body)
        return status, iter([_json(doc).encode()]), _CONTENT_TYPE
    if path.split("/")[2:3] in (["active_requests"], ["completed_requests"], ["prepareds"]) \
            and path.startswith("/admin/"):
        creds = credentials(headers)
        if creds is None or creds[0] != cluster.username:
            return 403, iter([_json({"code": 13014, "msg": "User does not have credentials "
                                     "to access the query monitoring catalogs."}).encode()]), \
                _CONTENT_TYPE
        status, doc = _catalog(cluster, method, path)
        return status, iter([_json(doc).encode()]), _CONTENT_TYPE
    if js_libraries_rest.owns(path):  # /evaluator/v1/libraries: JavaScript UDF code
        return js_libraries_rest.handle(cluster, method, target, headers, body)
    if path not in SERVICE_PATHS:
        return 404, iter([b"404 page not found\n"]), "text/plain; charset=utf-8"
    status, chunks = await _service(cluster, method, target, headers, body, received,
                                    started)
    return status, chunks, _CONTENT_TYPE


async def _service(cluster: Cluster, method: str, target: str,
                   headers: list[tuple[bytes, bytes]], body: bytes, received: float,
                   started: Optional[Started]) -> tuple[int, Iterator[bytes]]:
    request_id = str(uuid.uuid4())
    req: Optional[QueryRequest] = None
    if method not in ("GET", "POST"):
        out = Outcome().fail(N1QLError(1010, f"Unsupported http method: {method}"))
        return out.http_status, body_chunks(req, out, request_id, received)
    engine = query_engine_for(cluster)
    try:
        if len(body) <= INLINE_BODY:
            req = read_request(method, target, headers, body)
        else:  # decoding a large body takes a while: not on the loop
            req = await engine.workers.run(asyncio.get_running_loop(),
                                           lambda: read_request(method, target, headers, body))
    except N1QLError as err:
        out = Outcome().fail(err)
        return out.http_status, body_chunks(req, out, request_id, received)
    creds = credentials(headers)
    if creds is None or not cluster.check_password(*creds):
        out = Outcome().fail(N1QLError(10000, "Authentication Failed"))
        return out.http_status, body_chunks(req, out, request_id, received)
    record = engine.monitor.start(_record(cluster, creds[0], req, request_id, headers))

    def running(cancel: Cancel) -> None:
        record.cancel = cancel
        if started is not None:
            started(cancel)

    mark = meta_mark(cluster)  # index/scope/bucket/user DDL: durable before the answer
    try:
        out = await _run(engine, cluster, creds[0], req, received, running)
        await meta_durable(cluster, mark)
    except BaseException:
        engine.monitor.finish(record, "cancelled", [])
        raise
    _finish(engine, record, out)
    return out.http_status, body_chunks(req, out, request_id, received)


def _record(cluster: Cluster, user: str, req: QueryRequest, request_id: str,
            headers: list[tuple[bytes, bytes]]) -> RequestRecord:
    """The request as ``system:active_requests`` shows it while it runs."""
    agent = next((v.decode("latin-1") for k, v in headers if k.lower() == b"user-agent"), None)
    domain = "builtin" if user == cluster.username else "local"
    statement = req.statement
    if statement is None and req.prepared is not None:
        statement = f"EXECUTE `{req.prepared}`"
    return RequestRecord(
        request_id, statement, req.prepared, user, f"{domain}:{user}", req.client_context_id,
        req.query_context, "unbounded" if req.scan_consistency == "not_bounded"
        else req.scan_consistency, req.named, req.positional, agent,
        node=f"{cluster.host}:{cluster.nodes[0].mgmt_port}")


def _finish(engine: ClusterQueryEngine, record: RequestRecord, out: Outcome) -> None:
    state = "timeout" if out.status == "timeout" else "completed"
    size = sum(len(text) if text.isascii() else len(text.encode()) for text in out.rows)
    engine.monitor.finish(record, state, [e.to_json() for e in out.errors], len(out.rows),
                          size, out.execution)


async def _run(engine: ClusterQueryEngine, cluster: Cluster, user: str, req: QueryRequest,
               received: float, started: Optional[Started]) -> Outcome:
    """Run ``req`` on a worker thread. When its time is up the answer is 1080 at
    once, and the worker stops at its next check (see :mod:`.n1ql.cancel`)."""
    limit = SERVER_TIMEOUT if req.timeout is None else min(req.timeout, SERVER_TIMEOUT)
    waited = time.perf_counter() - received  # the timeout counts from the request's arrival
    cancel = Cancel(limit, start=time.monotonic() - waited)
    cancel.pause_every(SLICE, engine.workers.turns.pass_turn)  # other requests go on too
    if started is not None:
        started(cancel)
    loop = asyncio.get_running_loop()
    work = engine.workers.run(loop, lambda: execute(cluster, user, req, cancel, engine))
    ready = loop.create_future()  # the work is done, or the time is up: whichever is first

    def settle(_: object = None) -> None:
        if not ready.done():
            ready.set_result(None)

    work.add_done_callback(settle)
    timer = loop.call_later(cancel.remaining() or 0.0, settle)
    try:
        await ready
    except BaseException:  # the connection or the cluster went away: stop the work too
        cancel.stop(N1QLError(5000, "Request cancelled"))
        raise
    finally:
        timer.cancel()
    if work.done():
        return work.result()
    work.add_done_callback(_settled)
    err = timeout_error(limit)
    cancel.stop(err)
    out = Outcome().fail(err, "timeout", 200)
    out.execution = time.perf_counter() - received
    return out


def _settled(work: asyncio.Future[Outcome]) -> None:
    """Collect a worker's late failure (the answer went out without it)."""
    if not work.cancelled():
        work.exception()


_STARTED = time.time()


def _catalog(cluster: Cluster, method: str, path: str) -> tuple[int, Any]:
    """``/admin/{active_requests,completed_requests,prepareds}[/<id>]``: the
    catalog's rows (GET), one row (GET with an id), or forget/stop one (DELETE),
    as the monitoring page's Admin REST API examples do."""
    engine = query_engine_for(cluster)
    parts = path.split("/", 3)
    name, key = parts[2], (parts[3] if len(parts) > 3 else None)
    rows = dict(system_scan(engine, name, None))
    if key is None:
        if method != "GET":
            return 405, {"code": 1010, "msg": f"Unsupported http method: {method}"}
        return 200, list(rows.values())
    if key not in rows:
        return 404, {"code": 11007, "msg": f"System datastore : Statement not found {key}"}
    if method == "GET":
        return 200, rows[key]
    if method == "DELETE":
        DELETERS[name](engine, [key])
        return 200, {}
    return 405, {"code": 1010, "msg": f"Unsupported http method: {method}"}


def _settings(cluster: Cluster, method: str, body: bytes) -> tuple[int, Any]:
    """``/admin/settings``: the completed-request log's settings (GET), changed
    by a JSON object (POST) as the monitoring page describes."""
    engine = query_engine_for(cluster)
    monitor = engine.monitor
    if method == "POST":
        try:
            doc = loads(body.decode("utf-8")) if body.strip() else {}
            if not isinstance(doc, dict):
                raise ValueError("settings have to be an object")
            quota = doc.pop("memory-quota", None)  # the node's, in MB (n1ql/quota.py)
            if quota is not None and (isinstance(quota, bool)
                                      or not isinstance(quota, (int, float)) or quota < 0):
                raise ValueError("memory-quota has to be a number of MB, 0 or more")
            monitor.update(doc)
            if quota is not None:
                engine.memory_quota = quota
        except (ValueError, UnicodeDecodeError, TooDeep) as exc:
            return 400, {"code": 2180, "msg": str(exc)}
    elif method != "GET":
        return 405, {"code": 1010, "msg": f"Unsupported http method: {method}"}
    return 200, {**monitor.settings(), "memory-quota": engine.memory_quota}


def _vitals(cluster: Cluster) -> dict[str, Any]:
    engine = cluster.query_engine
    requests = int(engine.stats.get("requests", 0)) if engine is not None else 0
    return {"uptime": go_duration(time.time() - _STARTED), "version": "7.6.2-N1QL",
            "total.requests": requests, "cores": 1, "local.time": time.strftime(
                "%Y-%m-%d %H:%M:%S", time.localtime())}


# -- the protocol ------------------------------------------------------------------------------


class QueryProtocol(HTTPProtocol):
    """One HTTP connection to a node's query port: one request at a time,
    large responses chunked with flow control."""

    public_paths = frozenset({"/admin/ping"})  # the rest needs credentials

    def __init__(self, cluster: Cluster, node: int) -> None:
        super().__init__()
        self.cluster = cluster
        self.node = node
        self._running: Optional[Cancel] = None  # the request being run, if any

    def connection_lost(self, exc: Optional[Exception]) -> None:
        super().connection_lost(exc)
        running, self._running = self._running, None
        if running is not None:  # nobody to answer: stop the work, as the server does
            running.stop(N1QLError(5000, "Request cancelled: the client closed the "
                                         "connection"))

    def _started(self, cancel: Cancel) -> None:
        self._running = cancel

    def unauthorized(self, request: h11.Request) -> tuple[Headers, bytes]:
        out = Outcome().fail(N1QLError(10000, "Authentication Failed"))
        chunks = body_chunks(None, out, str(uuid.uuid4()), self._received)
        return [("Content-Type", _CONTENT_TYPE)], b"".join(chunks)

    async def respond(self, request: h11.Request, body: bytes) -> None:
        try:
            status, chunks, content_type = await handle(
                self.cluster, request.method.decode(), request.target.decode("latin-1"),
                list(request.headers), body, self._received, self._started,
            )
        finally:
            self._running = None
        await self._write(status, chunks, request, content_type)

    async def respond_error(self, request: h11.Request, exc: Exception) -> None:
        err = N1QLError(5000, f"{type(exc).__name__}: {exc}")
        out = Outcome().fail(err)
        await self._write(500, body_chunks(None, out, str(uuid.uuid4()), self._received),
                          request)

    async def _write(self, status: int, chunks: Iterator[bytes], req: h11.Request,
                     content_type: str = _CONTENT_TYPE) -> None:
        headers = [("Content-Type", content_type)]
        first = next(chunks, b"")
        second = next(chunks, None)
        if second is None:  # small: all in one piece
            headers.append(("Content-Length", str(len(first))))
            self.send_whole(status, headers, first, req.method == b"HEAD")
            return
        await self.send_chunked(status, headers, _chain(first, second, chunks))


def _chain(first: bytes, second: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield second
    yield from rest
