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

Metadata changes made by a request (index definitions, buckets, scopes,
collections, users) are synced before the request is answered: the query
service and the management REST port wrap the request in :func:`meta_mark` and
:func:`meta_durable`, which awaits a flusher barrier without blocking the loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Callable, Optional

from .bucket import COUCHBASE
from .disk import DiskStore, decode_xattrs
from .flusher import Flusher
from .manifest import Manifest
from .storage import Document

if TYPE_CHECKING:  # pragma: no cover
    from .bucket import Bucket
    from .cluster import Cluster

log = logging.getLogger(__name__)


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


META_DURABLE_WAIT = 30.0
"""Seconds an answer waits for the flusher at most (it normally takes a sync:
milliseconds); past that the answer goes out and a warning is logged."""


def meta_mark(cluster: Cluster) -> Optional[int]:
    """Before a request that may change cluster metadata (a DDL statement, a
    bucket, scope, collection or user change over REST): what
    :func:`meta_durable` compares with after it. ``None``: no data directory."""
    flusher = cluster.flusher
    return None if flusher is None else flusher.meta_mark()


async def meta_durable(cluster: Cluster, mark: Optional[int]) -> None:
    """After such a request, before its answer: wait (without blocking the event
    loop) until every metadata snapshot queued since ``mark`` is synced, so an
    acknowledged change survives a crash (SIGKILL) right after the answer.
    Returns at once when the request changed nothing."""
    flusher = cluster.flusher
    if mark is None or flusher is None or not flusher.meta_pending(mark):
        return
    try:
        await asyncio.wait_for(asyncio.wrap_future(flusher.barrier()), META_DURABLE_WAIT)
    except asyncio.TimeoutError:
        log.warning("cluster metadata not on disk after %ss: answering anyway",
                    META_DURABLE_WAIT)
    if flusher.failure is not None:
        log.warning("cluster metadata not on disk: %r", flusher.failure)


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
        if "analytics" in cluster.restored_extra:  # its catalog back, datasets refilled
            from .analytics.datasets import analytics_state

            analytics_state(cluster)
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
