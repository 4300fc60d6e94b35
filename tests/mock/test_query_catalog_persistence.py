"""The query service's catalog survives a restart of a local cluster that has a data
directory: user-defined functions, JavaScript libraries, sequences, vector index
options, ALTER INDEX replica counts and the query settings; after a SIGKILL too.

References (docs-devex, modules/n1ql/pages/n1ql-language-reference/ unless said):
createfunction.adoc ("Global Functions and Scoped Functions", "External
Functions"); the Query Functions REST API (n1ql-rest-functions, POST/GET
/evaluator/v1/libraries/<library>); createsequence.adoc ("Cache": "if a Query
node shuts down ... the unused values in the cached block are lost: a new block
is reserved when you restart the node"; "Storage": sequences are stored, not
kept in memory only); sequenceops.adoc (NEXT VALUE FOR); createvectorindex.adoc
(the WITH object); alterindex.adoc (``replica_count``); n1ql-monitoring
(``/admin/settings`` completed-threshold/limit); curl.adoc ("Creating an Access
List for CURL()").
"""

from __future__ import annotations

import base64
import json
import logging
import os
import random
import signal
import threading
import urllib.error
import urllib.request
from http.client import HTTPException
from typing import Any, Optional

import crash_harness

from couchbase_mock import MockCluster
from couchbase_mock.query_catalog_store import SUBDIR
from couchbase_mock.views import jsengine

AUTH = "Basic " + base64.b64encode(b"Administrator:password").decode()
MATH = "function add(a, b) { return a + b; }"


def http(base: str, path: str, body: Any = None, method: Optional[str] = None,
         ctype: str = "application/json") -> tuple[int, Any]:
    data = None if body is None else (body if isinstance(body, bytes)
                                      else json.dumps(body).encode())
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", AUTH)
    req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, text = resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read().decode()
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, text


def q(base: str, statement: str, **params: Any) -> list:
    """The results of a statement that must succeed."""
    status, doc = http(base, "/query/service", dict(params, statement=statement))
    assert status == 200 and doc["status"] == "success", doc
    return list(doc["results"])


def q_error(base: str, statement: str) -> int:
    _status, doc = http(base, "/query/service", {"statement": statement})
    return int(doc["errors"][0]["code"])


def next_values(base: str, n: int) -> list[int]:
    return [q(base, "SELECT RAW NEXT VALUE FOR app.inv.ids")[0] for _ in range(n)]


def build(base: str) -> None:
    """Everything the catalog keeps, made through the query service."""
    q(base, "CREATE PRIMARY INDEX ON app.inv.items")
    q(base, "INSERT INTO app.inv.items (KEY k, VALUE v) SELECT 'i' || TO_STRING(n) AS k, "
            "{'n': n, 'vec': [n, 0, 0]} AS v FROM ARRAY_RANGE(0, 5) AS n")
    # createfunction.adoc: an inline global function, a scoped one whose subquery
    # names a collection of its scope by one word, a JavaScript one (library).
    q(base, "CREATE FUNCTION celsius(t) { (t - 32) * 5 / 9 }")
    q(base, "CREATE FUNCTION app.inv.n_items() { (SELECT RAW COUNT(*) FROM items)[0] }")
    q(base, "CREATE FUNCTION doomed(x) { x }")
    q(base, "DROP FUNCTION doomed")
    assert http(base, "/evaluator/v1/libraries/math", MATH.encode())[0] == 200
    q(base, 'CREATE FUNCTION js_add(a, b) LANGUAGE JAVASCRIPT AS "add" AT "math"')
    # createsequence.adoc "Cache": a block of 5 values reserved at a time.
    q(base, "CREATE SEQUENCE app.inv.ids CACHE 5")
    q(base, "CREATE SEQUENCE app.inv.gone")
    q(base, "DROP SEQUENCE app.inv.gone")
    q(base, 'CREATE VECTOR INDEX vix ON app.inv.items(vec VECTOR) WITH '
            '{"dimension": 3, "similarity": "L2", "description": "IVF,SQ8"}')
    q(base, "CREATE INDEX by_n ON app.inv.items(n)")
    q(base, 'ALTER INDEX by_n ON app.inv.items WITH {"action": "replica_count", '
            '"num_replica": 1}')
    assert http(base, "/admin/settings", {"completed-threshold": 0,
                                          "completed-limit": 77})[0] == 200


CURL = {"all_access": False, "allowed_urls": ["https://example.com/"], "disallowed_urls": []}


def check(base: str, mgmt: str, taken: list[int]) -> list[int]:
    """After a restart: everything :func:`build` made exists and works; returns
    the sequence values it took."""
    assert q(base, "SELECT RAW celsius(212)") == [100]
    assert q(base, "EXECUTE FUNCTION app.inv.n_items()") == [5]
    assert q_error(base, "EXECUTE FUNCTION doomed(1)") == 10101
    names = sorted(r["functions"]["identity"]["name"]
                   for r in q(base, "SELECT * FROM system:functions"))
    assert names == ["celsius", "js_add", "n_items"]
    assert http(base, "/evaluator/v1/libraries/math") == (200, {"math": MATH})
    if jsengine.available():
        assert q(base, "EXECUTE FUNCTION js_add(2, 3)") == [5]
    # Never a value given out before the restart; a new block starts.
    after = next_values(base, 3)
    assert min(after) > max(taken), (taken, after)
    assert after == [after[0], after[0] + 1, after[0] + 2]
    assert q_error(base, "SELECT NEXT VALUE FOR app.inv.gone") == 19102
    rows = {r["name"]: r for r in q(base, "SELECT RAW i FROM system:indexes AS i "
                                          "WHERE keyspace_id = 'items'")}
    assert rows["vix"]["index_key"] == ["`vec` VECTOR"]
    assert rows["vix"]["with"] == {"dimension": 3, "similarity": "L2",
                                   "description": "IVF,SQ8"}
    assert rows["by_n"]["metadata"]["num_replica"] == 1
    near = q(base, "SELECT RAW META().id FROM app.inv.items ORDER BY "
                   "APPROX_VECTOR_DISTANCE(vec, [3.2, 0, 0], 'L2') LIMIT 2")
    assert near == ["i3", "i4"]
    settings = http(base, "/admin/settings")[1]
    assert (settings["completed-threshold"], settings["completed-limit"]) == (0, 77)
    assert http(mgmt, "/settings/querySettings/curlWhitelist")[1] == CURL
    return after


def _app_cluster(data_dir: str) -> MockCluster:
    return MockCluster(nodes=2, buckets={"app": {}}, data_dir=data_dir)


def test_the_catalog_survives_a_clean_restart(tmp_path):
    with _app_cluster(str(tmp_path)) as mock:
        mock.create_scope("app", "inv")
        mock.create_collection("app", "inv", "items")
        base = mock.query_url
        build(base)
        assert http(mock.mgmt_url, "/settings/querySettings/curlWhitelist", CURL)[0] == 200
        taken = next_values(base, 7)
        assert taken == list(range(7))
    assert sorted(os.listdir(tmp_path / SUBDIR)) == [
        "functions.json", "sequences.json", "settings.json"]
    with _app_cluster(str(tmp_path)) as mock:
        check(mock.query_url, mock.mgmt_url, taken)
        # createsequence.adoc "Cache": the rest of the block (7..9) is lost.
        assert q(mock.query_url, "SELECT RAW PREV VALUE FOR app.inv.ids") == [12]


def test_the_same_cluster_object_stopped_and_started_keeps_its_catalog(tmp_path):
    mock = _app_cluster(str(tmp_path))
    mock.start()
    try:
        q(mock.query_url, "CREATE FUNCTION twice(x) { x * 2 }")
        mock.stop()
        mock.start()
        assert q(mock.query_url, "SELECT RAW twice(21)") == [42]
    finally:
        mock.stop()


def _query_base(ready: dict) -> str:
    _status, doc = http(ready["mgmt"], "/pools/default/nodeServices")
    node = doc["nodesExt"][0]
    return f"http://{node.get('hostname', '127.0.0.1')}:{node['services']['n1ql']}"


def _take_until_killed(base: str, proc: Any, after: float) -> list[int]:
    """NEXT VALUE FOR app.inv.fast (CACHE 3) in a loop until a SIGKILL ``after``
    seconds from now; the values acknowledged before it."""
    timer = threading.Timer(after, lambda: proc.send_signal(signal.SIGKILL))
    timer.start()
    got: list[int] = []
    try:
        while True:
            got.append(q(base, "SELECT RAW NEXT VALUE FOR app.inv.fast")[0])
    except (OSError, HTTPException, AssertionError, ValueError, TypeError):
        pass  # the connection the kill cut (IncompleteRead: between headers and body)
    finally:
        timer.join()
        proc.wait()
    return got


def test_nothing_acknowledged_is_lost_when_the_process_is_killed(tmp_path):
    """SIGKILL after the last acknowledged change, then three times at a random
    moment while values are taken; each restart has every function, library,
    setting and index option, and no sequence value is ever handed out twice."""
    data_dir = str(tmp_path)
    with _app_cluster(data_dir) as mock:  # the keyspaces, saved by a clean stop
        mock.create_scope("app", "inv")
        mock.create_collection("app", "inv", "items")
    proc, ready = crash_harness.spawn(data_dir)
    try:
        base = _query_base(ready)
        build(base)
        q(base, "CREATE SEQUENCE app.inv.fast CACHE 3")
        assert http(ready["mgmt"], "/settings/querySettings/curlWhitelist", CURL)[0] == 200
        taken = next_values(base, 7)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    fast: list[int] = []
    rng = random.Random(13)
    for _ in range(3):
        proc, ready = crash_harness.spawn(data_dir)
        try:
            base = _query_base(ready)
            taken += check(base, ready["mgmt"], taken)
        except BaseException:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            raise
        got = _take_until_killed(base, proc, rng.uniform(0.05, 0.3))
        assert got and (not fast or min(got) > max(fast)), (fast[-5:], got[:5])
        fast += got
    assert len(set(taken)) == len(taken) == 7 + 3 * 3
    assert len(set(fast)) == len(fast)


def test_a_corrupt_catalog_file_starts_that_kind_empty_with_a_warning(tmp_path, caplog):
    with _app_cluster(str(tmp_path)) as mock:
        mock.create_scope("app", "inv")
        base = mock.query_url
        q(base, "CREATE FUNCTION celsius(t) { (t - 32) * 5 / 9 }")
        q(base, "CREATE SEQUENCE app.inv.ids")
        assert next_values(base, 2) == [0, 1]
    functions = tmp_path / SUBDIR / "functions.json"
    functions.write_bytes(b'{"functions": [{"key": ')  # a torn write, by hand
    (tmp_path / SUBDIR / "settings.json").write_bytes(b"\xff\xfe not json")
    caplog.set_level(logging.WARNING, logger="couchbase_mock.query_catalog_store")
    with _app_cluster(str(tmp_path)) as mock:
        base = mock.query_url
        assert q(base, "SELECT RAW name FROM system:functions") == []
        assert q_error(base, "SELECT RAW celsius(212)") == 3000  # an unknown function now
        assert next_values(base, 1) == [50]  # the sequences file was fine
        assert http(base, "/admin/settings")[1]["completed-limit"] == 4000  # the default
        q(base, "CREATE FUNCTION kelvin(t) { t + 273.15 }")
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("functions.json" in m for m in warned) and any(
        "settings.json" in m for m in warned), warned
    assert (tmp_path / SUBDIR / "functions.json.corrupt").exists()
    with _app_cluster(str(tmp_path)) as mock:  # the new catalog is saved again
        assert q(mock.query_url, "SELECT RAW kelvin(0)") == [273.15]


def test_a_memory_only_cluster_writes_no_catalog(tmp_path):
    with MockCluster(nodes=1) as mock:
        q(mock.query_url, "CREATE FUNCTION twice(x) { x * 2 }")
        assert getattr(mock.cluster.query_engine, "catalog_store", None) is None


def test_one_unreadable_function_is_skipped_the_others_are_restored(tmp_path, caplog):
    with _app_cluster(str(tmp_path)) as mock:
        for name, body in (("good", "x + 1"), ("reworded", "x + 2"), ("broken", "x + 3")):
            q(mock.query_url, f"CREATE FUNCTION {name}(x) {{ {body} }}")
    path = tmp_path / SUBDIR / "functions.json"
    doc = json.loads(path.read_text())
    for entry in doc["functions"]:
        if entry["key"][2] in ("reworded", "broken"):
            entry["text"] = "CREATE FUNCTION ((("  # a statement this parser refuses
        if entry["key"][2] == "broken":
            entry["body"] = "x +"
    path.write_text(json.dumps(doc))
    caplog.set_level(logging.WARNING, logger="couchbase_mock.query_catalog_store")
    with _app_cluster(str(tmp_path)) as mock:
        assert q(mock.query_url, "SELECT RAW [good(1), reworded(1)]") == [[2, 3]]
        assert q_error(mock.query_url, "SELECT RAW broken(1)") == 3000
    assert any("broken" in r.getMessage() for r in caplog.records), caplog.records
