"""Health-check names of the 4.x API: :class:`ServiceType`, :class:`PingState`,
:class:`EndpointState`, :class:`ClusterState` and the per-endpoint reports of
:class:`~couchbase.result.PingResult` and :class:`~couchbase.result.DiagnosticsResult`.

>>> result = cluster.ping(PingOptions(service_types=[ServiceType.KeyValue]))
>>> [(e.remote, e.state) for e in result.endpoints[ServiceType.KeyValue]]
"""

from __future__ import annotations

import json
from datetime import timedelta
from enum import Enum
from typing import Any, Optional


class ServiceType(Enum):
    View = "views"
    KeyValue = "kv"
    Query = "query"
    Search = "search"
    Analytics = "analytics"
    Management = "mgmt"
    Eventing = "eventing"


class PingState(Enum):
    OK = "ok"
    TIMEOUT = "timeout"
    ERROR = "error"


class EndpointState(Enum):
    Disconnected = "disconnected"
    Connecting = "connecting"
    Connected = "connected"
    Disconnecting = "disconnecting"


class ClusterState(Enum):
    """Online: every endpoint connected; Offline: none; Degraded otherwise."""

    Online = "online"
    Degraded = "degraded"
    Offline = "offline"


# the 2.x report's service names (libcouchbase's) <-> ServiceType
REPORT_NAMES = {"kv": ServiceType.KeyValue, "views": ServiceType.View,
                "n1ql": ServiceType.Query, "fts": ServiceType.Search,
                "analytics": ServiceType.Analytics, "mgmt": ServiceType.Management}
SERVICE_REPORT_NAMES = {v: k for k, v in REPORT_NAMES.items()}


class _Endpoint:
    """What both endpoint reports share (over the 2.x report's entry)."""

    def __init__(self, service_type: ServiceType, raw: dict[str, Any]) -> None:
        self._raw = raw
        self._type = service_type

    @property
    def service_type(self) -> ServiceType:
        return self._type

    type = service_type

    @property
    def id(self) -> str:
        return str(self._raw.get("id", ""))

    @property
    def local(self) -> Optional[str]:
        return self._raw.get("local")

    @property
    def remote(self) -> str:
        return str(self._raw.get("remote", ""))

    @property
    def namespace(self) -> Optional[str]:
        """The bucket the endpoint's connection is bound to (None: none)."""
        return self._raw.get("scope") or None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self._raw.items() if v is not None}

    def as_json(self) -> str:
        return json.dumps(self.as_dict())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._type.name}, {self._raw!r})"


class EndpointPingReport(_Endpoint):
    """One endpoint of a ping: ``state`` (:class:`PingState`), ``latency``, ``error``."""

    @property
    def state(self) -> PingState:
        return PingState(self._raw.get("status", "error"))

    @property
    def latency(self) -> timedelta:
        return timedelta(microseconds=int(self._raw.get("latency_us") or 0))

    @property
    def error(self) -> Optional[str]:
        return self._raw.get("error")


class EndpointDiagnosticsReport(_Endpoint):
    """One connection of a diagnostics report: ``state`` (:class:`EndpointState`)."""

    @property
    def state(self) -> EndpointState:
        return EndpointState(self._raw.get("status", "disconnected"))

    @property
    def last_activity(self) -> Optional[timedelta]:
        us = self._raw.get("last_activity_us")
        return timedelta(microseconds=us) if isinstance(us, int) else None

    last_activity_us = last_activity


EndPointDiagnostics = EndpointDiagnosticsReport  # (the 3.0 name)

__all__ = ["ClusterState", "EndPointDiagnostics", "EndpointDiagnosticsReport",
           "EndpointPingReport", "EndpointState", "PingState", "ServiceType"]
