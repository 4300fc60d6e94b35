"""The inverted index of one search index definition over one bucket.

Per field: postings (term -> document -> locations), the number of terms of
each document (for length normalisation), and the numbers and dates of each
document (for ranges, facets and sorts). Per document: what it added, so a
changed or deleted document takes out exactly its own entries, and the
stored fields that ``fields`` returns. Fields whose mapping says
``include_in_all`` are indexed a second time under ``_all``, the field a
query without a field searches.

Catching up follows the views' pattern (:mod:`couchbase_mock.views.index`):
every vbucket numbers its mutations and keeps its documents in mutation
order, so :meth:`SearchIndex.collect` reads, in each active vbucket, only
the documents newer than the last seqno the index saw (deletions are
tombstones and arrive the same way). :meth:`collect` runs on the event loop
(it reads the stores); :meth:`apply` analyses and indexes, and may run on a
worker thread while nothing else touches the index (see
:mod:`couchbase_mock.search.service`). Documents that expire untouched are
left out of results by their recorded expiry time.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from typing import Any, Callable, Optional

from ..bucket import Bucket
from .analysis import analyze
from .mapping import ALL_FIELD, IndexDef, Value

Loc = tuple[int, int, int, tuple[int, ...], str]
"""Position, byte start, byte end, array positions, and the document field (which
for ``_all`` is where the term really is: locations and highlights report it)."""
Change = tuple[str, int, int, int, Optional[bytes]]  # id, vbucket, seqno, expiry, value


class FieldIndex:
    """One field's postings, term counts and numeric values."""

    __slots__ = ("postings", "lengths", "numbers", "dates", "_terms")

    def __init__(self) -> None:
        self.postings: dict[str, dict[str, list[Loc]]] = {}
        self.lengths: dict[str, int] = {}
        self.numbers: dict[str, list[float]] = {}
        self.dates: dict[str, list[float]] = {}
        self._terms: Optional[list[str]] = None

    def terms(self) -> list[str]:
        """Every term of the field, sorted (kept until a term is added or goes)."""
        if self._terms is None:
            self._terms = sorted(self.postings)
        return self._terms

    def terms_from(self, prefix: str) -> list[str]:
        terms = self.terms()
        out = []
        for i in range(bisect_left(terms, prefix), len(terms)):
            if not terms[i].startswith(prefix):
                break
            out.append(terms[i])
        return out


class DocEntry:
    """What one document put in the index."""

    __slots__ = ("vb", "seqno", "expiry", "terms", "numbers", "dates", "stored")

    def __init__(self, vb: int, seqno: int, expiry: int) -> None:
        self.vb = vb
        self.seqno = seqno
        self.expiry = expiry
        self.terms: dict[str, dict[str, list[Loc]]] = {}
        self.numbers: dict[str, list[float]] = {}
        self.dates: dict[str, list[float]] = {}
        self.stored: dict[str, list[Any]] = {}


class SearchIndex:
    """The index of one definition over its source bucket."""

    def __init__(self, definition: IndexDef, bucket: Bucket) -> None:
        self.definition = definition
        self.mapping = definition.mapping
        self.bucket = bucket
        self.fields: dict[str, FieldIndex] = {}
        self.docs: dict[str, DocEntry] = {}
        self.seqnos = [0] * max(1, bucket.num_vbuckets)
        self.lock: Any = None  # an asyncio.Lock, made on the loop (see the service)
        self.updates = 0
        self.last_applied = 0  # changes the last update read (tests check it is incremental)

    # -- catching up (on the loop) ----------------------------------------------------
    def _active_vbuckets(self) -> list[Any]:
        b = self.bucket
        return [b.stores[b.active_node(vb)].vbuckets[vb] for vb in range(b.num_vbuckets)]

    def collect(self) -> tuple[list[Change], list[int]]:
        """The documents changed since the last update (value ``None``: gone)
        and the seqnos to record once they are applied."""
        changes: list[Change] = []
        seqnos = list(self.seqnos)
        for vbucket in self._active_vbuckets():
            last = seqnos[vbucket.id]
            if vbucket.seqno == last:
                continue
            if vbucket.seqno < last:  # a vbucket that started again: read it all
                last = 0
                changes += [(docid, e.vb, 0, 0, None) for docid, e in self.docs.items()
                            if e.vb == vbucket.id]
            for (cid, key), doc in reversed(vbucket.docs.items()):
                if doc.seqno <= last:
                    break
                if cid != 0:  # indexes read the default collection
                    continue
                docid = key.decode("utf-8", "replace")
                value = None if doc.deleted else bytes(doc.value)
                changes.append((docid, vbucket.id, doc.seqno, doc.expiry, value))
            seqnos[vbucket.id] = vbucket.seqno
        return changes, seqnos

    # -- indexing (on a worker, the index locked) ----------------------------------------
    def apply(self, changes: list[Change], seqnos: list[int],
              check: Callable[[], None] = lambda: None) -> int:
        """Index ``changes`` (from :meth:`collect`); returns how many documents
        were (re)indexed. ``check`` is called now and then (it may raise to stop)."""
        indexed = 0
        for n, (docid, vb, seqno, expiry, value) in enumerate(changes):
            if n % 256 == 255:
                check()
            self._remove(docid)
            if value is None:
                continue
            try:
                body = json.loads(value)
            except ValueError:
                continue  # not JSON: nothing to index
            values = self.mapping.values(docid, body)
            if values is None:
                continue
            self._add(docid, DocEntry(vb, seqno, expiry), values)
            indexed += 1
        self.seqnos = seqnos
        self.updates += 1
        self.last_applied = len(changes)
        return indexed

    def _field(self, name: str) -> FieldIndex:
        field = self.fields.get(name)
        if field is None:
            field = self.fields[name] = FieldIndex()
        return field

    def _add(self, docid: str, entry: DocEntry, values: list[Value]) -> None:
        for v in values:
            if v.store:
                entry.stored.setdefault(v.field, []).append(v.original)
            names = (v.field, ALL_FIELD) if v.in_all else (v.field,)
            if v.kind == "text":
                tokens = analyze(v.analyzer, v.value)
                for name in names:
                    terms = entry.terms.setdefault(name, {})
                    for tok in tokens:
                        terms.setdefault(tok.term, []).append(
                            (tok.pos, tok.start, tok.end, v.array_positions, v.field))
                    field = self._field(name)
                    field.lengths[docid] = field.lengths.get(docid, 0) + len(tokens)
            elif v.kind == "boolean":
                term = "T" if v.value else "F"
                for name in names:
                    entry.terms.setdefault(name, {}).setdefault(term, []).append(
                        (1, 0, 0, v.array_positions, v.field))
            elif v.kind in ("number", "datetime"):
                target = entry.numbers if v.kind == "number" else entry.dates
                for name in names:
                    target.setdefault(name, []).append(v.value)
        for name, terms in entry.terms.items():
            field = self._field(name)
            for term, locs in terms.items():
                posting = field.postings.get(term)
                if posting is None:
                    posting = field.postings[term] = {}
                    field._terms = None
                posting[docid] = locs
        for name, numbers in entry.numbers.items():
            self._field(name).numbers[docid] = numbers
        for name, dates in entry.dates.items():
            self._field(name).dates[docid] = dates
        self.docs[docid] = entry

    def _remove(self, docid: str) -> None:
        entry = self.docs.pop(docid, None)
        if entry is None:
            return
        for name, terms in entry.terms.items():
            field = self.fields[name]
            field.lengths.pop(docid, None)
            for term in terms:
                posting = field.postings.get(term)
                if posting is not None:
                    posting.pop(docid, None)
                    if not posting:
                        del field.postings[term]
                        field._terms = None
        for name in entry.numbers:
            self.fields[name].numbers.pop(docid, None)
        for name in entry.dates:
            self.fields[name].dates.pop(docid, None)

    # -- reading -------------------------------------------------------------------------
    def live(self, docid: str, now: float) -> bool:
        """Whether a document is indexed and not expired."""
        entry = self.docs.get(docid)
        return entry is not None and not (entry.expiry and entry.expiry <= now)

    def doc_count(self) -> int:
        return len(self.docs)

    def vbucket_state(self) -> dict[str, int]:
        """``{"vb/uuid": seqno}`` of what is indexed (``at_plus`` vectors compare to it)."""
        out = {}
        for vbucket in self._active_vbuckets():
            out[f"{vbucket.id}/{vbucket.uuid}"] = self.seqnos[vbucket.id]
        return out
