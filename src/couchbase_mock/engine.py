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
    MAX_VALUE_SIZE,
    RELATIVE_EXPIRY_LIMIT,
)
from couchbase._core.feature import Datatype
from couchbase._core.status import Status

from .bucket import Bucket
from .storage import CasSource, DocKey, Document, VBucket

U64 = 1 << 64

Outcome = tuple[Status, Optional[Document]]
Observer = Callable[[Bucket, DocKey, Document], None]
"""Told ``(bucket, (collection id, key), new document or tombstone)`` after a commit."""

# Read on every operation: module constants (an IntEnum member read through its
# class costs about as much as a function call).
_SUCCESS = Status.SUCCESS
_KEY_ENOENT = Status.KEY_ENOENT


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
        doc = self.bucket.stores[node].vbuckets[vb].docs.get(key)
        if doc is not None and doc.expiry and not doc.deleted and now >= doc.expiry:
            doc = self._commit(node, vb, key, doc.tombstone(), doc, now)
        return doc

    def _live(self, node: int, vb: int, key: DocKey, now: float) -> Optional[Document]:
        doc = self._current(node, vb, key, now)
        return None if doc is None or doc.deleted else doc

    def _commit(
        self, node: int, vb: int, key: DocKey, doc: Document, old: Optional[Document],
        now: float, finish: Optional[Callable[[Document], None]] = None,
    ) -> Document:
        """Store a new revision on the active node and copy it to the replicas
        (``now``: the clock's time, read at the start of the operation;
        ``finish``: told the revision once it has its CAS and seqno, before
        anything else sees it, for sub-document macros)."""
        bucket = self.bucket
        vbucket = bucket.stores[node].vbuckets[vb]
        doc.cas = self.cas.next(now)
        vbucket.seqno += 1
        doc.seqno = vbucket.seqno
        doc.revno = old.revno + 1 if old is not None else 1
        if finish is not None:
            finish(doc)
        # Re-insert, so the active vbucket's documents stay in seqno order: the
        # view indexes catch up by reading only its newest entries.
        docs = vbucket.docs
        docs.pop(key, None)
        docs[key] = doc
        if bucket.vbmap:  # a couchbase bucket: copy the revision to the vbucket's replicas
            stores = bucket.stores
            seqno = doc.seqno
            for replica in bucket.vbmap[vb][1:]:
                if replica >= 0:  # -1: a replica the map has no node for
                    rvb = stores[replica].vbuckets[vb]
                    rvb.docs[key] = doc.copy()
                    if seqno > rvb.seqno:
                        rvb.seqno = seqno
        # The hooks below cost one test each when nothing uses them.
        if bucket.disk_overrides:
            bucket.disk_overrides.pop((vb, key), None)
        if self.journal is not None:
            self.journal(bucket, vb, key, doc)
        if self.observers:
            for observer in self.observers:
                observer(bucket, key, doc)
        return doc

    def _expiry_for(self, key: DocKey, exptime: int, now: float) -> int:
        """The absolute expiry of a write: ``exptime``, else the collection's max TTL."""
        if exptime == 0:
            coll = self.bucket.manifest.collection_by_id(key[0])
            if coll is None or not coll.max_ttl:
                return 0
            exptime = coll.max_ttl
        return absolute_expiry(exptime, now)

    @staticmethod
    def _lock_blocks(doc: Document, cas: int, now: float) -> bool:
        """A locked document takes mutations only with the lock's CAS."""
        return doc.is_locked(now) and cas != doc.lock_cas

    # -- reads ------------------------------------------------------------

    def get(self, node: int, vb: int, key: DocKey) -> Outcome:
        # The most common command: the clock is read only for a document that expires.
        doc = self.bucket.stores[node].vbuckets[vb].docs.get(key)
        if doc is not None and doc.expiry:
            doc = self._current(node, vb, key, self.clock())
        if doc is None or doc.deleted:
            return _KEY_ENOENT, None
        return _SUCCESS, doc

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
            if live.lock_cas and self._lock_blocks(live, cas, now):
                return Status.LOCKED, None
            if cas and cas != live.cas:
                return Status.KEY_EEXISTS, None
        if preserve_ttl and live is not None:
            expiry = live.expiry
        else:
            expiry = self._expiry_for(key, exptime, now)
        doc = Document(value, flags, expiry, 0, datatype)
        if live is not None and live.xattrs:  # a body write keeps the XATTRs
            doc.xattrs = live.xattrs
        return _SUCCESS, self._commit(node, vb, key, doc, old, now)

    def delete(self, node: int, vb: int, key: DocKey, cas: int) -> Outcome:
        now = self.clock()
        old = self._current(node, vb, key, now)
        if old is None or old.deleted:
            return Status.KEY_ENOENT, None
        if self._lock_blocks(old, cas, now):
            return Status.LOCKED, None
        if cas and cas != old.cas:
            return Status.KEY_EEXISTS, None
        return Status.SUCCESS, self._commit(node, vb, key, old.tombstone(), old, now)

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
        doc = Document(joined, old.flags, old.expiry, datatype=datatype, xattrs=old.xattrs)
        return Status.SUCCESS, self._commit(node, vb, key, doc, old, now)

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
            return Status.SUCCESS, self._commit(node, vb, key, doc, old, now), number
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
        doc = Document(str(number).encode(), live.flags, expiry, datatype=Datatype.JSON,
                       xattrs=live.xattrs)
        return Status.SUCCESS, self._commit(node, vb, key, doc, old, now), number

    # -- sub-document -------------------------------------------------------

    def subdoc_read(self, node: int, vb: int, key: DocKey, access_deleted: bool) -> Outcome:
        """The document a sub-document lookup reads: the live one, or its
        tombstone when the request may access deleted documents."""
        doc = self._current(node, vb, key, self.clock())
        if doc is None or (doc.deleted and not access_deleted):
            return Status.KEY_ENOENT, None
        return Status.SUCCESS, doc

    def subdoc_mutate(
        self,
        node: int,
        vb: int,
        key: DocKey,
        cas: int,
        create: str,
        access_deleted: bool,
        exptime: int,
        preserve_ttl: bool,
        build: Callable[[Optional[Document]], int | Document],
        finish: Optional[Callable[[Document], None]] = None,
    ) -> tuple[int, Optional[Document]]:
        """Commit a sub-document mutation (the one entry point for all of them).

        ``create``: ``""`` (the document must exist), ``"upsert"`` (MKDOC) or
        ``"add"`` (ADD: it must not). ``build(old)`` makes the new revision (body,
        XATTRs, datatype, deleted) from the live document, its tombstone when
        ``access_deleted``, or ``None``, or answers a failure status; ``finish``
        is told the revision once it has its CAS and seqno (macro expansion).
        CAS, locks and expiry are checked and applied here as for a store.
        """
        now = self.clock()
        old = self._current(node, vb, key, now)
        seen = old if old is not None and (access_deleted or not old.deleted) else None
        if seen is None:
            if not create or cas:
                return Status.KEY_ENOENT, None
        elif not seen.deleted:
            if create == "add":
                return Status.KEY_EEXISTS, None
            if seen.lock_cas and self._lock_blocks(seen, cas, now):
                return Status.LOCKED, None
        if seen is not None and cas and cas != seen.cas:
            return Status.KEY_EEXISTS, None
        doc = build(seen)
        if isinstance(doc, int):
            return doc, None
        if doc.deleted:
            doc.expiry = 0
        elif preserve_ttl and seen is not None and not seen.deleted:
            doc.expiry = seen.expiry
        else:
            doc.expiry = self._expiry_for(key, exptime, now)
        return _SUCCESS, self._commit(node, vb, key, doc, old, now, finish)

    def touch(self, node: int, vb: int, key: DocKey, exptime: int) -> Outcome:
        """Set a new expiry (TOUCH and GAT); a new CAS, the same value."""
        now = self.clock()
        old = self._live(node, vb, key, now)
        if old is None:
            return Status.KEY_ENOENT, None
        if old.is_locked(now):
            return Status.LOCKED, None
        doc = Document(
            old.value, old.flags, self._expiry_for(key, exptime, now), datatype=old.datatype,
            xattrs=old.xattrs,
        )
        return Status.SUCCESS, self._commit(node, vb, key, doc, old, now)

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
        doc.cas = self.cas.next(now)
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
