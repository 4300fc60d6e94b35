"""4.x health checks: :class:`PingResult`, :class:`DiagnosticsResult`,
``wait_until_ready`` and ``cluster_info`` (:class:`ClusterInfoResult`).

A :class:`PingResult` *is* the 2.x ping report (a ``dict``: ``report["services"]
["kv"][0]["status"]``) with the 4.x attributes on top (``endpoints`` by
:class:`~couchbase.diagnostics.ServiceType`, ``id``, ``sdk``, ``version``,
``as_json()``), so ``Bucket.ping()`` serves both generations; the same for
:class:`DiagnosticsResult`. ``wait_until_ready`` pings until every wanted
service answers from every node (or, for ``ClusterState.Degraded``, from one),
pausing between rounds, and raises UnAmbiguousTimeoutException at its timeout.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Generator, Iterable, Optional

from ._core.commands import Sleep
from ._errors4x import InvalidArgumentException, UnAmbiguousTimeoutException
from .diagnostics import (
    REPORT_NAMES,
    SERVICE_REPORT_NAMES,
    ClusterState,
    EndpointDiagnosticsReport,
    EndpointPingReport,
    EndpointState,
    ServiceType,
)

Flow = Generator[Any, Any, Any]
REPORT_VERSION = 2  # the 4.x report format (libcouchbase's was 1)
WAIT_PAUSE = 0.1  # seconds between two rounds of wait_until_ready


class _Report(dict):
    _endpoint_class: Any = EndpointPingReport

    @property
    def id(self) -> str:
        return str(self.get("id", ""))

    @property
    def sdk(self) -> str:
        return str(self.get("sdk", ""))

    @property
    def version(self) -> int:
        return REPORT_VERSION

    @property
    def endpoints(self) -> dict[ServiceType, list[Any]]:
        out: dict[ServiceType, list[Any]] = {}
        for name, entries in (self.get("services") or {}).items():
            service = REPORT_NAMES.get(name)
            if service is not None and entries:
                out[service] = [self._endpoint_class(service, e) for e in entries]
        return out

    def as_dict(self) -> dict[str, Any]:
        services = {service.value: [e.as_dict() for e in entries]
                    for service, entries in self.endpoints.items()}
        return {"version": REPORT_VERSION, "id": self.id, "sdk": self.sdk,
                "services": services}

    def as_json(self) -> str:
        return json.dumps(self.as_dict())


class PingResult(_Report):
    """A ping report (see the module docstring)."""


class DiagnosticsResult(_Report):
    """A diagnostics report; ``state`` sums its endpoints up (:class:`ClusterState`)."""

    _endpoint_class = EndpointDiagnosticsReport

    @property
    def state(self) -> ClusterState:
        states = [e.state for entries in self.endpoints.values() for e in entries]
        connected = sum(1 for s in states if s is EndpointState.Connected)
        if states and connected == len(states):
            return ClusterState.Online
        return ClusterState.Degraded if connected else ClusterState.Offline


def merged(reports: Iterable[dict[str, Any]], cls: type[_Report]) -> _Report:
    """One report of several connections' (the cluster's and its open buckets')."""
    out: Optional[_Report] = None
    for report in reports:
        if out is None:
            out = cls(report)
            out["services"] = {k: list(v) for k, v in (report.get("services") or {}).items()}
            continue
        for name, entries in (report.get("services") or {}).items():
            out["services"].setdefault(name, []).extend(entries)
    return out if out is not None else cls({"services": {}})


def report_services(service_types: Any) -> Optional[list[str]]:
    """The 2.x report names of PingOptions' ``service_types`` (None: every one)."""
    if service_types is None:
        return None
    names = []
    for service in ([service_types] if isinstance(service_types, ServiceType)
                    else list(service_types)):
        if not isinstance(service, ServiceType):
            try:
                service = ServiceType(service)
            except ValueError:
                raise InvalidArgumentException(
                    message=f"not a ServiceType: {service!r}") from None
        name = SERVICE_REPORT_NAMES[service]
        if name not in names:
            names.append(name)
    return names


def ready(report: dict[str, Any], wanted: Optional[list[str]], desired: ClusterState) -> bool:
    """Whether a ping ``report`` shows the ``wanted`` services in the ``desired`` state."""
    services = report.get("services") or {}
    names = wanted if wanted is not None else [n for n, e in services.items() if e]
    if not names:
        return False
    for name in names:
        entries = services.get(name) or []
        ok = [e for e in entries if e.get("status") == "ok"]
        if not entries or not ok:
            return False
        if desired is ClusterState.Online and len(ok) != len(entries):
            return False
    return True


def wait_until_ready_flow(ping: Callable[[Optional[list[str]]], Flow], timeout: float,
                          options: dict[str, Any]) -> Flow:
    """Ping until ready (see the module docstring); ``ping(services)`` is a ping flow."""
    desired = options.get("desired_state", ClusterState.Online)
    if not isinstance(desired, ClusterState):
        desired = ClusterState(desired)
    if desired is ClusterState.Offline:
        raise InvalidArgumentException(message="wait_until_ready cannot wait for Offline")
    wanted = report_services(options.get("service_types"))
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while True:
        last = yield from ping(wanted)
        if ready(last, wanted, desired):
            return None
        left = deadline - time.monotonic()
        if left <= 0:
            raise UnAmbiguousTimeoutException(
                message=f"the cluster was not ready ({desired.value}) within {timeout}s: "
                        f"{_not_ok(last)}")
        yield Sleep(min(WAIT_PAUSE, left))


def _not_ok(report: dict[str, Any]) -> str:
    bad = [f"{name} {e.get('remote')}: {e.get('status')}"
           for name, entries in (report.get("services") or {}).items()
           for e in entries if e.get("status") != "ok"]
    return "; ".join(bad) or "no endpoint of the services asked for"


class ClusterInfoResult:
    """What ``/pools/default`` says of the cluster: ``server_version`` ("7.6.2"),
    ``server_version_short`` (7.6), ``server_version_full`` ("7.6.2-1234-enterprise"),
    ``server_version_build``, ``is_enterprise``, ``is_community``,
    ``cluster_capabilities``, ``nodes``."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw if isinstance(raw, dict) else {}
        nodes = self._raw.get("nodes")
        self._nodes = [n for n in nodes if isinstance(n, dict)] if isinstance(nodes, list) \
            else []
        versions = sorted(str(n.get("version", "")) for n in self._nodes if n.get("version"))
        self._full = versions[0] if versions else ""  # (the oldest node's)

    @property
    def nodes(self) -> list[dict[str, Any]]:
        return list(self._nodes)

    @property
    def server_version_full(self) -> str:
        return self._full

    @property
    def server_version(self) -> str:
        return self._full.split("-", 1)[0]

    @property
    def server_version_short(self) -> float:
        parts = self.server_version.split(".")
        try:
            return float(".".join(parts[:2]))
        except ValueError:
            return 0.0

    @property
    def server_version_build(self) -> int:
        parts = self._full.split("-")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0

    @property
    def is_enterprise(self) -> bool:
        return self._full.endswith("enterprise")

    @property
    def is_community(self) -> bool:
        return self._full.endswith("community")

    @property
    def cluster_capabilities(self) -> dict[str, Any]:
        caps = self._raw.get("clusterCapabilities")
        return dict(caps) if isinstance(caps, dict) else {}

    def __repr__(self) -> str:
        return f"ClusterInfoResult(server_version={self._full!r}, nodes={len(self._nodes)})"


__all__ = ["ClusterInfoResult", "DiagnosticsResult", "PingResult", "merged",
           "report_services", "wait_until_ready_flow"]
