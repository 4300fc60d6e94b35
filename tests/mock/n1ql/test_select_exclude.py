"""SELECT ... EXCLUDE (selectclause.adoc, "EXCLUDE Clause" and its example
"SELECT with an EXCLUDE clause"): the terms are identifier paths or strings of
comma-separated paths; each names a field as the projection names it; with one
FROM term a field may be named without that term's alias."""

from __future__ import annotations

import json

import pytest

from couchbase_mock.n1ql import MemoryDatastore, N1QLError, QueryEngine

HOTEL = ("travel-sample", "inventory", "hotel")
# the page's result document, plus the fields its query excludes
MEDWAY = {
    "address": "Capstone Road, ME7 3JE", "alias": None, "checkin": None, "checkout": None,
    "city": "Medway", "country": "United Kingdom", "directions": None, "email": None,
    "fax": None, "free_breakfast": True, "free_internet": False, "free_parking": True,
    "id": 10025, "name": "Medway Youth Hostel", "pets_ok": True,
    "phone": "+44 870 770 5964", "price": None, "state": None, "title": "Gillingham (Kent)",
    "tollfree": None, "type": "hotel", "url": "http://www.yha.org.uk", "vacancy": True,
}
EXCLUDED = {"reviews": [{"author": "Ozella Sipes", "ratings": {"Overall": 4}}],
            "public_likes": ["Julius Tromp I"], "geo": {"lat": 51.35785, "lon": 0.55818},
            "description": "40 bed summer hostel about 3 miles from Gillingham."}


@pytest.fixture(scope="module")
def hotels() -> QueryEngine:
    ds = MemoryDatastore()
    ds.create_collection(*HOTEL)
    ds.upsert(HOTEL, "hotel_10025", json.dumps({**MEDWAY, **EXCLUDED}).encode())
    ds.upsert(HOTEL, "hotel_10026", json.dumps({"name": "Other", "reviews": []}).encode())
    engine = QueryEngine(ds)
    engine.query("CREATE PRIMARY INDEX ON `travel-sample`.inventory.hotel")
    return engine


def q(engine: QueryEngine, statement: str) -> list:
    return engine.query(statement).results


def test_the_page_example(hotels: QueryEngine) -> None:
    # selectclause.adoc, Example "SELECT with an EXCLUDE clause": an identifier, a path
    # with the FROM alias and a string naming two fields (one escaped)
    rows = q(hotels, 'SELECT * EXCLUDE reviews,h.public_likes,"geo,`description`" '
                     "FROM `travel-sample`.inventory.hotel h "
                     "ORDER BY meta().id LIMIT 1")
    assert rows == [{"h": MEDWAY}]


def test_the_documents_are_not_changed(hotels: QueryEngine) -> None:
    q(hotels, "SELECT * EXCLUDE reviews FROM `travel-sample`.inventory.hotel h")
    rows = q(hotels, "SELECT RAW h.reviews FROM `travel-sample`.inventory.hotel h "
                     "ORDER BY meta().id LIMIT 1")
    assert rows == [EXCLUDED["reviews"]]


def test_an_alias_names_the_field(hotels: QueryEngine) -> None:
    # "If the field has an alias, you must use the alias as the term."
    rows = q(hotels, "SELECT h.name AS n, h.city AS c EXCLUDE c "
                     "FROM `travel-sample`.inventory.hotel h ORDER BY n")
    assert rows == [{"n": "Medway Youth Hostel"}, {"n": "Other"}]
    rows = q(hotels, "SELECT h.name AS n, h.city AS c EXCLUDE city "
                     "FROM `travel-sample`.inventory.hotel h ORDER BY n LIMIT 1")
    assert rows == [{"n": "Medway Youth Hostel", "c": "Medway"}]


def test_fields_lifted_by_a_path_star(hotels: QueryEngine) -> None:
    # with one FROM term, h.name and name name the same field of h.*
    rows = q(hotels, "SELECT h.* EXCLUDE h.reviews, public_likes, geo, description, name "
                     "FROM `travel-sample`.inventory.hotel h ORDER BY meta().id LIMIT 1")
    assert rows == [{k: v for k, v in MEDWAY.items() if k != "name"}]


def test_nested_path(hotels: QueryEngine) -> None:
    rows = q(hotels, "SELECT h.name, h.geo EXCLUDE geo.lat "
                     "FROM `travel-sample`.inventory.hotel h ORDER BY meta().id LIMIT 1")
    assert rows == [{"name": "Medway Youth Hostel", "geo": {"lon": 0.55818}}]


def test_a_field_not_in_the_projection_is_ignored() -> None:
    engine = QueryEngine(MemoryDatastore())
    assert q(engine, "SELECT 1 AS a EXCLUDE b, \"c.d\"") == [{"a": 1}]


def test_distinct_sees_the_rows_after_exclude() -> None:
    engine = QueryEngine(MemoryDatastore())
    rows = q(engine, "SELECT DISTINCT d.a, d.b EXCLUDE b FROM [{'a': 1, 'b': 1}, "
                     "{'a': 1, 'b': 2}] AS d")
    assert rows == [{"a": 1}]


def test_exclude_keyword_is_case_insensitive() -> None:
    engine = QueryEngine(MemoryDatastore())
    assert q(engine, "select {'x': 1, 'y': 2} AS o exclude o.y") == [{"o": {"x": 1}}]


@pytest.mark.parametrize("statement", [
    "SELECT * EXCLUDE 1 + 2 FROM [{'a': 1}] AS d",       # neither identifier nor string
    "SELECT * EXCLUDE d[0] FROM [{'a': 1}] AS d",
    "SELECT * EXCLUDE 'a b' FROM [{'a': 1}] AS d",       # a string that names no path
    "SELECT * EXCLUDE FROM [{'a': 1}] AS d",             # no term
    "SELECT RAW d EXCLUDE a FROM [{'a': 1}] AS d",       # RAW takes no EXCLUDE (projection)
    "SELECT * EXCLUDE a, FROM [{'a': 1}] AS d",
])
def test_bad_exclude_clause_is_a_syntax_error(statement: str) -> None:
    engine = QueryEngine(MemoryDatastore())
    with pytest.raises(N1QLError) as e:
        engine.query(statement)
    assert e.value.code == 3000


def test_exclude_is_reserved() -> None:
    # reservedwords.adoc: EXCLUDE names a field only escaped
    engine = QueryEngine(MemoryDatastore())
    assert q(engine, "SELECT d.`exclude` FROM [{'exclude': 1}] AS d") == [{"exclude": 1}]
