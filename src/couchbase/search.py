"""Full-text search, 4.x names: queries, :class:`SearchRequest`, facets, sorts, results.

>>> from couchbase.search import MatchQuery, SearchOptions, TermFacet
>>> result = cluster.search_query("hotels", MatchQuery("swanky"),
...                               SearchOptions(limit=10, facets={"t": TermFacet("type")}))
>>> [row.id for row in result.rows()]
>>> result.metadata().metrics().total_rows(), result.facets()["t"].terms

The query classes, facets and sorts are the ones of :mod:`couchbase.fulltext`
(one encoder); this module adds the 4.x request and result classes. Errors
are the 4.x classes the official SDK raises:
:exc:`~couchbase.exceptions.QueryIndexNotFoundException` for an unknown index,
:exc:`~couchbase.exceptions.InternalServerFailureException` for a query the
service refuses, :exc:`~couchbase.exceptions.ServiceUnavailableException`
when no node runs the search service.
"""

from __future__ import annotations

from datetime import timedelta
from enum import Enum
from functools import partial
from typing import Any, Iterator, Optional
from urllib.parse import quote

from ._errors4x import FeatureUnavailableException, InvalidArgumentException, to_4x
from ._http_errors4x import search_error
from .exceptions import CouchbaseError
from .fulltext.params import (
    DateFacet,
    Facet,
    NumericFacet,
    Params,
    Sort,
    SortField,
    SortGeoDistance,
    SortID,
    SortRaw,
    SortScore,
    SortString,
    TermFacet,
    make_search_body,
)
from .fulltext.queries import (
    BooleanFieldQuery,
    BooleanQuery,
    ConjunctionQuery,
    DateRangeQuery,
    DisjunctionQuery,
    DocIdQuery,
    GeoBoundingBoxQuery,
    GeoDistanceQuery,
    GeoPolygonQuery,
    MatchAllQuery,
    MatchNoneQuery,
    MatchPhraseQuery,
    MatchQuery,
    NumericRangeQuery,
    PhraseQuery,
    PrefixQuery,
    QueryStringQuery,
    RawQuery,
    RegexQuery,
    SearchQuery,
    TermQuery,
    TermRangeQuery,
    WildcardQuery,
)
from .fulltext.request import SearchRequest as FullTextSearchRequest
from .options import SearchOptions


class HighlightStyle(Enum):
    Ansi = "ansi"
    Html = "html"


class SearchScanConsistency(Enum):
    NOT_BOUNDED = "not_bounded"
    REQUEST_PLUS = "request_plus"
    AT_PLUS = "at_plus"


class MatchOperator(Enum):
    OR = "or"
    AND = "and"


# -- the request ------------------------------------------------------------------------------
class SearchRequest:
    """What ``cluster.search(index, request)`` runs: a search query (vector
    searches are not supported by this client)."""

    def __init__(self, query: Any) -> None:
        if isinstance(query, SearchQuery):
            self._query: Optional[SearchQuery] = query
        else:
            raise _vector_refused(query)

    @classmethod
    def create(cls, query: Any) -> SearchRequest:
        return cls(query)

    @property
    def search_query(self) -> Optional[SearchQuery]:
        return self._query

    @property
    def vector_search(self) -> None:
        return None

    def with_search_query(self, query: SearchQuery) -> SearchRequest:
        if not isinstance(query, SearchQuery):
            raise InvalidArgumentException(message=f"not a SearchQuery: {query!r}")
        self._query = query
        return self

    def with_vector_search(self, vector_search: Any) -> SearchRequest:
        raise _vector_refused(vector_search)


def _vector_refused(what: Any) -> CouchbaseError:
    if what is None or not hasattr(what, "queries"):
        return InvalidArgumentException(message=f"a SearchRequest needs a SearchQuery, "
                                                f"not {what!r}")
    return FeatureUnavailableException(message="vector search is not supported")


# -- results ------------------------------------------------------------------------------------
class SearchRowLocation:
    """Where a term matched: ``field``, ``term``, ``position``, ``start``, ``end``,
    ``array_positions``."""

    def __init__(self, field: str, term: str, raw: dict[str, Any]) -> None:
        self.field = field
        self.term = term
        self.position = raw.get("pos")
        self.start = raw.get("start")
        self.end = raw.get("end")
        self.array_positions = raw.get("array_positions")

    def __repr__(self) -> str:
        return (f"SearchRowLocation(field={self.field!r}, term={self.term!r}, "
                f"position={self.position}, start={self.start}, end={self.end})")


class SearchRowLocations:
    """The ``locations`` of a hit: field -> term -> places."""

    def __init__(self, raw: Optional[dict[str, Any]] = None) -> None:
        self._raw = raw if isinstance(raw, dict) else {}

    def get_all(self) -> list[SearchRowLocation]:
        return [loc for field in self._raw for term in self._raw[field]
                for loc in self.get(field, term)]

    def get(self, field: str, term: str) -> list[SearchRowLocation]:
        if field not in self._raw or term not in self._raw[field]:
            raise InvalidArgumentException(message=f"no location of {term!r} in {field!r}")
        return [SearchRowLocation(field, term, raw) for raw in self._raw[field][term]]

    def fields(self) -> list[str]:
        return list(self._raw)

    def terms(self) -> set[str]:
        return {term for terms in self._raw.values() for term in terms}

    def terms_for(self, field: str) -> list[str]:
        if field not in self._raw:
            raise InvalidArgumentException(message=f"no locations in field {field!r}")
        return list(self._raw[field])

    def __repr__(self) -> str:
        return f"SearchRowLocations({self._raw!r})"


class SearchRowFields(dict):
    """The stored fields of a hit (``SearchOptions(fields=[...])``): field -> value."""


class SearchRow:
    """One hit: ``index``, ``id``, ``score``, ``fields`` (:class:`SearchRowFields`),
    ``sort``, ``locations``, ``fragments``, ``explanation``."""

    __slots__ = ("index", "id", "score", "fields", "sort", "locations", "fragments",
                 "explanation")

    def __init__(self, hit: dict[str, Any]) -> None:
        self.index = hit.get("index")
        self.id = hit.get("id")
        self.score = hit.get("score")
        self.fields = SearchRowFields(hit.get("fields") or {})
        self.sort = hit.get("sort") or []
        self.locations = SearchRowLocations(hit.get("locations"))
        self.fragments = hit.get("fragments") or {}
        self.explanation = hit.get("explanation") or {}

    def __repr__(self) -> str:
        return f"SearchRow(index={self.index!r}, id={self.id!r}, score={self.score!r})"


class SearchMetrics:
    def __init__(self, meta: dict[str, Any]) -> None:
        self._meta = meta
        status = meta.get("status")
        self._status = status if isinstance(status, dict) else {}

    def took(self) -> timedelta:
        took = self._meta.get("took")
        return timedelta(microseconds=took / 1000) if isinstance(took, (int, float)) \
            else timedelta()

    def total_rows(self) -> int:
        return int(self._meta.get("total_hits") or 0)

    def max_score(self) -> float:
        return float(self._meta.get("max_score") or 0.0)

    def success_partition_count(self) -> int:
        return int(self._status.get("successful") or 0)

    def error_partition_count(self) -> int:
        return int(self._status.get("failed") or 0)

    def total_partition_count(self) -> int:
        return int(self._status.get("total") or 0)

    def __repr__(self) -> str:
        return f"SearchMetrics(total_rows={self.total_rows()}, took={self.took()})"


class SearchMetaData:
    def __init__(self, meta: dict[str, Any], client_context_id: Optional[str] = None) -> None:
        self._meta = meta
        self._ccid = client_context_id

    def metrics(self) -> SearchMetrics:
        return SearchMetrics(self._meta)

    def errors(self) -> dict[str, str]:
        status = self._meta.get("status")
        errors = status.get("errors") if isinstance(status, dict) else None
        return dict(errors) if isinstance(errors, dict) else {}

    def client_context_id(self) -> Optional[str]:
        return self._ccid

    def __repr__(self) -> str:
        return f"SearchMetaData({self._meta!r})"


class SearchTermFacet:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.term = raw.get("term")
        self.count = raw.get("count")


class SearchNumericRangeFacet:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.name, self.count = raw.get("name"), raw.get("count")
        self.min, self.max = raw.get("min"), raw.get("max")


class SearchDateRangeFacet:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.name, self.count = raw.get("name"), raw.get("count")
        self.start, self.end = raw.get("start"), raw.get("end")


class SearchFacetResult:
    """One facet's answer: ``name``, ``field``, ``total``, ``missing``, ``other``, and
    ``terms``, ``numeric_ranges`` or ``date_ranges``."""

    def __init__(self, name: str, raw: dict[str, Any]) -> None:
        self.name = name
        self.field = raw.get("field")
        self.total = raw.get("total")
        self.missing = raw.get("missing")
        self.other = raw.get("other")
        self.terms = [SearchTermFacet(t) for t in raw.get("terms") or ()]
        self.numeric_ranges = [SearchNumericRangeFacet(r) for r in raw.get("numeric_ranges") or ()]
        self.date_ranges = [SearchDateRangeFacet(r) for r in raw.get("date_ranges") or ()]

    def __repr__(self) -> str:
        return f"SearchFacetResult(name={self.name!r}, field={self.field!r}, total={self.total})"


class SearchResult:
    """The hits of one search (4.x): ``rows()`` of :class:`SearchRow`, ``metadata()``,
    ``facets()``. Iterate once (asyncio: ``async for``)."""

    def __init__(self, request: Any, client_context_id: Optional[str] = None) -> None:
        self._request = request
        self._ccid = client_context_id

    def rows(self) -> Any:
        return self.__aiter__() if hasattr(self._request, "__aiter__") else iter(self._request)

    def __iter__(self) -> Iterator[SearchRow]:
        return iter(self._request)

    def __aiter__(self) -> Any:
        return self._request.__aiter__()

    def metadata(self) -> SearchMetaData:
        return SearchMetaData(self._request.meta, self._ccid)

    def facets(self) -> dict[str, SearchFacetResult]:
        raw = self._request.meta.get("facets") or {}
        return {name: SearchFacetResult(name, value) for name, value in raw.items()}

    def __repr__(self) -> str:
        return f"SearchResult({self._request!r})"


# -- building the request ---------------------------------------------------------------------
def _params(options: dict[str, Any]) -> tuple[Params, dict[str, Any]]:
    """The fulltext Params of ``options`` and the body members Params does not own."""
    params = Params()
    extra: dict[str, Any] = {}
    for name, value in options.items():
        if name in ("limit", "skip", "explain", "fields", "highlight_fields", "sort"):
            setattr(params, name, value)
        elif name == "highlight_style":
            params.highlight_style = getattr(value, "value", value)
        elif name == "timeout":
            from .options import timeout_seconds

            params.timeout = timeout_seconds(value)
        elif name == "facets":
            params.facets.update(value)
        elif name == "consistent_with":
            params.consistent_with(value)
        elif name == "scan_consistency":
            level = getattr(value, "value", value)
            if level not in ("not_bounded", ""):
                raise InvalidArgumentException(
                    message=f"search scan_consistency {level!r}: use consistent_with")
            params.consistency = level
        elif name == "disable_scoring":
            if value:
                extra["score"] = "none"
        elif name == "include_locations":
            extra["includeLocations"] = bool(value)
        elif name == "collections":
            extra["collections"] = list(value)
        elif name == "raw":
            extra.update(value)
    return params, extra


def search_request(conn: Any, index: str, query: Any, opts: tuple[Any, ...],
                   kwargs: dict[str, Any], scope: Optional[tuple[str, str]] = None
                   ) -> SearchResult:
    """A :class:`SearchResult` for ``query`` (a SearchQuery or a :class:`SearchRequest`)
    on ``index`` (of ``scope`` = (bucket, scope) for a scope's index)."""
    from .options import merge

    if isinstance(query, SearchRequest):
        query = query.search_query
    if not isinstance(query, SearchQuery):
        raise InvalidArgumentException(message=f"a search needs a SearchQuery, not {query!r}")
    if not isinstance(index, str) or not index:
        raise InvalidArgumentException(message=f"bad search index name {index!r}")
    name = f"{scope[0]}.{scope[1]}.{index}" if scope is not None else index
    try:
        options = merge(opts, kwargs)
        params, extra = _params(options)
        body = make_search_body(name, query, params)
        body.update(extra)
        request = conn._search_class(body, conn, row_factory=SearchRow)
    except (CouchbaseError, ValueError, TypeError, AttributeError) as exc:
        if isinstance(exc, CouchbaseError):
            raise to_4x(exc) from None
        raise InvalidArgumentException(message=str(exc)) from None
    request._convert = partial(search_error, index_name=name, query=body.get("query"))
    if scope is not None:  # Server 7.6's scope-level route
        request.path = "/api/bucket/{}/scope/{}/index/{}/query".format(
            *(quote(part, safe="") for part in (*scope, index)))
    return SearchResult(request, options.get("client_context_id"))


__all__ = [
    "BooleanFieldQuery", "BooleanQuery", "ConjunctionQuery", "DateFacet", "DateRangeQuery",
    "DisjunctionQuery", "DocIdQuery", "Facet", "FullTextSearchRequest",
    "GeoBoundingBoxQuery", "GeoDistanceQuery", "GeoPolygonQuery", "HighlightStyle",
    "MatchAllQuery", "MatchNoneQuery", "MatchOperator", "MatchPhraseQuery", "MatchQuery",
    "NumericFacet", "NumericRangeQuery", "PhraseQuery", "PrefixQuery", "QueryStringQuery",
    "RawQuery", "RegexQuery", "SearchDateRangeFacet", "SearchFacetResult", "SearchMetaData",
    "SearchMetrics", "SearchNumericRangeFacet", "SearchOptions", "SearchQuery",
    "SearchRequest", "SearchResult", "SearchRow", "SearchRowFields", "SearchRowLocation",
    "SearchRowLocations", "SearchScanConsistency", "SearchTermFacet", "Sort", "SortField",
    "SortGeoDistance", "SortID", "SortRaw", "SortScore", "SortString", "TermFacet",
    "TermQuery", "TermRangeQuery", "WildcardQuery", "search_request",
]
