"""The flusher: writes what the key-value engine committed in memory to disk.

As in Couchbase, a write is acknowledged from memory. The engine hands every
commit to :meth:`Flusher.note` (an append to a deque: cheap, and safe between
threads without a lock); the flusher thread takes everything queued, writes
it in one transaction, syncs it (:class:`couchbase_mock.disk.DiskStore`), and
only then raises each vbucket's persisted sequence number. OBSERVE and
OBSERVE_SEQNO read those numbers, so ``persist_to`` is satisfied only by data
that would survive a crash. Under load the batches grow by themselves: while
one is synced, the next queues.

Cluster metadata changes (buckets, scopes, collections) go through the same
queue as documents, so the disk sees them in the order the cluster made them.
Each metadata snapshot is numbered: :meth:`Flusher.meta_mark` before a request
and :meth:`Flusher.barrier` after it let the request's answer wait until what it
changed is synced (see :func:`couchbase_mock.persistence.meta_durable`), from
any thread, without the flusher ever needing the event loop.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Optional

from .disk import DiskStore, DocRow, encode_xattrs, to_signed

if TYPE_CHECKING:  # pragma: no cover
    from .bucket import Bucket
    from .storage import DocKey, Document

_BATCH_LIMIT = 20_000
"""Entries per transaction at most, so one sync never waits on a huge batch."""


class Flusher:
    """A thread that persists queued commits to a :class:`DiskStore`."""

    def __init__(self, store: DiskStore) -> None:
        self.store = store
        self._queue: deque[tuple[Any, ...]] = deque()
        self._wake = threading.Event()
        self._stopping = False
        self.failure: Optional[BaseException] = None
        self._meta_lock = threading.Lock()
        self._meta_noted = 0  # metadata snapshots queued so far, numbered from 1
        self.meta_written = 0
        """The number of the last metadata snapshot synced (flusher thread)."""
        # Written and read by the flusher thread; read by stats.
        self.batches = 0
        self.written = 0
        self._thread = threading.Thread(target=self._run, name="couchbase-mock-flusher",
                                        daemon=True)
        self._thread.start()

    # -- the engine's side ----------------------------------------------------

    def note(self, bucket: Bucket, vb: int, key: DocKey, doc: Document) -> None:
        """Queue a committed document (or tombstone) for the disk."""
        self._queue.append((bucket, vb, key, doc))
        self._wake.set()

    def note_meta(self, meta: dict[str, Any]) -> None:
        """Queue a new metadata snapshot (see :func:`couchbase_mock.persistence.snapshot`)."""
        with self._meta_lock:  # numbers in queue order
            self._meta_noted += 1
            self._queue.append((None, 0, self._meta_noted, meta))
        self._wake.set()

    def meta_mark(self) -> int:
        """The number of metadata snapshots queued so far (compare with
        :meth:`meta_pending` later)."""
        return self._meta_noted

    def meta_pending(self, mark: int) -> bool:
        """Whether a snapshot queued after ``mark`` is not synced yet."""
        return self._meta_noted > mark and self.meta_written < self._meta_noted

    def barrier(self) -> concurrent.futures.Future[None]:
        """A future done once everything queued before this call is synced (or
        the disk failed: see :attr:`failure`). Safe to wait on from any thread
        but the flusher's; on an event loop, through ``asyncio.wrap_future``."""
        done: concurrent.futures.Future[None] = concurrent.futures.Future()

        def release() -> None:
            if not done.done():
                done.set_result(None)

        self._queue.append((None, 1, None, release))
        self._wake.set()
        if self.failure is not None or not self._thread.is_alive():
            release()  # nothing will sync it any more
        return done

    def sync(self, timeout: Optional[float] = None) -> bool:
        """Wait until everything queued before this call is on disk (``False``
        if ``timeout`` passed first, or the disk failed)."""
        try:
            self.barrier().result(timeout)
        except concurrent.futures.TimeoutError:
            return False
        return self.failure is None

    @property
    def todo(self) -> int:
        """Entries waiting for the disk (``ep_flusher_todo``)."""
        return len(self._queue)

    def close(self) -> None:
        """Write everything queued, then stop the thread and close the store."""
        self._stopping = True
        self._wake.set()
        self._thread.join()
        self.store.close()

    # -- the flusher thread ---------------------------------------------------

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            try:
                while self._queue:
                    self._flush_batch()
            except BaseException as exc:  # the disk failed: stop persisting, say why
                self.failure = exc
                self._release_waiters()
                return
            if self._stopping and not self._queue:
                return

    def _release_waiters(self) -> None:
        while self._queue:
            bucket, vb, _key, item = self._queue.popleft()
            if bucket is None and vb:
                item()

    def _flush_batch(self) -> None:
        queue = self._queue
        batch = [queue.popleft() for _ in range(min(len(queue), _BATCH_LIMIT))]
        store = self.store
        latest: dict[tuple[str, int, bytes], tuple[Bucket, int, Document]] = {}
        high: dict[tuple[int, int], tuple[Bucket, int, int]] = {}
        waiters: list[Callable[[], None]] = []
        meta_seq = 0
        store.begin()
        for bucket, vb, key, doc in batch:
            if bucket is None:
                if vb:  # a barrier() marker: told once this batch is committed
                    waiters.append(doc)
                    continue
                meta_seq = key
                # metadata: write the documents before it first
                self._write_docs(latest)
                latest.clear()
                store.put_meta(doc)
                continue
            latest[(bucket.name, key[0], key[1])] = (bucket, vb, doc)
            mark = (id(bucket), vb)
            seen = high.get(mark)
            if seen is None or doc.seqno > seen[2]:
                high[mark] = (bucket, vb, doc.seqno)
        self._write_docs(latest)
        store.put_vbuckets(
            (bucket.name, vb, bucket.stores[0].vbuckets[vb].uuid, seqno)
            for bucket, vb, seqno in high.values()
        )
        store.commit()
        # Durable now: OBSERVE may say so.
        for bucket, vb, seqno in high.values():
            persisted = bucket.persisted
            if persisted is not None and seqno > persisted[vb]:
                persisted[vb] = seqno
        if meta_seq:
            self.meta_written = meta_seq
        self.batches += 1
        self.written += len(batch) - len(waiters)
        for waiter in waiters:
            waiter()

    def _write_docs(self, latest: dict[tuple[str, int, bytes], tuple[Bucket, int, Document]]
                    ) -> None:
        rows: list[DocRow] = []
        gone: list[tuple[str, int, bytes]] = []
        for (name, cid, key), (_bucket, vb, doc) in latest.items():
            if doc.deleted and not doc.xattrs:
                gone.append((name, cid, key))
            else:  # (a tombstone with system XATTRs is kept)
                rows.append((name, cid, key, vb, doc.value, doc.flags, doc.expiry,
                             to_signed(doc.cas), doc.datatype, doc.seqno, doc.revno,
                             encode_xattrs(doc.xattrs), int(doc.deleted)))
        if gone:
            self.store.delete_docs(gone)
        if rows:
            self.store.put_docs(rows)
