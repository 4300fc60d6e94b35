"""Topology of the simulated cluster: nodes, buckets, users, config revisions.

:class:`Cluster` is the state every service of every node shares. It is not
thread safe: it lives on the mock's event loop, and the in-process front end
(:class:`couchbase_mock.MockCluster`) hops onto that loop to change it.
Every change bumps the config revision and notifies subscribers (the
streaming REST endpoints).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any, Callable, Optional

from .bucket import COUCHBASE, Bucket
from .engine import Engine, Observer
from .faults import NodeFaults
from .flusher import Flusher
from .manifest import Collection, Scope
from .names import check_bucket_name
from .persistence import snapshot
from .rbac import Users, reaches
from .storage import CasSource, Clock

log = logging.getLogger(__name__)

ADMIN_USER = "Administrator"
ADMIN_PASSWORD = "password"


class Node:
    """One simulated server: its index and the ports its services listen on.

    ``ports`` maps a service, by its name in the config's ``nodesExt``
    (``kv``, ``mgmt``, ``capi``: views, ``n1ql``, ``fts``: search), to its
    port; a service absent or 0 is not served. The ``*_port`` properties
    read it.

    ``index`` is the node's id for its whole life: stores, vbucket maps and
    connections name nodes by it. ``member``: in the cluster (a node removed
    by a rebalance is not, and is listed nowhere); ``failed``: failed over,
    still listed but serving no vbucket until a rebalance ejects or
    re-adds it."""

    __slots__ = ("index", "ports", "uuid", "member", "failed", "alternate")

    def __init__(self, index: int, ports: Optional[dict[str, int]] = None) -> None:
        self.index = index
        self.ports: dict[str, int] = dict(ports or {})
        self.uuid = secrets.token_hex(16)
        self.member = True
        self.failed = False
        # {"hostname": h, "ports": {service: port}}: see couchbase_mock.alternate
        self.alternate: Optional[dict[str, Any]] = None

    @property
    def kv_port(self) -> int:
        return self.ports.get("kv", 0)

    @property
    def mgmt_port(self) -> int:
        return self.ports.get("mgmt", 0)

    @property
    def capi_port(self) -> int:
        return self.ports.get("capi", 0)

    @property
    def query_port(self) -> int:
        return self.ports.get("n1ql", 0)

    @property
    def search_port(self) -> int:
        return self.ports.get("fts", 0)

    def __repr__(self) -> str:
        return f"Node(index={self.index}, ports={self.ports})"


class Cluster:
    """The nodes, buckets and users of one mock cluster, and its config revision.

    Ports are filled in by whoever starts the servers (see
    :mod:`couchbase_mock.server`); configs are only meaningful after that.
    """

    def __init__(
        self,
        num_nodes: int = 4,
        host: str = "127.0.0.1",
        clock: Optional[Clock] = None,
        username: str = ADMIN_USER,
        password: str = ADMIN_PASSWORD,
        alternate_hostname: Optional[str] = None,
    ) -> None:
        if num_nodes < 1:
            raise ValueError("a cluster needs at least one node")
        self.host = host
        # Advertised as every node's "external" alternate address (same ports).
        self.alternate_hostname = alternate_hostname
        # The CA and node certificate (couchbase_mock.tls.ServerTLS) with TLS on.
        self.tls: Optional[Any] = None
        self.nodes = [Node(i) for i in range(num_nodes)]
        self.clock = clock if clock is not None else Clock()
        self.cas = CasSource(self.clock)
        self.uuid = secrets.token_hex(16)
        self.username = username
        self.password = password
        self.buckets: dict[str, Bucket] = {}
        self.engines: dict[str, Engine] = {}
        # Shared by every bucket's engine: called after each document commit.
        self.commit_observers: list[Observer] = []
        # The N1QL engine all query ports share (see couchbase_mock.n1ql_adapter).
        self.query_engine: Optional[Any] = None
        self.rev = 1
        self.rev_epoch = 1
        # node index -> how many of its next KV connections stay silent (a fault)
        self.kv_stalls: dict[int, int] = {}
        # per node id: faults injected through the control API
        self.faults = [NodeFaults() for _ in self.nodes]
        self._listeners: list[Callable[[], None]] = []
        # Writes buckets and documents to the data directory (None: memory only).
        self.flusher: Optional[Flusher] = None
        # Metadata services keep in the data directory: name -> JSON-ready data
        # now (see couchbase_mock.persistence.snapshot), and what was restored.
        self.metadata_sources: dict[str, Callable[[], Any]] = {}
        self.restored_extra: dict[str, Any] = {}
        # RBAC users (couchbase_mock.rbac), kept with the metadata.
        self.users = Users(lambda: self.restored_extra.get("users"),
                           lambda: self.restored_extra.get("rbac_groups"))
        self.metadata_sources["users"] = self.users.to_json
        self.metadata_sources["rbac_groups"] = self.users.groups_json
        self._config_cache: dict[tuple[object, ...], bytes] = {}

    # -- membership -----------------------------------------------------------

    @property
    def members(self) -> list[Node]:
        """The nodes in the cluster, in config order (failed-over ones included)."""
        return [n for n in self.nodes if n.member]

    @property
    def serving(self) -> list[Node]:
        """The members that serve data: not failed over."""
        return [n for n in self.nodes if n.member and not n.failed]

    def add_node(self) -> Node:
        """A new node, in the cluster but serving nothing until a rebalance
        (its ports are filled in by whoever starts its servers)."""
        node = Node(len(self.nodes))
        self.nodes.append(node)
        self.faults.append(NodeFaults())
        for bucket in self.buckets.values():
            bucket.add_store()
        self.bump()
        return node

    # -- faults -------------------------------------------------------------

    def stall_kv_connections(self, node: int, count: int = 1) -> None:
        """The next ``count`` KV connections to ``node`` are accepted and read, and
        never answered: not even HELLO (a hung node, as a client sees one)."""
        if not 0 <= node < len(self.nodes):
            raise ValueError(f"there is no node {node}")
        self.kv_stalls[node] = self.kv_stalls.get(node, 0) + count

    def take_kv_stall(self, node: int) -> bool:
        """Whether a new KV connection to ``node`` is to stay silent (counts it)."""
        left = self.kv_stalls.get(node, 0)
        if left <= 0:
            return False
        self.kv_stalls[node] = left - 1
        return True

    # -- buckets ----------------------------------------------------------

    def create_bucket(
        self,
        name: str,
        bucket_type: str = COUCHBASE,
        replicas: int = 1,
        password: Optional[str] = None,
    ) -> Bucket:
        """Add a bucket (``ValueError`` if the name is taken or invalid)."""
        check_bucket_name(name, self.buckets)
        bucket = Bucket(name, len(self.nodes), bucket_type, replicas, password,
                        members=[n.index for n in self.serving])
        self.buckets[name] = bucket
        self.engines[name] = Engine(bucket, self.clock, self.cas, self.commit_observers)
        if self.flusher is not None:
            self._persist(name)
        self.bump()
        log.info("bucket %r created (%s, %d replica(s))", name, bucket_type, replicas)
        return bucket

    # -- persistence --------------------------------------------------------

    def attach_flusher(self, flusher: Flusher) -> None:
        """From now on, write every bucket's commits and metadata changes to disk."""
        self.flusher = flusher
        for name in self.buckets:
            self._persist(name)
        flusher.note_meta(snapshot(self))

    def persist_meta(self) -> None:
        """Queue the metadata (buckets, manifests, registered sources) for the disk."""
        if self.flusher is not None:
            self.flusher.note_meta(snapshot(self))

    def detach_flusher(self) -> Optional[Flusher]:
        """Stop handing commits to the flusher (which the caller then closes)."""
        flusher, self.flusher = self.flusher, None
        for engine in self.engines.values():
            engine.journal = None
        return flusher

    def _persist(self, name: str) -> None:
        assert self.flusher is not None
        bucket = self.buckets[name]
        if not bucket.is_couchbase:
            return  # memcached buckets keep nothing, as on the server
        if bucket.persisted is None:
            bucket.persisted = [0] * bucket.num_vbuckets
        self.engines[name].journal = self.flusher.note

    @property
    def memory_only(self) -> bool:
        """Whether nothing is written to disk (no data directory)."""
        return self.flusher is None

    def delete_bucket(self, name: str) -> None:
        """Remove a bucket and its data (``KeyError`` if it does not exist)."""
        del self.buckets[name]
        del self.engines[name]
        self.bump()

    # -- scopes and collections -------------------------------------------
    #
    # Each change goes through the bucket's manifest (which raises
    # ManifestError) and is a new config revision: the config carries the
    # manifest uid. Dropped collections lose their documents on every node.

    def create_scope(self, bucket: str, name: str) -> Scope:
        scope = self.buckets[bucket].manifest.create_scope(name)
        self.bump()
        return scope

    def drop_scope(self, bucket: str, name: str) -> None:
        b = self.buckets[bucket]
        dropped = b.manifest.drop_scope(name)
        self._purge(b, dropped)
        self.bump()

    def create_collection(
        self, bucket: str, scope: str, name: str, max_ttl: int = 0
    ) -> Collection:
        coll = self.buckets[bucket].manifest.create_collection(scope, name, max_ttl)
        self.bump()
        return coll

    def drop_collection(self, bucket: str, scope: str, name: str) -> None:
        b = self.buckets[bucket]
        dropped = b.manifest.drop_collection(scope, name)
        self._purge(b, [dropped])
        self.bump()

    @staticmethod
    def _purge(bucket: Bucket, collections: list[Collection]) -> None:
        cids = {c.uid for c in collections}
        if cids:
            for store in bucket.stores:
                store.purge_collections(cids)

    # -- users ------------------------------------------------------------

    def password_for(self, user: str) -> Optional[str]:
        """The password of a user: the administrator, a local RBAC user, or a bucket name with
        its bucket password (empty when the bucket has none), as 1.x clients
        authenticate. ``None`` for an unknown user."""
        if user == self.username:
            return self.password
        local = self.users.password(user)
        if local is not None:
            return local
        bucket = self.buckets.get(user)
        if bucket is not None:
            return bucket.password or ""
        return None

    def check_password(self, user: str, password: str) -> bool:
        expected = self.password_for(user)
        return expected is not None and secrets.compare_digest(
            expected.encode(), password.encode()
        )

    def may_access(self, user: Optional[str], bucket: str) -> bool:
        """Whether an authenticated user may use a bucket."""
        if user is None or bucket not in self.buckets:
            return False
        return user == self.username or user == bucket or reaches(self, user, bucket)

    # -- revisions and subscribers -----------------------------------------

    def bump(self) -> None:
        """Record a change: new config revision, subscribers notified."""
        self.rev += 1
        self._config_cache.clear()
        self.persist_meta()
        for listener in list(self._listeners):
            listener()

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def cached(self, key: tuple[object, ...], build: Callable[[], bytes]) -> bytes:
        """Memoise an encoded config until the next revision."""
        data = self._config_cache.get(key)
        if data is None:
            data = build()
            self._config_cache[key] = data
        return data
