"""User-defined functions: CREATE/DROP/EXECUTE FUNCTION and calls in expressions.

Pages: createfunction.adoc (examples "Inline function with the LANGUAGE
syntax", "... braces syntax", "... named parameters", "Replace a function",
"Global Functions and Scoped Functions"), dropfunction.adoc ("IF EXISTS
Clause"), execfunction.adoc ("10101: Function not found" for a built-in),
userfun.adoc (calling a function in an expression); docs-devex
modules/n1ql/pages/n1ql-language-reference.
"""

from __future__ import annotations

import pytest

from couchbase_mock.n1ql import MemoryDatastore, N1QLError, QueryEngine
from couchbase_mock.n1ql.statements import udf


@pytest.fixture
def q() -> QueryEngine:
    ds = MemoryDatastore()
    ds.create_bucket("travel-sample")
    ds.create_collection("travel-sample", "inventory", "landmark")
    engine = QueryEngine(ds)
    engine.query("CREATE PRIMARY INDEX ON `travel-sample`.inventory.landmark")
    engine.query("INSERT INTO `travel-sample`.inventory.landmark (KEY, VALUE) VALUES "
                 "('l1', {'name': 'Royal Engineers Museum', 'activity': 'see'}), "
                 "('l2', {'name': 'Hollywood Bowl', 'activity': 'do'})")
    return engine


def error(engine: QueryEngine, statement: str) -> N1QLError:
    with pytest.raises(N1QLError) as info:
        engine.query(statement)
    return info.value


def test_inline_function_language_syntax(q):
    # createfunction.adoc "Inline function with the LANGUAGE syntax"
    q.query("CREATE FUNCTION celsius(...) LANGUAGE INLINE AS (args[0] - 32) * 5/9;")
    assert q.query("EXECUTE FUNCTION celsius(100);").results == [37.77777777777778]


def test_inline_function_braces_syntax_ignores_extra_args(q):
    # createfunction.adoc "Inline function with the braces syntax"
    q.query("CREATE FUNCTION fahrenheit(...) { (args[0] * 9/5) + 32 };")
    assert q.query('EXECUTE FUNCTION fahrenheit(100, "ignore this");').results == [212]


def test_named_parameters_need_that_many_arguments(q):
    # createfunction.adoc "Inline function with named parameters": error 10104
    q.query("CREATE FUNCTION lstr(vString, vLen) LANGUAGE INLINE AS SUBSTR(vString, 0, vLen);")
    err = error(q, 'EXECUTE FUNCTION lstr("Couchbase", 5, "ignore this");')
    assert (err.code, err.msg) == (
        10104, "Incorrect number of arguments supplied to function lstr - cause: lstr")
    assert q.query('EXECUTE FUNCTION lstr("Couchbase", 5)').results == ["Couch"]


def test_named_parameters_rstr(q):
    # createfunction.adoc "Inline function with named parameters" (rstr)
    q.query("CREATE FUNCTION rstr(vString, vLen) "
            "{ SUBSTR(vString, LENGTH(vString) - vLen, vLen) };")
    assert q.query('EXECUTE FUNCTION rstr("Couchbase", 4);').results == ["base"]


def test_no_parameters_means_no_arguments(q):
    # createfunction.adoc "Function Parameters": "If you specify no parameters,
    # then you must call the function with no arguments."
    q.query("CREATE FUNCTION phi() { 2 * 0.809016994374947 }")
    assert error(q, "EXECUTE FUNCTION phi(1)").code == 10104


def test_replace_a_function(q):
    # createfunction.adoc "Replace a function"; "OR REPLACE / IF NOT EXISTS"
    q.query("CREATE FUNCTION phi() { 1.6 }")
    err = error(q, "CREATE FUNCTION phi() { 2 }")
    assert err.code == 10102
    q.query("CREATE FUNCTION phi() IF NOT EXISTS { 2 }")
    assert q.query("EXECUTE FUNCTION phi()").results == [1.6]
    q.query("CREATE OR REPLACE FUNCTION phi() { (1 + SQRT(5)) / 2 };")
    assert q.query("EXECUTE FUNCTION phi();").results == [1.618033988749895]


def test_or_replace_and_if_not_exists_are_exclusive(q):
    # createfunction.adoc "NOTE: These clauses are exclusive."
    assert error(q, "CREATE OR REPLACE FUNCTION f() IF NOT EXISTS { 1 }").code == 3000


def test_subquery_in_a_scoped_function_uses_its_scope(q):
    # createfunction.adoc "Global Functions and Scoped Functions": partial keyspace
    # references resolve against the function's scope; "Inline function with subquery"
    q.query("CREATE FUNCTION default:`travel-sample`.inventory.locations(vActivity) "
            "{ (SELECT RAW name FROM landmark WHERE activity = vActivity) }")
    assert q.query('EXECUTE FUNCTION `travel-sample`.inventory.locations("see")'
                   ).results == [["Royal Engineers Museum"]]


def test_scoped_function_needs_its_scope(q):
    err = error(q, "CREATE FUNCTION `travel-sample`.nosuch.f() { 1 }")
    assert err.code == 12021


def test_call_in_an_expression(q):
    # userfun.adoc: a user-defined function is called like a built-in one
    q.query("CREATE FUNCTION rstr(vString, vLen) "
            "{ SUBSTR(vString, LENGTH(vString) - vLen, vLen) }")
    q.query("CREATE FUNCTION `travel-sample`.inventory.sq(x) { x * x }")
    rows = q.query("SELECT rstr(l.name, 4) AS tail, `travel-sample`.inventory.sq(3) AS nine "
                   "FROM `travel-sample`.inventory.landmark AS l ORDER BY l.name").results
    assert rows == [{"tail": "Bowl", "nine": 9}, {"tail": "seum", "nine": 9}]


def test_functions_calling_functions_and_recursion(q):
    q.query("CREATE FUNCTION fact(n) { CASE WHEN n <= 1 THEN 1 ELSE n * fact(n - 1) END }")
    assert q.query("EXECUTE FUNCTION fact(10)").results == [3628800]
    q.query("CREATE FUNCTION forever(n) { forever(n + 1) }")
    err = error(q, "SELECT forever(0)")
    assert err.code == 10112 and str(udf.MAX_DEPTH) in err.msg


def test_drop_function_and_if_exists(q):
    # dropfunction.adoc "Drop an inline function", "IF EXISTS Clause"
    q.query("CREATE FUNCTION celsius(...) LANGUAGE INLINE AS (args[0] - 32) * 5/9")
    assert q.query("DROP FUNCTION celsius;").results == []
    assert error(q, "DROP FUNCTION celsius").code == 10101
    assert q.query("DROP FUNCTION celsius IF EXISTS").results == []
    assert error(q, "EXECUTE FUNCTION celsius(1)").code == 10101
    # 3000 "Invalid function" when no engine of this process has one of that name
    assert error(q, "SELECT celsius(1)").code in (3000, 10101)


def test_execute_function_of_a_builtin_is_not_found(q):
    # execfunction.adoc: "error 10101: Function not found"
    assert error(q, "EXECUTE FUNCTION UPPER('a')").code == 10101


def test_unknown_function_in_a_body_fails_at_create(q):
    assert error(q, "CREATE FUNCTION f(a) { nosuch(a) }").code == 3000
    assert error(q, "EXECUTE FUNCTION f(1)").code == 10101  # not left half made


def test_javascript_function_of_a_missing_library_fails_10109(q):
    # createfunction.adoc "External functions": LANGUAGE JAVASCRIPT AS "obj" AT "library";
    # the function is kept, and a call fails while the library does not exist
    q.query('CREATE FUNCTION geohash(lat, lon) LANGUAGE JAVASCRIPT AS "encodeGeoHash" '
            'AT "geohash-js"')
    err = error(q, "EXECUTE FUNCTION geohash(53.353744, -2.27495)")
    assert err.code == 10109 and "geohash-js" in err.msg
    q.query("DROP FUNCTION geohash")


def test_functions_of_one_engine_are_unknown_to_another(q):
    # createfunction.adoc: a function lives in its cluster's namespace; two local
    # clusters (engines) in one process do not see each other's functions
    other = QueryEngine(MemoryDatastore())
    q.query("CREATE FUNCTION only_here(x) { x + 1 }")
    assert q.query("SELECT RAW only_here(1)").results == [2]
    assert error(other, "SELECT RAW only_here(1)").code == 3000  # an unknown function
    assert error(other, "EXECUTE FUNCTION only_here(1)").code == 10101


def test_query_context_finds_scoped_functions(q):
    # createfunction.adoc "Global Functions and Scoped Functions": "when you call a
    # user-defined function, the current query context determines the path to it"
    q.query("CREATE FUNCTION `travel-sample`.inventory.sq(x) { x * x }")
    ctx = "default:`travel-sample`.inventory"
    assert q.query("SELECT RAW sq(3)", query_context=ctx).results == [9]
    assert error(q, "SELECT RAW sq(3)").code == 3000  # no global sq
    q.query("CREATE FUNCTION sq(x) { -1 }")
    assert q.query("SELECT RAW sq(3)").results == [-1]
    assert q.query("SELECT RAW sq(3)", query_context=ctx).results == [9]


def test_scoped_function_calls_functions_of_its_own_scope(q):
    # createfunction.adoc "Global Functions and Scoped Functions": references inside a
    # scoped function resolve against the function's scope, whatever the query context
    q.query("CREATE FUNCTION `travel-sample`.inventory.inc(x) { x + 1 }")
    q.query("CREATE FUNCTION `travel-sample`.inventory.inc2(x) { inc(inc(x)) }")
    assert q.query("SELECT RAW `travel-sample`.inventory.inc2(1)").results == [3]


def test_prepared_names_are_per_query_context(q):
    # prepare.adoc "Query Context": "You can create multiple prepared statements with
    # the same name, each stored relative to a different query context"; execute.adoc:
    # the context must be the same as when it was prepared, otherwise not found
    ds = q.datastore
    ds.create_collection("travel-sample", "tenant_agent_00", "landmark")
    q.query("INSERT INTO `travel-sample`.tenant_agent_00.landmark (KEY, VALUE) "
            "VALUES ('t1', {'name': 'Tenant'})")
    q.query("CREATE PRIMARY INDEX ON `travel-sample`.tenant_agent_00.landmark")
    inv, ten = "travel-sample.inventory", "travel-sample.tenant_agent_00"
    q.query("PREPARE p1 AS SELECT RAW count(*) FROM `travel-sample`.inventory.landmark",
            query_context=inv)
    q.query("PREPARE p1 AS SELECT RAW count(*) FROM "
            "`travel-sample`.tenant_agent_00.landmark", query_context=ten)
    assert q.query(prepared="p1", query_context=inv).results == [2]
    assert q.query(prepared="p1", query_context=ten).results == [1]
    assert q.query("EXECUTE p1", query_context=ten).results == [1]
    with pytest.raises(N1QLError) as info:
        q.query(prepared="p1")  # no query context: another name
    assert info.value.code == 4040
    made = q.query("PREPARE p2 AS SELECT 1", query_context=inv).results[0]
    assert made["name"] == "p2" and made["queryContext"] == inv


def test_parameter_shadows_a_field(q):
    # createfunction.adoc "Function Body" NOTE: a parameter always wins over a field
    q.query("CREATE FUNCTION pick(name) { name }")
    assert q.query("SELECT RAW pick('p') FROM `travel-sample`.inventory.landmark LIMIT 1"
                   ).results == ["p"]


def test_syntax_errors(q):
    assert error(q, "CREATE FUNCTION f(a, a) { a }").code == 3000
    assert error(q, "CREATE FUNCTION f(a) LANGUAGE COBOL AS 1").code == 3000
    assert error(q, "CREATE FUNCTION f(a)").code == 3000
    assert error(q, "CREATE FUNCTION a.b(x) { x }").code == 3000


def test_system_functions_lists_them(q):
    # dropfunction.adoc: "SELECT * FROM system:functions" shows the functions;
    # sysinfo.adoc "Monitor Functions": definition and identity of each
    q.query("CREATE FUNCTION celsius(...) LANGUAGE INLINE AS (args[0] - 32) * 5/9")
    q.query("CREATE FUNCTION `travel-sample`.inventory.sq(x) { x * x }")
    rows = q.query("SELECT RAW f FROM system:functions AS f ORDER BY f.identity.name").results
    assert [r["identity"] for r in rows] == [
        {"name": "celsius", "namespace": "default", "type": "global"},
        {"bucket": "travel-sample", "name": "sq", "namespace": "default", "scope": "inventory",
         "type": "scope"}]
    assert rows[0]["definition"]["#language"] == "inline"
    assert rows[0]["definition"]["parameters"] == ["..."]
    assert rows[1]["definition"]["parameters"] == ["x"]
    q.query("DROP FUNCTION celsius")
    assert q.query("SELECT RAW identity.name FROM system:functions").results == ["sq"]


def test_javascript_without_an_engine_says_what_to_install(q, monkeypatch):
    # createfunction.adoc "SQL++ managed user-defined function": kept and listed; a call
    # needs the JavaScript engine (the views extra), and says so when it is absent
    from couchbase_mock.views import jsengine

    monkeypatch.setattr(jsengine, "_AVAILABLE", False)
    q.query('CREATE FUNCTION add100(num) LANGUAGE JAVASCRIPT AS '
            '"function add100(param1) {return param1+100;}"')
    err = error(q, "EXECUTE FUNCTION add100(100)")
    assert err.code == 10109 and "mini-racer" in err.msg
    row = q.query("SELECT RAW f.definition FROM system:functions AS f").results[0]
    assert row["#language"] == "javascript"
