"""Conformance: SELECT forms, from the N1QL language reference's own examples
(docs-server, modules/n1ql/pages/n1ql-language-reference/): selectclause.adoc,
orderby.adoc, union.adoc, unnest.adoc, let.adoc, limit.adoc.

The examples read the pre-collections `travel-sample` bucket (documents told apart
by ``type``); the data below holds exactly the documents each example's stated
result shows, plus a few that the WHERE clauses must drop. Left out:
- selectclause.adoc, the DISTINCT timings table and its EXPLAIN (EXPLAIN is another
  engineer's); "SELECT * FROM `travel-sample` WHERE type="hotel"" (first hotel of
  the full bucket).
- union.adoc Examples 1-4: only row counts of the full bucket (1871, 44, 1597, 230);
  the operators are checked on small inputs instead.
- orderby.adoc Ex1/Ex2 are checked on the first rows the page shows.
"""

from __future__ import annotations

from typing import Any

import pytest
from conformance_data import engine_with

from couchbase_mock.n1ql import N1QLError, QueryEngine

LANDMARK_10019: dict[str, Any] = {
    "activity": "see", "address": "Prince Arthur Road, ME4 4UG", "alt": None,
    "city": "Gillingham", "content": "Adult - £6.99 for an Adult ticket.",
    "country": "United Kingdom", "directions": None, "email": None,
    "geo": {"accuracy": "RANGE_INTERPOLATED", "lat": 51.39184, "lon": 0.53616},
    "hours": "Tues - Fri 9.00am to 5.00pm, Sat - Sun 11.30am - 5.00pm", "id": 10019,
    "image": None, "name": "Royal Engineers Museum", "phone": "+44 1634 822839",
    "price": None, "state": None, "title": "Gillingham (Kent)", "tollfree": None,
    "type": "landmark", "url": "http://www.remuseum.org.uk",
}

AIRLINE_10: dict[str, Any] = {
    "callsign": "MILE-AIR", "country": "United States", "iata": "Q5", "icao": "MLA",
    "id": 10, "name": "40-Mile Air", "type": "airline",
}


def _landmark(key: int, city: str, name: str) -> dict[str, Any]:
    country = {"Yosemite Valley": "United States", "London": "United Kingdom"}.get(city, "France")
    return {"city": city, "name": name, "country": country, "type": "landmark", "id": key}


def _route(rid: int, airline: str, dest: str, flights: list[tuple[int, str, str]]) -> dict:
    return {"id": rid, "type": "route", "airline": airline, "sourceairport": "XXX",
            "destinationairport": dest,
            "schedule": [{"day": d, "flight": f, "utc": u} for d, f, u in flights]}


def _hotel(hid: int, name: str, vacancy: bool, reviews: list[tuple[str, int]],
           **more: Any) -> dict[str, Any]:
    return {"id": hid, "type": "hotel", "name": name, "vacancy": vacancy,
            "reviews": [{"author": a, "ratings": {"Rooms": r}} for a, r in reviews], **more}


TRAVEL: dict[str, dict[str, Any]] = {
    "airline_10": AIRLINE_10,
    "airline_137": {"callsign": "AIRFRANS", "country": "France", "iata": "AF", "id": 137,
                    "name": "Air France", "type": "airline"},
    # let.adoc Ex1 and Ex3 (and selectclause.adoc Example 2's cities)
    "airport_1": {"type": "airport", "airportname": "Wiley Post Will Rogers Mem",
                  "city": "Barrow", "country": "United States",
                  "geo": {"lat": 71.285446, "lon": -156.766003}},
    "airport_2": {"type": "airport", "airportname": "Dillant Hopkins Airport", "city": "Keene",
                  "country": "United States", "geo": {"lat": 72.270833, "lon": -42.098333}},
    "airport_3": {"type": "airport", "airportname": "Wideawake Field",
                  "city": "Georgetown Acension Island Santa Helena",
                  "country": "United Kingdom", "geo": {"lat": -7.969597, "lon": -14.393664}},
    "airport_4": {"type": "airport", "airportname": "Akureyri", "city": "Akureyri",
                  "country": "Iceland", "geo": {"lat": 75.5, "lon": -18.07}},  # no landmark
    "airport_5": {"type": "airport", "airportname": "Calais Dunkerque", "city": "Calais",
                  "country": "France", "geo": {"lat": 50.96, "lon": 1.95}},
    "airport_6": {"type": "airport", "airportname": "Barrow Island", "city": "Barrow",
                  "country": "Australia", "geo": {"lat": -20.86, "lon": 115.4}},
    # selectclause.adoc Example 2 of the SELECT clause's Examples (the first landmark)
    "landmark_10019": LANDMARK_10019,
    # orderby.adoc Ex1: cities descending (raw byte collation puts É after Y), names ascending
    "landmark_2": _landmark(2, "Yosemite Valley", "Mirror Lake/Meadow"),
    "landmark_3": _landmark(3, "Épinal", "Musée de l'Image/Imagerie d'Épinal"),
    "landmark_4": _landmark(4, "Évreux", "Cafe des Arts"),
    "landmark_5": _landmark(5, "Yosemite Valley", "Lower Yosemite Fall"),
    "landmark_6": _landmark(6, "Épinal", "Marché Couvert (covered market)"),
    "landmark_7": _landmark(7, "Gillingham", "'Visit the Hut of the Shadows and other End "
                            "of the Road sculptures"),
    "landmark_8": _landmark(8, "London", "02 Shepherd's Bush Empire"),
    "landmark_9": _landmark(9, "London", "101 Coffee Shop"),
    # unnest.adoc Example 1: the three routes with Monday (day 1) flights, and one without
    "route_1": _route(1, "AF", "CDG", [(0, "AF198", "10:13:00"), (1, "AF356", "12:40:00"),
                                       (1, "AF480", "08:58:00"), (1, "AF250", "12:59:00"),
                                       (1, "AF130", "04:45:00"), (2, "AF997", "00:31:00")]),
    "route_2": _route(2, "AF", "CDG", [(1, "AF517", "13:36:00"), (1, "AF279", "21:35:00"),
                                       (1, "AF753", "00:54:00"), (1, "AF079", "15:29:00"),
                                       (1, "AF756", "06:16:00")]),
    "route_3": _route(3, "AF", "CDG", [(1, "AF975", "11:23:00"), (3, "AF001", "01:00:00"),
                                       (1, "AF225", "16:05:00")]),
    "route_4": _route(4, "AF", "CDG", [(2, "AF002", "02:00:00")]),
    # let.adoc Ex2: Air India to CDG, two Sunday flights
    "route_5": _route(5, "AI", "CDG", [(0, "AI988", "00:24:00"), (1, "AI123", "10:00:00"),
                                       (0, "AI972", "17:32:00")]),
    # unnest.adoc Example 2 (reviewers rating the rooms below 2); limit.adoc (vacancy)
    "hotel_10025": _hotel(10025, "Medway Youth Hostel", True,
                          [("Kayli Cronin", 1), ("Happy Guest", 4)],
                          address="Capstone Road, ME7 3JE", city="Medway",
                          country="United Kingdom", url="http://www.yha.org.uk"),
    "hotel_10026": _hotel(10026, "The Balmoral Guesthouse", False, [("Shanelle Streich", 1)],
                          city="Medway", country="United Kingdom"),
    "hotel_10063": _hotel(10063, "The Robins", True, [], address="6 rue aux Juifs",
                          city="Giverny", country="France",
                          url="http://givernyguesthouse.com/robin.htm"),
    "hotel_10851": _hotel(10851, "'La Mirande Hotel", True,
                          [("Walton Wolf", 2), ("Catharine Funk", 1)], city="Avignon"),
    "hotel_1086": _hotel(1086, "'The Argyll Arms Hotel", False, [("Tyson Beatty", 0)],
                         city="London"),
    "hotel_1087": _hotel(1087, "101 Coffee Shop", False, [("Fifth Reviewer", 1)],
                         city="London"),
}


@pytest.fixture(scope="module")
def db() -> QueryEngine:
    return engine_with({"travel-sample": TRAVEL})


def q(db: QueryEngine, statement: str) -> list:
    return db.query(statement).results


# -- selectclause.adoc -----------------------------------------------------------

def test_select_vs_select_raw(db: QueryEngine) -> None:
    # selectclause.adoc, RAW | ELEMENT | VALUE, Example 1
    assert q(db, 'SELECT {"a":1, "b":2};') == [{"$1": {"a": 1, "b": 2}}]
    assert q(db, 'SELECT RAW {"a":1, "b":2};') == [{"a": 1, "b": 2}]
    # RAW, ELEMENT and VALUE are synonyms
    assert q(db, 'SELECT ELEMENT {"a":1, "b":2};') == [{"a": 1, "b": 2}]
    assert q(db, 'SELECT VALUE {"a":1, "b":2};') == [{"a": 1, "b": 2}]


def test_select_raw_and_distinct_raw_cities(db: QueryEngine) -> None:
    # selectclause.adoc, RAW | ELEMENT | VALUE, Example 2 (on this data's airports)
    where = 'FROM `travel-sample` WHERE type="airport" ORDER BY city LIMIT 5;'
    cities = ["Akureyri", "Barrow", "Barrow", "Calais", "Georgetown Acension Island Santa Helena"]
    assert q(db, f"SELECT city {where}") == [{"city": c} for c in cities]
    assert q(db, f"SELECT RAW city {where}") == cities
    assert q(db, f"SELECT DISTINCT RAW city {where}") == [
        "Akureyri", "Barrow", "Calais", "Georgetown Acension Island Santa Helena", "Keene"]


def test_select_without_from_is_one_empty_object(db: QueryEngine) -> None:
    # selectclause.adoc, result-expr: SELECT 10+20 AS Total
    assert q(db, "SELECT 10+20 AS Total;") == [{"Total": 30}]


def test_select_star_names_the_keyspace_and_alias_star_does_not(db: QueryEngine) -> None:
    # selectclause.adoc, keyspace_name NOTE; Examples 1 and 2
    assert q(db, 'SELECT * FROM `travel-sample` WHERE type="airline" LIMIT 1;') == [
        {"travel-sample": AIRLINE_10}]
    assert q(db, 'SELECT * FROM `travel-sample` WHERE type="landmark" LIMIT 1;') == [
        {"travel-sample": LANDMARK_10019}]
    assert q(db, 'SELECT `travel-sample`.* FROM `travel-sample` '
                 'WHERE type="airline" LIMIT 1;') == [AIRLINE_10]
    assert q(db, 'SELECT t.* FROM `travel-sample` AS t WHERE type="airline" LIMIT 1;') == [
        AIRLINE_10]


def test_select_meta_id_fields_and_array_paths(db: QueryEngine) -> None:
    # selectclause.adoc, keyspace_name NOTE: meta().id and `travel-sample`.reviews[0].ratings
    rows = q(db, "SELECT meta().id, city, `travel-sample`.reviews[0].ratings "
                 'FROM `travel-sample` WHERE type="hotel" LIMIT 1;')
    assert rows == [{"city": "Medway", "id": "hotel_10025", "ratings": {"Rooms": 1}}]
    # field_expr: schedule[0].day; AS alias_name: schedule[0].day AS Weekday
    rows = q(db, 'SELECT schedule[0].day AS Weekday FROM `travel-sample` '
                 'WHERE type="route" AND airline = "AI";')
    assert rows == [{"Weekday": 0}]
    rows = q(db, 'SELECT schedule[0].day FROM `travel-sample` WHERE type="route" LIMIT 1;')
    assert rows == [{"day": 0}]


def test_select_all_and_distinct(db: QueryEngine) -> None:
    # selectclause.adoc, ALL | DISTINCT: DISTINCT removes duplicate result objects
    assert q(db, "SELECT ALL t.a FROM [{'a': 1}, {'a': 1}] AS t") == [{"a": 1}, {"a": 1}]
    assert q(db, "SELECT t.a FROM [{'a': 1}, {'a': 1}] AS t") == [{"a": 1}, {"a": 1}]
    assert q(db, "SELECT DISTINCT t.a FROM [{'a': 1}, {'a': 1}, {'a': 2}] AS t") == [
        {"a": 1}, {"a": 2}]


def test_duplicate_result_alias_is_an_error(db: QueryEngine) -> None:
    with pytest.raises(N1QLError) as caught:
        q(db, "SELECT t.a, t.a FROM [{'a': 1}] AS t")
    assert "Duplicate result alias" in str(caught.value)


# -- orderby.adoc ----------------------------------------------------------------

MIXED = ("[{'k': 'obj', 'v': {'a': 1}}, {'k': 'arr', 'v': [1]}, {'k': 'str', 'v': 's'}, "
         "{'k': 'num', 'v': 1}, {'k': 'true', 'v': true}, {'k': 'false', 'v': false}, "
         "{'k': 'null', 'v': null}, {'k': 'missing'}]")


@pytest.mark.parametrize("term, order", [
    # orderby.adoc, Return Values: the table of JSON types, first to last, per column
    ("t.v", "missing null false true num str arr obj"),
    ("t.v ASC NULLS FIRST", "missing null false true num str arr obj"),
    ("t.v ASC NULLS LAST", "false true num str arr obj missing null"),
    ("t.v DESC NULLS FIRST", "null missing obj arr str num true false"),
    ("t.v DESC NULLS LAST", "obj arr str num true false null missing"),
    ("t.v DESC", "obj arr str num true false null missing"),  # DESC: NULLS LAST by default
])
def test_order_of_types(db: QueryEngine, term: str, order: str) -> None:
    assert q(db, f"SELECT RAW t.k FROM {MIXED} AS t ORDER BY {term}") == order.split()


def test_order_of_strings_arrays_objects(db: QueryEngine) -> None:
    # orderby.adoc, NOTE: raw byte order of UTF-8 (here: uppercase before lowercase,
    # accented letters last); arrays element by element, shorter first when equal so
    # far; objects by size, then by first key, first value...
    rows = q(db, "SELECT RAW t FROM ['b', 'B', 'é', 'a', 'É'] AS t ORDER BY t")
    assert rows == ["B", "a", "b", "É", "é"]
    rows = q(db, "SELECT RAW t FROM [[1, 2], [1], [0, 9], [1, 1, 1]] AS t ORDER BY t")
    assert rows == [[0, 9], [1], [1, 1, 1], [1, 2]]
    rows = q(db, "SELECT RAW t FROM [{'b': 1}, {'a': 2}, {'a': 1, 'c': 0}, {'a': 1, 'b': 1}, "
                 "{'a': 1}] AS t ORDER BY t")
    assert rows == [{"a": 1}, {"a": 2}, {"b": 1}, {"a": 1, "b": 1}, {"a": 1, "c": 0}]


def test_order_by_city_desc_then_name_asc(db: QueryEngine) -> None:
    # orderby.adoc, Ex1 (the first five rows the page shows)
    rows = q(db, 'SELECT city, name FROM `travel-sample` WHERE type = "landmark" '
                 "ORDER BY city DESC, name ASC;")
    assert rows[:5] == [
        {"city": "Évreux", "name": "Cafe des Arts"},
        {"city": "Épinal", "name": "Marché Couvert (covered market)"},
        {"city": "Épinal", "name": "Musée de l'Image/Imagerie d'Épinal"},
        {"city": "Yosemite Valley", "name": "Lower Yosemite Fall"},
        {"city": "Yosemite Valley", "name": "Mirror Lake/Meadow"},
    ]


def test_order_by_on_union(db: QueryEngine) -> None:
    # orderby.adoc, Ex2: ORDER BY applies to the whole UNION (first rows as shown)
    rows = q(db, 'SELECT name FROM `travel-sample` WHERE type = "landmark" '
                 'UNION SELECT name FROM `travel-sample` WHERE type = "hotel" '
                 "ORDER BY name ASC;")
    assert rows[:5] == [{"name": n} for n in (
        "'La Mirande Hotel", "'The Argyll Arms Hotel",
        "'Visit the Hut of the Shadows and other End of the Road sculptures",
        "02 Shepherd's Bush Empire", "101 Coffee Shop")]
    assert len(rows) == len({r["name"] for r in rows})  # "101 Coffee Shop" once


def test_order_by_result_alias(db: QueryEngine) -> None:
    # orderby.adoc, Arguments: expr may be "an alias in the SELECT clause"
    assert q(db, "SELECT t.a AS x FROM [{'a': 2}, {'a': 1}] AS t ORDER BY x") == [
        {"x": 1}, {"x": 2}]


# -- union.adoc ------------------------------------------------------------------

@pytest.mark.parametrize("statement, expected", [
    # union.adoc, Return Values: UNION, INTERSECT, EXCEPT give distinct results;
    # the ALL forms keep duplicates.
    ("SELECT RAW v FROM [1, 2, 2] AS v UNION SELECT RAW v FROM [2, 3] AS v", [1, 2, 3]),
    ("SELECT RAW v FROM [1, 2, 2] AS v UNION ALL SELECT RAW v FROM [2, 3] AS v",
     [1, 2, 2, 2, 3]),
    ("SELECT RAW v FROM [1, 2, 2, 3] AS v INTERSECT SELECT RAW v FROM [2, 3, 4] AS v", [2, 3]),
    ("SELECT RAW v FROM [1, 1, 2, 3] AS v EXCEPT SELECT RAW v FROM [2] AS v", [1, 3]),
])
def test_set_operators(db: QueryEngine, statement: str, expected: list) -> None:
    assert sorted(q(db, statement)) == expected


def test_union_of_airport_and_hotel_cities(db: QueryEngine) -> None:
    # union.adoc, Example 1/2/3 shapes, on this data
    q1 = 'SELECT DISTINCT city FROM `travel-sample` WHERE type = "airport"'
    q2 = 'SELECT DISTINCT city FROM `travel-sample` WHERE type = "hotel"'
    union = {r["city"] for r in q(db, f"{q1} UNION {q2}")}
    assert union == {"Akureyri", "Barrow", "Calais", "Georgetown Acension Island Santa Helena",
                     "Keene", "Medway", "Giverny", "Avignon", "London"}
    assert q(db, f"{q1} INTERSECT {q2}") == []
    assert len(q(db, f"{q1} EXCEPT {q2}")) == 5


# -- unnest.adoc -----------------------------------------------------------------

def test_unnest_example_1(db: QueryEngine) -> None:
    # unnest.adoc, "UNNEST an array to select an item"
    rows = q(db, "SELECT sched FROM `travel-sample` UNNEST schedule sched "
                 "WHERE sched.day = 1 LIMIT 3;")
    assert rows == [{"sched": {"day": 1, "flight": f, "utc": u}} for f, u in (
        ("AF356", "12:40:00"), ("AF480", "08:58:00"), ("AF250", "12:59:00"))]
    # ... and the same with a collection operator: three sets of flights
    rows = q(db, "SELECT ARRAY item FOR item IN schedule WHEN item.day = 1 END AS Monday_flights "
                 'FROM `travel-sample` WHERE type = "route" '
                 "AND ANY item IN schedule SATISFIES item.day = 1 END LIMIT 3;")
    assert [[f["flight"] for f in r["Monday_flights"]] for r in rows] == [
        ["AF356", "AF480", "AF250", "AF130"], ["AF517", "AF279", "AF753", "AF079", "AF756"],
        ["AF975", "AF225"]]


def test_unnest_example_2(db: QueryEngine) -> None:
    # unnest.adoc, "Use UNNEST to collect items from one array to use in another query"
    rows = q(db, "SELECT RAW r.author FROM `travel-sample` UNNEST reviews AS r "
                 'WHERE `travel-sample`.type = "hotel" AND r.ratings.Rooms < 2 LIMIT 4;')
    assert rows == ["Kayli Cronin", "Shanelle Streich", "Catharine Funk", "Tyson Beatty"]


def test_unnest_inner_and_left_outer(db: QueryEngine) -> None:
    # unnest.adoc, Unnest Type: INNER needs a non-empty array; LEFT OUTER gives at
    # least one result per left object.
    inner = q(db, 'SELECT h.name, r.author FROM `travel-sample` AS h INNER UNNEST h.reviews AS r '
                  'WHERE h.type = "hotel" AND h.name = "The Robins"')
    assert inner == []
    outer = q(db, 'SELECT h.name, r.author FROM `travel-sample` AS h LEFT UNNEST h.reviews AS r '
                  'WHERE h.type = "hotel" AND h.name = "The Robins"')
    assert outer == [{"name": "The Robins"}]
    flat = q(db, 'SELECT RAW r.author FROM `travel-sample` AS h FLATTEN h.reviews r '
                 'WHERE h.id = 10851')
    assert flat == ["Walton Wolf", "Catharine Funk"]


# -- let.adoc --------------------------------------------------------------------

LET_PLACE = ('place = (SELECT RAW t2.country FROM `travel-sample` t2 '
             'WHERE t2.type = "landmark")')


def test_let_number_operation_subquery(db: QueryEngine) -> None:
    # let.adoc, Ex1 (the page's result lists no "lon", though the query projects it)
    rows = q(db, "SELECT t1.airportname, t1.geo.lat, t1.geo.lon, t1.city, t1.type "
                 "FROM `travel-sample` t1 "
                 f"LET min_lat = 71, max_lat = ABS(t1.geo.lon)*4+1, {LET_PLACE} "
                 'WHERE t1.type = "airport" AND t1.geo.lat > min_lat '
                 "AND t1.geo.lat < max_lat AND t1.country IN place;")
    assert rows == [
        {"airportname": "Wiley Post Will Rogers Mem", "city": "Barrow", "lat": 71.285446,
         "lon": -156.766003, "type": "airport"},
        {"airportname": "Dillant Hopkins Airport", "city": "Keene", "lat": 72.270833,
         "lon": -42.098333, "type": "airport"},
    ]


def test_let_variable_in_an_array(db: QueryEngine) -> None:
    # let.adoc, Ex2
    rows = q(db, "SELECT t1.airline, t1.destinationairport, sch AS schedule "
                 "FROM `travel-sample` AS t1 "
                 "LET sch = ARRAY v FOR v IN t1.schedule WHEN v.day = 0 END "
                 'WHERE type = "route" AND t1.destinationairport = "CDG" AND t1.airline = "AI";')
    assert rows == [{"airline": "AI", "destinationairport": "CDG", "schedule": [
        {"day": 0, "flight": "AI988", "utc": "00:24:00"},
        {"day": 0, "flight": "AI972", "utc": "17:32:00"}]}]


def test_chained_let(db: QueryEngine) -> None:
    # let.adoc, Ex3: a LET variable used by a later one
    rows = q(db, "SELECT t1.airportname, t1.geo.lat, t1.geo.lon, t1.city, t1.type "
                 "FROM `travel-sample` t1 "
                 f"LET max_lat = ABS(t1.geo.lon)*4+1, min_lat = max_lat - 90, {LET_PLACE} "
                 'WHERE t1.type = "airport" AND t1.geo.lat > min_lat '
                 "AND t1.geo.lat < max_lat AND t1.country IN place;")
    assert rows == [{"airportname": "Wideawake Field",
                     "city": "Georgetown Acension Island Santa Helena",
                     "lat": -7.969597, "lon": -14.393664, "type": "airport"}]


def test_let_without_from(db: QueryEngine) -> None:
    # let.adoc, Purpose: LET "independently"
    assert q(db, "SELECT x + 1 AS y LET x = 41") == [{"y": 42}]


# -- limit.adoc (LIMIT and OFFSET) -------------------------------------------------

HOTELS = ('SELECT name, address, city, country, url FROM `travel-sample` '
          'WHERE type="hotel" AND vacancy = true')
VACANT = [
    {"address": "Capstone Road, ME7 3JE", "city": "Medway", "country": "United Kingdom",
     "name": "Medway Youth Hostel", "url": "http://www.yha.org.uk"},
    {"address": "6 rue aux Juifs", "city": "Giverny", "country": "France",
     "name": "The Robins", "url": "http://givernyguesthouse.com/robin.htm"},
]


def test_limit_examples(db: QueryEngine) -> None:
    # limit.adoc, Example 1 and Example 2 (LIMIT (20/10))
    assert q(db, f"{HOTELS} LIMIT 2;") == VACANT
    assert q(db, f"{HOTELS} LIMIT (20/10);") == VACANT


def test_limit_offset_rules(db: QueryEngine) -> None:
    # limit.adoc: evaluated after ORDER BY; a negative value is the same as LIMIT 0
    assert q(db, "SELECT RAW v FROM [5, 4, 3, 2, 1] AS v ORDER BY v LIMIT 2") == [1, 2]
    assert q(db, "SELECT RAW v FROM [5, 4, 3, 2, 1] AS v LIMIT -1") == []
    assert q(db, "SELECT RAW v FROM [5, 4, 3, 2, 1] AS v LIMIT 0") == []
    # limit.adoc: "The LIMIT and OFFSET clauses are evaluated after the ORDER BY clause."
    assert q(db, "SELECT RAW v FROM [5, 4, 3, 2, 1] AS v ORDER BY v LIMIT 2 OFFSET 1") == [2, 3]
    assert q(db, "SELECT RAW v FROM [5, 4, 3, 2, 1] AS v ORDER BY v OFFSET 3") == [4, 5]
    assert q(db, "SELECT RAW v FROM [5, 4, 3, 2, 1] AS v OFFSET 10") == []


def test_limit_must_be_a_number(db: QueryEngine) -> None:
    # limit.adoc, Arguments: "an expression that evaluates to an integer"
    with pytest.raises(N1QLError) as caught:
        q(db, "SELECT RAW v FROM [1] AS v LIMIT 'a'")
    assert caught.value.code == 5030
