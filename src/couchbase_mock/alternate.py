"""Alternate ("external") addresses of the nodes, as Couchbase Server keeps them.

A server set up for clients outside its network (NAT, Docker, Kubernetes)
holds per node one alternate hostname and, optionally, a port per service
(``PUT /node/controller/setupAlternateAddresses/external`` with ``hostname``
and service-name=port form fields; ``DELETE`` removes them). Every config
then lists, in the node's ``nodesExt`` entry,
``"alternateAddresses": {"external": {"hostname": h, "ports": {...}}}``;
``ports`` only when some were set. The mock serves every service on the
node's own ports: something in front (a port-mapping proxy) must forward
the alternate ones.
"""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import parse_qsl

from .cluster import Cluster

NETWORK = "external"
SERVICES = frozenset({
    "mgmt", "mgmtSSL", "kv", "kvSSL", "capi", "capiSSL", "n1ql", "n1qlSSL",
    "fts", "ftsSSL", "cbas", "cbasSSL", "eventingAdminPort", "eventingSSL",
    "backupAPI", "backupAPIHTTPS",
})
"""The service names a port may be given for (their names in ``nodesExt``)."""


def check_address(hostname: Any, ports: Any) -> tuple[str, dict[str, int]]:
    """``(hostname, ports)`` checked; ValueError naming what is wrong."""
    if not isinstance(hostname, str) or not hostname.strip():
        raise ValueError("hostname should be specified")
    out: dict[str, int] = {}
    for name, port in dict(ports or {}).items():
        if name not in SERVICES:
            raise ValueError(f"unknown service {name!r}")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError(f"port for {name} must be an integer in 1-65535, not {port!r}")
        out[name] = port
    return hostname.strip(), out


def set_external(cluster: Cluster, node: int, hostname: str,
                 ports: Optional[dict[str, int]] = None) -> None:
    """Give node ``node`` the external ``hostname`` and (optionally) ``ports``.

    Raises :class:`ValueError` for an empty hostname, an unknown service or a
    port outside 1-65535, and :class:`IndexError` for an unknown node."""
    host, checked = check_address(hostname, ports)
    target = cluster.nodes[node]
    target.alternate = {"hostname": host, "ports": checked}
    cluster.bump()


def clear_external(cluster: Cluster, node: int) -> None:
    """Remove node ``node``'s external address (nothing if it had none)."""
    target = cluster.nodes[node]
    if target.alternate is not None:
        target.alternate = None
        cluster.bump()


def alternate_addresses(cluster: Cluster, index: int) -> Optional[dict[str, Any]]:
    """The ``alternateAddresses`` object of a node's config entry, or ``None``.

    A node's own setting wins over the cluster-wide ``alternate_hostname``
    (every node, own ports)."""
    node = cluster.nodes[index]
    if node.alternate is not None:
        entry: dict[str, Any] = {"hostname": node.alternate["hostname"]}
        if node.alternate["ports"]:
            entry["ports"] = dict(node.alternate["ports"])
        return {NETWORK: entry}
    if cluster.alternate_hostname is not None:
        return {NETWORK: {"hostname": cluster.alternate_hostname}}
    return None


def any_alternate(cluster: Cluster) -> bool:
    """Whether some node has an alternate address."""
    return cluster.alternate_hostname is not None or any(
        n.alternate is not None for n in cluster.nodes)


def handle(cluster: Cluster, node: int, method: str, body: bytes) -> tuple[int, Any]:
    """``PUT``/``DELETE /node/controller/setupAlternateAddresses/external`` on
    node ``node``: ``(status, answer)``; 400 with the errors as a list for
    bad fields, as ns_server answers."""
    if method == "DELETE":
        clear_external(cluster, node)
        return 200, b""
    if method != "PUT":
        return 405, b""
    fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    hostname = fields.pop("hostname", None)
    ports: dict[str, Any] = {}
    for name, text in fields.items():
        try:
            ports[name] = int(text)
        except ValueError:
            ports[name] = text
    try:
        set_external(cluster, node, hostname or "", ports)
    except ValueError as exc:
        return 400, [str(exc)]
    return 200, b""
