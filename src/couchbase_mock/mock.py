"""In-process front end: a mock cluster on a background event loop thread.

>>> with MockCluster(nodes=2) as mock:            # doctest: +SKIP
...     mock.connstr
'couchbase://127.0.0.1:40001,127.0.0.1:40003'

All servers run on one asyncio loop in a daemon thread. The inspection and
control helpers are safe to call from any other thread: they run on the loop
and wait for the result.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any, Awaitable, Callable, Iterator, Mapping, Optional, Sequence, TypeVar, Union

from . import topology
from .alternate import clear_external, set_external
from .bucket import COUCHBASE
from .cluster import ADMIN_PASSWORD, ADMIN_USER, Cluster, Node
from .control import run_command
from .disk import DiskStore
from .flusher import Flusher
from .limits import DEFAULT_LIMITS, Limits
from .manifest import name_error
from .persistence import open_data_dir
from .samples import SAMPLES, install_missing
from .server import Servers, start_servers, stop_servers
from .storage import Clock
from .tls import ServerTLS

T = TypeVar("T")
BucketSpec = Mapping[str, Any]


def _key_bytes(key: Union[str, bytes]) -> bytes:
    return key.encode() if isinstance(key, str) else key


class MockCluster:
    """A Couchbase-compatible cluster of ``nodes`` simulated nodes.

    ``buckets`` maps names to specs ``{"type": "couchbase"|"memcached",
    "replicas": int, "password": str}`` (all optional; ``None`` means one
    bucket, ``"default"``). ``port_base`` fixes the ports (see
    :mod:`couchbase_mock.server`); by default they are ephemeral.
    ``standard_ports=True`` puts the first node on Couchbase Server's ports
    (8091 management, 8092 views, 8093 query, 8094 search, 8095 analytics, 11210 KV).
    ``limits`` (:class:`couchbase_mock.limits.Limits`) bounds connections,
    packet and body sizes and unsent output. ``alternate_hostname`` is
    advertised as each node's ``external``
    alternate address (same ports), as for clients behind NAT; ``external``
    maps a node index to ``{"hostname": h, "ports": {service: port}}``, that
    node's own external address (see :mod:`couchbase_mock.alternate`, and
    :meth:`set_external` once the ports are known).
    ``samples`` names sample buckets (``"beer-sample"``, ``"travel-sample"``,
    ``"gamesim-sample"``, see :mod:`couchbase_mock.samples`) that :meth:`start`
    installs, fully loaded and indexed, before it returns.

    Without ``data_dir`` everything is kept in memory only: buckets report
    ``ep_bucket_type: ephemeral`` and ``persist_to`` is never satisfied.
    With it, buckets, collections and documents are written to a crash-safe
    store there (see :mod:`couchbase_mock.persistence`), and the query
    service's functions, libraries, sequences and settings too
    (:mod:`couchbase_mock.query_catalog_store`); a new ``MockCluster`` on the
    same directory restores them; ``buckets`` then only seeds a directory that
    holds no cluster yet.

    ``tls=True`` serves every service on a TLS port too (``kvSSL``,
    ``mgmtSSL``... in the config; see :mod:`couchbase_mock.tls`), with a CA and
    node certificate generated at start (needs ``trustme``) or, with
    ``tls_cert_dir``, read from ``ca.pem``, ``chain.pem`` and ``pkey.key``
    there. The CA is written to :attr:`ca_path` (in ``data_dir``, or a
    temporary directory removed at stop). ``tls_only=True`` closes the plain
    ports. :attr:`tls_connstr` is the ``couchbases://`` connection string.
    ``client_cert_auth`` (``disable``, ``enable``, ``mandatory``) and
    ``client_cert_prefixes`` are the server's ``/settings/clientCertAuth`` (see
    :mod:`couchbase_mock.client_cert`); :meth:`issue_client_cert` makes a
    client certificate for a user.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(
        self,
        nodes: int = 4,
        replicas: int = 1,
        buckets: Optional[Mapping[str, BucketSpec]] = None,
        host: str = "127.0.0.1",
        port_base: Optional[int] = None,
        username: str = ADMIN_USER,
        password: str = ADMIN_PASSWORD,
        clock: Optional[Clock] = None,
        alternate_hostname: Optional[str] = None,
        data_dir: Optional[str] = None,
        limits: Optional[Limits] = None,
        samples: Sequence[str] = (),
        standard_ports: bool = False,
        external: Optional[Mapping[int, Mapping[str, Any]]] = None,
        tls: bool = False,
        tls_cert_dir: Optional[str] = None,
        tls_only: bool = False,
        client_cert_auth: str = "disable",
        client_cert_prefixes: Optional[Sequence[Mapping[str, str]]] = None,
    ) -> None:
        if tls_only and not (tls or tls_cert_dir):
            raise ValueError("tls_only needs tls=True (or tls_cert_dir)")
        if client_cert_auth != "disable" and not (tls or tls_cert_dir):
            raise ValueError("client_cert_auth needs tls=True (or tls_cert_dir)")
        external_hosts = [address.get("hostname") for address in (external or {}).values()]
        self.tls = ServerTLS.from_options(  # certificates name every advertised host
            tls, tls_cert_dir, filter(None, [host, alternate_hostname, *external_hosts]))
        if self.tls is not None:
            self.tls.client_auth.update(client_cert_auth, None if client_cert_prefixes is None
                                        else [dict(p) for p in client_cert_prefixes])
        self.tls_only = tls_only
        self.standard_ports = standard_ports
        self.limits = limits if limits is not None else DEFAULT_LIMITS
        self.cluster = Cluster(nodes, host, clock, username, password, alternate_hostname)
        self.cluster.tls = self.tls  # GET /pools/default/certificate
        for index, address in (external or {}).items():
            set_external(self.cluster, index, address.get("hostname", ""), address.get("ports"))
        self.replicas = replicas
        self.port_base = port_base
        self.data_dir = data_dir
        # Sample buckets (couchbase_mock.samples) are installed by start(); when
        # some are asked for, no "default" bucket is made unless asked for too.
        self._samples = list(samples)
        unknown = [name for name in self._samples if name not in SAMPLES]
        if unknown:
            raise ValueError(f"unknown sample buckets {unknown}: choose from {sorted(SAMPLES)}")
        specs = (dict(buckets) if buckets is not None
                 else {} if self._samples else {"default": {}})

        def seed(cluster: Cluster) -> None:
            for name, spec in specs.items():
                cluster.create_bucket(
                    name,
                    spec.get("type", COUCHBASE),
                    spec.get("replicas", replicas),
                    spec.get("password"),
                )

        if data_dir is None:
            seed(self.cluster)
        else:
            open_data_dir(self.cluster, data_dir, seed)
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._servers: Optional[Servers] = None

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> MockCluster:
        """Bind every node's ports and start serving; returns ``self``."""
        if self._thread is not None:
            raise RuntimeError("the mock cluster is already running")
        if self.data_dir is not None and self.cluster.flusher is None:  # started again
            self.cluster.attach_flusher(Flusher(DiskStore(self.data_dir)))
        if self.tls is not None:
            self.tls.write_ca(self.data_dir)
        loop = asyncio.new_event_loop()
        ready: Future[None] = Future()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                self._servers = loop.run_until_complete(
                    start_servers(self.cluster, self.port_base, self.limits,
                                  self.standard_ports, self.tls, self.tls_only)
                )
            except BaseException as exc:
                ready.set_exception(exc)
                loop.close()
                return
            ready.set_result(None)
            try:
                loop.run_forever()
            finally:
                if self._servers is not None:
                    loop.run_until_complete(stop_servers(self._servers))
                _cancel_tasks(loop)
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="couchbase-mock", daemon=True)
        self._thread.start()
        try:
            ready.result(timeout=30)
        except BaseException:
            self._thread.join(5)
            self._thread = self._loop = None
            raise
        if self._samples:  # once: a restart (or a data directory) has them already
            samples, self._samples = self._samples, []
            asyncio.run_coroutine_threadsafe(
                install_missing(self.cluster, samples, self.replicas), loop).result(timeout=600)
        return self

    def stop(self) -> None:
        """Close every port and stop the loop thread (idempotent)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._loop = self._thread = None
        if self.tls is not None:
            self.tls.remove_ca()
        flusher = self.cluster.detach_flusher()
        if flusher is not None:  # everything acknowledged goes to disk first
            flusher.close()

    def __enter__(self) -> MockCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def call(self, fn: Callable[[Cluster], T]) -> T:
        """Run ``fn(cluster)`` on the mock's loop and return its result."""
        loop = self._loop
        if loop is None:
            return fn(self.cluster)
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(fn(self.cluster))
            except BaseException as exc:
                future.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return future.result(timeout=30)

    def set_external(self, node: int, hostname: str,
                     ports: Optional[Mapping[str, int]] = None) -> None:
        """Advertise ``hostname`` (and ``ports``, by ``nodesExt`` service name) as
        node ``node``'s external address, as the server's
        ``PUT /node/controller/setupAlternateAddresses/external`` does."""
        self.call(lambda c: set_external(c, node, hostname, dict(ports or {})))

    def clear_external(self, node: int) -> None:
        """Remove node ``node``'s external address."""
        self.call(lambda c: clear_external(c, node))

    # -- where to connect -----------------------------------------------------

    @property
    def nodes(self) -> list[Node]:
        """The simulated nodes, with their ``kv_port`` and ``mgmt_port``."""
        return self.cluster.members

    @property
    def host(self) -> str:
        return self.cluster.host

    @property
    def connstr(self) -> str:
        """``couchbase://host:kv1,host:kv2,...`` (KV ports); on a ``tls_only`` cluster,
        which opens no plain port, :attr:`tls_connstr` (as the CLI's ready line does)."""
        if self.tls_only:
            return self.tls_connstr
        hosts = ",".join(f"{self.host}:{n.kv_port}" for n in self.cluster.members)
        return f"couchbase://{hosts}"

    @property
    def tls_connstr(self) -> str:
        """``couchbases://host:kvSSL1,...`` (``RuntimeError`` without TLS)."""
        if self.tls is None:
            raise RuntimeError("this cluster serves no TLS (MockCluster(tls=True))")
        hosts = ",".join(f"{self.host}:{n.ports['kvSSL']}" for n in self.cluster.members)
        return f"couchbases://{hosts}"

    @property
    def ca_path(self) -> Optional[str]:
        """The cluster CA's PEM file while running with TLS (else ``None``)."""
        return self.tls.ca_path if self.tls is not None else None

    def issue_client_cert(self, username: str, directory: str) -> tuple[str, str]:
        """A client certificate for ``username`` signed by the cluster CA (subject CN
        ``username``, SAN email ``username@client.invalid``) and its key, written
        to ``directory``: ``(cert_path, key_path)``."""
        if self.tls is None:
            raise RuntimeError("this cluster serves no TLS (MockCluster(tls=True))")
        return self.tls.issue_client_cert(username, directory)

    @property
    def mgmt_url(self) -> str:
        """``http://host:port`` of node 0's management service."""
        return f"http://{self.host}:{self.cluster.nodes[0].mgmt_port}"

    @property
    def query_url(self) -> str:
        """``http://host:port`` of node 0's query (N1QL) service."""
        return f"http://{self.host}:{self.cluster.nodes[0].query_port}"

    @property
    def username(self) -> str:
        return self.cluster.username

    @property
    def password(self) -> str:
        return self.cluster.password

    @property
    def bucket_names(self) -> list[str]:
        return self.call(lambda c: list(c.buckets))

    # -- inspection and control -------------------------------------------------

    def locate(self, bucket: str, key: Union[str, bytes]) -> tuple[int, int, list[int]]:
        """``(vbucket, active node, replica nodes)`` of a key, by the map."""

        def find(c: Cluster) -> tuple[int, int, list[int]]:
            b = c.buckets[bucket]
            if not b.is_couchbase:
                raise ValueError("memcached buckets have no vbucket map")
            vb = b.vbucket_of(_key_bytes(key))
            return vb, b.active_node(vb), b.replica_nodes(vb)

        return self.call(find)

    def stored_on(
        self, bucket: str, key: Union[str, bytes], collection_id: int = 0
    ) -> dict[int, str]:
        """Which nodes' stores hold a live copy of a key: ``{node: "active"|"replica"}``."""

        def find(c: Cluster) -> dict[int, str]:
            b = c.buckets[bucket]
            raw = _key_bytes(key)
            vb = b.vbucket_of(raw)
            now = c.clock()
            out: dict[int, str] = {}
            for node in c.nodes:
                if b.stores[node.index].vbuckets[vb].live((collection_id, raw), now) is not None:
                    out[node.index] = b.node_role(node.index, vb) or "stray"
            return out

        return self.call(find)

    def advance_time(self, seconds: float) -> None:
        """Move the server clock forward (expiry, locks) without sleeping."""
        self.call(lambda c: c.clock.advance(seconds))

    def flush_to_disk(self, timeout: float = 30.0) -> None:
        """Wait until every write acknowledged so far is on disk (with a data
        directory; ``RuntimeError`` without one, or if the disk failed)."""
        flusher = self.cluster.flusher
        if flusher is None:
            raise RuntimeError("this cluster keeps its data in memory only (no data_dir)")
        if not flusher.sync(timeout):
            raise RuntimeError(f"the flusher did not catch up: {flusher.failure!r}")

    def stall_kv_connections(self, node: int, count: int = 1) -> None:
        """The next ``count`` KV connections to node ``node`` never answer (not even
        HELLO): a hung node, for testing how clients give up on it."""
        self.call(lambda c: c.stall_kv_connections(node, count))

    # -- the control API --------------------------------------------------------

    def control(self, command: str, **payload: Any) -> dict[str, Any]:
        """Run a CouchbaseMock control command (see :mod:`couchbase_mock.control`),
        as ``GET /mock/<command>?...`` would: ``mock.control("failover", idx=1)``.
        Returns the reply, ``{"status": "ok"|"fail", ...}``."""
        coro = run_command(self.cluster, command, payload)
        loop = self._loop
        if loop is None:
            return asyncio.run(coro)
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=600)

    # -- topology -------------------------------------------------------------

    def failover(self, node: int, bucket: Optional[str] = None) -> None:
        """Fail ``node`` over (in one bucket, or all): its vbuckets' replicas
        become active, with every acknowledged write. The node stays listed,
        serving nothing, until :meth:`rebalance` ejects it or :meth:`respawn`
        brings it back. ``TopologyError`` if a vbucket would have no copy left."""
        self.call(lambda c: topology.failover(c, node, bucket))

    def respawn(self, node: int, pause: float = 0.0) -> None:
        """Bring a failed-over node back and rebalance it in (see :meth:`rebalance`)."""
        self.call(lambda c: topology.recover(c, node))
        self.rebalance(pause)

    def rebalance(self, pause: float = 0.0) -> None:
        """Move every couchbase bucket to the balanced map over the serving
        nodes, a step of vbuckets at a time (``pause`` seconds between steps;
        clients are served meanwhile), then eject failed-over nodes. Returns
        when it is done."""
        self._run_steps(topology.rebalance_steps, pause)

    def add_node(self, pause: float = 0.0) -> Node:
        """Start a new node (ephemeral ports) and rebalance it in."""
        node = self.call(lambda c: c.add_node())
        self._on_loop(lambda servers: servers.start_node(self.cluster, node))
        self.call(lambda c: c.bump())  # its ports are part of the config
        self.rebalance(pause)
        return node

    def remove_node(self, node: int, pause: float = 0.0) -> None:
        """Rebalance ``node``'s data onto the others, then take it out of the
        cluster and stop it."""
        self._run_steps(lambda c: topology.rebalance_steps(c, eject=frozenset({node})), pause)
        self._on_loop(lambda servers: servers.stop_node(node))

    def stop_node(self, node: int) -> None:
        """Close ``node``'s ports and connections, as if its process died: the
        config still lists it (fail it over to move its vbuckets)."""
        topology.check_node(self.cluster, node)
        self._on_loop(lambda servers: servers.stop_node(node))

    def start_node(self, node: int) -> None:
        """Listen again on a stopped node's ports; its data is as it was."""
        topology.check_node(self.cluster, node)
        n = self.cluster.nodes[node]
        self._on_loop(lambda servers: servers.start_node(self.cluster, n, dict(n.ports)))

    def _on_loop(self, make: Callable[[Servers], Awaitable[None]]) -> None:
        loop, servers = self._loop, self._servers
        if loop is None or servers is None:
            raise RuntimeError("the mock cluster is not running")
        asyncio.run_coroutine_threadsafe(_awaited(make(servers)), loop).result(timeout=60)

    def _run_steps(self, make: Callable[[Cluster], Iterator[None]], pause: float) -> None:
        loop = self._loop
        if loop is None:
            for _ in make(self.cluster):
                pass
            return

        async def run() -> None:
            for _ in make(self.cluster):
                await asyncio.sleep(pause)

        asyncio.run_coroutine_threadsafe(run(), loop).result(timeout=600)

    def create_bucket(
        self,
        name: str,
        bucket_type: str = COUCHBASE,
        replicas: int = 1,
        password: Optional[str] = None,
    ) -> None:
        """Add a bucket; the config revision goes up and streams are told."""
        self.call(lambda c: c.create_bucket(name, bucket_type, replicas, password))

    def delete_bucket(self, name: str) -> None:
        self.call(lambda c: c.delete_bucket(name))

    # Scopes and collections: each raises couchbase_mock.manifest.ManifestError
    # when the scope or collection is missing or already there, ValueError for
    # a name the server would refuse, KeyError for an unknown bucket.

    def create_scope(self, bucket: str, scope: str) -> None:
        _check_name(scope)
        self.call(lambda c: c.create_scope(bucket, scope))

    def create_collection(self, bucket: str, scope: str, name: str, max_ttl: int = 0) -> None:
        _check_name(name)
        if max_ttl < 0:
            raise ValueError("max_ttl must not be negative")
        self.call(lambda c: c.create_collection(bucket, scope, name, max_ttl))

    def drop_collection(self, bucket: str, scope: str, name: str) -> None:
        self.call(lambda c: c.drop_collection(bucket, scope, name))

    def drop_scope(self, bucket: str, scope: str) -> None:
        self.call(lambda c: c.drop_scope(bucket, scope))

    def manifest(self, bucket: str) -> dict[str, Any]:
        """The bucket's collections manifest, as ``GET .../scopes`` returns it."""
        return self.call(lambda c: c.buckets[bucket].manifest.to_json())

    def __repr__(self) -> str:
        state = "running" if self._thread is not None else "stopped"
        return f"<MockCluster {state} nodes={len(self.cluster.nodes)} {self.connstr}>"


async def _awaited(awaitable: Awaitable[None]) -> None:
    await awaitable


def _check_name(name: str) -> None:
    problem = name_error(name)
    if problem is not None:
        raise ValueError(f"{name!r}: {problem}")


def _cancel_tasks(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
