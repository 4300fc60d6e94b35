"""The query service's warnings and its monitoring catalogs, over HTTP.

References: the query REST response (``warnings``: ``[{"code", "msg"}]``, after
``results``/``errors`` and before ``status``; ``metrics.warningCount``);
n1ql-error-codes 5036 ("Division by 0."); n1ql-manage/monitoring-n1ql-query
(active, completed and prepared requests; ``/admin/settings`` with
``completed-threshold``, ``completed-limit`` and ``completed`` qualifiers);
n1ql-intro/sysinfo (user, node and role catalogs; what a user may see)."""

from __future__ import annotations

import json
import threading
from typing import Any, Iterator

import pytest
from mock_http import basic_auth
from test_query_service import ADMIN, Answer, q, request

from couchbase_mock import MockCluster

OTHER = basic_auth("other", "")  # a bucket name with its (empty) bucket password


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, buckets={"default": {}, "other": {}}) as m:
        assert q(m, "CREATE PRIMARY INDEX ON `default`").status == 200
        assert q(m, "CREATE PRIMARY INDEX ON `other`").status == 200
        yield m


def settings(mock: MockCluster, doc: Any = None, headers: Any = None) -> Answer:
    hdrs = dict(ADMIN if headers is None else headers)
    hdrs["Content-Type"] = "application/json"
    if doc is None:
        return request(mock, "GET", "/admin/settings", headers=hdrs)
    return request(mock, "POST", "/admin/settings", json.dumps(doc).encode(), hdrs)


@pytest.fixture
def log_all(mock: MockCluster) -> Iterator[None]:
    """Every request logged (completed-threshold 0), the log empty to start with."""
    assert settings(mock, {"completed-threshold": 0, "completed-limit": 4000}).status == 200
    q(mock, "DELETE FROM system:completed_requests")
    yield
    settings(mock, {"completed-threshold": 1000, "completed-limit": 4000,
                    "completed": {"-error": 12003}})


# -- warnings ------------------------------------------------------------------------


def test_division_by_zero_warns_5036(mock: MockCluster) -> None:
    ans = q(mock, "SELECT 10/0 AS x, 10/4 AS y")
    assert ans.status == 200 and ans.doc["status"] == "success"
    assert ans.results == [{"x": None, "y": 2.5}]
    assert ans.doc["warnings"] == [{"code": 5036, "msg": "Division by 0."}]
    assert ans.doc["metrics"]["warningCount"] == 1
    keys = list(ans.doc)
    assert keys.index("results") < keys.index("warnings") < keys.index("status")


def test_no_warnings_field_without_warnings(mock: MockCluster) -> None:
    ans = q(mock, "SELECT 10/4 AS y")
    assert "warnings" not in ans.doc and "warningCount" not in ans.doc["metrics"]


def test_a_prepared_statement_warns_each_time(mock: MockCluster) -> None:
    assert q(mock, "PREPARE div0 AS SELECT RAW 1/0").status == 200
    for _ in range(2):
        ans = q(mock, prepared="div0")
        assert ans.results == [None]
        assert ans.doc["warnings"][0]["code"] == 5036


# -- completed and active requests -----------------------------------------------------


def completed(mock: MockCluster, headers: Any = None, where: str = "") -> list[dict]:
    ans = q(mock, f"SELECT RAW c FROM system:completed_requests c {where}", headers=headers)
    return ans.results


def test_completed_request_fields_match_the_response(mock: MockCluster, log_all: None) -> None:
    """"Completed Request Details": requestId, clientContextID, statement, resultCount,
    resultSize, errorCount, state, users..."""
    ans = q(mock, "SELECT RAW META().id FROM `default` LIMIT 0", client_context_id="ctx-1")
    rid = ans.doc["requestID"]
    rows = completed(mock, where=f'WHERE requestId = "{rid}"')
    assert len(rows) == 1
    row = rows[0]
    assert row["clientContextID"] == "ctx-1"
    assert row["statement"] == "SELECT RAW META().id FROM `default` LIMIT 0"
    assert row["statementType"] == "SELECT" and row["state"] == "completed"
    assert row["resultCount"] == ans.doc["metrics"]["resultCount"]
    assert row["resultSize"] == ans.doc["metrics"]["resultSize"]
    assert row["errorCount"] == 0 and row["users"] == "builtin:Administrator"
    assert row["~qualifier"] == "threshold"


def test_default_threshold_skips_fast_requests(mock: MockCluster) -> None:
    settings(mock, {"completed-threshold": 1000})
    q(mock, "DELETE FROM system:completed_requests")
    ans = q(mock, "SELECT 1")
    assert completed(mock, where=f'WHERE requestId = "{ans.doc["requestID"]}"') == []


def test_error_qualifier_logs_failed_requests(mock: MockCluster) -> None:
    """{"completed": {"error": 12003}}: requests failing with 12003 are logged."""
    settings(mock, {"completed-threshold": -1, "completed": {"error": 12003}})
    try:
        q(mock, "DELETE FROM system:completed_requests")
        ans = q(mock, "SELECT * FROM nowhere_at_all")
        assert ans.error[0] == 12003
        rows = completed(mock)
        assert [r["requestId"] for r in rows] == [ans.doc["requestID"]]
        assert rows[0]["errorCount"] == 1 and rows[0]["errors"][0]["code"] == 12003
        assert rows[0]["~qualifier"] == "error"
    finally:
        settings(mock, {"completed-threshold": 1000, "completed": {"-error": 12003}})


def test_completed_limit_keeps_the_latest(mock: MockCluster, log_all: None) -> None:
    settings(mock, {"completed-limit": 2})
    ids = [q(mock, f"SELECT {i}").doc["requestID"] for i in range(4)]
    rows = completed(mock)  # this request is not yet completed while it runs
    assert [r["requestId"] for r in rows] == ids[2:]


def test_delete_completed_request_by_id(mock: MockCluster, log_all: None) -> None:
    """Purge the Completed Requests: DELETE ... WHERE requestId = "uuid"."""
    first = q(mock, "SELECT 1").doc["requestID"]
    second = q(mock, "SELECT 2").doc["requestID"]
    ans = q(mock, f'DELETE FROM system:completed_requests WHERE requestId = "{first}"')
    assert ans.doc["metrics"]["mutationCount"] == 1
    left = {r["requestId"] for r in completed(mock)}
    assert first not in left and second in left


def test_active_requests_show_the_running_request(mock: MockCluster) -> None:
    ans = q(mock, "SELECT RAW a FROM system:active_requests a", client_context_id="me")
    rows = [r for r in ans.results if r["clientContextID"] == "me"]
    assert len(rows) == 1
    assert rows[0]["requestId"] == ans.doc["requestID"] and rows[0]["state"] == "running"
    assert rows[0]["statement"] == "SELECT RAW a FROM system:active_requests a"


def test_delete_active_request_stops_it(mock: MockCluster) -> None:
    """Terminate an Active Request: the stopped request answers with an error."""
    statement = ("SELECT COUNT(*) FROM ARRAY_RANGE(0, 3000) AS a, ARRAY_RANGE(0, 3000) AS b")
    result: dict[str, Answer] = {}
    runner = threading.Thread(target=lambda: result.setdefault(
        "ans", q(mock, statement, client_context_id="to-stop")))
    runner.start()
    try:
        for _ in range(200):
            rows = q(mock, "SELECT RAW requestId FROM system:active_requests "
                           "WHERE clientContextID = 'to-stop'").results
            if rows or not runner.is_alive():
                break
        if not rows:
            pytest.skip("the statement finished before it could be stopped")
        q(mock, f'DELETE FROM system:active_requests WHERE requestId = "{rows[0]}"')
    finally:
        runner.join(60)
    ans = result["ans"]
    assert ans.doc["status"] != "success" and ans.doc["errors"]


# -- settings --------------------------------------------------------------------------


def test_settings_get_and_bad_post(mock: MockCluster) -> None:
    ans = settings(mock)
    assert ans.status == 200
    assert {"completed-threshold", "completed-limit", "completed"} <= set(ans.doc)
    assert settings(mock, {"completed": {"colour": "red"}}).status == 400
    assert settings(mock, {"completed-limit": 7}, headers=OTHER).status == 403
    assert settings(mock).doc["completed-limit"] == ans.doc["completed-limit"]


# -- what a bucket user sees (sysinfo, "Authentication and Client Privileges") ----------


def test_bucket_user_sees_its_bucket_and_its_requests(mock: MockCluster, log_all: None) -> None:
    assert q(mock, "SELECT RAW name FROM system:buckets", headers=OTHER).results == ["other"]
    assert q(mock, "SELECT RAW name FROM system:keyspaces", headers=OTHER).results == ["other"]
    names = q(mock, "SELECT RAW name FROM system:indexes", headers=OTHER).results
    assert names == ["#primary"]
    mine = q(mock, "SELECT 1", headers=OTHER).doc["requestID"]
    admins = q(mock, "SELECT 2").doc["requestID"]
    seen = {r["requestId"] for r in completed(mock, headers=OTHER)}
    assert mine in seen and admins not in seen
    assert {mine, admins} <= {r["requestId"] for r in completed(mock)}


def test_user_catalogs(mock: MockCluster) -> None:
    me = q(mock, "SELECT RAW u FROM system:my_user_info u", headers=OTHER).results
    assert me[0]["id"] == "other"
    assert me[0]["roles"] == [{"role": "bucket_full_access", "bucket_name": "other"}]
    assert q(mock, "SELECT RAW id FROM system:user_info", headers=OTHER).results == ["other"]
    admin = q(mock, "SELECT RAW u FROM system:my_user_info u").results[0]
    assert admin["id"] == "Administrator" and admin["roles"] == [{"role": "admin"}]
    roles = q(mock, "SELECT RAW r FROM system:applicable_roles r").results
    assert {"grantee": "Administrator", "role": "admin"} in roles


def test_nodes_list_every_node_and_its_query_port(mock: MockCluster) -> None:
    """sysinfo "Monitor Nodes": name, ports, services."""
    rows = q(mock, "SELECT RAW n FROM system:nodes n").results
    assert len(rows) == len(mock.nodes)
    assert sorted(r["ports"]["n1ql"] for r in rows) == sorted(n.query_port for n in mock.nodes)
    assert all("n1ql" in r["services"] and "kv" in r["services"] for r in rows)


def test_prepare_a_system_statement_over_http(mock: MockCluster) -> None:
    assert q(mock, "PREPARE sysbuckets AS SELECT RAW name FROM system:buckets "
                   "ORDER BY name").status == 200
    assert q(mock, prepared="sysbuckets").results == ["default", "other"]
    rows = q(mock, "SELECT RAW p FROM system:prepareds p WHERE name = 'sysbuckets'").results
    assert rows[0]["uses"] == 1
    assert q(mock, "DELETE FROM system:prepareds WHERE name = 'sysbuckets'").status == 200
    assert q(mock, prepared="sysbuckets").error[0] == 4040


def test_use_keys_validate_warns_5503(mock: MockCluster) -> None:
    ans = q(mock, "SELECT RAW META().id FROM `default` USE KEYS VALIDATE ['no-such-key']")
    assert ans.results == []
    assert ans.doc["warnings"] == [{"code": 5503, "msg": "Key(s) in USE KEYS hint not found"}]


# -- the Admin REST API (monitoring page: "curl ... $BASE_URL/admin/...") ---------------


def test_admin_rest_catalogs(mock: MockCluster, log_all: None) -> None:
    hdrs = dict(ADMIN)
    rid = q(mock, "SELECT 'logged'").doc["requestID"]
    ans = request(mock, "GET", "/admin/completed_requests", headers=hdrs)
    assert ans.status == 200 and rid in {r["requestId"] for r in ans.doc}
    one = request(mock, "GET", f"/admin/completed_requests/{rid}", headers=hdrs)
    assert one.status == 200 and one.doc["statement"] == "SELECT 'logged'"
    assert request(mock, "DELETE", f"/admin/completed_requests/{rid}", headers=hdrs).status \
        == 200
    assert request(mock, "GET", f"/admin/completed_requests/{rid}", headers=hdrs).status == 404
    assert q(mock, "PREPARE adminp AS SELECT 1").status == 200
    assert request(mock, "GET", "/admin/prepareds/adminp", headers=hdrs).doc["name"] == "adminp"
    assert request(mock, "DELETE", "/admin/prepareds/adminp", headers=hdrs).status == 200
    assert q(mock, prepared="adminp").error[0] == 4040
    assert request(mock, "GET", "/admin/active_requests", headers=OTHER).status == 403


# -- through the SDK ---------------------------------------------------------------------


def test_sdk_metadata_carries_the_warnings(mock: MockCluster) -> None:
    """QueryMetaData.warnings(): code() and message() of each response warning."""
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    cluster = Cluster(mock.connstr,
                      ClusterOptions(PasswordAuthenticator("Administrator", "password")))
    try:
        result = cluster.query("SELECT RAW 7 / 0")
        assert list(result.rows()) == [None]
        warnings = result.metadata().warnings()
        assert [(w.code(), w.message()) for w in warnings] == [(5036, "Division by 0.")]
        assert result.metadata().metrics().warning_count() == 1
    finally:
        cluster.close()


def test_a_timed_out_request_is_logged_as_timeout(mock: MockCluster, log_all: None) -> None:
    ans = q(mock, "SELECT COUNT(*) FROM ARRAY_RANGE(0, 3000) AS a, ARRAY_RANGE(0, 3000) AS b",
            timeout="50ms", client_context_id="too-slow")
    assert ans.doc["status"] == "timeout"
    rows = completed(mock, where="WHERE clientContextID = 'too-slow'")
    assert len(rows) == 1 and rows[0]["state"] == "timeout"
    assert rows[0]["errors"][0]["code"] == 1080


def test_vitals_count_requests(mock: MockCluster) -> None:
    """system:vitals (monitoring page, "Monitor System Vitals")."""
    before = q(mock, "SELECT RAW v FROM system:vitals v").results[0]
    q(mock, "SELECT 1")
    after = q(mock, "SELECT RAW v FROM system:vitals v").results[0]
    assert after["request.completed.count"] >= before["request.completed.count"] + 2
    assert after["request.active.count"] >= 1 and "version" in after
