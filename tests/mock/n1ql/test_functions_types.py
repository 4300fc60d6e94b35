"""Type, comparison and conditional functions, from the reference's examples.

Pages (modules/n1ql/pages/n1ql-language-reference/, docs.couchbase.com
.../n1ql-language-reference/*.html): typefun.adoc (each function's example
runs it on true, MISSING, NULL, 123, "hello world", [1, 2, 3] and
{"hello": "world"}), comparisonfun.adoc, condfununknown.adoc, condfunnum.adoc.
"""

from __future__ import annotations

import math

import pytest

from couchbase_mock.n1ql import QueryEngine
from couchbase_mock.n1ql.errors import N1QLError

INPUTS = ["true", "MISSING", "NULL", "123", '"hello world"', "[1, 2, 3]", '{"hello": "world"}']
M = "<missing>"

# typefun.adoc: each function's example row, in INPUTS order (M: no field in the result)
TYPE_ROWS = {
    "ISARRAY": [False, M, None, False, False, True, False],
    "ISATOM": [True, M, None, True, True, False, False],
    "ISBOOLEAN": [True, M, None, False, False, False, False],
    "ISNUMBER": [False, M, None, True, False, False, False],
    "ISOBJECT": [False, M, None, False, False, False, True],
    "ISSTRING": [False, M, None, False, True, False, False],
    "TYPE": ["boolean", "missing", "null", "number", "string", "array", "object"],
    "TOARRAY": [[True], M, None, [123], ["hello world"], [1, 2, 3], [{"hello": "world"}]],
    "TOATOM": [True, M, None, 123, "hello world", None, "world"],
    "TOBOOLEAN": [True, M, None, True, True, True, True],
    "TONUMBER": [1, M, None, 123, None, None, None],
    "TOOBJECT": [{}, M, None, {}, {}, {}, {"hello": "world"}],
    "TOSTRING": ["true", M, None, "123", "hello world", None, None],
}


@pytest.mark.parametrize("fn", sorted(TYPE_ROWS))
def test_typefun_example_row(engine: QueryEngine, fn: str) -> None:
    """typefun.adoc, the example of each function."""
    fields = ", ".join(f"{fn}({arg}) AS f{i}" for i, arg in enumerate(INPUTS))
    row = engine.query(f"SELECT {fields}").results[0]
    got = [row.get(f"f{i}", M) for i in range(len(INPUTS))]
    assert got == TYPE_ROWS[fn]


CASES = [
    # typefun.adoc TONUMBER second example: characters to strip, a decimal comma
    ('TONUMBER("AU$123456.78", "AU$")', 123456.78),
    ('TONUMBER("€123.456,78   ", "€.")', 123456.78),
    ('TONUMBER("$   123,456.78", "$,")', 123456.78),
    ('TONUMBER("¥123 456 789.00", "¥")', 123456789),
    ('TONUMBER(" 12 ")', 12),  # derived: "strings that parse as numbers"
    ('TONUMBER("1.5e3")', 1500),  # derived
    ('TONUMBER("12abc")', None),  # derived
    # typefun.adoc TOBOOLEAN: "+0, -0, and NaN are false; empty strings, arrays, objects are false"
    ('[TOBOOLEAN(0), TOBOOLEAN(-0), TOBOOLEAN(""), TOBOOLEAN([]), TOBOOLEAN({})]',
     [False, False, False, False, False]),
    ("TOBOOLEAN(NAN())", False),
    ('TOBOOLEAN("false")', True),  # "All other values are true": any non-empty string
    # typefun.adoc TOATOM: "arrays of length 1 are the result of TOATOM() on their single element"
    ('TOATOM([["x"]])', "x"),
    # comparisonfun.adoc GREATEST / LEAST examples
    ("GREATEST(19.50, 15, 21.50, 18)", 21.5),
    ('GREATEST("United", "Delta", "American", "Southwest")', "United"),
    ('GREATEST(42, "airline", "2025-12-01T00:00:00Z", NULL)', "airline"),
    ("LEAST(19.50, 15, 21.50, 18)", 15),
    ('LEAST("United", "Delta", "American", "Southwest")', "American"),
    ('LEAST(42, "airline", "2025-12-01T00:00:00Z", NULL)', 42),
    ("GREATEST(NULL, MISSING)", None),  # the page: all NULL or MISSING -> NULL
    # condfununknown.adoc examples
    ('IFMISSINGORNULL(null, missing, "abc", 123)', "abc"),
    ("IFMISSINGORNULL(null, null, null)", None),
    ("IFMISSINGORNULL(missing, missing, missing)", None),
    ('COALESCE(null, missing, "abc", 123)', "abc"),
    ('NULLIF("abc", 123)', "abc"),
    ('NULLIF("abc", "abc")', None),
    ('MISSINGIF("abc", 123)', "abc"),
    ('NVL(NULL, "n/a")', "n/a"),  # the NVL example's airline without iata
    ('NVL("Q5", "n/a")', "Q5"),
    ('NVL2(NULL, "Yes", "No")', "No"),  # the NVL2 example: hotels without directions
    ('NVL2("turn left", "Yes", "No")', "Yes"),
    ('DECODE("America/Denver", "Pacific/Honolulu", "-10:00", "America/Anchorage", "-09:00", '
     '"America/Denver", "-07:00", "x")', "-07:00"),
    ('DECODE("Europe/Paris", "Pacific/Honolulu", "-10:00", "Europe/Paris")', "Europe/Paris"),
    ('DECODE("Europe/Paris", "Pacific/Honolulu", "-10:00")', None),  # no default -> NULL
    # condfunnum.adoc examples
    ("IFINF(5, 10, 20)", 5),
    ("IFINF(inf(), -inf(), 5, 10)", 5),
    ("IFINF(POWER(10, 400), 5, 10)", 5),
    ("IFINF(2.001e340, 5)", 5),
    ("IFINF(NULL, 5, 10)", None),
    ("IFINF(MISSING, 5, NULL)", 5),
    ("IFINF(MISSING, NULL, 5, 10)", None),
    ("IFNAN(5, 10, 20, nan())", 5),
    ("IFNAN(sqrt(-1), 5, 10)", 5),
    ('IFNAN("abc", 5, NULL, 10)', None),
    ("IFNAN(NULL, 5, 10)", None),
    ("IFNAN(MISSING, 5, NULL)", 5),
    ("IFNAN(MISSING, NULL, 5, 10)", None),
    ("IFNAN(nan(), 5, 10)", 5),
    ("IFNANORINF(5, 10, nan(), inf())", 5),
    ("IFNANORINF(sqrt(-1), -inf(), 5, 10)", 5),
    ("IFNANORINF(2.001e340, 5, 10)", 5),
    ('IFNANORINF("abc", 5, NULL, 10)', None),
    ("IFNANORINF(NULL, 5, 10)", None),
    ("IFNANORINF(MISSING, 5, NULL)", 5),
    ("NANIF(10, 5)", 10),
    ("NANIF(NULL, 5)", None),
    ("NANIF(MISSING, 5)", None),  # the page: MISSING or NULL -> NULL
    ("NEGINFIF(10, 5)", 10),
    ("NEGINFIF(NULL, 5)", None),
    ("POSINFIF(10, 5)", 10),
    ("POSINFIF(NULL, 5)", None),
]


@pytest.mark.parametrize("expr,expected", CASES, ids=[c[0][:60] for c in CASES])
def test_documented_result(engine: QueryEngine, expr: str, expected: object) -> None:
    assert engine.query(f"SELECT RAW {expr}").results == [expected]


def test_conditions_that_give_missing(engine: QueryEngine) -> None:
    """condfununknown.adoc: IFNULL's first non-NULL value may be MISSING; MISSINGIF
    of equal values is MISSING (the examples show no field)."""
    row = engine.query('SELECT IFNULL(null, missing, "abc", 123) AS mix, '
                       "IFNULL(null, null, null) AS all_null, "
                       "IFNULL(missing, missing, missing) AS all_missing, "
                       'MISSINGIF("abc", "abc") AS same, '
                       "IFMISSING(null, missing, 'abc', 123) AS first_null").results
    assert row == [{"all_null": None, "first_null": None}]


def test_nan_and_infinity_results(engine: QueryEngine) -> None:
    """condfunnum.adoc NANIF/NEGINFIF/POSINFIF of equal values; SQRT(-1) is NaN."""
    nan, neg, pos, root = engine.query(
        "SELECT RAW [NANIF(10, 10), NEGINFIF(10, 10), POSINFIF(10, 10), SQRT(-1)]").results[0]
    assert math.isnan(nan) and neg == -math.inf and pos == math.inf and math.isnan(root)


@pytest.mark.parametrize("expr", ["GREATEST(1)", "IFNULL()", "NVL2(1, 2)", "TONUMBER()",
                                  "TONUMBER(1, 2, 3)"])
def test_wrong_argument_count_is_error_3000(engine: QueryEngine, expr: str) -> None:
    with pytest.raises(N1QLError) as e:
        engine.query(f"SELECT {expr}")
    assert e.value.code == 3000
