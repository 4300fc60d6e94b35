"""Start the services of every node of a :class:`~couchbase_mock.cluster.Cluster`.

Each node listens on one port per entry of :data:`SERVICES`: management
(REST), KV (memcached binary protocol), views (``capi``), query (N1QL),
search (FTS) and analytics (``cbas``, :mod:`couchbase_mock.analytics`).
Ports are ephemeral unless ``port_base`` is given; then node ``i`` of ``n``
uses ``port_base + 2*i`` for management, ``port_base + 2*i + 1`` for KV, and
``port_base + k*n + i`` for the ``k``-th service after those two (``k`` = 2:
views, 3: query, 4: search, 5: analytics). With ``standard_ports`` the first node uses
Couchbase Server's own ports instead (:data:`STANDARD_PORTS`: 8091
management, 8092 views, 8093 query, 8094 search, 8095 analytics, 11210 KV) and
the others follow ``port_base`` or are ephemeral, so tools that assume
``localhost:8091`` work unchanged.

With TLS (:mod:`couchbase_mock.tls`) every service also listens on a TLS
port, ``<name>SSL`` in :attr:`Node.ports` and the config (``kvSSL``,
``mgmtSSL``...), ephemeral (with ``standard_ports``, node 0 on 11207 and
18091-18094); ``tls_only`` leaves the plain ports out.

Every listening port accepts at most ``limits.max_connections`` connections
at a time (see :mod:`couchbase_mock.limits`); the next one is accepted and
closed at once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import weakref
from typing import Any, Callable, Mapping, NamedTuple, Optional, Union

from .analytics.service import AnalyticsProtocol
from .cluster import Cluster, Node
from .http import MgmtProtocol
from .httpserver import HTTPProtocol
from .kv_connection import KVProtocol
from .limits import DEFAULT_LIMITS, Limits
from .query_service import QueryProtocol
from .search.service import SearchProtocol
from .tls import STANDARD_TLS_PORTS, ServerTLS, tls_name
from .views.service import CapiProtocol

log = logging.getLogger(__name__)

MAX_PORT = 65535

Proto = Union[KVProtocol, MgmtProtocol, CapiProtocol, QueryProtocol, SearchProtocol,
              AnalyticsProtocol]


class Service(NamedTuple):
    """One listening port of every node: its name in the config's ``nodesExt``
    (and in :attr:`Node.ports`), and how a connection to it is served."""

    name: str
    make: Callable[[Cluster, int, Limits], Proto]


# In port order (see the module docstring): a new service is one more line.
SERVICES: tuple[Service, ...] = (
    Service("mgmt", lambda cluster, node, limits: MgmtProtocol(cluster, node)),
    Service("kv", KVProtocol),
    Service("capi", lambda cluster, node, limits: CapiProtocol(cluster, node)),
    Service("n1ql", lambda cluster, node, limits: QueryProtocol(cluster, node)),
    Service("fts", lambda cluster, node, limits: SearchProtocol(cluster, node)),
    Service("cbas", lambda cluster, node, limits: AnalyticsProtocol(cluster, node)),
)


STANDARD_PORTS: dict[str, int] = {"mgmt": 8091, "capi": 8092, "n1ql": 8093, "fts": 8094,
                                  "cbas": 8095, "kv": 11210}
"""The ports of a Couchbase Server node, by service name."""


def port_for(position: int, node: int, num_nodes: int, port_base: Optional[int],
             standard_ports: bool = False) -> int:
    """The port node ``node`` binds for the service at ``position`` in
    :data:`SERVICES` (0: ephemeral)."""
    if standard_ports and node == 0:
        return STANDARD_PORTS[SERVICES[position].name]
    if port_base is None:
        return 0
    if position < 2:
        return port_base + 2 * node + position
    return port_base + position * num_nodes + node


def check_port_base(port_base: Optional[int], num_nodes: int) -> None:
    """``ValueError`` unless every port from ``port_base`` on is a valid port."""
    if port_base is None:
        return
    last = port_base + len(SERVICES) * num_nodes - 1
    if port_base < 1 or last > MAX_PORT:
        raise ValueError(
            f"port base {port_base} does not fit {num_nodes} node(s): they need ports "
            f"{port_base}-{last}, and ports go from 1 to {MAX_PORT}"
        )


class _Refused(asyncio.Protocol):
    """A connection over a port's cap: closed as soon as it is made."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.close()


class Gate:
    """How many connections one listening port holds, against its cap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0
        self.refused = 0

    def release(self) -> None:
        self.open -= 1


class Servers:
    """The listening sockets of a cluster and the connections they accepted,
    per node, so that one node can be stopped and started again."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS, tls: Optional[ServerTLS] = None,
                 tls_only: bool = False) -> None:
        self.limits = limits
        # With tls, every service also listens on a TLS port (couchbase_mock.tls);
        # tls_only: on that port alone.
        self.tls = tls
        self.tls_only = tls_only and tls is not None
        self.listeners: dict[int, list[asyncio.AbstractServer]] = {}
        self.connections: dict[int, weakref.WeakSet[Any]] = {}
        self.gates: list[Gate] = []

    def factory(self, node: int, make: Callable[[], Proto]) -> Callable[[], asyncio.BaseProtocol]:
        """A protocol factory for one listening port, with its own connection cap."""
        gate = Gate(self.limits.max_connections)
        self.gates.append(gate)
        connections = self.connections.setdefault(node, weakref.WeakSet())

        def build() -> asyncio.BaseProtocol:
            if gate.open >= gate.limit:
                gate.refused += 1
                log.debug("node %d: connection refused, port at its cap of %d", node,
                          gate.limit)
                return _Refused()
            proto = make()
            log.debug("node %d: %s connection accepted (%d open on its port)", node,
                      type(proto).__name__, gate.open + 1)
            if isinstance(proto, HTTPProtocol):
                proto.apply_limits(self.limits)
            gate.open += 1
            proto.on_close = gate.release
            connections.add(proto)
            return proto

        return build

    async def start_node(self, cluster: Cluster, node: Node,
                         ports: Optional[Mapping[str, int]] = None) -> None:
        """Listen on a node's service ports (by service name; absent or 0:
        ephemeral) and record the bound ports in ``node.ports``."""
        if node.index in self.listeners:
            raise RuntimeError(f"node {node.index} is already listening")
        loop = asyncio.get_running_loop()
        limits, index, wanted = self.limits, node.index, ports or {}
        bound: list[asyncio.AbstractServer] = []
        names: list[str] = []
        self.listeners[index] = bound
        try:
            for service in SERVICES:
                make = functools.partial(service.make, cluster, index, limits)
                for name, factory, context in self._factories(index, service.name, make):
                    bound.append(await loop.create_server(
                        factory, cluster.host, wanted.get(name, 0), reuse_address=True,
                        **_tls_options(context, self.tls)))
                    names.append(name)
        except BaseException:
            await self.stop_node(index)
            raise
        node.ports = {name: _bound_port(server) for name, server in zip(names, bound)}

    def _factories(self, node: int, name: str, make: Callable[[], Proto]
                   ) -> list[tuple[str, Callable[[], asyncio.BaseProtocol], Any]]:
        """The ports of one service (by their ``nodesExt`` name), their protocol
        factories and SSL contexts (``None``: plain): plain, TLS, or both."""
        out: list[tuple[str, Callable[[], asyncio.BaseProtocol], Any]] = []
        if not self.tls_only:
            out.append((name, self.factory(node, make), None))
        if self.tls is not None:
            out.append((tls_name(name), self.tls.guarded(self.factory(node, make)),
                        self.tls.context))
        return out

    async def stop_node(self, node: int) -> None:
        """Stop listening on a node's ports and drop its connections, as when
        its process dies (the cluster config is left as it is)."""
        servers = self.listeners.pop(node, [])
        for server in servers:
            server.close()
        for proto in list(self.connections.pop(node, ())):
            if proto.transport is not None:
                proto.transport.abort()
        for server in servers:
            await server.wait_closed()

    def is_running(self, node: int) -> bool:
        return node in self.listeners

    async def close(self) -> None:
        """Stop listening and drop every open connection."""
        for node in list(self.listeners):
            await self.stop_node(node)


async def start_servers(cluster: Cluster, port_base: Optional[int] = None,
                        limits: Limits = DEFAULT_LIMITS, standard_ports: bool = False,
                        tls: Optional[ServerTLS] = None, tls_only: bool = False) -> Servers:
    """Listen on every node's ports and record them in ``cluster.nodes``
    (``ValueError`` if ``port_base`` leaves too few ports, ``OSError`` if one
    is taken; ``standard_ports``: the first node on :data:`STANDARD_PORTS`)."""
    count = len(cluster.nodes)
    check_port_base(port_base, count)
    servers = Servers(limits, tls, tls_only)
    try:
        for node in cluster.nodes:
            wanted = {service.name: port_for(position, node.index, count, port_base,
                                             standard_ports)
                      for position, service in enumerate(SERVICES)}
            if tls is not None and standard_ports and node.index == 0:
                wanted.update(STANDARD_TLS_PORTS)
            await servers.start_node(cluster, node, wanted)
    except BaseException:
        await servers.close()
        raise
    cluster.bump()  # the ports are part of the config
    return servers


async def stop_servers(servers: Servers) -> None:
    await servers.close()


def _tls_options(context: Any, tls: Optional[ServerTLS]) -> dict[str, Any]:
    if context is None or tls is None:
        return {}
    return {"ssl": context, "ssl_handshake_timeout": tls.handshake_timeout}


def _bound_port(server: asyncio.AbstractServer) -> int:
    sockets = getattr(server, "sockets", None) or ()
    for sock in sockets:
        return int(sock.getsockname()[1])
    raise RuntimeError("server has no listening socket")
