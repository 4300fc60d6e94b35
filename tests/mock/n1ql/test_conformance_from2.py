"""Conformance: from.adoc and recursive.adoc (couchbaselabs/docs-devex,
modules/n1ql/pages/n1ql-language-reference/), each documented example over a
small inline dataset with its stated result, and recursive.adoc's
"Limitations" as the errors a user gets (3300 recursive_with semantics).
"""

from __future__ import annotations

import pytest
from conformance_data import engine_with

from couchbase_mock.n1ql import N1QLError, QueryEngine

LANDMARK = {
    "landmark_1": {"id": 1, "name": "Royal Engineers Museum", "city": "Gillingham",
                   "activity": "see", "address": "Prince Arthur Road"},
    "landmark_2": {"id": 2, "name": "Hollywood Bowl", "city": "Gillingham",
                   "activity": "eat", "address": "4 High Street"},
    "landmark_3": {"id": 3, "name": "Thai Won Mien", "city": "Gillingham",
                   "activity": "eat", "address": "59 High Street"},
    "landmark_4": {"id": 4, "name": "Le Procope", "city": "Paris", "activity": "eat"},
}
AIRPORT = {
    "a1": {"city": "Denver", "country": "United States", "geo": {"alt": 5431}},
    "a2": {"city": "Leadville", "country": "United States", "geo": {"alt": 9927}},
    "a3": {"city": "Aspen", "country": "United States", "geo": {"alt": 7820}},
    "a4": {"city": "Boston", "country": "United States", "geo": {"alt": 19}},
    "a5": {"city": "Quincy", "country": "United States", "geo": {"alt": 19}},
    "a6": {"city": "Calais", "country": "France", "geo": {"alt": 12}},
}
ROUTE = {
    "r1": {"sourceairport": "TLV", "destinationairport": "ATH"},
    "r2": {"sourceairport": "ATH", "destinationairport": "LHR"},
    "r3": {"sourceairport": "LHR", "destinationairport": "JFK"},
    "r4": {"sourceairport": "TLV", "destinationairport": "CDG"},
    "r5": {"sourceairport": "ATH", "destinationairport": "TLV"},
}
HOTEL = {"h1": {"name": "Medway Hostel", "city": "Gillingham"},
         "h2": {"name": "Le Petit", "city": "Paris"}}


@pytest.fixture(scope="module")
def engine() -> QueryEngine:
    return engine_with({"ts.inventory.landmark": LANDMARK, "ts.inventory.airport": AIRPORT,
                        "ts.inventory.route": ROUTE, "ts.inventory.hotel": HOTEL})


def rows(engine: QueryEngine, statement: str) -> list:
    return engine.query(statement).results


def error(engine: QueryEngine, statement: str) -> N1QLError:
    with pytest.raises(N1QLError) as info:
        engine.query(statement)
    return info.value


# -- from.adoc ---------------------------------------------------------------------------------

def test_from_single_keyspace(engine: QueryEngine) -> None:
    """from.adoc "Use a single keyspace": SELECT DISTINCT name FROM landmark LIMIT 4."""
    got = rows(engine, "SELECT DISTINCT name FROM ts.inventory.landmark LIMIT 4")
    assert len(got) == 4
    assert {r["name"] for r in got} == {d["name"] for d in LANDMARK.values()}


def test_from_subquery_1(engine: QueryEngine) -> None:
    """from.adoc "A SELECT clause inside a FROM clause": Gillingham eating places."""
    got = rows(engine, 'SELECT name, city FROM (SELECT id, name, address, city '
                       'FROM ts.inventory.landmark WHERE activity = "eat") AS l '
                       'WHERE city = "Gillingham" ORDER BY name')
    assert got == [{"city": "Gillingham", "name": "Hollywood Bowl"},
                   {"city": "Gillingham", "name": "Thai Won Mien"}]


def test_from_subquery_2_grouping(engine: QueryEngine) -> None:
    """from.adoc "Subquery Example": altitude groups and cities by country, and
    its two equivalent queries blended by country."""
    got = rows(engine, "SELECT t1.country, num_alts, total_cities FROM (SELECT country, "
                       "geo.alt AS alt, count(city) AS num_cities FROM ts.inventory.airport "
                       "GROUP BY country, geo.alt) t1 GROUP BY t1.country "
                       "LETTING num_alts = count(t1.alt), total_cities = sum(t1.num_cities) "
                       "ORDER BY t1.country")
    assert got == [{"country": "France", "num_alts": 1, "total_cities": 1},
                   {"country": "United States", "num_alts": 4, "total_cities": 5}]
    cities = rows(engine, "SELECT country, count(city) AS num_cities FROM ts.inventory.airport "
                          "GROUP BY country ORDER BY country")
    alts = rows(engine, "SELECT country, count(distinct geo.alt) AS num_alts "
                        "FROM ts.inventory.airport GROUP BY country ORDER BY country")
    assert [(c["num_cities"], a["num_alts"]) for c, a in zip(cities, alts)] == \
        [(r["total_cities"], r["num_alts"]) for r in got]


def test_from_independent_constant_expression(engine: QueryEngine) -> None:
    """from.adoc "Independent Constant Expression"."""
    got = rows(engine, 'SELECT * FROM [1, 2, "name", { "type" : "airport", "id" : "SFO"}] '
                       'AS ks1')
    assert got == [{"ks1": 1}, {"ks1": 2}, {"ks1": "name"},
                   {"ks1": {"type": "airport", "id": "SFO"}}]


def test_from_variable_expression(engine: QueryEngine) -> None:
    """from.adoc "Variable SQL++ Expression": FROM x in a subquery reads the
    outer LET variable."""
    got = rows(engine, "SELECT count(*) AS n FROM ts.inventory.airport t LET x = t.geo "
                       "WHERE (SELECT RAW y.alt FROM x y)[0] > 6000")
    assert got == [{"n": 2}]


def test_from_as_clause_forms_are_equivalent(engine: QueryEngine) -> None:
    """from.adoc "AS Clause": with and without AS, keyspace and INNER JOIN."""
    a = rows(engine, "SELECT RAW t.city FROM ts.inventory.airport AS t ORDER BY t.city")
    b = rows(engine, "SELECT RAW t.city FROM ts.inventory.airport t ORDER BY t.city")
    assert a == b and len(a) == 6
    q = ("SELECT h.name AS hotel, l.name AS sight FROM ts.inventory.hotel {h} INNER JOIN "
         "ts.inventory.landmark {l} ON (h.city = l.city) ORDER BY hotel, sight")
    with_as = rows(engine, q.format(h="AS h", l="AS l"))
    assert with_as == rows(engine, q.format(h="h", l="l"))
    assert with_as == [{"hotel": "Le Petit", "sight": "Le Procope"},
                       {"hotel": "Medway Hostel", "sight": "Hollywood Bowl"},
                       {"hotel": "Medway Hostel", "sight": "Royal Engineers Museum"},
                       {"hotel": "Medway Hostel", "sight": "Thai Won Mien"}]


def test_from_subquery_needs_an_alias(engine: QueryEngine) -> None:
    """from.adoc "FROM Subquery", AS Alias: required for subqueries in FROM."""
    with pytest.raises(N1QLError):
        engine.query("SELECT * FROM (SELECT RAW 1)")


def test_from_expression_term_takes_no_use_keys(engine: QueryEngine) -> None:
    """from.adoc Limitations: "When the FROM term is an expression, USE KEYS or
    USE INDEX clauses are not allowed."."""
    with pytest.raises(N1QLError):
        engine.query("SELECT * FROM [1, 2] AS x USE KEYS 'a'")


# -- recursive.adoc ----------------------------------------------------------------------------

RECROUTE = """WITH RECURSIVE recroute AS (
    SELECT sourceairport, destinationairport, 0 as depth
    FROM ts.inventory.route WHERE sourceairport="TLV"
        UNION
    SELECT r.sourceairport, {dest}, recroute.depth+1 as depth
    FROM ts.inventory.route r JOIN recroute ON recroute.destinationairport = r.sourceairport
    WHERE r.sourceairport!="TLV" and recroute.depth<2 )
SELECT * FROM recroute"""


def test_recursive_routes_from_tlv(engine: QueryEngine) -> None:
    """recursive.adoc "Example finding all possible routes leaving from the TLV
    airport and going to 2 other airports", with its recursive clause as the page
    shows it separately (r.destinationairport)."""
    got = [r["recroute"] for r in rows(engine, RECROUTE.format(dest="r.destinationairport"))]
    assert sorted((r["sourceairport"], r["destinationairport"], r["depth"]) for r in got) == [
        ("ATH", "LHR", 1), ("ATH", "TLV", 1), ("LHR", "JFK", 2), ("TLV", "ATH", 0),
        ("TLV", "CDG", 0)]


def test_recursive_routes_statement_as_printed_is_ambiguous(engine: QueryEngine) -> None:
    """The same example's combined statement prints ``rdestinationairport``: an
    unqualified name in a block with two FROM terms, refused as ambiguous."""
    err = error(engine, RECROUTE.format(dest="rdestinationairport"))
    assert err.code == 3080
    assert str(err).endswith("Ambiguous reference to field rdestinationairport.")


@pytest.mark.parametrize("statement,cause", [
    ("WITH RECURSIVE c AS (SELECT 1 AS r UNION SELECT c.r+1 AS r FROM c WHERE c.r<3 LIMIT 2) "
     "SELECT RAW c.r FROM c", "ORDER BY, LIMIT and OFFSET"),
    ("WITH RECURSIVE c AS (SELECT 1 AS r UNION (SELECT c.r+1 AS r FROM c WHERE c.r<3 "
     "ORDER BY c.r)) SELECT RAW c.r FROM c", "ORDER BY, LIMIT and OFFSET"),
    ("WITH RECURSIVE c AS (SELECT DISTINCT 1 AS r UNION SELECT c.r+1 AS r FROM c "
     "WHERE c.r<3) SELECT RAW c.r FROM c", "DISTINCT"),
    ("WITH RECURSIVE c AS (SELECT 1 AS r UNION SELECT DISTINCT c.r+1 AS r FROM c "
     "WHERE c.r<3) SELECT RAW c.r FROM c", "DISTINCT"),
    ("WITH RECURSIVE c AS (SELECT 1 AS r UNION SELECT COUNT(*)+1 AS r FROM c WHERE c.r<3) "
     "SELECT RAW c.r FROM c", "aggregate"),
    ("WITH RECURSIVE c AS (SELECT 1 AS r UNION SELECT c.r+1 AS r FROM c WHERE c.r<3 "
     "GROUP BY c.r) SELECT RAW c.r FROM c", "GROUP BY"),
    ("WITH RECURSIVE c AS (SELECT 1 AS r UNION SELECT ROW_NUMBER() OVER () + 1 AS r FROM c "
     "WHERE c.r<3) SELECT RAW c.r FROM c", "WINDOW"),
    ("WITH RECURSIVE c AS (SELECT 1 AS r UNION SELECT c.r+1 AS r FROM c LEFT JOIN [1] AS x "
     "ON x = c.r WHERE c.r<3) SELECT RAW c.r FROM c", "OUTER JOIN"),
    ("WITH RECURSIVE c AS (SELECT 1 AS r UNION SELECT c.r+1 AS r FROM c UNNEST [1] AS x "
     "WHERE c.r<3) SELECT RAW c.r FROM c", "UNNEST"),
    ("WITH RECURSIVE c AS (SELECT 1 AS r UNION SELECT c.r+1 AS r FROM c NEST [1] AS x "
     "ON true WHERE c.r<3) SELECT RAW c.r FROM c", "NEST"),
    ("WITH RECURSIVE c AS (SELECT 1 AS r UNION SELECT c.r+1 AS r FROM c JOIN c AS d "
     "ON c.r = d.r WHERE c.r<3) SELECT RAW c.r FROM c", "only once"),
])
def test_recursive_limitations_are_3300(engine: QueryEngine, statement: str,
                                        cause: str) -> None:
    """recursive.adoc "Limitations": ORDER BY/LIMIT/OFFSET, DISTINCT, GROUP BY,
    WINDOW and aggregates, OUTER JOIN, NEST/UNNEST, a second recursive reference."""
    err = error(engine, statement)
    assert err.code == 3300
    assert "recursive_with semantics" in str(err) and cause in str(err)


def test_recursive_without_union_is_a_normal_cte(engine: QueryEngine) -> None:
    """recursive.adoc Limitations: "If there is no UNION/UNION ALL separation for
    the recursive CTE, the query defaults to a normal CTE" (LIMIT allowed there)."""
    assert rows(engine, "WITH RECURSIVE c AS (SELECT RAW v FROM [3, 1, 2] AS v ORDER BY v "
                        "LIMIT 2) SELECT RAW c FROM c") == [1, 2]


def test_recursive_levels_count_from_the_anchor(engine: QueryEngine) -> None:
    """recursive.adoc Arguments: levels "assumes the Anchor is at level 0"."""
    assert rows(engine, 'WITH RECURSIVE c AS (SELECT 1 AS r UNION SELECT c.r+1 AS r FROM c) '
                        'OPTIONS {"levels": 3} SELECT RAW c.r FROM c') == [1, 2, 3, 4]


# -- indexing-meta-info.adoc -------------------------------------------------------------------

META_HOTEL = {"hotel_10025": {"name": "Medway Youth Hostel"},
              "hotel_10026": {"name": "The Balmoral Guesthouse"},
              "a_hotel": {"name": "Alpha"}}
META_AIRLINE = {"airline_10": {"name": "40-Mile Air"}, "airline_10123": {"name": "Texas Wings"},
                "airline_10226": {"name": "Atifly"}}


@pytest.fixture(scope="module")
def meta_engine() -> QueryEngine:
    eng = engine_with({"ts.inventory.hotel": META_HOTEL, "ts.inventory.airline": META_AIRLINE})
    eng.query("CREATE INDEX idx_expire ON ts.inventory.airline(META().expiration)")
    eng.query("CREATE INDEX idx_id ON ts.inventory.hotel(META().id)")
    eng.query("CREATE INDEX idx_cas ON ts.inventory.hotel(META().cas)")
    return eng


def _index_names(plan: object) -> set:
    found: set = set()
    if isinstance(plan, dict):
        if plan.get("#operator") == "IndexScan3":
            found.add(plan.get("index"))
        for v in plan.values():
            found |= _index_names(v)
    elif isinstance(plan, list):
        for v in plan:
            found |= _index_names(v)
    return found


def test_meta_expiration_index(meta_engine: QueryEngine) -> None:
    """indexing-meta-info.adoc "Find two documents that have no expiration date"."""
    q = ("SELECT META().id, META().expiration FROM ts.inventory.airline "
         "WHERE META().expiration = 0 ORDER BY META().id LIMIT 2")
    assert rows(meta_engine, q) == [{"expiration": 0, "id": "airline_10"},
                                    {"expiration": 0, "id": "airline_10123"}]
    assert "idx_expire" in _index_names(rows(meta_engine, "EXPLAIN " + q))


def test_meta_id_index(meta_engine: QueryEngine) -> None:
    """indexing-meta-info.adoc "Find all documents whose meta ID tag starts with a
    letter higher than g"."""
    q = 'SELECT name, META().id FROM ts.inventory.hotel WHERE META().id > "g" LIMIT 2'
    assert rows(meta_engine, q) == [{"id": "hotel_10025", "name": "Medway Youth Hostel"},
                                    {"id": "hotel_10026", "name": "The Balmoral Guesthouse"}]
    assert "idx_id" in _index_names(rows(meta_engine, "EXPLAIN " + q))


def test_meta_cas_order(meta_engine: QueryEngine) -> None:
    """indexing-meta-info.adoc "Find the two most recently modified hotel
    documents": the last two written, newest first."""
    meta_engine.query('UPDATE ts.inventory.hotel USE KEYS "hotel_10025" SET touched = 1')
    got = rows(meta_engine, "SELECT name, META().cas FROM ts.inventory.hotel "
                            "ORDER BY META().cas DESC LIMIT 2")
    assert [r["name"] for r in got] == ["Medway Youth Hostel", "Alpha"]
    assert got[0]["cas"] > got[1]["cas"]
