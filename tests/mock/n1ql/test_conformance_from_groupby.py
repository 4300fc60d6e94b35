"""Conformance: GROUP BY / LETTING / HAVING / GROUP AS and OFFSET, from the N1QL
language reference (docs-devex, modules/n1ql/pages/n1ql-language-reference/
groupby.adoc and offset.adoc, queries in modules/n1ql/examples/select/), over a
small ``landmark``/``airline`` data set: the stated counts (top cities of the
full travel-sample, 180 or 400 landmarks) are not reproducible on it, so each
example's query runs with its threshold scaled to the small data and its
result shape and order checked.
"""

from __future__ import annotations

import pytest
from conformance_data import engine_with

from couchbase_mock.n1ql import N1QLError, QueryEngine

LANDMARKS = {
    "l1": {"name": "Louvre", "city": "Paris", "geo": {"lon": 2.33}},
    "l2": {"name": "Eiffel Tower", "city": "Paris", "geo": {"lon": 2.29}},
    "l3": {"name": "Eiffel Tower", "city": "Paris", "geo": {"lon": 2.29}},  # not unique
    "l4": {"name": "Sagrada Familia", "city": "Barcelona", "geo": {"lon": 2.17}},
    "l5": {"name": "Golden Gate", "city": "San Francisco", "geo": {"lon": -122.47}},
    "l6": {"name": "Alcatraz", "city": "San Francisco", "geo": {"lon": -122.42}},
    "l7": {"name": "Coit Tower", "city": "San Francisco", "geo": {"lon": -122.41}},
}
AIRLINES = {
    "airline_1": {"id": 1, "name": "Air France", "country": "France"},
    "airline_2": {"id": 2, "name": "Corsair", "country": "France"},
    "airline_3": {"id": 3, "name": "Aigle Azur", "country": "France"},
    "airline_4": {"id": 4, "name": "British Airways", "country": "United Kingdom"},
}


@pytest.fixture(scope="module")
def engine() -> QueryEngine:
    return engine_with({"t.s.landmark": LANDMARKS, "t.s.airline": AIRLINES})


def rows(engine: QueryEngine, statement: str) -> list:
    return engine.query(statement).results


def test_group_by_count_distinct_top_cities(engine: QueryEngine) -> None:
    """groupby.adoc, Example "Group the unique landmarks by city and list the top
    4 cities with the most landmarks in descending order" (group-by.n1ql)."""
    out = rows(engine, "SELECT city, COUNT(DISTINCT name) AS LandmarkCount "
                       "FROM t.s.landmark GROUP BY city ORDER BY LandmarkCount DESC LIMIT 4")
    assert out == [{"city": "San Francisco", "LandmarkCount": 3},
                   {"city": "Paris", "LandmarkCount": 2},
                   {"city": "Barcelona", "LandmarkCount": 1}]


def test_group_as_lists_the_group(engine: QueryEngine) -> None:
    """groupby.adoc, Example "Group airlines by country and also list all airlines
    for each country" (group-as.n1ql: GROUP AS g, each member under its alias)."""
    out = rows(engine, "SELECT country, g FROM t.s.airline GROUP BY country GROUP AS g "
                       "ORDER BY country")
    assert [r["country"] for r in out] == ["France", "United Kingdom"]
    assert sorted(m["airline"]["name"] for m in out[0]["g"]) == \
        ["Aigle Azur", "Air France", "Corsair"]
    assert out[1]["g"] == [{"airline": AIRLINES["airline_4"]}]


def test_group_as_in_a_subquery(engine: QueryEngine) -> None:
    """groupby.adoc, Example "... list the name and id of two airlines from each
    country" (group-as-subclause.n1ql)."""
    out = rows(engine, "SELECT country, COUNT(*) as count, "
                       "(SELECT g1.airline.name, g1.airline.id FROM g g1 LIMIT 2) AS airlines "
                       "FROM t.s.airline GROUP BY country GROUP AS g ORDER BY country")
    assert [(r["country"], r["count"], len(r["airlines"])) for r in out] == \
        [("France", 3, 2), ("United Kingdom", 1, 1)]
    assert out[1]["airlines"] == [{"name": "British Airways", "id": 4}]


def test_letting_and_having(engine: QueryEngine) -> None:
    """groupby.adoc, Examples "Use LETTING to find cities that have a minimum
    number of things to see" and "Use HAVING ..." (HAVING uses COUNT, not the
    projection's alias)."""
    out = rows(engine, "SELECT city City, COUNT(DISTINCT name) LandmarkCount "
                       "FROM t.s.landmark GROUP BY city LETTING MinimumThingsToSee = 2 "
                       "HAVING COUNT(DISTINCT name) >= MinimumThingsToSee ORDER BY City")
    assert out == [{"City": "Paris", "LandmarkCount": 2},
                   {"City": "San Francisco", "LandmarkCount": 3}]
    out = rows(engine, "SELECT city, COUNT(DISTINCT name) AS LandmarkCount FROM t.s.landmark "
                       "GROUP BY city HAVING COUNT(DISTINCT name) > 2")
    assert out == [{"city": "San Francisco", "LandmarkCount": 3}]


def test_having_versus_where_same_result(engine: QueryEngine) -> None:
    """groupby.adoc, Examples "Use HAVING to specify landmarks that begin with an
    'S' or higher" and "Using WHERE yields the same results as HAVING"."""
    having = rows(engine, "SELECT city, COUNT(DISTINCT name) AS LandmarkCount "
                          "FROM t.s.landmark GROUP BY city HAVING city >= 'S' ORDER BY city")
    where = rows(engine, "SELECT city, COUNT(DISTINCT name) AS LandmarkCount "
                         "FROM t.s.landmark WHERE city >= 'S' GROUP BY city ORDER BY city")
    assert having == where == [{"city": "San Francisco", "LandmarkCount": 3}]


def test_group_by_expression_alias(engine: QueryEngine) -> None:
    """groupby.adoc, Example "Using an alias for a group term" (a CASE expression
    AS Hemisphere, referred to in the SELECT clause)."""
    out = rows(engine, "SELECT Hemisphere, COUNT(DISTINCT name) AS LandmarkCount "
                       "FROM t.s.landmark AS l GROUP BY CASE WHEN l.geo.lon < 0 THEN 'West' "
                       "ELSE 'East' END AS Hemisphere ORDER BY Hemisphere")
    assert out == [{"Hemisphere": "East", "LandmarkCount": 3},
                   {"Hemisphere": "West", "LandmarkCount": 3}]


def test_non_group_key_in_projection_is_an_error(engine: QueryEngine) -> None:
    """groupby.adoc, "GROUP BY Clause" (aggregate rules): a projection of a
    grouped query may use only group keys and aggregates (4210)."""
    with pytest.raises(N1QLError) as info:
        rows(engine, "SELECT name, COUNT(*) FROM t.s.landmark GROUP BY city")
    assert info.value.code == 4210


def test_aggregate_without_group_by_is_one_group(engine: QueryEngine) -> None:
    """groupby.adoc / aggregatefun.adoc: aggregates without GROUP BY make one
    group, also over no documents."""
    assert rows(engine, "SELECT COUNT(*) AS n FROM t.s.landmark") == [{"n": 7}]
    assert rows(engine, "SELECT COUNT(*) AS n FROM t.s.landmark WHERE city = 'Rome'") == \
        [{"n": 0}]


def test_offset_skips_then_limit(engine: QueryEngine) -> None:
    """offset.adoc, Example (LIMIT 2 OFFSET 4 over an ordered list) and "Syntax":
    OFFSET before or after LIMIT; past the end, no rows."""
    names = sorted(d["name"] for d in LANDMARKS.values())
    q = "SELECT RAW name FROM t.s.landmark ORDER BY name"
    assert rows(engine, q + " LIMIT 2 OFFSET 4") == names[4:6]
    assert rows(engine, q + " OFFSET 4 LIMIT 2") == names[4:6]
    assert rows(engine, q + " OFFSET 6") == names[6:]
    assert rows(engine, q + " OFFSET 10") == []


@pytest.mark.parametrize("statement", [
    "SELECT city, name FROM t.s.landmark GROUP BY city",  # name: no key, no aggregate
    "SELECT l.name, COUNT(*) AS n FROM t.s.landmark AS l GROUP BY l.city",
    "SELECT name, COUNT(*) AS n FROM t.s.landmark",  # aggregates alone group too
    "SELECT city FROM t.s.landmark GROUP BY city HAVING COUNT(*) > 1 ORDER BY name",
    # groupby.adoc NOTE: HAVING must use COUNT, not the projection's alias
    "SELECT city, COUNT(*) AS LandmarkCount FROM t.s.landmark GROUP BY city "
    "HAVING LandmarkCount > 2",
    "SELECT city, META().id FROM t.s.landmark GROUP BY city",
    "SELECT city, l FROM t.s.landmark AS l GROUP BY city",
    "SELECT city, (SELECT RAW l.name FROM [1] AS x) AS s FROM t.s.landmark AS l GROUP BY city",
    "SELECT city, z FROM t.s.landmark LET z = name GROUP BY city",
])
def test_only_group_keys_and_aggregates_after_grouping(engine: QueryEngine,
                                                        statement: str) -> None:
    """groupby.adoc, Limitations ("GROUP BY works only on a group key or aggregate
    function") and n1ql-error-codes.adoc 4210 E_NOT_GROUP_KEY_OR_AGG: "Expression
    «expression» must depend only on group keys or aggregates."."""
    with pytest.raises(N1QLError) as info:
        rows(engine, statement)
    assert info.value.code == 4210
    assert "must depend only on group keys or aggregates." in str(info.value)


def test_what_depends_on_group_keys(engine: QueryEngine) -> None:
    """groupby.adoc (GROUP BY Clause and its examples): an implicit field and its
    qualified form are one key; expressions over keys, aggregates, LETTING
    variables, group aliases, the GROUP AS array and (in ORDER BY) result names
    may all follow the grouping."""
    out = rows(engine, "SELECT l.city, UPPER(city) AS up, COUNT(*) + 1 AS n1, two "
                       "FROM t.s.landmark AS l GROUP BY city LETTING two = 2 "
                       "HAVING l.city > 'P' ORDER BY n1 DESC, up")
    assert out == [{"city": "Paris", "up": "PARIS", "n1": 4, "two": 2},
                   {"city": "San Francisco", "up": "SAN FRANCISCO", "n1": 4, "two": 2}]
    out = rows(engine, "SELECT geo.lon, ARRAY_LENGTH(g) AS n FROM t.s.landmark "
                       "GROUP BY geo GROUP AS g ORDER BY geo.lon LIMIT 1")
    assert out == [{"lon": -122.47, "n": 1}]
    out = rows(engine, "SELECT RAW c FROM t.s.landmark GROUP BY city AS c "
                       "ORDER BY MIN(META().id)")
    assert out == ["Paris", "Barcelona", "San Francisco"]
    out = rows(engine, "SELECT COUNT(*) AS n, ANY v IN ARRAY_AGG(name) SATISFIES v = 'Louvre' "
                       "END AS has FROM t.s.landmark")
    assert out == [{"n": 7, "has": True}]


def test_group_as_joined_rows_carry_every_alias(engine: QueryEngine) -> None:
    """groupby.adoc, GROUP AS Clause: with two FROM terms each element of the
    array holds both objects under their aliases."""
    out = rows(engine, "SELECT a.country, g FROM t.s.airline AS a "
                       "JOIN t.s.landmark AS l ON l.city = 'Barcelona' "
                       "WHERE a.country = 'United Kingdom' GROUP BY a.country GROUP AS g")
    assert out == [{"country": "United Kingdom",
                    "g": [{"a": AIRLINES["airline_4"], "l": LANDMARKS["l4"]}]}]


def test_group_as_needs_group_by(engine: QueryEngine) -> None:
    """groupby.adoc, GROUP AS Clause: "A query can include a GROUP AS clause only
    if it has a GROUP BY clause" (otherwise a syntax error, 3000)."""
    with pytest.raises(N1QLError) as info:
        rows(engine, "SELECT COUNT(*) FROM t.s.airline GROUP AS g")
    assert info.value.code == 3000
