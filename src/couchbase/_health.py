"""``ping()`` and ``diagnostics()`` of a bucket (SDK 2.5), on every front end.

>>> report = cb.ping()
>>> [e["status"] for e in report["services"]["kv"]]
['ok', 'ok']

``ping`` measures: a NOOP to every KV node at once (a node that does not
answer is reported ``timeout`` or ``error``, the others still are), then
one HTTP request to every node of each HTTP service. ``diagnostics`` sends
nothing: it reports the state of the bucket's KV connections.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable, Generator, Iterable, Optional

from . import __version__
from ._core import health
from ._core.commands import EachNode
from ._core.errors import CoreError
from ._http.flows import request_flow
from ._public_errors import to_public
from .exceptions import ArgumentError, CouchbaseError

Flow = Generator[Any, Any, Any]
SDK = f"couchbase-pure/{__version__}"
SERVICES = ("kv", *health.HTTP_PINGS)


def _services(services: Optional[Iterable[str]]) -> list[str]:
    if services is None:
        return list(SERVICES)
    names = [services] if isinstance(services, str) else list(services)
    names = [getattr(s, "value", s) for s in names]  # (3.x's ServiceType)
    unknown = [s for s in names if s not in SERVICES]
    if unknown or not names:
        raise ArgumentError(f"services must be some of {SERVICES}, not {names!r}",
                            objextra=services)
    return names


class HealthAPI:
    """Mixed into every front end's Bucket."""

    _drive: Callable[[Flow], Any]
    _live: Callable[[], Any]
    _bucket: str  # the bucket's name (set by BucketBase)
    timeout: float

    def ping(self, *opts: Any, services: Optional[Iterable[str]] = None,
             report_id: Optional[str] = None, **kwargs: Any) -> Any:
        """Measure every endpoint of ``services`` (default: ``kv``, ``views``,
        ``n1ql``, ``fts``): a dict as the module docstring shows, which is also
        the 4.x :class:`~couchbase.result.PingResult`. 2.x form: ``ping(services,
        report_id)``; 4.x form: ``ping(PingOptions(report_id=..., service_types=[...]))``
        or those keywords."""
        services, report_id = _ping_arguments(opts, services, report_id, kwargs)
        return self._drive(self._ping_flow(_services(services), report_id or str(uuid.uuid4())))

    def diagnostics(self, *opts: Any, report_id: Optional[str] = None) -> Any:
        """The state of this bucket's KV connections, without sending anything: the
        2.x dict, also the 4.x :class:`~couchbase.result.DiagnosticsResult`."""
        from ._health4x import DiagnosticsResult

        for opt in opts:  # 2.x: diagnostics(report_id); 4.x: DiagnosticsOptions(report_id=)
            report_id = opt.get("report_id", report_id) if isinstance(opt, dict) else opt
        return DiagnosticsResult(self._diagnostics(report_id))

    def _diagnostics(self, report_id: Optional[str]) -> dict[str, Any]:
        cluster = self._live()
        entries = []
        for host, port in cluster.router.addresses():
            node = cluster.nodes.get((host, port))
            state = "disconnected" if node is None or getattr(node, "closed", False) else \
                "connected" if getattr(node, "usable", False) or getattr(node, "ready", False) \
                else "connecting"
            entries.append({"id": f"{host}:{port}", "remote": f"{host}:{port}",
                            "status": state, "scope": self._bucket or None})
        return health.report(report_id or str(uuid.uuid4()), SDK, self._config_rev(),
                             {"kv": entries})

    def _config_rev(self) -> int:
        config = self._live().router.config
        return int(config.rev) if config is not None else 0

    def _ping_flow(self, services: list[str], report_id: str) -> Flow:
        out: dict[str, list[dict[str, Any]]] = {}
        if "kv" in services:
            probes = yield EachNode(health.NoopProbe, tolerant=True)
            out["kv"] = [health.endpoint_entry(f"{host}:{port}", p.latency, p.error,
                                               self._bucket or None)
                         for (host, port), p in probes.items()]
        for name in services:
            if name == "kv":
                continue
            service, path = health.HTTP_PINGS[name]
            try:
                endpoints = self._live().service_endpoints(service, self.timeout)
            except (KeyError, CoreError):
                endpoints = []  # a service this cluster map does not know
            entries = out[name] = []
            for endpoint in endpoints:
                entries.append((yield from _http_ping(endpoint, path)))
        from ._health4x import PingResult

        return PingResult(health.report(report_id, SDK, self._config_rev(), out))


def _ping_arguments(opts: tuple[Any, ...], services: Any, report_id: Optional[str],
                    kwargs: dict[str, Any]) -> tuple[Any, Optional[str]]:
    """``(services, report_id)`` of a 2.x or a 4.x ping call."""
    from ._health4x import report_services
    from .options import merge

    positional = [o for o in opts if not isinstance(o, dict)]
    if len(positional) > 2:
        raise ArgumentError("ping takes services and report_id", objextra=opts)
    if positional:
        services = positional[0]
    if len(positional) > 1:
        report_id = positional[1]
    options = merge(tuple(o for o in opts if isinstance(o, dict)), kwargs)
    report_id = options.get("report_id", report_id)
    if "service_types" in options:
        services = report_services(options["service_types"])
    return services, report_id


def _http_ping(endpoint: Any, path: str) -> Flow:
    import time

    remote = f"{endpoint.host}:{endpoint.port}"
    started = time.perf_counter()
    error: Optional[BaseException] = None
    try:
        ex, _ = yield from request_flow(endpoint, "GET", path)
        if ex.status >= 500:
            error = CouchbaseError(f"HTTP {ex.status}")
    except (CouchbaseError, CoreError, OSError) as exc:
        error = to_public(exc)
    return health.endpoint_entry(remote, time.perf_counter() - started, error)
