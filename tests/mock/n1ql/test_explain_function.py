"""EXPLAIN FUNCTION (explainfunction.adoc): the plans of a user-defined function's
subqueries, its path, and 10101 for a function that does not exist."""

from __future__ import annotations

import pytest
from n1ql_sample import make_engine

from couchbase_mock.n1ql import N1QLError


@pytest.fixture
def eng():
    return make_engine()


def test_inline_function_example(eng):
    # "Inline Function Example": one plan per subquery, a PrimaryScan3 then a Fetch
    eng.query("CREATE FUNCTION func1() { (SELECT * FROM default:travel.inventory.airline) }")
    got = eng.query("EXPLAIN FUNCTION func1").results
    assert len(got) == 1 and got[0]["function"] == "default:func1"
    (entry,) = got[0]["plans"]
    ops = [c["#operator"] for c in entry["plan"]["~children"]]
    assert ops[:2] == ["PrimaryScan3", "Fetch"]
    assert entry["plan"]["~children"][0]["keyspace"] == "airline"
    assert "statement" in entry


def test_scoped_function_with_two_subqueries_and_none(eng):
    # "Function Name": a scoped function by its full path
    eng.query("CREATE FUNCTION travel.inventory.f(x) { [(SELECT RAW name FROM airline), "
              "(SELECT RAW COUNT(*) FROM `beer-sample`._default._default), x] }")
    got = eng.query("EXPLAIN FUNCTION default:travel.inventory.f").results[0]
    assert got["function"] == "default:travel.inventory.f"
    assert len(got["plans"]) == 2
    eng.query("CREATE FUNCTION g(x) { x + 1 }")
    assert eng.query("EXPLAIN FUNCTION g").results == [{"function": "default:g", "plans": []}]


def test_names_are_case_sensitive_and_unknown_fails(eng):
    eng.query("CREATE FUNCTION travel.inventory.Fn() { 1 }")
    for name in ("nope", "default:travel.inventory.fn"):
        with pytest.raises(N1QLError) as info:
            eng.query(f"EXPLAIN FUNCTION {name}")
        assert info.value.code == 10101


def test_explain_of_a_statement_still_works(eng):
    assert eng.query("EXPLAIN SELECT 1").results[0]["plan"]["#operator"] == "Sequence"
