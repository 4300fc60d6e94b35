"""SELECT-side syntax of the language reference: WITH and WITH RECURSIVE,
expression/subquery/WITH terms in FROM, comma and ANSI joins onto them,
array star, ARRAY (expr) FOR, quoted function names, GROUP BY ... AS,
duplicate result aliases, USE KEYS VALIDATE and join hints, INSERT VALUES.

Pages (docs.couchbase.com/server/current/n1ql/n1ql-language-reference/):
with.html, with-recursive.html, from.html, comma.html, join.html,
nestedops.html, identifiers.html, groupby.html, selectclause.html,
hints.html, insert.html. Data sets are small and inline so each expected
result can be checked by hand; where the reference's example needs
travel-sample, an equivalent set gives the same shape of result.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from couchbase_mock.n1ql import MemoryDatastore, QueryEngine
from couchbase_mock.n1ql.errors import N1QLError
from couchbase_mock.n1ql.values import to_json_value

HOTELS = {
    "h1": {"name": "A", "public_likes": ["x", "y"],
           "reviews": [{"ratings": {"Cleanliness": 4}}, {"ratings": {"Cleanliness": 3}}]},
    "h2": {"name": "B", "public_likes": ["a"] * 8,
           "reviews": [{"ratings": {"Cleanliness": 5}}, {"ratings": {"Cleanliness": 5}}]},
    "h3": {"name": "C", "public_likes": ["a"] * 5,
           "reviews": [{"ratings": {"Cleanliness": 5}}, {"ratings": {"Overall": 1}}]},
    "h4": {"name": "D", "public_likes": [], "reviews": []},
}
EMPLOYEES = """INSERT INTO employees
   VALUES ("e1", {"employee_id": 1, "employee_name": "Carlos"}),
   VALUES ("e2", {"employee_id": 2, "employee_name": "Maya", "manager_id": 1}),
   VALUES ("e3", {"employee_id": 3, "employee_name": "Fatima", "manager_id": 1}),
   VALUES ("e4", {"employee_id": 4, "employee_name": "Yijing", "manager_id": 2}),
   VALUES ("e5", {"employee_id": 5, "employee_name": "Rahul", "manager_id": 3}),
   VALUES ("e6", {"employee_id": 6, "employee_name": "Lisa", "manager_id": 2})
RETURNING *"""
PRODUCTS = [
    {"id": 1, "name": "Bicycle", "category": "Sports", "related_items": [2, 4]},
    {"id": 2, "name": "Helmet", "category": "Sports", "related_items": [1, 3]},
    {"id": 3, "name": "Water Bottle", "category": "Accessories", "related_items": [2, 4]},
    {"id": 4, "name": "Gloves", "category": "Sports", "related_items": [1, 3]},
]


def _canon(v: Any) -> str:
    return json.dumps(v, sort_keys=True)


@pytest.fixture(scope="module")
def engine() -> QueryEngine:
    ds = MemoryDatastore()
    for bucket in ("hotel", "employees", "products", "orders"):
        ds.create_bucket(bucket)
    for key, doc in HOTELS.items():
        ds.upsert(("hotel", "_default", "_default"), key, json.dumps(doc).encode())
    ds.upsert(("orders", "_default", "_default"), "o1", json.dumps(
        {"orderlines": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 3}]}).encode())
    engine = QueryEngine(ds)
    for bucket in ("hotel", "employees", "products", "orders"):
        engine.query(f"CREATE PRIMARY INDEX ON {bucket}")
    inserted = engine.query(EMPLOYEES)  # insert.adoc: several VALUES, RETURNING *
    assert inserted.metrics["mutationCount"] == 6 and len(inserted.results) == 6
    for i, p in enumerate(PRODUCTS, 1):  # the reference keys them by UUID(): see below
        engine.query(f"INSERT INTO products VALUES ('p{i}', {json.dumps(p)})")
    return engine


# -- WITH (with.html) ---------------------------------------------------------

def test_with_expression_for_use_in_a_query(engine: QueryEngine) -> None:
    """with.html example 1: a CTE holding an aggregate, read as avgLikeCount[0]."""
    q = """WITH avgLikeCount AS (
             SELECT VALUE AVG(DISTINCT ARRAY_COUNT(cte.public_likes)) FROM hotel AS cte)
           SELECT hotel.name, ARRAY_COUNT(hotel.public_likes) AS likeCount
           FROM hotel WHERE ARRAY_COUNT(hotel.public_likes) > avgLikeCount[0] LIMIT 5"""
    assert engine.query(q).results == [{"likeCount": 8, "name": "B"},
                                       {"likeCount": 5, "name": "C"}]


def test_with_record_subset_as_a_data_source(engine: QueryEngine) -> None:
    """with.html example 2: FROM a CTE, and reviews[*].ratings[*].Cleanliness."""
    q = """WITH hotels AS (SELECT name, reviews[*].ratings[*].Cleanliness FROM hotel)
           SELECT hotels.name FROM hotels WHERE ARRAY_AVG(hotels.Cleanliness) > 4.5 LIMIT 5"""
    assert engine.query(q).results == [{"name": "B"}, {"name": "C"}]


def test_with_terms_chain_and_reach_subqueries(engine: QueryEngine) -> None:
    """with.html: 'A CTE that you create in one WITH clause may be referenced in a
    later WITH clause'; a CTE is visible inside the query's subqueries."""
    q = """WITH a AS (2), b AS (a * 10)
           SELECT a, b, (SELECT RAW b + 1)[0] AS c, (SELECT RAW x FROM [a, b] AS x) AS d"""
    assert engine.query(q).results == [{"a": 2, "b": 20, "c": 21, "d": [2, 20]}]


def test_with_inside_a_subquery(engine: QueryEngine) -> None:
    q = "SELECT RAW (WITH t AS ([1, 2, 3]) SELECT RAW SUM(v) FROM t AS v)[0]"
    assert engine.query(q).results == [6]


def test_with_name_shadows_no_keyspace_outside_its_query(engine: QueryEngine) -> None:
    """A CTE named like a keyspace hides it only in its own statement."""
    assert engine.query("WITH hotel AS ([{'name': 'Z'}]) SELECT RAW h.name FROM hotel AS h"
                        ).results == ["Z"]
    assert len(engine.query("SELECT RAW name FROM hotel").results) == 4


def test_recursive_options_and_cycle_need_recursive(engine: QueryEngine) -> None:
    """with-recursive.html, Limitations: 'A syntax error is returned when optional
    subclauses are used without the RECURSIVE keyword.'"""
    with pytest.raises(N1QLError) as err:
        engine.query("WITH c AS (SELECT 1 r) OPTIONS {'levels': 1} SELECT * FROM c")
    assert err.value.code == 3000


# -- WITH RECURSIVE (with-recursive.html) -------------------------------------

def test_recursive_simple(engine: QueryEngine) -> None:
    """Example: simple recursive referencing."""
    q = """WITH RECURSIVE cte AS (SELECT 1 AS r UNION SELECT cte.r+1 AS r FROM cte
                                  WHERE cte.r<4)
           SELECT cte.r FROM cte"""
    assert engine.query(q).results == [{"r": 1}, {"r": 2}, {"r": 3}, {"r": 4}]


def test_recursive_with_non_recursive_cte(engine: QueryEngine) -> None:
    """Example: combine recursive and non-recursive CTEs."""
    q = """WITH RECURSIVE cte AS (SELECT 1 r),
             rcte AS (SELECT cte.r FROM cte UNION SELECT rcte.r+2 r FROM rcte WHERE rcte.r<7)
           SELECT * FROM rcte"""
    assert engine.query(q).results == [{"rcte": {"r": r}} for r in (1, 3, 5, 7)]


def test_recursive_hierarchy_levels(engine: QueryEngine) -> None:
    """Example: the level of each employee (a JOIN onto the recursive CTE). The
    reference lists level 2 in its hash join's order; compared as a set here."""
    q = """WITH RECURSIVE emplLevel AS (
             SELECT e.employee_id, e.employee_name, 0 lvl FROM employees e
             WHERE manager_id IS MISSING
               UNION
             SELECT e1.employee_id, e1.employee_name, e1.manager_id, emplLevel.lvl+1 lvl
             FROM employees e1 JOIN emplLevel ON e1.manager_id = emplLevel.employee_id)
           SELECT * FROM emplLevel"""
    rows = [r["emplLevel"] for r in engine.query(q).results]
    assert [r["employee_name"] for r in rows[:3]] == ["Carlos", "Maya", "Fatima"]
    assert {(r["employee_name"], r["lvl"], r.get("manager_id")) for r in rows} == {
        ("Carlos", 0, None), ("Maya", 1, 1), ("Fatima", 1, 1), ("Yijing", 2, 2),
        ("Lisa", 2, 2), ("Rahul", 2, 3)}


def test_recursive_in_a_correlated_subquery(engine: QueryEngine) -> None:
    """Example: the reporting hierarchy, WITH RECURSIVE in a correlated subquery
    with a comma join onto the CTE."""
    q = """SELECT e.employee_id, e.employee_name, e.manager_id, (
             WITH RECURSIVE cte AS (
               SELECT e1.employee_id, e1.employee_name, e1.manager_id
               FROM employees e1 WHERE e1.manager_id = e.employee_id
                 UNION
               SELECT e2.employee_id, e2.employee_name, e2.manager_id
               FROM employees e2, cte WHERE e2.manager_id = cte.employee_id)
             SELECT cte.* FROM cte) AS reports
           FROM employees e"""
    got = {r["employee_name"]: sorted(x["employee_name"] for x in r["reports"])
           for r in engine.query(q).results}
    assert got == {"Carlos": ["Fatima", "Lisa", "Maya", "Rahul", "Yijing"],
                   "Maya": ["Lisa", "Yijing"], "Fatima": ["Rahul"], "Yijing": [],
                   "Lisa": [], "Rahul": []}


SIMILAR = """WITH RECURSIVE similar_items AS (
  SELECT p.*, 0 as lvl FROM products p WHERE p.id=1
    UNION
  SELECT p1.*, similar_items.lvl+1 as lvl FROM products p1,
    similar_items WHERE p1.id IN similar_items.related_items
) {clause}
SELECT RAW [similar_items.name, similar_items.lvl] FROM similar_items"""


def test_recursive_options_levels(engine: QueryEngine) -> None:
    """Example: OPTIONS {"levels": 2} stops an endless recursion after level 2."""
    q = SIMILAR.format(clause='OPTIONS {"levels":2}')
    assert engine.query(q).results == [["Bicycle", 0], ["Helmet", 1], ["Gloves", 1],
                                       ["Bicycle", 2], ["Water Bottle", 2]]


def test_recursive_cycle_restrict(engine: QueryEngine) -> None:
    """Example: CYCLE id RESTRICT drops rows whose id was produced before."""
    q = SIMILAR.format(clause="CYCLE id RESTRICT")
    assert engine.query(q).results == [["Bicycle", 0], ["Helmet", 1], ["Gloves", 1],
                                       ["Water Bottle", 2]]


def test_recursive_options_documents(engine: QueryEngine) -> None:
    """OPTIONS documents: 'Recursion should exit after accumulating this many documents.'"""
    q = SIMILAR.format(clause='OPTIONS {"documents": 2}')
    assert engine.query(q).results == [["Bicycle", 0], ["Helmet", 1]]


def test_endless_recursion_stops_with_an_error(engine: QueryEngine) -> None:
    """Limitations: the implicit level limit (1000) stops a recursion without options."""
    with pytest.raises(N1QLError) as err:
        engine.query(SIMILAR.format(clause=""))
    assert "implicit limit" in str(err.value)


def test_cycle_field_must_be_a_path(engine: QueryEngine) -> None:
    """CYCLE Clause: 'only identifier/path expressions are allowed' (3307)."""
    with pytest.raises(N1QLError) as err:
        engine.query(SIMILAR.format(clause="CYCLE (1 + 1) RESTRICT"))
    assert err.value.code == 3307


# -- FROM terms (from.html, comma.html, join.html, subqueries.html) ------------

@pytest.mark.parametrize("statement,expected", [
    # from.html, generic expression terms
    ("SELECT x FROM {'p': [1, 2]}.p AS x", [{"x": 1}, {"x": 2}]),
    ("SELECT RAW n FROM [1, 2, 3] AS n WHERE n > 1", [2, 3]),
    ("SELECT RAW v FROM 5 AS v", [5]),
    ("SELECT RAW v FROM NULL AS v", []),
    # subquery terms
    ("SELECT s.name FROM (SELECT name FROM hotel WHERE ARRAY_COUNT(public_likes) > 4) AS s "
     "ORDER BY s.name", [{"name": "B"}, {"name": "C"}]),
    ("SELECT RAW s FROM (WITH t AS (3) SELECT RAW t) s", [3]),
    # correlated subquery over the outer document's array (correlated-subqueries.html)
    ("SELECT RAW (SELECT RAW l.sku FROM o.orderlines AS l WHERE l.qty > 1) FROM orders o",
     [["b"]]),
    ("SELECT RAW (SELECT RAW SUM(orderlines.qty) FROM o.orderlines)[0] FROM orders o", [4]),
    # comma-separated terms (comma.html): each right row for each left row
    ("SELECT a, b FROM [1, 2] AS a, [10, 20] AS b",
     [{"a": 1, "b": 10}, {"a": 1, "b": 20}, {"a": 2, "b": 10}, {"a": 2, "b": 20}]),
    ("SELECT RAW [h.name, l] FROM hotel h, h.public_likes AS l WHERE h.name = 'A'",
     [["A", "x"], ["A", "y"]]),
    # ANSI JOIN / NEST onto an expression or subquery (join.html)
    ("SELECT a, b FROM [1, 2] AS a JOIN [1, 2, 3] AS b ON b > a",
     [{"a": 1, "b": 2}, {"a": 1, "b": 3}, {"a": 2, "b": 3}]),
    ("SELECT a, b FROM [1, 3] AS a LEFT JOIN [1, 2, 3] AS b ON b > a", [{"a": 1, "b": 2},
                                                                      {"a": 1, "b": 3},
                                                                      {"a": 3}]),
    ("SELECT a, b FROM [1, 3] AS a LEFT NEST [1, 2, 3] AS b ON b > a",
     [{"a": 1, "b": [2, 3]}, {"a": 3}]),
    ("SELECT h.name, s.n FROM hotel h JOIN (SELECT RAW 'B') AS s ON s = h.name "
     "LET x = 1", [{"name": "B"}]),
])
def test_from_terms(engine: QueryEngine, statement: str, expected: list) -> None:
    assert engine.query(statement).results == expected


def test_join_hints_and_use_keys_validate_are_accepted(engine: QueryEngine) -> None:
    """hints.html / join.html: USE HASH(BUILD|PROBE), USE NL and USE KEYS VALIDATE
    are accepted (the local cluster always joins by nested loop)."""
    q = ("SELECT RAW e2.employee_name FROM employees e1 USE KEYS VALIDATE ['e2', 'nope'] "
         "JOIN employees e2 USE HASH(BUILD) ON e2.manager_id = e1.employee_id "
         "ORDER BY e2.employee_name")
    assert engine.query(q).results == ["Lisa", "Yijing"]
    q2 = ("SELECT RAW e2.employee_name FROM employees e1 USE KEYS 'e3' "
          "JOIN employees e2 ON KEYS VALIDATE ['e5']")  # (no join hint on a lookup join: 3110)
    assert engine.query(q2).results == ["Rahul"]


# -- expressions (nestedops.html, identifiers.html, collectionops.html) -------

@pytest.mark.parametrize("statement,expected", [
    # nestedops.html: array star collates an array of objects into an object of arrays
    ('SELECT RAW [{"a": 1, "b": 2}, {"a": 3}][*]', [{"a": [1, 3], "b": [2, None]}]),
    ('SELECT RAW [{"a": {"c": 1}}, {"a": {"c": 2}}][*].a[*].c', [[1, 2]]),
    ("SELECT RAW 'x'[*]", [None]),
    # collectionops.html: ARRAY with a parenthesised body
    ("SELECT RAW ARRAY (v * 2) FOR v IN [1, 2] END", [[2, 4]]),
    ("SELECT RAW FIRST (v) FOR v IN [5, 6] WHEN v > 5 END", [6]),
    # identifiers.html: an escaped identifier as a function name
    ("SELECT RAW `UPPER`('abc')", ["ABC"]),
    ("SELECT RAW `lower`('ABC')", ["abc"]),
])
def test_expressions(engine: QueryEngine, statement: str, expected: list) -> None:
    assert to_json_value(engine.query(statement).results) == expected  # as the service sends


# -- GROUP BY ... AS, result aliases (groupby.html, selectclause.html) ---------

def test_group_by_alias(engine: QueryEngine) -> None:
    """groupby.html: GROUP BY expr AS alias; the alias names the group key in
    LETTING, HAVING, the projection and ORDER BY."""
    q = """SELECT mgr, COUNT(*) AS n FROM employees e
           GROUP BY e.manager_id AS mgr LETTING twice = mgr * 2
           HAVING mgr IS NOT MISSING AND twice > 0 ORDER BY mgr"""
    assert engine.query(q).results == [{"mgr": 1, "n": 2}, {"mgr": 2, "n": 2},
                                       {"mgr": 3, "n": 1}]


@pytest.mark.parametrize("statement", [
    "SELECT 1 AS a, 2 AS a",
    "SELECT e.employee_id, e.employee_id FROM employees e",
    "SELECT e.name, 1 AS name FROM employees e",
])
def test_duplicate_result_alias_is_an_error(engine: QueryEngine, statement: str) -> None:
    """selectclause.html: two result expressions with one name are an error."""
    with pytest.raises(N1QLError) as err:
        engine.query(statement)
    assert err.value.code == 3000 and "Duplicate result alias" in str(err.value)


def test_star_with_more_terms(engine: QueryEngine) -> None:
    """selectclause.html: SELECT *, expr."""
    q = "SELECT *, META(e).id FROM employees e USE KEYS 'e1'"
    assert engine.query(q).results == [{"e": {"employee_id": 1, "employee_name": "Carlos"},
                                        "id": "e1"}]


# -- INSERT (insert.html) -----------------------------------------------------

def test_insert_values_forms() -> None:
    """insert.html: VALUES without the (KEY, VALUE) list, the key any expression
    (UUID()), several VALUES, OPTIONS expiration, INSERT ... SELECT, RETURNING."""
    ds = MemoryDatastore()
    ds.create_bucket("t")
    e = QueryEngine(ds)
    e.query("CREATE PRIMARY INDEX ON t")
    res = e.query("INSERT INTO t VALUES (UUID(), {'a': 1}), VALUES ('k' || '2', {'a': 2}) "
                  "RETURNING META(t).id, a")
    assert res.metrics["mutationCount"] == 2
    assert len(res.results[0]["id"]) == 36 and res.results[1] == {"id": "k2", "a": 2}
    e.query("INSERT INTO t (KEY, VALUE, OPTIONS) VALUES ('k3', {'a': 3}, {'expiration': 3600})")
    assert e.query("SELECT RAW META(t).expiration > 0 FROM t USE KEYS 'k3'").results == [True]
    res = e.query("INSERT INTO t (KEY 'c' || TO_STRING(a), VALUE {'copy': a}) "
                  "SELECT a FROM t WHERE a >= 2 RETURNING RAW META(t).id")
    assert sorted(res.results) == ["c2", "c3"]
    with pytest.raises(N1QLError) as err:
        e.query("INSERT INTO t VALUES (1, {'a': 1})")
    assert err.value.code == 5070
