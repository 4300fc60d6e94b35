"""Covering indexes: a query whose every field is in the index is answered from it.

From the N1QL reference, covering-indexes.adoc: the covered query's plan has
an IndexScan with ``covers`` and no Fetch, and does not read documents from
the data service; a query that needs a field outside the index fetches. The
fetches are counted (``QueryEngine.stats["fetches"]``), and every covered
result is compared with the same query answered from the documents.
"""

from __future__ import annotations

import json

import pytest

from couchbase_mock.n1ql import QueryEngine
from couchbase_mock.n1ql.explain import operators

BS = "`beer-sample`"


@pytest.fixture
def eng(fresh: QueryEngine) -> QueryEngine:
    fresh.query(f"CREATE INDEX idx_state ON {BS}(state, type)")
    return fresh


def run(engine: QueryEngine, stmt: str) -> tuple[list, int]:
    before = engine.stats["fetches"]
    rows = engine.query(stmt).results
    return rows, engine.stats["fetches"] - before


def plan_names(engine: QueryEngine, stmt: str) -> list:
    plan = engine.query("EXPLAIN " + stmt).results[0]["plan"]
    return [op["#operator"] for op in operators(plan)]


def scan(engine: QueryEngine, stmt: str) -> dict:
    plan = engine.query("EXPLAIN " + stmt).results[0]["plan"]
    return next(op for op in operators(plan) if op["#operator"] == "IndexScan3")


def covered(engine: QueryEngine, stmt: str, hint: str = "") -> list:
    """``stmt`` (``{}``: where ``hint`` or the primary index hint goes) runs
    without a fetch and gives what the documents give."""
    rows, fetches = run(engine, stmt.format(hint))
    assert fetches == 0, stmt
    assert "Fetch" not in plan_names(engine, stmt.format(hint))
    want, fetched = run(engine, stmt.format("USE INDEX (`#primary`)"))
    assert fetched > 0
    key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
    assert sorted(rows, key=key) == sorted(want, key=key)
    return rows


def test_reference_covered_query(eng) -> None:
    # covering-indexes.adoc: CREATE INDEX idx_state ON `travel-sample` (state, type);
    # EXPLAIN SELECT state FROM `travel-sample` WHERE type="hotel" AND state = "CA".
    stmt = f"SELECT state FROM {BS} {{}} WHERE type = 'brewery' AND state = 'California'"
    rows = covered(eng, stmt)
    assert rows == [{"state": "California"}] * 3
    op = scan(eng, stmt.format(""))
    assert op["index"] == "idx_state"
    assert op["covers"] == ["cover ((`beer-sample`.`state`))", "cover ((`beer-sample`.`type`))",
                            "cover ((meta(`beer-sample`).`id`))"]
    assert op["index_projection"] == {"entry_keys": [0, 1]}
    names = [n for n in plan_names(eng, stmt.format("")) if n not in ("Sequence", "Parallel")]
    assert names == ["IndexScan3", "Filter", "InitialProject"]
    plan = eng.query("EXPLAIN " + stmt.format("")).results[0]["plan"]
    filt, project = plan["~children"][1]["~child"]["~children"]
    assert filt["condition"] == ('((cover ((`beer-sample`.`type`)) = "brewery") and '
                                 '(cover ((`beer-sample`.`state`)) = "California"))')
    assert project["result_terms"] == [{"expr": "cover ((`beer-sample`.`state`))"}]


def test_reference_field_outside_the_index_fetches(eng) -> None:
    # covering-indexes.adoc: SELECT state, city ... USE INDEX (idx_state): a key-value fetch.
    stmt = f"SELECT state, city FROM {BS} USE INDEX (idx_state) " \
           "WHERE type = 'brewery' AND state = 'California'"
    rows, fetches = run(eng, stmt)
    assert sorted(r["city"] for r in rows) == ["Chico", "San Francisco", "San Francisco"]
    assert fetches == 3
    op = scan(eng, stmt)
    assert "covers" not in op and op["index_projection"] == {"primary_key": True}
    assert "Fetch" in plan_names(eng, stmt)


def test_a_wider_index_covers_the_wider_query(eng) -> None:
    # covering-indexes.adoc: CREATE INDEX idx_state_city ... (state, type, city).
    eng.query(f"CREATE INDEX idx_state_city ON {BS}(state, type, city)")
    covered(eng, f"SELECT state, city FROM {BS} {{}} "
                 "WHERE type = 'brewery' AND state = 'California'", "USE INDEX (idx_state_city)")


def test_expressions_aggregates_and_order(eng) -> None:
    # covering-indexes.adoc "Expressions and Aggregates": MAX(country) ..., country || city.
    covered(eng, f"SELECT MAX(type) AS m, COUNT(*) AS n FROM {BS} {{}} WHERE state >= 'C'")
    covered(eng, f"SELECT state || '/' || type AS st FROM {BS} {{}} WHERE state LIKE 'Z%'")
    covered(eng, f"SELECT state, COUNT(1) AS n FROM {BS} {{}} WHERE state IS NOT NULL "
                 "GROUP BY state ORDER BY state")


def test_meta_id_is_covered_other_meta_fields_are_not(eng) -> None:
    rows = covered(eng, f"SELECT META().id, state FROM {BS} {{}} WHERE state = 'Tennessee'")
    assert rows == [{"id": "big_river", "state": "Tennessee"}]
    _, fetches = run(eng, f"SELECT META().cas FROM {BS} WHERE state = 'Tennessee'")
    assert fetches == 1


def test_star_and_whole_document_are_not_covered(eng) -> None:
    for stmt in (f"SELECT * FROM {BS} WHERE state = 'Tennessee'",
                 f"SELECT b FROM {BS} b WHERE b.state = 'Tennessee'",
                 f"SELECT b.state FROM {BS} b WHERE b.state = 'Tennessee' "
                 "AND b.geo.lat > 0"):
        _, fetches = run(eng, stmt)
        assert fetches == 1, stmt
        assert "Fetch" in plan_names(eng, stmt)


def test_partial_index_covers_its_where_fields(fresh) -> None:
    # indexing-arrays.adoc Q7: "filter_covers" hold the index's WHERE fields.
    fresh.query(f"CREATE INDEX by_abv ON {BS}(abv) WHERE type = 'beer'")
    stmt = f"SELECT abv, type FROM {BS} {{}} WHERE type = 'beer' AND abv > 8"
    rows = covered(fresh, stmt)
    assert sorted(r["abv"] for r in rows) == [8.8, 9.5, 10.0]
    op = scan(fresh, stmt.format(""))
    assert op["filter_covers"] == {"cover ((`beer-sample`.`type`))": "beer"}


def test_missing_non_leading_key_is_missing_in_the_covered_row(fresh) -> None:
    # Big River Mild has no style: the covered row has no "style" field, as fetched.
    fresh.query(f"CREATE INDEX by_brewery ON {BS}(brewery_id, style)")
    rows = covered(fresh, f"SELECT brewery_id, style FROM {BS} {{}} WHERE brewery_id = 'big_river'")
    assert rows == [{"brewery_id": "big_river"}]


def test_nested_path_keys_are_rebuilt(fresh) -> None:
    fresh.query(f"CREATE INDEX by_geo ON {BS}(geo.accuracy, geo.lat)")
    rows = covered(fresh, f"SELECT geo.accuracy, g.geo.lat FROM {BS} g {{}} "
                          "WHERE g.geo.accuracy = 'ROOFTOP' ORDER BY g.geo.lat")
    assert [r["lat"] for r in rows] == [37.7633, 37.7825, 39.7246]
    # the whole geo object is not in the index
    _, fetches = run(fresh, f"SELECT geo FROM {BS} WHERE geo.accuracy = 'ROOFTOP'")
    assert fetches == 3


def test_covered_array_index(fresh) -> None:
    # indexing-arrays.adoc C7: (DISTINCT ARRAY ..., schedule): the array itself is a key.
    fresh.query(f"CREATE INDEX by_addr ON {BS}(DISTINCT ARRAY a FOR a IN address END, address)")
    stmt = f"SELECT META().id, address FROM {BS} {{}} " \
           "WHERE ANY a IN address SATISFIES a LIKE '1%' END"
    rows = covered(fresh, stmt)
    assert sorted(r["id"] for r in rows) == ["anchor_brewing", "sierra_nevada"]
    op = scan(fresh, stmt.format(""))
    assert op["covers"][0] == "cover ((distinct (array `a` for `a` in (`beer-sample`.`address`) " \
                              "end)))"


def test_covered_results_follow_writes(eng) -> None:
    stmt = f"SELECT RAW type FROM {BS} WHERE state = 'Oregon'"
    assert eng.query(stmt).results == []
    eng.query(f"UPSERT INTO {BS} (KEY, VALUE) VALUES ('x1', {{'state': 'Oregon', "
              "'type': 'brewery'})")
    assert run(eng, stmt) == (["brewery"], 0)
    eng.query(f"UPDATE {BS} USE KEYS 'x1' SET type = 'cidery'")
    assert run(eng, stmt) == (["cidery"], 0)
    eng.query(f"DELETE FROM {BS} USE KEYS 'x1'")
    assert run(eng, stmt) == ([], 0)


def test_joins_and_subqueries_fetch(eng) -> None:
    stmt = f"SELECT b.state FROM {BS} b JOIN {BS} c ON KEYS 'anchor_brewing' " \
           "WHERE b.state = 'Tennessee'"
    assert "Fetch" in plan_names(eng, stmt)
    stmt = f"SELECT b.state, (SELECT RAW 1)[0] AS one FROM {BS} b WHERE b.state = 'Tennessee'"
    assert run(eng, stmt)[0] == [{"state": "Tennessee", "one": 1}]


def test_a_covered_result_is_a_copy_of_the_index_entry(fresh) -> None:
    fresh.query(f"CREATE INDEX by_name ON {BS}(name, address)")
    stmt = f"SELECT RAW address FROM {BS} WHERE name = 'Anchor Brewing'"
    first, fetches = run(fresh, stmt)
    assert first == [["1705 Mariposa Street"]] and fetches == 0
    first[0].append("changed by the caller")
    assert fresh.query(stmt).results == [["1705 Mariposa Street"]]
