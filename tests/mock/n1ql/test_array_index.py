"""Array indexes: CREATE INDEX on array expressions, used by ANY ... SATISFIES and UNNEST.

From the N1QL reference, indexing-arrays.adoc (examples C1-C8, the "Format of
Query Predicate" rules and the Summary table) and createindex.adoc. Every
indexed query's results are checked against the same query forced onto the
primary index, and the index is checked to be the access path in EXPLAIN.
"""

from __future__ import annotations

import json
import random

import pytest

from couchbase_mock.n1ql import MemoryDatastore, QueryEngine
from couchbase_mock.n1ql.errors import N1QLError
from couchbase_mock.n1ql.explain import operators

KS = "routes"
PATH = (KS, "_default", "_default")
AIRLINES = ["UA", "AA", "FL", "US", "DL"]


def route(i: int) -> dict:
    rnd = random.Random(i)
    schedule = [{"day": rnd.randrange(7),
                 "flight": f"{rnd.choice(AIRLINES)}{rnd.randrange(999):03d}",
                 "utc": f"{rnd.randrange(24):02d}:00:00"} for _ in range(rnd.randrange(0, 5))]
    doc = {"type": "route" if i % 5 else "airline", "stops": rnd.randrange(3),
           "schedule": schedule,
           "tags": rnd.sample(["a", "b", "c", "d", "e", "f"], rnd.randrange(4))}
    if schedule and i % 7 == 3:  # indexing-arrays.adoc: nested special_flights arrays
        schedule[0]["special_flights"] = [
            {"flight": f"AI{rnd.randrange(5)}{j}", "utc": "4:44:44"}
            for j in range(rnd.randrange(3))]
    if i == 7:
        doc["schedule"] = [{"day": 2, "flight": "US681", "utc": "19:20:00"},
                           {"day": 2, "flight": "US681", "utc": "19:20:00"}]  # twice: listed once
        doc["type"] = "route"
    if i == 8:
        del doc["schedule"]
    if i == 9:
        doc["schedule"] = "not an array"
    return doc


def make() -> QueryEngine:
    ds = MemoryDatastore()
    ds.create_bucket(KS)
    for i in range(200):
        ds.upsert(PATH, f"route_{i}", json.dumps(route(i)).encode())
    engine = QueryEngine(ds)
    engine.query(f"CREATE PRIMARY INDEX ON {KS}")
    return engine


@pytest.fixture
def eng() -> QueryEngine:
    return make()


def scan_of(engine: QueryEngine, stmt: str) -> dict:
    plan = engine.query("EXPLAIN " + stmt).results[0]["plan"]
    return next(op for op in operators(plan) if op["#operator"] in (
        "IndexScan3", "PrimaryScan3", "KeyScan"))


def distinct_scan(engine: QueryEngine, stmt: str) -> bool:
    plan = engine.query("EXPLAIN " + stmt).results[0]["plan"]
    return any(op["#operator"] == "DistinctScan" for op in operators(plan))


def check(engine: QueryEngine, stmt: str, index: str) -> list:
    """``stmt`` (with ``{}`` where a USE INDEX hint may go) uses ``index`` and
    gives the primary scan's rows; returns them sorted."""
    indexed = stmt.format("")
    assert scan_of(engine, indexed)["index"] == index, indexed
    forced = stmt.format("USE INDEX (`#primary`)")
    assert scan_of(engine, forced)["#operator"] == "PrimaryScan3"
    ix = engine.catalog.get(PATH, index)
    before = ix.scans
    got = engine.query(indexed).results
    assert ix.scans == before + 1
    key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
    want = engine.query(forced).results
    assert sorted(got, key=key) == sorted(want, key=key)
    return sorted(got, key=key)


def ids(rows: list) -> list:
    return sorted(r["id"] for r in rows)


# -- indexing-arrays.adoc examples ----------------------------------------------------


def test_c1_distinct_array_with_like(eng) -> None:
    # C1/Q1: DISTINCT ARRAY v.flight FOR v IN schedule END; ANY v ... LIKE 'UA%'.
    eng.query(f"CREATE INDEX idx_sched ON {KS} (DISTINCT ARRAY v.flight FOR v IN schedule END)")
    rows = check(eng, f"SELECT META().id FROM {KS} {{}} "
                      "WHERE ANY v IN schedule SATISFIES v.flight LIKE 'UA%' END", "idx_sched")
    assert rows and len(rows) == len(set(ids(rows)))  # each document once
    stmt = f"SELECT META().id FROM {KS} WHERE ANY v IN schedule SATISFIES v.flight LIKE 'UA%' END"
    assert distinct_scan(eng, stmt)
    assert scan_of(eng, stmt)["spans"][0]["range"] == [
        {"high": '"UB"', "inclusion": 1, "low": '"UA"'}]


def test_query_variable_name_may_differ_from_the_index(eng) -> None:
    # "Format of Query Predicate": arbitrary variable names (4.6.2 and later).
    eng.query(f"CREATE INDEX idx_sched ON {KS} (DISTINCT ARRAY v.flight FOR v IN schedule END)")
    check(eng, f"SELECT META(r).id FROM {KS} r {{}} "
               "WHERE ANY s IN r.schedule SATISFIES s.flight = 'US681' END", "idx_sched")


def test_c2_when_clause_must_be_implied_by_the_query(eng) -> None:
    # C2/Q2: ALL ARRAY v.flight FOR v IN schedule WHEN v.day < 4 END, WHERE type = "route".
    eng.query(f"CREATE INDEX idx_flight_day ON {KS} "
              "(ALL ARRAY v.flight FOR v IN schedule WHEN v.day < 4 END) WHERE type = 'route'")
    check(eng, f"SELECT META().id FROM {KS} {{}} WHERE type = 'route' AND ANY v IN schedule "
               "SATISFIES v.flight LIKE 'UA%' AND v.day < 4 END", "idx_flight_day")
    # without the WHEN condition (or the index's WHERE) the index could miss documents
    no_when = (f"SELECT META().id FROM {KS} WHERE type = 'route' AND "
               "ANY v IN schedule SATISFIES v.flight LIKE 'UA%' END")
    assert scan_of(eng, no_when)["#operator"] == "PrimaryScan3"
    no_where = f"SELECT META().id FROM {KS} WHERE ANY v IN schedule SATISFIES " \
               "v.flight LIKE 'UA%' AND v.day < 4 END"
    assert scan_of(eng, no_where)["#operator"] == "PrimaryScan3"


def test_c3_compound_index_with_a_leading_scalar_key(eng) -> None:
    # C3/Q3: (stops, DISTINCT ARRAY v.flight FOR v IN schedule END) WHERE type = "route".
    eng.query(f"CREATE INDEX idx_flight_stops ON {KS} "
              "(stops, DISTINCT ARRAY v.flight FOR v IN schedule END) WHERE type = 'route'")
    rows = check(eng, f"SELECT META().id FROM {KS} {{}} WHERE type = 'route' AND stops >= 1 "
                      "AND ANY v IN schedule SATISFIES v.flight LIKE 'FL%' END",
                 "idx_flight_stops")
    assert len(rows) == len(set(ids(rows)))


def test_c4_nested_array_index(eng) -> None:
    # C4/Q4: DISTINCT ARRAY (DISTINCT ARRAY y.flight FOR y IN x.special_flights END)
    # FOR x IN schedule END, used by a nested ANY.
    eng.query(f"CREATE INDEX idx_nested ON {KS} (DISTINCT ARRAY (DISTINCT ARRAY y.flight "
              "FOR y IN x.special_flights END) FOR x IN schedule END) WHERE type = 'route'")
    rows = check(eng, f"SELECT META().id FROM {KS} {{}} WHERE type = 'route' AND ANY x IN "
                      "schedule SATISFIES (ANY y IN x.special_flights SATISFIES y.flight "
                      "IS NOT NULL END) END", "idx_nested")
    assert rows
    rows = check(eng, f"SELECT META().id FROM {KS} {{}} WHERE type = 'route' AND ANY a IN "
                      "schedule SATISFIES ANY b IN a.special_flights SATISFIES b.flight = 'AI20' "
                      "END END", "idx_nested")
    assert len(rows) == len(set(ids(rows)))
    count = f"SELECT RAW COUNT(*) FROM {KS} {{}} WHERE type = 'route' AND ANY x IN schedule " \
            "SATISFIES (ANY y IN x.special_flights SATISFIES y.flight LIKE 'AI1%' END) END"
    check(eng, count, "idx_nested")
    # an ANY over the outer array alone does not use it
    outer = f"SELECT META().id FROM {KS} WHERE type = 'route' AND " \
            "ANY x IN schedule SATISFIES x.flight = 'AI20' END"
    assert scan_of(eng, outer)["#operator"] == "PrimaryScan3"
    key = eng.query("SELECT RAW index_key FROM system:indexes WHERE name = 'idx_nested'")
    assert "special_flights" in key.results[0][0]


def test_c5_array_of_several_element_fields(eng) -> None:
    # C5/Q5: DISTINCT ARRAY [v.flight, v.day] FOR v IN schedule END; = ["US681", 2].
    eng.query(f"CREATE INDEX idx_flight_day ON {KS} "
              "(DISTINCT ARRAY [v.flight, v.day] FOR v IN schedule END) WHERE type = 'route'")
    rows = check(eng, f"SELECT META().id FROM {KS} {{}} WHERE type = 'route' AND "
                      "ANY v IN schedule SATISFIES [v.flight, v.day] = ['US681', 2] END",
                 "idx_flight_day")
    assert ids(rows) == ["route_7"]  # its two equal elements give one row


def test_c6_simple_syntax_all_path(eng) -> None:
    # C6/Q6: (ALL schedule): the elements as they are, matched with an object.
    eng.query(f"CREATE INDEX idx_sched_simple ON {KS} (ALL schedule) WHERE type = 'route'")
    rows = check(eng, f"SELECT META().id FROM {KS} {{}} WHERE type = 'route' AND ANY v IN "
                      'schedule SATISFIES v = {{"day": 2, "flight": "US681", '
                      '"utc": "19:20:00"}} END', "idx_sched_simple")
    assert ids(rows) == ["route_7"]
    row = eng.query("SELECT RAW index_key FROM system:indexes WHERE name = 'idx_sched_simple'")
    assert row.results == [["(all `schedule`)"]]


def test_q6a_unnest_uses_an_all_index(eng) -> None:
    # Q6A and the Summary: UNNEST uses an ALL array index that leads the index.
    eng.query(f"CREATE INDEX idx_sched_simple ON {KS} (ALL schedule) WHERE type = 'route'")
    rows = check(eng, f"SELECT META(t).id, sch.utc FROM {KS} t {{}} UNNEST t.schedule sch "
                      "WHERE t.type = 'route' AND "
                      'sch = {{"day": 2, "flight": "US681", "utc": "19:20:00"}}',
                 "idx_sched_simple")
    assert rows == [{"id": "route_7", "utc": "19:20:00"}] * 2  # both elements, as unnested


def test_unnest_with_a_range_and_any_alias(eng) -> None:
    # C8A/Q8A: ALL ARRAY v.flight ...; UNNEST schedule v WHERE v.flight LIKE 'UA%'
    # (6.5 and later: any alias on the right of UNNEST).
    eng.query(f"CREATE INDEX idx_all ON {KS} (ALL ARRAY v.flight FOR v IN schedule END)")
    rows = check(eng, f"SELECT META(t).id, x.flight FROM {KS} t {{}} UNNEST t.schedule x "
                      "WHERE x.flight LIKE 'UA%'", "idx_all")
    assert rows and all(r["flight"].startswith("UA") for r in rows)
    stmt = f"SELECT x.flight FROM {KS} t UNNEST t.schedule x WHERE x.flight LIKE 'UA%'"
    assert not distinct_scan(eng, stmt)  # Q8A: a plain IndexScan3


def test_unnest_does_not_use_a_distinct_index(eng) -> None:
    # Summary table: UNNEST "only ALL"; Q8B's DISTINCT index is not used to cover it.
    eng.query(f"CREATE INDEX idx_d ON {KS} (DISTINCT ARRAY v.flight FOR v IN schedule END)")
    stmt = f"SELECT x.flight FROM {KS} t UNNEST t.schedule x WHERE x.flight LIKE 'UA%'"
    assert scan_of(eng, stmt)["#operator"] == "PrimaryScan3"


def test_any_and_every_uses_the_index_every_does_not(eng) -> None:
    # Q7A (ANY AND EVERY uses it) and Q7C (EVERY is evaluated without the array index).
    eng.query(f"CREATE INDEX idx_sched ON {KS} (DISTINCT ARRAY v.flight FOR v IN schedule END)")
    check(eng, f"SELECT META().id FROM {KS} {{}} "
               "WHERE ANY AND EVERY v IN schedule SATISFIES v.flight LIKE 'UA%' END", "idx_sched")
    every = f"SELECT META().id FROM {KS} WHERE EVERY v IN schedule SATISFIES " \
            "v.flight LIKE 'UA%' END"
    assert scan_of(eng, every)["#operator"] == "PrimaryScan3"


def test_a_predicate_on_another_array_or_field_does_not_use_it(eng) -> None:
    eng.query(f"CREATE INDEX idx_sched ON {KS} (DISTINCT ARRAY v.flight FOR v IN schedule END)")
    for where in ("ANY v IN tags SATISFIES v = 'a' END",
                  "ANY v IN schedule SATISFIES v.utc = '10:00:00' END",
                  "ANY v IN schedule SATISFIES v.flight = stops END"):
        stmt = f"SELECT META().id FROM {KS} WHERE {where}"
        assert scan_of(eng, stmt)["#operator"] == "PrimaryScan3", where


def test_within_index_serves_in_and_within(eng) -> None:
    # "IN vs. WITHIN": a WITHIN key serves both; an IN key only IN.
    eng.query(f"CREATE INDEX idx_in ON {KS} (DISTINCT ARRAY v FOR v IN tags END)")
    within = f"SELECT META().id FROM {KS} {{}} WHERE ANY v WITHIN tags SATISFIES v = 'a' END"
    assert scan_of(eng, within.format(""))["#operator"] == "PrimaryScan3"
    eng.query(f"CREATE INDEX idx_within ON {KS} (DISTINCT ARRAY v FOR v WITHIN tags END)")
    check(eng, within, "idx_within")


def test_index_follows_writes(eng) -> None:
    eng.query(f"CREATE INDEX idx_tags ON {KS} (DISTINCT ARRAY t FOR t IN tags END)")
    q = f"SELECT RAW META().id FROM {KS} WHERE ANY t IN tags SATISFIES t = 'zz' END"
    assert eng.query(q).results == []
    eng.query(f"UPDATE {KS} USE KEYS 'route_3' SET tags = ['zz', 'zz', 'y']")
    assert eng.query(q).results == ["route_3"]
    eng.query(f"UPDATE {KS} USE KEYS 'route_3' SET tags = ['y']")
    assert eng.query(q).results == []
    eng.datastore.upsert(PATH, "new", b'{"tags": ["zz"]}')
    assert eng.query(q).results == ["new"]
    eng.datastore.remove(PATH, "new")
    assert eng.query(q).results == []


def test_update_and_delete_use_the_array_index(eng) -> None:
    # indexing-arrays.adoc: the predicate in "a SELECT, UPDATE, or DELETE statement".
    eng.query(f"CREATE INDEX idx_tags ON {KS} (DISTINCT ARRAY t FOR t IN tags END)")
    where = "ANY t IN tags SATISFIES t = 'a' END"
    want = eng.query(f"SELECT RAW META().id FROM {KS} USE INDEX (`#primary`) WHERE {where}")
    plan = eng.query(f"EXPLAIN DELETE FROM {KS} WHERE {where}").results[0]["plan"]
    assert any(op.get("index") == "idx_tags" for op in operators(plan))
    res = eng.query(f"DELETE FROM {KS} WHERE {where} RETURNING RAW META().id")
    assert sorted(res.results) == sorted(want.results) and res.results


# -- implicit covered array index ---------------------------------------------------------


def _fetches(engine: QueryEngine, stmt: str) -> int:
    before = engine.stats["fetches"]
    engine.query(stmt)
    return engine.stats["fetches"] - before


def test_q8_implicit_covered_array_index(eng) -> None:
    # "Implicit Covered Array Index" C8/Q8: the ANY predicate is answered by the scan,
    # so SELECT meta().id reads no document; filter_covers lists the ANY.
    eng.query(f"CREATE INDEX idx_sched_covered_simple ON {KS} "
              "(DISTINCT ARRAY v.flight FOR v IN schedule END) WHERE type = 'route'")
    stmt = (f"SELECT META().id FROM {KS} {{}} WHERE type = 'route' "
            "AND ANY v IN schedule SATISFIES v.flight LIKE 'UA%' END")
    rows = check(eng, stmt, "idx_sched_covered_simple")
    assert rows and _fetches(eng, stmt.format("")) == 0
    op = scan_of(eng, stmt.format(""))
    assert op["covers"][-1] == "cover ((meta(`routes`).`id`))"
    assert op["filter_covers"] == {
        "cover ((`routes`.`type`))": "route",
        'cover (any `v` in (`routes`.`schedule`) satisfies ((`v`.`flight`) like "UA%") end)':
            True}


@pytest.mark.parametrize("satisfies", [
    "x = 'a'", "x IN ['a', 'b']", "x > 'b' AND x <= 'd'", "x BETWEEN 'b' AND 'c'",
    "x IS NOT NULL", "x LIKE 'c%'",
])
def test_exact_predicates_are_answered_by_the_scan(eng, satisfies) -> None:
    eng.query(f"CREATE INDEX idx_tags ON {KS} (ALL tags)")
    stmt = f"SELECT RAW META().id FROM {KS} {{}} WHERE ANY x IN tags SATISFIES {satisfies} END"
    check(eng, stmt, "idx_tags")
    assert _fetches(eng, stmt.format("")) == 0


@pytest.mark.parametrize("satisfies", [
    "x = 'a' AND x = 'b'",  # the spans keep one equality
    "x = $t",  # a parameter may be NULL
    "x = 'a' AND LENGTH(x) = 1",  # a predicate the scan does not decide
])
def test_other_predicates_fetch(eng, satisfies) -> None:
    eng.query(f"CREATE INDEX idx_tags ON {KS} (ALL tags)")
    stmt = f"SELECT RAW META().id FROM {KS} {{}} WHERE ANY x IN tags SATISFIES {satisfies} END"
    indexed = stmt.format("")
    assert scan_of(eng, indexed)["index"] == "idx_tags"
    before = eng.stats["fetches"]
    got = eng.query(indexed, named={"t": "a"}).results
    assert eng.stats["fetches"] > before
    want = eng.query(stmt.format("USE INDEX (`#primary`)"), named={"t": "a"}).results
    assert sorted(got) == sorted(want)


def test_reading_the_array_elsewhere_fetches(eng) -> None:
    eng.query(f"CREATE INDEX idx_tags ON {KS} (ALL tags)")
    stmt = f"SELECT tags FROM {KS} WHERE ANY x IN tags SATISFIES x = 'a' END"
    assert _fetches(eng, stmt) > 0
    every = f"SELECT RAW META().id FROM {KS} WHERE ANY AND EVERY x IN tags SATISFIES x = 'a' END"
    assert _fetches(eng, every) > 0  # ANY AND EVERY reads every element


# -- failures --------------------------------------------------------------------------


def test_two_array_keys_are_refused(eng) -> None:
    # GSI: "Multiple expressions with ALL are found. Only one array expression is
    # supported per index." (a 5000 error from CREATE INDEX).
    with pytest.raises(N1QLError) as info:
        eng.query(f"CREATE INDEX bad ON {KS} (DISTINCT ARRAY v FOR v IN tags END, "
                  "ALL ARRAY s.flight FOR s IN schedule END)")
    assert info.value.code == 5000
    assert "Only one array expression is supported per index" in info.value.msg
    assert eng.catalog.get(PATH, "bad") is None


@pytest.mark.parametrize("key", [
    "DISTINCT ARRAY v FOR v IN tags",  # no END
    "DISTINCT ARRAY FOR v IN tags END",  # no element expression
    "ALL ARRAY v FOR IN tags END",  # no variable
])
def test_malformed_array_keys_are_syntax_errors(eng, key) -> None:
    with pytest.raises(N1QLError) as info:
        eng.query(f"CREATE INDEX bad ON {KS} ({key})")
    assert info.value.code == 3000


def test_an_array_key_with_a_position_variable_is_refused(eng) -> None:
    with pytest.raises(N1QLError) as info:
        eng.query(f"CREATE INDEX bad ON {KS} (DISTINCT ARRAY v FOR i:v IN tags END)")
    assert info.value.code == 5000


# -- results equal a primary scan's, for many queries -----------------------------------


PREDICATES = [
    "v.flight = {s}", "v.flight < {s}", "v.flight >= {s}", "v.flight LIKE {p}",
    "v.flight BETWEEN {s} AND {s2}", "v.flight IN [{s}, {s2}]", "v.flight IS NOT NULL",
    "v.flight > {s} AND v.flight <= {s2}", "v.flight = {s} AND v.day > 2",
]


def _random_query(rnd: random.Random) -> str:
    def flight() -> str:
        return repr(f"{rnd.choice(AIRLINES)}{rnd.randrange(999):03d}")

    a, b = sorted([flight(), flight()])
    pred = rnd.choice(PREDICATES).format(s=a, s2=b, p=repr(rnd.choice(AIRLINES) + "%"))
    var = rnd.choice(["v", "x", "flight_1"])
    pred = pred.replace("v.", f"{var}.")
    extra = rnd.choice(["", " AND stops = 1", " AND type = 'route'"])
    what = rnd.choice(["META().id, stops", "RAW META().id"])  # the second may be covered
    return (f"SELECT {what} FROM {KS} {{}} WHERE ANY {var} IN schedule "
            f"SATISFIES {pred} END{extra}")


def test_array_index_agrees_with_a_primary_scan() -> None:
    engine = make()
    engine.query(f"CREATE INDEX idx_sched ON {KS} (DISTINCT ARRAY v.flight FOR v IN schedule END)")
    rnd = random.Random(13)
    for _ in range(150):
        check(engine, _random_query(rnd), "idx_sched")


def test_all_index_agrees_with_a_primary_scan_for_random_unnests() -> None:
    engine = make()
    engine.query(f"CREATE INDEX idx_all ON {KS} (ALL ARRAY v.flight FOR v IN schedule END)")
    rnd = random.Random(7)
    for _ in range(100):
        query = _random_query(rnd)
        pred = query.split("SATISFIES ")[1].rsplit(" END", 1)[0]
        var = query.split("WHERE ANY ")[1].split(" IN ")[0]
        check(engine, f"SELECT META(t).id, {var}.flight, {var}.day FROM {KS} t {{}} "
                      f"UNNEST t.schedule AS {var} WHERE {pred}", "idx_all")


def test_array_index_agrees_with_a_primary_scan_after_random_writes() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies
    engine = make()
    engine.query(f"CREATE INDEX idx_all ON {KS} (ALL ARRAY v.flight FOR v IN schedule END)")
    element = st.fixed_dictionaries({"flight": st.one_of(
        st.sampled_from(["UA001", "UA002", "AA001", "FL9"]), st.integers(0, 3), st.none()),
        "day": st.integers(0, 6)})

    @hypothesis.settings(max_examples=60, deadline=None, derandomize=True)
    @hypothesis.given(key=st.integers(0, 210), schedule=st.lists(element, max_size=4),
                      seed=st.integers(0, 10_000))
    def run(key: int, schedule: list, seed: int) -> None:
        engine.datastore.upsert(PATH, f"route_{key}", json.dumps(
            {"type": "route", "stops": key % 3, "schedule": schedule}).encode())
        check(engine, _random_query(random.Random(seed)), "idx_all")

    run()
