"""The analytics method every bucket class has, written once (mixed into ``BucketBase``).

``analytics_query`` builds a request object of the front end's classes
(``_analytics_class``, ``_deferred_analytics_class``); its flow
(:mod:`.flow`) is driven as the N1QL flows are: blocking for the sync API
and gevent, ``async for`` on asyncio, reactor callbacks on Twisted.
"""

from __future__ import annotations

from typing import Any, Callable, Generator

from .._core.commands import Endpoint
from .._core.connstr import split_host_port
from ..exceptions import ArgumentError, NotSupportedError
from .flow import analytics_flow, deferred_flow
from .query import AnalyticsQuery, DeferredAnalyticsQuery
from .request import DEFAULT_TIMEOUT, AnalyticsRequest, DeferredAnalyticsRequest

Flow = Generator[Any, Any, Any]

PORT, TLS_PORT = 8095, 18095  # the analytics service's ports
_MAP_PORTS = ("cbas", "cbasSSL")  # its names in the cluster map's nodesExt services


class AnalyticsAPI:
    """Analytics (SQL++ over the analytics service) queries."""

    analytics_timeout: float = DEFAULT_TIMEOUT
    """Seconds the analytics service may take when the query sets no timeout."""

    _analytics_class: Any = AnalyticsRequest
    _deferred_analytics_class: Any = DeferredAnalyticsRequest
    _analytics_turn = 0  # round robin over the analytics nodes
    _settings: Any
    _live: Callable[[], Any]

    def analytics_query(self, query: Any, host: Any = None, *args: Any, **kwargs: Any) -> Any:
        """Run an analytics query: an :class:`~couchbase.analytics.AnalyticsRequest`
        to iterate over for the rows (the request goes out when iteration starts).

        :param query: an :class:`~couchbase.analytics.AnalyticsQuery` (a
            :class:`~couchbase.analytics.DeferredAnalyticsQuery` gives a
            :class:`~couchbase.analytics.DeferredAnalyticsRequest`), or a statement
        :param host: the analytics node (``"host"`` or ``"host:port"``; port
            8095 by default); None: a node the cluster map lists as running the
            analytics service (:exc:`~couchbase.exceptions.NotSupportedError`
            when none does)
        :param args: values of the positional placeholders (``?``), added to the query's
        :param kwargs: values of named placeholders (``brewery="Kona"`` for
            ``$brewery``), except ``row_factory`` (called on each row) and
            ``itercls`` (the request class to make)

        >>> q = AnalyticsQuery("SELECT VALUE bw FROM breweries bw WHERE bw.name = ?",
        ...                    "Kona Brewing")
        >>> for row in cb.analytics_query(q, "127.0.0.1"):
        ...     print(row)
        """
        itercls = kwargs.pop("itercls", None)
        request_options = {"row_factory": kwargs.pop("row_factory")} \
            if "row_factory" in kwargs else {}
        if isinstance(query, str):
            query = AnalyticsQuery(query)
        elif not isinstance(query, AnalyticsQuery):
            raise ArgumentError("an analytics query must be an AnalyticsQuery or a statement, "
                                f"not {query!r}", objextra=query)
        if args or kwargs:
            query = query._copy()
            query.add_args(*args)
            query.set_named_args(**kwargs)
        if itercls is None:
            itercls = (self._deferred_analytics_class
                       if isinstance(query, DeferredAnalyticsQuery) or query.deferred
                       else self._analytics_class)
        return itercls(query, host, self, **request_options)

    def _analytics_flow(self, request: AnalyticsRequest) -> Flow:
        # the endpoint is looked up when the flow starts: its errors leave through the driver
        return (yield from analytics_flow(request, self._analytics_endpoint(request)))

    def _deferred_analytics_flow(self, request: DeferredAnalyticsRequest) -> Flow:
        return (yield from deferred_flow(request, self._analytics_endpoint(request)))

    def _analytics_endpoint(self, request: AnalyticsRequest) -> Endpoint:
        """``request.host``'s analytics service, else the next node the map lists."""
        cluster = self._live()
        settings = self._settings
        wait = request._timeout() + 1.0
        tls = settings.tls
        host = request.host
        if host:
            if not isinstance(host, str):
                raise ArgumentError(f"host must be a string, not {host!r}", objextra=host)
            text = host.split("://", 1)[-1].rstrip("/")
            try:
                name, port = split_host_port(text)
            except ValueError as exc:
                raise ArgumentError(f"bad analytics host {host!r}: {exc}",
                                    objextra=host) from None
            port = port or (TLS_PORT if tls is not None else PORT)
            return Endpoint(name, port, tls, settings.username, settings.password, wait)
        nodes = _analytics_nodes(cluster.router.config, tls is not None)
        if not nodes:
            raise NotSupportedError("no node of the cluster runs the analytics service; "
                                    "give analytics_query the host of one")
        name, port = nodes[self._analytics_turn % len(nodes)]
        self._analytics_turn += 1
        return Endpoint(name, port, tls, settings.username, settings.password, wait)


def _analytics_nodes(config: Any, tls: bool) -> list[tuple[str, int]]:
    """``(hostname, analytics port)`` of each node the map lists with the service.

    The nodes' addresses are the parsed map's; their analytics ports are read
    from the map's ``nodesExt`` (the nodes come from it, in its order).
    """
    if config is None:
        return []
    entries = config.raw.get("nodesExt") if isinstance(config.raw, dict) else None
    if not isinstance(entries, list) or len(entries) != len(config.nodes):
        return []
    key = _MAP_PORTS[1] if tls else _MAP_PORTS[0]
    out = []
    for node, entry in zip(config.nodes, entries):
        services = entry.get("services") if isinstance(entry, dict) else None
        port = services.get(key) if isinstance(services, dict) else None
        if isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536:
            out.append((node.hostname, port))
    return out


__all__ = ["AnalyticsAPI"]
