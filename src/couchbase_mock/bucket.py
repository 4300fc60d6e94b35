"""A bucket: its type, vbucket map, collections manifest and per-node stores."""

from __future__ import annotations

import secrets
from typing import Optional, Sequence, Union

from couchbase._core.vbucket import vbucket_for_key

from .manifest import Manifest
from .storage import NodeStore

COUCHBASE = "couchbase"
MEMCACHED = "memcached"
BUCKET_TYPES = (COUCHBASE, MEMCACHED)
NUM_VBUCKETS = 1024


def build_vbucket_map(
    num_vbuckets: int, nodes: Union[int, Sequence[int]], replicas: int
) -> list[list[int]]:
    """Actives round-robin over the nodes (a count, or the ids of the nodes
    that serve the bucket); replica ``i`` of a vbucket on the ``i``-th next
    node, ``-1`` where there are not enough nodes.

    >>> build_vbucket_map(4, 2, 1)
    [[0, 1], [1, 0], [0, 1], [1, 0]]
    >>> build_vbucket_map(3, [0, 2], 2)
    [[0, 2, -1], [2, 0, -1], [0, 2, -1]]
    """
    ids = list(range(nodes)) if isinstance(nodes, int) else list(nodes)
    count = len(ids)
    vbmap = []
    for vb in range(num_vbuckets):
        first = vb % count
        chain = [ids[first]]
        for i in range(1, replicas + 1):
            chain.append(ids[(first + i) % count] if i < count else -1)
        vbmap.append(chain)
    return vbmap


class Bucket:
    """One bucket of the cluster.

    ``stores[n]`` is node ``n``'s copy of the data (``n`` is the node's id:
    every node the cluster ever had has a store; ``members`` are the ones
    the map starts on, by default all). Couchbase buckets have
    1024 vbuckets placed by ``vbmap`` (``vbmap[vb] = [active, replica...]``);
    memcached buckets have one store per node and no map: the client picks
    a node by ketama hashing and each node keeps what it is sent.
    """

    compression_mode = "passive"  # off / passive / active (set by bucket_rest)
    # The bucket's durabilityMinLevel as a frame-info level (0: none) and whether
    # it was created as an ephemeral bucket (set by bucket_rest; read by kv_handlers).
    durability_min_level = 0
    ephemeral = False

    def __init__(
        self,
        name: str,
        num_nodes: int,
        bucket_type: str = COUCHBASE,
        replicas: int = 1,
        password: Optional[str] = None,
        num_vbuckets: int = NUM_VBUCKETS,
        members: Optional[Sequence[int]] = None,
    ) -> None:
        if bucket_type not in BUCKET_TYPES:
            raise ValueError(f"unknown bucket type {bucket_type!r}")
        if replicas < 0 or replicas > 3:
            raise ValueError("replicas must be between 0 and 3")
        self.name = name
        self.type = bucket_type
        self.password = password
        self.uuid = secrets.token_hex(16)
        self.manifest = Manifest()
        # Per vbucket: the highest sequence number on disk (None: memory only).
        self.persisted: Optional[list[int]] = None
        # (vb, doc key) -> {node: CAS on disk or None}: set by the control API's
        # key commands (couchbase_mock.keyops), dropped at the key's next write.
        self.disk_overrides: dict[tuple[int, tuple[int, bytes]], dict[int, Optional[int]]] = {}
        if bucket_type == COUCHBASE:
            self.replicas = replicas
            self.num_vbuckets = num_vbuckets
            serving = list(range(num_nodes)) if members is None else list(members)
            self.vbmap = build_vbucket_map(num_vbuckets, serving, replicas)
        else:
            self.replicas = 0
            self.num_vbuckets = 0
            self.vbmap = []
        uuids = [secrets.randbits(48) for _ in range(max(1, self.num_vbuckets))]
        self.stores = [NodeStore(uuids) for _ in range(num_nodes)]

    def add_store(self) -> NodeStore:
        """A store for a node joining the cluster (its vbuckets keep their uuids)."""
        store = NodeStore([vb.uuid for vb in self.stores[0].vbuckets])
        self.stores.append(store)
        return store

    @property
    def is_couchbase(self) -> bool:
        return self.type == COUCHBASE

    def vbucket_of(self, key: bytes) -> int:
        """The vbucket of a bare key (0 for memcached buckets)."""
        if not self.num_vbuckets:
            return 0
        return vbucket_for_key(key, self.num_vbuckets)

    def active_node(self, vb: int) -> int:
        return self.vbmap[vb][0]

    def replica_nodes(self, vb: int) -> list[int]:
        return [n for n in self.vbmap[vb][1:] if n >= 0]

    def node_role(self, node: int, vb: int) -> Optional[str]:
        """``"active"``, ``"replica"`` or ``None`` for this node and vbucket."""
        if not self.num_vbuckets:
            return "active"
        if vb >= self.num_vbuckets:
            return None
        chain = self.vbmap[vb]
        if chain[0] == node:
            return "active"
        if node in chain[1:]:
            return "replica"
        return None

    def vbuckets_of(self, node: int, role: str = "active") -> list[int]:
        """The vbuckets for which ``node`` has the given role."""
        if not self.num_vbuckets:
            return [0]
        if role == "active":
            return [vb for vb, chain in enumerate(self.vbmap) if chain[0] == node]
        return [vb for vb, chain in enumerate(self.vbmap) if node in chain[1:]]
