"""Conformance: subqueries, from the N1QL language reference's own examples
(docs-server, modules/n1ql/pages/n1ql-language-reference/subqueries.adoc and
correlated-subqueries.adoc), over a small pre-collections ``travel-sample``.

Not reproducible without the full bucket: Q2 and Q3 give no result (checked on
the small data's own counts); Q6's 31596 (the bucket's size: here the small
data's); Examples 3's first two altitudes (12, 295: here the first two airports').
Q6B's 4020 and Q8's ambiguous reference are in test_conformance_select2.py.
"""

from __future__ import annotations

import pytest
from conformance_data import engine_with

from couchbase_mock.n1ql import QueryEngine

TS = {
    "landmark_1": {"type": "landmark", "city": "Dartmouth", "name": "Dartmouth Castle"},
    "landmark_2": {"type": "landmark", "city": "Edinburgh", "name": "The Edinburgh Dungeon"},
    "landmark_3": {"type": "landmark", "city": "Paris", "name": "Louvre"},
    "airport_1": {"type": "airport", "city": "Paris", "country": "France",
                  "airportname": "Charles De Gaulle", "geo": {"alt": 392}},
    "airport_2": {"type": "airport", "city": "Paris", "country": "France",
                  "airportname": "Orly", "geo": {"alt": 291}},
    "airport_3": {"type": "airport", "city": "Denver", "country": "United States",
                  "airportname": "Denver Intl", "geo": {"alt": 5431}},
    "airport_4": {"type": "airport", "city": "Leadville", "country": "United States",
                  "airportname": "Lake County", "geo": {"alt": 9927}},
    "airline_137": {"type": "airline", "name": "Air France", "callsign": "AIRFRANS",
                    "iata": "AF"},
    "route_1": {"type": "route", "airline": "AF", "airlineid": "airline_137",
                "sourceairport": "SFO", "destinationairport": "CDG", "stops": 0},
    "route_2": {"type": "route", "airline": "ZZ", "airlineid": "airline_0",
                "sourceairport": "SFO", "destinationairport": "LAX", "stops": 0},
}


@pytest.fixture(scope="module")
def engine() -> QueryEngine:
    return engine_with({"travel-sample": TS,
                        "beer-sample": {"b1": {"type": "brewery", "city": "Paris"}}})


def q(engine: QueryEngine, statement: str) -> list:
    return engine.query(statement).results


@pytest.mark.parametrize("statement, expected", [
    # Q1: a subquery in WHERE (cities with landmarks that have airports)
    ('SELECT t1.city FROM `travel-sample` t1 WHERE t1.type = "landmark" AND t1.city IN '
     '(SELECT RAW city FROM `travel-sample` WHERE type = "airport");', [{"city": "Paris"}]),
    # Q2: a subquery in FROM, aliased (cities with more than one airport here, not 5)
    ('SELECT t1.country, array_agg(t1.city), sum(t1.city_cnt) as apnum FROM (SELECT city, '
     'city_cnt, array_agg(airportname) as apnames, country FROM `travel-sample` WHERE '
     'type = "airport" GROUP BY city, country LETTING city_cnt = count(city) ) AS t1 '
     'WHERE t1.city_cnt > 1 GROUP BY t1.country;',
     [{"country": "France", "$1": ["Paris"], "apnum": 2}]),
    # Q3: a subquery inside an expression
    ('SELECT array_max((SELECT count(city) as cnt FROM `travel-sample` WHERE type = "airport" '
     'GROUP BY city)[*].cnt);', [{"$1": 2}]),
    # Q4: correlated through the FROM clause (the outer alias t1 as t2)
    ('SELECT t1.city, t1.name FROM `travel-sample` t1 WHERE t1.type = "landmark" AND '
     't1.city IN SPLIT((SELECT RAW t2.name FROM t1 AS t2)[0]);',
     [{"city": "Dartmouth", "name": "Dartmouth Castle"},
      {"city": "Edinburgh", "name": "The Edinburgh Dungeon"}]),
    # Q4A: the same without a subquery
    ('SELECT t1.city, t1.name FROM `travel-sample` t1 WHERE t1.type = "landmark" AND '
     't1.city IN SPLIT(t1.name);',
     [{"city": "Dartmouth", "name": "Dartmouth Castle"},
      {"city": "Edinburgh", "name": "The Edinburgh Dungeon"}]),
    # Q5A-Q5D: four equivalent forms of an outer alias or LET name as the FROM term
    ("SELECT count(*) FROM `travel-sample` t WHERE (SELECT RAW t.geo.alt FROM t t1)[0] > 6000",
     [{"$1": 1}]),
    ("SELECT count(*) FROM `travel-sample` t WHERE (SELECT RAW alt FROM t.geo.alt)[0] > 6000",
     [{"$1": 1}]),
    ("SELECT count(*) FROM `travel-sample` t LET x = t.geo "
     "WHERE (SELECT RAW y.alt FROM x y)[0] > 6000", [{"$1": 1}]),
    ("SELECT count(*) FROM `travel-sample` t WHERE (SELECT RAW geo.alt FROM t.geo)[0] > 6000",
     [{"$1": 1}]),
    # Q6: an explicit alias in the subquery keeps `travel-sample` a keyspace (all documents)
    ("SELECT array_length((SELECT RAW t1.geo.alt FROM `travel-sample` t1)) "
     "FROM `travel-sample` LIMIT 1", [{"$1": 4}]),
    # Q6A: the outer alias as the FROM term: the current document only
    ("SELECT array_length((SELECT RAW t1.geo.alt FROM t t1)) FROM `travel-sample` t "
     "WHERE t.type = 'airport' LIMIT 1", [{"$1": 1}]),
    # Q6C: a path over the outer implicit alias is an expression
    ("SELECT array_length((SELECT RAW t1.alt FROM `travel-sample`.geo t1)) "
     "FROM `travel-sample` WHERE type = 'airport' LIMIT 1", [{"$1": 1}]),
    # Q7: a name not in scope is a keyspace (here beer-sample)
    ('SELECT t1.name FROM `travel-sample` t1 WHERE t1.type = "landmark" AND t1.city IN '
     '(SELECT RAW city FROM `beer-sample` WHERE type = "brewery");', [{"name": "Louvre"}]),
    # Q8A: a nested path over the outer variable t1
    ('SELECT t1.city, t1.geo.alt FROM `travel-sample` t1 WHERE t1.type = "airport" AND '
     '(SELECT RAW t2.alt FROM t1.geo t2)[0] > 4000 ORDER BY t1.city',
     [{"city": "Denver", "alt": 5431}, {"city": "Leadville", "alt": 9927}]),
    # Examples 3 and 4: nested paths over a subquery and over a constant
    ('SELECT x.alt FROM (SELECT geo from `travel-sample` WHERE type = "airport")[*].geo AS x '
     'LIMIT 2;', [{"alt": 392}, {"alt": 291}]),
    ('SELECT x FROM [{"a" : 1, "b" : {"c" : 2}}, {"a" : 3, "b" : {"d" : 4}}][*].b AS x '
     'LIMIT 2;', [{"x": {"c": 2}}, {"x": {"d": 4}}]),
])
def test_subquery_examples(engine: QueryEngine, statement: str, expected: list) -> None:
    """subqueries.adoc, the examples Q1-Q8A and Examples 3-4."""
    assert q(engine, statement) == expected


def test_correlated_by_reference_with_use_keys(engine: QueryEngine) -> None:
    """correlated-subqueries.adoc Q10: the subquery's USE KEYS names the outer route's
    airline; a route whose airline is missing drops out (ARRAY_LENGTH 0)."""
    rows = q(engine, """
        SELECT airline_details, t1.destinationairport, t1.stops
        FROM `travel-sample`  t1
        LET airline_details = (SELECT t2.name, t2.callsign
                               FROM `travel-sample` t2
                               USE KEYS t1.airlineid
                               WHERE t2.type = "airline"
                                   AND t2.iata = t1.airline)
        WHERE t1.type = "route" AND t1.sourceairport = "SFO"
              AND ARRAY_LENGTH(airline_details) > 0
        LIMIT 2;""")
    assert rows == [{"airline_details": [{"name": "Air France", "callsign": "AIRFRANS"}],
                     "destinationairport": "CDG", "stops": 0}]


def test_correlated_subquery_equals_its_join(engine: QueryEngine) -> None:
    """correlated-subqueries.adoc Q7A: the same pairs as the lookup JOIN."""
    join = q(engine, "SELECT DISTINCT airline.name, route.destinationairport "
                     "FROM `travel-sample` route JOIN `travel-sample` airline "
                     "ON KEYS route.airlineid WHERE route.type = 'route' "
                     "AND airline.type = 'airline' AND route.sourceairport = 'SFO'")
    sub = q(engine, "SELECT s[0].name, r.destinationairport FROM `travel-sample` r "
                    "LET s = (SELECT a.name FROM `travel-sample` a USE KEYS r.airlineid) "
                    "WHERE r.type = 'route' AND r.sourceairport = 'SFO' "
                    "AND ARRAY_LENGTH(s) > 0")
    assert join == sub == [{"name": "Air France", "destinationairport": "CDG"}]
