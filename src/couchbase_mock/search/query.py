"""Search queries: their JSON parsed into nodes, and the nodes run on an index.

The query types and their JSON keys are the server's: ``match`` (with
``fuzziness``, ``prefix_length``, ``operator``, ``analyzer``),
``match_phrase``, ``term``, ``terms`` (a phrase of exact terms), ``prefix``,
``wildcard``, ``regexp``, ``query`` (query string, see :mod:`.querystring`),
``min``/``max`` (numeric range, or term range when they are strings),
``start``/``end`` (date range), ``conjuncts``, ``disjuncts`` (with ``min``),
``must``/``should``/``must_not`` (boolean), ``match_all``, ``match_none``,
``ids``, ``bool`` (boolean field). Every one takes ``boost``; a query
without ``field`` searches the mapping's default field (``_all``).

Scores are tf-idf as bleve (the server's engine) computes them, less its
query normalisation: for each matching term, ``boost * idf^2 * sqrt(tf) /
sqrt(field length)`` with ``idf = 1 + ln(docs / (docs with the term + 1))``;
a conjunction adds its children's scores, a disjunction adds them and
scales by the share of children that matched. Scores are not the server's
to the digit, but order hits the same way. Ranges, ``ids`` and
``match_all`` score a constant ``boost``.

Term-expanding queries (prefix, wildcard, regexp, fuzzy terms) may expand to
at most :data:`MAX_CLAUSES` terms, as on the server.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Optional

from . import geo
from .analysis import analyze, known_analyzer
from .index import FieldIndex, Found, SearchIndex, count
from .mapping import IndexMapping, parse_date

__all__ = ["Ctx", "Hit", "MAX_CLAUSES", "Node", "QueryError", "parse_query"]

MAX_CLAUSES = 1024
MAX_FUZZINESS = 2
MAX_DEPTH = 64


class QueryError(ValueError):
    """A query the service refuses (400)."""


class Hit:
    """One document's match: score, where its terms were (packed, see
    :meth:`.index.SearchIndex.expand`), and how it scored."""

    __slots__ = ("score", "locs", "expl")

    def __init__(self, score: float, locs: list[Found],
                 expl: Optional[dict[str, Any]] = None) -> None:
        self.score = score
        self.locs = locs
        self.expl = expl


Results = dict[str, Hit]


class Ctx:
    """What running a query needs: the index, the time (expiry), whether to
    explain, and ``check`` (called now and then; raises to stop)."""

    def __init__(self, index: SearchIndex, explain: bool = False,
                 check: Callable[[], None] = lambda: None) -> None:
        self.index = index
        self.explain = explain
        self.check = check
        self.docs = max(1, index.doc_count())

    def field(self, name: str) -> Optional[FieldIndex]:
        return self.index.fields.get(name)


def _expl(ctx: Ctx, score: float, message: str,
          children: Optional[list[Optional[dict[str, Any]]]] = None) -> Optional[dict[str, Any]]:
    if not ctx.explain:
        return None
    out: dict[str, Any] = {"value": score, "message": message}
    kids = [c for c in children or [] if c is not None]
    if kids:
        out["children"] = kids
    return out


class Node:
    """A query node; each kind supplies ``run``."""

    boost = 1.0
    run: Callable[[Ctx], Results]


class TermsNode(Node):
    """Documents with any of ``terms`` in ``field``, each term scored by tf-idf."""

    def __init__(self, field: str, terms: list[str], boost: float) -> None:
        self.field, self.terms, self.boost = field, terms, boost

    def run(self, ctx: Ctx) -> Results:
        out: Results = {}
        fi = ctx.field(self.field)
        if fi is None:
            return out
        for term in self.terms:
            posting = fi.postings.get(term)
            if not posting:
                continue
            idf = 1.0 + math.log(ctx.docs / (len(posting) + 1.0))
            for docid, packed in posting.items():
                norm = 1.0 / math.sqrt(fi.lengths.get(docid) or 1)
                score = self.boost * idf * idf * math.sqrt(count(packed)) * norm
                expl = _expl(ctx, score, f"weight({self.field}:{term}), tf-idf")
                hit = out.get(docid)
                if hit is None:
                    out[docid] = Hit(score, [(term, packed)], expl)
                else:
                    hit.score += score
                    hit.locs.append((term, packed))
                    if expl is not None and hit.expl is not None:
                        hit.expl = _expl(ctx, hit.score, "sum of:", [hit.expl, expl])
            ctx.check()
        return out


def _expanded(field: str, terms: list[str], boost: float) -> TermsNode:
    if len(terms) > MAX_CLAUSES:
        raise QueryError(f"TooManyClauses over field: `{field}` [{len(terms)} > "
                         f"maxClauseCount, which is set to {MAX_CLAUSES}]")
    return TermsNode(field, terms, boost)


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` once it is known to be larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


class TermNode(Node):
    """An exact term, or with ``fuzziness`` every term within that edit distance."""

    def __init__(self, field: str, term: str, boost: float, fuzziness: int = 0,
                 prefix_length: int = 0) -> None:
        self.field, self.term, self.boost = field, term, boost
        self.fuzziness, self.prefix_length = fuzziness, prefix_length

    def run(self, ctx: Ctx) -> Results:
        if not self.fuzziness:
            return TermsNode(self.field, [self.term], self.boost).run(ctx)
        fi = ctx.field(self.field)
        if fi is None:
            return {}
        prefix = self.term[: self.prefix_length]
        candidates = fi.terms_from(prefix) if prefix else fi.terms()
        terms = []
        for n, term in enumerate(candidates):
            if n % 4096 == 4095:
                ctx.check()
            if _distance(term, self.term, self.fuzziness) <= self.fuzziness:
                terms.append(term)
        return _expanded(self.field, terms, self.boost).run(ctx)


class PrefixNode(Node):
    def __init__(self, field: str, prefix: str, boost: float) -> None:
        self.field, self.prefix, self.boost = field, prefix, boost

    def run(self, ctx: Ctx) -> Results:
        fi = ctx.field(self.field)
        if fi is None:
            return {}
        return _expanded(self.field, fi.terms_from(self.prefix), self.boost).run(ctx)


class PatternNode(Node):
    """Terms matching a regular expression as a whole (regexp and wildcard queries)."""

    def __init__(self, field: str, pattern: re.Pattern[str], literal_prefix: str,
                 boost: float) -> None:
        self.field, self.pattern, self.prefix, self.boost = field, pattern, literal_prefix, boost

    def run(self, ctx: Ctx) -> Results:
        fi = ctx.field(self.field)
        if fi is None:
            return {}
        terms = []
        candidates = fi.terms_from(self.prefix) if self.prefix else fi.terms()
        for n, term in enumerate(candidates):
            if n % 4096 == 4095:
                ctx.check()
            if self.pattern.fullmatch(term):
                terms.append(term)
        return _expanded(self.field, terms, self.boost).run(ctx)


def wildcard_node(field: str, text: str, boost: float) -> PatternNode:
    parts = []
    for ch in text:
        parts.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    literal = re.split(r"[*?]", text, maxsplit=1)[0]
    return PatternNode(field, re.compile("".join(parts), re.S), literal, boost)


def regexp_node(field: str, text: str, boost: float) -> PatternNode:
    try:
        pattern = re.compile(text)
    except re.error as exc:
        raise QueryError(f"error parsing regexp: {exc}: `{text}`") from None
    return PatternNode(field, pattern, "", boost)


class PhraseNode(Node):
    """Terms at consecutive positions (``phrase``: terms at relative positions)."""

    def __init__(self, field: str, phrase: list[tuple[str, int]], boost: float) -> None:
        self.field, self.phrase, self.boost = field, phrase, boost

    def run(self, ctx: Ctx) -> Results:
        parts = [TermsNode(self.field, [t], self.boost).run(ctx) for t, _ in self.phrase]
        if not parts:
            return {}
        common = set(parts[0]).intersection(*parts[1:])
        out: Results = {}
        first_at = self.phrase[0][1]
        index = ctx.index
        for docid in common:
            found: list[Found] = []
            by_term = [{(loc[4], loc[3], loc[0]): loc for _, _, loc in index.expand(
                part[docid].locs)} for part in parts]
            for loc in by_term[0].values():
                src, ap, pos = loc[4], loc[3], loc[0]
                chain = []
                for (term, at), locs in zip(self.phrase, by_term):
                    hit = locs.get((src, ap, pos + at - first_at))
                    if hit is None:
                        break
                    chain.append((term, index.repack([hit])))
                else:
                    found += chain
            if found:
                score = sum(part[docid].score for part in parts)
                out[docid] = Hit(score, found, _expl(ctx, score, f"phrase {self.field}"))
        return out


class ConjunctionNode(Node):
    def __init__(self, children: list[Node], boost: float = 1.0) -> None:
        self.children, self.boost = children, boost

    def run(self, ctx: Ctx) -> Results:
        results = []
        for child in self.children:
            res = child.run(ctx)
            if not res:
                return {}
            results.append(res)
        if not results:
            return {}
        common = set(results[0]).intersection(*results[1:])
        return {d: _combine(ctx, [r[d] for r in results], self.boost, "conjunction")
                for d in common}


class DisjunctionNode(Node):
    def __init__(self, children: list[Node], min_match: int = 0, boost: float = 1.0) -> None:
        self.children, self.min, self.boost = children, min_match, boost

    def run(self, ctx: Ctx) -> Results:
        per_doc: dict[str, list[Hit]] = {}
        for child in self.children:
            for docid, hit in child.run(ctx).items():
                per_doc.setdefault(docid, []).append(hit)
        need = max(1, self.min)
        total = max(1, len(self.children))
        return {d: _combine(ctx, hits, self.boost * len(hits) / total, "disjunction")
                for d, hits in per_doc.items() if len(hits) >= need}


def _combine(ctx: Ctx, hits: list[Hit], factor: float, what: str) -> Hit:
    score = factor * sum(h.score for h in hits)
    locs = [loc for h in hits for loc in h.locs]
    return Hit(score, locs, _expl(ctx, score, f"{what}, product of:", [h.expl for h in hits]))


class BooleanNode(Node):
    def __init__(self, must: Optional[Node], should: Optional[DisjunctionNode],
                 must_not: Optional[Node], boost: float = 1.0) -> None:
        self.must, self.should, self.must_not, self.boost = must, should, must_not, boost

    def run(self, ctx: Ctx) -> Results:
        should = self.should.run(ctx) if self.should is not None else None
        if self.must is not None:
            out = self.must.run(ctx)
            if should is not None:
                if self.should is not None and self.should.min > 0:
                    out = {d: h for d, h in out.items() if d in should}
                for docid, hit in out.items():
                    extra = should.get(docid)
                    if extra is not None:
                        out[docid] = _combine(ctx, [hit, extra], 1.0, "boolean")
        elif should is not None:
            out = should
        else:
            out = MatchAllNode(self.boost).run(ctx)
        if self.must_not is not None:
            excluded = self.must_not.run(ctx)
            out = {d: h for d, h in out.items() if d not in excluded}
        if self.boost != 1.0:
            for hit in out.values():
                hit.score *= self.boost
        return out


class MatchAllNode(Node):
    def __init__(self, boost: float = 1.0) -> None:
        self.boost = boost

    def run(self, ctx: Ctx) -> Results:
        return {d: Hit(self.boost, [], _expl(ctx, self.boost, "match all"))
                for d in ctx.index.docs}


class MatchNoneNode(Node):
    def run(self, ctx: Ctx) -> Results:
        return {}


class DocIdNode(Node):
    def __init__(self, ids: list[str], boost: float) -> None:
        self.ids, self.boost = ids, boost

    def run(self, ctx: Ctx) -> Results:
        return {d: Hit(self.boost, [], _expl(ctx, self.boost, "document id"))
                for d in self.ids if d in ctx.index.docs}


class RangeNode(Node):
    """Numbers or dates of a field within bounds (``None``: open)."""

    def __init__(self, field: str, kind: str, low: Optional[float], high: Optional[float],
                 incl_low: bool, incl_high: bool, boost: float) -> None:
        self.field, self.kind, self.boost = field, kind, boost
        self.low, self.high, self.incl_low, self.incl_high = low, high, incl_low, incl_high

    def inside(self, v: float) -> bool:
        if self.low is not None and (v < self.low or (v == self.low and not self.incl_low)):
            return False
        return self.high is None or v < self.high or (v == self.high and self.incl_high)

    def run(self, ctx: Ctx) -> Results:
        fi = ctx.field(self.field)
        if fi is None:
            return {}
        values = fi.numbers if self.kind == "number" else fi.dates
        return {d: Hit(self.boost, [], _expl(ctx, self.boost, f"{self.kind} range"))
                for d, vs in values.items() if any(self.inside(v) for v in vs)}


class GeoNode(Node):
    """Documents with a point of ``field`` that ``test`` accepts (see :mod:`.geo`)."""

    def __init__(self, field: str, test: Callable[[geo.Point], bool], what: str,
                 boost: float) -> None:
        self.field, self.test, self.what, self.boost = field, test, what, boost

    def run(self, ctx: Ctx) -> Results:
        fi = ctx.field(self.field)
        if fi is None:
            return {}
        return {d: Hit(self.boost, [], _expl(ctx, self.boost, self.what))
                for d, flat in fi.points.items()
                if any(self.test(p) for p in geo.points_of(flat))}


class TermRangeNode(Node):
    def __init__(self, field: str, low: Optional[str], high: Optional[str], incl_low: bool,
                 incl_high: bool, boost: float) -> None:
        self.field, self.low, self.high, self.boost = field, low, high, boost
        self.incl_low, self.incl_high = incl_low, incl_high

    def run(self, ctx: Ctx) -> Results:
        fi = ctx.field(self.field)
        if fi is None:
            return {}
        terms = []
        for term in fi.terms():
            if self.low is not None and (term < self.low or
                                         (term == self.low and not self.incl_low)):
                continue
            if self.high is not None and (term > self.high or
                                          (term == self.high and not self.incl_high)):
                break
            terms.append(term)
        return _expanded(self.field, terms, self.boost).run(ctx)


# -- parsing ---------------------------------------------------------------------------


class Parser:
    """Turns query JSON into nodes, with the index's mapping for fields and analyzers."""

    def __init__(self, mapping: IndexMapping) -> None:
        self.mapping = mapping

    def field(self, q: dict[str, Any]) -> str:
        field = q.get("field")
        if field is None or field == "":
            return self.mapping.default_field
        if not isinstance(field, str):
            raise QueryError("field must be a string")
        return field

    def analyzer(self, q: dict[str, Any], field: str) -> str:
        name = q.get("analyzer")
        if name is None:
            return self.mapping.analyzer_of(field)
        if not isinstance(name, str) or not known_analyzer(name):
            raise QueryError(f"no analyzer named '{name}' registered")
        return name

    def parse(self, q: Any, depth: int = 0) -> Node:
        if depth > MAX_DEPTH:
            raise QueryError(f"query nested deeper than {MAX_DEPTH} levels")
        if not isinstance(q, dict):
            raise QueryError("unknown query type")
        boost = _number(q.get("boost", 1.0), "boost")
        if any(k in q for k in ("must", "should", "must_not")):
            return self._boolean(q, depth, boost)
        if "conjuncts" in q:
            return ConjunctionNode(self._children(q["conjuncts"], "conjuncts", depth), boost)
        if "disjuncts" in q:
            children = self._children(q["disjuncts"], "disjuncts", depth)
            min_match = int(_number(q.get("min", 0), "min"))
            if min_match > len(children):
                raise QueryError(f"disjunction query has fewer than the minimum number "
                                 f"of clauses to satisfy: {len(children)} < {min_match}")
            return DisjunctionNode(children, min_match, boost)
        if "term" in q:
            term = _string(q["term"], "term")
            fuzz, plen = self._fuzzy(q)
            return TermNode(self.field(q), term, boost, fuzz, plen)
        if "match_phrase" in q:
            field = self.field(q)
            tokens = analyze(self.analyzer(q, field), _string(q["match_phrase"], "match_phrase"))
            if not tokens:
                return MatchNoneNode()
            return PhraseNode(field, [(t.term, t.pos) for t in tokens], boost)
        if "match" in q:
            return self._match(q, boost)
        if "terms" in q:
            terms = q["terms"]
            if not isinstance(terms, list) or not terms or \
                    not all(isinstance(t, str) for t in terms):
                raise QueryError("phrase query must contain at least one term")
            return PhraseNode(self.field(q), [(t, i) for i, t in enumerate(terms)], boost)
        if "prefix" in q:
            return PrefixNode(self.field(q), _string(q["prefix"], "prefix"), boost)
        if "regexp" in q:
            return regexp_node(self.field(q), _string(q["regexp"], "regexp"), boost)
        if "wildcard" in q:
            return wildcard_node(self.field(q), _string(q["wildcard"], "wildcard"), boost)
        if "query" in q:
            from .querystring import parse_query_string

            return parse_query_string(_string(q["query"], "query"), self, boost)
        if "min" in q or "max" in q:
            return self._range(q, boost)
        if "start" in q or "end" in q:
            return self._dates(q, boost)
        if "location" in q or "top_left" in q or "polygon_points" in q:
            return self._geo(q, boost)
        if "match_all" in q:
            return MatchAllNode(boost)
        if "match_none" in q:
            return MatchNoneNode()
        if "ids" in q:
            ids = q["ids"]
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise QueryError("ids must be a list of strings")
            return DocIdNode(ids, boost)
        if "bool" in q:
            if not isinstance(q["bool"], bool):
                raise QueryError("bool must be true or false")
            return TermNode(self.field(q), "T" if q["bool"] else "F", boost)
        raise QueryError("unknown query type")

    def _geo(self, q: dict[str, Any], boost: float) -> Node:
        field = self.field(q)
        try:
            if "polygon_points" in q:
                raw = q["polygon_points"]
                if not isinstance(raw, list) or len(raw) < 3:
                    raise geo.GeoError("polygon_points needs at least 3 points")
                polygon = [geo.point(p, "polygon_points") for p in raw]
                return GeoNode(field, lambda p: geo.in_polygon(p, polygon), "geo polygon",
                               boost)
            if "top_left" in q:
                top_left = geo.point(q.get("top_left"), "top_left")
                bottom_right = geo.point(q.get("bottom_right"), "bottom_right")
                return GeoNode(field, lambda p: geo.in_box(p, top_left, bottom_right),
                               "geo bounding box", boost)
            center = geo.point(q.get("location"), "location")
            meters = geo.parse_distance(q.get("distance"))
        except geo.GeoError as exc:
            raise QueryError(str(exc)) from None
        return GeoNode(field, lambda p: geo.haversine_m(center, p) <= meters, "geo distance",
                       boost)

    def _children(self, raw: Any, name: str, depth: int) -> list[Node]:
        if not isinstance(raw, list):
            raise QueryError(f"{name} must be a list of queries")
        return [self.parse(child, depth + 1) for child in raw]

    def _boolean(self, q: dict[str, Any], depth: int, boost: float) -> Node:
        must = self.parse(q["must"], depth + 1) if q.get("must") is not None else None
        should: Optional[DisjunctionNode] = None
        if q.get("should") is not None:
            node = self.parse(q["should"], depth + 1)
            should = node if isinstance(node, DisjunctionNode) else DisjunctionNode([node])
        must_not = self.parse(q["must_not"], depth + 1) if q.get("must_not") is not None \
            else None
        if must is None and should is None and must_not is None:
            raise QueryError("boolean query must contain at least one clause")
        return BooleanNode(must, should, must_not, boost)

    def _fuzzy(self, q: dict[str, Any]) -> tuple[int, int]:
        fuzz = int(_number(q.get("fuzziness", 0), "fuzziness"))
        if fuzz > MAX_FUZZINESS or fuzz < 0:
            raise QueryError(f"fuzziness exceeds max ({MAX_FUZZINESS})")
        return fuzz, int(_number(q.get("prefix_length", 0), "prefix_length"))

    def _match(self, q: dict[str, Any], boost: float) -> Node:
        field = self.field(q)
        tokens = analyze(self.analyzer(q, field), _string(q["match"], "match"))
        fuzz, plen = self._fuzzy(q)
        if not tokens:
            return MatchNoneNode()
        terms = list(dict.fromkeys(t.term for t in tokens))
        if len(terms) == 1:
            return TermNode(field, terms[0], boost, fuzz, plen)
        children: list[Node] = [TermNode(field, t, 1.0, fuzz, plen) for t in terms]
        operator = q.get("operator", "or")
        if operator not in ("or", "and", 0, 1):
            raise QueryError(f"invalid operator: {operator}")
        if operator in ("and", 1):
            return ConjunctionNode(children, boost)
        return DisjunctionNode(children, 1, boost)

    def _range(self, q: dict[str, Any], boost: float) -> Node:
        low, high = q.get("min"), q.get("max")
        incl_low = _flag(q, "inclusive_min", True)
        incl_high = _flag(q, "inclusive_max", False)
        if isinstance(low, str) or isinstance(high, str):
            return TermRangeNode(self.field(q), low, high, incl_low, incl_high, boost)
        lo = None if low is None else _number(low, "min")
        hi = None if high is None else _number(high, "max")
        if lo is None and hi is None:
            raise QueryError("numeric range query must specify min or max")
        return RangeNode(self.field(q), "number", lo, hi, incl_low, incl_high, boost)

    def _dates(self, q: dict[str, Any], boost: float) -> Node:
        bounds = []
        for key in ("start", "end"):
            raw = q.get(key)
            when = None if raw is None or raw == "" else parse_date(raw)
            if raw not in (None, "") and when is None:
                raise QueryError(f"unable to parse datetime with any of the layouts, "
                                 f"value: {raw!r}")
            bounds.append(when)
        if bounds[0] is None and bounds[1] is None:
            raise QueryError("date range query must specify start or end")
        return RangeNode(self.field(q), "datetime", bounds[0], bounds[1],
                         _flag(q, "inclusive_start", True), _flag(q, "inclusive_end", False),
                         boost)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise QueryError(f"{name} must be a number")
    return float(value)


def _string(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise QueryError(f"{name} must be a string")
    return value


def _flag(q: dict[str, Any], name: str, default: bool) -> bool:
    value = q.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise QueryError(f"{name} must be true or false")
    return value


def parse_query(raw: Any, mapping: IndexMapping) -> Node:
    """The node for a request's ``query`` (:class:`QueryError` if it is not one)."""
    return Parser(mapping).parse(raw)
