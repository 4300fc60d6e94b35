"""Health checks, sans-IO: the probe a ping sends every KV node, and the reports.

A ping actively measures each service endpoint (a NOOP per KV node, an HTTP
request per node of each HTTP service); diagnostics only reports what the
connections already know. Both reports have the JSON shape libcouchbase
gives (and SDK 2.5 returned as a dict)::

    {"version": 1, "id": "...", "sdk": "...", "config_rev": 12,
     "services": {"kv": [{"id": "...", "remote": "127.0.0.1:11210",
                          "latency_us": 120, "status": "ok", "scope": "default"}],
                  "n1ql": [...], "views": [...], "fts": [...]}}
"""

from __future__ import annotations

import time
from typing import Any, Optional

from .errors import ServerError
from .opcode import Magic, Opcode
from .packet import Packet, encode_packet

OK, TIMEOUT, ERROR = "ok", "timeout", "error"


class PingStatus:
    """An endpoint's ping outcome as SDK 2.5 named it (libcouchbase's
    LCB_PINGSTATUS_* numbers); reports carry the text: ``ok``, ``timeout``, ``error``."""

    OK = 0
    TIMEOUT = 1
    ERROR = 2

    @staticmethod
    def of(text: str) -> int:
        """The number for a report entry's ``status`` text."""
        return {OK: PingStatus.OK, TIMEOUT: PingStatus.TIMEOUT}.get(text, PingStatus.ERROR)

HTTP_PINGS = {
    # report name: (service name of the cluster connection, path the service answers)
    "views": ("views", "/"),
    "n1ql": ("query", "/admin/ping"),
    "fts": ("search", "/api/ping"),
}


class NoopProbe:
    """A NOOP to one KV node, timed (a :class:`~couchbase._core.commands.NodeProbe`)."""

    __slots__ = ("where", "started", "latency", "error")

    def __init__(self, where: str) -> None:
        self.where = where  # "host:port"
        self.started = 0.0
        self.latency: Optional[float] = None
        self.error: Optional[BaseException] = None

    def request(self, opaque: int) -> bytes:
        self.started = time.perf_counter()
        return encode_packet(Magic.REQUEST, Opcode.NOOP, opaque=opaque)

    def feed(self, pkt: Packet) -> bool:
        self.latency = time.perf_counter() - self.started
        if pkt.status:
            raise ServerError(f"NOOP failed on {self.where} (status 0x{pkt.status:02x})",
                              pkt.status)
        return True


def status_of(error: Optional[BaseException]) -> str:
    """``ok``, ``timeout`` or ``error`` for an endpoint's outcome."""
    if error is None:
        return OK
    name = type(error).__name__
    return TIMEOUT if "Timeout" in name or isinstance(error, TimeoutError) else ERROR


def endpoint_entry(remote: str, latency: Optional[float], error: Optional[BaseException],
                   scope: Optional[str] = None) -> dict[str, Any]:
    """One endpoint of a ping report."""
    entry: dict[str, Any] = {"id": f"{remote}", "remote": remote, "status": status_of(error)}
    if latency is not None and error is None:
        entry["latency_us"] = max(int(latency * 1_000_000), 1)
    if error is not None:
        entry["error"] = str(error)
    if scope is not None:
        entry["scope"] = scope
    return entry


def report(report_id: str, sdk: str, config_rev: int,
           services: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The whole report (ping or diagnostics)."""
    return {"version": 1, "id": report_id, "sdk": sdk, "config_rev": config_rev,
            "services": services}
