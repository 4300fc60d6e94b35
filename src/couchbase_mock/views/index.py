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

A row is a tuple (see the ``R_*`` indexes); the first three members are
unique together, so rows compare without ever reaching the decoded values.
Updates build new row lists and swap them in, so a response being streamed
keeps reading the list it started with.
"""

from __future__ import annotations

import asyncio
import base64
import heapq
import itertools
import json
from bisect import bisect_left
from typing import Any, Callable, Optional

from ..bucket import Bucket
from ..storage import Document
from .collation import sort_key
from .ddocs import DesignDoc
from .jsengine import JSError, MapRunner

R_CK, R_ID, R_SEQ, R_VB, R_IDJ, R_KEYJ, R_VALJ, R_KEY, R_VAL = range(9)
Row = tuple[Any, ...]

BATCH = 2000
"""Documents sent to the JavaScript engine per call (the loop runs between)."""
SMALL_CHANGE = 256
"""Up to this many row changes a view is patched by bisection, else rebuilt by merging."""

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def doc_json(value: bytes) -> Optional[str]:
    """The document as JSON text if it is JSON (what the map function gets as
    ``doc``), else ``None`` (it gets the value in base64)."""
    try:
        text = value.decode("utf-8")
        json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError):
        return None
    return text


def meta_rev(doc: Document) -> str:
    """``<revno>-<cas><expiration><flags>`` in hex, as the server writes ``rev``."""
    return f"{doc.revno}-{doc.cas:016x}{doc.expiry & 0xFFFFFFFF:08x}{doc.flags & 0xFFFFFFFF:08x}"


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
        self.by_doc: dict[bytes, tuple[int, int, list[list[Row]]]] = {}
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
            for start in range(0, len(changes), BATCH):
                mapped += await self._map_batch(changes[start:start + BATCH], removed, added)
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
            body = doc_json(doc.value)
            kind = "json"
            if body is None:
                body = '"' + base64.b64encode(doc.value).decode() + '"'
                kind = "base64"
            meta = (
                '{"id":%s,"rev":"%s","seq":%d,"vb":%d,"expiration":%d,"flags":%d,"type":"%s"}'
                % (_dumps(docid.decode("utf-8", "replace")), meta_rev(doc), doc.seqno, vb,
                   doc.expiry, doc.flags, kind)
            )
            items.append(f"[{body},{meta}]")
            targets.append((docid, vb, doc))
        if not targets:
            return 0
        try:
            results = await self.runner.map_batch("[" + ",".join(items) + "]")
        except JSError as exc:  # a timeout or a broken engine: skip the batch
            self.last_error = str(exc)
            self.map_errors += len(targets)
            results = [[str(exc)] * len(self.view_names) for _ in targets]
        seq = self._seq
        for (docid, vb, doc), per_view in zip(targets, results):
            id_json = _dumps(docid.decode("utf-8", "replace"))
            emitted: list[list[Row]] = []
            for v, pairs in enumerate(per_view):
                if isinstance(pairs, str):
                    self.map_errors += 1
                    self.last_error = pairs
                    emitted.append([])
                    continue
                view_rows = [
                    (sort_key(k), docid, next(seq), vb, id_json, _dumps(k), _dumps(val), k, val)
                    for k, val in pairs
                ]
                added[v].extend(view_rows)
                emitted.append(view_rows)
            self.by_doc[docid] = (vb, doc.seqno, emitted)
            if doc.expiry:
                heapq.heappush(self.expiries, (doc.expiry, docid, doc.seqno))
        self.mapped += len(targets)
        return len(targets)

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
                out.extend(new)
                out.sort()  # two sorted runs: a linear merge
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
