"""Conformance: SELECT semantics from the N1QL language reference (docs-server /
docs-devex, modules/n1ql/pages/n1ql-language-reference/): subqueries.adoc's
FROM-clause rules (Q6B's duplicate alias, Q8's ambiguous reference),
FORMALIZE's output (metafun.adoc) run again as a statement, and the EXCLUDE
clause (selectclause.adoc) as FORMALIZE and EXPLAIN show it. Small inline data.
"""

from __future__ import annotations

import pytest
from conformance_data import engine_with

from couchbase_mock.n1ql import N1QLError, QueryEngine

TS = {
    "landmark_1": {"type": "landmark", "city": "Dartmouth", "name": "Dartmouth Castle"},
    "landmark_2": {"type": "landmark", "city": "Paris", "name": "Louvre"},
    "airport_1": {"type": "airport", "city": "Paris", "geo": {"alt": 392}},
    "airport_2": {"type": "airport", "city": "Leadville", "geo": {"alt": 9927}},
}
HOTELS = {
    "hotel_1": {"name": "Medway", "reviews": [{"r": 5}], "public_likes": ["a"],
                "geo": {"lat": 1}, "description": "d", "city": "Gillingham"},
    "hotel_2": {"name": "Glasgow", "reviews": [], "public_likes": [], "geo": {"lat": 2},
                "description": "e", "city": "Glasgow"},
}


@pytest.fixture(scope="module")
def engine() -> QueryEngine:
    return engine_with({"travel-sample": TS, "hs.inventory.hotel": HOTELS})


def rows(engine: QueryEngine, statement: str, **named: object) -> list:
    return engine.query(statement, named=named or None).results


def error(engine: QueryEngine, statement: str) -> N1QLError:
    with pytest.raises(N1QLError) as info:
        engine.query(statement)
    return info.value


# -- subqueries.adoc, "FROM clause in Subqueries" ------------------------------------------------

def test_q6b_subquery_repeating_the_implicit_alias_is_4020(engine: QueryEngine) -> None:
    """subqueries.adoc Example Q6B: "Duplicate subquery alias travel-sample" (4020)."""
    err = error(engine, "SELECT array_length((SELECT RAW t1.geo.alt FROM `travel-sample`)) "
                        "FROM `travel-sample`")
    assert err.code == 4020
    assert str(err).endswith("Duplicate subquery alias travel-sample")


@pytest.mark.parametrize("statement", [
    # an explicit alias repeats the outer one
    "SELECT (SELECT RAW t.city FROM `travel-sample` t) FROM `travel-sample` t",
    # FROM t: the outer alias as an expression, with t as its implicit alias
    "SELECT (SELECT RAW t.city FROM t) FROM `travel-sample` t",
    # a LET variable of the outer block
    "SELECT (SELECT RAW x FROM `travel-sample` x) FROM `travel-sample` t LET x = 1",
    # two levels down: the outermost alias is still in scope
    "SELECT (SELECT RAW (SELECT RAW 1 FROM `travel-sample` t) FROM [1] AS y) "
    "FROM `travel-sample` t",
])
def test_subquery_alias_may_not_repeat_an_enclosing_variable(engine: QueryEngine,
                                                             statement: str) -> None:
    """subqueries.adoc, "Implicit alias": "the subquery is required to alias its
    from-term to avoid conflict with the same identifier in both outer and
    inner queries"; the variables in scope are keyspace aliases and LET/LETTING
    variables of every enclosing block (Variables in Scope of a Subquery)."""
    assert error(engine, statement).code == 4020


def test_q1_q6_q6a_q6c_distinct_aliases_run(engine: QueryEngine) -> None:
    """subqueries.adoc Examples Q1, Q6, Q6A, Q6C: with distinct aliases the
    subquery runs, correlated (Q6A, Q6C: one value) or not (Q6: the whole keyspace)."""
    assert rows(engine, 'SELECT t1.city FROM `travel-sample` t1 WHERE t1.type = "landmark" '
                        'AND t1.city IN (SELECT RAW city FROM `travel-sample` '
                        'WHERE type = "airport")') == [{"city": "Paris"}]
    assert rows(engine, "SELECT array_length((SELECT RAW t1.geo.alt FROM `travel-sample` t1)) "
                        "FROM `travel-sample` LIMIT 1") == [{"$1": 2}]
    assert rows(engine, "SELECT array_length((SELECT RAW t1.geo.alt FROM t t1)) "
                        "FROM `travel-sample` t LIMIT 1") == [{"$1": 1}]
    assert rows(engine, "SELECT array_length((SELECT RAW t1.alt FROM `travel-sample`.geo t1)) "
                        "FROM `travel-sample` WHERE type = 'airport'") == [{"$1": 1}] * 2


def test_q8_path_over_a_keyspace_name_is_ambiguous(engine: QueryEngine) -> None:
    """subqueries.adoc Example Q8: `travel-sample` is no variable when the outer
    keyspace has the alias t1, so ``FROM `travel-sample`.geo t2`` is "Ambiguous
    reference to field travel-sample." (E_AMBIGUOUS_REFERENCE); Q8A, over t1,
    runs."""
    err = error(engine, 'SELECT t1.city, t1.geo.alt FROM `travel-sample` t1 '
                        'WHERE t1.type = "airport" AND '
                        '(SELECT RAW t2.alt FROM `travel-sample`.geo t2)[0] > 4000')
    assert err.code == 3080
    assert str(err).endswith("Ambiguous reference to field travel-sample.")
    assert rows(engine, 'SELECT t1.city, t1.geo.alt FROM `travel-sample` t1 '
                        'WHERE t1.type = "airport" AND '
                        '(SELECT RAW t2.alt FROM t1.geo t2)[0] > 4000') == \
        [{"city": "Leadville", "alt": 9927}]


def test_constant_and_variable_from_expressions_still_run(engine: QueryEngine) -> None:
    """subqueries.adoc Examples 3 and 4 (nested paths over a subquery and over
    a constant), Q5C (a LET variable) and an ARRAY comprehension's own variable."""
    assert rows(engine, 'SELECT x FROM [{"a" : 1, "b" : {"c" : 2}}, {"a" : 3, "b" : {"d" : 4}}]'
                        '[*].b AS x LIMIT 2') == [{"x": {"c": 2}}, {"x": {"d": 4}}]
    assert rows(engine, "SELECT count(*) AS n FROM `travel-sample` t LET x = t.geo "
                        "WHERE (SELECT RAW y.alt FROM x y)[0] > 6000") == [{"n": 1}]
    assert rows(engine, "SELECT RAW v FROM ARRAY i * 2 FOR i IN [1, 2] END AS v") == [2, 4]


# -- FORMALIZE output runs as a statement (metafun.adoc, FORMALIZE) -----------------------------

@pytest.mark.parametrize("statement", [
    "SELECT * FROM `travel-sample` WHERE city = 'Paris'",  # metafun.adoc FORMALIZE Example 1
    "SELECT * FROM `travel-sample` WHERE type = 'airport' LIMIT 1",  # Example 2
    "SELECT city, COUNT(*) AS n FROM `travel-sample` GROUP BY city ORDER BY city",
    "SELECT META().id, t.name FROM `travel-sample` t WHERE t.type = 'landmark' ORDER BY name",
    "SELECT city, g FROM `travel-sample` GROUP BY city GROUP AS g ORDER BY city",
    "SELECT * EXCLUDE reviews, h.public_likes, \"geo,`description`\" "
    "FROM hs.inventory.hotel h ORDER BY meta().id",  # selectclause.adoc EXCLUDE example
    "SELECT h.* EXCLUDE name FROM hs.inventory.hotel h ORDER BY city",
    "SELECT RAW (SELECT RAW t2.alt FROM t.geo t2)[0] FROM `travel-sample` t "
    "WHERE t.type = 'airport' ORDER BY t.city",
])
def test_formalize_output_runs_with_the_same_result(engine: QueryEngine, statement: str) -> None:
    """metafun.adoc FORMALIZE(): the formalized statement (``select self.* ...``
    for ``*``, fields qualified, keyspaces in full) is a statement of its own
    that gives the original's result."""
    formal = rows(engine, "SELECT RAW FORMALIZE($s)", s=statement)[0]
    assert rows(engine, formal) == rows(engine, statement), formal


def test_self_star_is_star(engine: QueryEngine) -> None:
    """metafun.adoc FORMALIZE Example 1 prints ``SELECT *`` as ``select self.*``:
    each result keeps its keyspace alias, as ``*`` does (selectclause.adoc,
    Star Expression), also over a join."""
    assert rows(engine, "SELECT self.* FROM hs.inventory.hotel ORDER BY name") == \
        [{"hotel": HOTELS["hotel_2"]}, {"hotel": HOTELS["hotel_1"]}]
    joined = "FROM hs.inventory.hotel h JOIN `travel-sample` a ON a.city = 'Leadville' " \
             "AND h.city = 'Glasgow'"
    assert rows(engine, f"SELECT self.* {joined}") == rows(engine, f"SELECT * {joined}") == \
        [{"h": HOTELS["hotel_2"], "a": TS["airport_2"]}]


# -- EXCLUDE in FORMALIZE and EXPLAIN (selectclause.adoc, EXCLUDE Clause) -----------------------

def test_formalize_and_explain_show_exclude(engine: QueryEngine) -> None:
    """selectclause.adoc "SELECT with an EXCLUDE clause": FORMALIZE keeps the
    clause after the projection; EXPLAIN's InitialProject names the paths."""
    q = "SELECT * EXCLUDE reviews, h.public_likes FROM hs.inventory.hotel h"
    formal = rows(engine, "SELECT RAW FORMALIZE($s)", s=q)[0]
    assert formal.startswith("select self.* exclude `reviews`, `h`.`public_likes` from ")
    plan = rows(engine, "EXPLAIN " + q)[0]["plan"]
    found = [op for op in _operators(plan) if op.get("#operator") == "InitialProject"]
    assert found and found[0]["exclude"] == "`reviews`, `h`.`public_likes`"


def _operators(op: object) -> list:
    out = []
    stack = [op]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            out.append(x)
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return out


# -- select-syntax.adoc, from-select: the SELECT clause last ------------------------------------

@pytest.mark.parametrize("from_select, select_from", [
    ("FROM `travel-sample` t WHERE t.type = 'airport' SELECT t.city ORDER BY t.city",
     "SELECT t.city FROM `travel-sample` t WHERE t.type = 'airport' ORDER BY t.city"),
    ("FROM `travel-sample` GROUP BY type SELECT type, COUNT(*) AS n ORDER BY type LIMIT 1",
     "SELECT type, COUNT(*) AS n FROM `travel-sample` GROUP BY type ORDER BY type LIMIT 1"),
    ("FROM `travel-sample` t LET c = t.city WHERE c = 'Paris' SELECT RAW t.type "
     "UNION FROM hs.inventory.hotel h SELECT RAW h.city",
     "SELECT RAW t.type FROM `travel-sample` t LET c = t.city WHERE c = 'Paris' "
     "UNION SELECT RAW h.city FROM hs.inventory.hotel h"),
    ("SELECT (FROM `travel-sample` t WHERE t.type = 'landmark' SELECT RAW t.name "
     "ORDER BY t.name) AS names",
     "SELECT (SELECT RAW t.name FROM `travel-sample` t WHERE t.type = 'landmark' "
     "ORDER BY t.name) AS names"),
    ("WITH k AS ('Paris') FROM `travel-sample` t WHERE t.city = k SELECT RAW META(t).id "
     "ORDER BY META(t).id",
     "WITH k AS ('Paris') SELECT RAW META(t).id FROM `travel-sample` t WHERE t.city = k "
     "ORDER BY META(t).id"),
])
def test_from_select_equals_select_from(engine: QueryEngine, from_select: str,
                                        select_from: str) -> None:
    """select-syntax.adoc: ``subselect ::= select-from | from-select``, where
    ``from-select ::= with-clause? from-clause let-clause? where-clause?
    group-by-clause? window-clause? select-clause``: the same block either way,
    as a statement, a set operand or a subquery."""
    got = rows(engine, from_select)
    assert got and got == rows(engine, select_from)


def test_from_select_without_select_is_a_syntax_error(engine: QueryEngine) -> None:
    """select-syntax.adoc: the from-select form ends with its select-clause."""
    assert error(engine, "FROM `travel-sample` WHERE type = 'airport'").code == 3000
