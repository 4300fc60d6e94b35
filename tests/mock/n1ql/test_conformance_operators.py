"""Conformance: operators and literals, from the N1QL language reference's own
examples and tables (docs-server, modules/n1ql/pages/n1ql-language-reference/).

Each case cites its page and section. Examples left out (their results need the
full travel-sample bucket, or belong to another feature):
- arithmetic.adoc "Select the longest flight": needs every route document.
- collectionops.adoc EXISTS ("255 cities"): counts over the full hotel keyspace.
- collectionops.adoc OBJECT A: names come from UUID(), no fixed result.
- collectionops.adoc IN A is checked on a three-airline subset (the page's 60 rows
  need the full airline keyspace).
- conditionalops.adoc CASE over `orders`: reproduced with the three documents the
  result shows.
"""

from __future__ import annotations

from typing import Any

import pytest
from conformance_data import HOTEL_10851, ROUTE_36159, travel_engine

from couchbase_mock.n1ql import N1QLError, QueryEngine


@pytest.fixture(scope="module")
def db() -> QueryEngine:
    return travel_engine()


def one(db: QueryEngine, expr: str) -> Any:
    """The value of one expression; MISSING comes back as the absent ``$1``."""
    row = db.query(f"SELECT {expr} AS v").results[0]
    return row.get("v", "MISSING")


# -- arithmetic.adoc -------------------------------------------------------------

def test_arithmetic_modulo_integers(db: QueryEngine) -> None:
    # arithmetic.adoc, Examples: "Modulo with integers"
    assert db.query("SELECT 5 % 3;").results == [{"$1": 2}]


def test_arithmetic_modulo_uses_integer_parts(db: QueryEngine) -> None:
    # arithmetic.adoc, Examples: "Modulo with fractions"; the table's note:
    # "Modulo is an integer operator and will use only the integer part of each value."
    assert db.query("SELECT 5.4 % 3.4;").results == [{"$1": 2}]
    assert one(db, "7.9 % 2") == 1
    assert one(db, "-5 % 3") == -2  # the remainder keeps the dividend's sign


@pytest.mark.parametrize("expr, expected", [
    # arithmetic.adoc, NOTE: MISSING operand -> MISSING; NULL (no MISSING) -> NULL;
    # any non-number operand -> NULL.
    ("1 + MISSING", "MISSING"), ("NULL * MISSING", "MISSING"), ("1 - NULL", None),
    ("1 + 'a'", None), ("-'a'", None), ("2 * [1]", None), ("-MISSING", "MISSING"),
    ("-NULL", None), ("7 / 2", 3.5), ("-(3)", -3), ("10 - 2 - 3", 5),
])
def test_arithmetic_unknown_and_non_numbers(db: QueryEngine, expr: str, expected: Any) -> None:
    assert one(db, expr) == expected


# -- comparisonops.adoc ----------------------------------------------------------

@pytest.mark.parametrize("expr, expected", [
    # comparisonops.adoc, Relational Operators: = and == are equal, != and <> are equal.
    ("1 = 1", True), ("1 == 1", True), ("1 != 2", True), ("1 <> 1", False),
    ("2 > 1", True), ("2 >= 2", True), ("1 < 2", True), ("3 <= 2", False),
    # BETWEEN includes both end values; NOT BETWEEN is its inverse.
    ("3 BETWEEN 1 AND 3", True), ("'b' BETWEEN 'a' AND 'c'", True),
    ("4 NOT BETWEEN 1 AND 3", True), ("1 NOT BETWEEN 1 AND 3", False),
    # LIKE: % is any run, _ one character; a backslash escapes them.
    ("'San Francisco' LIKE 'San%'", True), ("'abc' LIKE 'a_c'", True),
    ("'abbc' LIKE 'a_c'", False), ("'a_c' LIKE 'a\\\\_c'", True),
    ("'abc' LIKE 'a\\\\_c'", False), ("'100%' LIKE '100\\\\%'", True),
    ("'1000' LIKE '100\\\\%'", False), ("'x' NOT LIKE 'y%'", True),
    # Comparison of Data Types, Strings: raw-byte collation, case sensitive.
    ("'Z' < 'a'", True), ("'abc' < 'abd'", True), ("'a' = 'A'", False),
    # Arrays and Objects: arrays element-wise; objects by length, then by sorted pairs.
    ("[1, 2] < [1, 3]", True), ("[1] < [1, 0]", True), ("[2] > [1, 5]", True),
    ("{'z': 1} < {'a': 1, 'b': 2}", True), ("{'a': 1} < {'b': 1}", True),
    ("{'a': 1, 'b': 2} = {'b': 2, 'a': 1}", True),
    # NULL and MISSING: either operand MISSING -> MISSING, else NULL -> NULL.
    ("1 = MISSING", "MISSING"), ("NULL = MISSING", "MISSING"), ("1 = NULL", None),
    ("NULL < 1", None), ("MISSING BETWEEN 1 AND 2", "MISSING"), ("NULL LIKE 'a'", None),
])
def test_comparison_operators(db: QueryEngine, expr: str, expected: Any) -> None:
    assert one(db, expr) == expected


def test_comparison_is_null_example(db: QueryEngine) -> None:
    # comparisonops.adoc, NULL and MISSING: example "IS NULL"
    rows = db.query("SELECT fname, children FROM tutorial WHERE children IS NULL").results
    assert rows == [{"children": None, "fname": "Fred"}]


def test_comparison_is_missing_example(db: QueryEngine) -> None:
    # comparisonops.adoc, NULL and MISSING: example "IS MISSING"
    rows = db.query("SELECT fname, children FROM tutorial WHERE children IS MISSING").results
    assert rows == [{"fname": "Harry"}, {"fname": "Jane"}]


# -- booleanlogic.adoc / logicalops.adoc -----------------------------------------

VALUES = {"TRUE": True, "FALSE": False, "NULL": None, "MISSING": "MISSING"}

# logicalops.adoc, "AND Truth Table" and "OR Truth Table" (rows a, columns b).
AND_TABLE = {
    "TRUE": ["TRUE", "FALSE", "NULL", "MISSING"],
    "FALSE": ["FALSE", "FALSE", "FALSE", "FALSE"],
    "NULL": ["NULL", "FALSE", "NULL", "MISSING"],
    "MISSING": ["MISSING", "FALSE", "MISSING", "MISSING"],
}
OR_TABLE = {
    "TRUE": ["TRUE", "TRUE", "TRUE", "TRUE"],
    "FALSE": ["TRUE", "FALSE", "NULL", "MISSING"],
    "NULL": ["TRUE", "NULL", "NULL", "NULL"],
    "MISSING": ["TRUE", "MISSING", "NULL", "MISSING"],
}


@pytest.mark.parametrize("a", list(VALUES))
def test_logical_and_or_truth_tables(db: QueryEngine, a: str) -> None:
    # logicalops.adoc, AND / OR; booleanlogic.adoc, "Four-valued logic"
    for b, and_expected, or_expected in zip(VALUES, AND_TABLE[a], OR_TABLE[a]):
        assert one(db, f"{a} AND {b}") == VALUES[and_expected], f"{a} AND {b}"
        assert one(db, f"{a} OR {b}") == VALUES[or_expected], f"{a} OR {b}"


@pytest.mark.parametrize("a, expected", [
    ("TRUE", False), ("FALSE", True), ("NULL", None), ("MISSING", "MISSING")])
def test_logical_not_truth_table(db: QueryEngine, a: str, expected: Any) -> None:
    # logicalops.adoc, "NOT Truth Table"
    assert one(db, f"NOT {a}") == expected


@pytest.mark.parametrize("value, truth", [
    # booleanlogic.adoc: MISSING, NULL, FALSE are FALSE; +0, -0 (and NaN) are FALSE;
    # empty strings, arrays and objects are FALSE; all other values are TRUE.
    ("MISSING", False), ("NULL", False), ("FALSE", False), ("0", False), ("-0", False),
    ("0.0", False), ("''", False), ("[]", False), ("{}", False),
    ("TRUE", True), ("1", True), ("-0.5", True), ("'a'", True), ("[0]", True),
    ("{'a': NULL}", True),
])
def test_boolean_interpretation_in_where(db: QueryEngine, value: str, truth: bool) -> None:
    rows = db.query(f"SELECT 1 AS x WHERE {value}").results
    assert rows == ([{"x": 1}] if truth else [])
    rows = db.query(f"SELECT RAW CASE WHEN {value} THEN 't' ELSE 'f' END").results
    assert rows == (["t"] if truth else ["f"])


# booleanlogic.adoc, "Comparing NULL and MISSING values": columns non-NULL, NULL, MISSING.
IS_TABLE = {
    "IS NULL": [False, True, "MISSING"],
    "IS NOT NULL": [True, False, "MISSING"],
    "IS MISSING": [False, False, True],
    "IS NOT MISSING": [True, True, False],
    "IS VALUED": [True, False, False],
    "IS NOT VALUED": [False, True, True],
}


@pytest.mark.parametrize("op", list(IS_TABLE))
def test_is_operators_table(db: QueryEngine, op: str) -> None:
    for operand, expected in zip(("'x'", "NULL", "MISSING"), IS_TABLE[op]):
        assert one(db, f"{operand} {op}") == expected, f"{operand} {op}"


# -- literals.adoc ---------------------------------------------------------------

def test_literals_example_contacts(db: QueryEngine) -> None:
    # literals.adoc, the opening example
    rows = db.query("SELECT email FROM contacts AS contact WHERE contact.name = 'dave'").results
    assert rows == [{"email": "dave@gmail.com"}]


def test_literals_true_false_null_are_case_insensitive(db: QueryEngine) -> None:
    # literals.adoc: "true", "false" and "null" are case-insensitive; Booleans
    rows = db.query("SELECT TRUE AS a, true AS b, True AS c, FALSE AS d, "
                    "false AS e, NULL AS f, null AS g, Null AS h").results
    assert rows == [{"a": True, "b": True, "c": True, "d": False, "e": False,
                     "f": None, "g": None, "h": None}]


def test_literals_missing_omitted_from_objects_null_in_arrays(db: QueryEngine) -> None:
    # literals.adoc: "Missing is omitted from objects, and is converted to null in
    # result arrays."
    assert db.query("SELECT MISSING AS m, 1 AS n").results == [{"n": 1}]
    assert one(db, "{'a': MISSING, 'b': 1}") == {"b": 1}
    assert one(db, "[1, MISSING, 2]") == [1, None, 2]


@pytest.mark.parametrize("text, value", [
    # literals.adoc, Numbers: [-] digits [. digits] [e|E [+|-] digits]
    ("42", 42), ("-7", -7), ("0.5", 0.5), ("-0.25", -0.25), ("1e3", 1000),
    ("1E-2", 0.01), ("1.5e+2", 150), ("2.5E1", 25),
])
def test_literals_numbers(db: QueryEngine, text: str, value: Any) -> None:
    assert one(db, text) == value


@pytest.mark.parametrize("text, value", [
    # literals.adoc: single and double quotation marks; Strings, backslash escapes
    ("'single'", "single"), ('"double"', "double"), ('"a\\\\b"', "a\\b"),
    ('"a\\/b"', "a/b"), ('"\\b\\f\\n\\r\\t"', "\b\f\n\r\t"), ('"\\u00e9t\\u00E9"', "été"),
    ("'it\\'s'", "it's"), ('"say \\"hi\\""', 'say "hi"'),
])
def test_literals_strings(db: QueryEngine, text: str, value: str) -> None:
    assert one(db, text) == value


def test_literals_unterminated_string_is_syntax_error(db: QueryEngine) -> None:
    with pytest.raises(N1QLError) as caught:
        db.query("SELECT 'abc")
    assert caught.value.code == 3000


# -- stringops.adoc --------------------------------------------------------------

def test_string_concatenation_example(db: QueryEngine) -> None:
    # stringops.adoc, the example over `tutorial`
    rows = db.query('SELECT fname || " " || lname AS full_name FROM tutorial').results
    assert rows == [{"full_name": n} for n in (
        "Dave Smith", "Earl Johnson", "Fred Jackson", "Harry Jackson", "Ian Taylor",
        "Jane Edwards")]


@pytest.mark.parametrize("expr, expected", [
    # stringops.adoc: the result of concatenation is a string (non-strings -> NULL),
    # MISSING before NULL as everywhere else.
    ("'a' || 'b' || 'c'", "abc"), ("'a' || 1", None), ("'a' || NULL", None),
    ("'a' || MISSING", "MISSING"), ("NULL || MISSING", "MISSING"),
])
def test_string_concatenation_operands(db: QueryEngine, expr: str, expected: Any) -> None:
    assert one(db, expr) == expected


# -- constructionops.adoc --------------------------------------------------------

def test_object_constructor_dynamic_names(db: QueryEngine) -> None:
    # constructionops.adoc, Object Constructors, Example
    rows = db.query('SELECT { UPPER("foo") : 1, "foo" || "bar" : 2 };').results
    assert rows == [{"$1": {"FOO": 1, "foobar": 2}}]


def test_object_constructor_non_string_name_is_null(db: QueryEngine) -> None:
    # constructionops.adoc: "If a name does not evaluate to a string, the result of
    # the object construction is NULL."
    assert one(db, "{1: 'a'}") is None
    assert one(db, "{'a': 1, NULL: 2}") is None


def test_object_constructor_implicit_names(db: QueryEngine) -> None:
    # constructionops.adoc: "Member names are optional when constructing dynamic objects."
    rows = db.query("SELECT {fname, lname} AS o FROM tutorial WHERE fname = 'Ian'").results
    assert rows == [{"o": {"fname": "Ian", "lname": "Taylor"}}]


def test_array_constructor(db: QueryEngine) -> None:
    # constructionops.adoc, Array Constructors: ["one", "two", "three"] and [1, 2, 3]
    assert one(db, '["one", "two", "three"]') == ["one", "two", "three"]
    assert one(db, "[1, 2, 3]") == [1, 2, 3]
    assert one(db, "[]") == []


# -- nestedops.adoc --------------------------------------------------------------

DOC = '{"address": {"city": "Mountain View"}, "revisions": [2013, 2012, 2011, 2010]}'


@pytest.mark.parametrize("path, expected", [
    # nestedops.adoc, Field selection: all four evaluate to "Mountain View".
    ("d.address.city", "Mountain View"),
    ("d.address.`CITY`i", "Mountain View"),
    ('d.address.["ci" || "ty"]', "Mountain View"),
    ('d.address.["CI" || "TY"]i', "Mountain View"),
    ("d.address.`CITY`", "MISSING"),  # case sensitive by default
    # Element selection: revisions[0] is 2013, revisions[-1] is 2010.
    ("d.revisions[0]", 2013), ("d.revisions[-1]", 2010), ("d.revisions[4]", "MISSING"),
    # Array slicing: [1:3] is [2012, 2011]; [1:] is [2012, 2011, 2010].
    ("d.revisions[1:3]", [2012, 2011]), ("d.revisions[1:]", [2012, 2011, 2010]),
    ("d.revisions[-2:]", [2011, 2010]),
])
def test_nested_operators(db: QueryEngine, path: str, expected: Any) -> None:
    rows = db.query(f"SELECT {path} AS v FROM [{DOC}] AS d").results
    assert rows[0].get("v", "MISSING") == expected


def test_case_insensitive_field_in_where(db: QueryEngine) -> None:
    # nestedops.adoc, Field selection: the trailing i on an escaped identifier
    rows = db.query("SELECT RAW t.`FNAME`i FROM tutorial AS t WHERE t.`LName`i = 'Taylor'").results
    assert rows == ["Ian"]


# -- conditionalops.adoc ---------------------------------------------------------

def test_searched_case_example(db: QueryEngine) -> None:
    # conditionalops.adoc, Searched Case Expressions, Example (three orders)
    rows = db.query(
        "SELECT CASE WHEN `shipped-on` IS NOT NULL THEN `shipped-on` "
        'ELSE "not-shipped-yet" END AS shipped '
        "FROM [{'shipped-on': '2013/01/02'}, {'shipped-on': '2013/01/12'}, {}] AS orders"
    ).results
    assert rows == [{"shipped": "2013/01/02"}, {"shipped": "2013/01/12"},
                    {"shipped": "not-shipped-yet"}]


@pytest.mark.parametrize("expr, expected", [
    # conditionalops.adoc, Simple Case: the first equal WHEN wins; no ELSE -> NULL.
    ("CASE 2 WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END", "b"),
    ("CASE 3 WHEN 1 THEN 'a' WHEN 2 THEN 'b' ELSE 'c' END", "c"),
    ("CASE 3 WHEN 1 THEN 'a' END", None),
    ("CASE NULL WHEN NULL THEN 'eq' ELSE 'ne' END", "ne"),  # NULL is equal to nothing
    # Searched Case: the first TRUE condition wins; none TRUE and no ELSE -> NULL.
    ("CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' END", "b"),
    ("CASE WHEN NULL THEN 'a' WHEN MISSING THEN 'b' ELSE 'c' END", "c"),
    ("CASE WHEN FALSE THEN 'a' END", None),
])
def test_case_expressions(db: QueryEngine, expr: str, expected: Any) -> None:
    assert one(db, expr) == expected


# -- collectionops.adoc ----------------------------------------------------------

ROUTE_WHERE = ('FROM `travel-sample`.inventory.route WHERE airline="KL" '
               'AND sourceairport="ABQ" AND destinationairport="ATL"')


@pytest.mark.parametrize("time, found", [("23:41", True), ("23:42", False)])
def test_any_examples(db: QueryEngine, time: str, found: bool) -> None:
    # collectionops.adoc, ANY A (the whole document) and ANY B (empty result)
    rows = db.query(f"SELECT * {ROUTE_WHERE} AND ANY departure IN schedule "
                    f'SATISFIES departure.utc > "{time}" END;').results
    assert rows == ([{"route": ROUTE_36159}] if found else [])


@pytest.mark.parametrize("time, found", [("00:35", True), ("00:37", False)])
def test_every_examples(db: QueryEngine, time: str, found: bool) -> None:
    # collectionops.adoc, EVERY A and EVERY B
    rows = db.query(f"SELECT * {ROUTE_WHERE} AND EVERY departure IN schedule "
                    f'SATISFIES departure.utc > "{time}" END;').results
    assert rows == ([{"route": ROUTE_36159}] if found else [])


@pytest.mark.parametrize("expr, expected", [
    # collectionops.adoc: ANY needs a non-empty array; EVERY is TRUE on an empty one;
    # ANY AND EVERY needs a non-empty array where every element matches. SOME = ANY.
    ("ANY v IN [] SATISFIES v > 0 END", False),
    ("SOME v IN [1, 5] SATISFIES v > 4 END", True),
    ("EVERY v IN [] SATISFIES v > 0 END", True),
    ("EVERY v IN [1, 5] SATISFIES v > 4 END", False),
    ("ANY AND EVERY v IN [] SATISFIES v > 0 END", False),
    ("ANY AND EVERY v IN [1, 5] SATISFIES v > 0 END", True),
    ("SOME AND EVERY v IN [1, 5] SATISFIES v > 1 END", False),
    ("ANY i:v IN [10, 20] SATISFIES i = 1 AND v = 20 END", True),  # name-var is the position
    ("ANY v WITHIN [1, [2, [3]]] SATISFIES v = 3 END", True),
    ("ANY v IN [1, [2, [3]]] SATISFIES v = 3 END", False),
])
def test_range_predicates(db: QueryEngine, expr: str, expected: Any) -> None:
    assert one(db, expr) == expected


def test_array_examples(db: QueryEngine) -> None:
    # collectionops.adoc, ARRAY A
    rows = db.query('SELECT ARRAY v FOR v IN schedule WHEN v.utc > "19:00" AND v.day = 5 END '
                    f"AS fri_evening_flights {ROUTE_WHERE} "
                    'AND ANY v IN schedule SATISFIES v.utc > "19:00" END;').results
    assert rows == [{"fri_evening_flights": [{"day": 5, "flight": "KL169", "utc": "23:41:00"}]}]
    # ARRAY C: the name-var keeps the first two elements
    rows = db.query('SELECT ARRAY v FOR i:v IN ["a", "b", "c", "d"] WHEN i < 2 END '
                    "AS new_array;").results
    assert rows == [{"new_array": ["a", "b"]}]


def test_first_example(db: QueryEngine) -> None:
    # collectionops.adoc, FIRST. (The page shows the value inside an array; the
    # operator's own definition, "returns a single value", gives the object itself.)
    rows = db.query('SELECT FIRST v FOR v IN schedule WHEN v.utc > "19:00" END '
                    f"AS evening_flights {ROUTE_WHERE} "
                    'AND ANY v IN schedule SATISFIES v.utc > "19:00" END;').results
    assert rows == [{"evening_flights": {"day": 1, "flight": "KL672", "utc": "19:19:00"}}]
    # no element satisfies WHEN: MISSING
    assert one(db, "FIRST v FOR v IN [1, 2] WHEN v > 5 END") == "MISSING"


def test_object_examples(db: QueryEngine) -> None:
    # collectionops.adoc, OBJECT B (the page's query names them "num_" || TO_STRING(i);
    # its shown result uses the flight numbers, as OBJECT C's query does)
    rows = db.query(f"SELECT OBJECT v.flight:v FOR v IN schedule WHEN v.day = 5 END "
                    f"AS fri_flights {ROUTE_WHERE};").results
    fri = {f: {"day": 5, "flight": f, "utc": u} for f, u in (
        ("KL169", "23:41:00"), ("KL281", "06:26:00"), ("KL347", "08:51:00"),
        ("KL567", "03:54:00"))}
    assert rows == [{"fri_flights": fri}]
    rows = db.query(f'SELECT OBJECT "num_" || TO_STRING(i):v FOR i:v IN schedule '
                    f"WHEN v.day = 5 END AS fri_flights {ROUTE_WHERE};").results
    assert sorted(rows[0]["fri_flights"]) == ["num_14", "num_15", "num_16", "num_17"]
    # OBJECT C: nothing after 23:42 -> an empty object
    rows = db.query('SELECT OBJECT v.flight:v FOR v IN schedule WHEN v.utc > "23:42" END '
                    f"AS night_flights {ROUTE_WHERE};").results
    assert rows == [{"night_flights": {}}]
    # duplicate names: only the last attribute is output
    assert one(db, "OBJECT 'k':v FOR v IN [1, 2, 3] END") == {"k": 3}


@pytest.mark.parametrize("expr, expected", [
    # collectionops.adoc, EXISTS: TRUE for an array with at least one element.
    ("EXISTS []", False), ("EXISTS [0]", True), ("EXISTS (SELECT 1 AS x)", True),
    ("EXISTS (SELECT 1 AS x WHERE FALSE)", False),
    # IN: TRUE if the right side is an array that directly contains the left side.
    ("1 IN [1, 2]", True), ("3 NOT IN [1, 2]", True), ("1 IN [[1]]", False),
    ("[1] IN [[1]]", True), ("'a' IN 'abc'", None),
    # WITHIN: contained as a child or descendant.
    ("1 WITHIN [[1]]", True), ("3 WITHIN [1, {'a': [3]}]", True),
    ("4 NOT WITHIN [1, [2, [3]]]", True),
])
def test_membership_and_existential(db: QueryEngine, expr: str, expected: Any) -> None:
    assert one(db, expr) == expected


def test_in_example_on_airline_subset(db: QueryEngine) -> None:
    # collectionops.adoc, IN A (on the subset: France and the United Kingdom only)
    rows = db.query('SELECT RAW t.name FROM `travel-sample`.inventory.airline AS t '
                    'WHERE country IN ["United Kingdom", "France"] ORDER BY t.name').results
    assert rows == ["British Airways", "Corsairfly"]


def test_in_b_and_within_examples(db: QueryEngine) -> None:
    # collectionops.adoc, IN B: the author is not at the root level -> empty
    rows = db.query('SELECT * FROM `travel-sample`.inventory.hotel AS t '
                    'WHERE "Walton Wolf" IN t;').results
    assert rows == []
    # WITHIN: found inside the reviews array -> the one hotel
    rows = db.query('SELECT * FROM `travel-sample`.inventory.hotel AS t '
                    'WHERE "Walton Wolf" WITHIN t;').results
    assert rows == [{"t": HOTEL_10851}]


# -- opprec.adoc -----------------------------------------------------------------

@pytest.mark.parametrize("expr, expected", [
    # opprec.adoc: unary minus > * / % > binary + - > IS > IN > BETWEEN > LIKE >
    # relational > equality > NOT > AND > OR; parentheses first.
    ("2 + 3 * 4", 14), ("(2 + 3) * 4", 20), ("-2 * -3", 6), ("2 * 3 % 4", 2),
    ("10 - 4 / 2", 8), ("1 + 1 = 2", True), ("NOT 1 = 2", True),
    ("NOT TRUE OR TRUE", True), ("NOT (TRUE OR TRUE)", False),
    ("TRUE OR FALSE AND FALSE", True), ("(TRUE OR FALSE) AND FALSE", False),
    ("1 + 1 IN [2]", True), ("2 BETWEEN 1 AND 3 = TRUE", True),
    ("'a' || 'b' LIKE 'ab'", True), ("NULL IS NULL = TRUE", True),
    ("{'a': [5]}.a[0] * 2", 10),
])
def test_operator_precedence(db: QueryEngine, expr: str, expected: Any) -> None:
    assert one(db, expr) == expected
