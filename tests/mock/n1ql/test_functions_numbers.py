"""Number functions of the N1QL language reference, checked against its examples.

Pages (docs.couchbase.com/server/current/n1ql/n1ql-language-reference/...):
bitwisefun.html (BIT*), mathfun.html (trigonometry, constants), condfunnum.html
(IFINF...), condfununknown.html (NVL2, DECODE), comparisonfun.html and
typefun.html (IS_*, TOATOM). A case marked "derived" has no example on its
page: its result follows from the page's text.
"""

from __future__ import annotations

import math

import pytest

from couchbase_mock.n1ql import QueryEngine

CASES = [
    # bitwisefun.html BITAND: AND-1 .. AND-4
    ("BITAND(3,6)", 2),
    ("BITAND(4.5,3)", None),
    ("BITAND(4.0,3)", 0),
    ("BITAND(3,6,15)", 2),
    # bitwisefun.html BITCLEAR: CLEAR-1 .. CLEAR-3; a zero position gives NULL (text)
    ("BITCLEAR(6,1)", 6),
    ("BITCLEAR(6,[1,2])", 4),
    ("BITCLEAR(31,[1,2,4,5])", 4),
    ("BITCLEAR(6,0)", None),  # derived
    # bitwisefun.html BITNOT: NOT-1
    ("BITNOT(3)", -4),
    # bitwisefun.html BITOR: OR-1 .. OR-3
    ("BITOR(3,6)", 7),
    ("BITOR(3,-4)", -1),
    ("BITOR(3,6,15)", 15),
    # bitwisefun.html BITSET: SET-1, Example 2, Example 3; a negative position gives NULL
    ("BITSET(6,1)", 7),
    ("BITSET(6,[1,2])", 7),
    ("BITSET(6,[1,4])", 15),
    ("BITSET(6,-1)", None),  # derived
    # bitwisefun.html BITSHIFT: SHIFT-1, SHIFT-2, SHIFT-2b, SHIFT-3, and the table.
    # The page prints SHIFT-2b as -9223372036854776000: that is 1000...0001 in
    # two's complement, -9223372036854775807, rounded by a float display.
    ("BITSHIFT(6,1,FALSE)", 12),
    ("BITSHIFT(6,-2)", 1),
    ("BITSHIFT(6,-2,TRUE)", -9223372036854775807),
    ("BITSHIFT(524288,45,TRUE)", 1),
    ("BITSHIFT(6,4)", 96),
    ("BITSHIFT(6,-3)", 0),
    ("BITSHIFT(6,-4,TRUE)", 6917529027641081856),
    # bitwisefun.html BITTEST / ISBITSET: TEST-1 .. TEST-4
    ("ISBITSET(6,1)", False),
    ("BITTEST(1,[1,2],FALSE)", True),
    ("ISBITSET(6,[2,3],TRUE)", True),
    ("BITTEST(6,[1,3],TRUE)", False),
    # bitwisefun.html BITXOR: XOR-1
    ("BITXOR(3,6)", 5),
    # bitwisefun.html: "non-integer numbers and other data types result in null"
    ("BITAND('3',6)", None),  # derived
    ("BITOR(NULL,6)", None),  # derived
    ("BITNOT(TRUE)", None),  # derived
    # mathfun.html (derived from each function's description)
    ("SIN(0)", 0),
    ("COS(0)", 1),
    ("TAN(0)", 0),
    ("ASIN(1) = PI()/2", True),
    ("ACOS(1)", 0),
    ("ATAN(1) = PI()/4", True),
    ("ATAN2(0.5, .7)", 0.6202494859828215),
    ("E() = EXP(1)", True),
    ("SIN('x')", None),
    ("COS(NULL)", None),
    ("IFNAN(ACOS(2), 'nan')", None),  # derived: NaN, then a non-number: NULL
    # condfunnum.html IFINF, example 1 (INF() is POSINF())
    ("IFINF(5, 10, 20)", 5),
    ("IFINF(INF(), -INF(), 5, 10)", 5),
    ("IFINF(POWER(10, 400), 5, 10)", 5),
    ("IFINF(2.001e340, 5)", 5),
    ("IFINF(NULL, 5, 10)", None),
    ("IFINF(MISSING, 5, NULL)", 5),
    ("IFINF(MISSING, NULL, 5, 10)", None),
    # condfunnum.html IFNAN, IFNANORINF (derived)
    ("IFNAN(NAN(), 3)", 3),
    ("IFNAN(MISSING, NAN(), 'a', 3)", None),
    ("IFNANORINF(NAN(), POSINF(), NEGINF(), 4)", 4),
    # condfunnum.html NANIF, POSINFIF, NEGINFIF (derived)
    ("IFNAN(NANIF(1, 1), 7)", 7),
    ("NANIF(1, 2)", 1),
    ("POSINFIF(2, 2) = POSINF()", True),
    ("NEGINFIF(2, 2) = NEGINF()", True),
    ("NEGINFIF(NULL, 2)", None),
    # condfununknown.html NVL2, DECODE (derived)
    ("NVL2('a', 'valued', 'unknown')", "valued"),
    ("NVL2(NULL, 'valued', 'unknown')", "unknown"),
    ("NVL2(MISSING, 'valued', 'unknown')", "unknown"),
    ("DECODE(2, 1, 'one', 2, 'two')", "two"),
    ("DECODE(3, 1, 'one', 2, 'two', 'other')", "other"),
    ("DECODE(3, 1, 'one')", None),
    # typefun.html ISATOM example; IS_MISSING... (derived)
    ("[ISATOM(true), ISATOM(NULL), ISATOM(123), ISATOM('hello world'), ISATOM([1, 2, 3]),"
     " ISATOM({'hello': 'world'})]", [True, None, True, True, False, False]),
    ("[IS_MISSING(MISSING), IS_MISSING(NULL), IS_NOT_MISSING(1)]", [True, False, True]),
    ("[IS_NULL(NULL), IS_NULL(1), IS_NOT_NULL(NULL)]", [True, False, False]),
    ("[IS_VALUED(1), IS_VALUED(NULL), IS_NOT_VALUED(MISSING)]", [True, False, True]),
    ("[TOATOM(1), TOATOM([1]), TOATOM({'a': 'x'}), TOATOM([1, 2]), TOATOM([])]",
     [1, 1, "x", None, None]),
]


@pytest.mark.parametrize("expr, expected", CASES)
def test_documented_result(engine: QueryEngine, expr: str, expected: object) -> None:
    assert engine.query(f"SELECT RAW {expr}").results == [expected]


@pytest.mark.parametrize("expr", ["BITAND(MISSING, 1)", "BITSHIFT(1, MISSING)", "SIN(MISSING)",
                                  "IS_NULL(MISSING)", "TOATOM(MISSING)"])
def test_missing_in_missing_out(engine: QueryEngine, expr: str) -> None:
    """typefun.html: a MISSING argument gives MISSING (not NANIF: condfunnum.adoc
    says MISSING or NULL gives NULL there, see test_functions_types.py)."""
    assert engine.query(f"SELECT {expr} AS v").results == [{}]


def test_constants_are_floats(engine: QueryEngine) -> None:
    """mathfun.html E(), NAN(), POSINF(), NEGINF() (derived)."""
    e, nan, pos, neg = engine.query("SELECT RAW [E(), NAN(), POSINF(), NEGINF()]").results[0]
    assert e == math.e and math.isnan(nan) and pos == math.inf and neg == -math.inf
