"""A call with the wrong number of arguments is the server's error 3000, never a
Python TypeError surfacing as code 5000 (issue 13: robustness)."""

from __future__ import annotations

import pytest

from couchbase_mock.n1ql import QueryEngine
from couchbase_mock.n1ql.errors import N1QLError
from couchbase_mock.n1ql.functions import ARITY, FUNCTIONS


@pytest.mark.parametrize("statement, wanted", [
    ("SELECT RAW NVL2(1)", "must be 3"),
    ("SELECT RAW ARRAY_INSERT([1])", "must be"),
    ("SELECT RAW LOWER('a', 'b')", "must be 1"),
    ("SELECT RAW ARRAY_REPEAT(1)", "must be"),
])
def test_wrong_argument_counts_are_error_3000(engine: QueryEngine, statement: str,
                                              wanted: str) -> None:
    with pytest.raises(N1QLError) as info:
        engine.query(statement)
    assert info.value.code == 3000
    assert "Number of arguments to function" in str(info.value) and wanted in str(info.value)


def test_every_function_with_a_known_arity_refuses_one_argument_too_many(
        engine: QueryEngine) -> None:
    """Whatever a function is, its implementation is never called with a count its
    signature cannot take: the statement is refused at compile time."""
    checked = 0
    for name, (_, most) in sorted(ARITY.items()):
        if most is None or name not in FUNCTIONS:
            continue
        args = ", ".join(["1"] * (most + 1))
        with pytest.raises(N1QLError) as info:
            engine.query(f"SELECT RAW {name}({args})")
        assert info.value.code in (3000, 4210), name  # (aggregates answer 4210)
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("statement", [
    "SELECT RAW ARRAY_RANGE(0, 1e12)",
    "SELECT RAW ARRAY_REPEAT('x', 10000000000)",
    "SELECT RAW ARRAY_RANGE(0, 1e12, 0.5)",
])
def test_a_huge_array_is_this_requests_error_not_the_processs_memory(
        engine: QueryEngine, statement: str) -> None:
    with pytest.raises(N1QLError) as info:
        engine.query(statement)
    assert "more than the local cluster builds" in str(info.value)
    assert engine.query("SELECT RAW ARRAY_LENGTH(ARRAY_RANGE(0, 1000))").results == [1000]
