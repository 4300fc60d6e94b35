"""Per-key instruments of the control API: where a key is, in memory and on disk.

CouchbaseMock models each node's copy of a key in two places, its cache
(memory) and its disk, and lets tests put a key in either or take it out
(CACHE, UNCACHE, PERSIST, UNPERSIST, ENDURE = both, PURGE = neither) to
drive OBSERVE and durability code through every state. Here memory is the
node's store; "disk" is the bucket's persisted state, which these commands
override per node and key (``Bucket.disk_overrides``) until the key's next
real write. The commands use the default collection, as CouchbaseMock has
no other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Union

from couchbase._core.observe import (
    FOUND_NOT_PERSISTED,
    FOUND_PERSISTED,
    LOGICALLY_DELETED,
    NOT_FOUND,
)

from .storage import Document

if TYPE_CHECKING:  # pragma: no cover
    from .bucket import Bucket
    from .cluster import Cluster


class KeyOpError(Exception):
    """The key command cannot apply (unknown bucket, not a couchbase bucket...)."""


@dataclass
class KeyArgs:
    key: bytes
    bucket: str = "default"
    on_master: bool = False
    on_replicas: Union[int, list[int]] = 0
    """How many replicas (a count), or which (replica indices from 0)."""
    cas: Optional[int] = None
    value: str = ""


def _bucket(cluster: Cluster, name: str) -> Bucket:
    bucket = cluster.buckets.get(name)
    if bucket is None:
        raise KeyOpError(f"there is no bucket {name!r}")
    if not bucket.is_couchbase:
        raise KeyOpError(f"{name!r} is a memcached bucket: it has no vbuckets")
    return bucket


def _targets(bucket: Bucket, vb: int, args: KeyArgs) -> list[int]:
    chain = bucket.vbmap[vb]
    replicas = [n for n in chain[1:] if n >= 0]
    nodes = [chain[0]] if args.on_master and chain[0] >= 0 else []
    if isinstance(args.on_replicas, int):
        nodes += replicas[: max(0, args.on_replicas)]
    else:
        try:
            nodes += [replicas[int(i)] for i in args.on_replicas]
        except (IndexError, TypeError, ValueError):
            raise KeyOpError(f"no such replicas: {args.on_replicas!r}") from None
    if not nodes:
        raise KeyOpError("no node chosen: set OnMaster and/or OnReplicas")
    return nodes


def apply(cluster: Cluster, op: str, args: KeyArgs) -> None:
    """``op``: cache, uncache, persist, unpersist, endure or purge."""
    bucket = _bucket(cluster, args.bucket)
    vb = bucket.vbucket_of(args.key)
    dockey = (0, args.key)
    overrides = bucket.disk_overrides.setdefault((vb, dockey), {})
    for node in _targets(bucket, vb, args):
        docs = bucket.stores[node].vbuckets[vb].docs
        current = docs.get(dockey)
        if op in ("cache", "endure"):
            cas = args.cas if args.cas is not None else (
                current.cas if current is not None and not current.deleted else cluster.cas.next())
            doc = Document(args.value.encode(), 0, 0, cas)
            doc.seqno = current.seqno if current is not None else 0
            docs[dockey] = doc
            current = doc
        if op in ("uncache", "purge"):
            docs.pop(dockey, None)
        if op in ("persist", "endure"):
            cas = args.cas if args.cas is not None else (current.cas if current else 0)
            overrides[node] = cas
        if op in ("unpersist", "purge"):
            overrides[node] = None


def disk_state(bucket: Bucket, node: int, vb: int, dockey: tuple[int, bytes],
               doc: Optional[Document]) -> tuple[bool, int]:
    """``(on disk, cas on disk)`` of a key on one node."""
    overrides = bucket.disk_overrides.get((vb, dockey))
    if overrides is not None and node in overrides:
        cas = overrides[node]
        return cas is not None, cas or 0
    persisted = bucket.persisted
    if doc is None or persisted is None or doc.seqno > persisted[vb]:
        return False, 0
    return not doc.deleted, doc.cas


def observe_override(bucket: Bucket, node: int, vb: int, dockey: tuple[int, bytes],
                     doc: Optional[Document]) -> Optional[tuple[int, int]]:
    """OBSERVE's ``(state, cas)`` where a command set the key's disk state on
    this node, else ``None``."""
    overrides = bucket.disk_overrides.get((vb, dockey))
    if overrides is None or node not in overrides:
        return None
    disk_cas = overrides[node]
    if doc is not None and not doc.deleted:
        state = FOUND_PERSISTED if disk_cas == doc.cas else FOUND_NOT_PERSISTED
        return state, doc.cas
    return (LOGICALLY_DELETED if disk_cas is not None else NOT_FOUND), disk_cas or 0


def keyinfo(cluster: Cluster, args: KeyArgs) -> list[Optional[dict[str, Any]]]:
    """Per listed node: ``null`` if it has no role for the key's vbucket, else
    ``{"Conf": {"Index", "Type"}, "Cache": {...}, "Disk": {...}}``."""
    bucket = _bucket(cluster, args.bucket)
    vb = bucket.vbucket_of(args.key)
    dockey = (0, args.key)
    chain = bucket.vbmap[vb]
    out: list[Optional[dict[str, Any]]] = []
    now = cluster.clock()
    for node in cluster.members:
        if node.index not in chain:
            out.append(None)
            continue
        position = chain.index(node.index)
        doc = bucket.stores[node.index].vbuckets[vb].live(dockey, now)
        cache = {} if doc is None else {"CAS": doc.cas, "Value": doc.value.decode("utf-8",
                                                                                   "replace")}
        on_disk, disk_cas = disk_state(bucket, node.index, vb, dockey, doc)
        disk = {"CAS": disk_cas, "Value": cache.get("Value", "")} if on_disk else {}
        out.append({
            "Conf": {"Index": position, "Type": "master" if position == 0 else "replica"},
            "Cache": cache,
            "Disk": disk,
        })
    return out
