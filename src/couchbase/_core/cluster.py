"""A bucket's view of the cluster, less the I/O: what both cluster drivers decide alike.

:class:`~couchbase._io.blocking_cluster.BlockingCluster` (the sync API, the
caller's thread) and :class:`~couchbase._io.mux.MuxCluster` (event loops,
many requests in flight) differ only in how they move bytes and wait; what a
cluster connection decides lives here once, free of sockets, threads and
clocks (the drivers hand in ``time.monotonic``):

- which node a request goes to (the :class:`~couchbase._core.router.Router`)
  and which open connection serves that node (:meth:`ClusterBase.node_at`,
  cached per configuration; a connection that failed, or did not finish its
  bootstrap by its deadline, is replaced on next use);
- when a request is sent again (:attr:`ClusterBase.retry`, a
  :class:`~couchbase._core.retry.RetryPolicy` that tests may replace);
- how the cluster is found (:meth:`ClusterBase.bootstrap_flow`, the
  seed-by-seed walk of :mod:`couchbase._core.walk`, a deadline per node);
- which node's HTTP service a view or N1QL request goes to
  (:meth:`ClusterBase.service_endpoint`, round robin);
- what happens when a node cannot be reached (:meth:`ClusterBase.retry_on_failure`,
  :meth:`ClusterBase.config_source`): the request's node may have been failed
  over, so the driver asks another node for the current config and sends the
  request again, once (to the new owner of its vbucket, or on a new
  connection). Requests already sent go again only if they only read.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, Optional, Protocol, TypeVar

from .bootstrap import Session
from .commands import Endpoint
from .compression import Compression
from .connstr import ConnectionString
from .dnssrv import Lookup, asks_dns, lookup_srv, resolve_seeds
from .errors import CoreError, NoRoute, ServiceUnavailable
from .logsink import DEBUG, emit
from .opcode import Opcode
from .retry import DEFAULT_RETRY, RetryPolicy
from .router import Router
from .walk import HTTP, KV, Seed, WalkPlan, walk

Flow = Any  # Generator[command, reply, None]
Clock = Callable[[], float]

IDEMPOTENT = frozenset({
    Opcode.GET, Opcode.GETK, Opcode.GET_REPLICA, Opcode.GET_META, Opcode.OBSERVE,
    Opcode.OBSERVE_SEQNO, Opcode.SUBDOC_GET, Opcode.SUBDOC_EXISTS,
    Opcode.SUBDOC_MULTI_LOOKUP, Opcode.GET_CLUSTER_CONFIG, Opcode.NOOP, Opcode.STAT,
})
"""Requests that may be sent twice without changing anything."""

_IO_LOG = "couchbase.io"


class ClusterSettings(Protocol):
    """What a cluster connection reads of its bucket's settings (the bucket's own
    object: changing ``timeout`` there applies at once)."""

    @property
    def connstr(self) -> ConnectionString: ...

    @property
    def bucket(self) -> Optional[str]: ...

    @property
    def username(self) -> str: ...

    @property
    def password(self) -> str: ...

    @property
    def timeout(self) -> float: ...

    @property
    def bootstrap_timeout(self) -> float: ...

    @property
    def node_timeout(self) -> float: ...

    @property
    def tls(self) -> Any:
        """An ssl.SSLContext, or None."""

    @property
    def compression(self) -> Compression:
        """Snappy settings; each connection asks for a deflater when bootstrapped."""


class NodeConnection(Protocol):
    """A KV connection as the node cache sees it."""

    host: str
    port: int
    collections: bool
    usable: bool  # False once the connection failed or was closed: the cache opens a new one
    session: Optional[Session]  # what its bootstrap negotiated (None until it finished)

    def close(self) -> None: ...


N = TypeVar("N", bound=NodeConnection)

# HTTP service -> (NodeInfo port attribute, its TLS twin, the service's name in errors)
SERVICES = {
    "views": ("views_port", "views_tls_port", "views"),
    "query": ("query_port", "query_tls_port", "query (n1ql)"),
    "search": ("search_port", "search_tls_port", "search (fts)"),
    "mgmt": ("mgmt_port", "mgmt_tls_port", "management"),
}


class ClusterBase(Generic[N]):
    """A bucket's connections to a cluster, less the I/O (see the module docstring).

    A driver supplies :meth:`_open` (a connection to a KV node that bootstraps
    within ``deadline``), its way of waiting, and ``seed_errors``: the errors
    of its own that send the bootstrap walk on to the next seed.
    """

    seed_errors: tuple[type[BaseException], ...] = (CoreError,)

    def __init__(self, settings: ClusterSettings, clock: Clock,
                 retry: Optional[RetryPolicy] = None) -> None:
        self.settings = settings
        self.clock = clock
        self.retry = retry if retry is not None else DEFAULT_RETRY
        self.router = Router(tls=settings.tls is not None,
                             network=settings.connstr.options.get("network", "auto"))
        self.nodes: dict[tuple[str, int], N] = {}
        self._turns: dict[str, int] = {}  # HTTP service -> requests sent (round robin)
        self._slots: list[Optional[N]] = []
        self._slots_config: Optional[object] = None
        self.closed = False

    # -- settings, as the drivers read them --------------------------------------------
    @property
    def timeout(self) -> float:
        """The operation timeout (the bucket's ``timeout``, read on every operation)."""
        return self.settings.timeout

    @property
    def tls(self) -> Any:
        return self.settings.tls

    @property
    def username(self) -> str:
        return self.settings.username

    @property
    def password(self) -> str:
        return self.settings.password

    @property
    def bucket(self) -> Optional[str]:
        return self.settings.bucket

    def node_deadline(self, deadline: Optional[float] = None) -> float:
        """When a connection opened now must have finished HELLO and auth: the
        node timeout from now, and no later than ``deadline`` if given."""
        limit = self.clock() + self.settings.node_timeout
        return limit if deadline is None or deadline > limit else deadline

    # -- bootstrap ---------------------------------------------------------------------
    # DNS SRV (couchbase._core.dnssrv): the one blocking step before the walk, bounded
    # by dns_srv_timeout; replaceable (tests, a driver with its own resolver)
    srv_lookup: Lookup = staticmethod(lookup_srv)

    def resolve_seeds(self) -> ConnectionString:
        """The connection string with its DNS SRV records' hosts, if any. Blocks (up
        to dns_srv_timeout): event-loop drivers call it off the loop, when
        :meth:`asks_dns` says it will ask DNS at all."""
        s = self.settings
        return resolve_seeds(s.connstr, s.bootstrap_timeout, self.srv_lookup)

    def asks_dns(self) -> bool:
        return asks_dns(self.settings.connstr)

    def bootstrap_plan(self, seeds: Optional[ConnectionString] = None,
                       started: Optional[float] = None) -> WalkPlan:
        """The walk's plan from ``seeds`` (the connection string, resolved by
        :meth:`resolve_seeds` now if not given); the bootstrap timeout counts from
        ``started`` (now if not given), so a lookup made before is part of it."""
        s = self.settings
        started = self.clock() if started is None else started
        connstr = self.resolve_seeds() if seeds is None else seeds
        plan_seeds = [Seed(KV, h, p) for h, p in connstr.kv_hosts()]
        plan_seeds += [Seed(HTTP, h, p) for h, p in connstr.http_hosts()]
        total = max(s.bootstrap_timeout - (self.clock() - started), 0.001)
        return WalkPlan(plan_seeds, total, s.node_timeout, s.bucket, s.username,
                        s.password, s.tls, seed_errors=self.seed_errors)

    def bootstrap_flow(self, seeds: Optional[ConnectionString] = None,
                       started: Optional[float] = None) -> Flow:
        """The walk that fills :attr:`router`; its OpenNode commands are answered by
        the driver's ``open_node``, which keeps the node. (``seeds``, ``started``: as
        :meth:`bootstrap_plan`'s.)"""
        return walk(self.bootstrap_plan(seeds, started), self.router, self.clock)

    # -- the node cache --------------------------------------------------------------------
    def node_at(self, index: int, deadline: Optional[float] = None) -> N:
        """The connection to kv node ``index`` of the current config (opened if needed).

        Cached per configuration; a connection that is no longer usable
        (failed, closed, or never finished its bootstrap in time) is replaced.
        """
        config = self.router.config
        if config is not self._slots_config:
            self._slots = [None] * len(config.kv_nodes) if config is not None else []
            self._slots_config = config
        node = self._slots[index]
        if node is None or not node.usable:
            address = self.router.address(index)
            node = self.nodes.get(address)
            if node is None or not node.usable:
                node = self._replace(address, self.node_deadline(deadline))
            if self.router.config is config:  # opening it may have brought a new config
                self._slots[index] = node
        return node

    def _replace(self, address: tuple[str, int], deadline: float) -> N:
        old = self.nodes.pop(address, None)
        if old is not None:
            emit(_IO_LOG, DEBUG, "replacing the connection to %s:%s", *address)
            old.close()
        node = self._open(address[0], address[1], deadline)
        self.nodes[address] = node
        return node

    # the driver's: a new connection to a KV node at (host, port), bootstrapping (done or
    # under way) by the deadline
    _open: Callable[[str, int, float], N]

    def _adopt_config(self, node: N, config: Optional[bytes]) -> None:
        """Take the config a node's bootstrap brought, if it is newer."""
        emit(_IO_LOG, DEBUG, "connected to %s:%s", node.host, node.port)
        if config:
            self.router.update(config, node.host)
        session = node.session
        if session is not None and session.config is config:
            session.config = None  # parsed into the router: no copy of its text per connection

    def collections_enabled(self) -> bool:
        """Whether the connections negotiated collections."""
        return any(n.collections for n in self.nodes.values())

    # -- HTTP services -----------------------------------------------------------------------
    def service_endpoint(self, service: str, timeout: float) -> Endpoint:
        """The next node running HTTP ``service`` ("views", "query"), round robin over
        those the cluster map lists, with this bucket's credentials; ``timeout`` is how
        long to wait for its bytes."""
        endpoints = self.service_endpoints(service, timeout)
        if not endpoints:
            raise ServiceUnavailable(f"no node of the cluster runs the {SERVICES[service][2]} "
                                     "service")
        turn = self._turns.get(service, 0)
        self._turns[service] = turn + 1
        return endpoints[turn % len(endpoints)]

    def service_endpoints(self, service: str, timeout: float) -> list[Endpoint]:
        """Every node running HTTP ``service``, in the cluster map's order (none: [])."""
        config = self.router.config
        if config is None:
            raise NoRoute("no cluster configuration yet")
        plain, secure, _ = SERVICES[service]
        port_of = secure if self.tls is not None else plain
        return [Endpoint(n.hostname, port, self.tls, self.username, self.password, timeout)
                for n in config.nodes if (port := getattr(n, port_of, None))]

    # -- a node that cannot be reached ------------------------------------------------
    @staticmethod
    def retry_on_failure(opcode: int, sent: bool) -> bool:
        """Whether a request whose node failed may go out again once the config
        has been refreshed: if it never left, or only reads."""
        return not sent or opcode in IDEMPOTENT

    def config_source(self, failed: Optional[tuple[str, int]]) -> Optional[int]:
        """The kv node to ask for the current config when ``failed`` could not
        be reached: one with a usable connection first, else any other."""
        addresses = self.router.addresses() if self.router.config is not None else []
        others = [i for i, address in enumerate(addresses) if address != failed]
        for i in others:
            node = self.nodes.get(addresses[i])
            if node is not None and node.usable:
                return i
        return others[0] if others else None

    def close(self) -> None:
        self.closed = True
        for node in list(self.nodes.values()):
            emit(_IO_LOG, DEBUG, "closing the connection to %s:%s", node.host, node.port)
            node.close()
        self.nodes.clear()
        self._slots = []
        self._slots_config = None


__all__ = ["SERVICES", "ClusterBase", "ClusterSettings", "NodeConnection"]
