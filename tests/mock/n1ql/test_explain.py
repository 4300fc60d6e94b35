"""EXPLAIN: the query service's operator names and nesting, for every statement kind.

Shapes from the N1QL reference: explain.adoc (the Example: a Sequence holding
the scan Sequence, then Order), covering-indexes.adoc (IndexScan with
``covers`` and no Fetch; with a field outside the index: ``primary_key``
projection and a Fetch) and indexing-arrays.adoc (an array index scan for ANY
inside a DistinctScan). The tests assert operator order and the fields a user
reads (index, keyspace, spans, covers), not costs or ids.
"""

from __future__ import annotations

import pytest

from couchbase_mock.n1ql import QueryEngine
from couchbase_mock.n1ql.errors import N1QLError
from couchbase_mock.n1ql.explain import operators

BS = "`beer-sample`"


def plan_of(engine: QueryEngine, statement: str) -> dict:
    rows = engine.query("EXPLAIN " + statement).results
    assert len(rows) == 1 and rows[0]["text"] == statement
    return rows[0]["plan"]


def names(plan: dict) -> list:
    return [op["#operator"] for op in operators(plan)]


def flat(plan: dict) -> list:
    """Operators without the Sequence/Parallel wrappers."""
    return [op for op in operators(plan) if op["#operator"] not in ("Sequence", "Parallel")]


# -- explain.adoc: Example -------------------------------------------------------------


def test_reference_example_shape_primary_scan_fetch_project_then_order(engine) -> None:
    # explain.adoc "Example": EXPLAIN SELECT title, activity, hours FROM
    # `travel-sample`.inventory.landmark ORDER BY title, on a collection's primary index.
    plan = plan_of(engine, "SELECT name, iata, country FROM travel.inventory.airline "
                           "ORDER BY name")
    assert plan["#operator"] == "Sequence"
    inner, order = plan["~children"]
    assert inner["#operator"] == "Sequence"
    scan, fetch, par = inner["~children"]
    assert scan["#operator"] == "PrimaryScan3"
    assert {k: scan[k] for k in ("bucket", "scope", "keyspace", "namespace", "using")} == {
        "bucket": "travel", "scope": "inventory", "keyspace": "airline",
        "namespace": "default", "using": "gsi"}
    assert scan["index_projection"] == {"primary_key": True}
    assert fetch == {"#operator": "Fetch", "bucket": "travel", "keyspace": "airline",
                     "namespace": "default", "scope": "inventory"}
    assert par["#operator"] == "Parallel"
    assert par["~child"]["#operator"] == "Sequence"
    (project,) = par["~child"]["~children"]
    assert project == {"#operator": "InitialProject", "result_terms": [
        {"expr": "(`airline`.`name`)"}, {"expr": "(`airline`.`iata`)"},
        {"expr": "(`airline`.`country`)"}]}
    assert order == {"#operator": "Order", "sort_terms": [{"expr": "(`airline`.`name`)"}]}


def test_plan_without_a_tail_is_one_sequence(engine) -> None:
    plan = plan_of(engine, f"SELECT name FROM {BS} WHERE type = 'brewery'")
    assert names(plan) == ["Sequence", "IndexScan3", "Fetch", "Parallel", "Sequence",
                           "Filter", "InitialProject"]
    scan = plan["~children"][0]
    assert scan["index"] == "beer_type" and scan["keyspace"] == "beer-sample"
    assert scan["index_id"] == engine.catalog.get(("beer-sample", "_default", "_default"),
                                                  "beer_type").id
    assert scan["spans"] == [{"exact": True, "range": [
        {"high": '"brewery"', "inclusion": 3, "low": '"brewery"'}]}]
    assert plan["~children"][2]["~child"]["~children"][0] == {
        "#operator": "Filter", "condition": '((`beer-sample`.`type`) = "brewery")'}


@pytest.mark.parametrize("where, expected", [
    ("abv > 9", [{"inclusion": 0, "low": "9"}]),
    ("abv >= 9", [{"inclusion": 1, "low": "9"}]),
    ("abv < 9", [{"high": "9", "inclusion": 0, "low": "null"}]),
    ("abv BETWEEN 5 AND 6", [{"high": "6", "inclusion": 3, "low": "5"}]),
    ("abv IN [5, 6]", [{"high": "5", "inclusion": 3, "low": "5"},
                       {"high": "6", "inclusion": 3, "low": "6"}]),
    ("abv IS NOT NULL", [{"inclusion": 0, "low": "null"}]),
])
def test_index_spans(fresh, where, expected) -> None:
    # covering-indexes.adoc: "spans": [{"exact", "range": [{"high", "inclusion", "low"}]}]
    # (inclusion 0 neither end, 1 low, 2 high, 3 both).
    fresh.query(f"CREATE INDEX by_abv ON {BS}(abv)")
    scan = flat(plan_of(fresh, f"SELECT name FROM {BS} WHERE {where}"))[0]
    assert scan["index"] == "by_abv"
    assert scan["spans"][0]["range"] == expected


def test_like_prefix_span(fresh) -> None:
    # indexing-arrays.adoc Q8A: LIKE 'UA%' is the span "UA" (inclusive) to "UB".
    fresh.query(f"CREATE INDEX by_name ON {BS}(name)")
    scan = flat(plan_of(fresh, f"SELECT name FROM {BS} WHERE name LIKE 'UA%'"))[0]
    assert scan["spans"][0]["range"] == [{"high": '"UB"', "inclusion": 1, "low": '"UA"'}]


def test_use_keys_is_a_key_scan(engine) -> None:
    ops = flat(plan_of(engine, f"SELECT * FROM {BS} USE KEYS ['a', 'b']"))
    assert ops[0] == {"#operator": "KeyScan", "keys": '["a", "b"]'}
    assert ops[1]["#operator"] == "Fetch"
    assert ops[-1]["result_terms"] == [{"expr": "self", "star": True}]


def test_order_offset_limit_follow_the_scan_sequence(engine) -> None:
    plan = plan_of(engine, f"SELECT name FROM {BS} b WHERE b.type = 'beer' "
                           "ORDER BY b.abv DESC, name OFFSET 2 LIMIT 3")
    assert [op["#operator"] for op in plan["~children"]] == ["Sequence", "Order", "Offset",
                                                             "Limit"]
    order, offset, limit = plan["~children"][1:]
    assert order["sort_terms"] == [{"desc": True, "expr": "(`b`.`abv`)"},
                                   {"expr": "(`b`.`name`)"}]
    assert offset == {"#operator": "Offset", "expr": "2"}
    assert limit == {"#operator": "Limit", "expr": "3"}
    scan, fetch = plan["~children"][0]["~children"][:2]
    assert scan["as"] == "b" and fetch["as"] == "b"


def test_group_by_has_the_three_group_phases(engine) -> None:
    plan = plan_of(engine, f"SELECT style, COUNT(*) AS n FROM {BS} WHERE type = 'beer' "
                           "GROUP BY style HAVING COUNT(*) > 1")
    ops = [n for n in names(plan) if n not in ("Sequence", "Parallel")]
    assert ops == ["IndexScan3", "Fetch", "Filter", "InitialGroup", "IntermediateGroup",
                   "FinalGroup", "Filter", "InitialProject"]
    group = flat(plan)[3]
    assert group["group_keys"] == ["(`beer-sample`.`style`)"]
    assert group["aggregates"] == ["count(*)"]


def test_joins_unnest_let_and_distinct(engine) -> None:
    plan = plan_of(engine, f"SELECT DISTINCT br.name FROM {BS} b "
                           f"JOIN {BS} br ON KEYS b.brewery_id "
                           "UNNEST br.address AS line LET n = b.name "
                           "WHERE b.type = 'beer'")
    ops = flat(plan)
    assert [op["#operator"] for op in ops] == ["IndexScan3", "Fetch", "Join", "Unnest", "Let",
                                               "Filter", "InitialProject", "Distinct"]
    assert ops[2]["on_keys"] == "(`b`.`brewery_id`)" and ops[2]["as"] == "br"
    assert ops[3] == {"#operator": "Unnest", "as": "line", "expr": "(`br`.`address`)"}
    assert ops[4]["bindings"] == [{"expr": "(`b`.`name`)", "var": "n"}]
    assert ops[6]["distinct"] is True


def test_ansi_join_is_a_nested_loop_join_with_its_own_scan(engine) -> None:
    plan = plan_of(engine, f"SELECT b.name FROM {BS} b LEFT JOIN {BS} br "
                           "ON br.name = b.brewery_id WHERE b.type = 'beer'")
    join = [op for op in operators(plan) if op["#operator"] == "NestedLoopJoin"][0]
    assert join["alias"] == "br" and join["outer"] is True
    assert join["on_clause"] == "((`br`.`name`) = (`b`.`brewery_id`))"
    assert [op["#operator"] for op in join["~child"]["~children"]] == ["PrimaryScan3", "Fetch"]


def test_set_operations(engine) -> None:
    union_all = plan_of(engine, f"SELECT name FROM {BS} WHERE type = 'brewery' UNION ALL "
                                "SELECT name FROM travel.inventory.airline")
    assert union_all["#operator"] == "UnionAll" and len(union_all["~children"]) == 2
    assert union_all["~children"][1]["~children"][0]["#operator"] == "PrimaryScan3"
    union = plan_of(engine, "SELECT 1 AS a UNION SELECT 2 AS a")
    assert [op["#operator"] for op in union["~children"]] == ["UnionAll", "Distinct"]
    assert names(union)[2:4] == ["Sequence", "DummyScan"]
    inter = plan_of(engine, "SELECT 1 AS a INTERSECT ALL SELECT 1 AS a")
    assert inter["#operator"] == "IntersectAll" and {"first", "second"} <= set(inter)
    exc = plan_of(engine, "SELECT 1 AS a EXCEPT ALL SELECT 2 AS a")
    assert exc["#operator"] == "ExceptAll"


def test_from_expression_is_an_expression_scan(engine) -> None:
    ops = flat(plan_of(engine, "SELECT x FROM [1, 2] AS x"))
    assert ops[0] == {"#operator": "ExpressionScan", "alias": "x", "expr": "[1, 2]"}


def test_partitioned_index_is_used_like_any_other(fresh) -> None:
    # index-partitioning.adoc: CREATE INDEX ... PARTITION BY HASH(META().id); the
    # local cluster keeps one partition, so the scan is the same IndexScan3.
    fresh.query(f"CREATE INDEX by_city ON {BS}(city) PARTITION BY HASH(META().id)")
    stmt = f"SELECT RAW name FROM {BS} WHERE city = 'Chico'"
    assert flat(plan_of(fresh, stmt))[0]["index"] == "by_city"
    assert fresh.query(stmt).results == ["Sierra Nevada Brewing Co."]
    row = fresh.query("SELECT RAW `partition` FROM system:indexes WHERE name = 'by_city'")
    assert row.results == ["HASH((meta().`id`))"]


# -- DML ---------------------------------------------------------------------------------


def test_delete_plan(engine) -> None:
    plan = plan_of(engine, f"DELETE FROM {BS} WHERE type = 'x' LIMIT 2")
    assert names(plan) == ["Sequence", "IndexScan3", "Fetch", "Parallel", "Sequence",
                           "Filter", "SendDelete", "Limit"]
    assert plan["~children"][0]["index"] == "beer_type"
    send = flat(plan)[3]
    assert send == {"#operator": "SendDelete", "keyspace": "beer-sample", "namespace": "default"}


def test_update_plan(engine) -> None:
    plan = plan_of(engine, f"UPDATE {BS} SET abv = 1 UNSET ibu WHERE type = 'x' RETURNING name")
    assert [op["#operator"] for op in flat(plan)] == [
        "IndexScan3", "Fetch", "Filter", "Clone", "Set", "Unset", "SendUpdate",
        "InitialProject"]
    assert flat(plan)[4]["set_terms"] == [{"path": "(`beer-sample`.`abv`)", "value": "1"}]


def test_update_with_use_keys(engine) -> None:
    ops = flat(plan_of(engine, f"UPDATE {BS} USE KEYS 'k' SET a = 1"))
    assert ops[0] == {"#operator": "KeyScan", "keys": '"k"'}


@pytest.mark.parametrize("verb, send", [("INSERT", "SendInsert"), ("UPSERT", "SendUpsert")])
def test_insert_and_upsert_plans(engine, verb, send) -> None:
    # explain.adoc: EXPLAIN UPSERT INTO testbucket VALUES ("key1", { "a" : "b" }) ...
    plan = plan_of(engine, f'{verb} INTO {BS} (KEY, VALUE) VALUES ("key1", {{"a": "b"}}) '
                           'RETURNING META().cas')
    assert names(plan) == ["Sequence", "ValueScan", "Parallel", "Sequence", send,
                           "InitialProject"]
    assert flat(plan)[1]["keyspace"] == "beer-sample"
    assert engine.query(f"SELECT RAW META().id FROM {BS} USE KEYS 'key1'").results == []


def test_insert_select_plan_holds_the_select(engine) -> None:
    # explain.adoc: EXPLAIN INSERT INTO ... SELECT META(doc).id AS foo, doc AS bar FROM ...
    plan = plan_of(engine, f"INSERT INTO {BS} (KEY foo, VALUE bar) SELECT META(doc).id AS foo, "
                           f"doc AS bar FROM {BS} AS doc WHERE type = 'brewery'")
    first, par = plan["~children"]
    assert first["~children"][0]["index"] == "beer_type"
    assert par["~child"]["~children"][0]["#operator"] == "SendInsert"


# -- index statements --------------------------------------------------------------------


def test_index_statements_explain_without_running(fresh) -> None:
    plan = plan_of(fresh, f"CREATE INDEX by_tag ON {BS}(DISTINCT ARRAY t FOR t IN tags END, "
                          "name) WHERE type = 'beer'")
    assert plan == {"#operator": "CreateIndex", "index": "by_tag", "keyspace": "beer-sample",
                    "namespace": "default", "using": "gsi",
                    "keys": ["(distinct array `t` for `t` in `tags` end)", "`name`"],
                    "where": '(`type` = "beer")'}
    assert fresh.catalog.get(("beer-sample", "_default", "_default"), "by_tag") is None
    assert plan_of(fresh, "CREATE PRIMARY INDEX ON travel.inventory.airline") == {
        "#operator": "CreatePrimaryIndex", "index": "#primary", "bucket": "travel",
        "keyspace": "airline", "namespace": "default", "scope": "inventory", "using": "gsi"}
    assert plan_of(fresh, f"DROP INDEX beer_type ON {BS}")["#operator"] == "DropIndex"
    build = plan_of(fresh, f"BUILD INDEX ON {BS}(beer_type, beer_abv)")
    assert build["#operator"] == "BuildIndexes" and build["indexes"] == ["beer_type", "beer_abv"]


# -- PREPARE and errors ------------------------------------------------------------------


def test_prepare_operator_is_the_explain_plan(fresh) -> None:
    stmt = f"SELECT name FROM {BS} WHERE type = 'brewery'"
    prepared = fresh.query("PREPARE p1 FROM " + stmt).results[0]
    explained = fresh.query("EXPLAIN " + stmt).results[0]["plan"]
    assert prepared["operator"] == explained


def test_explain_of_a_missing_keyspace_fails_like_the_query(engine) -> None:
    with pytest.raises(N1QLError) as info:
        engine.query("EXPLAIN SELECT * FROM nothing_here")
    assert info.value.code == 12003


def test_explain_without_an_index_fails_with_4000(engine) -> None:
    with pytest.raises(N1QLError) as info:
        engine.query("EXPLAIN SELECT * FROM `empty`")
    assert info.value.code == 4000
