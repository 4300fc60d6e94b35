"""KV semantics on a bucket's stores: CAS, locks, expiry, counters, replication.

The engine works on documents, not packets: each operation takes the node
that received it, the vbucket and ``(collection id, key)`` and returns a
:class:`Status` and the document it produced or found. The caller
(:mod:`couchbase_mock.kv_handlers`) has already checked that the node is
active for the vbucket. Every mutation gets a new CAS and vbucket sequence
number on the active node and is then copied to the replica nodes' stores.
"""

from __future__ import annotations

from typing import Callable, Optional

from couchbase._core.document import (
    COUNTER_NO_INITIAL,
    DEFAULT_LOCK_TIME,
    MAX_LOCK_TIME,
    RELATIVE_EXPIRY_LIMIT,
)
from couchbase._core.feature import Datatype
from couchbase._core.status import Status

from .bucket import Bucket
from .storage import CasSource, DocKey, Document, VBucket

MAX_VALUE_SIZE = 20 * 1024 * 1024
U64 = 1 << 64

Outcome = tuple[Status, Optional[Document]]
Observer = Callable[[Bucket, DocKey, Document], None]
"""Told ``(bucket, (collection id, key), new document or tombstone)`` after a commit."""


def absolute_expiry(exptime: int, now: float) -> int:
    """Server-side absolute expiry of a wire expiry (0 stays 0: never).

    Up to 30 days it is relative to now; above, an absolute Unix time (one in
    the past expires the document at once).
    """
    if exptime == 0:
        return 0
    if exptime <= RELATIVE_EXPIRY_LIMIT:
        return int(now) + exptime
    return exptime if exptime > now else max(1, int(now))


def parse_counter(value: bytes) -> Optional[int]:
    """The value of a counter document, or ``None`` if it is not a u64 in ASCII."""
    if not value or len(value) > 20 or not value.isdigit():
        return None
    number = int(value)
    return number if number < U64 else None


class Engine:
    """The document operations of one bucket."""

    def __init__(
        self,
        bucket: Bucket,
        clock: Callable[[], float],
        cas: CasSource,
        observers: Optional[list[Observer]] = None,
    ) -> None:
        self.bucket = bucket
        self.clock = clock
        self.cas = cas
        # Called after every commit (the cluster shares one list between its
        # buckets' engines); empty unless something, like the query
        # service's indexes, has to follow every change.
        self.observers: list[Observer] = observers if observers is not None else []
        # Told every commit of a persistent bucket (the flusher's ``note``).
        self.journal: Optional[Callable[[Bucket, int, DocKey, Document], None]] = None

    # -- plumbing ---------------------------------------------------------

    def vbucket(self, node: int, vb: int) -> VBucket:
        return self.bucket.stores[node].vbuckets[vb]

    def _current(self, node: int, vb: int, key: DocKey, now: float) -> Optional[Document]:
        """The stored document (maybe a tombstone), expiring it first if due."""
        vbucket = self.vbucket(node, vb)
        doc = vbucket.docs.get(key)
        if doc is not None and not doc.deleted and doc.is_expired(now):
            doc = self._commit(node, vb, key, Document(deleted=True), doc)
        return doc

    def _live(self, node: int, vb: int, key: DocKey, now: float) -> Optional[Document]:
        doc = self._current(node, vb, key, now)
        return None if doc is None or doc.deleted else doc

    def _commit(
        self, node: int, vb: int, key: DocKey, doc: Document, old: Optional[Document]
    ) -> Document:
        """Store a new revision on the active node and copy it to the replicas."""
        vbucket = self.vbucket(node, vb)
        doc.cas = self.cas.next()
        doc.seqno = vbucket.next_seqno()
        doc.revno = old.revno + 1 if old is not None else 1
        # Re-insert, so the active vbucket's documents stay in seqno order: the
        # view indexes catch up by reading only its newest entries.
        vbucket.docs.pop(key, None)
        vbucket.docs[key] = doc
        self._replicate(vb, key, doc)
        if self.bucket.disk_overrides:
            self.bucket.disk_overrides.pop((vb, key), None)
        if self.journal is not None:
            self.journal(self.bucket, vb, key, doc)
        if self.observers:
            for observer in self.observers:
                observer(self.bucket, key, doc)
        return doc

    def _replicate(self, vb: int, key: DocKey, doc: Document) -> None:
        if not self.bucket.is_couchbase:
            return
        for replica in self.bucket.replica_nodes(vb):
            rvb = self.vbucket(replica, vb)
            rvb.docs[key] = doc.copy()
            if doc.seqno > rvb.seqno:
                rvb.seqno = doc.seqno

    def _expiry_for(self, key: DocKey, exptime: int, now: float) -> int:
        if exptime == 0:
            coll = self.bucket.manifest.collection_by_id(key[0])
            if coll is not None and coll.max_ttl:
                exptime = coll.max_ttl
        return absolute_expiry(exptime, now)

    @staticmethod
    def _lock_blocks(doc: Document, cas: int, now: float) -> bool:
        """A locked document takes mutations only with the lock's CAS."""
        return doc.is_locked(now) and cas != doc.lock_cas

    # -- reads ------------------------------------------------------------

    def get(self, node: int, vb: int, key: DocKey) -> Outcome:
        doc = self._live(node, vb, key, self.clock())
        if doc is None:
            return Status.KEY_ENOENT, None
        return Status.SUCCESS, doc

    def get_replica(self, node: int, vb: int, key: DocKey) -> Outcome:
        """Read this node's replica copy, without changing anything."""
        doc = self.vbucket(node, vb).live(key, self.clock())
        if doc is None:
            return Status.KEY_ENOENT, None
        return Status.SUCCESS, doc

    def get_meta(self, node: int, vb: int, key: DocKey) -> Outcome:
        """The document or its tombstone (``deleted`` tells which)."""
        doc = self._current(node, vb, key, self.clock())
        if doc is None:
            return Status.KEY_ENOENT, None
        return Status.SUCCESS, doc

    def peek(self, node: int, vb: int, key: DocKey) -> Optional[Document]:
        """What this node holds for the key (active or replica), for OBSERVE."""
        now = self.clock()
        if self.bucket.node_role(node, vb) == "active":
            return self._current(node, vb, key, now)
        doc = self.vbucket(node, vb).docs.get(key)
        if doc is not None and not doc.deleted and doc.is_expired(now):
            return None
        return doc

    # -- mutations --------------------------------------------------------

    def store(
        self,
        node: int,
        vb: int,
        key: DocKey,
        mode: str,
        value: bytes,
        flags: int,
        exptime: int,
        cas: int,
        datatype: int,
        preserve_ttl: bool = False,
    ) -> Outcome:
        """``mode`` is ``"set"``, ``"add"`` or ``"replace"``."""
        if len(value) > MAX_VALUE_SIZE:
            return Status.E2BIG, None
        now = self.clock()
        old = self._current(node, vb, key, now)
        live = old if old is not None and not old.deleted else None
        if mode == "add":
            if cas:
                return Status.EINVAL, None
            if live is not None:
                return Status.KEY_EEXISTS, None
        elif live is None:
            if mode == "replace" or cas:
                return Status.KEY_ENOENT, None
        else:
            if self._lock_blocks(live, cas, now):
                return Status.LOCKED, None
            if cas and cas != live.cas:
                return Status.KEY_EEXISTS, None
        if preserve_ttl and live is not None:
            expiry = live.expiry
        else:
            expiry = self._expiry_for(key, exptime, now)
        doc = Document(value, flags, expiry, datatype=datatype)
        return Status.SUCCESS, self._commit(node, vb, key, doc, old)

    def delete(self, node: int, vb: int, key: DocKey, cas: int) -> Outcome:
        now = self.clock()
        old = self._current(node, vb, key, now)
        if old is None or old.deleted:
            return Status.KEY_ENOENT, None
        if self._lock_blocks(old, cas, now):
            return Status.LOCKED, None
        if cas and cas != old.cas:
            return Status.KEY_EEXISTS, None
        return Status.SUCCESS, self._commit(node, vb, key, Document(deleted=True), old)

    def concat(
        self, node: int, vb: int, key: DocKey, value: bytes, cas: int, append: bool
    ) -> Outcome:
        now = self.clock()
        old = self._live(node, vb, key, now)
        if old is None:
            return Status.NOT_STORED, None
        if self._lock_blocks(old, cas, now):
            return Status.LOCKED, None
        if cas and cas != old.cas:
            return Status.KEY_EEXISTS, None
        joined = old.value + value if append else value + old.value
        if len(joined) > MAX_VALUE_SIZE:
            return Status.E2BIG, None
        # The result is no longer known to be JSON.
        datatype = old.datatype & ~Datatype.JSON
        doc = Document(joined, old.flags, old.expiry, datatype=datatype)
        return Status.SUCCESS, self._commit(node, vb, key, doc, old)

    def arithmetic(
        self,
        node: int,
        vb: int,
        key: DocKey,
        incr: bool,
        delta: int,
        initial: int,
        exptime: int,
        cas: int = 0,
        preserve_ttl: bool = False,
    ) -> tuple[Status, Optional[Document], int]:
        """INCR/DECR: ``(status, document, new value)``.

        A missing document is created with ``initial`` unless ``exptime`` is
        0xffffffff. INCR wraps at 2**64, DECR stops at 0.
        """
        now = self.clock()
        old = self._current(node, vb, key, now)
        live = old if old is not None and not old.deleted else None
        if live is None:
            if exptime == COUNTER_NO_INITIAL:
                return Status.KEY_ENOENT, None, 0
            if cas:
                return Status.KEY_ENOENT, None, 0
            number = initial
            doc = Document(
                str(number).encode(), 0, self._expiry_for(key, exptime, now),
                datatype=Datatype.JSON,
            )
            return Status.SUCCESS, self._commit(node, vb, key, doc, old), number
        if self._lock_blocks(live, cas, now):
            return Status.LOCKED, None, 0
        if cas and cas != live.cas:
            return Status.KEY_EEXISTS, None, 0
        current = parse_counter(live.value)
        if current is None:
            return Status.DELTA_BADVAL, None, 0
        number = (current + delta) % U64 if incr else max(0, current - delta)
        expiry = live.expiry
        if not preserve_ttl and exptime not in (0, COUNTER_NO_INITIAL):
            expiry = self._expiry_for(key, exptime, now)
        doc = Document(str(number).encode(), live.flags, expiry, datatype=Datatype.JSON)
        return Status.SUCCESS, self._commit(node, vb, key, doc, old), number

    def touch(self, node: int, vb: int, key: DocKey, exptime: int) -> Outcome:
        """Set a new expiry (TOUCH and GAT); a new CAS, the same value."""
        now = self.clock()
        old = self._live(node, vb, key, now)
        if old is None:
            return Status.KEY_ENOENT, None
        if old.is_locked(now):
            return Status.LOCKED, None
        doc = Document(
            old.value, old.flags, self._expiry_for(key, exptime, now), datatype=old.datatype
        )
        return Status.SUCCESS, self._commit(node, vb, key, doc, old)

    def get_locked(self, node: int, vb: int, key: DocKey, lock_time: int) -> Outcome:
        """Lock for ``lock_time`` seconds (0: 15, at most 30); the doc gets a new CAS."""
        now = self.clock()
        doc = self._live(node, vb, key, now)
        if doc is None:
            return Status.KEY_ENOENT, None
        if doc.is_locked(now):
            return Status.LOCKED, None
        if lock_time == 0 or lock_time > MAX_LOCK_TIME:
            lock_time = DEFAULT_LOCK_TIME if lock_time == 0 else MAX_LOCK_TIME
        doc.cas = self.cas.next()
        doc.lock_cas = doc.cas
        doc.lock_expiry = now + lock_time
        for replica in self.bucket.replica_nodes(vb) if self.bucket.is_couchbase else ():
            copy = self.vbucket(replica, vb).docs.get(key)
            if copy is not None:
                copy.cas = doc.cas
        return Status.SUCCESS, doc

    def unlock(self, node: int, vb: int, key: DocKey, cas: int) -> Outcome:
        now = self.clock()
        doc = self._live(node, vb, key, now)
        if doc is None:
            return Status.KEY_ENOENT, None
        if not doc.is_locked(now):
            return Status.NOT_LOCKED, None
        if cas != doc.lock_cas:
            return Status.LOCKED, None
        doc.lock_cas = 0
        doc.lock_expiry = 0.0
        return Status.SUCCESS, doc
