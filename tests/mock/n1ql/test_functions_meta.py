"""Miscellaneous utility, JSON and vector functions, from the reference's examples.

Pages (modules/n1ql/pages/n1ql-language-reference/, docs.couchbase.com
.../n1ql-language-reference/*.html): metafun.adoc, jsonfun.adoc, vectorfun.adoc.
"""

from __future__ import annotations

import re

import pytest

from couchbase_mock.n1ql import QueryEngine
from couchbase_mock.n1ql.errors import N1QLError

AIRLINE = ('{"airline": {"callsign": "Mile-Air", "country": "United States", "iata": "Q5", '
           '"id": 10, "name": "40-mile Air", "type": "airline"}}')
SAMPLE = ('[{"flight": "AA123", "passenger": "Alex Johnson", "email": "alex.johnson@example.com",'
          ' "passport": "X12345678", "address": "123 Maple Street, New York, NY"}]')

CASES = [
    # metafun.adoc BASE64 / BASE64_DECODE examples
    ("BASE64([1, 2, 3, 4])", "WzEsMiwzLDRd"),
    ("BASE64(false)", "ZmFsc2U="),
    ("BASE64(null)", "bnVsbA=="),
    ("BASE64(1234)", "MTIzNA=="),
    ('BASE64({"a": 1, "b": 2, "c": [1, 2, 3]})', "eyJhIjoxLCJiIjoyLCJjIjpbMSwyLDNdfQ=="),
    ('BASE64("Couchbase")', "IkNvdWNoYmFzZSI="),
    ('BASE64_ENCODE("Couchbase")', "IkNvdWNoYmFzZSI="),
    ('BASE64_DECODE("WzEsMiwzLDRd")', [1, 2, 3, 4]),
    ('BASE64_DECODE("ZmFsc2U=")', False),
    ('BASE64_DECODE("bnVsbA==")', None),
    ('BASE64_DECODE("MTIzNA==")', 1234),
    ('BASE64_DECODE("eyJhIjoxLCJiIjoyLCJjIjpbMSwyLDNdfQ==")', {"a": 1, "b": 2, "c": [1, 2, 3]}),
    ('BASE64_DECODE("IkNvdWNoYmFzZSI=")', "Couchbase"),
    # metafun.adoc HASHBYTES examples
    ("HASHBYTES('Hello World', {\"algorithm\":\"sha256\"})",
     "a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e"),
    ('HASHBYTES("hello world", {"algorithm":"crc32", "polynomial":"koopman"})', "df373d3c"),
    ("HASHBYTES('Hello World')",  # derived: sha256 is the default
     "a591a6d40bf420404a011733cfb7b190d62c65bf0bcda32b57b277d9ad9f146e"),
    ('HASHBYTES("x", {"algorithm": "nope"})', None),  # derived
    # metafun.adoc LEN example
    ("LEN([1, 2, 3, 4])", 4),
    ("LEN(false)", 1),
    ("LEN(null)", None),
    ("LEN(1234)", 4),
    ('LEN({"a": 1, "b": 2, "c": [1, 2, 3]})', 3),
    ('LEN("Couchbase")', 9),
    # metafun.adoc PAIRS Example 3b
    ('PAIRS("N1QL")', None),
    ("PAIRS(4)", None),
    ("PAIRS([1,2,3])", []),
    ('PAIRS({"name" : 3})', [["name", 3]]),
    ('PAIRS({"name" : [1,2,3]})', [["name", [1, 2, 3]], ["name", 1], ["name", 2], ["name", 3]]),
    # metafun.adoc REDACT examples 1-6
    (f"REDACT({SAMPLE})", [{"address": "xxx xxxxx xxxxxx, xxx xxxx, xx",
                            "email": "xxxx.xxxxxxx@xxxxxxx.xxx", "flight": "xxxxx",
                            "passenger": "xxxx xxxxxxx", "passport": "xxxxxxxxx"}]),
    (f'REDACT({SAMPLE}, {{"pattern": "ad.*", "regex": true}}, '
     f'{{"pattern": "email|passport", "regex": true, "mask": "#"}})',
     [{"address": "xxx xxxxx xxxxxx, xxx xxxx, xx", "email": "####.#######@#######.###",
       "flight": "AA123", "passenger": "Alex Johnson", "passport": "#########"}]),
    (f'REDACT({SAMPLE}, {{"pattern": "passport", "name":true}}, '
     f'{{"pattern": "email", "omit": true}})',
     [{"address": "123 Maple Street, New York, NY", "f0004": "xxxxxxxxx", "flight": "AA123",
       "passenger": "Alex Johnson"}]),
    (f'REDACT({SAMPLE}, {{"pattern": "passenger|passport", "regex": true}}, '
     f'{{"pattern": "passenger", "omit": true}})',
     [{"address": "123 Maple Street, New York, NY", "email": "alex.johnson@example.com",
       "flight": "AA123", "passenger": "xxxx xxxxxxx", "passport": "xxxxxxxxx"}]),
    (f'REDACT({SAMPLE}, {{"pattern": "passenger|passport", "regex": true, "exclude": true}})',
     [{"address": "xxx xxxxx xxxxxx, xxx xxxx, xx", "email": "xxxx.xxxxxxx@xxxxxxx.xxx",
       "flight": "xxxxx", "passenger": "Alex Johnson", "passport": "X12345678"}]),
    ('REDACT([{"email": "alex.johnson@example.com", "password": "P@ssw0rd!", '
     '"address": "123 Maple Street, New York, NY"}], {"pattern": ".*", "regex": true, '
     '"strict": true})',
     [{"address": "x" * 30, "email": "x" * 24, "password": "x" * 9}]),
    ('REDACT({"a": "secret"}, {"fixedlength": true, "mask": "***"})', {"a": "***"}),  # derived
    ('REDACT("text")', None),  # derived: not an object
    # metafun.adoc EVALUATE Example 1
    ('EVALUATE("SELECT $named_param AS example", '
     '{"named_param":"This is the named parameter\'s value"})',
     [{"example": "This is the named parameter's value"}]),
    ('EVALUATE("SELECT RAW $1 + 1", [41])', [42]),  # derived: positional parameters
    # metafun.adoc NODE_UUID: not a string -> NULL
    ("NODE_UUID(123)", None),
    # jsonfun.adoc examples
    (f"DECODE_JSON({repr(AIRLINE)})", {"airline": {"callsign": "Mile-Air",
                                                    "country": "United States", "iata": "Q5",
                                                    "id": 10, "name": "40-mile Air",
                                                    "type": "airline"}}),
    (f"ENCODE_JSON({AIRLINE})", '{"airline":{"callsign":"Mile-Air","country":"United States",'
     '"iata":"Q5","id":10,"name":"40-mile Air","type":"airline"}}'),
    ('ENCODE_JSON({"b": 1e21, "a": [0.1 + 0.2, 2.0, 1e-7]})',  # keys sorted, Go's numbers
     '{"a":[0.30000000000000004,2,1e-7],"b":1e+21}'),
    (f"ENCODED_SIZE({AIRLINE})", 119),
    ("ENCODED_SIZE(MISSING)", 0),
    ('POLY_LENGTH("Flight 101")', 10),
    ('POLY_LENGTH(["Flight 101", "Flight 202", "Flight 303"])', 3),
    ('POLY_LENGTH({"flight": 101, "airline": "Mile-Air", "destination": "United States"})', 3),
    ("POLY_LENGTH(12)", None),
    ('DECODE_JSON("{bad")', None),  # the page: not a valid JSON value -> NULL
    # vectorfun.adoc examples
    ('DECODE_VECTOR("AACAPwAAAEAAAEBAAACAQA==")', [1, 2, 3, 4]),
    ('DECODE_VECTOR("P4AAAEAAAABAQAAAQIAAAA==", true)', [1, 2, 3, 4]),
    ("ENCODE_VECTOR([1, 2, 3, 4])", "AACAPwAAAEAAAEBAAACAQA=="),
    ("ENCODE_VECTOR([1, 2, 3, 4], true)", "P4AAAEAAAABAQAAAQIAAAA=="),
    ('VECTOR_ENCODE([1, 2, 3, 4])', "AACAPwAAAEAAAEBAAACAQA=="),
    ('ISVECTOR([1, 2, 3, 4], 4, "float32")', True),
    ('ISVECTOR([1, 2, 3, 4], 3, "float32")', False),
    ('ISVECTOR(["a", "b", "c", "d"], 4, "float32")', False),
    ("NORMALIZE_VECTOR([1, 2, 3, 4])",
     [0.18257418583505536, 0.3651483716701107, 0.5477225575051661, 0.7302967433402214]),
    ("VECTOR_NORMALISE([3, 4])", [0.6, 0.8]),
    ('VECTOR_DISTANCE([1, 2, 3, 4], "AACAPwAAAEAAAEBAAACAQA==", "L2")', 0),  # base64 form
    ('VECTOR_DISTANCE([1, 2], [1, 2, 3], "L2")', None),  # derived: other lengths
    ('VECTOR_DISTANCE([1, 2], [1, 2], "MANHATTAN")', None),  # derived: unknown metric
]


@pytest.mark.parametrize("expr,expected", CASES, ids=[c[0][:60] for c in CASES])
def test_documented_result(engine: QueryEngine, expr: str, expected: object) -> None:
    assert engine.query(f"SELECT RAW {expr}").results == [expected]


# vectorfun.adoc VECTOR_DISTANCE / APPROX_VECTOR_DISTANCE Example 1 (identical results)
DISTANCES = [
    ([1, 2, 3, 4], {"cosine": 0, "dot": -30, "l2": 0, "l2_squared": 0}),
    ([1, 2, 3, 5], {"cosine": 0.00600091145203363, "dot": -34, "l2": 1, "l2_squared": 1}),
    ([6, 7, 8, 9], {"cosine": 0.0369131753138463, "dot": -80, "l2": 10, "l2_squared": 100}),
]


@pytest.mark.parametrize("fn", ["VECTOR_DISTANCE", "APPROX_VECTOR_DISTANCE", "KNN_DISTANCE",
                                "ANN_DISTANCE"])
@pytest.mark.parametrize("vector,expected", DISTANCES)
def test_vector_distance_example(engine: QueryEngine, fn: str, vector: list,
                                 expected: dict) -> None:
    metrics = ", ".join(f'{fn}({vector}, [1, 2, 3, 4], "{m.upper()}") AS {m}' for m in expected)
    assert engine.query(f"SELECT {metrics}").results == [expected]


def test_abort_is_error_5011(engine: QueryEngine) -> None:
    """metafun.adoc ABORT Example 1."""
    with pytest.raises(N1QLError) as e:
        engine.query('SELECT ABORT("Something went wrong")')
    assert e.value.code == 5011 and "Something went wrong" in e.value.msg


def test_evaluate_refuses_a_statement_that_writes(engine: QueryEngine) -> None:
    """metafun.adoc EVALUATE: "If it tries to modify data ... fails with error 5010"."""
    with pytest.raises(N1QLError) as e:
        engine.query("SELECT EVALUATE(\"INSERT INTO `beer-sample` VALUES ('k', {})\")")
    assert e.value.code == 5010 and "not a readonly request" in e.value.msg


def test_version_node_and_users(engine: QueryEngine) -> None:
    """metafun.adoc VERSION ("7.6.0-N1QL"), NODE_NAME ("127.0.0.1:8091"), NODE_UUID of
    "" and of NODE_NAME() (the same node), CURRENT_USERS (an array of names)."""
    row = engine.query('SELECT VERSION() AS v, NODE_NAME() AS n, NODE_UUID("") AS u1, '
                       "NODE_UUID(NODE_NAME()) AS u2, CURRENT_USERS() AS users, "
                       "DS_VERSION() AS ds").results[0]
    assert re.fullmatch(r"\d+\.\d+\.\d+-N1QL", row["v"])
    assert row["ds"].startswith(row["v"].split("-")[0])
    assert re.fullmatch(r"[^:]+:\d+", row["n"])
    assert re.fullmatch(r"[0-9a-f]{32}", row["u1"]) and row["u1"] == row["u2"]
    assert row["users"] == []  # an engine's own caller authenticated as nobody


def test_uuid_is_a_version_4_uuid(engine: QueryEngine) -> None:
    """metafun.adoc UUID: "a version 4 UUID", a different one each time."""
    a, b = engine.query("SELECT RAW [UUID(), UUID()]").results[0]
    pattern = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    assert re.fullmatch(pattern, a) and re.fullmatch(pattern, b) and a != b


def test_unnest_pos(engine: QueryEngine) -> None:
    """metafun.adoc UNNEST_POS / UNNEST_POSITION: the position of each element of
    the unnested array, "The first element in the array is at position 0"; in
    all other cases NULL or MISSING."""
    q = ('SELECT u, UNNEST_POS(u) AS upos, UNNEST_POSITION(u) AS upos2 '
         'FROM [{"a1": [10, 9, 4, 4]}] AS d UNNEST d.a1 AS u')
    assert engine.query(q).results == [
        {"u": 10, "upos": 0, "upos2": 0}, {"u": 9, "upos": 1, "upos2": 1},
        {"u": 4, "upos": 2, "upos2": 2}, {"u": 4, "upos": 3, "upos2": 3}]
    assert engine.query("SELECT UNNEST_POS(5) AS p, UNNEST_POS(MISSING) AS m").results == [
        {"p": None}]


def test_extractddl(fresh: QueryEngine) -> None:
    """metafun.adoc EXTRACTDDL: a LIKE filter on bucket names, flags as names or
    a sum (1 bucket, 2 scope, 4 collection, 8 index); the statements recreate
    what they describe."""
    index_ddl = fresh.query('SELECT RAW EXTRACTDDL("beer-sample", {"flags": ["index"]})').results[0]
    assert index_ddl == [
        "CREATE PRIMARY INDEX `#primary` ON `beer-sample` ;",
        'CREATE INDEX `beer_abv` ON `beer-sample`(`abv`, `name`) WHERE (`type` = "beer") ;',
        "CREATE INDEX `beer_type` ON `beer-sample`(`type`) ;"]
    assert fresh.query('SELECT RAW EXTRACTDDL("trav%", {"flags": 7})').results[0] == [
        "CREATE BUCKET `travel`;", "CREATE SCOPE `travel`.`inventory`;",
        "CREATE COLLECTION `travel`.`inventory`.`airline`;"]
    fresh.query("DROP INDEX beer_abv ON `beer-sample`")
    fresh.query(index_ddl[1].rstrip(" ;"))
    again = fresh.query('SELECT RAW EXTRACTDDL("beer%", {"flags": 8})').results[0]
    assert again == index_ddl
    assert fresh.query('SELECT RAW EXTRACTDDL("x", {"flags": "bad"})').results == [None]


def test_redact_patterns_are_go_regexps_in_linear_time(engine: QueryEngine) -> None:
    # metafun.adoc REDACT "pattern" with "regex": a regular expression (the service's
    # Go syntax) over field names; a pattern that makes a backtracking engine run for
    # hours on this name answers at once
    long_name = "a" * 5000 + "!"
    value = f'{{"{long_name}": "secret", "b": "keep"}}'
    got = engine.query(f'SELECT RAW REDACT({value}, {{"pattern": "(a+)+$", "regex": true}})'
                       ).results[0]
    assert got == {long_name: "secret", "b": "keep"}  # (the name does not end in a's)
    got = engine.query(f'SELECT RAW REDACT({value}, {{"pattern": "A+!", "regex": true, '
                       f'"ignorecase": true}})').results[0]
    assert got == {long_name: "xxxxxx", "b": "keep"}
