"""A cluster with a data directory: restore at start, persist while running.

:func:`open_data_dir` loads what a directory holds into a new
:class:`~couchbase_mock.cluster.Cluster` (buckets, their uuids and
collection manifests, every document with its CAS, flags, expiry and
sequence numbers, each vbucket's uuid and sequence number) and starts the
:class:`~couchbase_mock.flusher.Flusher` that keeps the directory up to date.
A directory with nothing in it yet is seeded with the buckets the caller
asked for; a directory that has a cluster keeps its own buckets.

All nodes of the cluster share the one directory: a write on disk is
persisted for the active copy and its replicas alike (OBSERVE says so on
every node holding it). Locks are not persisted (a restart releases them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .bucket import COUCHBASE
from .disk import DiskStore, decode_xattrs
from .flusher import Flusher
from .manifest import Manifest
from .storage import Document

if TYPE_CHECKING:  # pragma: no cover
    from .bucket import Bucket
    from .cluster import Cluster


def snapshot(cluster: Cluster) -> dict[str, Any]:
    """The cluster metadata the directory keeps, as JSON-ready data.

    ``extra`` holds what services register in ``cluster.metadata_sources``
    (design documents, index definitions), and what was restored for a
    service that has not registered yet (it starts on first use)."""
    extra = dict(cluster.restored_extra)
    for name, source in cluster.metadata_sources.items():
        extra[name] = source()
    return {
        "extra": extra,
        "buckets": {
            name: {
                "type": bucket.type,
                "replicas": bucket.replicas,
                "password": bucket.password,
                "uuid": bucket.uuid,
                "manifest": bucket.manifest.to_json(),
                "next_id": bucket.manifest.next_id,
            }
            for name, bucket in cluster.buckets.items()
        }
    }


def open_data_dir(cluster: Cluster, data_dir: str, seed: Callable[[Cluster], None]) -> Flusher:
    """Restore ``data_dir`` into ``cluster`` (which has no buckets yet), or call
    ``seed(cluster)`` to create the first buckets of a new directory; then
    persist every later change. Raises :class:`couchbase_mock.disk.DiskError`."""
    store = DiskStore(data_dir)
    meta = store.load_meta()
    if meta is None:
        seed(cluster)
    else:
        cluster.restored_extra = dict(meta.get("extra", {}))
        for name, spec in meta["buckets"].items():
            bucket = cluster.create_bucket(name, spec["type"], spec["replicas"],
                                           spec["password"])
            bucket.uuid = spec["uuid"]
            bucket.manifest = Manifest.from_json(spec["manifest"], spec.get("next_id", 0))
            if bucket.type == COUCHBASE:
                _restore_documents(cluster, bucket, store)
    flusher = Flusher(store)
    cluster.attach_flusher(flusher)
    return flusher


def _restore_documents(cluster: Cluster, bucket: Bucket, store: DiskStore) -> None:
    vbuckets = store.load_vbuckets(bucket.name)
    for vb, (uuid, _seqno) in vbuckets.items():
        for node_store in bucket.stores:
            node_store.vbuckets[vb].uuid = uuid
    high = [0] * bucket.num_vbuckets
    for vb, (_uuid, seqno) in vbuckets.items():
        high[vb] = seqno
    top_cas = 0
    for row in store.load_docs(bucket.name):
        _name, cid, key, vb, value, flags, expiry, cas, datatype, seqno, revno, xattrs, \
            deleted = row
        doc = Document(value, flags, expiry, cas, datatype, seqno, revno, bool(deleted),
                       decode_xattrs(xattrs))
        nodes = [bucket.active_node(vb), *bucket.replica_nodes(vb)]
        for i, node in enumerate(nodes):
            bucket.stores[node].vbuckets[vb].docs[(cid, key)] = doc if i == 0 else doc.copy()
        high[vb] = max(high[vb], seqno)
        top_cas = max(top_cas, cas)
    for vb, seqno in enumerate(high):
        for node_store in bucket.stores:
            node_store.vbuckets[vb].seqno = seqno
    bucket.persisted = high
    cluster.cas.advance_past(top_cas)
