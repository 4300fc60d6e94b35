"""Window functions and the WINDOW clause of the N1QL language reference.

Pages (docs.couchbase.com/server/current/n1ql/n1ql-language-reference/...):
windowfun.html (each function's Example section), window.html (WINDOW clause
Examples 1-3, Window Frame Clause, Window Frame Extent, Window Frame
Exclusion), aggregatefun.html (aggregates used as window functions, FILTER).

The examples run on travel-sample's route and airport collections with LIMIT;
the documents here are the rows those examples show (ids, airlines, airports,
distances and altitudes as printed), plus rows whose partitions sort after
them, so each example's query gives its documented result.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
from typing import Any

import pytest

from couchbase_mock.n1ql import MemoryDatastore, N1QLError, QueryEngine

ROUTE = ("travel-sample", "inventory", "route")
AIRPORT = ("travel-sample", "inventory", "airport")

# (id, airline, sourceairport, destinationairport, distance)
ROUTES = [
    (125, "2L", "TXL", "ZRH", 770.9691328580009),
    (117, "2L", "TXL", "ZRH", 770.969132858001),
    (118, "2L", "TXL", "ZRH", 922.7579695456559),
    (126, "2L", "TXL", "ZRH", 922.7579695456559),
    (274, "3F", "TXL", "ZRH", 23.957943869396804),
    (276, "3F", "TXL", "ZRH", 23.957943869396804),
    (282, "3F", "TXL", "ZRH", 26.397914084363418),
    (283, "3F", "TXL", "ZRH", 26.397914084363418),
    (284, "3F", "TXL", "ZRH", 31.613003135476145),
    (285, "3F", "TXL", "ZRH", 31.613003135476145),
    (286, "3F", "TXL", "ZRH", 60.49012512494272),
    (287, "3F", "TXL", "ZRH", 60.490125124942736),
    (288, "3F", "TXL", "ZRH", 63.640308584677314),
    (289, "3F", "TXL", "ZRH", 63.640308584677314),
    (290, "3F", "TXL", "ZRH", 91.53839302649642),
    (291, "3F", "TXL", "ZRH", 91.53839302649642),
    # the FIRST_VALUE / LAST_VALUE / NTH_VALUE examples: routes from AAE and AAL
    (1001, "AF", "AAE", "MRS", 767.6526005881392),
    (1002, "AF", "AAE", "LYS", 1015.6529968903878),
    (1003, "AF", "AAE", "ORY", 1395.3690007167947),
    (1004, "AF", "AAE", "CDG", 1420.6731433915318),
    (1005, "SK", "AAL", "AAR", 99.89861063028253),
    (1006, "SK", "AAL", "OSL", 352.33081791745275),
    (1007, "SK", "AAL", "LGW", 928.284226131001),
    # a route without a distance (sorts last under NULLS LAST)
    (9999, "ZZ", "ZZZ", "ZZZ", None),
]
# the CUME_DIST / PERCENT_RANK / RATIO_TO_REPORT / ROW_NUMBER examples: routes to AAE and AAL,
# each distance its documented share of the destination's total
RATIOS = {"AAE": [(10201, 0.16690466642630636), (10190, 0.22082544177013463),
                  (10240, 0.3033841055547952), (10136, 0.3088857862487639)],
          "AAL": [(14392, 0.07236336293503035), (14867, 0.25521719160354467),
                  (22505, 0.6724194454614251)]}
for _dest, _shares in RATIOS.items():
    for _id, _share in _shares:
        ROUTES.append((_id, "BA", "LHR", _dest, _share * 5000))

# (name, country, alt) in the order the RANK / DENSE_RANK examples list them
AIRPORTS = [("Croisette Heliport", "France", 0), ("Andernos-Les-Bains", "France", 0),
            ("La Defense Heliport", "France", 0), ("Marigot Bus Stop", "France", 0),
            ("Lille", "France", 1), ("Le Palyvestre", "France", 7),
            ("Frejus Saint Raphael", "France", 7), ("Calais Dunkerque", "France", 12),
            ("Cote D\\'Azur", "France", 12), ("Propriano", "France", 13),
            ("Nowhere", "France", None), ("Anchorage", "United States", 152)]


def make_engine() -> QueryEngine:
    ds = MemoryDatastore()
    ds.create_collection(*ROUTE)
    ds.create_collection(*AIRPORT)
    for rid, airline, src, dst, distance in ROUTES:
        doc = {"id": rid, "airline": airline, "sourceairport": src, "destinationairport": dst}
        if distance is not None:
            doc["distance"] = distance
        ds.upsert(ROUTE, f"route_{rid:05}", json.dumps(doc).encode())
    for i, (name, country, alt) in enumerate(AIRPORTS):
        doc = {"airportname": name, "country": country, "geo": {"alt": alt}}
        if alt is None:
            del doc["geo"]
        ds.upsert(AIRPORT, f"airport_{i:03}", json.dumps(doc).encode())
    engine = QueryEngine(ds)
    engine.query("CREATE PRIMARY INDEX ON `travel-sample`.inventory.route")
    engine.query("CREATE PRIMARY INDEX ON `travel-sample`.inventory.airport")
    return engine


@pytest.fixture(scope="module")
def db() -> QueryEngine:
    return make_engine()


def q(engine: QueryEngine, statement: str) -> list:
    return engine.query(statement).results


FROM_ROUTE = "FROM `travel-sample`.inventory.route AS"

# -- windowfun.html, each function's Example ------------------------------------


def test_cume_dist(db: QueryEngine) -> None:
    """windowfun.html CUME_DIST(), Example."""
    rows = q(db, "SELECT d.id, d.destinationairport, CUME_DIST() OVER (PARTITION BY "
                 "d.destinationairport ORDER BY d.distance NULLS LAST) AS `rank` "
                 f"{FROM_ROUTE} d LIMIT 7")
    assert [(r["destinationairport"], r["id"], r["rank"]) for r in rows] == [
        ("AAE", 10201, 0.25), ("AAE", 10190, 0.5), ("AAE", 10240, 0.75), ("AAE", 10136, 1),
        ("AAL", 14392, 0.3333333333333333), ("AAL", 14867, 0.6666666666666666),
        ("AAL", 22505, 1)]


RANKS = [("Croisette Heliport", 0), ("Andernos-Les-Bains", 0), ("La Defense Heliport", 0),
         ("Marigot Bus Stop", 0), ("Lille", 1), ("Le Palyvestre", 7),
         ("Frejus Saint Raphael", 7), ("Calais Dunkerque", 12), ("Cote D\\'Azur", 12),
         ("Propriano", 13)]


@pytest.mark.parametrize("function, ranks", [
    ("DENSE_RANK", [1, 1, 1, 1, 2, 3, 3, 4, 4, 5]),
    ("RANK", [1, 1, 1, 1, 5, 6, 6, 8, 8, 10]),
])
def test_dense_rank_and_rank(db: QueryEngine, function: str, ranks: list) -> None:
    """windowfun.html DENSE_RANK() and RANK(), Example: airports of each country by altitude."""
    rows = q(db, f"SELECT a.airportname, a.geo.alt, {function}() OVER (PARTITION BY a.country "
                 "ORDER BY a.geo.alt NULLS LAST) AS `rank` "
                 "FROM `travel-sample`.inventory.airport AS a LIMIT 10")
    assert rows == [{"airportname": n, "alt": alt, "rank": r} for (n, alt), r in zip(RANKS, ranks)]


AAE_AAL = [("MRS", 767.6526005881392, "AAE"), ("LYS", 1015.6529968903878, "AAE"),
           ("ORY", 1395.3690007167947, "AAE"), ("CDG", 1420.6731433915318, "AAE"),
           ("AAR", 99.89861063028253, "AAL"), ("OSL", 352.33081791745275, "AAL"),
           ("LGW", 928.284226131001, "AAL")]


def by_source(rows: list, name: str) -> list:
    return [(r["destinationairport"], r["distance"], r["sourceairport"], r[name]) for r in rows]


def test_first_value(db: QueryEngine) -> None:
    """windowfun.html FIRST_VALUE(), Example: the shortest route from each airport."""
    rows = q(db, "SELECT r.sourceairport, r.destinationairport, r.distance, "
                 "FIRST_VALUE(r.distance) OVER (PARTITION BY r.sourceairport "
                 f"ORDER BY r.distance) AS `shortest_distance` {FROM_ROUTE} r LIMIT 7")
    shortest = {"AAE": 767.6526005881392, "AAL": 99.89861063028253}
    assert by_source(rows, "shortest_distance") == [(d, x, s, shortest[s]) for d, x, s in AAE_AAL]


def test_last_value_to_the_end_of_the_partition(db: QueryEngine) -> None:
    """windowfun.html LAST_VALUE(), Example (ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED
    FOLLOWING)."""
    rows = q(db, "SELECT r.sourceairport, r.destinationairport, r.distance, "
                 "LAST_VALUE(r.distance) OVER (PARTITION BY r.sourceairport ORDER BY r.distance "
                 "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS `longest_distance` "
                 f"{FROM_ROUTE} r LIMIT 7")
    longest = {"AAE": 1420.6731433915318, "AAL": 928.284226131001}
    assert by_source(rows, "longest_distance") == [(d, x, s, longest[s]) for d, x, s in AAE_AAL]


def test_last_value_default_frame_ends_at_the_current_row(db: QueryEngine) -> None:
    """windowfun.html LAST_VALUE(), callout 1: without the frame clause the frame ends at the
    current object, so the longest distance is the current distance."""
    rows = q(db, "SELECT r.distance, LAST_VALUE(r.distance) OVER (PARTITION BY r.sourceairport "
                 f"ORDER BY r.distance) AS l {FROM_ROUTE} r LIMIT 7")
    assert all(r["l"] == r["distance"] for r in rows) and len(rows) == 7


LAG_LEAD = [("2L", 770.9691328580009, 125), ("2L", 770.969132858001, 117),
            ("2L", 922.7579695456559, 118), ("2L", 922.7579695456559, 126),
            ("3F", 23.957943869396804, 274), ("3F", 23.957943869396804, 276),
            ("3F", 26.397914084363418, 282)]
PREVIOUS = ["No previous distance", 770.9691328580009, 770.969132858001, 922.7579695456559,
            "No previous distance", 23.957943869396804, 23.957943869396804]
NEXT = [770.969132858001, 922.7579695456559, 922.7579695456559, "No next distance",
        23.957943869396804, 26.397914084363418, 26.397914084363418]


def by_airline(rows: list, name: str) -> list:
    return [(r["airline"], r["distance"], r["id"], r[name]) for r in rows]


def test_lag(db: QueryEngine) -> None:
    """windowfun.html LAG(), Example: the next-shortest route of each airline."""
    rows = q(db, "SELECT r.airline, r.id, r.distance, LAG(r.distance, 1, "
                 "\"No previous distance\") OVER (PARTITION BY r.airline ORDER BY r.distance "
                 f"NULLS LAST) AS `previous-distance` {FROM_ROUTE} r LIMIT 7")
    assert by_airline(rows, "previous-distance") == [
        (a, d, i, p) for (a, d, i), p in zip(LAG_LEAD, PREVIOUS)]


def test_lead(db: QueryEngine) -> None:
    """windowfun.html LEAD(), Example: the next-longest route of each airline."""
    rows = q(db, "SELECT r.airline, r.id, r.distance, LEAD(r.distance, 1, \"No next distance\") "
                 "OVER (PARTITION BY r.airline ORDER BY r.distance NULLS LAST) AS `next-distance` "
                 f"{FROM_ROUTE} r LIMIT 7")
    assert by_airline(rows, "next-distance") == [
        (a, d, i, n) for (a, d, i), n in zip(LAG_LEAD, NEXT)]


@pytest.mark.parametrize("modifier, name, values", [
    ("FROM FIRST", "shortest_distance_but_1", {"AAE": 1015.6529968903878,
                                               "AAL": 352.33081791745275}),
    ("FROM LAST", "longest_distance_but_1", {"AAE": 1395.3690007167947,
                                             "AAL": 352.33081791745275}),
])
def test_nth_value(db: QueryEngine, modifier: str, name: str, values: dict) -> None:
    """windowfun.html NTH_VALUE(), Examples: the second shortest (FROM FIRST) and second
    longest (FROM LAST) route from each airport."""
    rows = q(db, "SELECT r.sourceairport, r.destinationairport, r.distance, "
                 f"NTH_VALUE(r.distance, 2) {modifier} OVER (PARTITION BY r.sourceairport "
                 "ORDER BY r.distance ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) "
                 f"AS `{name}` {FROM_ROUTE} r LIMIT 7")
    assert by_source(rows, name) == [(d, x, s, values[s]) for d, x, s in AAE_AAL]


def test_ntile(db: QueryEngine) -> None:
    """windowfun.html NTILE(), Example: each airline's routes in three tiles by distance."""
    rows = q(db, "SELECT r.airline, r.distance, NTILE(3) OVER (PARTITION BY r.airline "
                 f"ORDER BY r.distance) AS `ntile` {FROM_ROUTE} r LIMIT 16")
    assert [(r["airline"], r["ntile"]) for r in rows] == [
        ("2L", 1), ("2L", 1), ("2L", 2), ("2L", 3)] + [
        ("3F", t) for t in (1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3)]
    assert [r["distance"] for r in rows] == sorted(r["distance"] for r in rows[:4]) + sorted(
        r["distance"] for r in rows[4:])


def test_percent_rank(db: QueryEngine) -> None:
    """windowfun.html PERCENT_RANK(), Example."""
    rows = q(db, "SELECT d.id, d.destinationairport, PERCENT_RANK() OVER (PARTITION BY "
                 "d.destinationairport ORDER BY d.distance NULLS LAST) AS `rank` "
                 f"{FROM_ROUTE} d LIMIT 7")
    assert [(r["destinationairport"], r["id"], r["rank"]) for r in rows] == [
        ("AAE", 10201, 0), ("AAE", 10190, 0.3333333333333333), ("AAE", 10240, 0.6666666666666666),
        ("AAE", 10136, 1), ("AAL", 14392, 0), ("AAL", 14867, 0.5), ("AAL", 22505, 1)]


def test_ratio_to_report(db: QueryEngine) -> None:
    """windowfun.html RATIO_TO_REPORT(), Example: each route's share of its destination's total
    distance (no window order: the whole partition)."""
    rows = q(db, "SELECT d.id, d.destinationairport, RATIO_TO_REPORT(d.distance) OVER ("
                 f"PARTITION BY d.destinationairport) AS `distance-ratio` {FROM_ROUTE} d LIMIT 7")
    got = {(r["destinationairport"], r["id"]): r["distance-ratio"] for r in rows}
    assert got == {(dest, i): pytest.approx(share, rel=1e-12)
                   for dest, shares in RATIOS.items() for i, share in shares}


def test_row_number(db: QueryEngine) -> None:
    """windowfun.html ROW_NUMBER(), Example."""
    rows = q(db, "SELECT d.id, d.destinationairport, ROW_NUMBER() OVER (PARTITION BY "
                 "d.destinationairport ORDER BY d.distance NULLS LAST) AS `row` "
                 f"{FROM_ROUTE} d LIMIT 7")
    assert rows == [{"destinationairport": dest, "id": i, "row": n}
                    for dest, shares in RATIOS.items() for n, (i, _s) in enumerate(shares, 1)]


# -- window.html, WINDOW clause Examples ----------------------------------------


def test_window_clause_shared_definition(db: QueryEngine) -> None:
    """window.html Example 1: LEAD and LAG over one named window."""
    rows = q(db, "SELECT r.airline, r.id, r.distance, "
                 "LEAD(r.distance, 1, \"No next distance\") OVER win AS `next-distance`, "
                 "LAG(r.distance, 1, \"No previous distance\") OVER win AS `previous-distance` "
                 f"{FROM_ROUTE} r WINDOW win AS (PARTITION BY r.airline ORDER BY r.distance "
                 "NULLS LAST) LIMIT 7")
    assert [(r["airline"], r["distance"], r["id"], r["next-distance"], r["previous-distance"])
            for r in rows] == [(a, d, i, n, p)
                               for (a, d, i), n, p in zip(LAG_LEAD, NEXT, PREVIOUS)]


def test_window_clause_named_window_extends_another(db: QueryEngine) -> None:
    """window.html Example 2: win2 AS (win1 ORDER BY ...) reuses win1's partitioning; the
    rows come out in win2's order."""
    rows = q(db, "SELECT d.id, d.destinationairport, "
                 "RATIO_TO_REPORT(d.distance) OVER win1 AS `distance-ratio`, "
                 "ROW_NUMBER() OVER win2 AS `row` "
                 f"{FROM_ROUTE} d WINDOW win1 AS (PARTITION BY d.destinationairport), "
                 "win2 AS (win1 ORDER BY d.distance NULLS LAST) LIMIT 7")
    assert rows == [{"destinationairport": dest, "id": i,
                     "distance-ratio": pytest.approx(share, rel=1e-12), "row": n}
                    for dest, shares in RATIOS.items() for n, (i, share) in enumerate(shares, 1)]


def test_window_clause_inline_definition_extends_a_named_window(db: QueryEngine) -> None:
    """window.html Example 3: OVER (win ROWS BETWEEN ...) adds a frame to the named window."""
    rows = q(db, "SELECT r.sourceairport, r.destinationairport, r.distance, "
                 "FIRST_VALUE(r.distance) OVER win AS `shortest_distance`, "
                 "LAST_VALUE(r.distance) OVER (win ROWS BETWEEN UNBOUNDED PRECEDING AND "
                 "UNBOUNDED FOLLOWING) AS `longest_distance` "
                 f"{FROM_ROUTE} r WINDOW win AS (PARTITION BY r.sourceairport "
                 "ORDER BY r.distance) LIMIT 7")
    ends = {"AAE": (767.6526005881392, 1420.6731433915318),
            "AAL": (99.89861063028253, 928.284226131001)}
    assert [(r["destinationairport"], r["distance"], r["sourceairport"], r["shortest_distance"],
             r["longest_distance"]) for r in rows] == [(d, x, s) + ends[s] for d, x, s in AAE_AAL]


# -- frames, exclusion, options (window.html Window Frame Clause) ---------------

NUMS = "FROM [1, 2, 2, 3, 5] AS t"


def values(engine: QueryEngine, call: str, source: str = NUMS) -> list:
    return [r["v"] for r in q(engine, f"SELECT t, {call} AS v {source} ORDER BY t")]


@pytest.mark.parametrize("over, expected", [
    # no window order: the whole partition
    ("()", [13, 13, 13, 13, 13]),
    # window order, no frame: up to the current row and its peers (RANGE ... CURRENT ROW)
    ("(ORDER BY t)", [1, 5, 5, 8, 13]),
    ("(ORDER BY t ROWS UNBOUNDED PRECEDING)", [1, 3, 5, 8, 13]),
    ("(ORDER BY t ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)", [3, 5, 7, 10, 8]),
    ("(ORDER BY t ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)", [13, 12, 10, 8, 5]),
    ("(ORDER BY t ROWS 2 PRECEDING)", [1, 3, 5, 7, 10]),
    ("(ORDER BY t RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING)", [5, 8, 8, 7, 5]),
    ("(ORDER BY t DESC RANGE BETWEEN 1 PRECEDING AND CURRENT ROW)", [5, 7, 7, 3, 5]),
    ("(ORDER BY t GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW)", [1, 5, 5, 7, 8]),
    ("(ORDER BY t GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING)", [5, 7, 7, 8, 5]),
    # window.html Window Frame Exclusion
    ("(ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING "
     "EXCLUDE CURRENT ROW)", [12, 11, 11, 10, 8]),
    ("(ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING "
     "EXCLUDE GROUP)", [12, 9, 9, 10, 8]),
    ("(ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING "
     "EXCLUDE TIES)", [13, 11, 11, 13, 13]),
    ("(ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING "
     "EXCLUDE NO OTHERS)", [13, 13, 13, 13, 13]),
    # an implicitly empty frame gives the default value (window.html Window Frame Extent)
    ("(ORDER BY t ROWS BETWEEN 3 PRECEDING AND 2 PRECEDING)", [None, None, 1, 3, 4]),
])
def test_sum_over_frames(engine: QueryEngine, over: str, expected: list) -> None:
    """window.html Window Frame Clause / Extent / Exclusion; aggregatefun.html OVER Clause."""
    assert values(engine, f"SUM(t) OVER {over}") == expected


def test_range_offset_frame_on_non_numbers_is_empty(engine: QueryEngine) -> None:
    """window.html Window Frame Clause, NOTE: RANGE with an offset over a key that is not a
    number gives an empty frame: COUNT 0, other functions NULL."""
    rows = q(engine, "SELECT t.k, COUNT(*) OVER w AS c, SUM(t.v) OVER w AS s "
                     "FROM [{'k': 'a', 'v': 1}, {'k': 1, 'v': 2}, {'k': 2, 'v': 4}] AS t "
                     "WINDOW w AS (ORDER BY t.k RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) "
                     "ORDER BY t.v")
    assert rows == [{"k": "a", "c": 0, "s": None}, {"k": 1, "c": 1, "s": 2},
                    {"k": 2, "c": 2, "s": 6}]


def test_every_aggregate_as_a_window_function(engine: QueryEngine) -> None:
    """aggregatefun.html: every aggregate with an OVER clause (here a running frame)."""
    names = ["COUNT", "COUNTN", "SUM", "AVG", "MEAN", "MIN", "MAX", "ARRAY_AGG", "MEDIAN",
             "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VARIANCE", "VARIANCE_POP", "VARIANCE_SAMP",
             "VAR_POP", "VAR_SAMP"]
    terms = ", ".join(f"{n}(t) OVER (ORDER BY t ROWS UNBOUNDED PRECEDING) AS {n.lower()}"
                      for n in names)
    rows = q(engine, f"SELECT t, {terms} FROM [3, 1, 2] AS t ORDER BY t")
    assert [r["count"] for r in rows] == [1, 2, 3] == [r["countn"] for r in rows]
    assert [r["sum"] for r in rows] == [1, 3, 6]
    assert [r["avg"] for r in rows] == [1, 1.5, 2] == [r["mean"] for r in rows]
    assert [r["min"] for r in rows] == [1, 1, 1] and [r["max"] for r in rows] == [1, 2, 3]
    assert [r["array_agg"] for r in rows] == [[1], [1, 2], [1, 2, 3]]
    assert [r["median"] for r in rows] == [1, 1.5, 2]
    assert [r["stddev"] for r in rows] == [0, pytest.approx(0.5 ** 0.5), 1]
    assert [r["stddev_samp"] for r in rows] == [None, pytest.approx(0.5 ** 0.5), 1]
    assert [r["stddev_pop"] for r in rows] == [0, 0.5, pytest.approx((2 / 3) ** 0.5)]
    assert [r["variance"] for r in rows] == [0, 0.5, 1]
    assert [r["variance_samp"] for r in rows] == [None, 0.5, 1] == [r["var_samp"] for r in rows]
    assert [r["variance_pop"] for r in rows] == [0, 0.25, pytest.approx(2 / 3)]
    assert [r["var_pop"] for r in rows] == [0, 0.25, pytest.approx(2 / 3)]


def test_distinct_and_filter_in_window_aggregates(engine: QueryEngine) -> None:
    """aggregatefun.html Aggregate Quantifier and FILTER Clause, with an OVER clause."""
    assert values(engine, "COUNT(DISTINCT t) OVER (ORDER BY t)") == [1, 2, 2, 3, 4]
    assert values(engine, "SUM(t) FILTER (WHERE t > 1) OVER ()") == [12] * 5
    assert values(engine, "COUNT(*) FILTER (WHERE t = 2) OVER (ORDER BY t)") == [0, 2, 2, 2, 2]


def test_nulls_modifier_and_from_last(engine: QueryEngine) -> None:
    """windowfun.html Nulls Modifier (IGNORE NULLS skips NULL and MISSING values) and From
    Modifier (FROM LAST counts from the frame's end)."""
    source = "FROM [{'i': 1, 'v': 10}, {'i': 2, 'v': null}, {'i': 3}, {'i': 4, 'v': 40}] AS t"
    calls = {
        "lag": "LAG(t.v) OVER (ORDER BY t.i)",
        "lag_ign": "LAG(t.v) IGNORE NULLS OVER (ORDER BY t.i)",
        "lead_ign": "LEAD(t.v, 1, 0) IGNORE NULLS OVER (ORDER BY t.i)",
        "last": "LAST_VALUE(t.v) OVER (ORDER BY t.i)",
        "last_ign": "LAST_VALUE(t.v) IGNORE NULLS OVER (ORDER BY t.i)",
        "first_ign": "FIRST_VALUE(t.v) IGNORE NULLS OVER (ORDER BY t.i ROWS BETWEEN "
                     "1 FOLLOWING AND UNBOUNDED FOLLOWING)",
        "nth_last": "NTH_VALUE(t.v, 1) FROM LAST IGNORE NULLS OVER (ORDER BY t.i ROWS BETWEEN "
                    "UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)",
    }
    terms = ", ".join(f"{c} AS `{n}`" for n, c in calls.items())
    rows = q(engine, f"SELECT t.i, {terms} {source} ORDER BY t.i")
    assert [r["lag"] for r in rows] == [None, 10, None, None]
    assert [r["lag_ign"] for r in rows] == [None, 10, 10, 10]
    assert [r["lead_ign"] for r in rows] == [40, 40, 40, 0]
    assert [r["last"] for r in rows] == [10, None, None, 40]
    assert [r["last_ign"] for r in rows] == [10, 10, 10, 40]
    assert [r["first_ign"] for r in rows] == [40, 40, 40, None]
    assert [r["nth_last"] for r in rows] == [40, 40, 40, 40]


def test_lag_and_lead_offsets(engine: QueryEngine) -> None:
    """windowfun.html LAG()/LEAD() Arguments: offset (default 1) and default (default NULL)."""
    assert values(engine, "LAG(t, 2) OVER (ORDER BY t)") == [None, None, 1, 2, 2]
    assert values(engine, "LEAD(t, 3, -1) OVER (ORDER BY t)") == [3, 5, -1, -1, -1]


def test_ntile_puts_the_extra_objects_in_the_lower_tiles(engine: QueryEngine) -> None:
    """windowfun.html NTILE(): "puts more objects into the lower-numbered tiles"; a fraction
    is truncated; more tiles than objects gives one object per tile."""
    assert values(engine, "NTILE(2) OVER (ORDER BY t)") == [1, 1, 1, 2, 2]
    assert values(engine, "NTILE(2.9) OVER (ORDER BY t)") == [1, 1, 1, 2, 2]
    assert values(engine, "NTILE(10) OVER (ORDER BY t)") == [1, 2, 3, 4, 5]


def test_ranking_without_window_order_makes_every_object_a_peer(engine: QueryEngine) -> None:
    """window.html Window Order Clause: without it RANK, DENSE_RANK, PERCENT_RANK and
    CUME_DIST give the same result for each object -- here with ORDER BY omitted from
    ROW_NUMBER only, which still numbers every object."""
    assert sorted(values(engine, "ROW_NUMBER() OVER ()")) == [1, 2, 3, 4, 5]


def test_window_function_over_an_aggregate_after_group_by(engine: QueryEngine) -> None:
    """windowfun.html Usage: window functions run after GROUP BY and HAVING, so they can rank
    groups by an aggregate; and the query ORDER BY may use a window function."""
    rows = q(engine, "SELECT t.g, SUM(t.v) AS total, RANK() OVER (ORDER BY SUM(t.v) DESC) AS r, "
                     "SUM(SUM(t.v)) OVER () AS everything "
                     "FROM [{'g': 'a', 'v': 1}, {'g': 'b', 'v': 5}, {'g': 'a', 'v': 2}, "
                     "{'g': 'c', 'v': 3}, {'g': 'd', 'v': 9}] AS t "
                     "GROUP BY t.g HAVING SUM(t.v) > 2 ORDER BY ROW_NUMBER() OVER (ORDER BY t.g)")
    assert rows == [{"g": "a", "total": 3, "r": 3, "everything": 20},
                    {"g": "b", "total": 5, "r": 2, "everything": 20},
                    {"g": "c", "total": 3, "r": 3, "everything": 20},
                    {"g": "d", "total": 9, "r": 1, "everything": 20}]


def test_window_value_in_raw_projection_and_distinct(engine: QueryEngine) -> None:
    """selectclause.html: the projection (RAW, DISTINCT) is applied after the window stage."""
    got = q(engine, "SELECT DISTINCT RAW RANK() OVER (ORDER BY t) FROM [1, 2, 2, 3, 5] AS t")
    assert sorted(got) == [1, 2, 4, 5]


# -- failures --------------------------------------------------------------------


@pytest.mark.parametrize("statement", [
    # windowfun.html Usage: only in the SELECT projection and the query ORDER BY
    "SELECT t FROM [1, 2] AS t WHERE ROW_NUMBER() OVER (ORDER BY t) = 1",
    "SELECT t FROM [1, 2] AS t LET r = RANK() OVER (ORDER BY t)",
    "SELECT COUNT(*) AS n FROM [1, 2] AS t GROUP BY ROW_NUMBER() OVER ()",
    "SELECT COUNT(*) AS n FROM [1, 2] AS t GROUP BY t HAVING SUM(t) OVER () > 1",
    # windowfun.html Usage NOTE: no window function nested in another
    "SELECT SUM(ROW_NUMBER() OVER (ORDER BY t)) OVER () AS v FROM [1, 2] AS t",
    # windowfun.html Window Specification: these functions must have a window order clause
    "SELECT RANK() OVER () AS v FROM [1, 2] AS t",
    "SELECT LAG(t) OVER (PARTITION BY t) AS v FROM [1, 2] AS t",
    "SELECT NTILE(2) OVER () AS v FROM [1, 2] AS t",
    # ... and no window frame clause
    "SELECT ROW_NUMBER() OVER (ORDER BY t ROWS UNBOUNDED PRECEDING) AS v FROM [1, 2] AS t",
    "SELECT LEAD(t) OVER (ORDER BY t ROWS UNBOUNDED PRECEDING) AS v FROM [1, 2] AS t",
    # window.html Window Frame Extent: the explicit violations
    "SELECT SUM(t) OVER (ORDER BY t ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) AS v "
    "FROM [1, 2] AS t",
    "SELECT SUM(t) OVER (ORDER BY t RANGE BETWEEN 1 FOLLOWING AND 1 PRECEDING) AS v "
    "FROM [1, 2] AS t",
    "SELECT SUM(t) OVER (ORDER BY t GROUPS BETWEEN 1 FOLLOWING AND CURRENT ROW) AS v "
    "FROM [1, 2] AS t",
    # ... the offset: a positive number, an integer for ROWS and GROUPS
    "SELECT SUM(t) OVER (ORDER BY t ROWS -1 PRECEDING) AS v FROM [1, 2] AS t",
    "SELECT SUM(t) OVER (ORDER BY t ROWS 1.5 PRECEDING) AS v FROM [1, 2] AS t",
    "SELECT SUM(t) OVER (ORDER BY t GROUPS 'a' PRECEDING) AS v FROM [1, 2] AS t",
    # window.html Window Frame Clause: only with a window order clause; a RANGE offset needs
    # exactly one ordering term
    "SELECT SUM(t) OVER (ROWS UNBOUNDED PRECEDING) AS v FROM [1, 2] AS t",
    "SELECT SUM(t) OVER (ORDER BY t, t RANGE 1 PRECEDING) AS v FROM [1, 2] AS t",
    # window.html Window Reference: an undefined name; a frame in the referenced window; a
    # second PARTITION BY or ORDER BY
    "SELECT SUM(t) OVER w AS v FROM [1, 2] AS t",
    "SELECT SUM(t) OVER (w) AS v FROM [1, 2] AS t WINDOW w AS (ORDER BY t ROWS CURRENT ROW)",
    "SELECT SUM(t) OVER (w PARTITION BY t) AS v FROM [1, 2] AS t WINDOW w AS (ORDER BY t)",
    "SELECT SUM(t) OVER (w ORDER BY t) AS v FROM [1, 2] AS t WINDOW w AS (ORDER BY t)",
    "SELECT SUM(t) OVER w2 AS v FROM [1, 2] AS t WINDOW w2 AS (w1), w1 AS (ORDER BY t)",
    # FILTER is for aggregates only (aggregatefun.html FILTER Clause); DISTINCT likewise
    "SELECT ROW_NUMBER() FILTER (WHERE t > 1) OVER () AS v FROM [1, 2] AS t",
    "SELECT FIRST_VALUE(DISTINCT t) OVER () AS v FROM [1, 2] AS t",
])
def test_window_semantic_errors(engine: QueryEngine, statement: str) -> None:
    """The query service's window semantic error (3220), or a syntax error (3000) where the
    grammar does not allow the form."""
    with pytest.raises(N1QLError) as e:
        engine.query(statement)
    assert e.value.code in (3220, 3000), e.value.msg


@pytest.mark.parametrize("statement", [
    "SELECT RANK() AS v FROM [1, 2] AS t",  # a window function needs OVER
    "SELECT t FROM [1, 2] AS t WHERE ROW_NUMBER() OVER (ORDER BY t ROWS 1 FOLLOWING) = 1",
    "SELECT SUM(t) OVER (ORDER BY t ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW) AS v "
    "FROM [1, 2] AS t",
    "SELECT UPPER(t) OVER () AS v FROM ['a'] AS t",
])
def test_window_syntax_errors(engine: QueryEngine, statement: str) -> None:
    """window.html / windowfun.html grammar: forms outside it are syntax errors (3000)."""
    with pytest.raises(N1QLError) as e:
        engine.query(statement)
    assert e.value.code == 3000


@pytest.mark.parametrize("tiles", ["0", "-2", "'three'", "null"])
def test_ntile_needs_a_positive_number(engine: QueryEngine, tiles: str) -> None:
    """windowfun.html NTILE() Arguments: num_tiles "must evaluate to a number" (of tiles)."""
    with pytest.raises(N1QLError) as e:
        engine.query(f"SELECT NTILE({tiles}) OVER (ORDER BY t) AS v FROM [1, 2] AS t")
    assert e.value.code == 5010


def test_frame_offset_from_a_parameter_is_checked_when_run(engine: QueryEngine) -> None:
    """window.html Window Frame Extent: valexpr must evaluate to a positive number."""
    ok = engine.query("SELECT t, SUM(t) OVER (ORDER BY t ROWS $n PRECEDING) AS v "
                      "FROM [1, 2, 3] AS t ORDER BY t", named={"n": 1}).results
    assert [r["v"] for r in ok] == [1, 3, 5]
    with pytest.raises(N1QLError) as e:
        engine.query("SELECT SUM(t) OVER (ORDER BY t ROWS $n PRECEDING) AS v FROM [1, 2] AS t",
                     named={"n": -1})
    assert e.value.code == 5010


def test_window_is_still_an_identifier(engine: QueryEngine) -> None:
    """WINDOW starts the clause only as ``WINDOW name AS (``; escaped (both are reserved
    words, reservedwords.adoc) it may name a field, and OVER may be an alias."""
    rows = q(engine, "SELECT t.`window`, SUM(t.v) `over` FROM [{'window': 1, 'v': 2}] AS t "
                     "GROUP BY t.`window`")
    assert rows == [{"window": 1, "over": 2}]


# -- size -------------------------------------------------------------------------


def test_running_frames_are_linear_in_the_partition_size(engine: QueryEngine) -> None:
    """A running aggregate (the default frame) over one partition of N rows is computed
    incrementally: 40,000 rows take about as long per row as 10,000."""
    def seconds(n: int) -> float:
        start = time.perf_counter()
        rows = q(engine, "SELECT RAW SUM(t) OVER (ORDER BY t) + COUNT(t) OVER (ORDER BY t ROWS "
                         f"UNBOUNDED PRECEDING) + MEDIAN(t) OVER (ORDER BY t) "
                         f"FROM ARRAY_RANGE(0, {n}) AS t")
        assert len(rows) == n
        return time.perf_counter() - start

    small, big = seconds(10000), seconds(40000)
    assert big < 10 * small + 0.5  # linear (x4) with room for a loaded machine; not x16


def test_explain_prints_the_window_clause(engine: QueryEngine) -> None:
    """explain.html: EXPLAIN shows each projected expression; a window call keeps its OVER
    clause (and an aggregate its FILTER clause) in that text."""
    plan = json.dumps(q(engine, "EXPLAIN SELECT SUM(t) FILTER (WHERE t > 1) OVER (ORDER BY t "
                                "ROWS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE TIES) AS s "
                                "FROM [1, 2] AS t"))
    assert ("sum(`t`) filter (where (`t` > 1)) over (order by `t` rows between 1 preceding "
            "and current row exclude ties)") in plan


def test_window_functions_through_the_query_service(mock_cluster: Any) -> None:
    """The query service runs window queries like any other: results in the response's
    ``results``, numbers written as the service writes them; a misplaced window function is
    a fatal 3220 in ``errors``."""
    def post(statement: str) -> dict:
        conn = http.client.HTTPConnection(mock_cluster.host, mock_cluster.nodes[0].query_port,
                                          timeout=30)
        auth = base64.b64encode(b"Administrator:password").decode()
        try:
            conn.request("POST", "/query/service", body=json.dumps({"statement": statement}),
                         headers={"Content-Type": "application/json",
                                  "Authorization": f"Basic {auth}"})
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    ok = post("SELECT t, CUME_DIST() OVER (ORDER BY t) AS c, ROW_NUMBER() OVER w AS r "
              "FROM [3, 1, 2] AS t WINDOW w AS (ORDER BY t DESC) ORDER BY t")
    assert ok["status"] == "success"
    assert ok["results"] == [{"t": 1, "c": 0.3333333333333333, "r": 3},
                             {"t": 2, "c": 0.6666666666666666, "r": 2},
                             {"t": 3, "c": 1, "r": 1}]
    bad = post("SELECT t FROM [1] AS t WHERE RANK() OVER (ORDER BY t) = 1")
    assert bad["status"] == "fatal" and bad["errors"][0]["code"] == 3220
