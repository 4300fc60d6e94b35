"""A search request run on an index: hits sorted and paged, fields, locations,
highlights, explanations and facets, in the server's response layout.

:class:`SearchRequest` checks the request JSON (``size``, ``from``,
``explain``, ``fields``, ``highlight``, ``facets``, ``sort``, ``ctl``,
``includeLocations``, ``score``) and :func:`run_request` answers it::

    {"status": {"total": 1, "failed": 0, "successful": 1},
     "request": {...}, "hits": [{"index": ..., "id": ..., "score": ...,
     "locations": {field: {term: [{"pos", "start", "end", "array_positions"}]}},
     "sort": [...]}], "total_hits": 2, "max_score": 0.7, "took": 12345,
     "facets": {name: {"field", "total", "missing", "other",
                       "terms" | "numeric_ranges" | "date_ranges"}}}

``took`` is in nanoseconds, as on the server. Sort values in hits are strings.
:func:`answer` gives the response as JSON, encoded on the worker a few hits
at a time (one ``json.dumps`` of a 10,000-hit answer holds the GIL for over
0.1 s, and did so on the event loop).
"""

from __future__ import annotations

import functools
import json
import time
from typing import Any, Callable, Iterator, Optional, Sequence

from .index import Loc, SearchIndex
from .mapping import format_date, parse_date
from .query import Ctx, Hit, Node, QueryError, parse_query

MAX_RESULT_WINDOW = 10000
"""``size + from`` may not exceed this (the server's ``bleveMaxResultWindow``)."""
DEFAULT_TIMEOUT_MS = 10000
HIGHLIGHT = {"html": ("<mark>", "</mark>"), "ansi": ("\x1b[43m", "\x1b[0m")}
FRAGMENT = 200
ENCODE_HITS = 200
"""Hits encoded per ``json.dumps`` call (about 0.1 MB: a few ms with the GIL held)."""


def _int(raw: dict[str, Any], name: str, default: int) -> int:
    value = raw.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or \
            value != int(value):
        raise QueryError(f"{name} must be a non-negative integer")
    return int(value)


class SortSpec:
    """One sort key: by score, id or field."""

    def __init__(self, by: str, desc: bool, field: str = "", missing: str = "last",
                 mode: str = "default", kind: str = "auto") -> None:
        self.by, self.desc, self.field = by, desc, field
        self.missing, self.mode, self.kind = missing, mode, kind

    @classmethod
    def parse(cls, raw: Any) -> SortSpec:
        if isinstance(raw, str):
            desc = raw.startswith("-")
            name = raw[1:] if desc else raw
            if name == "_score":
                return cls("score", desc)
            if name == "_id":
                return cls("id", desc)
            if not name:
                raise QueryError("sort field name is empty")
            return cls("field", desc, name)
        if not isinstance(raw, dict):
            raise QueryError("sort must be a list of strings or objects")
        by = raw.get("by")
        if by not in ("score", "id", "field"):
            raise QueryError(f"unknown sort by: {by!r}")
        spec = cls(by, bool(raw.get("desc", False)), str(raw.get("field") or ""),
                   str(raw.get("missing") or "last"), str(raw.get("mode") or "default"),
                   str(raw.get("type") or "auto"))
        if by == "field" and not spec.field:
            raise QueryError("sort by field needs a field")
        if spec.missing not in ("first", "last") or spec.mode not in ("default", "min", "max") \
                or spec.kind not in ("auto", "string", "number", "date"):
            raise QueryError(f"invalid sort: {raw!r}")
        return spec


class SearchRequest:
    """A request body, checked (:class:`QueryError` says what is wrong)."""

    def __init__(self, raw: Any, index: SearchIndex) -> None:
        if not isinstance(raw, dict):
            raise QueryError("request body must be a JSON object")
        self.raw = raw
        if "query" not in raw:
            raise QueryError("unknown query type")
        self.query: Node = parse_query(raw["query"], index.mapping)
        self.size = _int(raw, "size", 10)
        self.skip = _int(raw, "from", 0)
        if self.size + self.skip > MAX_RESULT_WINDOW:
            raise QueryError(f"size: {self.size} + from: {self.skip} > "
                             f"bleveMaxResultWindow: {MAX_RESULT_WINDOW}")
        self.explain = bool(raw.get("explain", False))
        fields = raw.get("fields") or []
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise QueryError("fields must be a list of field names")
        self.fields: list[str] = fields
        highlight = raw.get("highlight")
        self.highlight: Optional[tuple[str, list[str]]] = None
        if highlight is not None:
            if not isinstance(highlight, dict):
                raise QueryError("highlight must be an object")
            style = highlight.get("style") or "html"
            if style not in HIGHLIGHT:
                raise QueryError(f"no highlighter named '{style}' registered")
            self.highlight = (style, list(highlight.get("fields") or []))
        sort = raw.get("sort") or ["-_score"]
        if not isinstance(sort, list):
            raise QueryError("sort must be a list")
        self.sort = [SortSpec.parse(s) for s in sort]
        self.facets = _facets(raw.get("facets"))
        ctl = raw.get("ctl") or {}
        if not isinstance(ctl, dict):
            raise QueryError("ctl must be an object")
        self.timeout = _int(ctl, "timeout", DEFAULT_TIMEOUT_MS) / 1000.0 or \
            DEFAULT_TIMEOUT_MS / 1000.0
        self.vectors = _vectors(ctl.get("consistency"))
        self.no_score = raw.get("score") == "none"
        self.locations = raw.get("includeLocations", True) is not False


def _vectors(consistency: Any) -> dict[str, Any]:
    """The ``at_plus`` vectors of ``ctl.consistency`` (index name -> {"vb/uuid": seqno})."""
    if consistency is None:
        return {}
    if not isinstance(consistency, dict):
        raise QueryError("ctl.consistency must be an object")
    level = consistency.get("level") or ""
    if level not in ("", "not_bounded", "at_plus"):
        raise QueryError(f"unsupported consistency level: {level}")
    vectors = consistency.get("vectors") or {}
    if not isinstance(vectors, dict) or not all(isinstance(v, dict) for v in vectors.values()):
        raise QueryError("ctl.consistency.vectors must map index names to objects")
    return vectors if level == "at_plus" else {}


def _facets(raw: Any) -> dict[str, dict[str, Any]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise QueryError("facets must be an object")
    for name, facet in raw.items():
        if not isinstance(facet, dict) or not isinstance(facet.get("field"), str):
            raise QueryError(f"facet {name!r} must name a field")
        for key, bounds in (("numeric_ranges", ("min", "max")), ("date_ranges", ("start", "end"))):
            for r in facet.get(key) or []:
                if not isinstance(r, dict) or all(r.get(b) is None for b in bounds):
                    raise QueryError(f"facet {name!r}: a range needs {bounds[0]} or {bounds[1]}")
                if key == "date_ranges" and any(
                        r.get(b) is not None and parse_date(r[b]) is None for b in bounds):
                    raise QueryError(f"facet {name!r}: ParseDates err: bad date in {r!r}")
    return raw


# -- running ----------------------------------------------------------------------------------


def run_request(req: SearchRequest, index: SearchIndex, now: float,
                check: Callable[[], None] = lambda: None) -> dict[str, Any]:
    """The response to ``req`` (call with the index caught up and locked)."""
    return _respond(req, index, now, check, lambda hits: [hit for part in hits for hit in part])


def answer(req: SearchRequest, index: SearchIndex, now: float,
           check: Callable[[], None] = lambda: None,
           pause: Callable[[], None] = lambda: None) -> bytes:
    """:func:`run_request` as compact JSON, made and encoded
    :data:`ENCODE_HITS` hits at a time (``pause()`` between them): a page of
    10,000 hits is never all in memory as objects (which a full collection
    would walk) nor encoded in one call that holds the GIL."""

    def encode(parts: Iterator[list[dict[str, Any]]]) -> _Encoded:
        pieces = []
        for part in parts:
            pieces.append(_dumps(part)[1:-1])
            pause()
        return _Encoded("[" + ",".join(p for p in pieces if p) + "]")

    doc = _respond(req, index, now, check, encode)
    return ("{" + ",".join(f"{_dumps(k)}:{v if isinstance(v, _Encoded) else _dumps(v)}"
                           for k, v in doc.items()) + "}").encode()


class _Encoded(str):
    """JSON text already encoded."""


def _respond(req: SearchRequest, index: SearchIndex, now: float, check: Callable[[], None],
             collect: Callable[[Iterator[list[dict[str, Any]]]], Any]) -> dict[str, Any]:
    started = time.perf_counter()
    ctx = Ctx(index, req.explain, check)
    hits = {d: h for d, h in req.query.run(ctx).items() if index.live(d, now)}
    if req.no_score:
        for h in hits.values():
            h.score = 0.0
    order = sorted(hits, key=functools.cmp_to_key(_comparer(req.sort, hits, index)))
    page = order[req.skip:req.skip + req.size]
    del order
    name = index.definition.name
    pindex = f"{name}_{index.definition.uuid}_{0:08x}"
    parts = ([_hit(req, index, pindex, d, hits[d]) for d in page[i:i + ENCODE_HITS]]
             for i in range(0, len(page), ENCODE_HITS))
    return {
        "status": {"total": 1, "failed": 0, "successful": 1},
        "request": req.raw,
        "hits": collect(parts),
        "total_hits": len(hits),
        "max_score": max((h.score for h in hits.values()), default=0.0),
        "took": int((time.perf_counter() - started) * 1e9),
        "facets": {n: _facet(f, hits, index) for n, f in req.facets.items()},
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _field_values(index: SearchIndex, docid: str, spec: SortSpec) -> Sequence[Any]:
    entry = index.docs[docid]
    kind = spec.kind
    if kind in ("auto", "number") and spec.field in entry.numbers:
        return entry.numbers[spec.field]
    if kind in ("auto", "date") and spec.field in entry.dates:
        return entry.dates[spec.field]
    if kind in ("auto", "string") and spec.field in entry.terms:
        return sorted(entry.terms[spec.field])
    return []


def _sort_value(spec: SortSpec, docid: str, hit: Hit, index: SearchIndex) -> Any:
    if spec.by == "score":
        return hit.score
    if spec.by == "id":
        return docid
    values = _field_values(index, docid, spec)
    if not values:
        return None
    return max(values) if spec.mode == "max" else min(values)


def _comparer(specs: list[SortSpec], hits: dict[str, Hit],
              index: SearchIndex) -> Callable[[str, str], int]:
    def compare(a: str, b: str) -> int:
        for spec in specs:
            va = _sort_value(spec, a, hits[a], index)
            vb = _sort_value(spec, b, hits[b], index)
            if va is None or vb is None:
                if va is None and vb is None:
                    continue
                first = spec.missing == "first"
                return (-1 if first else 1) if va is None else (1 if first else -1)
            if isinstance(va, str) != isinstance(vb, str):  # numbers before strings
                va, vb = isinstance(va, str), isinstance(vb, str)
            if va != vb:
                less = va < vb
                return (1 if less else -1) if spec.desc else (-1 if less else 1)
        return (a > b) - (a < b)

    return compare


def _sort_text(spec: SortSpec, docid: str, hit: Hit, index: SearchIndex) -> str:
    if spec.by == "score":
        return "_score"
    value = _sort_value(spec, docid, hit, index)
    if value is None:
        return ""
    if isinstance(value, float):
        if spec.field in index.docs[docid].dates and spec.kind in ("auto", "date"):
            return format_date(value)
        return repr(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _hit(req: SearchRequest, index: SearchIndex, pindex: str, docid: str,
         hit: Hit) -> dict[str, Any]:
    out: dict[str, Any] = {"index": pindex, "id": docid, "score": hit.score}
    if hit.expl is not None:
        out["explanation"] = hit.expl
    locs = index.expand(hit.locs) if hit.locs else []
    if locs and req.locations:
        out["locations"] = _locations(locs)
    stored = index.docs[docid].stored
    if req.highlight is not None:
        fragments = _fragments(req.highlight, locs, stored)
        if fragments:
            out["fragments"] = fragments
    if req.fields:
        wanted = stored if "*" in req.fields else {f: stored[f] for f in req.fields
                                                   if f in stored}
        fields = {f: (v[0] if len(v) == 1 else v) for f, v in wanted.items()}
        if fields:
            out["fields"] = fields
    out["sort"] = [_sort_text(s, docid, hit, index) for s in req.sort]
    return out


def _locations(locs: list[tuple[str, str, Loc]]) -> dict[str, Any]:
    out: dict[str, dict[str, list[Any]]] = {}
    seen = set()
    for field, term, (pos, start, end, ap, _src) in locs:
        if (field, term, pos, ap) in seen:
            continue
        seen.add((field, term, pos, ap))
        out.setdefault(field, {}).setdefault(term, []).append(
            {"pos": pos, "start": start, "end": end,
             "array_positions": list(ap) if ap else None})
    return out


def _fragments(highlight: tuple[str, list[str]], locs: list[tuple[str, str, Loc]],
               stored: dict[str, tuple[Any, ...]]) -> dict[str, list[str]]:
    style, only = highlight
    before, after = HIGHLIGHT[style]
    spans: dict[tuple[str, int], set[tuple[int, int]]] = {}
    for field, _term, (_pos, start, end, ap, _src) in locs:
        if (only and field not in only) or field not in stored:
            continue
        spans.setdefault((field, ap[0] if ap else 0), set()).add((start, end))
    out: dict[str, list[str]] = {}
    for (field, element), marks in sorted(spans.items()):
        values = stored[field]
        if element >= len(values) or not isinstance(values[element], str):
            continue
        text = values[element].encode("utf-8", "surrogatepass")
        ordered = sorted(marks)
        lo = max(0, ordered[0][0] - FRAGMENT // 2)
        hi = min(len(text), max(lo + FRAGMENT, ordered[-1][1]))
        parts, at = [], lo
        for start, end in ordered:
            if start < at or end > hi:
                continue
            parts += [text[at:start], before.encode(), text[start:end], after.encode()]
            at = end
        parts.append(text[at:hi])
        out.setdefault(field, []).append(b"".join(parts).decode("utf-8", "replace"))
    return out


def _facet(facet: dict[str, Any], hits: dict[str, Hit], index: SearchIndex) -> dict[str, Any]:
    field = facet["field"]
    out: dict[str, Any] = {"field": field, "total": 0, "missing": 0, "other": 0}
    size = facet.get("size") if isinstance(facet.get("size"), int) else 10
    if facet.get("numeric_ranges") or facet.get("date_ranges"):
        dates = bool(facet.get("date_ranges"))
        key, lo_key, hi_key = ("date_ranges", "start", "end") if dates else \
            ("numeric_ranges", "min", "max")
        ranges = []
        for r in facet[key]:
            lo, hi = r.get(lo_key), r.get(hi_key)
            if dates:
                lo = None if lo is None else parse_date(lo)
                hi = None if hi is None else parse_date(hi)
            ranges.append([r, lo, hi, 0])
        for docid in hits:
            entry = index.docs[docid]
            values = (entry.dates if dates else entry.numbers).get(field)
            if not values:
                out["missing"] += 1
                continue
            counted = False
            for rng in ranges:
                _, lo, hi = rng[0], rng[1], rng[2]
                if any((lo is None or v >= lo) and (hi is None or v < hi) for v in values):
                    rng[3] += 1
                    counted = True
            out["total"] += 1
            if not counted:
                out["other"] += 1
        listed = []
        for r, _lo, _hi, count in sorted(ranges, key=lambda rng: -rng[3])[:size]:
            if count:
                entry_out = {"name": r.get("name")}
                for b in (lo_key, hi_key):
                    if r.get(b) is not None:
                        entry_out[b] = r[b]
                entry_out["count"] = count
                listed.append(entry_out)
        out[key] = listed
        return out
    counts: dict[str, int] = {}
    for docid in hits:
        terms = index.docs[docid].terms.get(field)
        if not terms:
            out["missing"] += 1
            continue
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
    out["total"] = sum(counts.values())
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    out["terms"] = [{"term": t, "count": c} for t, c in top]
    out["other"] = out["total"] - sum(c for _, c in top)
    return out
