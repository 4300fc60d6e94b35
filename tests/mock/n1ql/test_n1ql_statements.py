"""Parameters, errors, DML, indexes, EXPLAIN, PREPARE/EXECUTE, system keyspaces."""

from __future__ import annotations

import pytest

from couchbase_mock.n1ql import N1QLError, QueryEngine

BS = "`beer-sample`"
PATH = ("beer-sample", "_default", "_default")


def error_of(engine: QueryEngine, statement: str, **kw: object) -> N1QLError:
    with pytest.raises(N1QLError) as caught:
        engine.query(statement, **kw)  # type: ignore[arg-type]
    return caught.value


# -- parameters ----------------------------------------------------------------


def test_positional_parameters(engine: QueryEngine) -> None:
    rows = engine.query(f"SELECT RAW name FROM {BS} WHERE type = $1 AND abv > $2 ORDER BY name",
                        positional=["beer", 9]).results
    assert rows == ["Hel & Verdoemenis", "Tsjernobyl"]


def test_question_mark_parameters_count_in_order(engine: QueryEngine) -> None:
    rows = engine.query(f"SELECT RAW name FROM {BS} WHERE type = ? AND abv > ? ORDER BY name",
                        positional=["beer", 9.6]).results
    assert rows == ["Hel & Verdoemenis"]


def test_named_parameters(engine: QueryEngine) -> None:
    rows = engine.query(f"SELECT RAW name FROM {BS} WHERE brewery_id = $brewery "
                        "ORDER BY abv DESC", named={"$brewery": "sierra_nevada"}).results
    assert rows == ["Celebration Ale", "Sierra Nevada Pale Ale", "Kellerweis"]


def test_parameters_in_use_keys_and_limit(engine: QueryEngine) -> None:
    rows = engine.query(f"SELECT RAW name FROM {BS} USE KEYS $keys ORDER BY name LIMIT $n",
                        named={"keys": ["anchor_brewing", "big_river"], "n": 1}).results
    assert rows == ["Anchor Brewing"]


def test_missing_parameter_is_an_error(engine: QueryEngine) -> None:
    assert error_of(engine, "SELECT RAW $nope").code == 5010


# -- errors -----------------------------------------------------------------------


def test_syntax_error_position() -> None:
    from couchbase_mock.n1ql.parser import parse

    with pytest.raises(N1QLError) as caught:
        parse("SELECT FROM `beer-sample`")
    assert caught.value.code == 3000
    assert caught.value.msg == "syntax error - line 1, column 8, near 'SELECT', at: FROM"


def test_syntax_error_on_a_later_line(engine: QueryEngine) -> None:
    err = error_of(engine, "SELECT name\nFROM `beer-sample`\nWHERE abv >> 3")
    assert err.code == 3000
    assert err.msg == "syntax error - line 3, column 12, near 'WHERE abv >', at: >"


def test_syntax_error_at_end_of_input(engine: QueryEngine) -> None:
    err = error_of(engine, f"SELECT name FROM {BS} WHERE")
    assert (err.code, err.msg) == (3000, "syntax error - at end of input")


def test_unterminated_string_is_a_syntax_error(engine: QueryEngine) -> None:
    assert error_of(engine, "SELECT 'abc").code == 3000


def test_keyspace_not_found(engine: QueryEngine) -> None:
    err = error_of(engine, "SELECT * FROM nobucket")
    assert err.code == 12003
    assert err.msg == ("Keyspace not found in CB datastore: default:nobucket - cause: "
                       "No bucket named nobucket")
    err = error_of(engine, "SELECT * FROM travel.inventory.hotel")
    assert err.msg == "Keyspace not found in CB datastore: default:travel.inventory.hotel"


def test_no_index_available(engine: QueryEngine) -> None:
    err = error_of(engine, "SELECT * FROM empty WHERE x = 1")
    assert err.code == 4000
    assert err.msg == (
        "No index available on keyspace `empty` that matches your query. Use CREATE PRIMARY "
        "INDEX ON `empty` to create a primary index, or check that your expected index is "
        "online.")


def test_use_keys_needs_no_index(engine: QueryEngine) -> None:
    assert engine.query("SELECT * FROM empty USE KEYS 'x'").results == []


def test_unknown_function(engine: QueryEngine) -> None:
    assert error_of(engine, "SELECT NO_SUCH_FUNCTION(1)").code == 3000


def test_aggregate_in_where_is_rejected(engine: QueryEngine) -> None:
    assert error_of(engine, f"SELECT 1 FROM {BS} WHERE COUNT(*) > 1").code == 4210


# -- indexes -----------------------------------------------------------------------


def plan_ops(engine: QueryEngine, statement: str) -> list:
    """The plan's operators in order, without the Sequence/Parallel wrappers."""
    from couchbase_mock.n1ql.explain import operators

    plan = engine.query("EXPLAIN " + statement).results[0]["plan"]
    return [op for op in operators(plan) if op["#operator"] not in ("Sequence", "Parallel")]


def test_equality_uses_the_secondary_index(engine: QueryEngine) -> None:
    scan = plan_ops(engine, f'SELECT name FROM {BS} WHERE type = "brewery"')[0]
    assert scan["#operator"] == "IndexScan3"
    assert scan["index"] == "beer_type"


def test_range_on_a_partial_index(engine: QueryEngine) -> None:
    ix = engine.catalog.get(PATH, "beer_abv")
    before = ix.scans
    fetches = engine.stats["fetches"]
    rows = engine.query(f"SELECT RAW name FROM {BS} USE INDEX (beer_abv) "
                        "WHERE abv > 9 AND type = 'beer' ORDER BY name").results
    assert rows == ["Hel & Verdoemenis", "Tsjernobyl"]
    assert ix.scans == before + 1
    assert engine.stats["fetches"] - fetches == 0  # covered: abv, name and type='beer'


def test_partial_index_not_used_without_its_condition(engine: QueryEngine) -> None:
    scan = plan_ops(engine, f"SELECT name FROM {BS} WHERE abv > 9")[0]
    assert scan["#operator"] == "PrimaryScan3"


def test_use_index_primary_forces_a_full_scan(engine: QueryEngine) -> None:
    scan = plan_ops(engine, f"SELECT name FROM {BS} USE INDEX (`#primary`) WHERE type = 'x'")[0]
    assert scan["#operator"] == "PrimaryScan3"


def test_use_keys_plan(engine: QueryEngine) -> None:
    assert plan_ops(engine, f"SELECT * FROM {BS} USE KEYS 'a'")[0]["#operator"] == "KeyScan"


def test_in_between_and_like_prefix_use_the_index(fresh: QueryEngine) -> None:
    fresh.query(f"CREATE INDEX by_name ON {BS}(name)")
    for where, expected in [
        ("name IN ['Kellerweis', 'Tsjernobyl']", ["Kellerweis", "Tsjernobyl"]),
        ("name BETWEEN 'Ka' AND 'Lz'", ["Kellerweis", "Liberty Ale"]),
        ("name LIKE 'Old%'", ["Old Foghorn"]),
        ("name >= 'Tsjernobyl'", ["Tsjernobyl", "Watermelon Wheat"]),
    ]:
        ix = fresh.catalog.get(PATH, "by_name")
        before = ix.scans
        q = f"SELECT RAW name FROM {BS} WHERE {where} ORDER BY name"
        assert fresh.query(q).results == expected, where
        assert ix.scans == before + 1, where
        assert plan_ops(fresh, q)[0]["index"] == "by_name"


def test_secondary_index_scan_returns_index_order(fresh: QueryEngine) -> None:
    fresh.query(f"CREATE INDEX by_abv ON {BS}(abv)")
    rows = fresh.query(f"SELECT RAW abv FROM {BS} WHERE abv >= 8").results
    assert rows == [8.8, 9.5, 10.0]


def test_indexes_follow_writes(fresh: QueryEngine) -> None:
    q = f"SELECT RAW META().id FROM {BS} WHERE type = 'cider'"
    assert fresh.query(q).results == []
    fresh.query(f"INSERT INTO {BS} (KEY, VALUE) VALUES ('c1', {{'type': 'cider'}})")
    assert fresh.query(q).results == ["c1"]
    fresh.query(f"UPDATE {BS} USE KEYS 'c1' SET type = 'perry'")
    assert fresh.query(q).results == []
    fresh.datastore.upsert(PATH, "c2", b'{"type": "cider"}')  # a KV write
    assert fresh.query(q).results == ["c2"]
    fresh.datastore.remove(PATH, "c2")
    assert fresh.query(q).results == []


def test_deferred_index_is_unused_until_built(fresh: QueryEngine) -> None:
    fresh.query(f'CREATE INDEX by_city ON {BS}(city) WITH {{"defer_build": true}}')
    q = f"SELECT RAW name FROM {BS} WHERE city = 'Chico'"
    assert plan_ops(fresh, q)[0]["#operator"] == "PrimaryScan3"
    state = fresh.query("SELECT RAW state FROM system:indexes WHERE name = 'by_city'").results
    assert state == ["deferred"]
    fresh.query(f"BUILD INDEX ON {BS}(by_city)")
    assert plan_ops(fresh, q)[0]["index"] == "by_city"
    assert fresh.query(q).results == ["Sierra Nevada Brewing Co."]


def test_create_and_drop_index_errors(fresh: QueryEngine) -> None:
    err = error_of(fresh, f"CREATE INDEX beer_type ON {BS}(type)")
    assert (err.code, err.msg) == (4300, "The index beer_type already exists.")
    fresh.query(f"CREATE INDEX IF NOT EXISTS beer_type ON {BS}(type)")
    fresh.query(f"DROP INDEX {BS}.beer_type")
    assert error_of(fresh, f"DROP INDEX {BS}.beer_type").code == 12016
    fresh.query(f"DROP INDEX {BS}.beer_type IF EXISTS")
    fresh.query(f"DROP PRIMARY INDEX ON {BS}")
    fresh.query(f"DROP INDEX beer_abv ON {BS}")
    assert error_of(fresh, f"SELECT * FROM {BS}").code == 4000
    assert error_of(fresh, "CREATE INDEX x ON nobucket(a)").code == 12003


def test_system_indexes_and_keyspaces(engine: QueryEngine) -> None:
    rows = engine.query("SELECT i.name, i.index_key, i.is_primary, i.keyspace_id, i.state, "
                        "i.`using`, i.`condition` FROM system:indexes AS i "
                        "WHERE i.keyspace_id = 'beer-sample' ORDER BY i.name").results
    assert rows == [
        {"name": "#primary", "index_key": [], "is_primary": True, "keyspace_id": "beer-sample",
         "state": "online", "using": "gsi"},
        {"name": "beer_abv", "index_key": ["`abv`", "`name`"], "keyspace_id": "beer-sample",
         "state": "online", "using": "gsi", "condition": '(`type` = "beer")'},
        {"name": "beer_type", "index_key": ["`type`"], "keyspace_id": "beer-sample",
         "state": "online", "using": "gsi"},
    ]
    airline = engine.query("SELECT bucket_id, scope_id, keyspace_id FROM system:indexes "
                           "WHERE keyspace_id = 'airline'").results
    assert airline == [{"bucket_id": "travel", "scope_id": "inventory", "keyspace_id": "airline"}]
    names = engine.query("SELECT RAW name FROM system:keyspaces ORDER BY name").results
    assert names == ["airline", "beer-sample", "empty", "travel"]


# -- DML ----------------------------------------------------------------------------


def test_insert_with_returning(fresh: QueryEngine) -> None:
    res = fresh.query(f"INSERT INTO {BS} (KEY, VALUE) VALUES ('new1', {{'name': 'N1', "
                      "'type': 'beer', 'abv': 5}), ('new2', {'name': 'N2', 'type': 'beer'}) "
                      "RETURNING META().id, name")
    assert res.results == [{"id": "new1", "name": "N1"}, {"id": "new2", "name": "N2"}]
    assert res.metrics["mutationCount"] == 2
    assert fresh.datastore.get(PATH, "new1").value == b'{"name":"N1","type":"beer","abv":5}'


def test_insert_duplicate_key(fresh: QueryEngine) -> None:
    err = error_of(fresh, f"INSERT INTO {BS} (KEY, VALUE) VALUES ('big_river', {{}})")
    assert (err.code, err.msg) == (12009, "Duplicate Key: big_river")


def test_insert_non_string_key(fresh: QueryEngine) -> None:
    assert error_of(fresh, f"INSERT INTO {BS} (KEY, VALUE) VALUES (1, {{}})").code == 5070


def test_upsert_replaces(fresh: QueryEngine) -> None:
    res = fresh.query(f"UPSERT INTO {BS} (KEY, VALUE) VALUES ('big_river', {{'type': 'x'}}) "
                      "RETURNING RAW type")
    assert res.results == ["x"]
    assert fresh.query(f"SELECT RAW b FROM {BS} b USE KEYS 'big_river'").results == [
        {"type": "x"}]


def test_insert_select(fresh: QueryEngine) -> None:
    res = fresh.query(f"INSERT INTO travel.inventory.airline (KEY k, VALUE v) "
                      f"SELECT 'copy-' || META(b).id AS k, {{'name': b.name}} AS v "
                      f"FROM {BS} b WHERE b.type = 'brewery' AND b.state = 'California'")
    assert res.metrics["mutationCount"] == 3
    names = fresh.query("SELECT RAW name FROM travel.inventory.airline "
                        "WHERE META().id LIKE 'copy-%' ORDER BY name").results
    assert names == ["21st Amendment Brewery Cafe", "Anchor Brewing", "Sierra Nevada Brewing Co."]


def test_update_set_unset_returning(fresh: QueryEngine) -> None:
    before = fresh.datastore.get(PATH, "anchor_brewing").cas
    res = fresh.query(f"UPDATE {BS} b SET b.geo.accuracy = 'APPROXIMATE', b.visits = 1 "
                      "UNSET b.website WHERE b.type = 'brewery' AND b.city = 'San Francisco' "
                      "RETURNING META(b).id, b.geo.accuracy, b.website, b.visits")
    assert sorted(res.results, key=lambda r: r["id"]) == [
        {"id": "21st_amendment_brewery_cafe", "accuracy": "APPROXIMATE", "visits": 1},
        {"id": "anchor_brewing", "accuracy": "APPROXIMATE", "visits": 1},
    ]
    assert res.metrics["mutationCount"] == 2
    assert fresh.datastore.get(PATH, "anchor_brewing").cas != before
    assert fresh.query(f"SELECT RAW COUNT(*) FROM {BS} WHERE website IS MISSING").results == [14]


def test_update_with_limit_and_parameters(fresh: QueryEngine) -> None:
    res = fresh.query(f"UPDATE {BS} SET abv = abv + $1 WHERE type = 'beer' AND abv > 9 LIMIT 1 "
                      "RETURNING RAW abv", positional=[1])
    assert len(res.results) == 1 and res.results[0] in (11.0, 10.5)


def test_delete_returning(fresh: QueryEngine) -> None:
    res = fresh.query(f"DELETE FROM {BS} b WHERE b.brewery_id = 'brouwerij_de_molen' "
                      "RETURNING RAW b.name")
    assert sorted(res.results) == ["Hel & Verdoemenis", "Tsjernobyl"]
    assert fresh.query(f"SELECT RAW COUNT(*) FROM {BS} WHERE type = 'beer'").results == [10]
    assert fresh.datastore.get(PATH, "brouwerij_de_molen-tsjernobyl") is None


def test_delete_use_keys(fresh: QueryEngine) -> None:
    res = fresh.query(f"DELETE FROM {BS} USE KEYS ['big_river', 'nope']")
    assert res.metrics["mutationCount"] == 1 and res.results == []


# -- EXPLAIN, PREPARE, EXECUTE -------------------------------------------------------


def test_prepare_and_execute(engine: QueryEngine) -> None:
    prep = engine.query(f"PREPARE strong FROM SELECT RAW name FROM {BS} "
                        "WHERE type = 'beer' AND abv > $min ORDER BY name").results[0]
    assert prep["name"] == "strong"
    assert prep["text"].startswith("PREPARE strong FROM SELECT RAW name")  # prepare.adoc "Result"
    rows = engine.query("EXECUTE strong", named={"min": 9.6}).results
    assert rows == ["Hel & Verdoemenis"]
    rows = engine.query(prepared="strong", named={"min": 9}).results
    assert rows == ["Hel & Verdoemenis", "Tsjernobyl"]
    assert engine.query("EXECUTE strong USING {'min': 10}").results == []


def test_anonymous_prepare_and_unknown_name(engine: QueryEngine) -> None:
    name = engine.query("PREPARE SELECT RAW 1").results[0]["name"]
    assert engine.query(prepared=name).results == [1]
    err = error_of(engine, "EXECUTE nothing_here")
    assert (err.code, err.msg) == (4040, "No such prepared statement: nothing_here")


def test_explain_dml(engine: QueryEngine) -> None:
    plan = engine.query(f"EXPLAIN DELETE FROM {BS} WHERE type = 'x'").results[0]["plan"]
    assert plan["~children"][0]["index"] == "beer_type"


def test_signature(engine: QueryEngine) -> None:
    assert engine.query(f"SELECT name, COUNT(*) FROM {BS} GROUP BY name LIMIT 1").signature == {
        "name": "json", "$1": "json"}
    assert engine.query("SELECT RAW 1").signature == "json"
    assert engine.query(f"SELECT * FROM {BS} LIMIT 1").signature == {"*": "*"}
