"""Search functions (searchfun.adoc), on the beer-sample data of conftest.py.

Without a Search index the reference's fallback applies: documents are read and
searched in a temporary index. The examples' shapes are kept: a query string on
a path, a query string naming a field, a query object, a whole search request,
SEARCH_SCORE() and SEARCH_META() of the matched row, an ``out`` name.
"""

from __future__ import annotations

import pytest

from couchbase_mock.n1ql import QueryEngine
from couchbase_mock.n1ql.errors import N1QLError

BS = "`beer-sample`"
SF = ["21st_amendment_brewery_cafe", "anchor_brewing"]


def ids(engine: QueryEngine, where: str) -> list:
    q = f"SELECT RAW META(b).id FROM {BS} AS b WHERE {where} ORDER BY META(b).id"
    return engine.query(q).results


def test_query_string_on_a_path(engine: QueryEngine) -> None:
    """"Search using a query string": SEARCH(t1.country, "+United +States")."""
    assert ids(engine, 'SEARCH(b.city, "+San +Francisco")') == SF


def test_query_string_naming_a_field(engine: QueryEngine) -> None:
    """The equivalent form SEARCH(t1, "country:\\"United States\\"")."""
    assert ids(engine, 'SEARCH(b, "city:\\"San Francisco\\"")') == SF


def test_query_object_and_full_request(engine: QueryEngine) -> None:
    """"Search using a query object" and "... a complete Full Text Search request"."""
    obj = '{"match": "ballpark", "field": "description", "analyzer": "standard"}'
    assert ids(engine, f"SEARCH(b, {obj})") == ["21st_amendment_brewery_cafe"]
    req = f'{{"explain": false, "fields": ["*"], "highlight": {{}}, "query": {obj}}}'
    assert ids(engine, f"SEARCH(b, {req})") == ["21st_amendment_brewery_cafe"]


def test_search_score_and_meta(engine: QueryEngine) -> None:
    """SEARCH_SCORE() and SEARCH_META() (its id and score) of the row SEARCH() matched."""
    rows = engine.query(f"SELECT META(b).id AS id, SEARCH_SCORE() AS score, SEARCH_META() AS m "
                        f'FROM {BS} AS b WHERE SEARCH(b.city, "francisco") '
                        "ORDER BY score DESC, id").results
    assert [r["id"] for r in rows] == SF
    for r in rows:
        assert r["score"] > 0 and r["m"] == {"id": r["id"], "score": r["score"]}


def test_out_name(engine: QueryEngine) -> None:
    """"Select the search metadata by outname": options {"out": "s1"}."""
    rows = engine.query(f"SELECT RAW SEARCH_META(s1).id FROM {BS} AS b "
                        'WHERE SEARCH(b.city, "Bodegraven", {"out": "s1"})').results
    assert rows == ["brouwerij_de_molen"]


def test_no_match_and_negation(engine: QueryEngine) -> None:
    """A negated SEARCH() is allowed (searchfun.adoc Limitations: no index is used);
    beers have no city, so SEARCH(b.city, ...) is MISSING for them."""
    assert ids(engine, 'SEARCH(b, "+nonexistentword")') == []
    assert ids(engine, 'NOT SEARCH(b.city, "francisco")') == [
        "big_river", "brouwerij_de_molen", "sierra_nevada"]


def test_without_search_the_meta_functions_are_missing(engine: QueryEngine) -> None:
    """searchfun.adoc: with no SEARCH() in the query, SEARCH_META/SCORE are MISSING."""
    assert engine.query("SELECT SEARCH_SCORE() AS s, SEARCH_META() AS m").results == [{}]


def test_arguments(engine: QueryEngine) -> None:
    assert engine.query('SELECT RAW [SEARCH({"a": "hello world"}, "hello"), '
                        'SEARCH(NULL, "x")]').results == [[True, None]]
    assert engine.query('SELECT SEARCH(MISSING, "x") AS v').results == [{}]


@pytest.mark.parametrize("query", ['{"knn": [{"k": 2, "field": "v", "vector": [1, 0]}]}',
                                   '{"no_such_query_type": 1}', "42"])
def test_unusable_queries_are_errors(engine: QueryEngine, query: str) -> None:
    with pytest.raises(N1QLError) as e:
        engine.query(f"SELECT RAW META(b).id FROM {BS} AS b WHERE SEARCH(b, {query})")
    assert e.value.code == 5010
