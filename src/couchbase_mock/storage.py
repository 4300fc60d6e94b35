"""Document stores: per node, per bucket, per vbucket.

Every node keeps its own :class:`NodeStore` for every bucket, holding the
vbuckets it is active or replica for (the structures exist for all vbuckets;
only the ones the map assigns to the node are ever written). The store knows
nothing about commands or replication: :mod:`couchbase_mock.engine` applies
the KV semantics and copies documents to the replica nodes' stores.

Time comes from a :class:`Clock` the cluster owns, so tests move it forward
instead of sleeping; CAS values come from a :class:`CasSource`, time based like
the real server's hybrid logical clock (nanoseconds, low bits a counter).
"""

from __future__ import annotations

import secrets
import time
from typing import Callable, Optional

"""The CAS a plain GET reports for a locked document."""


class Clock:
    """Server time in seconds since the epoch: a base clock plus an offset.

    ``advance(seconds)`` moves time forward for expiry and lock timeouts
    without sleeping; the base clock can be replaced (``Clock(lambda: 1000.0)``).
    """

    __slots__ = ("_base", "offset")

    def __init__(self, base: Optional[Callable[[], float]] = None) -> None:
        self._base: Callable[[], float] = base if base is not None else time.time
        self.offset = 0.0

    def __call__(self) -> float:
        return self._base() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class CasSource:
    """Unique, strictly increasing CAS values derived from the clock.

    Like the server's HLC: the clock in nanoseconds with the low 16 bits
    cleared, bumped by one whenever the clock has not moved on.
    """

    __slots__ = ("_clock", "_last")

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._last = 0

    def next(self, now: Optional[float] = None) -> int:
        """The next CAS; ``now`` is the clock's time if the caller has just read it."""
        if now is None:
            now = self._clock()
        base = int(now * 1e9) & ~0xFFFF
        cas = base if base > self._last else self._last + 1
        self._last = cas
        return cas

    def advance_past(self, cas: int) -> None:
        """Never hand out ``cas`` or anything below it (restored documents')."""
        if cas > self._last:
            self._last = cas


class Document:
    """One stored item (or tombstone) in one vbucket of one node.

    ``expiry`` and ``lock_expiry`` are absolute server times in seconds
    (0 = none); ``revno`` is the revision sequence number GET_META reports.
    ``xattrs`` holds the extended attributes (X-Key to JSON text), ``None`` when
    there are none; ``value`` is the body alone.
    """

    __slots__ = (
        "value",
        "flags",
        "expiry",
        "cas",
        "datatype",
        "lock_expiry",
        "lock_cas",
        "deleted",
        "seqno",
        "revno",
        "xattrs",
    )

    def __init__(
        self,
        value: bytes = b"",
        flags: int = 0,
        expiry: int = 0,
        cas: int = 0,
        datatype: int = 0,
        seqno: int = 0,
        revno: int = 1,
        deleted: bool = False,
        xattrs: Optional[dict[str, bytes]] = None,
    ) -> None:
        self.value = value
        self.flags = flags
        self.expiry = expiry
        self.cas = cas
        self.datatype = datatype
        self.lock_expiry = 0.0
        self.lock_cas = 0
        self.deleted = deleted
        self.seqno = seqno
        self.revno = revno
        self.xattrs = xattrs

    def copy(self) -> Document:
        """A replica's copy: the same item, without the (active-only) lock."""
        doc = Document(
            self.value, self.flags, self.expiry, self.cas, self.datatype, self.seqno,
            self.revno, self.deleted, dict(self.xattrs) if self.xattrs else None,
        )
        return doc

    def tombstone(self) -> Document:
        """What deleting this document leaves: no body, no user XATTRs, its
        system XATTRs (keys starting with ``_``) kept, as the server does."""
        kept = None
        if self.xattrs:
            kept = {k: v for k, v in self.xattrs.items() if k.startswith("_")} or None
        return Document(deleted=True, xattrs=kept)

    def is_expired(self, now: float) -> bool:
        return bool(self.expiry) and now >= self.expiry

    def is_locked(self, now: float) -> bool:
        return self.lock_cas != 0 and now < self.lock_expiry

    def __repr__(self) -> str:
        return (
            f"Document(value={self.value[:32]!r}, flags={self.flags}, expiry={self.expiry}, "
            f"cas={self.cas}, deleted={self.deleted}, seqno={self.seqno})"
        )


DocKey = tuple[int, bytes]
"""A document's identity within a vbucket: (collection id, key)."""


class VBucket:
    """One vbucket's documents on one node, with its uuid and sequence numbers."""

    __slots__ = ("id", "uuid", "seqno", "docs")

    def __init__(self, vbid: int, uuid: Optional[int] = None) -> None:
        self.id = vbid
        self.uuid = uuid if uuid is not None else secrets.randbits(48)
        self.seqno = 0
        self.docs: dict[DocKey, Document] = {}

    def next_seqno(self) -> int:
        self.seqno += 1
        return self.seqno

    def live(self, key: DocKey, now: float) -> Optional[Document]:
        """The document if it exists, is not deleted and has not expired."""
        doc = self.docs.get(key)
        if doc is None or doc.deleted or doc.is_expired(now):
            return None
        return doc

    def item_count(self, now: float) -> int:
        return sum(1 for d in self.docs.values() if not d.deleted and not d.is_expired(now))


class NodeStore:
    """All vbuckets of one bucket on one node (memcached buckets use one)."""

    __slots__ = ("vbuckets",)

    def __init__(self, uuids: list[int]) -> None:
        # The same vbucket has the same uuid (history) on its active and replicas.
        self.vbuckets = [VBucket(i, uuid) for i, uuid in enumerate(uuids)]

    def item_count(self, vbids: Optional[list[int]], now: float) -> int:
        """Live items in the given vbuckets (``None``: all)."""
        ids = range(len(self.vbuckets)) if vbids is None else vbids
        return sum(self.vbuckets[i].item_count(now) for i in ids)

    def purge_collections(self, cids: set[int]) -> int:
        """Forget every document (and tombstone) of the given collections."""
        purged = 0
        for vb in self.vbuckets:
            doomed = [key for key in vb.docs if key[0] in cids]
            for key in doomed:
                del vb.docs[key]
            purged += len(doomed)
        return purged

    def mem_used(self) -> int:
        """A rough figure for memory used by values and keys."""
        total = 0
        for vb in self.vbuckets:
            for (_cid, key), doc in vb.docs.items():
                total += len(key) + len(doc.value) + 56
        return total
