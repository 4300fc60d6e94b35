"""Aggregate functions of the N1QL language reference, checked against its examples.

Page: docs.couchbase.com/server/current/n1ql/n1ql-language-reference/aggregatefun.html
(sections named per test), and groupby.html for aggregates in GROUP BY.

The reference's examples run on travel-sample; the data here is built so the
examples' queries give their documented results: 63 London hotels whose first
review's Cleanliness ratings are -1 (2), 1 (23), 2, 3, 4 (one each) and 5 (35),
which gives every documented STDDEV/VARIANCE figure (and the distinct values
-1, 1, 2, 3, 4, 5 of the ARRAY_AGG(DISTINCT) example), and one "Sachas Hotel"
elsewhere. The spread statistics are compared to the last few bits
(``approx``): the server's summation order over its data decides the final bit.
"""

from __future__ import annotations

import json

import pytest

from couchbase_mock.n1ql import MemoryDatastore, N1QLError, QueryEngine

HOTEL = ("travel-sample", "inventory", "hotel")
RATINGS = [(-1, 2), (1, 23), (2, 1), (3, 1), (4, 1), (5, 35)]


@pytest.fixture(scope="module")
def db() -> QueryEngine:
    ds = MemoryDatastore()
    ds.create_collection(*HOTEL)
    n = 0
    for rating, count in RATINGS:
        for _ in range(count):
            n += 1
            doc = {"name": f"Hotel {n}", "city": "London",
                   "reviews": [{"ratings": {"Cleanliness": rating}}]}
            ds.upsert(HOTEL, f"hotel_{n:03}", json.dumps(doc).encode())
    sachas = {"name": "Sachas Hotel", "city": "Manchester",
              "reviews": [{"ratings": {"Cleanliness": 4}}]}
    ds.upsert(HOTEL, "hotel_900", json.dumps(sachas).encode())
    engine = QueryEngine(ds)
    engine.query("CREATE PRIMARY INDEX ON `travel-sample`.inventory.hotel")
    return engine


def one(engine: QueryEngine, statement: str) -> dict:
    results = engine.query(statement).results
    assert len(results) == 1
    return results[0]


LONDON = "FROM `travel-sample`.inventory.hotel WHERE city = \"London\""
SACHAS = "FROM `travel-sample`.inventory.hotel WHERE name = \"Sachas Hotel\""
CLEAN = "reviews[0].ratings.Cleanliness"

SPREAD = [
    # STDDEV: "sample standard deviation of all values", "of a single value", "of distinct values"
    (f"STDDEV({CLEAN})", LONDON, 2.0554275433769753),
    (f"STDDEV({CLEAN})", SACHAS, 0),
    (f"STDDEV(DISTINCT {CLEAN})", LONDON, 2.1602468994692865),
    # STDDEV_POP: all values, distinct values
    (f"STDDEV_POP({CLEAN})", LONDON, 2.0390493736539432),
    (f"STDDEV_POP(DISTINCT {CLEAN})", LONDON, 1.9720265943665387),
    # STDDEV_SAMP: a single value gives NULL
    (f"STDDEV_SAMP({CLEAN})", SACHAS, None),
    (f"STDDEV_SAMP({CLEAN})", LONDON, 2.0554275433769753),  # near-synonym for STDDEV
    # VARIANCE: all values, a single value, distinct values
    (f"VARIANCE({CLEAN})", LONDON, 4.224782386072708),
    (f"VARIANCE({CLEAN})", SACHAS, 0),
    (f"VARIANCE(DISTINCT {CLEAN})", LONDON, 4.666666666666667),
    # VARIANCE_POP (alias VAR_POP): all values, distinct values
    (f"VARIANCE_POP({CLEAN})", LONDON, 4.157722348198537),
    (f"VARIANCE_POP(DISTINCT {CLEAN})", LONDON, 3.8888888888888893),
    (f"VAR_POP({CLEAN})", LONDON, 4.157722348198537),
    # VARIANCE_SAMP (alias VAR_SAMP): a single value gives NULL
    (f"VARIANCE_SAMP({CLEAN})", SACHAS, None),
    (f"VAR_SAMP({CLEAN})", SACHAS, None),
    (f"VAR_SAMP({CLEAN})", LONDON, 4.224782386072708),
]


@pytest.mark.parametrize("call, source, expected", SPREAD)
def test_spread_statistics_as_documented(db: QueryEngine, call: str, source: str,
                                         expected: object) -> None:
    """aggregatefun.html: STDDEV, STDDEV_POP, STDDEV_SAMP, VARIANCE, VARIANCE_POP,
    VARIANCE_SAMP, VAR_POP, VAR_SAMP, their Examples sections."""
    got = one(db, f"SELECT {call} AS v {source}")["v"]
    if expected is None or expected == 0:
        assert got == expected and type(got) is type(expected)
    else:
        assert got == pytest.approx(expected, rel=1e-14)


def test_array_agg_distinct_lists_each_value_once_in_collation_order(db: QueryEngine) -> None:
    """aggregatefun.html ARRAY_AGG: "List all unique values of the Cleanliness reviews"."""
    row = one(db, f"SELECT ARRAY_AGG(DISTINCT {CLEAN}) AS UniqueReviews {LONDON}")
    assert row == {"UniqueReviews": [-1, 1, 2, 3, 4, 5]}


def test_array_agg_keeps_nulls_and_drops_missing(engine: QueryEngine) -> None:
    """aggregatefun.html ARRAY_AGG, Return Value: the non-MISSING values, including NULL;
    its first example lists them in collation order ("Reviews": [-1, -1, -1, ...])."""
    row = one(engine, "SELECT ARRAY_AGG(t.v) AS a FROM [{'v': 2}, {'v': null}, {}, {'v': 1}, "
                      "{'v': 'x'}, {'v': 1}] AS t")
    assert row == {"a": [None, 1, 1, 2, "x"]}


def test_countn_examples(engine: QueryEngine) -> None:
    """aggregatefun.html COUNTN: "The count of numeric values in a mixed group" (3) and
    "The count of unique numeric values" (2)."""
    source = 'FROM [{"val":1}, {"val":1}, {"val":2}, {"val":"abc"}] AS list'
    assert one(engine, f"SELECT COUNTN(list.val) AS CountOfNumbers {source}") == {
        "CountOfNumbers": 3}
    assert one(engine, f"SELECT COUNTN(DISTINCT list.val) AS CountOfNumbers {source}") == {
        "CountOfNumbers": 2}


ROUTES = ("FROM ARRAY_CONCAT(ARRAY_REPEAT({'stops': 0}, 24018), ARRAY_REPEAT({'stops': 1}, 6))"
          " AS route")


def test_avg_mean_sum_count_distinct_over_stops(engine: QueryEngine) -> None:
    """aggregatefun.html on the route keyspace's stops: COUNT (24024 routes with stops), SUM
    (6: "six flights have 1 stop"; DISTINCT: 1), COUNT(DISTINCT stops) (2), AVG ("Results in
    0.0002 since nearly all routes have 0 stops"; DISTINCT: "Results in 0.5"), MEAN (alias)."""
    row = one(engine, "SELECT AVG(stops) AS a, AVG(DISTINCT stops) AS ad, MEAN(stops) AS m, "
                      "MEAN(DISTINCT stops) AS md, SUM(stops) AS SumOfStops, "
                      "SUM(DISTINCT stops) AS SumOfDistinctStops, COUNT(stops) AS CountOfStops, "
                      f"COUNT(DISTINCT stops) AS CountOfDistinctStops {ROUTES}")
    assert round(row.pop("a"), 4) == 0.0002 and round(row.pop("m"), 4) == 0.0002
    assert row == {"ad": 0.5, "md": 0.5, "SumOfStops": 6, "SumOfDistinctStops": 1,
                   "CountOfStops": 24024, "CountOfDistinctStops": 2}


ALTITUDES = [0, 0, 0, 0, 361, 362, 758, 900, 1000, 1100]


def test_median_of_all_and_of_distinct_values(engine: QueryEngine) -> None:
    """aggregatefun.html MEDIAN: an even count gives the mean of the two middle values
    (the example's 361.5); DISTINCT takes each value once (the example's 758)."""
    source = f"FROM {json.dumps([{'geo': {'alt': a}} for a in ALTITUDES])} AS airport"
    assert one(engine, f"SELECT MEDIAN(geo.alt) AS MedianAltitude {source}") == {
        "MedianAltitude": 361.5}
    assert one(engine, f"SELECT MEDIAN(DISTINCT geo.alt) AS MedianDistinctAltitude {source}"
               ) == {"MedianDistinctAltitude": 758}


def test_median_ignores_non_numbers_and_odd_counts_take_the_middle(engine: QueryEngine) -> None:
    """aggregatefun.html MEDIAN, Return Value: the median of the number values."""
    row = one(engine, "SELECT MEDIAN(t) AS m FROM [5, 'x', 1, null, 3, true] AS t")
    assert row == {"m": 3}


def test_no_input_row_gives_zero_counts_and_null_for_the_rest(engine: QueryEngine) -> None:
    """aggregatefun.html Default Values: with no input row, COUNT functions return 0 and all
    other aggregate functions NULL."""
    names = ["SUM", "AVG", "MEAN", "MIN", "MAX", "ARRAY_AGG", "MEDIAN", "STDDEV", "STDDEV_POP",
             "STDDEV_SAMP", "VARIANCE", "VARIANCE_POP", "VARIANCE_SAMP", "VAR_POP", "VAR_SAMP"]
    terms = ", ".join(f"{n}(t.v) AS {n.lower()}" for n in names)
    row = one(engine, f"SELECT COUNT(*) AS cs, COUNT(t.v) AS c, COUNTN(t.v) AS cn, {terms} "
                      "FROM [] AS t")
    assert row == {"cs": 0, "c": 0, "cn": 0, **{n.lower(): None for n in names}}


def test_statistics_of_strings_only_are_null(engine: QueryEngine) -> None:
    """aggregatefun.html: "Returns NULL if there are no number values in the group"."""
    row = one(engine, "SELECT MEDIAN(t) AS m, STDDEV(t) AS s, VARIANCE_POP(t) AS v "
                      "FROM ['a', 'b'] AS t")
    assert row == {"m": None, "s": None, "v": None}


def test_filter_clause_picks_the_values_each_aggregate_uses(engine: QueryEngine) -> None:
    """aggregatefun.html FILTER Clause: only values for which the condition is TRUE are
    included, one condition per aggregate."""
    row = one(engine, "SELECT COUNT(*) FILTER (WHERE t > 2) AS big, "
                      "SUM(t) FILTER (WHERE t <= 2) AS small_sum, COUNT(*) AS n, "
                      "ARRAY_AGG(t) FILTER (WHERE t % 2 = 0) AS even "
                      "FROM [1, 2, 3, 4, 5] AS t")
    assert row == {"big": 3, "small_sum": 3, "n": 5, "even": [2, 4]}


def test_statistical_aggregates_per_group(engine: QueryEngine) -> None:
    """groupby.html: aggregates in a GROUP BY query, one value per group (and in HAVING)."""
    rows = engine.query(
        "SELECT t.g, MEDIAN(t.v) AS med, VARIANCE_POP(t.v) AS var, STDDEV_SAMP(t.v) AS sd "
        "FROM [{'g': 'a', 'v': 1}, {'g': 'a', 'v': 3}, {'g': 'b', 'v': 10}, "
        "{'g': 'c', 'v': 2}, {'g': 'c', 'v': 4}, {'g': 'c', 'v': 9}] AS t "
        "GROUP BY t.g HAVING MEDIAN(t.v) < 9 ORDER BY t.g").results
    assert rows == [{"g": "a", "med": 2, "var": 1, "sd": pytest.approx(2 ** 0.5)},
                    {"g": "c", "med": 4, "var": pytest.approx(26 / 3),
                     "sd": pytest.approx((13.0) ** 0.5)}]


@pytest.mark.parametrize("clause", [
    "WHERE MEDIAN(t) > 1",
    "WHERE STDDEV(t) > 1",
    "GROUP BY VARIANCE(t)",
])
def test_aggregates_are_not_allowed_outside_select_letting_having_order_by(
        engine: QueryEngine, clause: str) -> None:
    """aggregatefun.html: "You can only use aggregate functions in SELECT, LETTING, HAVING,
    and ORDER BY clauses"."""
    with pytest.raises(N1QLError) as e:
        engine.query(f"SELECT COUNT(*) AS n FROM [1, 2] AS t {clause}")
    assert e.value.code == 4210


def test_nested_statistical_aggregates_are_an_error(engine: QueryEngine) -> None:
    """An aggregate's argument may not contain another aggregate (refused when compiled)."""
    with pytest.raises(N1QLError) as e:
        engine.query("SELECT MEDIAN(STDDEV(t)) AS m FROM [1, 2] AS t")
    assert e.value.code in (4210, 5010)
