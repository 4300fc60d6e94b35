"""Which node a request goes to, and keeping the cluster map current."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union
from zlib import crc32

from .config import AUTO_NETWORK, ClusterConfig
from .errors import CoreError, NoRoute
from .logsink import DEBUG, emit

if TYPE_CHECKING:
    from .request import Request


def _log_revision(old: ClusterConfig, new: ClusterConfig, origin: str) -> None:
    """A newer cluster map replaced ``old``: its revision and the nodes that came or went."""
    before = {n.authority() for n in old.kv_nodes}
    after = {n.authority() for n in new.kv_nodes}
    emit("couchbase.config", DEBUG, "cluster map revision %s replaces %s (from %s): "
         "%d nodes, added %s, removed %s", new.rev, old.rev, origin, len(after),
         ", ".join(sorted(after - before)) or "none", ", ".join(sorted(before - after)) or "none")


class Router:
    """Holds the newest cluster configuration and routes keys by it."""

    __slots__ = ("config", "tls", "network", "_vbmap", "_nvb")

    def __init__(self, tls: bool = False, network: str = AUTO_NETWORK) -> None:
        self.config: Optional[ClusterConfig] = None
        self.tls = tls
        # Which addresses to use: default, external or auto (the SDK default); auto
        # is settled by the first config taken (the bootstrap node's) and kept, so
        # a later config cannot switch networks under open connections.
        self.network = network
        self._vbmap: list[list[int]] = []  # empty unless routing is by vbucket
        self._nvb = 0

    def update(self, raw: Union[bytes, str, dict], origin_host: str) -> bool:
        """Take ``raw`` if it is newer than the current config; True if taken.

        A config that does not parse is ignored: the current one stays.
        """
        try:
            config = ClusterConfig.from_json(raw, origin_host, self.network)
        except (ValueError, KeyError, TypeError):
            return False
        current = self.config
        if current is None or config.newer_than(current):
            if current is not None:
                _log_revision(current, config, origin_host)
            self.config = config
            self.network = config.network
            vbucket = config.node_locator != "ketama"
            self._vbmap = config.vbucket_map if vbucket else []
            self._nvb = len(self._vbmap)
            return True
        return False

    def route_index(self, key: bytes, replica: int = 0) -> tuple[int, int]:
        """``(vbucket, index into the config's kv_nodes)`` for ``key``; it runs for
        every operation. Raises :class:`~couchbase._core.errors.NoRoute`."""
        vbmap = self._vbmap
        if vbmap:
            vb = ((crc32(key) >> 16) & 0x7FFF) % self._nvb  # (vbucket_for_key, written out)
            row = vbmap[vb]
            if replica < len(row):
                index = row[replica]
                if index >= 0:
                    return vb, index
        else:
            config = self.config
            if config is None:
                raise NoRoute("no cluster configuration yet", key)
            vb, found = config.node_for_key(key, replica)
            if found is not None and found >= 0:
                return vb, found
        what = f"replica {replica}" if replica else "active copy"
        raise NoRoute(f"no node holds the {what} of vbucket {vb}", key)

    def route_many(self, reqs: list[Request]) -> tuple[list[int], list[Union[int, CoreError]]]:
        """:meth:`route_index` for a batch, in one loop: the vbucket of every
        request, and its kv node index or the
        :class:`~couchbase._core.errors.NoRoute` it raises (two lists, not a
        tuple per request: fewer objects for the garbage collector to track).

        The fast path (a vbucket map, the active copy, a node for the vbucket) is
        :func:`~couchbase._core.vbucket.vbucket_for_key` written out with the map
        bound once; any other request goes through :meth:`route_index` itself.
        """
        vbmap, nvb = self._vbmap, self._nvb
        vbuckets: list[int] = []
        nodes: list[Union[int, CoreError]] = []
        add_vb, add_node = vbuckets.append, nodes.append
        route = self.route_index
        for req in reqs:
            if vbmap and not req.replica:
                vb = ((crc32(req.key) >> 16) & 0x7FFF) % nvb  # (vbucket_for_key)
                index = vbmap[vb][0]
                if index >= 0:
                    add_vb(vb)
                    add_node(index)
                    continue
            try:
                vb, index = route(req.key, req.replica)
            except CoreError as exc:
                add_vb(-1)
                add_node(exc)
                continue
            add_vb(vb)
            add_node(index)
        return vbuckets, nodes

    def active_many(self, keys: list[bytes]) -> Optional[tuple[list[int], list[int]]]:
        """The vbucket of every key and the kv node index of its active copy (-1:
        none), in two loops without a call per key; None without a vbucket map
        (a memcached bucket: :meth:`route_index` decides)."""
        vbmap, nvb = self._vbmap, self._nvb
        if not vbmap:
            return None
        vbuckets = [((crc32(key) >> 16) & 0x7FFF) % nvb for key in keys]  # (vbucket_for_key)
        return vbuckets, [vbmap[vb][0] for vb in vbuckets]

    def address(self, index: int) -> tuple[str, int]:
        """``(host, KV port)`` of kv node ``index`` (the TLS port over TLS)."""
        assert self.config is not None
        node = self.config.kv_nodes[index]
        port = node.kv_tls_port if self.tls else node.kv_port
        if port is None:
            raise NoRoute(f"node {node.hostname} offers no KV port")
        return node.hostname, port

    def addresses(self) -> list[tuple[str, int]]:
        if self.config is None:
            return []
        return [self.address(i) for i in range(len(self.config.kv_nodes))]

    def replica_count(self) -> int:
        return self.config.num_replicas if self.config is not None else 0
