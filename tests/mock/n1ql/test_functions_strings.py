"""String, token and pattern-matching functions of the N1QL reference.

Each case cites the reference page and function. The pages could not be read
in full here, so cases are derived from each function's description and
marked "(derived)"; they state behaviour a user relies on: results, and the
argument rule (MISSING -> MISSING, NULL or a wrong type -> NULL, a bad regular
expression -> NULL, never an error).
"""

from __future__ import annotations

import pytest

from couchbase_mock.n1ql import QueryEngine

S = "stringfun.html"
T = "tokenfun.html"
P = "patternmatchingfun.html"

CASES = [
    # stringfun.html LPAD / RPAD (derived)
    (S, 'LPAD("N1QL is awesome", 20)', "     N1QL is awesome"),
    (S, 'LPAD("N1QL is awesome", 20, "-*")', "-*-*-N1QL is awesome"),
    (S, 'LPAD("N1QL is awesome", 4)', "N1QL"),
    (S, 'RPAD("N1QL is awesome", 20)', "N1QL is awesome     "),
    (S, 'RPAD("N1QL is awesome", 20, "-*")', "N1QL is awesome-*-*-"),
    (S, 'RPAD("N1QL is awesome", 4)', "N1QL"),
    (S, 'LPAD(123, 5)', None),
    (S, 'LPAD("a", -1)', None),
    (S, 'MB_LPAD("é", 3, "ü")', "üüé"),
    # stringfun.html SUFFIXES (derived)
    (S, 'SUFFIXES("N1QL")', ["N1QL", "1QL", "QL", "L"]),
    (S, 'SUFFIXES("")', []),
    # stringfun.html CONCAT2 (derived)
    (S, 'CONCAT2("-", "a", "b", ["c", "d"])', "a-b-c-d"),
    (S, 'CONCAT2("-", "a", 1)', None),
    # stringfun.html MASK (derived)
    (S, 'MASK("SomeTextToMask")', "********ToMask"),
    (S, 'MASK("SomeTextToMask", {"mask": "++++"})', "++++TextToMask"),
    (S, 'MASK("SomeTextToMask", {"length": "source"})', "**************"),
    (S, 'MASK("SomeTextToMask", {"mask": "++++", "anchor": "end"})', "SomeTextTo++++"),
    (S, 'MASK("1234-5678-9012-3456", {"mask": "XXXX-XXXX-XXXX-####", "hole": "#"})',
     "XXXX-XXXX-XXXX-3456"),
    (S, 'MASK(42)', None),
    # stringfun.html URLENCODE / URLDECODE (derived)
    (S, 'URLENCODE("a b/c?d=é")', "a%20b%2Fc%3Fd%3D%C3%A9"),
    (S, 'URLDECODE("a%20b%2Fc%3Fd%3D%C3%A9")', "a b/c?d=é"),
    (S, 'URLDECODE("%FF")', None),
    # stringfun.html MB_* multibyte: code points, not bytes (derived)
    (S, 'MB_LENGTH("héllo wörld")', 11),
    (S, 'MB_POSITION("héllo wörld", "w")', 6),
    (S, 'MB_POSITION0("héllo wörld", "w")', 6),
    (S, 'MB_POSITION1("héllo wörld", "w")', 7),
    (S, 'MB_POSITION1("héllo", "z")', 0),
    (S, 'MB_SUBSTR("héllo wörld", 6)', "wörld"),
    (S, 'MB_SUBSTR0("héllo wörld", 1, 4)', "éllo"),
    (S, 'MB_SUBSTR1("héllo wörld", 2, 4)', "éllo"),
    (S, 'MB_SUBSTR("héllo", 9)', None),
    # patternmatchingfun.html (derived)
    (P, 'REGEXP_MATCHES("an apple a day", "a[a-z]*")', ["an", "apple", "a", "ay"]),
    (P, 'REGEX_MATCHES("xyz", "[0-9]")', []),
    (P, 'REGEXP_SPLIT("a1b22c", "[0-9]+")', ["a", "b", "c"]),
    (P, 'REGEXP_POSITION0("N1QL is awesome", "is")', 5),
    (P, 'REGEXP_POSITION1("N1QL is awesome", "is")', 6),
    (P, 'REGEXP_POSITION1("N1QL", "zz")', -1),
    (P, 'REGEXP_REPLACE("N1QL is awesome", "(awe)some", "${1}-inspiring")',
     "N1QL is awe-inspiring"),
    (P, 'REGEXP_REPLACE("aaa", "a", "b", 2)', "bba"),
    (P, 'REGEXP_CONTAINS("x", "(")', None),
    (P, 'REGEXP_LIKE("x", "[")', None),
    (P, 'REGEXP_MATCHES(1, "1")', None),
    # tokenfun.html TOKENS / CONTAINS_TOKEN* (derived)
    (T, 'ARRAY_SORT(TOKENS({"name": "Hello World", "n": 3}))', [3, "Hello", "World", "n", "name"]),
    (T, 'ARRAY_SORT(TOKENS({"name": "Hello"}, {"names": false, "case": "lower"}))', ["hello"]),
    (T, 'TOKENS("  one two  ", {"split": false})', ["one two"]),
    (T, 'ARRAY_SORT(TOKENS("jim@abc.com, http://abc.com/", {"specials": true}))',
     ["abc", "com", "http", "http://abc.com/", "jim", "jim@abc.com"]),
    (T, 'TOKENS("a", "bad options")', None),
    (T, 'CONTAINS_TOKEN({"city": "San Francisco"}, "Francisco")', True),
    (T, 'CONTAINS_TOKEN({"city": "San Francisco"}, "francisco")', False),
    (T, 'CONTAINS_TOKEN({"city": "San Francisco"}, "francisco", {"case": "lower"})', True),
    (T, 'CONTAINS_TOKEN({"city": "San Francisco"}, "city", {"names": false})', False),
    (T, 'CONTAINS_TOKEN_LIKE("San Francisco", "Fran%")', True),
    (T, 'CONTAINS_TOKEN_LIKE("San Francisco", "ran%")', False),
    (T, 'CONTAINS_TOKEN_REGEXP("San Francisco", "F.*o")', True),
    (T, 'CONTAINS_TOKEN_REGEXP("San Francisco", "(")', None),
    (T, 'CONTAINS_TOKEN("San Francisco", 3)', None),
]


@pytest.mark.parametrize("page,expr,expected", CASES, ids=[c[1][:60] for c in CASES])
def test_documented_function(engine: QueryEngine, page: str, expr: str, expected: object) -> None:
    assert engine.query(f"SELECT RAW {expr}").results == [expected]


MISSING_IN = ["LPAD(MISSING, 3)", "RPAD(\"a\", MISSING)", "MASK(MISSING)", "SUFFIXES(MISSING)",
              "MB_LENGTH(MISSING)", "REGEXP_MATCHES(MISSING, \"a\")", "TOKENS(MISSING)",
              "CONTAINS_TOKEN(MISSING, \"a\")", "URLENCODE(MISSING)"]


@pytest.mark.parametrize("expr", MISSING_IN)
def test_missing_argument_gives_missing(engine: QueryEngine, expr: str) -> None:
    """Every page's note: a MISSING argument gives MISSING (no value)."""
    assert engine.query(f"SELECT {expr} AS v").results == [{}]


NULL_IN = ["LPAD(NULL, 3)", "MASK(NULL)", "SUFFIXES(NULL)", "MB_LENGTH(NULL)",
           "REGEXP_SPLIT(NULL, \"a\")", "URLDECODE(NULL)", "CONTAINS_TOKEN(\"a\", NULL)"]


@pytest.mark.parametrize("expr", NULL_IN)
def test_null_argument_gives_null(engine: QueryEngine, expr: str) -> None:
    assert engine.query(f"SELECT RAW {expr}").results == [None]
