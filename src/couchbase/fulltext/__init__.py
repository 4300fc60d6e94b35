"""Full-text search (FTS): queries, options, facets, sorts and :class:`SearchRequest`.

>>> import couchbase.fulltext as FT
>>> q = FT.ConjunctionQuery(FT.TermQuery("couchbase"), FT.MatchQuery("nosql"))
>>> for hit in cb.search("indexName", q, limit=10, facets={"t": FT.TermFacet("type")}):
...     print(hit["id"], hit["score"])

Make the index first (the web console, or ``PUT /api/index/{name}`` on the
search service); :meth:`Bucket.search <couchbase.bucket.Bucket.search>` runs a
query on it. Errors: :class:`~couchbase.exceptions.HTTPError` for a search the
service refuses (an unknown index, a bad query), :class:`SearchError` for one
that failed on the server, :class:`NoChildrenError` for a compound query
without sub-queries.
"""

from .params import (
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
from .queries import (
    BooleanFieldQuery,
    BooleanQuery,
    ConjunctionQuery,
    DateRangeQuery,
    DisjunctionQuery,
    DocIdQuery,
    GeoBoundingBoxQuery,
    GeoDistanceQuery,
    MatchAllQuery,
    MatchNoneQuery,
    MatchPhraseQuery,
    MatchQuery,
    NoChildrenError,
    NumericRangeQuery,
    PhraseQuery,
    PrefixQuery,
    Query,
    QueryStringQuery,
    RawQuery,
    RegexpQuery,
    RegexQuery,
    SearchError,
    SearchQuery,
    StringQuery,
    TermQuery,
    TermRangeQuery,
    WildcardQuery,
)
from .request import SearchRequest

__all__ = [
    "BooleanFieldQuery", "BooleanQuery", "ConjunctionQuery", "DateFacet", "DateRangeQuery",
    "DisjunctionQuery", "DocIdQuery", "Facet", "GeoBoundingBoxQuery", "GeoDistanceQuery",
    "MatchAllQuery", "MatchNoneQuery", "MatchPhraseQuery", "MatchQuery", "NoChildrenError",
    "NumericFacet", "NumericRangeQuery", "Params", "PhraseQuery", "PrefixQuery", "Query",
    "QueryStringQuery", "RawQuery", "RegexQuery", "RegexpQuery", "SearchError",
    "SearchQuery", "SearchRequest", "Sort", "SortField", "SortGeoDistance", "SortID",
    "SortRaw", "SortScore", "SortString", "StringQuery", "TermFacet", "TermQuery",
    "TermRangeQuery", "WildcardQuery", "make_search_body",
]
