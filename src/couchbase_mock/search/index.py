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

Memory layout: an index holds a few entries per (term, document) pair, so
those entries are kept in objects the cyclic garbage collector does not
traverse (strings, ints, floats, ``bytes``, and dictionaries holding only
those): the locations of a term in a document are packed into one
``bytes`` (:func:`pack`, read back by :meth:`SearchIndex.unpack`), a
document's terms per field are a tuple of strings, its numbers a tuple of
floats. Millions of small lists and tuples made every full collection walk
them (measured with ``scripts/search-stall.py``: passes of 0.8 s while a
20,000-document index was built and 2.6 s during a big query, each one
stopping every thread, the event loop's included) and cost 26 KB per
document; see :data:`ENTRY_BYTES` for the size the index now accounts.
"""

from __future__ import annotations

import json
import sys
from array import array
from bisect import bisect_left
from typing import Any, Callable, NamedTuple, Optional

from ..bucket import Bucket
from .analysis import analyze
from .mapping import ALL_FIELD, IndexDef, Value

Loc = tuple[int, int, int, tuple[int, ...], str]
"""Position, byte start, byte end, array positions, and the document field (which
for ``_all`` is where the term really is: locations and highlights report it)."""
Change = tuple[str, int, int, int, Optional[bytes]]  # id, vbucket, seqno, expiry, value

_UINT = "I" if array("I").itemsize == 4 else "L"
ENTRY_BYTES = 120
"""What one (term, document) pair costs besides its packed locations: its
slot in the posting dictionary, the ``bytes`` object, the term in the
document's tuple (used to account an index's size against its limit)."""


class IndexFull(Exception):
    """Indexing more would take the index over its size limit."""


def pack(locs: list[tuple[int, int, int, tuple[int, ...], int]]) -> bytes:
    """Locations as unsigned 32-bit ints: their number, then ``pos, start, end,
    source, len(ap), *ap`` each (``source`` numbers the document field, see
    :meth:`SearchIndex.source_id`)."""
    flat = array(_UINT, (len(locs),))
    for pos, start, end, ap, source in locs:
        flat.extend((pos, start, end, source, len(ap)))
        flat.extend(ap)
    return flat.tobytes()


def count(packed: bytes) -> int:
    """How many locations :func:`pack` packed."""
    return array(_UINT, packed[:_WIDTH])[0]


_WIDTH = array(_UINT).itemsize
Found = tuple[str, bytes]
"""A term and its packed locations in one document (a hit's locations are
kept packed until the hit is shown)."""


class FieldIndex:
    """One field's postings (term -> document -> packed locations), term
    counts and numeric values."""

    __slots__ = ("postings", "lengths", "numbers", "dates", "points", "_terms")

    def __init__(self) -> None:
        self.postings: dict[str, dict[str, bytes]] = {}
        self.lengths: dict[str, int] = {}
        self.numbers: dict[str, tuple[float, ...]] = {}
        self.dates: dict[str, tuple[float, ...]] = {}
        self.points: dict[str, tuple[float, ...]] = {}  # lon, lat, lon, lat...
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


class DocEntry(NamedTuple):
    """What one document put in the index: its terms per field, numbers,
    dates, stored values, and the bytes it accounts for: the one object per
    document the collector keeps tracking (its dictionaries hold only
    untracked values; CPython stops tracking those after a full collection)."""

    vb: int
    seqno: int
    expiry: int
    terms: dict[str, tuple[str, ...]]
    numbers: dict[str, tuple[float, ...]]
    dates: dict[str, tuple[float, ...]]
    stored: dict[str, tuple[Any, ...]]
    size: int
    points: dict[str, tuple[float, ...]]  # geopoint fields: lon, lat, lon, lat...


class SearchIndex:
    """The index of one definition over its source bucket."""

    def __init__(self, definition: IndexDef, bucket: Bucket,
                 max_bytes: Optional[int] = None) -> None:
        self.definition = definition
        self.mapping = definition.mapping
        self.bucket = bucket
        self.max_bytes = max_bytes
        """The size (:attr:`size`) past which :meth:`apply` stops (``None``: no limit)."""
        self.size = 0
        """Bytes accounted for the documents indexed (an estimate, see :data:`ENTRY_BYTES`)."""
        self.full = False
        """Whether indexing stopped at :attr:`max_bytes` (the index is then incomplete)."""
        self.fields: dict[str, FieldIndex] = {}
        self.docs: dict[str, DocEntry] = {}
        self.sources: list[str] = []
        self._source_ids: dict[str, int] = {}
        self.seqnos = [0] * max(1, bucket.num_vbuckets)
        self.lock: Any = None  # an asyncio.Lock, made on the loop (see the service)
        self.updates = 0
        self.last_applied = 0  # changes the last update read (tests check it is incremental)

    # -- catching up (on the loop) ----------------------------------------------------
    def _active_vbuckets(self) -> list[Any]:
        b = self.bucket
        return [b.stores[b.active_node(vb)].vbuckets[vb] for vb in range(b.num_vbuckets)]

    def _collection_ids(self) -> set[int]:
        """The collections read: the default one, or every collection of the scope of a
        scope-level index (a document id is its key: keys of one scope's collections
        share one id space here)."""
        scope_name = self.definition.scope
        if scope_name is None:
            return {0}
        scope = self.bucket.manifest.scopes.get(scope_name)
        return {c.uid for c in scope.collections.values()} if scope is not None else set()

    def collect(self) -> tuple[list[Change], list[int]]:
        """The documents changed since the last update (value ``None``: gone)
        and the seqnos to record once they are applied."""
        changes: list[Change] = []
        seqnos = list(self.seqnos)
        cids = self._collection_ids()
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
                if cid not in cids:  # not a collection this index reads
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
        were (re)indexed. ``check`` is called now and then (it may raise to stop).

        Past :attr:`max_bytes` no more documents are added (deletions still
        apply) and :attr:`full` is set; the seqnos are then not recorded, so
        the next update reads the same changes again (and completes once
        deletions have made room)."""
        indexed = 0
        self.full = False
        for n, (docid, vb, seqno, expiry, value) in enumerate(changes):
            if n % 64 == 63:
                check()
            self._remove(docid)
            if value is None or self.full:
                continue
            try:
                body = json.loads(value)
                values = self.mapping.values(docid, body)
            except (ValueError, RecursionError):
                continue  # not JSON, or nested deeper than can be walked: nothing to index
            if values is None:
                continue
            try:
                self._add(docid, vb, seqno, expiry, values)
            except IndexFull:
                self.full = True
                continue
            indexed += 1
        if not self.full:
            self.seqnos = seqnos
        self.updates += 1
        self.last_applied = len(changes)
        return indexed

    def _field(self, name: str) -> FieldIndex:
        field = self.fields.get(name)
        if field is None:
            field = self.fields[name] = FieldIndex()
        return field

    def source_id(self, field: str) -> int:
        """The number :func:`pack` records for a document field."""
        found = self._source_ids.get(field)
        if found is None:
            found = self._source_ids[field] = len(self.sources)
            self.sources.append(field)
        return found

    def unpack(self, packed: bytes) -> list[Loc]:
        """The locations :func:`pack` packed."""
        flat = array(_UINT)
        flat.frombytes(packed)
        out: list[Loc] = []
        sources = self.sources
        i, end = 1, len(flat)
        while i < end:
            n = flat[i + 4]
            ap = tuple(flat[i + 5:i + 5 + n]) if n else ()
            out.append((flat[i], flat[i + 1], flat[i + 2], ap, sources[flat[i + 3]]))
            i += 5 + n
        return out

    def repack(self, locs: list[Loc]) -> bytes:
        """:func:`pack` of locations that :meth:`unpack` gave."""
        return pack([(p, s, e, ap, self._source_ids[src]) for p, s, e, ap, src in locs])

    def expand(self, found: list[Found]) -> list[tuple[str, str, Loc]]:
        """``(document field, term, location)`` of each of a hit's locations."""
        return [(loc[4], term, loc) for term, packed in found for loc in self.unpack(packed)]

    def _add(self, docid: str, vb: int, seqno: int, expiry: int, values: list[Value]) -> None:
        """Index one document (:class:`IndexFull`, and nothing added, if it
        would take the index over :attr:`max_bytes`)."""
        terms: dict[str, dict[str, list[Any]]] = {}
        lengths: dict[str, int] = {}
        numbers: dict[str, list[float]] = {}
        dates: dict[str, list[float]] = {}
        points: dict[str, list[float]] = {}
        stored: dict[str, list[Any]] = {}
        for v in values:
            if v.store:
                stored.setdefault(v.field, []).append(v.original)
            names = (v.field, ALL_FIELD) if v.in_all else (v.field,)
            if v.kind == "text":
                tokens = analyze(v.analyzer, v.value)
                source = self.source_id(v.field)
                for name in names:
                    field_terms = terms.setdefault(name, {})
                    for tok in tokens:
                        field_terms.setdefault(tok.term, []).append(
                            (tok.pos, tok.start, tok.end, v.array_positions, source))
                    lengths[name] = lengths.get(name, 0) + len(tokens)
            elif v.kind == "boolean":
                term = "T" if v.value else "F"
                source = self.source_id(v.field)
                for name in names:
                    terms.setdefault(name, {}).setdefault(term, []).append(
                        (1, 0, 0, v.array_positions, source))
            elif v.kind == "geopoint":
                points.setdefault(v.field, []).extend(v.value)
            elif v.kind in ("number", "datetime"):
                target = numbers if v.kind == "number" else dates
                for name in names:
                    target.setdefault(name, []).append(v.value)
        packed = {name: {sys.intern(term): pack(locs) for term, locs in field_terms.items()}
                  for name, field_terms in terms.items()}
        size = ENTRY_BYTES + len(docid) + sum(
            len(p) + len(term) + ENTRY_BYTES for by_term in packed.values()
            for term, p in by_term.items())
        size += 8 * sum(len(vs) for vs in (*numbers.values(), *dates.values(),
                                            *points.values()))
        size += sum(len(str(o)) + 16 for vs in stored.values() for o in vs)
        if self.max_bytes is not None and self.size + size > self.max_bytes:
            raise IndexFull()
        entry = DocEntry(vb, seqno, expiry, {}, {}, {},
                         {name: tuple(vs) for name, vs in stored.items()}, size, {})
        for name, by_term in packed.items():
            field = self._field(name)
            for term, p in by_term.items():
                posting = field.postings.get(term)
                if posting is None:
                    posting = field.postings[term] = {}
                    field._terms = None
                posting[docid] = p
            entry.terms[name] = tuple(by_term)
        for name, length in lengths.items():
            self._field(name).lengths[docid] = length
        for name, nums in numbers.items():
            self._field(name).numbers[docid] = entry.numbers[name] = tuple(nums)
        for name, ds in dates.items():
            self._field(name).dates[docid] = entry.dates[name] = tuple(ds)
        for name, ps in points.items():
            self._field(name).points[docid] = entry.points[name] = tuple(ps)
        self.size += size
        self.docs[docid] = entry

    def _remove(self, docid: str) -> None:
        entry = self.docs.pop(docid, None)
        if entry is None:
            return
        self.size -= entry.size
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
        for name in entry.points:
            self.fields[name].points.pop(docid, None)

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
