"""Cluster configurations (the "cluster map") and key routing.

The same JSON arrives from GET_CLUSTER_CONFIG on a KV connection and from
``/pools/default/b/<bucket>`` over HTTP. ``$HOST`` stands for the address the
client used to reach the node that sent it.

Nodes come from ``nodesExt`` when present (it alone defines them), else from
the older ``nodes[]`` paired with ``vBucketServerMap.serverList``. vBucketMap
entries index :attr:`ClusterConfig.kv_nodes`, the nodes with a data service in
that order. Unknown fields are ignored.

Alternate addresses (``network``): a server set up for clients outside its
network (NAT, Kubernetes) adds to each ``nodesExt`` entry
``"alternateAddresses": {"external": {"hostname": h, "ports": {"kv": p, ...}}}``.
With ``network="external"`` each node is addressed by that hostname; a
``ports`` object replaces the node's ports whole (a service it leaves out is
not reachable on that network, as in the C++ and Go clients), and without
one the node's own ports apply. A node without the requested network keeps
its default address, as the C++ client does, so vBucketMap indices stay
valid. ``network="auto"`` (the SDK rule): "default" if the bootstrap host is
some node's own hostname, else the alternate network whose hostname it is,
else "default".

>>> cfg = ClusterConfig.from_json(
...     '{"rev": 3, "name": "b", "nodesExt": [{"services": {"kv": 11210}}],'
...     ' "vBucketServerMap": {"numReplicas": 0, "vBucketMap": [[0], [0]]}}', "10.0.0.1")
>>> cfg.kv_nodes[0].hostname, cfg.node_for_key(b"foo")
('10.0.0.1', (1, 0))
"""

from __future__ import annotations

import bisect
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .connstr import split_host_port
from .errors import RemoteProtocolError
from .vbucket import vbucket_for_key

_HOST = "$HOST"
DEFAULT_NETWORK = "default"
AUTO_NETWORK = "auto"


class ConfigError(RemoteProtocolError, ValueError):
    """The configuration JSON is malformed."""


@dataclass(frozen=True)
class NodeInfo:
    """One node's address and service ports (``None``: service absent)."""

    hostname: str
    kv_port: int | None = None
    kv_tls_port: int | None = None
    mgmt_port: int | None = None
    mgmt_tls_port: int | None = None
    views_port: int | None = None
    views_tls_port: int | None = None
    query_port: int | None = None
    query_tls_port: int | None = None
    search_port: int | None = None
    search_tls_port: int | None = None
    this_node: bool = False

    def authority(self) -> str:
        """``host:kvport`` (IPv6 in brackets), as serverList and ketama spell it."""
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return f"{host}:{self.kv_port if self.kv_port is not None else self.kv_tls_port}"


_SERVICES = (
    ("kv_port", "kv"), ("kv_tls_port", "kvSSL"), ("mgmt_port", "mgmt"),
    ("mgmt_tls_port", "mgmtSSL"), ("views_port", "capi"), ("views_tls_port", "capiSSL"),
    ("query_port", "n1ql"), ("query_tls_port", "n1qlSSL"),
    ("search_port", "fts"), ("search_tls_port", "ftsSSL"),
)


def _port(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        return None
    return value


def _host(text: str, origin: str) -> str:
    text = text.replace(_HOST, origin)
    return text[1:-1] if text.startswith("[") and text.endswith("]") else text


def _alternates(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A nodesExt entry's well-formed ``alternateAddresses`` (those with a hostname)."""
    alt = entry.get("alternateAddresses")
    if not isinstance(alt, dict):
        return {}
    return {
        name: addr for name, addr in alt.items()
        if isinstance(addr, dict) and isinstance(addr.get("hostname"), str) and addr["hostname"]
    }


def _node_from_ext(entry: dict[str, Any], origin: str, network: str) -> tuple[NodeInfo, bool]:
    """The node as seen on ``network``, and whether it has a data service.

    Data-service membership comes from the node's own ports whatever the
    network, because vBucketMap indices count those nodes.
    """
    services = entry.get("services")
    if not isinstance(services, dict):
        raise ConfigError("nodesExt entry without a services object")
    hostname = entry.get("hostname")
    host = _host(hostname if isinstance(hostname, str) and hostname else _HOST, origin)
    has_kv = _port(services.get("kv")) is not None or _port(services.get("kvSSL")) is not None
    alt = _alternates(entry).get(network) if network != DEFAULT_NETWORK else None
    if alt is not None:
        host = _host(alt["hostname"], origin)
        if isinstance(alt.get("ports"), dict):
            services = alt["ports"]
    ports = {attr: _port(services.get(key)) for attr, key in _SERVICES}
    return NodeInfo(host, this_node=entry.get("thisNode") is True, **ports), has_kv


def select_network(nodes_ext: list[Any], origin_host: str) -> str:
    """The network ``"auto"`` means for a config reached through ``origin_host``.

    "default" when ``origin_host`` is some node's own hostname (``$HOST`` and
    a missing hostname count as ``origin_host``); otherwise the alternate
    network whose hostname it is; otherwise "default".
    """
    origin = _host(origin_host, origin_host)
    entries = [e for e in nodes_ext if isinstance(e, dict)]
    for entry in entries:
        hostname = entry.get("hostname")
        if _host(hostname if isinstance(hostname, str) and hostname else _HOST, origin) == origin:
            return DEFAULT_NETWORK
    for entry in entries:
        for name, addr in _alternates(entry).items():
            if _host(addr["hostname"], origin) == origin:
                return name
    return DEFAULT_NETWORK


def _address(text: str, origin: str) -> tuple[str, int | None]:
    """``"host:port"`` with ``$HOST`` substituted (bracketed IPv6 allowed)."""
    if text.startswith(_HOST):
        return origin, split_host_port("localhost" + text[len(_HOST) :])[1]
    return split_host_port(text)


def _views_port(base: Any) -> int | None:
    """The port of ``couchApiBase`` (``http://h:8092/bucket%2Buuid``)."""
    if not isinstance(base, str) or "://" not in base:
        return None
    authority = base.split("://", 1)[1].split("/", 1)[0]
    try:
        return split_host_port(authority)[1]
    except ValueError:
        return None


def _node_from_legacy(entry: dict[str, Any], origin: str) -> NodeInfo:
    hostname = entry.get("hostname")
    if not isinstance(hostname, str):
        raise ConfigError("nodes[] entry without a hostname")
    try:
        host, mgmt = _address(hostname, origin)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    ports = entry.get("ports")
    if not isinstance(ports, dict):
        ports = {}
    return NodeInfo(
        host,
        kv_port=_port(ports.get("direct")),
        kv_tls_port=_port(ports.get("sslDirect")),
        mgmt_port=mgmt,
        mgmt_tls_port=_port(ports.get("httpsMgmt")),
        views_port=_views_port(entry.get("couchApiBase")),
        views_tls_port=_port(ports.get("httpsCAPI")),
        this_node=entry.get("thisNode") is True,
    )


def parse_server_list(entries: Any, origin_host: str) -> list[tuple[str, int | None]]:
    """``serverList`` entries (``"host:port"``) as ``(host, port)``; junk entries are skipped."""
    out: list[tuple[str, int | None]] = []
    for item in entries if isinstance(entries, list) else ():
        if isinstance(item, str):
            try:
                out.append(_address(item, origin_host))
            except ValueError:
                continue
    return out


def _pair_legacy(nodes: list[NodeInfo], servers: list[tuple[str, int | None]]) -> list[NodeInfo]:
    """Order ``nodes[]`` as ``serverList`` does (vBucketMap indices follow serverList)."""
    by_address = {(n.hostname, n.kv_port): n for n in nodes}
    paired = [by_address.get(s) for s in servers]
    if servers and all(p is not None for p in paired):
        return [p for p in paired if p is not None]
    if servers:  # fall back to serverList alone, which is what the map indexes
        return [NodeInfo(h, kv_port=p) for h, p in servers]
    return nodes


def _int_matrix(value: Any, what: str) -> list[list[int]]:
    """``value`` as rows of ints; equal rows are one shared list (read them, never
    change them in place). A 1,024-vbucket map names a handful of distinct node
    lists, so the map costs its outer list (8 KiB) instead of ~90 KiB of rows."""
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise ConfigError(f"{what} must be a list of lists")
    distinct: dict[tuple[int, ...], list[int]] = {}
    out: list[list[int]] = []
    try:
        for row in value:
            key = tuple([int(i) for i in row])
            shared = distinct.get(key)
            if shared is None:
                shared = distinct[key] = list(key)
            out.append(shared)
    except (TypeError, ValueError):
        raise ConfigError(f"{what} holds a non-integer") from None
    return out


class ClusterConfig:
    """A parsed cluster map with routing helpers."""

    def __init__(self) -> None:
        self.rev = 0
        self.rev_epoch = 0
        self.bucket: str | None = None
        self.uuid: str | None = None
        self.node_locator = "vbucket"
        self.nodes: list[NodeInfo] = []
        self.kv_nodes: list[NodeInfo] = []
        self.num_replicas = 0
        self.vbucket_map: list[list[int]] = []
        self.vbucket_map_forward: list[list[int]] | None = None
        self.bucket_capabilities: set[str] = set()
        self.cluster_capabilities: dict[str, Any] = {}
        self.collections_manifest_uid: int | None = None
        self.network = DEFAULT_NETWORK
        self.raw: dict[str, Any] = {}  # the JSON object (its vbucket maps: the parsed rows)
        self._ring: list[int] = []
        self._ring_nodes: list[int] = []

    @classmethod
    def from_json(
        cls, data: bytes | str | dict[str, Any], origin_host: str, network: str = DEFAULT_NETWORK
    ) -> ClusterConfig:
        """Parse ``data``, replacing ``$HOST`` with ``origin_host``; raises :class:`ConfigError`.

        ``network`` is ``"default"``, ``"auto"`` or an alternate network name
        (``"external"``); node addresses are the ones of that network and
        :attr:`network` says which one was used.
        """
        if not isinstance(network, str) or not network:
            raise ConfigError(f"network must be a non-empty string, not {network!r}")
        if isinstance(data, (bytes, str)):
            try:
                data = json.loads(data)
            except ValueError as exc:
                raise ConfigError(f"configuration is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError("configuration must be a JSON object")
        origin = _host(origin_host, origin_host)
        self = cls()
        self.raw = data
        self.rev = _int(data.get("rev"), "rev")
        self.rev_epoch = _int(data.get("revEpoch"), "revEpoch")
        self.bucket = data.get("name") if isinstance(data.get("name"), str) else None
        self.uuid = data.get("uuid") if isinstance(data.get("uuid"), str) else None
        if data.get("nodeLocator") == "ketama":
            self.node_locator = "ketama"
        vbmap = data.get("vBucketServerMap")
        vbmap = vbmap if isinstance(vbmap, dict) else {}
        nodes_ext = data.get("nodesExt")
        if isinstance(nodes_ext, list):
            if network == AUTO_NETWORK:
                network = select_network(nodes_ext, origin_host)
            self.network = network
            parsed = [_node_from_ext(e, origin, network) for e in nodes_ext if isinstance(e, dict)]
            self.nodes = [node for node, _ in parsed]
            self.kv_nodes = [node for node, has_kv in parsed if has_kv]
        else:
            legacy = data.get("nodes")
            legacy = legacy if isinstance(legacy, list) else []
            self.nodes = [_node_from_legacy(e, origin) for e in legacy if isinstance(e, dict)]
            with_kv = [n for n in self.nodes if n.kv_port or n.kv_tls_port]
            servers = parse_server_list(vbmap.get("serverList"), origin)
            self.kv_nodes = _pair_legacy(with_kv, servers)
        self.num_replicas = _int(vbmap.get("numReplicas"), "numReplicas")
        if "vBucketMap" in vbmap:
            self.vbucket_map = _int_matrix(vbmap["vBucketMap"], "vBucketMap")
        if "vBucketMapForward" in vbmap:
            self.vbucket_map_forward = _int_matrix(vbmap["vBucketMapForward"], "vBucketMapForward")
        if self.vbucket_map or self.vbucket_map_forward:
            # ``raw`` holds the parsed maps (shared rows), not the decoder's 1,024 lists
            # again; copies, so a dict the caller passed in is left as it was.
            vbmap = dict(vbmap)
            if self.vbucket_map:
                vbmap["vBucketMap"] = self.vbucket_map
            if self.vbucket_map_forward is not None:
                vbmap["vBucketMapForward"] = self.vbucket_map_forward
            self.raw = dict(data, vBucketServerMap=vbmap)
        caps = data.get("bucketCapabilities")
        caps = caps if isinstance(caps, list) else []
        self.bucket_capabilities = {c for c in caps if isinstance(c, str)}
        cluster_caps = data.get("clusterCapabilities")
        self.cluster_capabilities = cluster_caps if isinstance(cluster_caps, dict) else {}
        uid = data.get("collectionsManifestUid")
        if isinstance(uid, str):
            try:
                self.collections_manifest_uid = int(uid, 16)
            except ValueError:
                raise ConfigError(f"collectionsManifestUid {uid!r} is not hex") from None
        if self.node_locator == "ketama":
            self._build_ring()
        elif self.vbucket_map:
            self._check_map()
        return self

    def _check_map(self) -> None:
        limit = len(self.kv_nodes)
        for row in self.vbucket_map:
            if any(i >= limit or i < -1 for i in row):
                raise ConfigError(f"vBucketMap refers to node {max(row)} of {limit}")

    def _build_ring(self) -> None:
        points: list[tuple[int, int]] = []
        for index, node in enumerate(self.kv_nodes):
            authority = node.authority()
            for rep in range(40):
                digest = _md5(f"{authority}-{rep}".encode())
                for n in range(4):
                    points.append((int.from_bytes(digest[n * 4 : n * 4 + 4], "little"), index))
        # On a collision the node later in the list wins, as in the Java SDK's ring.
        points.sort(key=lambda p: (p[0], -p[1]))
        self._ring = [p for p, _ in points]
        self._ring_nodes = [i for _, i in points]

    @property
    def num_vbuckets(self) -> int:
        return len(self.vbucket_map)

    def newer_than(self, other: ClusterConfig | None) -> bool:
        """Whether this config replaces ``other``: compares ``(revEpoch, rev)``."""
        if other is None:
            return True
        return (self.rev_epoch, self.rev) > (other.rev_epoch, other.rev)

    def vbucket_for(self, key: bytes) -> int:
        if not self.vbucket_map:
            raise ConfigError("configuration has no vBucketMap")
        return vbucket_for_key(key, len(self.vbucket_map))

    def node_for_vbucket(self, vb: int, replica: int = 0) -> int | None:
        """Index into :attr:`kv_nodes` of ``vb``'s active (0) or n-th replica; ``None`` if none."""
        if not 0 <= vb < len(self.vbucket_map):
            return None
        row = self.vbucket_map[vb]
        if not 0 <= replica < len(row):
            return None
        index = row[replica]
        return index if 0 <= index < len(self.kv_nodes) else None

    def node_for_key(self, key: bytes, replica: int = 0) -> tuple[int, int | None]:
        """``(vbucket, node index)``; memcached (ketama) buckets give ``(0, index)``."""
        if self.node_locator == "ketama":
            if replica:
                return 0, None
            return 0, self.ketama_node_for_hash(int.from_bytes(_md5(key)[:4], "little"))
        vb = self.vbucket_for(key)
        return vb, self.node_for_vbucket(vb, replica)

    def ketama_node_for_hash(self, point: int) -> int | None:
        """The kv_nodes index owning ``point``: the first ring point at or above it, wrapping."""
        if not self._ring:
            return None
        pos = bisect.bisect_left(self._ring, point)
        return self._ring_nodes[pos if pos < len(self._ring) else 0]

    def __repr__(self) -> str:
        return (
            f"ClusterConfig(bucket={self.bucket!r}, rev=({self.rev_epoch}, {self.rev}), "
            f"nodes={len(self.nodes)}, kv_nodes={len(self.kv_nodes)}, "
            f"vbuckets={len(self.vbucket_map)}, locator={self.node_locator!r})"
        )


def _md5(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


def _int(value: Any, what: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{what} must be an integer, not {value!r}")
    return value
