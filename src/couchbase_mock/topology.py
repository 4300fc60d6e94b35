"""Changing a running cluster's shape: failover, rebalance in and out.

Everything here runs on the mock's event loop, between client requests, so
a vbucket moves atomically: no write can land between copying its documents
and switching the map. Clients that still use the old map get
NOT_MY_VBUCKET (with the new config) from the node that gave the vbucket up,
and retry where it went, as against a real cluster.

- :func:`failover`: a node stops serving its vbuckets at once; for each one
  it was active for, the first replica is promoted. Replication in the mock
  is synchronous, so the promoted copy has every acknowledged write (unlike
  CouchbaseMock, which loses them). A failover that would leave a vbucket
  with no copy (no replica left) is refused, as the server's safe failover
  is.
- :func:`rebalance_steps`: moves every couchbase bucket to the balanced map
  over the serving nodes, ``step`` vbuckets at a time with a new config
  revision after each step; at the end, failed-over nodes leave the cluster.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

from .bucket import build_vbucket_map

if TYPE_CHECKING:  # pragma: no cover
    from .bucket import Bucket
    from .cluster import Cluster

REBALANCE_STEP = 64
"""Vbuckets moved between two config revisions."""


class TopologyError(ValueError):
    """A change the cluster cannot make (unknown node, data would be lost...)."""


def check_node(cluster: Cluster, node: int) -> None:
    if not 0 <= node < len(cluster.nodes) or not cluster.nodes[node].member:
        raise TopologyError(f"there is no node {node} in the cluster")


def failover(cluster: Cluster, node: int, bucket_name: Optional[str] = None) -> None:
    """Fail ``node`` over in one bucket, or in all (``None``)."""
    check_node(cluster, node)
    if bucket_name is not None and bucket_name not in cluster.buckets:
        raise TopologyError(f"there is no bucket {bucket_name!r}")
    names = list(cluster.buckets) if bucket_name is None else [bucket_name]
    buckets = [cluster.buckets[n] for n in names if cluster.buckets[n].is_couchbase]
    for bucket in buckets:
        for vb, chain in enumerate(bucket.vbmap):
            if chain[0] == node and not any(n >= 0 for n in chain[1:]):
                raise TopologyError(
                    f"failing node {node} over would lose vbucket {vb} of bucket "
                    f"{bucket.name!r}: it has no replica")
    for bucket in buckets:
        for vb, chain in enumerate(bucket.vbmap):
            if node in chain:
                rest = [n for n in chain if n != node]
                bucket.vbmap[vb] = rest + [-1] * (len(chain) - len(rest))
    if bucket_name is None:
        cluster.nodes[node].failed = True
    cluster.bump()


def recover(cluster: Cluster, node: int) -> None:
    """Mark a failed-over node as serving again (a rebalance gives it data)."""
    check_node(cluster, node)
    cluster.nodes[node].failed = False
    cluster.bump()


def rebalance_steps(cluster: Cluster, step: int = REBALANCE_STEP,
                    eject: frozenset[int] = frozenset()) -> Iterator[None]:
    """Move every couchbase bucket to the balanced map over the serving nodes
    but ``eject``; yields after each step of ``step`` vbuckets (the caller
    lets clients in). Failed-over and ejected nodes leave the cluster at the end."""
    for leaving in eject:
        check_node(cluster, leaving)
    serving = [n.index for n in cluster.serving if n.index not in eject]
    if not serving:
        raise TopologyError("no node would be left to serve the data")
    for bucket in list(cluster.buckets.values()):
        if not bucket.is_couchbase:
            continue
        target = build_vbucket_map(bucket.num_vbuckets, serving, bucket.replicas)
        moving = [vb for vb in range(bucket.num_vbuckets) if bucket.vbmap[vb] != target[vb]]
        for start in range(0, len(moving), step):
            if cluster.buckets.get(bucket.name) is not bucket:
                break  # deleted meanwhile
            for vb in moving[start:start + step]:
                move_vbucket(bucket, vb, target[vb])
            cluster.bump()
            yield
    for node in cluster.nodes:
        if node.member and (node.failed or node.index in eject):
            node.member = False
    cluster.bump()


def move_vbucket(bucket: Bucket, vb: int, chain: list[int]) -> None:
    """Give vbucket ``vb`` the nodes of ``chain``, copying its documents from
    the current active (or the first copy left, for a vbucket whose active
    was failed over without a rebalance)."""
    old = bucket.vbmap[vb]
    source_node = next((n for n in old if n >= 0), -1)
    if source_node < 0:
        raise TopologyError(f"vbucket {vb} of {bucket.name!r} has no copy left to move")
    source = bucket.stores[source_node].vbuckets[vb]
    for node in chain:
        if node < 0 or node == source_node:
            continue
        target = bucket.stores[node].vbuckets[vb]
        target.docs = {key: doc.copy() for key, doc in source.docs.items()}
        target.seqno = source.seqno
        target.uuid = source.uuid
    keep = set(chain)
    for node in old:
        if node >= 0 and node not in keep:
            bucket.stores[node].vbuckets[vb].docs = {}
    bucket.vbmap[vb] = list(chain)
