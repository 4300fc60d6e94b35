"""The ``system`` namespace as the engine serves it: the catalogs' fields, who
sees which rows, prepared statements, the request log, and DELETE.

References: n1ql-intro/sysinfo ("Get System Information", one section per
catalog, "Authentication and Client Privileges"), n1ql-manage/
monitoring-n1ql-query ("Monitor and Manage Prepared Statements", "Monitor and
Manage Completed Requests", "Configure Completed Requests")."""

from __future__ import annotations

from typing import Any

import pytest

from couchbase_mock.n1ql import QueryEngine
from couchbase_mock.n1ql.errors import N1QLError
from couchbase_mock.n1ql.monitor import RequestLog, RequestRecord, statement_type

DS = "http://127.0.0.1:8091"


def raw(engine: QueryEngine, statement: str, **kw: Any) -> list:
    return engine.query(statement, **kw).results


def only(bucket: str) -> Any:
    return lambda b: b == bucket


# -- data containers (sysinfo) ------------------------------------------------------


def test_datastores_and_namespaces(engine: QueryEngine) -> None:
    """sysinfo "Query Datastores": id and url; "Query Namespaces": id, name, datastore_id."""
    assert raw(engine, "SELECT * FROM system:datastores") == [
        {"datastores": {"id": DS, "url": DS}}]
    assert raw(engine, "SELECT RAW n FROM system:namespaces n") == [
        {"datastore_id": DS, "id": "default", "name": "default"}]


def test_buckets(engine: QueryEngine) -> None:
    """sysinfo "Query Buckets": datastore_id, name, namespace, namespace_id, path."""
    rows = raw(engine, "SELECT RAW b FROM system:buckets b ORDER BY b.name")
    assert [b["name"] for b in rows] == ["beer-sample", "empty", "travel"]
    assert rows[0] == {"datastore_id": DS, "name": "beer-sample", "namespace": "default",
                       "namespace_id": "default", "path": "default:beer-sample"}


def test_scopes_are_named_scopes_all_scopes_has_the_default_ones(engine: QueryEngine) -> None:
    """sysinfo "Query Scopes" NOTE: system:scopes only returns named scopes;
    system:all_scopes includes the default scopes."""
    assert raw(engine, "SELECT RAW s FROM system:scopes s") == [
        {"bucket": "travel", "datastore_id": DS, "name": "inventory", "namespace": "default",
         "namespace_id": "default", "path": "default:travel.inventory"}]
    names = raw(engine, "SELECT RAW s.`path` FROM system:all_scopes s ORDER BY s.`path`")
    assert "default:beer-sample._default" in names and "default:travel.inventory" in names


def test_keyspaces_default_collection_is_the_bucket(engine: QueryEngine) -> None:
    """sysinfo "Query Collections": the default collection shows as its bucket
    (id and name the bucket's); a named collection has bucket and scope."""
    rows = {r["path"]: r for r in raw(engine, "SELECT RAW k FROM system:keyspaces k")}
    assert rows["default:beer-sample"] == {
        "datastore_id": DS, "id": "beer-sample", "name": "beer-sample",
        "namespace": "default", "namespace_id": "default", "path": "default:beer-sample"}
    assert rows["default:travel.inventory.airline"] == {
        "bucket": "travel", "datastore_id": DS, "id": "airline", "name": "airline",
        "namespace": "default", "namespace_id": "default",
        "path": "default:travel.inventory.airline", "scope": "inventory"}


def test_indexes_fields(engine: QueryEngine) -> None:
    """sysinfo "Query Indexes": id, name, index_key, is_primary, keyspace_id, state, using."""
    rows = raw(engine, "SELECT RAW i FROM system:indexes i WHERE i.keyspace_id = 'beer-sample'"
                       " ORDER BY i.name")
    by_name = {r["name"]: r for r in rows}
    assert by_name["#primary"]["is_primary"] is True
    assert by_name["beer_type"]["index_key"] == ["`type`"]
    assert {r["state"] for r in rows} == {"online"} and {r["using"] for r in rows} == {"gsi"}
    assert raw(engine, "SELECT RAW i.keyspace_id FROM system:indexes i "
                       "WHERE i.bucket_id = 'travel'") == ["airline"]


def test_dual_evaluates_constant_expressions(engine: QueryEngine) -> None:
    """sysinfo "Query Dual": SELECT 2+5 FROM system:dual returns 7; one entry, no attributes."""
    assert raw(engine, "SELECT 2+5 FROM system:dual") == [{"$1": 7}]
    assert raw(engine, "SELECT * FROM system:dual") == [{"dual": {}}]


def test_unknown_system_keyspace_is_12003(engine: QueryEngine) -> None:
    with pytest.raises(N1QLError) as exc:
        engine.query("SELECT * FROM system:no_such_catalog")
    assert exc.value.code == 12003
    assert "system:no_such_catalog" in exc.value.msg


def test_meta_id_and_use_keys(engine: QueryEngine) -> None:
    assert raw(engine, "SELECT RAW META(b).id FROM system:buckets b ORDER BY META(b).id") == [
        "beer-sample", "empty", "travel"]
    assert raw(engine, "SELECT RAW b.name FROM system:buckets b USE KEYS ['empty', 'nope']") \
        == ["empty"]


def test_empty_catalogs_answer_with_no_rows(engine: QueryEngine) -> None:
    """Catalogs with nothing to list in a local cluster (sysinfo lists them all)."""
    for name in ("functions", "functions_cache", "tasks_cache", "transactions", "sequences",
                 "dictionary", "group_info"):
        assert raw(engine, f"SELECT * FROM system:{name}") == [], name


# -- who sees what (sysinfo, "Authentication and Client Privileges") ------------------


def test_user_sees_only_the_buckets_it_may_read(engine: QueryEngine) -> None:
    mine = only("empty")
    assert raw(engine, "SELECT RAW name FROM system:buckets", may_read=mine) == ["empty"]
    assert raw(engine, "SELECT RAW name FROM system:keyspaces", may_read=mine) == ["empty"]
    assert raw(engine, "SELECT RAW name FROM system:scopes", may_read=mine) == []
    assert raw(engine, "SELECT RAW name FROM system:indexes", may_read=mine) == []


def test_open_catalogs_are_open_to_everyone(engine: QueryEngine) -> None:
    """system:dual, system:datastores and system:namespaces are open."""
    nobody = only("nothing")
    assert len(raw(engine, "SELECT * FROM system:datastores", may_read=nobody)) == 1
    assert len(raw(engine, "SELECT * FROM system:namespaces", may_read=nobody)) == 1
    assert raw(engine, "SELECT 1 AS one FROM system:dual", may_read=nobody) == [{"one": 1}]


def test_user_info_without_a_cluster_knows_the_administrator(engine: QueryEngine) -> None:
    """sysinfo "Monitor Your User Info" / "Monitor All User Info" / "Monitor Applicable Roles"."""
    me = raw(engine, "SELECT RAW u FROM system:my_user_info u")
    assert me == [{"domain": "builtin", "id": "Administrator", "name": "Administrator",
                   "roles": [{"role": "admin"}]}]
    assert raw(engine, "SELECT RAW u.id FROM system:user_info u") == ["Administrator"]
    assert raw(engine, "SELECT RAW r FROM system:applicable_roles r") == [
        {"grantee": "Administrator", "role": "admin"}]
    nodes = raw(engine, "SELECT RAW n FROM system:nodes n")
    assert nodes[0]["name"] == "127.0.0.1:8091" and "n1ql" in nodes[0]["services"]


# -- prepared statements (monitoring, "Monitor and Manage Prepared Statements") -------


def test_prepareds_lists_name_statement_and_uses(fresh: QueryEngine) -> None:
    made = raw(fresh, "PREPARE p1 AS SELECT name FROM travel.inventory.airline WHERE iata = 'AF'")
    row = raw(fresh, 'SELECT RAW p FROM system:prepareds p WHERE name = "p1"')[0]
    assert row["name"] == "p1" and row["uses"] == 0 and row["namespace"] == "default"
    assert row["encoded_plan"] == made[0]["encoded_plan"]
    assert "iata = 'AF'" in row["statement"] and "lastUse" not in row
    assert raw(fresh, "EXECUTE p1") == [{"name": "Air France"}]
    fresh.query(None, prepared="p1")
    row = raw(fresh, 'SELECT RAW p FROM system:prepareds p WHERE name = "p1"')[0]
    assert row["uses"] == 2 and row["lastUse"].endswith("+0000 UTC")


def test_delete_one_prepared_then_all(fresh: QueryEngine) -> None:
    """DELETE FROM system:prepareds WHERE name = "p1"; DELETE FROM system:prepareds."""
    for name in ("p1", "p2", "p3"):
        fresh.query(f"PREPARE {name} AS SELECT 1")
    res = fresh.query('DELETE FROM system:prepareds WHERE name = "p1"')
    assert res.metrics["mutationCount"] == 1
    with pytest.raises(N1QLError) as exc:
        fresh.query("EXECUTE p1")
    assert exc.value.code == 4040
    assert sorted(raw(fresh, "SELECT RAW name FROM system:prepareds")) == ["p2", "p3"]
    fresh.query("DELETE FROM system:prepareds")
    assert raw(fresh, "SELECT RAW name FROM system:prepareds") == []


def test_prepare_statements_over_system_keyspaces(fresh: QueryEngine) -> None:
    fresh.query("PREPARE ks AS SELECT RAW name FROM system:buckets ORDER BY name")
    assert raw(fresh, "EXECUTE ks") == ["beer-sample", "empty", "travel"]
    fresh.query("PREPARE gone AS DELETE FROM system:prepareds WHERE name = 'ks'")
    assert fresh.query("EXECUTE gone").metrics["mutationCount"] == 1
    assert raw(fresh, "SELECT RAW name FROM system:prepareds") == ["gone"]


def test_prepareds_over_unreadable_keyspaces_are_hidden(fresh: QueryEngine) -> None:
    fresh.query("PREPARE beers AS SELECT * FROM `beer-sample`")
    fresh.query("PREPARE nothing AS SELECT * FROM empty USE KEYS 'k'")
    assert raw(fresh, "SELECT RAW name FROM system:prepareds", may_read=only("empty")) == [
        "nothing"]


def test_delete_from_a_catalog_is_refused(fresh: QueryEngine) -> None:
    with pytest.raises(N1QLError) as exc:
        fresh.query("DELETE FROM system:keyspaces")
    assert exc.value.code == 11003
    assert len(raw(fresh, "SELECT * FROM system:buckets")) == 3


# -- the request log (monitoring, "Configure Completed Requests") --------------------


def record(log: RequestLog, rid: str, user: str = "Administrator", errors: Any = (),
           elapsed: float = 0.0, statement: str = "SELECT 1") -> RequestRecord:
    rec = log.start(RequestRecord(rid, statement, None, user, f"local:{user}"))
    rec.start -= elapsed
    log.finish(rec, "completed", list(errors), 1, 10)
    return rec


def test_default_threshold_logs_requests_of_a_second_or_more() -> None:
    """completed-threshold: default 1000ms; completed-limit: default 4000."""
    log = RequestLog()
    assert log.settings()["completed-threshold"] == 1000
    assert log.settings()["completed-limit"] == 4000
    record(log, "fast")
    record(log, "slow", elapsed=1.5)
    assert [r.request_id for r in log.completed_records()] == ["slow"]
    assert log.completed_records()[0].row()["~qualifier"] == "threshold"


def test_threshold_zero_logs_all_minus_one_none() -> None:
    log = RequestLog()
    log.update({"completed-threshold": 0})
    record(log, "a")
    log.update({"completed-threshold": -1})
    record(log, "b", elapsed=5)
    assert [r.request_id for r in log.completed_records()] == ["a"]


def test_limit_keeps_the_most_recent() -> None:
    """completed-limit: the number of most recent requests tracked; 0 tracks none."""
    log = RequestLog()
    log.update({"completed-threshold": 0, "completed-limit": 3})
    for i in range(5):
        record(log, f"r{i}")
    assert [r.request_id for r in log.completed_records()] == ["r2", "r3", "r4"]
    log.update({"completed-limit": 0})
    record(log, "r5")
    assert log.completed_records() == []


def test_qualifiers_error_user_and_plus_minus() -> None:
    """Logging qualifiers: any one met logs the request; +name adds, -name removes."""
    log = RequestLog()
    log.update({"completed": {"error": 12003, "user": "marco"}})
    record(log, "err", errors=[{"code": 12003, "msg": "Keyspace not found"}])
    record(log, "marco", user="marco")
    record(log, "simon", user="simon")
    log.update({"completed": {"+user": "simon", "-error": 12003}})
    record(log, "simon2", user="simon")
    record(log, "err2", errors=[{"code": 12003, "msg": "Keyspace not found"}])
    assert [r.request_id for r in log.completed_records()] == ["err", "marco", "simon2"]
    assert log.settings()["completed"]["user"] == ["marco", "simon"]
    row = log.completed_records()[0].row()
    assert row["errorCount"] == 1 and row["errors"][0]["code"] == 12003
    assert row["~qualifier"] == "error"


def test_bad_settings_change_nothing() -> None:
    log = RequestLog()
    with pytest.raises(ValueError):
        log.update({"completed-limit": 5, "completed": {"colour": "red"}})
    with pytest.raises(ValueError):
        log.update({"completed-threshold": "soon"})
    assert log.settings()["completed-limit"] == 4000


def test_completed_requests_rows_and_delete(fresh: QueryEngine) -> None:
    """Fields of "Completed Request Details"; DELETE ... WHERE requestId = "uuid"."""
    fresh.monitor.update({"completed-threshold": 0})
    record(fresh.monitor, "r1", statement="SELECT * FROM `beer-sample`")
    record(fresh.monitor, "r2")
    row = raw(fresh, "SELECT RAW c FROM system:completed_requests c WHERE requestId = 'r1'")[0]
    for field in ("elapsedTime", "serviceTime", "requestTime", "resultCount", "resultSize",
                  "errorCount", "state", "statement", "statementType", "users"):
        assert field in row, field
    assert row["state"] == "completed" and row["statementType"] == "SELECT"
    res = fresh.query('DELETE FROM system:completed_requests WHERE requestId = "r1"')
    assert res.metrics["mutationCount"] == 1
    assert raw(fresh, "SELECT RAW requestId FROM system:completed_requests") == ["r2"]


def test_users_see_their_own_requests(fresh: QueryEngine) -> None:
    fresh.monitor.update({"completed-threshold": 0})
    record(fresh.monitor, "mine", user="empty")
    record(fresh.monitor, "theirs", user="someone")
    seen = raw(fresh, "SELECT RAW requestId FROM system:completed_requests",
               may_read=only("empty"), user="empty")
    assert seen == ["mine"]
    assert len(raw(fresh, "SELECT * FROM system:completed_requests")) == 2


def test_active_request_is_running_and_delete_stops_it(fresh: QueryEngine) -> None:
    """Terminate an Active Request: DELETE FROM system:active_requests WHERE requestId = "uuid"."""
    from couchbase_mock.n1ql.cancel import Cancel

    rec = fresh.monitor.start(RequestRecord("busy", "SELECT 1", None, "Administrator",
                                            "builtin:Administrator"))
    rec.cancel = Cancel()
    row = raw(fresh, "SELECT RAW a FROM system:active_requests a")[0]
    assert row["state"] == "running" and row["requestId"] == "busy"
    fresh.query('DELETE FROM system:active_requests WHERE requestId = "busy"')
    with pytest.raises(N1QLError):
        rec.cancel.check()


@pytest.mark.parametrize("text, kind", [
    ("select 1", "SELECT"), ("CREATE PRIMARY INDEX ON b", "CREATE_PRIMARY_INDEX"),
    ("create index i on b(x)", "CREATE_INDEX"), ("  DELETE FROM b", "DELETE"), ("", ""),
])
def test_statement_type(text: str, kind: str) -> None:
    assert statement_type(text) == kind


# -- warnings (n1ql-error-codes: 5036 "Division by 0.") ------------------------------


def test_division_by_zero_is_null_with_warning_5036(engine: QueryEngine) -> None:
    res = engine.query("SELECT 1/0 AS a, 7 % 0 AS b, 0/0 AS c")
    assert res.results == [{"a": None, "b": None, "c": None}]
    assert res.warnings == [{"code": 5036, "msg": "Division by 0."}]


def test_warning_given_once_for_many_rows(engine: QueryEngine) -> None:
    res = engine.query("SELECT RAW abv / 0 FROM `beer-sample` WHERE type = 'beer'")
    assert set(res.results) == {None} and len(res.results) == 12
    assert res.warnings == [{"code": 5036, "msg": "Division by 0."}]


def test_no_warning_without_a_zero_divisor(engine: QueryEngine) -> None:
    for stmt in ("SELECT 1/2", "SELECT 'a'/0", "SELECT NULL/0", "SELECT 5 % 3"):
        assert engine.query(stmt).warnings == [], stmt


def test_use_keys_validate_warns_5503_for_a_missing_key(engine: QueryEngine) -> None:
    """n1ql-error-codes 5503: "Key(s) in USE KEYS hint not found" (USE KEYS VALIDATE)."""
    res = engine.query("SELECT RAW name FROM `beer-sample` USE KEYS VALIDATE "
                       "['anchor_brewing', 'no_such_key']")
    assert res.results == ["Anchor Brewing"]
    assert res.warnings == [{"code": 5503, "msg": "Key(s) in USE KEYS hint not found"}]
    assert engine.query("SELECT RAW name FROM `beer-sample` USE KEYS VALIDATE "
                        "'anchor_brewing'").warnings == []
    assert engine.query("SELECT RAW name FROM `beer-sample` USE KEYS 'no_such_key'"
                        ).warnings == []
