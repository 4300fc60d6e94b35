"""Bucket.search and couchbase.fulltext (SDK 2.x) on every front end, against the
local cluster's search service, with an index of its own over documents it writes;
and the example script that follows the 2.x documentation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

import couchbase.fulltext as FT
from couchbase.asynchronous.fulltext import AsyncSearchRequest
from couchbase.exceptions import HTTPError
from couchbase.mutation_state import MutationState
from service_rest import books, search_index_of, upsert_docs  # tests/, shared

INDEX = "fulltext_frontends"
KIND = "fts_frontend_doc"
DOCS = books("fts", KIND)


@pytest.fixture(scope="module")
def fts_index(mock_cluster: Any) -> Iterator[str]:
    upsert_docs(mock_cluster, DOCS)
    with search_index_of(mock_cluster, INDEX, KIND):
        yield INDEX


def run_search(cb: Any, front_end: str, *args: Any, **kwargs: Any) -> tuple[list[Any], Any]:
    """``(hits, request)`` of ``cb.search(*args, **kwargs)``, the front end's way."""
    if front_end == "asyncio":
        req = cb.search(*args, **kwargs)
        return cb._resolve(req.all), req
    req = cb.search(*args, **kwargs)  # Twisted: the Deferred's BatchedSearchRequest
    return list(req), req


def ids(hits: list[Any]) -> list[str]:
    return [hit["id"] for hit in hits]


def test_search_gives_hits_and_metadata(cb: Any, front_end: str, fts_index: str) -> None:
    hits, req = run_search(cb, front_end, fts_index, FT.MatchQuery("couchbase"))
    assert sorted(ids(hits)) == ["fts::1", "fts::4"]
    assert req.total_hits == 2 and req.max_score == max(h["score"] for h in hits)
    assert isinstance(req.took, int) and req.meta["status"]["failed"] == 0
    assert all(hit["index"].startswith(fts_index) for hit in hits)


def test_the_module_documentation_examples(cb: Any, front_end: str, fts_index: str) -> None:
    query = FT.ConjunctionQuery(FT.TermQuery("couchbase"), FT.MatchQuery("nosql"))
    assert ids(run_search(cb, front_end, fts_index, query)[0]) == ["fts::1"]
    phrase = FT.PhraseQuery("learning", "nosql", field="title")
    assert ids(run_search(cb, front_end, fts_index, phrase)[0]) == ["fts::2"]
    # a string is a query string
    assert ids(run_search(cb, front_end, fts_index, "+title:couchbase -cookbook")[0]) == [
        "fts::1"]


def test_params_limit_skip_sort_fields_highlight(cb: Any, front_end: str,
                                                 fts_index: str) -> None:
    everything = FT.MatchAllQuery()
    hits, req = run_search(cb, front_end, fts_index, everything, limit=2, skip=1,
                           sort=["-pages"], fields=["title", "pages"])
    assert ids(hits) == ["fts::1", "fts::2"] and req.total_hits == 4
    assert hits[0]["fields"] == {"title": "Couchbase and NoSQL in practice", "pages": 320}
    params = FT.Params(sort=FT.SortField("published", descending=True), limit=1,
                       highlight_style="html")
    hits, _ = run_search(cb, front_end, fts_index, FT.MatchQuery("nosql"), params)
    assert ids(hits) == ["fts::1"]
    assert "<mark>NoSQL</mark>" in hits[0]["fragments"]["title"][0]
    hits, _ = run_search(cb, front_end, fts_index, everything, sort=FT.SortID(desc=True))
    assert ids(hits) == ["fts::4", "fts::3", "fts::2", "fts::1"]


def test_every_query_class_reaches_the_service(cb: Any, front_end: str,
                                               fts_index: str) -> None:
    cases = [
        (FT.MatchPhraseQuery("nosql in practice"), ["fts::1"]),
        (FT.PrefixQuery("garden", field="title"), ["fts::3"]),
        (FT.RegexQuery("cook.*", field="title"), ["fts::4"]),
        (FT.WildcardQuery("gard?n*", field="title"), ["fts::3"]),
        (FT.TermQuery("nosq", fuzziness=1, field="title"), ["fts::1", "fts::2"]),
        (FT.NumericRangeQuery(min=100, max=400, field="pages"), ["fts::1", "fts::2"]),
        (FT.DateRangeQuery(start="2019-01-01", field="published"), ["fts::3", "fts::4"]),
        (FT.TermRangeQuery(start="hobbies", end="z", field="topic"), ["fts::3"]),
        (FT.DisjunctionQuery(FT.MatchQuery("gardening"), FT.MatchQuery("cookbook")),
         ["fts::3", "fts::4"]),
        (FT.BooleanQuery(must=FT.TermQuery("databases", field="topic"),
                         must_not=[FT.MatchQuery("learning")]), ["fts::1", "fts::4"]),
        (FT.DocIdQuery(["fts::2", "fts::9"]), ["fts::2"]),
        (FT.MatchNoneQuery(), []),
        (FT.QueryStringQuery("pages:>400"), ["fts::4"]),
    ]
    for query, expected in cases:
        hits, _ = run_search(cb, front_end, fts_index, query)
        assert sorted(ids(hits)) == expected, query


def test_facets(cb: Any, front_end: str, fts_index: str) -> None:
    facets = {"topics": FT.TermFacet("topic", limit=5),
              "length": FT.NumericFacet("pages").add_range("short", max=200)
                                                 .add_range("long", min=200),
              "era": FT.DateFacet("published").add_range("old", end="2015-01-01")}
    _, req = run_search(cb, front_end, fts_index, FT.MatchAllQuery(), facets=facets)
    assert req.facets["topics"]["terms"] == [{"term": "databases", "count": 3},
                                             {"term": "hobbies", "count": 1}]
    assert {r["name"]: r["count"] for r in req.facets["length"]["numeric_ranges"]} == {
        "short": 2, "long": 2}
    assert req.facets["era"]["date_ranges"][0]["count"] == 1


def test_consistent_with_sees_a_write_at_once(cb: Any, front_end: str, fts_index: str) -> None:
    rv = cb.upsert("fts::new", {"type": KIND, "title": "Brand new xylophone manual"})
    try:
        hits, _ = run_search(cb, front_end, fts_index, FT.MatchQuery("xylophone"),
                             consistent_with=MutationState(rv))
        assert ids(hits) == ["fts::new"]
    finally:
        cb.remove("fts::new")


def test_errors(cb: Any, front_end: str, fts_index: str) -> None:
    with pytest.raises(HTTPError, match="index not found"):
        run_search(cb, front_end, "no_such_index", FT.MatchAllQuery())
    with pytest.raises(HTTPError, match="syntax error"):
        run_search(cb, front_end, fts_index, FT.QueryStringQuery('title:"open'))
    with pytest.raises(FT.NoChildrenError):
        run_search(cb, front_end, fts_index, FT.ConjunctionQuery())
    with pytest.raises(AttributeError):
        FT.MatchQuery("x", colour="red")
    with pytest.raises(ValueError):
        FT.Params(highlight_style="neon")


def test_twisted_streams_hits_into_a_handler(reactor: Any, mock_cluster: Any,
                                             fts_index: str) -> None:
    pytest.importorskip("twisted")
    from twisted.internet import defer

    from txcouchbase.bucket import Bucket as TxBucket

    cb = reactor(TxBucket, f"{mock_cluster.connstr}/default", username="Administrator",
                 password="password")
    reactor(cb.connect)
    seen: list[Any] = []

    def go() -> Any:
        d: defer.Deferred[Any] = defer.Deferred()

        class Handler(AsyncSearchRequest):
            def on_rows(self, rows: Any) -> None:
                seen.extend(rows)

            def on_done(self) -> None:
                d.callback(self.total_hits)

            def on_error(self, ex: BaseException) -> None:
                d.errback(ex)

        cb.searchQueryEx(Handler, fts_index, FT.MatchQuery("nosql"))
        return d

    try:
        assert reactor(go) == 2 and sorted(ids(seen)) == ["fts::1", "fts::2"]
    finally:
        reactor(cb.close)


# -- the query objects' JSON (no server) ----------------------------------------------------


def test_query_objects_encode_the_services_json() -> None:
    assert FT.MatchQuery("nosql", fuzziness=1, field="t", boost=2).encodable == {
        "match": "nosql", "fuzziness": 1, "field": "t", "boost": 2.0}
    assert FT.NumericRangeQuery(max=5, max_inclusive=True).encodable == {
        "max": 5.0, "inclusive_max": True}
    assert FT.TermRangeQuery(start="a", end="b").encodable == {"min": "a", "max": "b"}
    assert FT.BooleanQuery(must=FT.TermQuery("a"), should=[FT.TermQuery("b")]).encodable == {
        "must": {"conjuncts": [{"term": "a"}]}, "should": {"disjuncts": [{"term": "b"}],
                                                            "min": 1}}
    assert FT.MatchAllQuery().encodable == {"match_all": None}
    assert FT.GeoDistanceQuery("10km", (1, 2)).encodable == {"distance": "10km",
                                                             "location": [1.0, 2.0]}
    assert FT.RegexpQuery is FT.RegexQuery and FT.StringQuery is FT.QueryStringQuery
    with pytest.raises(TypeError):
        FT.NumericRangeQuery()
    with pytest.raises(FT.NoChildrenError):
        FT.DisjunctionQuery(FT.TermQuery("a"), min=2).encodable  # noqa: B018
    with pytest.raises(ValueError):
        FT.Params().facets["x"] = FT.NumericFacet("n")  # a range facet needs ranges
    body = FT.make_search_body("idx", "hello", FT.Params(limit=3, timeout=2.5, explain=True))
    assert body == {"query": {"query": "hello"}, "size": 3, "ctl": {"timeout": 2500},
                    "explain": True, "indexName": "idx"}


def test_the_fulltext_example_runs() -> None:
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(root / "examples" / "fulltext.py")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "Total hits: 2" in lines, out.stdout
    assert any(line.startswith("Found hotel_") for line in lines), out.stdout
