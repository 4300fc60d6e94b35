"""JavaScript user-defined functions and their libraries, through the query service.

References (docs-devex): createfunction.adoc ("External Functions", "SQL++ Managed
User-Defined Functions", example "N1QL managed user-defined function");
the Query Functions REST API (n1ql-rest-functions: GET/POST/DELETE
/evaluator/v1/libraries[/<library>], ``?bucket=&scope=``, its examples "math"
and "science"); javascript-udfs/libraries-and-scopes ("bucket/scope/library"
names); handling-errors-javascript-udf.adoc (a thrown error fails the call);
prepare.adoc "Query Context". The JavaScript tests need the ``views`` extra
(mini-racer, part of the ``test`` extra); the REST checks run without it.
"""

from __future__ import annotations

import http.client
import json
from typing import Any, Iterator, Optional

import pytest
from test_query_service import ADMIN, q

from couchbase_mock import MockCluster
from couchbase_mock.n1ql.statements import js_udf
from couchbase_mock.views import jsengine

needs_js = pytest.mark.skipif(not jsengine.available(),
                              reason="the views extra (mini-racer) is not installed")

MATH = ("function add(a, b) { let data = a + b; return data; }\n"
        "function sub(a, b) { let data = a - b; return data; }")
SCOPED_CTX = "default:`default`.`_default`"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=1, buckets={"default": {}, "other": {}}) as m:
        yield m


def lib(mock: MockCluster, method: str, name: str = "", body: Optional[str] = None,
        query: str = "", headers: Optional[dict[str, str]] = None) -> tuple[int, Any]:
    path = "/evaluator/v1/libraries" + (f"/{name}" if name else "") + (
        f"?{query}" if query else "")
    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].query_port, timeout=30)
    try:
        hdrs = dict(ADMIN if headers is None else headers)
        hdrs["Content-Type"] = "application/json"
        conn.request(method, path, body=None if body is None else body.encode(), headers=hdrs)
        resp = conn.getresponse()
        data = resp.read().decode()
        if "json" in resp.getheader("Content-Type", "") and data:
            return resp.status, json.loads(data)
        return resp.status, data
    finally:
        conn.close()


# -- the libraries API ----------------------------------------------------------------


def test_library_create_read_list_delete(mock: MockCluster) -> None:
    # n1ql-rest-functions "Create or Update a Library" / "Read a Library" /
    # "Read All Libraries" / "Delete a Library" (the global "math" example)
    assert lib(mock, "POST", "math", MATH)[0] == 200
    assert lib(mock, "GET", "math") == (200, {"math": MATH})
    status, libraries = lib(mock, "GET")
    assert status == 200
    assert {"name": "math", "bucket": "", "scope": "", "code": MATH} in libraries
    assert lib(mock, "DELETE", "math")[0] == 200
    assert lib(mock, "GET", "math")[0] == 404
    assert lib(mock, "DELETE", "math")[0] == 404


def test_scoped_library_is_listed_in_its_scope_only(mock: MockCluster) -> None:
    # n1ql-rest-functions "Scoped": ?bucket=&scope=; a global library may share the name
    code = "function f2c(f) { return (5/9)*(f-32); }"
    scope = "bucket=default&scope=_default"
    assert lib(mock, "POST", "science", code, scope)[0] == 200
    assert lib(mock, "GET", "science", query=scope) == (200, {"science": code})
    assert lib(mock, "GET", "science")[0] == 404  # not a global library
    status, listed = lib(mock, "GET", query=scope)
    assert status == 200 and [x["name"] for x in listed] == ["science"]
    assert listed[0]["bucket"] == "default" and listed[0]["scope"] == "_default"
    assert lib(mock, "DELETE", "science", query=scope)[0] == 200


def test_library_request_errors(mock: MockCluster) -> None:
    # n1ql-rest-functions: bucket and scope together or not at all (400); a scope that
    # does not exist (404); credentials are required
    assert lib(mock, "POST", "x", "function x() {}", "bucket=default")[0] == 400
    assert lib(mock, "GET", "x", query="bucket=default&scope=nosuch")[0] == 404
    assert lib(mock, "POST", "x", "")[0] == 400  # no code
    bad = {"Authorization": "Basic " + "QWRtaW5pc3RyYXRvcjp3cm9uZw=="}  # wrong password
    assert lib(mock, "GET", headers=bad)[0] == 401
    assert lib(mock, "PATCH", "x")[0] == 405


# -- calling JavaScript functions ------------------------------------------------------


@needs_js
def test_managed_function(mock: MockCluster) -> None:
    # createfunction.adoc example "SQL++ managed user-defined function"
    assert q(mock, 'CREATE FUNCTION add100(num) LANGUAGE JAVASCRIPT AS '
                   '"function add100(param1) {return param1+100;}"').status == 200
    assert q(mock, "EXECUTE FUNCTION add100(100)").results == [200]
    assert q(mock, "SELECT RAW add100(x) FROM [1, 2] AS x").results == [101, 102]
    assert q(mock, "DROP FUNCTION add100").status == 200


@needs_js
def test_external_function_follows_its_library(mock: MockCluster) -> None:
    # createfunction.adoc "External Functions" (AS "obj" AT "library"); the REST API's
    # "Edit" example: sub now calls a helper; a library in use cannot be deleted
    assert lib(mock, "POST", "math", MATH)[0] == 200
    assert q(mock, 'CREATE FUNCTION js_sub(a, b) LANGUAGE JAVASCRIPT AS "sub" AT "math"'
             ).status == 200
    assert q(mock, "EXECUTE FUNCTION js_sub(10, 3)").results == [7]
    edited = ("function add(a, b) { let data = a + b; return data; }\n"
              "function sub(a, b) { return helper(a, b); }\n"
              "function helper(a, b) { return a - b - 1000; }")
    assert lib(mock, "POST", "math", edited)[0] == 200
    assert q(mock, "EXECUTE FUNCTION js_sub(10, 3)").results == [-993]
    assert lib(mock, "DELETE", "math")[0] == 400  # js_sub still points at it
    assert q(mock, "DROP FUNCTION js_sub").status == 200
    assert lib(mock, "DELETE", "math")[0] == 200


@needs_js
def test_scoped_library_through_the_query_context(mock: MockCluster) -> None:
    # libraries-and-scopes: a scoped library is "bucket/scope/library"; the query
    # context names the function's scope (createfunction.adoc "Function Name")
    code = "function f2c(f) { return (5/9)*(f-32); }"
    assert lib(mock, "POST", "science", code, "bucket=default&scope=_default")[0] == 200
    made = q(mock, 'CREATE FUNCTION f2c(f) LANGUAGE JAVASCRIPT AS "f2c" '
                   'AT "default/_default/science"', query_context=SCOPED_CTX)
    assert made.status == 200
    assert q(mock, "SELECT RAW f2c(212)", query_context=SCOPED_CTX).results == [100]
    assert q(mock, "SELECT RAW f2c(212)").error[0] == 3000  # not a global function
    assert q(mock, "DROP FUNCTION f2c", query_context=SCOPED_CTX).status == 200


@needs_js
def test_thrown_error_and_undefined_result(mock: MockCluster) -> None:
    # handling-errors-javascript-udf.adoc "Throwing or Returning Errors": a thrown error
    # is an error condition (10109); a returned value, even an error text, is a result
    q(mock, "CREATE OR REPLACE FUNCTION boom(x) LANGUAGE JAVASCRIPT AS "
            "\"function boom(x) { if (x) { throw new Error('no ' + x); } return 'ok'; }\"")
    code, msg = q(mock, "EXECUTE FUNCTION boom('way')").error
    assert code == 10109 and "no way" in msg and "boom" in msg
    assert q(mock, "EXECUTE FUNCTION boom(false)").results == ["ok"]
    q(mock, 'CREATE OR REPLACE FUNCTION nothing() LANGUAGE JAVASCRIPT AS '
            '"function nothing() { }"')
    assert q(mock, "SELECT nothing() AS v").results == [{}]  # undefined is MISSING
    q(mock, 'CREATE OR REPLACE FUNCTION wrong() LANGUAGE JAVASCRIPT AS "nosuch" AT "nolib"')
    assert q(mock, "EXECUTE FUNCTION wrong()").error[0] == 10109


@needs_js
def test_endless_function_is_stopped(mock: MockCluster, monkeypatch: Any) -> None:
    # createfunction.adoc: the function runs under the service's limits; a call past
    # its time limit fails (10109) and the next call works
    monkeypatch.setattr(js_udf, "CALL_TIMEOUT", 0.5)
    q(mock, 'CREATE OR REPLACE FUNCTION spin() LANGUAGE JAVASCRIPT AS '
            '"function spin() { while (true) {} }"')
    code, msg = q(mock, "EXECUTE FUNCTION spin()").error
    assert code == 10109 and "0.5 s" in msg
    q(mock, 'CREATE OR REPLACE FUNCTION one() LANGUAGE JAVASCRIPT AS '
            '"function one() { return 1; }"')
    assert q(mock, "EXECUTE FUNCTION one()").results == [1]


@needs_js
def test_request_timeout_stops_a_function(mock: MockCluster) -> None:
    # the request's own timeout (query-settings "timeout") ends the call: 1080
    q(mock, 'CREATE OR REPLACE FUNCTION spin2() LANGUAGE JAVASCRIPT AS '
            '"function spin2() { while (true) {} }"')
    ans = q(mock, "EXECUTE FUNCTION spin2()", timeout="300ms")
    assert ans.doc["errors"][0]["code"] == 1080


# -- prepared statements per query context ---------------------------------------------


def test_prepared_names_per_query_context(mock: MockCluster) -> None:
    # prepare.adoc "Query Context": the same name in two contexts names two statements;
    # execute.adoc: another query context does not find it
    assert q(mock, "PREPARE pctx AS SELECT RAW 'in default'",
             query_context="default:`default`._default").status == 200
    assert q(mock, "PREPARE pctx AS SELECT RAW 'in other'",
             query_context="default:other._default").status == 200
    assert q(mock, prepared="pctx", query_context="default:`default`._default"
             ).results == ["in default"]
    assert q(mock, prepared="pctx", query_context="default:other._default"
             ).results == ["in other"]
    assert q(mock, prepared="pctx").error[0] == 4040
