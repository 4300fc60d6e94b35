"""Array functions, checked against the N1QL language reference's examples.

Source: docs.couchbase.com/server/current/n1ql/n1ql-language-reference/arrayfun.html
(one section per function; each case names its section). Cases marked
"derived" follow the section's Return Values text where it gives no example.
"""

from __future__ import annotations

import pytest

from couchbase_mock.n1ql import QueryEngine

CASES = [
    # ARRAY_AGG (used as an aggregate over the single row of a FROM-less SELECT)
    ('SELECT ARRAY_AGG( [ "abc", 1, NULL ] ) AS array_aggregate',
     [{"array_aggregate": [["abc", 1, None]]}]),
    # ARRAY_APPEND
    ("SELECT ARRAY_APPEND( [ 1 , 2 ] , 3 , 4) AS numbers", [{"numbers": [1, 2, 3, 4]}]),
    # ARRAY_AVG
    ("SELECT ARRAY_AVG( [ 0 , 1 , 1 , 2 , 3 , 5 ] ) AS array_average",
     [{"array_average": 2}]),
    ("SELECT ARRAY_AVG([]) AS a, ARRAY_AVG(['x']) AS b", [{"a": None, "b": None}]),  # derived
    # ARRAY_BINARY_SEARCH
    ("SELECT ARRAY_BINARY_SEARCH( [ 1 , 3 , 5 , 7 , 9 ] , 5) AS position", [{"position": 2}]),
    ("SELECT ARRAY_BINARY_SEARCH([1, 3, 3, 3, 9], 3) AS firstpos, "  # derived: first position
     "ARRAY_BINARY_SEARCH([1, 3], 4) AS absent, ARRAY_BINARY_SEARCH('x', 1) AS notarray",
     [{"firstpos": 1, "absent": -1, "notarray": None}]),
    # ARRAY_CONCAT
    ("SELECT ARRAY_CONCAT( [ 1 , 2 , 3 ], [ 4 , 5 , 6 ] ) AS combined_array",
     [{"combined_array": [1, 2, 3, 4, 5, 6]}]),
    # ARRAY_CONTAINS
    ("SELECT ARRAY_CONTAINS( [ 1 , 2 , 3 , 4 , 5 ] , 3 ) AS contains_value",
     [{"contains_value": True}]),
    ("SELECT ARRAY_CONTAINS([1, NULL], NULL) AS n, ARRAY_CONTAINS('a', 'a') AS s, "  # derived
     "ARRAY_CONTAINS([1], 2) AS f", [{"n": None, "s": None, "f": False}]),
    # ARRAY_COUNT
    ("SELECT ARRAY_COUNT( [ 1 , 2 , 3 , 4 , 5 ] ) AS total_count", [{"total_count": 5}]),
    # ARRAY_DISTINCT
    ("SELECT ARRAY_DISTINCT( [ 1 , 2 , 2 , 3 , 4 , 4 , 5 ] ) AS distinct_numbers",
     [{"distinct_numbers": [1, 2, 3, 4, 5]}]),
    # ARRAY_EXCEPT
    ("SELECT ARRAY_EXCEPT( [ 1 , 2 , 3 , 4 , 5 ] , [ 2 , 4 ] ) AS result_array",
     [{"result_array": [1, 3, 5]}]),
    ("SELECT ARRAY_EXCEPT([1], 'x') AS r", [{"r": None}]),  # derived: non-array
    # ARRAY_FLATTEN
    ("SELECT ARRAY_FLATTEN( [ [ 1, 2 ], [ 3, [ 4, 5 ] ] ], 1 ) AS flatten_by_1, "
     "ARRAY_FLATTEN( [ [ 1, 2 ], [ 3, [ 4, 5 ] ] ], 2 ) AS flatten_by_2",
     [{"flatten_by_1": [1, 2, 3, [4, 5]], "flatten_by_2": [1, 2, 3, 4, 5]}]),
    # ARRAY_IFNULL
    ("SELECT ARRAY_IFNULL( [ NULL , NULL , 1 , 2 , 3 ] ) AS first_non_null",
     [{"first_non_null": 1}]),
    ("SELECT ARRAY_IFNULL([NULL]) AS a, ARRAY_IFNULL(3) AS b",  # derived
     [{"a": None, "b": None}]),
    # ARRAY_INSERT
    ("SELECT ARRAY_INSERT( [ 1 , 2 , 3 , 4 ] , 2 , 55 ) AS updated_array",
     [{"updated_array": [1, 2, 55, 3, 4]}]),
    ("SELECT ARRAY_INSERT([1], 1, 'a', 'b') AS e, ARRAY_INSERT([1], 0.5, 2) AS frac, "  # derived
     "ARRAY_INSERT({}, 0, 2) AS obj", [{"e": [1, "a", "b"], "frac": None, "obj": None}]),
    # ARRAY_INTERSECT
    ("SELECT ARRAY_INTERSECT( [ 1 , 2 , 3 , 4 ] , [ 2 , 4 , 6 ] , [ 4 , 8 ] ) "
     "AS array_intersection", [{"array_intersection": [4]}]),
    ("SELECT ARRAY_INTERSECT( [ 1 , 2 , 3 ] , [ 3 , 4 , 5 , 6 ] , [ 6 , 7 , 8 , 9 ] ) "
     "AS array_intersection", [{"array_intersection": []}]),
    # ARRAY_LENGTH and its alias LEN
    ("SELECT ARRAY_LENGTH( [ 1 , 2 , 3 , 4 , 5 ] ) AS total_elements",
     [{"total_elements": 5}]),
    ("SELECT LEN([1, 2]) AS n", [{"n": 2}]),  # derived: Aliases
    # ARRAY_MAX, ARRAY_MIN
    ('SELECT ARRAY_MAX( [ 1 , 3 , 9 , 5 ] ) AS max_num, '
     'ARRAY_MAX( [ "delta" , "united" , "southwest" ] ) max_string',
     [{"max_num": 9, "max_string": "united"}]),
    ('SELECT ARRAY_MIN( [ 1 , 3 , 9 , 5 ] ) AS min_num, '
     'ARRAY_MIN( [ "delta" , "united" , "southwest" ] ) min_string',
     [{"min_num": 1, "min_string": "delta"}]),
    # ARRAY_MOVE
    ('SELECT ARRAY_MOVE(["a", "b", "c", "d", "e"], 0, 3) AS updated_array',
     [{"updated_array": ["b", "c", "d", "a", "e"]}]),
    ('SELECT ARRAY_MOVE( [ "a" , "b" , "c" , "d" , "e" ] , 0 , -2) AS penultimate',
     [{"penultimate": ["b", "c", "d", "a", "e"]}]),
    ("SELECT ARRAY_MOVE([1, 2], 0, 2) AS outside, ARRAY_MOVE([1, 2], 0.5, 1) AS frac",  # derived
     [{"outside": None, "frac": None}]),
    # ARRAY_POSITION
    ("SELECT ARRAY_POSITION( [ 10 , 20 , 30 , 40 , 50 ] , 30 ) AS position",
     [{"position": 2}]),
    ("SELECT ARRAY_POSITION([1], 5) AS absent", [{"absent": -1}]),  # derived
    # ARRAY_PREPEND
    ("SELECT ARRAY_PREPEND( 0 , [ 1 , 2 , 3 , 4 , 5 ] ) AS updated_array",
     [{"updated_array": [0, 1, 2, 3, 4, 5]}]),
    # ARRAY_PUT
    ("SELECT ARRAY_PUT([1, 2, 3, 4], 5) AS updated_array",
     [{"updated_array": [1, 2, 3, 4, 5]}]),
    ("SELECT ARRAY_PUT([1, 2], 2, 3, 3) AS p, ARRAY_PUT(1, 2) AS notarray",  # derived
     [{"p": [1, 2, 3], "notarray": None}]),
    # ARRAY_RANGE
    ("SELECT ARRAY_RANGE( 0 , 25 , 5 ) AS generated_array",
     [{"generated_array": [0, 5, 10, 15, 20]}]),
    ("SELECT ARRAY_RANGE( 0.1 , 2 ) AS generated_array", [{"generated_array": [0.1, 1.1]}]),
    ("SELECT ARRAY_RANGE( 10 , 3 , -3 ) AS generated_array",
     [{"generated_array": [10, 7, 4]}]),
    # ARRAY_REMOVE (the note: NULLs are not removed)
    ("SELECT ARRAY_REMOVE( [ 1 , 2 , 3 , 4 , 5 ] , 3, 5 ) AS updated_array",
     [{"updated_array": [1, 2, 4]}]),
    ('SELECT ARRAY_REMOVE(["Ryan", NULL, "Corrine"], NULL) AS r',  # derived from the note
     [{"r": ["Ryan", None, "Corrine"]}]),
    ('SELECT ARRAY name FOR name IN ["Ryan", NULL, "Corrine"] WHEN name IS NOT NULL END '
     "AS filtered_names", [{"filtered_names": ["Ryan", "Corrine"]}]),
    # ARRAY_REPEAT
    ('SELECT ARRAY_REPEAT("hello", 3) AS repeated_array',
     [{"repeated_array": ["hello", "hello", "hello"]}]),
    ("SELECT ARRAY_REPEAT(1, 1.5) AS frac, ARRAY_REPEAT(1, 'x') AS s, "  # derived
     "ARRAY_REPEAT(NULL, 2) AS `nulls`", [{"frac": None, "s": None, "nulls": [None, None]}]),
    # ARRAY_REPLACE, ARRAY_REPLACE_EQUIVALENT
    ("SELECT ARRAY_REPLACE( [ 1 , 2 , 3 , 2 , 4 ] , 2 , 99) AS updated_array",
     [{"updated_array": [1, 99, 3, 99, 4]}]),
    ("SELECT ARRAY_REPLACE( [ 1 , 2 , null , 4 ] , null , 99 ) AS replace_result, "
     "ARRAY_REPLACE_EQUIVALENT( [ 1 , 2 , null , 4 ] , null , 99 ) AS replace_equiv_result",
     [{"replace_result": None, "replace_equiv_result": [1, 2, 99, 4]}]),
    ("SELECT ARRAY_REPLACE([2, 2, 2], 2, 0, 2) AS capped", [{"capped": [0, 0, 2]}]),  # derived
    # ARRAY_REVERSE
    ("SELECT ARRAY_REVERSE( [ 1 , 2 , 3 , 4 , 5 ] ) AS reversed_array",
     [{"reversed_array": [5, 4, 3, 2, 1]}]),
    # ARRAY_SORT
    ("SELECT ARRAY_SORT( [ 5 , 3 , 1 , 4 , 2 ] ) AS sorted_array",
     [{"sorted_array": [1, 2, 3, 4, 5]}]),
    # ARRAY_STAR
    ('SELECT ARRAY_STAR([ { "id": 10226, "airline": "Atifly", "code": "A1F" }, '
     '{ "id": 10123, "airline": "Texas Wings", "code": "TXW" } ]) AS object_of_arrays',
     [{"object_of_arrays": {"airline": ["Atifly", "Texas Wings"], "code": ["A1F", "TXW"],
                            "id": [10226, 10123]}}]),
    ('SELECT ARRAY_STAR([{"day": 0}, {"f": 1}, {"day": 2}]).day AS days',  # derived: [*] text
     [{"days": [0, None, 2]}]),
    # ARRAY_SUM
    ("SELECT ARRAY_SUM( [ 0 , 1 , 1 , 2 , 3 , 5 ] ) as sum", [{"sum": 12}]),
    ("SELECT ARRAY_SUM(['a']) AS z", [{"z": 0}]),  # derived: no numbers -> 0
    # ARRAY_UNION (non-array argument)
    ('SELECT ARRAY_UNION( [ 1 , 2 ] , [ 1 , 2 , 4 ] , "abc") AS array_union',
     [{"array_union": None}]),
]

# The set operations' examples: the reference prints the server's element order,
# which comes from its hashing and is not specified; compared as sets here.
SET_CASES = [
    ("SELECT RAW ARRAY_SYMDIFF( [ 1 , 2 ] , [ 1 , 2 , 4 ] , [ 1 , 3 ] )", [3, 4]),
    ("SELECT RAW ARRAY_SYMDIFF1( [ 1 , 2 ] , [ 1 , 2 , 4 ] , [ 1 , 3 ] )", [3, 4]),  # alias
    ("SELECT RAW ARRAY_SYMDIFFN( [ 1 , 2 ] , [ 1 , 2 , 4 ] , [ 1 , 3 ] )", [1, 3, 4]),
    ("SELECT RAW ARRAY_UNION( [ 1 , 2 ] , [ 1 , 2 , 4 ] , [ 1 , 3 ] )", [3, 2, 1, 4]),
]

# Every function: a MISSING argument gives MISSING (the field is absent).
MISSING_CASES = [
    "ARRAY_BINARY_SEARCH([1], {}.x)", "ARRAY_EXCEPT({}.x, [1])", "ARRAY_IFNULL({}.x)",
    "ARRAY_INSERT([1], {}.x, 2)", "ARRAY_MOVE([1], 0, {}.x)", "ARRAY_PUT([1], {}.x)",
    "ARRAY_REPEAT({}.x, 2)", "ARRAY_REPLACE([1], 1, {}.x)",
    "ARRAY_REPLACE_EQUIVALENT({}.x, 1, 2)", "ARRAY_STAR({}.x)", "ARRAY_SYMDIFF([1], {}.x)",
    "ARRAY_SYMDIFFN({}.x, [1])", "ARRAY_CONTAINS([1], {}.x)", "ARRAY_REMOVE([1], {}.x)",
]

# ... and a non-array where an array is required gives NULL.
NULL_CASES = [
    "ARRAY_BINARY_SEARCH(1, 1)", "ARRAY_EXCEPT([1], NULL)", "ARRAY_IFNULL('a')",
    "ARRAY_INSERT('a', 0, 1)", "ARRAY_MOVE({}, 0, 1)", "ARRAY_PUT(NULL, 1)",
    "ARRAY_REPLACE(1, 1, 2)", "ARRAY_REPLACE_EQUIVALENT(true, 1, 2)", "ARRAY_STAR('s')",
    "ARRAY_SYMDIFF([1], 2)", "ARRAY_SYMDIFFN(NULL, [1])", "ARRAY_REMOVE('a', 'a')",
    "ARRAY_INSERT([1, 2], 3, 0)", "ARRAY_REPEAT(1, -1)",
]


@pytest.mark.parametrize("statement,expected", CASES, ids=[c[0][7:50] for c in CASES])
def test_reference_example(engine: QueryEngine, statement: str, expected: list) -> None:
    assert engine.query(statement).results == expected


@pytest.mark.parametrize("statement,expected", SET_CASES)
def test_set_operation_example(engine: QueryEngine, statement: str, expected: list) -> None:
    [got] = engine.query(statement).results
    assert sorted(got) == sorted(expected)
    assert len(got) == len(expected)


@pytest.mark.parametrize("call", MISSING_CASES)
def test_missing_argument_gives_missing(engine: QueryEngine, call: str) -> None:
    assert engine.query(f"SELECT {call} AS r").results == [{}]


@pytest.mark.parametrize("call", NULL_CASES)
def test_wrong_type_gives_null(engine: QueryEngine, call: str) -> None:
    assert engine.query(f"SELECT {call} AS r").results == [{"r": None}]
