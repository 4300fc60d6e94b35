"""4.x full-text search (couchbase_core.html Cluster.search_query/search, couchbase.search,
full-text-search-overview) on the sync and gevent Clusters and a Scope, against the
local cluster's search service with indexes the tests create: rows and SearchRow
fields, metadata and metrics, facets, sort, paging, highlighting, consistency,
and the classes the official SDK 4.x raises (checked against the local cluster: an
unknown index is QueryIndexNotFoundException, a query the service refuses
InternalServerFailureException, no search node ServiceUnavailableException)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

import pytest

from cluster4x import cluster_class, options  # tests/, shared (fixtures: conftest.py)
from couchbase.exceptions import (
    InternalServerFailureException,
    InvalidArgumentException,
    QueryIndexNotFoundException,
    ServiceUnavailableException,
)
from couchbase.mutation_state import MutationState
from couchbase.options import SearchOptions
from couchbase.search import (
    DateFacet,
    HighlightStyle,
    MatchAllQuery,
    MatchQuery,
    NumericFacet,
    QueryStringQuery,
    SearchFacetResult,
    SearchMetaData,
    SearchRequest,
    SearchResult,
    SearchRow,
    SortField,
    SortID,
    TermFacet,
    TermQuery,
)
from service_rest import books, search_index_of, upsert_docs  # tests/, shared

INDEX = "search4x"
KIND = "search4x_doc"
DOCS = books("s4x", KIND)


@pytest.fixture(scope="module")
def indexes(mock_cluster: Any) -> Iterator[None]:
    upsert_docs(mock_cluster, DOCS)
    with search_index_of(mock_cluster, INDEX, KIND):
        yield


def ids(result: SearchResult) -> list[str]:
    return [row.id for row in result.rows()]


def test_rows_and_row_fields(cluster: Any, indexes: None) -> None:
    result = cluster.search_query(INDEX, MatchQuery("couchbase"),
                                  SearchOptions(fields=["title"], include_locations=True))
    assert isinstance(result, SearchResult)
    rows = list(result.rows())
    assert sorted(r.id for r in rows) == ["s4x::1", "s4x::4"]
    row = next(r for r in rows if r.id == "s4x::4")
    assert isinstance(row, SearchRow) and row.index.startswith(INDEX)
    assert row.score > 0 and row.fields == {"title": "The couchbase cookbook"}
    assert row.locations.fields() == ["title"] and row.locations.terms() == {"couchbase"}
    (loc,) = row.locations.get("title", "couchbase")
    assert (loc.field, loc.term, loc.start, loc.end) == ("title", "couchbase", 4, 13)
    assert [loc.term for loc in row.locations.get_all()] == ["couchbase"]
    with pytest.raises(InvalidArgumentException):
        row.locations.get("title", "absent")


def test_metadata_and_metrics(cluster: Any, indexes: None) -> None:
    result = cluster.search_query(INDEX, MatchQuery("nosql"),
                                  SearchOptions(client_context_id="my-search"))
    rows = list(result.rows())
    meta = result.metadata()
    assert isinstance(meta, SearchMetaData) and meta.client_context_id() == "my-search"
    assert meta.errors() == {}
    metrics = meta.metrics()
    assert metrics.total_rows() == 2 == len(rows)
    assert metrics.max_score() == max(r.score for r in rows)
    assert isinstance(metrics.took(), timedelta) and metrics.took() > timedelta(0)
    assert metrics.success_partition_count() == metrics.total_partition_count() >= 1
    assert metrics.error_partition_count() == 0


def test_search_request_and_keywords(cluster: Any, indexes: None) -> None:
    request = SearchRequest.create(TermQuery("databases", field="topic"))
    assert sorted(ids(cluster.search(INDEX, request, limit=10))) == [
        "s4x::1", "s4x::2", "s4x::4"]
    assert request.search_query is not None and request.vector_search is None
    phrase = SearchRequest(MatchAllQuery()).with_search_query(QueryStringQuery("pages:>400"))
    assert ids(cluster.search(INDEX, phrase)) == ["s4x::4"]


def test_sort_and_paging(cluster: Any, indexes: None) -> None:
    result = cluster.search_query(INDEX, MatchAllQuery(),
                                  SearchOptions(sort=["-pages"], limit=2, skip=1))
    rows = list(result.rows())
    assert [r.id for r in rows] == ["s4x::1", "s4x::2"]
    assert result.metadata().metrics().total_rows() == 4  # every hit, not the page
    result = cluster.search_query(INDEX, MatchAllQuery(),
                                  sort=[SortField("published", desc=True)])
    assert ids(result) == ["s4x::4", "s4x::3", "s4x::1", "s4x::2"]
    assert ids(cluster.search_query(INDEX, MatchAllQuery(), sort=SortID(desc=True))) == [
        "s4x::4", "s4x::3", "s4x::2", "s4x::1"]
    rows = list(cluster.search_query(INDEX, MatchAllQuery(), sort=["pages"], limit=1).rows())
    assert rows[0].id == "s4x::3" and rows[0].sort  # the sort values of the hit


def test_highlight(cluster: Any, indexes: None) -> None:
    rows = list(cluster.search_query(INDEX, MatchQuery("nosql"), SearchOptions(
        highlight_style=HighlightStyle.Html, highlight_fields=["title"])).rows())
    fragments = {r.id: r.fragments for r in rows}
    assert "<mark>NoSQL</mark>" in fragments["s4x::2"]["title"][0]


def test_facets(cluster: Any, indexes: None) -> None:
    facets = {"topics": TermFacet("topic", limit=5),
              "length": NumericFacet("pages").add_range("short", max=200)
                                             .add_range("long", min=200),
              "era": DateFacet("published").add_range("old", end="2015-01-01")}
    result = cluster.search_query(INDEX, MatchAllQuery(), SearchOptions(facets=facets))
    list(result.rows())
    got = result.facets()
    assert set(got) == {"topics", "length", "era"}
    topics = got["topics"]
    assert isinstance(topics, SearchFacetResult) and topics.field == "topic"
    assert topics.total == 4
    assert [(t.term, t.count) for t in topics.terms] == [("databases", 3), ("hobbies", 1)]
    assert {r.name: r.count for r in got["length"].numeric_ranges} == {"short": 2, "long": 2}
    (old,) = got["era"].date_ranges
    assert (old.name, old.count) == ("old", 1)


def test_consistent_with_sees_a_write_at_once(cluster: Any, indexes: None) -> None:
    collection = cluster.bucket("default").default_collection()
    written = collection.upsert("s4x::new", {"type": KIND, "title": "A xylophone manual"})
    try:
        result = cluster.search_query(INDEX, MatchQuery("xylophone"),
                                      consistent_with=MutationState(written))
        assert ids(result) == ["s4x::new"]
    finally:
        collection.remove("s4x::new")


def test_scope_search_query_names_the_scopes_index(cluster: Any, indexes: None) -> None:
    scope = cluster.bucket("default").scope("_default")
    with pytest.raises(QueryIndexNotFoundException) as info:  # a cluster-level index
        list(scope.search_query(INDEX, MatchAllQuery()).rows())
    assert info.value.context.index_name == f"default._default.{INDEX}"
    with pytest.raises(QueryIndexNotFoundException):
        list(scope.search(INDEX, SearchRequest(MatchAllQuery())).rows())


def test_scope_search_query_on_a_scope_index(cluster: Any, mock_cluster: Any,
                                             indexes: None) -> None:
    with search_index_of(mock_cluster, "s4x_sc", KIND, scope=("default", "_default")):
        scope = cluster.bucket("default").scope("_default")
        assert ids(scope.search_query("s4x_sc", MatchQuery("gardening"))) == ["s4x::3"]


def test_errors(cluster: Any, indexes: None) -> None:
    with pytest.raises(QueryIndexNotFoundException) as info:
        list(cluster.search_query("no_such_index", MatchAllQuery()).rows())
    assert info.value.context.index_name == "no_such_index"
    with pytest.raises(InternalServerFailureException) as refused:
        list(cluster.search_query(INDEX, QueryStringQuery('title:"open')).rows())
    assert refused.value.context.response_code == 400
    with pytest.raises(InvalidArgumentException):
        cluster.search_query(INDEX, "a string is not a SearchQuery")
    with pytest.raises(InvalidArgumentException):
        cluster.search_query("", MatchAllQuery())
    with pytest.raises(InvalidArgumentException):
        SearchRequest(None)


def test_no_search_node_is_service_unavailable(cluster_front_end: str,
                                               cluster_without_query: Any) -> None:
    cluster = cluster_class(cluster_front_end)(cluster_without_query.connstr, options())
    try:
        with pytest.raises(ServiceUnavailableException):
            list(cluster.search_query(INDEX, MatchAllQuery()).rows())
    finally:
        cluster.close()
