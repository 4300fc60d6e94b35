"""Threshold and orphan reports (libcouchbase's "response time observability").

Facts (libcouchbase 2.9/2.10, which the 2.x SDKs wrap, and its settings):

- Each service has a threshold: ``kv`` 0.5 s, ``n1ql``, ``view``, ``fts`` and
  ``analytics`` 1 s. An operation that takes longer is queued for the
  service's next report; a queue keeps the ``tracing_threshold_queue_size``
  (128) slowest. Every ``tracing_threshold_queue_flush_interval`` (10 s) a
  non-empty queue is written as one log line per service::

    Operations over threshold: {"service":"kv","count":3,"top":[{...},...]}

  at INFO level (libcouchbase's level for it), logger ``couchbase.tracing``.
- A response that arrives after its operation timed out is an orphan; the
  ``tracing_orphaned_queue_size`` (128) slowest are written every
  ``tracing_orphaned_queue_flush_interval`` (10 s) as ``Orphan responses
  observed: {...}`` at WARNING level, logger ``couchbase.tracing.orphaned``.
- An entry: ``operation_name``, ``last_operation_id`` (the opaque, hex),
  ``last_local_address``, ``last_remote_address``, ``last_local_id`` (client
  and connection ids), ``server_us`` (the server's own duration, when the
  connection negotiated HELLO TRACING and the response carried a server
  duration frame) and ``total_us``, slowest first. ``count`` is how many
  operations were over the threshold in the interval (``top`` holds at most
  the queue size of them).
- Connection string: ``tracing_threshold_kv`` (seconds; ``_n1ql`` or
  ``_query``, ``_view``, ``_fts`` or ``_search``, ``_analytics``),
  ``tracing_threshold_queue_size``, ``tracing_threshold_queue_flush_interval``,
  ``tracing_orphaned_queue_size``, ``tracing_orphaned_queue_flush_interval``,
  ``enable_tracing`` (``false``: no reports), ``log_redaction``.

How it is kept cheap: a driver reads the clock when an operation starts and
ends and compares the difference with :attr:`TracingSettings.kv` (infinite
when tracing is off): one comparison. Everything else (addresses, JSON)
happens only for operations over the threshold. Server durations cost every
response three bytes and the packet reader's general path, so HELLO asks for
them only when the connection string says ``enable_tracing=true``.

When reports go out: event-loop front ends arm a timer when a queue gets
its first entry; the sync front end has no thread of its own, so a due
report goes out with the next operation over the threshold, and whatever
is queued goes out when the bucket is closed.
"""

from __future__ import annotations

import heapq
import json
import logging
import math
import secrets
import time
from typing import Any, Callable, Mapping, Optional

from ._core.connstr import parse_duration
from ._core.frameinfo import ResponseFrame, decode_frames, decode_server_duration
from ._core.opcode import Opcode
from ._logging import config_log, io_log, orphan_log, redact, tracing_log

SERVICES = ("kv", "n1ql", "view", "fts", "analytics")
DEFAULT_THRESHOLDS = {"kv": 0.5, "n1ql": 1.0, "view": 1.0, "fts": 1.0, "analytics": 1.0}
DEFAULT_QUEUE_SIZE = 128
DEFAULT_FLUSH_INTERVAL = 10.0
MAX_SECONDS = 0xFFFFFFFF / 1e6
"""libcouchbase keeps these settings as 32-bit microseconds."""
MAX_QUEUE_SIZE = 0xFFFFFFFF
MAX_ABANDONED = 4096
"""Timed-out requests a connection remembers, to recognise their late answers."""

# connection-string option -> service (the 3.x names too)
THRESHOLD_OPTIONS = {
    "tracing_threshold_kv": "kv", "tracing_threshold_n1ql": "n1ql",
    "tracing_threshold_query": "n1ql", "tracing_threshold_view": "view",
    "tracing_threshold_fts": "fts", "tracing_threshold_search": "fts",
    "tracing_threshold_analytics": "analytics",
}
_TRUE = frozenset(("true", "on", "1", "yes"))
_FALSE = frozenset(("false", "off", "0", "no"))

_NAMES = {
    Opcode.GET: "get", Opcode.SET: "upsert", Opcode.ADD: "insert", Opcode.REPLACE: "replace",
    Opcode.DELETE: "remove", Opcode.INCREMENT: "counter", Opcode.DECREMENT: "counter",
    Opcode.APPEND: "append", Opcode.PREPEND: "prepend", Opcode.TOUCH: "touch",
    Opcode.GAT: "get_and_touch", Opcode.GET_LOCKED: "get_and_lock", Opcode.UNLOCK_KEY: "unlock",
    Opcode.GET_REPLICA: "get_from_replica", Opcode.OBSERVE: "observe",
    Opcode.OBSERVE_SEQNO: "observe_seqno", Opcode.SUBDOC_MULTI_LOOKUP: "lookup_in",
    Opcode.SUBDOC_MULTI_MUTATION: "mutate_in",
}


def operation_name(opcode: int) -> str:
    """The name a report gives a key-value operation (libcouchbase's span names)."""
    name = _NAMES.get(opcode)  # type: ignore[call-overload]
    if name is not None:
        return name
    try:
        return Opcode(opcode).name.lower()
    except ValueError:
        return f"0x{opcode:02x}"


# -- settings ---------------------------------------------------------------------------
def check_seconds(name: str, value: Any) -> float:
    """A threshold or interval in seconds (0 .. ~4295), else ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not 0 <= value <= MAX_SECONDS or math.isnan(value):
        raise ValueError(f"{name} must be a number of seconds from 0 to {MAX_SECONDS:.0f}, "
                         f"not {value!r}")
    return float(value)


def check_size(name: str, value: Any) -> int:
    """A queue size (1 .. 2**32-1), else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or \
            not 1 <= value <= MAX_QUEUE_SIZE:
        raise ValueError(f"{name} must be a whole number from 1 to {MAX_QUEUE_SIZE}, "
                         f"not {value!r}")
    return value


def check_flag(name: str, value: Any) -> bool:
    """A boolean from the connection string (``on``/``off``, ``true``/``false``, 1/0)."""
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{name} must be true or false (on/off, 1/0), not {value!r}")


class TracingSettings:
    """A bucket's tracing and redaction settings, shared live with its connections.

    :attr:`kv` is what the drivers compare an operation's duration with:
    the KV threshold, or infinity when tracing is off.
    """

    __slots__ = ("kv", "enabled", "server_durations", "thresholds", "threshold_queue_size",
                 "threshold_flush_interval", "orphaned_queue_size", "orphaned_flush_interval",
                 "redaction")

    def __init__(self, enabled: bool = True, server_durations: bool = False,
                 redaction: bool = False) -> None:
        self.enabled = enabled
        self.server_durations = server_durations and enabled
        self.redaction = redaction
        self.thresholds = dict(DEFAULT_THRESHOLDS)
        self.threshold_queue_size = DEFAULT_QUEUE_SIZE
        self.threshold_flush_interval = DEFAULT_FLUSH_INTERVAL
        self.orphaned_queue_size = DEFAULT_QUEUE_SIZE
        self.orphaned_flush_interval = DEFAULT_FLUSH_INTERVAL
        self.kv = self.thresholds["kv"] if enabled else math.inf

    def set_threshold(self, service: str, seconds: Any) -> None:
        self.thresholds[service] = check_seconds(f"tracing_threshold_{service}", seconds)
        if service == "kv" and self.enabled:
            self.kv = self.thresholds["kv"]

    def limit(self, service: str) -> float:
        """The threshold operations of ``service`` are compared with (inf: tracing off)."""
        return self.thresholds[service] if self.enabled else math.inf

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> TracingSettings:
        """The settings a connection string gives; ValueError naming a bad option."""
        enabled, durations = True, False
        raw = options.get("enable_tracing")
        if raw is not None:
            enabled = durations = check_flag("enable_tracing", raw)
        raw = options.get("log_redaction")
        redaction = check_flag("log_redaction", raw) if raw is not None else False
        settings = cls(enabled, durations, redaction)
        for option, service in THRESHOLD_OPTIONS.items():
            if option in options:
                settings.set_threshold(service, _duration(option, options[option]))
        for option in ("tracing_threshold_queue_flush_interval",
                       "tracing_orphaned_queue_flush_interval"):
            if option in options:
                value = check_seconds(option, _duration(option, options[option]))
                setattr(settings, option[len("tracing_"):].replace("queue_", ""), value)
        for option in ("tracing_threshold_queue_size", "tracing_orphaned_queue_size"):
            if option in options:
                text = options[option].strip()
                if not text.isdigit():
                    raise ValueError(f"{option} must be a whole number, not {text!r}")
                setattr(settings, option[len("tracing_"):], check_size(option, int(text)))
        return settings


def _duration(option: str, text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise ValueError(f"bad value for {option}: {text!r} ({exc})") from None


# -- reports ----------------------------------------------------------------------------
class _Queue:
    """One report in the making: the slowest entries, and how many there were."""

    __slots__ = ("heap", "count", "seq")

    def __init__(self) -> None:
        self.heap: list[tuple[float, int, dict[str, Any]]] = []
        self.count = 0
        self.seq = 0

    def add(self, seconds: float, entry: dict[str, Any], size: int) -> None:
        self.count += 1
        self.seq += 1
        item = (seconds, self.seq, entry)
        if len(self.heap) < size:
            heapq.heappush(self.heap, item)
        elif item > self.heap[0]:
            heapq.heapreplace(self.heap, item)

    def take(self, service: Optional[str]) -> dict[str, Any]:
        report: dict[str, Any] = {} if service is None else {"service": service}
        report["count"] = self.count
        report["top"] = [entry for _, _, entry in sorted(self.heap, reverse=True)]
        self.heap = []
        self.count = 0
        return report


Schedule = Callable[[float, Callable[[], None]], Any]
"""``call_later(delay, fn)`` of an event loop (returns something with ``cancel()``)."""


class Tracer:
    """A bucket's threshold and orphan reports (see the module docstring)."""

    def __init__(self, settings: TracingSettings, clock: Callable[[], float] = time.monotonic,
                 call_later: Optional[Schedule] = None) -> None:
        self.settings = settings
        self.clock = clock
        self.call_later = call_later
        self.client_id = secrets.randbits(64)
        self._queues: dict[str, _Queue] = {}
        self._orphans = _Queue()
        self._threshold_sent = self._orphans_sent = clock()  # when each report last went out
        self._timer: Any = None

    # -- recording (only for operations over a threshold, or orphans) ----------------
    def over_threshold(self, service: str, name: str, seconds: float,
                       entry: Optional[dict[str, Any]] = None) -> None:
        """Queue an operation of ``service`` that took ``seconds`` (over its threshold)."""
        queue = self._queues.get(service)
        if queue is None:
            queue = self._queues[service] = _Queue()
        queue.add(seconds, _entry(name, seconds, entry),
                  self.settings.threshold_queue_size)
        self._after_add()

    def orphan(self, name: str, seconds: float, entry: Optional[dict[str, Any]] = None) -> None:
        """Queue a response that arrived ``seconds`` after its request, which had given up."""
        self._orphans.add(seconds, _entry(name, seconds, entry),
                          self.settings.orphaned_queue_size)
        self._after_add()

    def kv_slow(self, opcode: int, seconds: float, node: Any, opaque: int,
                pkt: Any = None) -> None:
        """Queue a key-value operation over the threshold, answered by ``pkt`` on ``node``."""
        self.over_threshold("kv", operation_name(opcode), seconds,
                            self.kv_entry(node, opaque, pkt))

    def kv_entry(self, node: Any, opaque: int, pkt: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "last_operation_id": f"0x{opaque:x}",
            "last_local_address": local_address(node),
            "last_remote_address": f"{node.host}:{node.port}",
            "last_local_id": f"{self.client_id:016x}/{id(node):016x}",
        }
        server = server_us(pkt) if pkt is not None else None
        if server is not None:
            entry["server_us"] = server
        return entry

    # -- reporting -----------------------------------------------------------------------
    def _after_add(self) -> None:
        now = self.clock()
        self.flush(now)
        if self.call_later is not None and self._timer is None:
            due = self._next_due()
            if due != math.inf:
                self._timer = self.call_later(max(due - now, 0.001), self._on_timer)

    def _next_due(self) -> float:
        """When the next report may go out (inf: nothing queued, or no interval)."""
        settings = self.settings
        due = math.inf
        if any(q.count for q in self._queues.values()):
            due = _due(self._threshold_sent, settings.threshold_flush_interval)
        if self._orphans.count:
            due = min(due, _due(self._orphans_sent, settings.orphaned_flush_interval))
        return due

    def _on_timer(self) -> None:
        self._timer = None
        self._after_add()  # (writes what is due, sleeps until the rest is)

    def flush(self, now: Optional[float] = None, force: bool = False) -> None:
        """Write the reports that are due (every non-empty one when ``force``)."""
        if now is None:
            now = self.clock()
        settings = self.settings
        queues = [(s, q) for s, q in self._queues.items() if q.count]
        if queues and (force or now >= _due(self._threshold_sent,
                                            settings.threshold_flush_interval)):
            self._threshold_sent = now
            for service in SERVICES:
                queue = self._queues.get(service)
                if queue is not None and queue.count:
                    report = queue.take(service)
                    tracing_log.info("Operations over threshold: %s", _json(report),
                                     extra={"report": report})
        if self._orphans.count and (force or now >= _due(self._orphans_sent,
                                                         settings.orphaned_flush_interval)):
            self._orphans_sent = now
            report = self._orphans.take("kv")
            orphan_log.warning("Orphan responses observed: %s", _json(report),
                               extra={"report": report})

    def close(self) -> None:
        """Write whatever is queued (the bucket is closing)."""
        timer, self._timer = self._timer, None
        if timer is not None:
            try:
                timer.cancel()
            except Exception:  # (a timer that already fired)
                pass
        self.flush(force=True)


def _due(sent: float, interval: float) -> float:
    """An interval of 0 means no periodic report (libcouchbase): only at close."""
    return sent + interval if interval else math.inf


def _entry(name: str, seconds: float, entry: Optional[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"operation_name": name}
    if entry:
        out.update(entry)
    out["total_us"] = int(seconds * 1e6)
    return out


def _json(report: dict[str, Any]) -> str:
    return json.dumps(report, separators=(",", ":"))


def server_us(pkt: Any) -> Optional[int]:
    """The server's duration of a response, in microseconds, if it carried one."""
    framing = getattr(pkt, "framing", b"")
    if not framing:
        return None
    try:
        for frame_id, payload in decode_frames(framing):
            if frame_id == ResponseFrame.SERVER_DURATION and len(payload) == 2:
                return int(decode_server_duration(payload))
    except ValueError:
        pass
    return None


def local_address(node: Any) -> str:
    """``host:port`` of a connection's own end, or "" (asked of whatever the driver
    holds: a socket, an asyncio transport, gevent's or Twisted's)."""
    for holder in (getattr(node, "sock", None), getattr(node, "transport", None)):
        if holder is None:
            continue
        try:
            if hasattr(holder, "getsockname"):
                name = holder.getsockname()
            elif hasattr(holder, "get_extra_info"):
                name = holder.get_extra_info("sockname")
            elif hasattr(holder, "sock"):
                name = holder.sock.getsockname()
            else:  # Twisted: the transport behind the bound write method
                host = holder.write.__self__.getHost()
                name = (host.host, host.port)
        except Exception:
            continue
        if isinstance(name, tuple) and len(name) >= 2:
            return f"{name[0]}:{name[1]}"
    return ""


# -- HTTP services --------------------------------------------------------------------------
_PORT_SERVICES = (("query_port", "n1ql"), ("query_tls_port", "n1ql"), ("views_port", "view"),
                  ("views_tls_port", "view"), ("search_port", "fts"), ("search_tls_port", "fts"),
                  ("analytics_port", "analytics"), ("analytics_tls_port", "analytics"))


def service_at(config: Any, host: str, port: int) -> Optional[str]:
    """The traced service (n1ql, view, fts, analytics) a cluster map lists at host:port."""
    for node in getattr(config, "nodes", ()):
        if getattr(node, "hostname", None) != host:
            continue
        for attribute, service in _PORT_SERVICES:
            if getattr(node, attribute, None) == port:
                return service
    return None


class TimedLink:
    """A flow's HTTP connection, timed from its request to its close: a query, view or
    search request slower than its service's threshold is queued for the report."""

    __slots__ = ("link", "tracer", "config", "endpoint", "started")

    def __init__(self, link: Any, tracer: Tracer, config: Any, endpoint: Any,
                 started: float) -> None:
        self.link = link
        self.tracer = tracer
        self.config = config  # the cluster map when it was opened (to name the service)
        self.endpoint = endpoint
        self.started = started

    def receive(self, *done: Any) -> Any:
        return self.link.receive(*done)

    def close(self) -> None:
        started, self.started = self.started, 0.0
        self.link.close()
        if not started:
            return  # (closed twice)
        tracer = self.tracer
        seconds = tracer.clock() - started
        settings = tracer.settings
        if not settings.enabled or seconds <= min(settings.thresholds.values()):
            return
        endpoint = self.endpoint
        service = service_at(self.config, endpoint.host, endpoint.port)
        if service is not None and seconds > settings.thresholds[service]:
            tracer.over_threshold(service, service, seconds, {
                "last_remote_address": f"{endpoint.host}:{endpoint.port}",
                "last_local_address": local_address(self.link),
                "last_local_id": f"{tracer.client_id:016x}/{id(self.link):016x}"})


# -- log lines of the drivers' error paths -------------------------------------------
def log_timeout(opcode: int, key: bytes, node: Any, seconds: float, redaction: bool) -> None:
    """An operation timed out: which one, on which node (the key redacted if asked)."""
    if io_log.isEnabledFor(logging.INFO):
        io_log.info("%s of key %s timed out after %.3gs waiting for %s:%s",
                    operation_name(opcode), redact(key, redaction), seconds,
                    node.host, node.port)


def log_not_my_vbucket(node: Any, vbucket: int, newer: bool, router: Any) -> None:
    """A NOT_MY_VBUCKET: whether it brought a newer cluster map."""
    if newer:
        config = router.config
        config_log.info("NOT_MY_VBUCKET from %s:%s for vbucket %d: now on cluster map "
                        "revision %s", node.host, node.port, vbucket,
                        getattr(config, "rev", "?"))
    else:
        config_log.debug("NOT_MY_VBUCKET from %s:%s for vbucket %d (map unchanged)",
                         node.host, node.port, vbucket)


class Abandoned:
    """The requests one connection gave up waiting for (timed out), so that their
    late answers are reported as orphans rather than silently dropped."""

    __slots__ = ("tracer", "started")

    def __init__(self, tracer: Tracer) -> None:
        self.tracer = tracer
        self.started: dict[int, float] = {}  # opaque -> when the operation started

    def add(self, opaque: int, started: float) -> None:
        started_at = self.started
        if len(started_at) >= MAX_ABANDONED:
            del started_at[next(iter(started_at))]
        started_at[opaque] = started

    def arrived(self, pkt: Any, node: Any) -> bool:
        """A response no request waits for: reported if it answers an abandoned one."""
        started = self.started.pop(pkt.opaque, None)
        if started is None:
            return False
        tracer = self.tracer
        if tracer.settings.enabled:
            tracer.orphan(operation_name(pkt.opcode), tracer.clock() - started,
                          tracer.kv_entry(node, pkt.opaque, pkt))
        return True

    def clear(self) -> None:
        self.started.clear()


__all__ = ["DEFAULT_THRESHOLDS", "SERVICES", "Abandoned", "TimedLink", "Tracer",
           "TracingSettings",
           "check_flag", "check_seconds", "check_size", "log_not_my_vbucket", "log_timeout",
           "operation_name", "server_us"]
