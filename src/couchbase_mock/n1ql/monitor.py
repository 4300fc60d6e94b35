"""The query service's request log: the requests running now and the
completed ones worth keeping, as ``system:active_requests`` and
``system:completed_requests`` show them, plus the use counts of prepared
statements (``system:prepareds``).

What the documentation of query monitoring (n1ql-manage/monitoring-n1ql-query,
"Configure Completed Requests") states, kept here:

- a completed request is logged if *any* qualifier holds: ``threshold`` (its
  elapsed time in milliseconds is at least the threshold; default 1000, 0 logs
  every request, -1 none), ``aborted`` (it ended in a panic: code 5000 here),
  ``error`` (it failed with that code), ``user``, ``client``, ``context``
  (client context ID); the log keeps the ``completed-limit`` most recent
  (default 4000, 0 none, -1 no limit);
- ``/admin/settings`` takes ``completed-threshold``, ``completed-limit`` and a
  ``completed`` object of qualifiers (``+name`` adds one more value, ``-name``
  removes one);
- ``state`` is ``completed`` for a request the service finished, with or
  without errors (``errorCount`` tells them apart), ``timeout`` or
  ``cancelled`` otherwise; the running request itself is ``running``.

Requests start and finish on the service's loop while statements read the
log on worker threads: every method takes the log's lock.
"""

from __future__ import annotations

import collections
import threading
import time
from typing import Any, Callable, Iterable, Optional

from .durations import go_duration

DEFAULT_THRESHOLD_MS = 1000
DEFAULT_LIMIT = 4000
QUALIFIERS = ("threshold", "aborted", "error", "client", "user", "context")
_LISTS = ("error", "client", "user", "context")


def _utc(ts: float) -> str:
    millis = int(ts * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{millis:03d}Z"


def statement_type(text: Optional[str]) -> str:
    """``SELECT``, ``INSERT``... ``CREATE_INDEX``: the statement's leading words."""
    words = (text or "").split(None, 3)
    words = [w.upper().rstrip(";") for w in words]
    if not words:
        return ""
    if words[0] in ("CREATE", "DROP", "BUILD", "ALTER") and len(words) > 1:
        if words[1] == "PRIMARY" and len(words) > 2:
            return "_".join(words[:3])
        return "_".join(words[:2])
    return words[0]


class RequestRecord:
    """One request, running or completed."""

    def __init__(self, request_id: str, statement: Optional[str], prepared: Optional[str],
                 user: str, users: str, client_context_id: str = "",
                 query_context: Optional[str] = None, scan_consistency: str = "unbounded",
                 named: Optional[dict] = None, positional: Optional[list] = None,
                 user_agent: Optional[str] = None, remote: Optional[str] = None,
                 node: str = "127.0.0.1:8091") -> None:
        self.request_id = request_id
        self.statement = statement
        self.prepared = prepared
        self.user = user
        self.users = users
        self.client_context_id = client_context_id
        self.query_context = query_context
        self.scan_consistency = scan_consistency
        self.named = dict(named or {})
        self.positional = list(positional) if positional is not None else None
        self.user_agent = user_agent
        self.remote = remote
        self.node = node
        self.wall = time.time()
        self.start = time.perf_counter()
        self.cancel: Any = None
        """The request's :class:`~.cancel.Cancel` once it runs (DELETE stops it)."""
        self.state = "running"
        self.elapsed = 0.0
        self.service = 0.0
        self.result_count = 0
        self.result_size = 0
        self.errors: list[dict[str, Any]] = []
        self.qualifier = ""

    def row(self, now: Optional[float] = None) -> dict[str, Any]:
        running = self.state == "running"
        elapsed = (now if now is not None else time.perf_counter()) - self.start \
            if running else self.elapsed
        doc: dict[str, Any] = {
            "clientContextID": self.client_context_id,
            "elapsedTime": go_duration(elapsed),
            "executionTime": go_duration(elapsed if running else self.service),
            "node": self.node,
            "phaseCounts": {},
            "phaseOperators": {},
            "phaseTimes": {},
            "requestId": self.request_id,
            "requestTime": _utc(self.wall),
            "scanConsistency": self.scan_consistency,
            "state": self.state,
            "statement": self.statement or "",
            "statementType": statement_type(self.statement),
            "useCBO": True,
            "users": self.users,
        }
        if self.query_context:
            doc["queryContext"] = self.query_context
        if self.user_agent:
            doc["userAgent"] = self.user_agent
        if self.remote:
            doc["remoteAddr"] = self.remote
        if self.prepared is not None:
            doc["preparedName"] = self.prepared
        if self.named:
            doc["namedArgs"] = self.named
        if self.positional is not None:
            doc["positionalArgs"] = self.positional
        if not running:
            del doc["executionTime"]
            doc.update({"errorCount": len(self.errors), "resultCount": self.result_count,
                        "resultSize": self.result_size,
                        "serviceTime": go_duration(self.service)})
            if self.errors:
                doc["errors"] = list(self.errors)
            if self.qualifier:
                doc["~qualifier"] = self.qualifier
        return dict(sorted(doc.items()))


class PreparedUse:
    """How often and when a prepared statement ran."""

    __slots__ = ("uses", "last", "created", "encoded_plan")

    def __init__(self, encoded_plan: str) -> None:
        self.uses = 0
        self.last: Optional[float] = None
        self.created = time.time()
        self.encoded_plan = encoded_plan


class RequestLog:
    """Active and completed requests, bounded as the server's settings say."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.active: dict[str, RequestRecord] = {}
        self.completed: collections.OrderedDict[str, RequestRecord] = collections.OrderedDict()
        self.threshold_ms = DEFAULT_THRESHOLD_MS
        self.limit = DEFAULT_LIMIT
        self.aborted = True
        self.lists: dict[str, list] = {name: [] for name in _LISTS}
        self.prepared: dict[str, PreparedUse] = {}
        self.completed_count = 0
        self.on_change: Optional[Callable[[], None]] = None
        """Told after :meth:`update` changed the settings (the local cluster
        saves them: :mod:`couchbase_mock.query_catalog_store`)."""

    # -- requests ---------------------------------------------------------------

    def start(self, record: RequestRecord) -> RequestRecord:
        with self._lock:
            self.active[record.request_id] = record
        return record

    def finish(self, record: RequestRecord, state: str, errors: Iterable[dict[str, Any]],
               result_count: int = 0, result_size: int = 0,
               service: Optional[float] = None) -> None:
        """The request is over: log it if a qualifier holds."""
        record.elapsed = time.perf_counter() - record.start
        record.service = record.elapsed if service is None else service
        record.state = state
        record.errors = list(errors)
        record.result_count = result_count
        record.result_size = result_size
        with self._lock:
            self.active.pop(record.request_id, None)
            self.completed_count += 1
            record.qualifier = self._qualifier(record)
            if not record.qualifier or self.limit == 0:
                return
            self.completed[record.request_id] = record
            self._trim()

    def _qualifier(self, record: RequestRecord) -> str:
        codes = [e.get("code") for e in record.errors]
        if self.threshold_ms >= 0 and record.elapsed * 1000 >= self.threshold_ms:
            return "threshold"
        if self.aborted and 5000 in codes:
            return "aborted"
        if any(code in self.lists["error"] for code in codes):
            return "error"
        if record.user in self.lists["user"]:
            return "user"
        if record.remote is not None and record.remote.rsplit(":", 1)[0] in self.lists["client"]:
            return "client"
        if record.client_context_id and record.client_context_id in self.lists["context"]:
            return "context"
        return ""

    def _trim(self) -> None:
        if self.limit == 0:
            self.completed.clear()
        while self.limit > 0 and len(self.completed) > self.limit:
            self.completed.popitem(last=False)

    def active_records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self.active.values())

    def completed_records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self.completed.values())

    def forget_completed(self, request_ids: Iterable[str]) -> int:
        n = 0
        with self._lock:
            for rid in request_ids:
                if self.completed.pop(rid, None) is not None:
                    n += 1
        return n

    # -- prepared statements ----------------------------------------------------

    def prepared_made(self, name: str, encoded_plan: str) -> None:
        with self._lock:
            self.prepared[name] = PreparedUse(encoded_plan)

    def prepared_used(self, name: str) -> None:
        with self._lock:
            use = self.prepared.get(name)
            if use is None:
                use = self.prepared[name] = PreparedUse("")
            use.uses += 1
            use.last = time.time()

    def prepared_forgotten(self, name: str) -> None:
        with self._lock:
            self.prepared.pop(name, None)

    # -- settings -----------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        with self._lock:
            completed: dict[str, Any] = {"threshold": self.threshold_ms}
            if self.aborted:
                completed["aborted"] = None
            for name in _LISTS:
                values = self.lists[name]
                if len(values) == 1:
                    completed[name] = values[0]
                elif values:
                    completed[name] = list(values)
            return {"completed": completed, "completed-limit": self.limit,
                    "completed-threshold": self.threshold_ms}

    def update(self, doc: dict[str, Any]) -> None:
        """Apply ``/admin/settings`` fields; ``ValueError`` names a bad one (and
        nothing changes)."""
        threshold, limit = self.threshold_ms, self.limit
        aborted = self.aborted
        lists = {k: list(v) for k, v in self.lists.items()}
        if "completed-threshold" in doc:
            threshold = _int_setting("completed-threshold", doc["completed-threshold"])
        if "completed-limit" in doc:
            limit = _int_setting("completed-limit", doc["completed-limit"])
        completed = doc.get("completed")
        if completed is not None:
            if not isinstance(completed, dict):
                raise ValueError("completed has to be an object")
            for key, value in completed.items():
                op = key[0] if key[:1] in ("+", "-") else ""
                name = key[len(op):]
                if name == "tag":
                    continue  # tagged sets: accepted, logged as plain qualifiers
                if name not in QUALIFIERS:
                    raise ValueError(f"Completed requests qualifier unknown: {key}")
                if name == "threshold":
                    v = _int_setting("threshold", value)
                    threshold = -1 if op == "-" and v == threshold else v
                elif name == "aborted":
                    aborted = op != "-"
                elif op == "-":
                    if value in lists[name]:
                        lists[name].remove(value)
                elif op == "+":
                    lists[name].append(value)
                else:
                    lists[name] = [value]
        with self._lock:
            self.threshold_ms, self.limit, self.aborted, self.lists = \
                threshold, limit, aborted, lists
            self._trim()
        if self.on_change is not None:
            self.on_change()


def _int_setting(name: str, value: Any) -> int:
    if type(value) is not int and not (type(value) is float and value == int(value)):
        raise ValueError(f"{name} has to be an integer")
    return int(value)
