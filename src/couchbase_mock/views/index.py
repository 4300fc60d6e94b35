"""The incremental index of one design document: its views' sorted rows.

An index keeps, per view, the rows its map function emitted, sorted by
``(collation key, document id)``, and per document the rows it emitted, so
that a changed document replaces only its own rows. It learns what changed
from the stores themselves: every vbucket numbers its mutations (``seqno``)
and keeps its documents in mutation order (see
:meth:`couchbase_mock.engine.Engine._commit`), so catching up reads, in each
active vbucket, only the documents newer than the last seqno the index saw.
Deletions are tombstones and so arrive the same way; documents that expire
without being touched are found through a heap of the expiry times of the
indexed documents.

A row is a tuple (see the ``R_*`` indexes): the collation key (a string),
the document id and a unique number, so rows compare in C without reaching
the rest; then the id, key and value as JSON text, and the key and value
themselves when they are scalars (:data:`LAZY` otherwise: they are decoded
when a reduce or ``group_level`` needs them). Rows hold no containers, so
the garbage collector soon stops scanning them: a large index costs it
nothing.
Updates build new row lists and swap them in, so a response being streamed
keeps reading the list it started with.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import heapq
import itertools
import json
from bisect import bisect_left
from typing import Any, Callable, Iterator, Optional

from ..bucket import Bucket
from ..storage import Document
from .collation import sort_key
from .ddocs import DesignDoc
from .jsengine import JSError, MapRunner

R_CK, R_ID, R_SEQ, R_VB, R_IDJ, R_KEYJ, R_VALJ, R_KEY, R_VAL = range(9)
Row = tuple[Any, ...]
LAZY: Any = object()
"""In a row: this key or value is a container; decode it from its JSON."""
_SCALARS = (str, int, float, bool, type(None))


def _scalar(value: Any) -> Any:
    return value if isinstance(value, _SCALARS) else LAZY


def row_key(row: Row) -> Any:
    key = row[R_KEY]
    return json.loads(row[R_KEYJ]) if key is LAZY else key


def row_value(row: Row) -> Any:
    value = row[R_VAL]
    return json.loads(row[R_VALJ]) if value is LAZY else value

BATCH = 2000
"""Documents sent to the JavaScript engine per call (the loop runs between)."""
BATCH_BYTES = 16 * 2**20
"""At most this much document text per call too (large documents: smaller batches)."""
SMALL_CHANGE = 256
"""Up to this many row changes a view is patched by bisection, else rebuilt by merging."""

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_quote = json.encoder.encode_basestring_ascii


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building rows: the decoded
    batch holds many containers for a moment, and the collections they would
    trigger scan every document of the bucket again and again (half the
    time of a large build). Nothing here makes cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def doc_text(value: bytes) -> tuple[str, str]:
    """``(JSON string literal, type)`` of a document for the map functions:
    its text, which the engine parses (``"json"``; if it is not JSON the
    engine sends it in base64), or base64 of a value that is not UTF-8."""
    try:
        return _quote(value.decode("utf-8")), "json"
    except UnicodeDecodeError:
        return '"' + base64.b64encode(value).decode() + '"', "base64"


def meta_rev(doc: Document) -> str:
    """``<revno>-<cas><expiration><flags>`` in hex, as the server writes ``rev``."""
    return f"{doc.revno}-{doc.cas:016x}{doc.expiry & 0xFFFFFFFF:08x}{doc.flags & 0xFFFFFFFF:08x}"


def _batches(changes: list[Any]) -> Iterator[list[Any]]:
    """The changes in batches of at most :data:`BATCH` documents and about
    :data:`BATCH_BYTES` of their text."""
    batch: list[Any] = []
    size = 0
    for change in changes:
        doc = change[2]
        length = len(doc.value) if doc is not None else 0
        if batch and (len(batch) == BATCH or size + length > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(change)
        size += length
    if batch:
        yield batch


class DdocIndex:
    """The rows of every view of one design document over one bucket."""

    def __init__(self, bucket: Bucket, ddoc: DesignDoc, clock: Callable[[], float]) -> None:
        self.bucket = bucket
        self.clock = clock
        self.signature = ddoc.signature()
        self.view_names = list(ddoc.views)
        self.positions = {name: i for i, name in enumerate(self.view_names)}
        reduces = {v.name: v.reduce for v in ddoc.views.values() if v.custom_reduce}
        self.runner = MapRunner([v.map for v in ddoc.views.values()], reduces)  # type: ignore
        self.rows: list[list[Row]] = [[] for _ in self.view_names]
        # docid -> (vbucket, seqno indexed, rows emitted per view)
        self.by_doc: dict[bytes, tuple[int, int, tuple[tuple[Row, ...], ...]]] = {}
        self.seqnos = [0] * max(1, bucket.num_vbuckets)
        self.expiries: list[tuple[int, bytes, int]] = []
        self.lock: Optional[asyncio.Lock] = None
        self._seq = itertools.count()
        # Counters, for tests and debug=true.
        self.mapped = 0
        self.map_errors = 0
        self.updates = 0
        self.last_error: Optional[str] = None

    def close(self) -> None:
        self.runner.close()

    def _reset(self) -> None:
        """Forget every row: the next update maps every document again."""
        self.rows = [[] for _ in self.view_names]
        self.by_doc = {}
        self.seqnos = [0] * len(self.seqnos)
        self.expiries = []

    # -- what changed ----------------------------------------------------------

    def _active_vbuckets(self) -> list[Any]:
        b = self.bucket
        return [b.stores[b.active_node(vb)].vbuckets[vb] for vb in range(b.num_vbuckets)]

    def pending(self) -> bool:
        """Whether documents changed (or expired) since the last update."""
        seqnos = self.seqnos
        for vbucket in self._active_vbuckets():
            if vbucket.seqno != seqnos[vbucket.id]:
                return True
        return bool(self.expiries) and self.expiries[0][0] <= self.clock()

    def _changes(self) -> tuple[list[tuple[bytes, int, Optional[Document]]], list[int]]:
        """The documents changed since the last update (``None``: gone) and the
        seqnos to record once they are indexed."""
        changes: list[tuple[bytes, int, Optional[Document]]] = []
        seqnos = list(self.seqnos)
        for vbucket in self._active_vbuckets():
            last = seqnos[vbucket.id]
            if vbucket.seqno == last:
                continue
            if vbucket.seqno < last:  # a vbucket that started again: read it all
                last = 0
                for docid, (vb, _seqno, _rows) in self.by_doc.items():
                    if vb == vbucket.id:
                        changes.append((docid, vb, None))
            for (cid, key), doc in reversed(vbucket.docs.items()):
                if doc.seqno <= last:
                    break
                if cid == 0:  # views index the default collection
                    changes.append((key, vbucket.id, doc))
            seqnos[vbucket.id] = vbucket.seqno
        now = self.clock()
        seen = {c[0] for c in changes}
        while self.expiries and self.expiries[0][0] <= now:
            _expiry, docid, seqno = heapq.heappop(self.expiries)
            entry = self.by_doc.get(docid)
            if entry is not None and entry[1] == seqno and docid not in seen:
                changes.append((docid, entry[0], None))
                seen.add(docid)
        return changes, seqnos

    # -- updating --------------------------------------------------------------

    async def update(self) -> int:
        """Bring the index up to date; returns how many documents were mapped."""
        if self.lock is None:
            self.lock = asyncio.Lock()
        async with self.lock:
            if not self.pending():
                return 0
            changes, seqnos = self._changes()
            removed: list[list[Row]] = [[] for _ in self.view_names]
            added: list[list[Row]] = [[] for _ in self.view_names]
            mapped = 0
            try:
                for batch in _batches(changes):
                    mapped += await self._map_batch(batch, removed, added)
            except JSError as exc:
                # A batch failed as a whole (a limit, the engine's death): this
                # update fails, and the next one starts from nothing.
                self.last_error = str(exc)
                self._reset()
                raise
            with _gc_paused():
                self._apply(removed, added)
            self.seqnos = seqnos
            self.updates += 1
            return mapped

    async def _map_batch(
        self,
        batch: list[tuple[bytes, int, Optional[Document]]],
        removed: list[list[Row]],
        added: list[list[Row]],
    ) -> int:
        now = self.clock()
        items: list[str] = []
        targets: list[tuple[bytes, int, Document]] = []
        for docid, vb, doc in batch:
            old = self.by_doc.pop(docid, None)
            if old is not None:
                for view_rows, gone in zip(removed, old[2]):
                    view_rows.extend(gone)
            if doc is None or doc.deleted or doc.is_expired(now):
                continue
            body, kind = doc_text(doc.value)
            meta = (
                f'{{"id":{_quote(docid.decode("utf-8", "replace"))},"rev":"{meta_rev(doc)}",'
                f'"seq":{doc.seqno},"vb":{vb},"expiration":{doc.expiry},"flags":{doc.flags},'
                f'"type":"{kind}"}}'
            )
            items.append(f"[{body},{meta}]")
            targets.append((docid, vb, doc))
        if not targets:
            return 0
        text = await self.runner.map_batch("[" + ",".join(items) + "]")
        with _gc_paused():
            results = json.loads(text)
        with _gc_paused():
            self._add_rows(targets, results, added)
        self.mapped += len(targets)
        return len(targets)

    def _add_rows(self, targets: list[tuple[bytes, int, Document]], results: list[Any],
                  added: list[list[Row]]) -> None:
        seq = self._seq
        for (docid, vb, doc), per_view in zip(targets, results):
            id_json = _quote(docid.decode("utf-8", "replace"))
            emitted: list[tuple[Row, ...]] = []
            for v, pairs in enumerate(per_view):
                if isinstance(pairs, str):
                    self.map_errors += 1
                    self.last_error = pairs
                    emitted.append(())
                    continue
                view_rows = tuple([
                    (sort_key(k), docid, next(seq), vb, id_json, kj, vj, _scalar(k), _scalar(val))
                    for k, val, kj, vj in pairs
                ])
                added[v].extend(view_rows)
                emitted.append(view_rows)
            self.by_doc[docid] = (vb, doc.seqno, tuple(emitted))
            if doc.expiry:
                heapq.heappush(self.expiries, (doc.expiry, docid, doc.seqno))

    def _apply(self, removed: list[list[Row]], added: list[list[Row]]) -> None:
        for v, (gone, new) in enumerate(zip(removed, added)):
            if not gone and not new:
                continue
            rows = self.rows[v]
            if len(gone) + len(new) <= SMALL_CHANGE:
                out = rows[:]
                for row in gone:
                    i = bisect_left(out, row)
                    if i < len(out) and out[i][R_SEQ] == row[R_SEQ]:
                        del out[i]
                for row in new:
                    out.insert(bisect_left(out, row), row)
            else:
                if gone:
                    doomed = {row[R_SEQ] for row in gone}
                    out = [row for row in rows if row[R_SEQ] not in doomed]
                else:
                    out = rows[:]
                new.sort()
                if out:
                    out.extend(new)
                    out.sort()  # two sorted runs: a linear merge
                else:
                    out = new
            self.rows[v] = out

    # -- reading -----------------------------------------------------------------

    def view_rows(self, name: str) -> list[Row]:
        return self.rows[self.positions[name]]

    def stats(self) -> dict[str, Any]:
        return {
            "indexed_docs": len(self.by_doc),
            "mapped_docs": self.mapped,
            "map_errors": self.map_errors,
            "updates": self.updates,
            "rows": {name: len(self.rows[i]) for i, name in enumerate(self.view_names)},
        }
