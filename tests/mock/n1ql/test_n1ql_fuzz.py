"""Robustness: whatever a client sends, the engine answers like a query service.

Garbled statements and calls of every registered function with argument values
of every JSON type (and MISSING, NaN, infinities, huge numbers and strings)
must give results that encode as JSON, or a :class:`N1QLError` with a
server-like message: never error 5000 carrying a Python exception's text
(``TypeError: ...``, ``... object has no attribute ...``), which is what the
engine reports when a Python exception escapes (issue 13, "Robustness").

Deterministic (fixed seeds), a few seconds in all.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any, Optional

import pytest
from n1ql_sample import make_engine

from couchbase_mock.n1ql import QueryEngine
from couchbase_mock.n1ql.errors import N1QLError
from couchbase_mock.n1ql.functions import AGGREGATES, ARITY, FUNCTIONS
from couchbase_mock.n1ql.values import MISSING, Binary

# Python's words, never a query service's.
PYTHONIC = re.compile(
    r"^[A-Z][A-Za-z]*(Error|Exception)\b|object has no attribute|not subscriptable|"
    r"unsupported operand|NoneType|object is not|argument must be|Traceback|"
    r"invalid literal for|takes \d+ positional|got an unexpected keyword")

# Literal texts of every type, the awkward ones included.
VALUES = [
    "NULL", "MISSING", "TRUE", "FALSE",
    "0", "1", "-1", "2", "7", "0.5", "-2.5", "1e308", "-1e308", "1e-320",
    "9007199254740993", "123456789012345678901234567890", "-99999999999999999999",
    "NAN()", "POSINF()", "NEGINF()",
    '""', '"a"', '"abc"', '"2019-04-30"', '"2019-04-30T10:20:30.123Z"', '"10:20:30"',
    '"%Y-%m-%d"', '"1111-11-11"', '"YYYY-MM-DD"', '"millisecond"', '"year"', '"week"',
    '"UTC"', '"America/New_York"', '"Not/AZone"', '"[a-"', '"(x"', '"\\\\"', '"ñé😀"',
    '"sha256"', '"base64"', '"NaN"', '"-1"', '" 12 "', '"a,b,,c"', '"{\\"a\\": 1}"',
    "REPEAT('x', 100000)",
    "[]", "[1, 2, 3]", '[1, "a", null, [2], {"b": 3}]', "[[1, 2], [3]]", "ARRAY_RANGE(0, 50)",
    "{}", '{"a": 1, "b": [1, 2]}', '{"x": {"y": {"z": null}}}', '{"": 0}',
]

# Functions whose point is to run for a while or reach out; their arity is still checked.
SKIP = {"curl", "sleep"}


def encodable(value: Any) -> bool:
    def default(v: Any) -> Any:
        if v is MISSING:
            return None
        if isinstance(v, Binary):
            return "<binary>"
        raise TypeError(type(v).__name__)

    try:
        json.dumps(value, default=default)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def problem(engine: QueryEngine, statement: str) -> Optional[str]:
    """What is wrong with the engine's answer to ``statement``, if anything."""
    try:
        res = engine.query(statement)
    except N1QLError as err:
        if not isinstance(err.code, int) or not isinstance(err.msg, str):
            return f"malformed error {err.code!r} {err.msg!r}"
        if err.code == 5000 or PYTHONIC.search(err.msg):
            return f"{err.code} {err.msg[:200]}"
        return None
    except Exception as exc:  # the engine must never let one through
        return f"escaped {type(exc).__name__}: {exc}"
    if not encodable(res.results):
        return f"results not JSON: {res.results!r:.200}"
    return None


@pytest.fixture(scope="module")
def engine() -> QueryEngine:
    return make_engine()


def call_texts(name: str, rng: random.Random, per_function: int) -> list[str]:
    fewest, most = ARITY.get(name, (0, 3))
    top = fewest + 2 if most is None else min(most, fewest + 2)
    calls = []
    for i in range(per_function):
        n = fewest + (i % (top - fewest + 1))
        args = ", ".join(rng.choice(VALUES) for _ in range(n))
        calls.append(f"{name}({args})")
    return calls


def test_every_function_with_values_of_every_type(engine: QueryEngine) -> None:
    rng = random.Random(13)
    failures: dict[str, str] = {}
    for name in sorted(FUNCTIONS):
        if name.lower() in SKIP:
            continue
        for call in call_texts(name, rng, 14):
            found = problem(engine, f"SELECT RAW {call}")
            if found is not None and name not in failures:
                failures[name] = f"{call[:160]} -> {found}"
    assert not failures, "\n".join(f"{k}: {v}" for k, v in sorted(failures.items()))


def test_aggregates_over_rows_of_every_type(engine: QueryEngine) -> None:
    rows = "[" + ", ".join(v for v in VALUES if v != "MISSING") + "]"
    failures = []
    for name in sorted(AGGREGATES):
        for distinct in ("", "DISTINCT "):
            stmt = f"SELECT RAW {name}({distinct}x) FROM {rows} AS x"
            found = problem(engine, stmt)
            if found is not None:
                failures.append(f"{name}: {found}")
                break
    assert not failures, "\n".join(failures)


def test_wrong_argument_counts_are_3000(engine: QueryEngine) -> None:
    for name in sorted(FUNCTIONS):
        fewest, most = ARITY.get(name, (0, None))
        counts = [fewest - 1] if fewest > 0 else []
        if most is not None:
            counts.append(most + 1)
        for n in counts:
            args = ", ".join(["1"] * n)
            with pytest.raises(N1QLError) as exc:
                engine.query(f"SELECT {name}({args})")
            assert exc.value.code in (3000, 3010), (name, n, exc.value.msg)


SEEDS = [
    "SELECT name, abv FROM `beer-sample` WHERE type = 'beer' AND abv > 5 ORDER BY abv DESC "
    "LIMIT 3",
    "SELECT b.name, COUNT(*) AS n FROM `beer-sample` b WHERE b.type = 'beer' GROUP BY "
    "b.brewery_id, b.name HAVING COUNT(*) > 0",
    "SELECT ARRAY v * 2 FOR v IN [1, 2, 3] WHEN v > 1 END AS a, ANY x IN [1] SATISFIES x = 1"
    " END AS b",
    "SELECT * FROM `beer-sample` USE KEYS ['anchor_brewing'] UNNEST address AS line",
    "UPDATE `empty` SET a = 1 WHERE b IS MISSING RETURNING META().id",
    "INSERT INTO `empty` (KEY, VALUE) VALUES ('k', {'a': [1, {'b': 2}]})",
    "DELETE FROM `empty` WHERE x = $1 LIMIT 2",
    "SELECT CASE WHEN 1 < 2 THEN 'a' ELSE 'b' END, 1 || 2, -(3), NOT TRUE, 2 BETWEEN 1 AND 3",
    "SELECT * FROM system:keyspaces WHERE name LIKE 'b%' ORDER BY name",
    "EXPLAIN SELECT DISTINCT name FROM `beer-sample` WHERE type IN ['beer', 'brewery']",
    "PREPARE fuzz1 AS SELECT $x + 1",
    "CREATE INDEX fuzzix ON `empty`(a, b) WHERE c = 1",
    "SELECT t.* FROM travel.inventory.airline t WHERE t.iata IS NOT NULL OFFSET 1",
    "SELECT (SELECT RAW 1 FROM system:dual)[0], {'a': 1}.a, [1, 2][-1], `beer-sample`",
]
JUNK = list("()[]{},.;:'\"`$*+-/%<>=!|?@#\\") + ["SELECT", "FROM", "WHERE", "AND", "NOT",
                                                 "NULL", "MISSING", "ARRAY", "END", "FOR",
                                                 "IN", "ANY", "SATISFIES", "LIMIT", "-1",
                                                 "1e999", "\x00", "é", "😀", "\n", "/*", "--"]


def garble(text: str, rng: random.Random) -> str:
    tokens = re.findall(r"\w+|\s+|.", text)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(5)
        i = rng.randrange(len(tokens)) if tokens else 0
        if op == 0 and tokens:
            del tokens[i]
        elif op == 1:
            tokens.insert(i, rng.choice(JUNK))
        elif op == 2 and len(tokens) > 1:
            j = rng.randrange(len(tokens))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif op == 3:
            tokens = tokens[:i]
        else:
            tokens.insert(i, rng.choice(tokens) if tokens else "x")
    return "".join(tokens)


def test_garbled_statements(engine: QueryEngine) -> None:
    rng = random.Random(1313)
    failures = []
    for n in range(1500):
        stmt = garble(rng.choice(SEEDS), rng)
        found = problem(make_engine() if n % 500 == 0 else engine, stmt)
        if found is not None:
            failures.append(f"{stmt!r} -> {found}")
    assert not failures, "\n".join(failures[:30])


@pytest.mark.parametrize("statement", [
    "", " ", ";", "\x00", "SELECT", "SELECT 1 +", "SELECT " + "(" * 5000 + "1" + ")" * 5000,
    "SELECT " + "[" * 3000 + "]" * 3000, "SELECT '" + "x" * 100000, "SELECT `", "SELECT $",
    "SELECT 1" + ", 1" * 5000, "SELECT " + " + ".join(["1"] * 3000), "SELECT 1 FROM",
    "SELECT * FROM system:", "EXECUTE", "PREPARE", "DELETE FROM system:completed_requests "
    "WHERE requestId = [", "SELECT 0x1F", "SELECT 1.e", "SELECT \"\\u12\"",
])
def test_odd_statements(engine: QueryEngine, statement: str) -> None:
    found = problem(engine, statement)
    # deep nesting may stop with 5000 "Statement too deeply nested": a server-like text
    assert found is None or found.endswith("Statement too deeply nested"), found


# What the fuzzing found (each once a Python exception reported as 5000).
FOUND = [
    "SELECT ACOS()", "SELECT ATAN2(1)", "SELECT ARRAY_PREPEND()", "SELECT BITSET(2, 7, 1, 1)",
    "SELECT REGEXP_LIKE('a', 'a', 'a')", "SELECT FLOOR(POSINF())", "SELECT CEIL(NAN())",
    "SELECT EXP(1e30)", "SELECT IDIV(-1e308, 1e-320)", "SELECT IMOD(POSINF(), 2)",
    "SELECT LPAD('a', 9007199254740993)", "SELECT RPAD('a', 1e300)",
    "SELECT MB_LPAD('a', POSINF(), '-')", "SELECT MB_SUBSTR0('x', NAN())",
    "SELECT SUBSTR0('x', POSINF(), 1)", "SELECT SUBSTR1('xyz', 1, POSINF())",
    "SELECT REGEX_REPLACE('a', 'a', 'b', 123456789012345678901234567890)",
    "SELECT REPLACE('a', 'a', 'b', 1e308)", "SELECT REPEAT('', 1e30)",
    "SELECT REPEAT('ab', 1e12)", "SELECT REPEAT('ab', POSINF())", "SELECT ARRAY_REPEAT(1, 1e16)",
    "SELECT ROUND(1, 1e308)", "SELECT TRUNC(2, -1e308)", "SELECT [1, 2][1e999]",
    "PREPARE fuzz_missing AS SELECT + MISSING",
]


@pytest.mark.parametrize("statement", FOUND)
def test_what_the_fuzzing_found(engine: QueryEngine, statement: str) -> None:
    assert problem(engine, statement) is None


@pytest.mark.parametrize("statement, code", [
    ("SELECT REPEAT('ab', 1e12)", 5035), ("SELECT LPAD('a', 1e12)", 5035),
    ("SELECT ARRAY_REPEAT(1, 1e16)", 5035), ("SELECT ACOS()", 3000),
])
def test_limits_and_counts_are_the_documented_errors(engine: QueryEngine, statement: str,
                                                      code: int) -> None:
    """n1ql-error-codes 5035 "Out of range evaluating «term»" (REPEAT, ARRAY_REPEAT...);
    a wrong argument count is a 3000 syntax error."""
    with pytest.raises(N1QLError) as exc:
        engine.query(statement)
    assert exc.value.code == code


# -- the same over HTTP: request parameters of every type -------------------------------


def test_garbled_requests_over_http() -> None:
    """The query service answers odd parameter values with 1xxx errors, odd
    statements with the engine's errors: never a Python exception's text."""
    from mock_http import basic_auth
    from test_query_service import q, request

    from couchbase_mock import MockCluster

    rng = random.Random(77)
    values: list[Any] = [None, True, 0, -1, 1.5, 1e308, "", "x", "10s", "-5ms", "not_bounded",
                         [], [1, "a"], {}, {"a": [1]}, "\x00", "😀" * 10]
    params = ["statement", "args", "$x", "timeout", "scan_consistency", "client_context_id",
              "metrics", "readonly", "profile", "query_context", "prepared", "encoded_plan",
              "pretty", "signature", "max_parallelism", "auto_execute"]
    failures = []
    seen: set = set()
    with MockCluster(nodes=1, buckets={"default": {}}) as mock:
        hdrs = {**basic_auth("Administrator", "password"), "Content-Type": "application/json"}
        for n in range(250):
            body: dict[str, Any] = {"statement": garble(rng.choice(SEEDS), rng)}
            for name in rng.sample(params, rng.randint(0, 4)):
                body[name] = rng.choice(values)
            ans = q(mock, **body) if n % 5 else request(
                mock, body=json.dumps(body).encode()[: rng.randint(0, 200)], headers=hdrs)
            seen.add((ans.status, (ans.doc or {}).get("status")))
            for err in (ans.doc or {}).get("errors", []):
                if err.get("code") == 5000 and "too deeply nested" not in err.get("msg", "") \
                        or PYTHONIC.search(str(err.get("msg", ""))):
                    failures.append(f"{body!r:.200} -> {err}")
    assert not failures, "\n".join(failures[:20])
    assert {(200, "success"), (400, "fatal")} <= seen  # both kinds of answer were seen
