"""Adaptive indexes: DISTINCT PAIRS(SELF) and DISTINCT PAIRS({...}).

The reference: adaptive-indexing.adoc ("Index Key", "PAIRS() Function": SELF
indexes every field, an object constructor the named ones; examples C4/C5:
one adaptive index serves queries on any of its fields; "Partial Adaptive
Indexes": the WHERE's fields must be among the pairs; "Functional
Limitations" C8/Q8: the spans are [name, value] pairs), and metafun.adoc /
objectfun.adoc for PAIRS(). Every answer is compared with a primary scan.
"""

from __future__ import annotations

import json
import random

import pytest

from couchbase_mock.n1ql import QueryEngine
from couchbase_mock.n1ql.explain import operators

BS = "`beer-sample`"


def ids(engine: QueryEngine, stmt: str) -> list:
    return sorted(r["id"] for r in engine.query(stmt).results)


def index_scans(engine: QueryEngine, stmt: str) -> list:
    plan = engine.query("EXPLAIN " + stmt).results[0]["plan"]
    return [o for o in operators(plan) if o["#operator"] in ("IndexScan3", "PrimaryScan3")]


def same_as_primary(engine: QueryEngine, index: str, where: str) -> list:
    got = ids(engine, f"SELECT META().id FROM {BS} USE INDEX ({index}) WHERE {where}")
    want = ids(engine, f"SELECT META().id FROM {BS} USE INDEX (`#primary`) WHERE {where}")
    assert got == want, where
    return got


@pytest.fixture
def eng(fresh: QueryEngine) -> QueryEngine:
    fresh.query("DROP INDEX beer_type ON `beer-sample`")
    fresh.query("DROP INDEX beer_abv ON `beer-sample`")
    return fresh


def test_pairs_self_serves_any_field(eng) -> None:
    # adaptive-indexing.adoc C5: CREATE INDEX ai_self ON airport(DISTINCT PAIRS(self));
    # Q5/Q5A query different fields with the same index.
    eng.query(f"CREATE INDEX ai_self ON {BS}(DISTINCT PAIRS(self))")
    for where in ("city = 'Chico'", "state = 'California'", "abv > 9", "type = 'brewery'",
                  "name LIKE 'Big%'", "country IN ['Netherlands', 'Belgium']",
                  "ibu BETWEEN 10 AND 40", "geo.accuracy = 'ROOFTOP'"):
        stmt = f"SELECT META().id FROM {BS} WHERE {where}"
        [scan] = index_scans(eng, stmt)
        assert scan["index"] == "ai_self", where
        assert ids(eng, stmt) == same_as_primary(eng, "`#primary`", where)


def test_system_indexes_shows_the_key(eng) -> None:
    eng.query(f"CREATE INDEX ai_self ON {BS}(DISTINCT PAIRS(SELF))")
    [key] = eng.query("SELECT RAW index_key FROM system:indexes WHERE name = 'ai_self'").results
    assert key == ["(distinct pairs(self))"]


def test_pairs_of_named_fields(eng) -> None:
    # adaptive-indexing.adoc C4: one adaptive index over several named fields serves
    # Q1A..Q3A, each with a predicate on a different one of them.
    eng.query(f"CREATE INDEX ai_bc ON {BS}(DISTINCT PAIRS({{name, city, state}}))")
    for where in ("city = 'San Francisco'", "state = 'Tennessee'", "name = 'Anchor Brewing'"):
        stmt = f"SELECT META().id FROM {BS} WHERE {where}"
        assert index_scans(eng, stmt)[0]["index"] == "ai_bc"
        assert ids(eng, stmt) == same_as_primary(eng, "ai_bc", where)
    # a field the pairs do not hold: the primary index answers
    assert index_scans(eng, f"SELECT META().id FROM {BS} WHERE country = 'X'")[0][
        "#operator"] == "PrimaryScan3"


def test_explain_spans_are_name_value_pairs(eng) -> None:
    # adaptive-indexing.adoc C8/Q8: "Note how the index key values are represented in
    # the spans" ([name, value]); the array index scan is distinct.
    eng.query(f"CREATE INDEX ai_city ON {BS}(DISTINCT PAIRS({{city}}))")
    plan = eng.query(f"EXPLAIN SELECT META().id FROM {BS} WHERE city = 'Chico'").results[0]
    ops = list(operators(plan["plan"]))
    assert any(o["#operator"] == "DistinctScan" for o in ops)
    [scan] = [o for o in ops if o["#operator"] == "IndexScan3"]
    assert scan["spans"][0]["range"] == [
        {"high": '["city", "Chico"]', "inclusion": 3, "low": '["city", "Chico"]'}]


def test_regular_index_preferred_when_it_answers_as_much(eng) -> None:
    # "Functional Limitations": the simple index on the field performs better.
    eng.query(f"CREATE INDEX ai_self ON {BS}(DISTINCT PAIRS(self))")
    eng.query(f"CREATE INDEX by_city ON {BS}(city)")
    assert index_scans(eng, f"SELECT META().id FROM {BS} WHERE city = 'Chico'")[0][
        "index"] == "by_city"
    assert index_scans(eng, f"SELECT META().id FROM {BS} WHERE state = 'Tennessee'")[0][
        "index"] == "ai_self"


def test_partial_adaptive_index_needs_its_where_fields_in_the_pairs(eng) -> None:
    # "Partial Adaptive Indexes" C9A (WHERE on a field PAIRS leaves out: not chosen)
    # and C9B (the field is among the pairs: chosen).
    eng.query(f"CREATE INDEX c9a ON {BS}(DISTINCT PAIRS({{name, city}})) WHERE type = 'brewery'")
    stmt = f"SELECT META().id FROM {BS} WHERE type = 'brewery' AND city = 'Chico'"
    assert index_scans(eng, stmt)[0]["#operator"] == "PrimaryScan3"
    eng.query(f"CREATE INDEX c9b ON {BS}(DISTINCT PAIRS({{name, city, type}})) "
              "WHERE type = 'brewery'")
    assert index_scans(eng, stmt)[0]["index"] == "c9b"
    assert ids(eng, stmt) == ["sierra_nevada"]


def test_entries_follow_changes(eng) -> None:
    eng.query(f"CREATE INDEX ai_self ON {BS}(DISTINCT PAIRS(self))")
    eng.query(f"UPDATE {BS} USE KEYS 'anchor_brewing' SET city = 'Oakland'")
    eng.query(f"INSERT INTO {BS} (KEY, VALUE) VALUES ('new_one', "
              "{'city': 'Oakland', 'tags': ['a', 'b']})")
    assert ids(eng, f"SELECT META().id FROM {BS} WHERE city = 'Oakland'") == [
        "anchor_brewing", "new_one"]
    assert ids(eng, f"SELECT META().id FROM {BS} WHERE city = 'San Francisco'") == [
        "21st_amendment_brewery_cafe"]
    # an array field: its elements are pairs too, the WHERE decides
    assert same_as_primary(eng, "ai_self", "tags = ['a', 'b']") == ["new_one"]
    assert same_as_primary(eng, "ai_self", "tags = 'a'") == []


def test_results_equal_a_primary_scan(eng) -> None:
    # property: random predicates over many fields, with values of several types.
    eng.query(f"CREATE INDEX ai_self ON {BS}(DISTINCT PAIRS(self))")
    rnd = random.Random(2013)
    docs = eng.query(f"SELECT RAW b FROM {BS} b").results
    fields = ["city", "state", "abv", "ibu", "srm", "type", "name", "style", "category",
              "phone", "code", "brewery_id"]
    ops = ["=", "<", "<=", ">", ">="]
    for _ in range(60):
        f = rnd.choice(fields)
        values = [d[f] for d in docs if f in d] or [1]
        v = rnd.choice(values)
        kind = rnd.random()
        if kind < 0.6:
            where = f"{f} {rnd.choice(ops)} {json.dumps(v)}"
        elif kind < 0.8:
            where = f"{f} IN {json.dumps(rnd.sample(values, min(3, len(values))))}"
        else:
            where = f"{f} IS NOT NULL"
        if rnd.random() < 0.3:
            where += f" AND type = {json.dumps(rnd.choice(['beer', 'brewery']))}"
        same_as_primary(eng, "ai_self", where)
        assert index_scans(eng, f"SELECT META().id FROM {BS} USE INDEX (ai_self) "
                                f"WHERE {where}")[0]["index"] == "ai_self", where
