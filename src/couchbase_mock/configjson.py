"""Cluster map JSON in the format of Couchbase Server 7.x.

Two flavours of the same document: the one KV hands out (GET_CLUSTER_CONFIG,
NOT_MY_VBUCKET bodies) names every host ``$HOST`` and marks ``thisNode``; the
REST one names the real host. ``nodesExt`` alone defines the nodes for
modern clients; ``nodes`` and ``vBucketServerMap.serverList`` are there for
older ones, in the same order. The encoded documents are cached by the
cluster until its next revision.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from .alternate import alternate_addresses, any_alternate
from .bucket import Bucket
from .cluster import Cluster, Node

PLACEHOLDER = "$HOST"
SERVER_VERSION = "7.6.2-0000-enterprise"
"""The Couchbase Server release the mock answers as (REST ``implementationVersion``,
the nodes' ``version``, the KV VERSION command)."""
CLUSTER_COMPATIBILITY = 7 * 0x10000 + 6  # 7.6, as ns_server encodes it

# What this mock honours; the official SDK reads these to decide what to use.
COUCHBASE_CAPABILITIES = [
    "collections",
    "durableWrite",
    # User XATTRs live on tombstones (CREATE_AS_DELETED, ACCESS_DELETED mutations: a
    # transaction's staged insert); gocbcore reads this capability as "create as deleted
    # is supported" (kvmux state), as a 6.6+ server reports it.
    "tombstonedUserXAttrs",
    "cbhello",
    "touch",
    "cccp",
    "nodesExt",
    "preserve_expiry",
    "couchapi",
    "xattr",
    "rangeScan",  # couchbase_mock.range_scan
    "subdoc.ReplaceBodyWithXattr",
    "subdoc.DocumentMacroSupport",
    "subdoc.ReviveDocument",
    "subdoc.BinaryXattr",  # the BINARY_VALUE path flag (subdoc/binary.py)
    "subdoc.ReplicaRead",  # lookups with the replica-read doc flag (kv_handlers)
]
MEMCACHED_CAPABILITIES = ["cbhello", "nodesExt"]
# As a 7.x server with the query service reports it: with
# enhancedPreparedStatements, SDKs prepare with PREPARE ... and auto_execute.
CLUSTER_CAPABILITIES: dict[str, list[str]] = {"n1ql": ["enhancedPreparedStatements"]}


def _encode(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def _alternate(cluster: Cluster, node: Node) -> Optional[dict[str, Any]]:
    """``alternateAddresses`` of a node (see :mod:`couchbase_mock.alternate`)."""
    return alternate_addresses(cluster, node.index)


def _kv_host(cluster: Cluster) -> str:
    """The host KV configs name: ``$HOST``, or the node's own host once alternate
    addresses are set up (a server reached through NAT names its nodes, so a
    client's ``network=auto`` can tell the external name from the own one)."""
    return cluster.host if any_alternate(cluster) else PLACEHOLDER


def _services(node: Node) -> dict[str, int]:
    return {name: port for name, port in node.ports.items() if port}


# The services /pools/default names per node (its nodesExt names, less the
# ones that come with every node: mgmt, capi).
_POOL_SERVICES = ("kv", "n1ql", "fts", "cbas")


def _nodes_ext(cluster: Cluster, host: str, this_node: Optional[int]) -> list[dict[str, Any]]:
    out = []
    for node in cluster.members:
        entry: dict[str, Any] = {
            "services": _services(node),
            "hostname": host,
        }
        if node.index == this_node:
            entry["thisNode"] = True
        alternate = _alternate(cluster, node)
        if alternate is not None:
            entry["alternateAddresses"] = alternate
        out.append(entry)
    return out


def _listed(cluster: Cluster, bucket: Bucket) -> list[Node]:
    """The nodes a bucket's config lists: every member for couchbase buckets
    (the map says which serve what), the serving ones for memcached buckets
    (clients hash keys over the list)."""
    return cluster.members if bucket.is_couchbase else cluster.serving


def _positions(vbmap: list[list[int]], listed: list[Node]) -> list[list[int]]:
    """The map with node ids turned into positions in the listed nodes (the
    same unless a node has left the cluster)."""
    pos = {node.index: i for i, node in enumerate(listed)}
    if all(pos[i] == i for i in pos):
        return vbmap
    return [[pos[n] if n >= 0 else -1 for n in chain] for chain in vbmap]


def _bucket_doc(
    cluster: Cluster, bucket: Bucket, host: str, this_node: Optional[int]
) -> dict[str, Any]:
    uri = f"/pools/default/buckets/{bucket.name}?bucket_uuid={bucket.uuid}"
    listed = _listed(cluster, bucket)
    nodes = []
    for node in listed:
        entry: dict[str, Any] = {
            "hostname": f"{host}:{node.mgmt_port}",
            "ports": {"direct": node.kv_port},
        }
        if node.capi_port and bucket.is_couchbase:
            entry["couchApiBase"] = f"http://{host}:{node.capi_port}/{bucket.name}"
        if node.index == this_node:
            entry["thisNode"] = True
        nodes.append(entry)
    doc: dict[str, Any] = {
        "rev": cluster.rev,
        "revEpoch": cluster.rev_epoch,
        "name": bucket.name,
        "uri": uri,
        "streamingUri": uri.replace("/buckets/", "/bucketsStreaming/", 1),
        "nodes": nodes,
        "nodesExt": _nodes_ext(cluster, host, this_node),
        "nodeLocator": "vbucket" if bucket.is_couchbase else "ketama",
        "uuid": bucket.uuid,
        "ddocs": {"uri": f"/pools/default/buckets/{bucket.name}/ddocs"},
    }
    if bucket.is_couchbase:
        doc["vBucketServerMap"] = {
            "hashAlgorithm": "CRC",
            "numReplicas": bucket.replicas,
            "serverList": [f"{host}:{node.kv_port}" for node in listed],
            "vBucketMap": _positions(bucket.vbmap, listed),
        }
        doc["collectionsManifestUid"] = format(bucket.manifest.uid, "x")
        caps = COUCHBASE_CAPABILITIES
    else:
        caps = MEMCACHED_CAPABILITIES
    doc["bucketCapabilitiesVer"] = ""
    doc["bucketCapabilities"] = list(caps)
    doc["clusterCapabilitiesVer"] = [1, 0]
    doc["clusterCapabilities"] = CLUSTER_CAPABILITIES
    return doc


def kv_bucket_config(cluster: Cluster, bucket: Bucket, this_node: int) -> bytes:
    """The config a node's KV service returns for a bucket (``$HOST``, thisNode)."""
    return cluster.cached(
        ("kv", bucket.name, this_node),
        lambda: _encode(_bucket_doc(cluster, bucket, _kv_host(cluster), this_node)),
    )


def kv_cluster_config(cluster: Cluster, this_node: int) -> bytes:
    """The config KV returns before a bucket is selected: nodes, no map."""

    def build() -> bytes:
        return _encode(
            {
                "rev": cluster.rev,
                "revEpoch": cluster.rev_epoch,
                "nodesExt": _nodes_ext(cluster, _kv_host(cluster), this_node),
                "clusterCapabilitiesVer": [1, 0],
                "clusterCapabilities": CLUSTER_CAPABILITIES,
            }
        )

    return cluster.cached(("kv-cluster", this_node), build)


def rest_bucket_config(cluster: Cluster, bucket: Bucket, this_node: int) -> bytes:
    """The terse config of ``/pools/default/b/<bucket>`` and the streaming endpoints."""
    return cluster.cached(
        ("rest", bucket.name, this_node),
        lambda: _encode(_bucket_doc(cluster, bucket, cluster.host, this_node)),
    )


def bucket_info(cluster: Cluster, bucket: Bucket, this_node: int) -> dict[str, Any]:
    """The verbose ``/pools/default/buckets/<bucket>`` document."""
    doc = _bucket_doc(cluster, bucket, cluster.host, this_node)
    now = cluster.clock()
    for node, entry in zip(_listed(cluster, bucket), doc["nodes"]):
        entry.update(_node_info(cluster, node.index, this_node))
    store_items = sum(
        bucket.stores[n.index].item_count(bucket.vbuckets_of(n.index), now)
        for n in cluster.serving
    )
    doc.update(
        {
            "bucketType": _bucket_type(bucket),
            "authType": "sasl",
            "saslPassword": "",
            "replicaNumber": bucket.replicas,
            "threadsNumber": 3,
            "quota": {"ram": 104857600 * len(cluster.nodes), "rawRAM": 104857600},
            "basicStats": {
                "quotaPercentUsed": 0.0,
                "opsPerSec": 0,
                "diskFetches": 0,
                "itemCount": store_items,
                "diskUsed": 0,
                "dataUsed": 0,
                "memUsed": 0,
            },
            "evictionPolicy": "valueOnly" if bucket.is_couchbase else "",
            "conflictResolutionType": "seqno",
            "stats": {"uri": f"/pools/default/buckets/{bucket.name}/stats"},
            "controllers": {
                "flush": f"/pools/default/buckets/{bucket.name}/controller/doFlush",
            },
        }
    )
    return doc


def _bucket_type(bucket: Bucket) -> str:
    """What the server calls the bucket's type: a couchbase bucket kept in
    memory only (no data directory) is honestly an ephemeral one."""
    if not bucket.is_couchbase:
        return "memcached"
    return "membase" if bucket.persisted is not None else "ephemeral"


def _node_info(cluster: Cluster, index: int, this_node: Optional[int]) -> dict[str, Any]:
    node = cluster.nodes[index]
    info: dict[str, Any] = {
        "hostname": f"{cluster.host}:{node.mgmt_port}",
        "ports": {"direct": node.kv_port},
        "clusterMembership": "inactiveFailed" if node.failed else "active",
        "recoveryType": "none",
        "status": "healthy",
        "otpNode": f"ns_{index}@{cluster.host}",
        "nodeUUID": node.uuid,
        "clusterCompatibility": CLUSTER_COMPATIBILITY,
        "version": SERVER_VERSION,
        "os": "x86_64-unknown-linux-gnu",
        "services": [name for name in _POOL_SERVICES
                     if node.ports.get(name) or node.ports.get(name + "SSL")],
        "uptime": "1",
    }
    # With TLS: the node's HTTPS ports, under the names the server lists them by.
    for tls_name, legacy in (("mgmtSSL", "httpsMgmt"), ("capiSSL", "httpsCAPI")):
        if node.ports.get(tls_name):
            info["ports"][legacy] = node.ports[tls_name]
    if index == this_node:
        info["thisNode"] = True
    alternate = _alternate(cluster, node)
    if alternate is not None:
        info["alternateAddresses"] = alternate
    return info


def pools(cluster: Cluster) -> dict[str, Any]:
    """``/pools``."""
    return {
        "isAdminCreds": True,
        "isROAdminCreds": False,
        "isEnterprise": True,
        "allowedServices": ["kv"],
        "pools": [
            {"name": "default", "uri": f"/pools/default?uuid={cluster.uuid}",
             "streamingUri": f"/poolsStreaming/default?uuid={cluster.uuid}"}
        ],
        "uuid": cluster.uuid,
        "implementationVersion": SERVER_VERSION,
        "componentsVersion": {"ns_server": SERVER_VERSION},
    }


def pools_default(cluster: Cluster, this_node: int) -> dict[str, Any]:
    """``/pools/default``: the nodes and where to find the buckets."""
    return {
        "name": "default",
        "nodes": [_node_info(cluster, n.index, this_node) for n in cluster.members],
        "buckets": {
            "uri": f"/pools/default/buckets?v={cluster.rev}&uuid={cluster.uuid}",
            "terseBucketsBase": "/pools/default/b/",
            "terseStreamingBucketsBase": "/pools/default/bs/",
        },
        "rebalanceStatus": "none",
        "balanced": True,
        "clusterName": "",
        "memoryQuota": 100 * len(cluster.nodes),
        "rev": cluster.rev,
        "revEpoch": cluster.rev_epoch,
        "nodesExt": _nodes_ext(cluster, cluster.host, this_node),
        "clusterCapabilitiesVer": [1, 0],
        "clusterCapabilities": CLUSTER_CAPABILITIES,
    }


def node_services(cluster: Cluster, this_node: int) -> dict[str, Any]:
    """``/pools/default/nodeServices``: the cluster-level config (nodes and their
    services' ports, no bucket), what a client with no bucket bootstraps from over HTTP."""
    return {"rev": cluster.rev, "revEpoch": cluster.rev_epoch,
            "nodesExt": _nodes_ext(cluster, cluster.host, this_node),
            "clusterCapabilitiesVer": [1, 0], "clusterCapabilities": CLUSTER_CAPABILITIES}


def pools_nodes(cluster: Cluster, this_node: int) -> dict[str, Any]:
    """``/pools/nodes``: ``/pools/default`` named ``nodes``, with the storage totals."""
    doc = pools_default(cluster, this_node)
    quota = 100 * 1024 * 1024 * len(cluster.nodes)
    doc["name"] = "nodes"
    doc["storageTotals"] = {
        "ram": {"total": quota, "quotaTotal": quota, "quotaUsed": quota, "used": 0,
                "usedByData": 0, "quotaUsedPerNode": quota // max(1, len(cluster.nodes)),
                "quotaTotalPerNode": quota // max(1, len(cluster.nodes))},
        "hdd": {"total": 0, "quotaTotal": 0, "used": 0, "usedByData": 0, "free": 0},
    }
    return doc
