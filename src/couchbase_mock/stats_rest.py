"""``GET /pools/default/buckets/<b>/stats``: a bucket's recent statistics, as the
server's (older) stats endpoint shapes them::

    {"op": {"samples": {"timestamp": [ms...], "ops": [...], "curr_items": [...],
                        "mem_used": [...], "cmd_set": [...]},
            "samplesCount": n, "isPersistent": true, "lastTStamp": ms, "interval": ms}}

Sampling costs a walk over the bucket's documents, so it starts with the first
request for a bucket's stats and stops when nobody has asked for
:data:`IDLE_STOP` seconds; a sample is taken every :data:`INTERVAL` seconds
and the last :data:`KEEP` are kept (five minutes). ``ops`` counts mutations
per second (the local cluster counts no reads); ``mem_used`` is an estimate
from keys and values.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any, Optional

from .cluster import Cluster

INTERVAL = 2.0
KEEP = 150
IDLE_STOP = 60.0
FIELDS = ("timestamp", "ops", "cmd_set", "curr_items", "mem_used")


class Sampler:
    """The samples of every bucket of one cluster, while someone looks."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = weakref.ref(cluster)
        self.samples: dict[str, dict[str, list[float]]] = {}
        self.last_seqnos: dict[str, tuple[int, float]] = {}
        self.asked = time.monotonic()
        self.task: Optional[asyncio.Task[None]] = None

    def ensure_running(self) -> None:
        self.asked = time.monotonic()
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        while time.monotonic() - self.asked < IDLE_STOP:
            cluster = self.cluster()
            if cluster is None:
                return
            self.sample(cluster)
            del cluster
            await asyncio.sleep(INTERVAL)

    def sample(self, cluster: Cluster) -> None:
        """Take one sample of every bucket."""
        now = cluster.clock()
        for name in list(self.samples):
            if name not in cluster.buckets:
                del self.samples[name]
                self.last_seqnos.pop(name, None)
        for name, bucket in cluster.buckets.items():
            seqnos = items = mem = 0
            if bucket.is_couchbase:
                for vb_id, chain in enumerate(bucket.vbmap):
                    vb = bucket.stores[chain[0]].vbuckets[vb_id]
                    seqnos += vb.seqno
                    items += vb.item_count(now)
                    for (_cid, key), doc in vb.docs.items():
                        mem += len(key) + len(doc.value) + 56
            stamp = time.monotonic()
            previous, then = self.last_seqnos.get(name, (seqnos, stamp))
            self.last_seqnos[name] = (seqnos, stamp)
            rate = max(0, seqnos - previous) / max(stamp - then, 0.5)
            series = self.samples.setdefault(name, {f: [] for f in FIELDS})
            for field, value in zip(FIELDS, (time.time() * 1000, rate, rate, items, mem)):
                column = series[field]
                column.append(value)
                del column[:-KEEP]


_samplers: weakref.WeakKeyDictionary[Cluster, Sampler] = weakref.WeakKeyDictionary()


def handle(cluster: Cluster, bucket_name: str, method: str) -> tuple[int, Any]:
    """Answer ``/pools/default/buckets/<bucket_name>/stats``."""
    if method != "GET":
        return 405, b""
    sampler = _samplers.get(cluster)
    if sampler is None:
        sampler = _samplers[cluster] = Sampler(cluster)
    if bucket_name not in sampler.samples:
        sampler.sample(cluster)  # a first point at once
    sampler.ensure_running()
    series = sampler.samples.get(bucket_name, {f: [] for f in FIELDS})
    stamps = series["timestamp"]
    return 200, {"op": {"samples": series, "samplesCount": len(stamps),
                        "isPersistent": True, "lastTStamp": stamps[-1] if stamps else 0,
                        "interval": int(INTERVAL * 1000)}}
