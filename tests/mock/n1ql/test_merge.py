"""MERGE (merge.adoc): the reference's examples over small inline data sets
built to give the documented results, and the statement's error cases.

Each test names the example or section of
https://docs.couchbase.com/server/current/n1ql/n1ql-language-reference/merge.html
it checks.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from couchbase_mock.n1ql import MemoryDatastore, QueryEngine
from couchbase_mock.n1ql.errors import N1QLError

INV = ("travel-sample", "inventory")
HOTELS = {"hotel_21728": {"name": "Medway", "vacancy": False},
          "hotel_21730": {"name": "Le Clos", "vacancy": True},
          "hotel_1": {"name": "Other", "vacancy": False}}
AIRPORTS = {
    "airport_5562": {"id": 5562, "faa": "DSA", "icao": "EGCN", "type": "airport",
                     "airportname": "Robin Hood Doncaster Sheffield Airport",
                     "city": "Doncaster, Sheffield", "country": "United Kingdom",
                     "tz": "Europe/London",
                     "geo": {"alt": 55, "lat": 53.474722, "lon": -1.004444}},
    "airport_1": {"faa": "CDG", "country": "France", "type": "airport"},
    "airport_2": {"faa": "LHR", "country": "United Kingdom", "type": "airport"},
}
ROUTES = {
    "route_1": {"airline": "BA", "sourceairport": "CDG", "equipment": "319 320 321"},
    "route_2": {"airline": "BA", "sourceairport": "CDG", "equipment": "763 757"},
    "route_3": {"airline": "AF", "sourceairport": "CDG", "equipment": "319"},
    "route_4": {"airline": "BA", "sourceairport": "LHR", "equipment": "319"},
}
PRODUCTS = {"p1": {"inventoryCount": 5}, "p2": {"inventoryCount": 0}, "p3": {"inventoryCount": 1}}
ORDERS = {"o1": {"productId": "p1", "orderDate": "2024-01-02"},
          "o2": {"productId": "p2", "orderDate": "2024-01-03"}}


def _engine() -> QueryEngine:
    ds = MemoryDatastore()
    for name, docs in (("hotel", HOTELS), ("airport", AIRPORTS), ("route", ROUTES),
                       ("product", PRODUCTS), ("orders", ORDERS)):
        ds.create_collection(*INV, name)
        for key, doc in docs.items():
            ds.upsert(INV + (name,), key, json.dumps(doc).encode())
    engine = QueryEngine(ds)
    for name in ("hotel", "airport", "route", "product", "orders"):
        engine.query(f"CREATE PRIMARY INDEX ON `travel-sample`.inventory.{name}")
    return engine


@pytest.fixture
def engine() -> QueryEngine:
    return _engine()


def _canon(v: Any) -> str:
    return json.dumps(v, sort_keys=True)


def docs(engine: QueryEngine, coll: str) -> dict[str, Any]:
    rows = engine.query(f"SELECT META(c).id, c FROM `travel-sample`.inventory.{coll} c").results
    return {r["id"]: r["c"] for r in rows}


def test_ansi_merge_with_expression_source(engine: QueryEngine) -> None:
    """Example 1, ANSI merge with expression source: the documented RETURNING rows."""
    res = engine.query("""MERGE INTO `travel-sample`.inventory.hotel t
        USING [{"id":"21728", "vacancy": true}, {"id":"21730", "vacancy": true}] source
        ON meta(t).id = "hotel_" || source.id
        WHEN MATCHED THEN
          UPDATE SET t.old_vacancy = t.vacancy, t.vacancy = source.vacancy
        RETURNING meta(t).id, t.old_vacancy, t.vacancy""")
    assert res.results == [{"id": "hotel_21728", "old_vacancy": False, "vacancy": True},
                           {"id": "hotel_21730", "old_vacancy": True, "vacancy": True}]
    assert res.metrics["mutationCount"] == 2
    assert docs(engine, "hotel")["hotel_1"] == HOTELS["hotel_1"]


def test_lookup_merge_with_expression_source(engine: QueryEngine) -> None:
    """Lookup merge with expression source: the lookup version of example 1, same rows."""
    res = engine.query("""MERGE INTO `travel-sample`.inventory.hotel t
        USING [{"id":"21728", "vacancy": true}, {"id":"21730", "vacancy": true}] source
        ON KEY "hotel_"|| source.id
        WHEN MATCHED THEN
          UPDATE SET t.old_vacancy = t.vacancy, t.vacancy = source.vacancy
        RETURNING meta(t).id, t.old_vacancy, t.vacancy""")
    assert res.results == [{"id": "hotel_21728", "old_vacancy": False, "vacancy": True},
                           {"id": "hotel_21730", "old_vacancy": True, "vacancy": True}]


def test_ansi_merge_with_keyspace_source(engine: QueryEngine) -> None:
    """Example 2, ANSI merge with keyspace source: BA routes from French airports
    using 319 become 797, those using 757 are deleted, the others stay."""
    res = engine.query("""MERGE INTO `travel-sample`.inventory.route
        USING `travel-sample`.inventory.airport
        ON route.sourceairport = airport.faa
        WHEN MATCHED THEN UPDATE
          SET route.old_equipment = route.equipment, route.equipment = "797",
              route.updated = true
          WHERE airport.country = "France" AND route.airline = "BA"
            AND CONTAINS(route.equipment, "319")
        WHEN MATCHED THEN DELETE
          WHERE airport.country = "France" AND route.airline = "BA"
            AND CONTAINS(route.equipment, "757")
        RETURNING route.old_equipment, route.equipment, airport.faa""")
    assert sorted(res.results, key=_canon) == sorted([
        {"equipment": "763 757", "faa": "CDG"},
        {"equipment": "797", "old_equipment": "319 320 321", "faa": "CDG"}], key=_canon)
    after = docs(engine, "route")
    assert "route_2" not in after
    assert after["route_1"] == {"airline": "BA", "sourceairport": "CDG", "equipment": "797",
                                "old_equipment": "319 320 321", "updated": True}
    assert after["route_3"] == ROUTES["route_3"] and after["route_4"] == ROUTES["route_4"]
    assert res.metrics["mutationCount"] == 2


def test_ansi_merge_with_updates_and_inserts(engine: QueryEngine) -> None:
    """Example 3, ANSI merge with updates and inserts: RETURNING * shows the
    updated airport with its source row, and the inserted one (a UUID key) alone."""
    res = engine.query("""MERGE INTO `travel-sample`.inventory.airport AS target
        USING [{"iata":"DSA", "name": "Doncaster Sheffield Airport"},
               {"iata":"VLY", "name": "Anglesey Airport / Maes Awyr Môn"}] AS source
        ON target.faa = source.iata
        WHEN MATCHED THEN
          UPDATE SET target.old_name = target.airportname,
                     target.airportname = source.name, target.updated = true
        WHEN NOT MATCHED THEN
          INSERT (KEY UUID(), VALUE {"faa": source.iata, "airportname": source.name,
                                     "type": "airport", "inserted": true})
        RETURNING *""")
    expected = [
        {"target": {"airportname": "Anglesey Airport / Maes Awyr Môn", "faa": "VLY",
                    "inserted": True, "type": "airport"}},
        {"source": {"iata": "DSA", "name": "Doncaster Sheffield Airport"},
         "target": {"airportname": "Doncaster Sheffield Airport", "city": "Doncaster, Sheffield",
                    "country": "United Kingdom", "faa": "DSA",
                    "geo": {"alt": 55, "lat": 53.474722, "lon": -1.004444}, "icao": "EGCN",
                    "id": 5562, "old_name": "Robin Hood Doncaster Sheffield Airport",
                    "type": "airport", "tz": "Europe/London", "updated": True}}]
    assert sorted(res.results, key=_canon) == sorted(expected, key=_canon)
    new_keys = [k for k in docs(engine, "airport") if k not in AIRPORTS]
    assert len(new_keys) == 1 and len(new_keys[0]) == 36  # UUID()


def test_ansi_merge_with_expiration(engine: QueryEngine) -> None:
    """Example 4, ANSI merge with expiration: the inserted document expires in a
    week (OPTIONS), the updated one keeps its expiration (SET meta().expiration)."""
    engine.query("""MERGE INTO `travel-sample`.inventory.airport AS target
        USING [{"iata":"DSA", "name": "Doncaster Sheffield Airport"},
               {"iata":"VLY", "name": "Anglesey Airport / Maes Awyr Môn"}] AS source
        ON target.faa = source.iata
        WHEN MATCHED THEN
          UPDATE SET target.old_name = target.airportname, target.airportname = source.name,
                     target.updated = true, meta(target).expiration = meta(target).expiration
        WHEN NOT MATCHED THEN
          INSERT (KEY UUID(), VALUE {"faa": source.iata, "airportname": source.name,
                                     "type": "airport", "inserted": true},
                  OPTIONS {"expiration": 7*24*60*60} )""")
    rows = engine.query("SELECT a.faa, META(a).expiration AS exp "
                        "FROM `travel-sample`.inventory.airport a "
                        "WHERE a.faa IN ['DSA', 'VLY']").results
    exp = {r["faa"]: r["exp"] for r in rows}
    assert exp["DSA"] == 0 and exp["VLY"] > 0
    assert docs(engine, "airport")["airport_5562"]["airportname"] == \
        "Doncaster Sheffield Airport"


def test_lookup_merge_with_keyspace_source(engine: QueryEngine) -> None:
    """Lookup merge with keyspace source: products sold get lastSaleDate, a sold-out
    one (inventoryCount <= 0) is deleted; a product without orders is untouched."""
    res = engine.query("""MERGE INTO `travel-sample`.inventory.product p
        USING `travel-sample`.inventory.orders o ON KEY o.productId
        WHEN MATCHED THEN UPDATE SET p.lastSaleDate = o.orderDate
        WHEN MATCHED THEN DELETE WHERE p.inventoryCount <= 0""")
    assert res.metrics["mutationCount"] == 2
    assert docs(engine, "product") == {
        "p1": {"inventoryCount": 5, "lastSaleDate": "2024-01-02"}, "p3": {"inventoryCount": 1}}


def test_lookup_merge_with_updates_and_inserts(engine: QueryEngine) -> None:
    """Lookup merge with updates and inserts: a match is updated, the key of
    ON KEY becomes the key of the inserted document."""
    engine.query("""MERGE INTO `travel-sample`.inventory.hotel a
        USING [{"empId": "hotel_1", "title": "x"}, {"empId": "e9", "title": "Dev", "name": "N"}] b
        ON KEY b.empId
        WHEN MATCHED THEN UPDATE SET a.title = b.title || ", " || b.title
        WHEN NOT MATCHED THEN INSERT {"name": b.name, "title": b.title, "empId": b.empId}""")
    after = docs(engine, "hotel")
    assert after["hotel_1"]["title"] == "x, x"
    assert after["e9"] == {"name": "N", "title": "Dev", "empId": "e9"}


def test_subquery_source_and_insert_where(engine: QueryEngine) -> None:
    """ANSI Merge Subquery (alias required) and the WHERE of ANSI Merge Insert."""
    res = engine.query("""MERGE INTO `travel-sample`.inventory.hotel t
        USING (SELECT RAW n FROM [1, 2, 3] AS n) AS s
        ON meta(t).id = "new_" || TO_STRING(s)
        WHEN NOT MATCHED THEN INSERT ("new_" || TO_STRING(s), {"n": s}) WHERE s > 1
        RETURNING RAW t.n""")
    assert sorted(res.results) == [2, 3]
    assert "new_1" not in docs(engine, "hotel")


def test_insert_without_value_is_an_empty_document(engine: QueryEngine) -> None:
    """ANSI Merge Insert: 'If the value is omitted, an empty document is inserted.'"""
    engine.query("""MERGE INTO `travel-sample`.inventory.hotel t USING [{"k": "e1"}] s
        ON meta(t).id = s.k WHEN NOT MATCHED THEN INSERT (KEY s.k)""")
    assert docs(engine, "hotel")["e1"] == {}


def test_limit_bounds_the_source_rows(engine: QueryEngine) -> None:
    """LIMIT Clause: the number of records processed."""
    res = engine.query("""MERGE INTO `travel-sample`.inventory.hotel t
        USING [{"k": "a"}, {"k": "b"}, {"k": "c"}] s ON KEY s.k
        WHEN NOT MATCHED THEN INSERT {"k": s.k} LIMIT 2""")
    assert res.metrics["mutationCount"] == 2
    assert "c" not in docs(engine, "hotel")


def test_same_document_matched_twice_is_5320(engine: QueryEngine) -> None:
    """A target document updated by two source rows: error 5320, nothing written."""
    with pytest.raises(N1QLError) as err:
        engine.query("""MERGE INTO `travel-sample`.inventory.hotel t
            USING [{"id": "hotel_1"}, {"id": "hotel_1"}] s ON KEY s.id
            WHEN MATCHED THEN UPDATE SET t.n = 1""")
    assert err.value.code == 5320
    assert "hotel_1" in str(err.value)
    assert docs(engine, "hotel")["hotel_1"] == HOTELS["hotel_1"]


def test_same_key_inserted_twice_is_5330(engine: QueryEngine) -> None:
    with pytest.raises(N1QLError) as err:
        engine.query("""MERGE INTO `travel-sample`.inventory.hotel t
            USING [{"id": "n1"}, {"id": "n1"}] s ON KEY s.id
            WHEN NOT MATCHED THEN INSERT {"x": 1}""")
    assert err.value.code == 5330


def test_non_string_insert_key_is_5070(engine: QueryEngine) -> None:
    with pytest.raises(N1QLError) as err:
        engine.query("""MERGE INTO `travel-sample`.inventory.hotel t USING [1] s
            ON meta(t).id = "x" WHEN NOT MATCHED THEN INSERT (s, {})""")
    assert err.value.code == 5070


def test_insert_of_an_existing_key_is_a_duplicate(engine: QueryEngine) -> None:
    """The ON condition decides the match: an insert onto an existing key fails."""
    with pytest.raises(N1QLError) as err:
        engine.query("""MERGE INTO `travel-sample`.inventory.hotel t USING [1] s
            ON t.name = "nobody" WHEN NOT MATCHED THEN INSERT ("hotel_1", {})""")
    assert err.value.code == 12009


@pytest.mark.parametrize("statement", [
    # ANSI Merge Subquery: 'You must assign an alias to a subquery on the merge source.'
    "MERGE INTO `travel-sample`.inventory.hotel t USING (SELECT 1) ON KEY 'a' "
    "WHEN MATCHED THEN DELETE",
    # ANSI Merge Target Hint: USE INDEX is the only hint allowed on the target.
    "MERGE INTO `travel-sample`.inventory.hotel t USE KEYS 'a' USING [1] s ON KEY 'a' "
    "WHEN MATCHED THEN DELETE",
    # no action
    "MERGE INTO `travel-sample`.inventory.hotel t USING [1] s ON KEY 'a'",
    # an action given twice
    "MERGE INTO `travel-sample`.inventory.hotel t USING [1] s ON KEY 'a' "
    "WHEN MATCHED THEN DELETE WHEN MATCHED THEN DELETE",
    # WHEN NOT MATCHED can only insert
    "MERGE INTO `travel-sample`.inventory.hotel t USING [1] s ON KEY 'a' "
    "WHEN NOT MATCHED THEN DELETE",
    # KEY given, VALUE keyword omitted
    "MERGE INTO `travel-sample`.inventory.hotel t USING [1] s ON meta(t).id = 'a' "
    "WHEN NOT MATCHED THEN INSERT (KEY 'a', {})",
])
def test_syntax_errors(engine: QueryEngine, statement: str) -> None:
    with pytest.raises(N1QLError) as err:
        engine.query(statement)
    assert err.value.code == 3000


def test_unknown_target_keyspace(engine: QueryEngine) -> None:
    with pytest.raises(N1QLError) as err:
        engine.query("MERGE INTO nosuch t USING [1] s ON KEY 'a' WHEN MATCHED THEN DELETE")
    assert err.value.code == 12003


def test_explain_merge(engine: QueryEngine) -> None:
    plan = engine.query("EXPLAIN MERGE INTO `travel-sample`.inventory.hotel t USING [1] s "
                        "ON KEY 'a' WHEN MATCHED THEN DELETE").results[0]["plan"]
    ops = [op["#operator"] for op in plan["~children"]]
    assert plan["#operator"] == "Sequence" and ops[-1] == "Merge"
    assert ops[0] == "ExpressionScan"


def test_update_action_takes_a_for_clause_like_update(engine: QueryEngine) -> None:
    """merge.adoc, Update Clause: the update action's SET is UPDATE's (update.adoc,
    FOR Clause): each schedule element of a matched document changes in place."""
    engine.query("UPSERT INTO `travel-sample`.inventory.route (KEY, VALUE) VALUES "
                 "('route_9', {'airline': 'KL', 'schedule': [{'day': 1}, {'day': 5}]})")
    engine.query("MERGE INTO `travel-sample`.inventory.route AS r "
                 "USING [{'id': 'route_9'}] AS s ON KEY s.id "
                 "WHEN MATCHED THEN UPDATE SET v.late = TRUE FOR v IN r.schedule "
                 "WHEN v.day > 2 END UNSET r.airline")
    doc = engine.query("SELECT RAW r FROM `travel-sample`.inventory.route AS r "
                       "USE KEYS 'route_9'").results[0]
    assert doc == {"schedule": [{"day": 1}, {"day": 5, "late": True}]}
