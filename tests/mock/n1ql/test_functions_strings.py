"""String, token and pattern-matching functions of the N1QL reference.

Pages: modules/n1ql/pages/n1ql-language-reference/{stringfun,tokenfun,
patternmatchingfun}.adoc (docs.couchbase.com .../n1ql-language-reference/
*.html). Cases under "example" are the page's own examples with its stated
results; "(derived)" cases follow from a function's description: results,
and the argument rule (MISSING -> MISSING, NULL or a wrong type -> NULL, a bad
regular expression -> NULL, never an error).

LENGTH, POSITION, SUBSTR, LPAD and RPAD count UTF-8 bytes, their MB_ forms
characters: the page's examples with "Café" and an emoji show both.
"""

from __future__ import annotations

import pytest

from couchbase_mock.n1ql import QueryEngine

S = "stringfun.adoc"
T = "tokenfun.adoc"
P = "patternmatchingfun.adoc"
AWESOME = "SQL++ is awesome"
SMILE = "\U0001f642 SQL++ is awesome"

CASES = [
    # stringfun.adoc CONCAT, CONCAT2 examples
    (S, 'CONCAT("abc", "def", "ghi")', "abcdefghi"),
    (S, "CONCAT2('-','a','b',['c','d'],['xyz'])", "a-b-c-d-xyz"),
    (S, "CONCAT2('-','a')", "a"),
    (S, "CONCAT2('-',['b'])", "b"),
    (S, 'CONCAT2("-", "a", 1)', None),  # derived: a non-string -> NULL
    # stringfun.adoc CONTAINS, INITCAP/TITLE, LOWER, UPPER, REVERSE examples
    (S, f'CONTAINS("{AWESOME}", "N1QL")', False),
    (S, f'CONTAINS("{AWESOME}", "SQL")', True),
    (S, f'INITCAP("{AWESOME}")', "Sql++ Is Awesome"),
    (S, f'TITLE("{AWESOME}")', "Sql++ Is Awesome"),
    (S, f'LOWER("{AWESOME}")', "sql++ is awesome"),
    (S, f'UPPER("{AWESOME}")', "SQL++ IS AWESOME"),
    (S, f'REVERSE("{AWESOME}")', "emosewa si ++LQS"),
    (S, 'REVERSE("racecar")', "racecar"),
    # stringfun.adoc LENGTH example: bytes; MB_LENGTH example: characters
    (S, f'LENGTH("{AWESOME}")', 16),
    (S, 'LENGTH("Café")', 5),
    (S, 'LENGTH("\U0001f642")', 4),
    (S, 'LENGTH("")', 0),
    (S, 'MB_LENGTH("Café")', 4),
    (S, 'MB_LENGTH("\U0001f642")', 1),
    (S, 'MB_LENGTH("")', 0),
    # stringfun.adoc LPAD / RPAD examples (bytes: the emoji fills 4 of 4)
    (S, f'LPAD("{AWESOME}", 20)', "    SQL++ is awesome"),
    (S, f'LPAD("{AWESOME}", 20, "\U0001f642!")', "\U0001f642SQL++ is awesome"),
    (S, f'LPAD("{AWESOME}", 20, "987654321")', "9876SQL++ is awesome"),
    (S, f'LPAD("{AWESOME}", 5, "987654321")', "SQL++"),
    (S, f'RPAD("{AWESOME}", 20)', "SQL++ is awesome    "),
    (S, f'RPAD("{AWESOME}", 20, "\U0001f642!")', "SQL++ is awesome\U0001f642"),
    (S, f'RPAD("{AWESOME}", 20, "123456789")', "SQL++ is awesome1234"),
    (S, f'RPAD("{AWESOME}", 5, "123456789")', "SQL++"),
    (S, 'LPAD(123, 5)', None),  # derived
    (S, 'LPAD("a", -1)', None),  # derived
    # stringfun.adoc MB_LPAD / MB_RPAD examples (characters)
    (S, f'MB_LPAD("{AWESOME}", 20)', "    SQL++ is awesome"),
    (S, f'MB_LPAD("{AWESOME}", 20, "\U0001f642!")', "\U0001f642!\U0001f642!SQL++ is awesome"),
    (S, f'MB_LPAD("{AWESOME}", 20, "987654321")', "9876SQL++ is awesome"),
    (S, f'MB_LPAD("{AWESOME}", 5, "987654321")', "SQL++"),
    (S, f'MB_RPAD("{AWESOME}", 20, "\U0001f642!")', "SQL++ is awesome\U0001f642!\U0001f642!"),
    (S, f'MB_RPAD("{AWESOME}", 20, "123456789")', "SQL++ is awesome1234"),
    (S, f'MB_RPAD("{AWESOME}", 5, "123456789")', "SQL++"),
    # stringfun.adoc LTRIM / RTRIM / TRIM examples
    (S, f'LTRIM("...{AWESOME}", ".")', AWESOME),
    (S, f'LTRIM("     {AWESOME}", " ")', AWESOME),
    (S, f'LTRIM("\\t   {AWESOME}")', AWESOME),
    (S, f'LTRIM("{AWESOME}")', AWESOME),
    (S, f'RTRIM("{AWESOME}...", ".")', AWESOME),
    (S, f'RTRIM("{AWESOME}     ", " ")', AWESOME),
    (S, f'RTRIM("{AWESOME}   \\t")', AWESOME),
    (S, f'TRIM("...{AWESOME}...", ".")', AWESOME),
    (S, f'TRIM("     {AWESOME}     ", " ")', AWESOME),
    (S, f'TRIM("\\t   {AWESOME}     ")', AWESOME),
    # stringfun.adoc MASK examples
    (S, "MASK('SomeTextToMask')", "********"),
    (S, "MASK('SomeTextToMask', {\"mask\": \"++++\"})", "++++"),
    (S, "MASK('SomeTextToMask', {\"mask\": \"++++    ++++\"})", "++++Text++++"),
    (S, "MASK('1234abcd5678efgh', {\"mask\": \"****-****-****-####\", \"hole\": \"#\", "
        "\"inject\": \"-\"})", "****-****-****-efgh"),
    (S, "MASK('1234abcd5678efgh', {\"mask\": \"****\", \"anchor\": \"end\", "
        "\"length\": \"source\"})", "1234abcd5678****"),
    (S, "MASK('1234abcd5678efgh', {\"mask\": \"****\", \"anchor\": \"d5\"})", "1234abc****"),
    (S, "MASK('1234abcd5678efgh', {\"mask\": \"****\", \"anchor\": -2, "
        "\"length\": \"source\"})", "1234abcd56****gh"),
    (S, "MASK('1234abcd5678efgh', {\"mask\": \"****\", \"anchor\": 14, "
        "\"length\": \"source\"})", "1234abcd5678ef**"),
    (S, 'MASK("abc", {"anchor": 9})', "abc"),  # derived: an anchor outside the string
    (S, 'MASK("abc", {"anchor": "z"})', "abc"),  # derived: a pattern that does not match
    (S, 'MASK(42)', None),  # derived
    # stringfun.adoc MB_SUBSTR / MB_POSITION examples (characters)
    (S, f'MB_SUBSTR("{SMILE}", 11)', "awesome"),
    (S, f'MB_SUBSTR("{SMILE}", 11, 1)', "a"),
    (S, f'MB_SUBSTR("{SMILE}", 0, 10)', "\U0001f642 SQL++ is"),
    (S, f'MB_POSITION("{SMILE}", "awesome")', 11),
    (S, f'MB_POSITION("{SMILE}", "N1QL")', -1),
    (S, f'MB_POSITION("{SMILE}", "SQL")', 2),
    (S, 'MB_POSITION1("héllo wörld", "w")', 7),  # derived: the 1-based form
    (S, 'MB_SUBSTR1("héllo wörld", 2, 4)', "éllo"),  # derived
    (S, 'MB_SUBSTR("héllo", 9)', None),  # derived: beyond the end
    # stringfun.adoc POSITION / SUBSTR examples (bytes)
    (S, f'POSITION("{SMILE}", "awesome")', 14),
    (S, f'POSITION("{SMILE}", "N1QL")', -1),
    (S, f'POSITION("{SMILE}", "SQL")', 5),
    (S, f'SUBSTR("{SMILE}", 11)', "is awesome"),
    (S, f'SUBSTR("{SMILE}", 11, 1)', "i"),
    (S, f'SUBSTR("{SMILE}", 0, 10)', "\U0001f642 SQL++"),
    # stringfun.adoc REPEAT / REPLACE / SPLIT / SUFFIXES examples
    (S, 'REPEAT("SQL++", 0)', ""),
    (S, 'REPEAT("SQL++", 3)', "SQL++SQL++SQL++"),
    (S, 'REPLACE("SQL SQL SQL", "L", "L++", -2)', "SQL++ SQL++ SQL++"),
    (S, 'REPLACE("SQL SQL SQL", "L", "L++", 2)', "SQL++ SQL++ SQL"),
    (S, 'REPLACE("SQL SQL SQL", "L", "L++")', "SQL++ SQL++ SQL++"),
    (S, f'SPLIT("{AWESOME}", " ")', ["SQL++", "is", "awesome"]),
    (S, f'SPLIT("{AWESOME}")', ["SQL++", "is", "awesome"]),
    (S, f'SPLIT("{AWESOME}", "is")', ["SQL++ ", " awesome"]),
    (S, f'SUFFIXES("{AWESOME}")', ["SQL++ is awesome", "QL++ is awesome", "L++ is awesome",
                                   "++ is awesome", "+ is awesome", " is awesome", "is awesome",
                                   "s awesome", " awesome", "awesome", "wesome", "esome", "some",
                                   "ome", "me", "e"]),
    (S, 'SUFFIXES("")', []),  # derived
    # stringfun.adoc URLENCODE / URLDECODE examples
    (S, 'URLDECODE("SELECT%20name%20FROM%20%60travel-sample%60.inventory.hotel%20LIMIT%201%3B")',
     "SELECT name FROM `travel-sample`.inventory.hotel LIMIT 1;"),
    (S, 'URLENCODE("SELECT name FROM `travel-sample`.inventory.hotel LIMIT 1;")',
     "SELECT%20name%20FROM%20%60travel-sample%60.inventory.hotel%20LIMIT%201%3B"),
    (S, 'URLDECODE("%")', None),  # the page: a lone percent character -> NULL
    (S, 'URLDECODE("%FF")', None),  # derived
    # patternmatchingfun.adoc examples (on the example rows' values)
    (P, 'REGEXP_CONTAINS("Beijing Inn", "In+.*")', True),
    (P, 'REGEXP_CONTAINS("Downtown Cafe", "In+.*")', False),
    (P, 'REGEXP_LIKE("Inverness Castle", "In+.*")', True),
    (P, 'REGEXP_LIKE("Beijing Inn", "In+.*")', False),
    (P, "REGEXP_MATCHES(\"So, 'twas better Betty Botter bought a bit of better butter\", "
        "\"\\\\b[Bb]\\\\w+\")",
     ["better", "Betty", "Botter", "bought", "bit", "better", "butter"]),
    (P, "REGEXP_MATCHES(\"So, 'twas better Betty Botter bought a bit of better butter\", "
        "\"\\\\b[Bb]\\\\w+ \\\\b[Bb]\\\\w+\")",
     ["better Betty", "Botter bought", "better butter"]),
    (P, 'ARRAY REGEXP_POSITION(x, "[aeiou]") FOR x IN ["Medway", "Youth", "Hostel"] END',
     [1, 1, 1]),
    (P, 'ARRAY REGEXP_POSITION(x, "[aeiou]") FOR x IN ["The", "Balmoral", "Guesthouse"] END',
     [2, 1, 1]),
    (P, 'REGEXP_REPLACE("Sql++ is sql for NoSql", "[sS][qQ][lL]", "SQL")',
     "SQL++ is SQL for NoSQL"),
    (P, 'REGEXP_REPLACE("Winning innings Inn", "[Ii]n+", "Hotel", 6)',
     "WHotelHotelg HotelHotelgs Hotel"),
    (P, 'REGEXP_REPLACE("Winning innings Inn", "[IiNn]+g", upper("inning"), 2)',
     "WINNING INNINGs Inn"),
    (P, 'REGEXP_REPLACE("Texas Wings", "n+", "NNNN")', "Texas WiNNNNgs"),
    (P, 'REGEXP_REPLACE("Jc royal.britannica", "n+", "NNNN")', "Jc royal.britaNNNNica"),
    (P, 'REGEXP_SPLIT("C:\\\\Program Files\\\\couchbase\\\\server\\\\bin", "[\\\\\\\\]")',
     ["C:", "Program Files", "couchbase", "server", "bin"]),
    (P, 'REGEXP_SPLIT("/opt/couchbase/bin", "/")', ["", "opt", "couchbase", "bin"]),
    (P, 'REGEX_MATCHES("xyz", "[0-9]")', []),  # derived: the alias; no match -> []
    (P, 'REGEXP_POSITION1("N1QL is awesome", "is")', 6),  # derived
    (P, 'REGEXP_POSITION1("N1QL", "zz")', -1),  # derived
    (P, 'REGEXP_REPLACE("N1QL is awesome", "(awe)some", "${1}-inspiring")',
     "N1QL is awe-inspiring"),  # derived: Go's group references
    (P, 'REGEXP_CONTAINS("x", "(")', None),  # derived: a bad pattern -> NULL
    (P, 'REGEXP_LIKE("x", "[")', None),  # derived
    (P, 'REGEXP_MATCHES(1, "1")', None),  # derived
    # tokenfun.adoc examples (on the example rows' values)
    (T, 'CONTAINS_TOKEN("Sportsman Inn", "Inn", {"specials": true})', True),
    (T, 'CONTAINS_TOKEN("Premier Inn, Albert Dock", "Inn", {"specials": true})', True),
    (T, 'HAS_TOKEN("Keefer\'s Inn", "Inn")', True),
    (T, 'CONTAINS_TOKEN_LIKE("glencoe@syha.org.uk", "%uk", {"specials": true})', True),
    (T, 'CONTAINS_TOKEN_LIKE("owner@hillhousellanrhidian.co.uk", "%uk", {"specials": true})',
     True),
    (T, 'CONTAINS_TOKEN_REGEXP("Inverness Youth Hostel", "In+.*", {"specials": true})', True),
    (T, 'CONTAINS_TOKEN_REGEXP("Indian Cove Campground", "In+.*", {"specials": true})', True),
    # tokenfun.adoc options (derived)
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
    (T, 'CONTAINS_TOKEN_LIKE("San Francisco", "ran%")', False),
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
