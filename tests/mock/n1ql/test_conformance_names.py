"""Conformance: how unqualified names resolve (N1QL language reference,
couchbaselabs/docs-devex modules/n1ql/pages/n1ql-language-reference/).

from.adoc, "AS Clause" and identifiers.adoc: with one FROM term an unqualified
name is a field of that term's document (``SELECT DISTINCT name FROM
landmark``), and a name that is an alias refers to the alias. Once a JOIN,
NEST, UNNEST or comma term brings a second keyspace into scope, a name must be
qualified with its alias unless it is a variable (a keyspace alias, a
LET/WITH/range variable, or a result alias in ORDER BY); the query service
refuses the statement with 3080 "Ambiguous reference to field NAME." before
reading any document. n1ql-error-codes.adoc 4310: "META() in query with
multiple FROM terms requires an argument."
"""

from __future__ import annotations

import pytest
from conformance_data import engine_with

from couchbase_mock.n1ql import N1QLError, QueryEngine

HOTEL = {
    "hotel_1": {"name": "Medway Youth Hostel", "city": "Gillingham", "lid": "landmark_1",
                "tags": ["cheap", "quiet"]},
    "hotel_2": {"name": "Le Petit", "city": "Paris", "lid": "landmark_2", "tags": []},
}
LANDMARK = {
    "landmark_1": {"name": "Royal Engineers Museum", "city": "Gillingham", "activity": "see"},
    "landmark_2": {"name": "Louvre", "city": "Paris", "activity": "see"},
    "landmark_3": {"name": "Hollywood Bowl", "city": "Gillingham", "activity": "eat"},
}


@pytest.fixture(scope="module")
def engine() -> QueryEngine:
    return engine_with({"hotel": HOTEL, "landmark": LANDMARK})


def rows(engine: QueryEngine, statement: str) -> list:
    return engine.query(statement).results


def error(engine: QueryEngine, statement: str) -> N1QLError:
    with pytest.raises(N1QLError) as info:
        engine.query(statement)
    return info.value


# -- one keyspace: an unqualified name is a field of it ---------------------------------------

def test_single_keyspace_unqualified_name_is_its_field(engine: QueryEngine) -> None:
    """from.adoc "Use a single keyspace": SELECT DISTINCT name FROM landmark."""
    got = rows(engine, "SELECT DISTINCT name FROM landmark ORDER BY name")
    assert got == [{"name": "Hollywood Bowl"}, {"name": "Louvre"},
                   {"name": "Royal Engineers Museum"}]


def test_subquery_term_unqualified_names(engine: QueryEngine) -> None:
    """from.adoc "A SELECT clause inside a FROM clause": the outer block has one
    term (the subquery ``l``), so ``name`` and ``city`` are its fields."""
    got = rows(engine, 'SELECT name, city FROM (SELECT id, name, address, city FROM landmark '
                       'WHERE activity = "eat") AS l WHERE city = "Gillingham"')
    assert got == [{"city": "Gillingham", "name": "Hollywood Bowl"}]


def test_alias_wins_over_a_field_of_the_same_name(engine: QueryEngine) -> None:
    """from.adoc "AS Clause": when an alias conflicts with a field name in the
    same scope, the identifier refers to the alias."""
    got = rows(engine, "SELECT name FROM landmark AS name WHERE META(name).id = 'landmark_2'")
    assert got == [{"name": LANDMARK["landmark_2"]}]


# -- several keyspaces: unqualified field names are refused -----------------------------------

@pytest.mark.parametrize("statement", [
    # ANSI JOIN: in the projection, in WHERE, in the ON clause
    "SELECT name FROM hotel h JOIN landmark l ON h.city = l.city",
    "SELECT h.name FROM hotel h JOIN landmark l ON h.city = l.city WHERE activity = 'see'",
    "SELECT h.name FROM hotel h JOIN landmark l ON h.city = city",
    "SELECT h.name FROM hotel h JOIN landmark l ON META(l).id = lid",
    # lookup JOIN and NEST, comma join, UNNEST
    "SELECT h.name FROM hotel h JOIN landmark l ON KEYS h.lid WHERE city = 'Paris'",
    "SELECT h.name FROM hotel h NEST landmark l ON KEYS h.lid ORDER BY city",
    "SELECT h.name FROM hotel h, landmark l WHERE h.city = city",
    "SELECT name, t FROM hotel h UNNEST h.tags AS t",
    # GROUP BY / HAVING / LETTING / ORDER BY over a joined block
    "SELECT h.city FROM hotel h JOIN landmark l ON KEYS h.lid GROUP BY city",
    "SELECT h.city FROM hotel h JOIN landmark l ON KEYS h.lid GROUP BY h.city "
    "HAVING city = 'Paris'",
    "SELECT h.name FROM hotel h JOIN landmark l ON KEYS h.lid ORDER BY activity",
    # a FROM-less subquery sees the enclosing block's keyspaces, all of them
    "SELECT (SELECT RAW name) AS n FROM hotel h JOIN landmark l ON KEYS h.lid",
])
def test_unqualified_field_with_several_keyspaces_is_3080(engine: QueryEngine,
                                                          statement: str) -> None:
    """join.adoc / from.adoc: each FROM term after the first brings a second
    alias into scope; a bare field name is then ambiguous (3080)."""
    err = error(engine, statement)
    assert err.code == 3080
    assert "Ambiguous reference to field " in str(err)


def test_3080_names_the_field(engine: QueryEngine) -> None:
    err = error(engine, "SELECT name FROM hotel h JOIN landmark l ON h.city = l.city")
    assert str(err).endswith("Ambiguous reference to field name.")


def test_meta_without_argument_with_several_terms_is_4310(engine: QueryEngine) -> None:
    """n1ql-error-codes.adoc 4310: META() in query with multiple FROM terms
    requires an argument."""
    err = error(engine, "SELECT META().id FROM hotel h JOIN landmark l ON KEYS h.lid")
    assert err.code == 4310
    assert "META() in query with multiple FROM terms requires an argument" in str(err)
    got = rows(engine, "SELECT META(h).id AS hid, META(l).id AS lid FROM hotel h "
                       "JOIN landmark l ON KEYS h.lid ORDER BY hid")
    assert got == [{"hid": "hotel_1", "lid": "landmark_1"},
                   {"hid": "hotel_2", "lid": "landmark_2"}]


# -- what stays allowed with several keyspaces ------------------------------------------------

def test_qualified_names_and_variables_resolve(engine: QueryEngine) -> None:
    """from.adoc "AS Clause" example: FROM hotel h INNER JOIN landmark l ON
    (h.city = l.city), with qualified fields, a LET variable, a range variable,
    a result alias in ORDER BY."""
    got = rows(engine, "SELECT h.name AS hotel, l.name AS sight, n FROM hotel h "
                       "INNER JOIN landmark l ON (h.city = l.city) LET n = LENGTH(l.name) "
                       "WHERE ANY v IN [l.activity] SATISFIES v = 'see' END AND n > 0 "
                       "ORDER BY hotel")
    assert got == [
        {"hotel": "Le Petit", "sight": "Louvre", "n": 6},
        {"hotel": "Medway Youth Hostel", "sight": "Royal Engineers Museum", "n": 22},
    ]


def test_lookup_join_on_keys_reads_the_left_side(engine: QueryEngine) -> None:
    """join.adoc, lookup JOIN: ON KEYS is evaluated over the left-hand side only,
    where one keyspace is in scope, so ``lid`` is h's field."""
    got = rows(engine, "SELECT h.name AS hotel, l.name AS sight FROM hotel h "
                       "JOIN landmark l ON KEYS lid ORDER BY hotel")
    assert got == [{"hotel": "Le Petit", "sight": "Louvre"},
                   {"hotel": "Medway Youth Hostel", "sight": "Royal Engineers Museum"}]


def test_unnest_expression_reads_the_left_side(engine: QueryEngine) -> None:
    """unnest.adoc: the UNNEST expression is over the left-hand side (one term)."""
    got = rows(engine, "SELECT h.name, t FROM hotel h UNNEST tags AS t ORDER BY t")
    assert got == [{"name": "Medway Youth Hostel", "t": "cheap"},
                   {"name": "Medway Youth Hostel", "t": "quiet"}]


def test_result_alias_in_order_by(engine: QueryEngine) -> None:
    """orderby.adoc: ORDER BY may use a projection alias (implicit here)."""
    got = rows(engine, "SELECT h.name, t FROM hotel h UNNEST h.tags AS t ORDER BY name, t DESC")
    assert got == [{"name": "Medway Youth Hostel", "t": "quiet"},
                   {"name": "Medway Youth Hostel", "t": "cheap"}]


def test_subquery_with_its_own_single_term(engine: QueryEngine) -> None:
    """subqueries.adoc: a subquery with one FROM term of its own resolves bare
    names against it, whatever the enclosing block joins."""
    got = rows(engine, "SELECT h.name, (SELECT RAW name FROM landmark x WHERE x.city = h.city "
                       "ORDER BY name) AS sights FROM hotel h JOIN landmark l ON KEYS h.lid "
                       "ORDER BY h.name")
    assert got == [
        {"name": "Le Petit", "sights": ["Louvre"]},
        {"name": "Medway Youth Hostel", "sights": ["Hollywood Bowl", "Royal Engineers Museum"]},
    ]


def test_star_projections_with_several_terms(engine: QueryEngine) -> None:
    """selectclause.adoc, star expression: * wraps each term under its alias."""
    got = rows(engine, "SELECT * FROM hotel h JOIN landmark l ON KEYS h.lid "
                       "WHERE h.city = 'Paris'")
    assert got == [{"h": HOTEL["hotel_2"], "l": LANDMARK["landmark_2"]}]
