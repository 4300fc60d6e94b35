"""Conformance: UPDATE, DELETE, INSERT and UPSERT, from the N1QL language
reference's own examples (docs-server, modules/n1ql/pages/n1ql-language-reference/):
update.adoc, delete.adoc, upsert.adoc (insert.adoc's VALUES expressions belong to
another engineer's work).

Each test gets a fresh engine over exactly the documents its example touches.
Left out: update.adoc Examples 4 and 5 return ``h.reviews[*].ratings`` (array star
is another engineer's): the same update is checked through ``h.reviews``;
upsert.adoc's Example includes a file that the stored page does not show.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conformance_data import engine_with

from couchbase_mock.n1ql import N1QLError, QueryEngine

ROUTE_10003: dict[str, Any] = {
    "airline": "AF", "airlineid": "airline_137", "destinationairport": "ATL",
    "distance": 654.9546621929924, "equipment": "757 739", "id": 10003,
    "schedule": [{"day": 0, "flight": "AF986", "utc": "22:26:00"},
                 {"day": 3, "flight": "AF123", "utc": "09:00:00"},
                 {"day": 6, "flight": "AF540", "utc": "11:07:00"}],
    "sourceairport": "TPA", "stops": 0, "type": "route",
}

RATINGS_1 = {"Cleanliness": 5, "Location": 4, "Overall": 4, "Rooms": 3, "Service": 5,
             "Value": 4}
RATINGS_2 = {"Business service (e.g., internet access)": 4, "Check in / front desk": 4,
             "Cleanliness": 4, "Location": 4, "Overall": 4, "Rooms": 3, "Service": 3,
             "Value": 5}

TRAVEL: dict[str, dict[str, Any]] = {
    "landmark_10090": {"name": "Tradeston Pedestrian Bridge", "type": "landmark",
                       "city": "Glasgow"},
    "route_10003": ROUTE_10003,
    "hotel_10025": {"type": "hotel", "name": "Medway Youth Hostel", "city": "Medway",
                    "reviews": [{"author": "A", "ratings": RATINGS_1},
                                {"author": "B", "ratings": RATINGS_2}]},
    "airport_1354": {"airportname": "Cote D\\'Azur", "city": "Nice", "country": "France",
                     "faa": "NCE", "geo": {"alt": 12, "lat": 43.658411, "lon": 7.215872},
                     "icao": "LFMN", "id": 1354, "type": "airport", "tz": "Europe/Paris"},
    "hotel_20419": {"type": "hotel", "city": "Nice", "id": 20419,
                    "name": "Best Western Hotel Riviera Nice"},
    "hotel_20421": {"type": "hotel", "city": "Nice", "id": 20421, "name": "NH Nice"},
}

PRODUCTS: dict[str, dict[str, Any]] = {
    "product10": {"categories": ["Luggage"], "color": "sky blue",
                  "name": "Briggs & Riley Luggage Executive Clamshell Backpack",
                  "productId": "product10", "reviewList": ["review47", "review873"],
                  "type": "product", "unitPrice": 231.2},
    "product99": {"productId": "product99", "type": "product", "unitPrice": 5.25},
    "product7": {"productId": "product7", "type": "product", "unitPrice": 10},
}


@pytest.fixture
def db() -> QueryEngine:
    return engine_with({"travel-sample": copy.deepcopy(TRAVEL),
                        "product": copy.deepcopy(PRODUCTS)})


def q(db: QueryEngine, statement: str) -> list:
    return db.query(statement).results


def doc(db: QueryEngine, keyspace: str, key: str) -> Any:
    rows = q(db, f'SELECT RAW t FROM `{keyspace}` AS t USE KEYS "{key}"')
    return rows[0] if rows else None


# -- update.adoc -----------------------------------------------------------------

def test_update_set_an_attribute(db: QueryEngine) -> None:
    # update.adoc, Examples, "Set an attribute"
    rows = q(db, 'UPDATE `travel-sample` USE KEYS "landmark_10090" '
                 'SET nickname = "Squiggly Bridge" RETURNING `travel-sample`.nickname;')
    assert rows == [{"nickname": "Squiggly Bridge"}]
    assert doc(db, "travel-sample", "landmark_10090")["nickname"] == "Squiggly Bridge"


def test_update_unset_an_attribute(db: QueryEngine) -> None:
    # update.adoc, Examples, "Unset an attribute"
    q(db, 'UPDATE `travel-sample` USE KEYS "landmark_10090" SET nickname = "Squiggly Bridge"')
    rows = q(db, 'UPDATE `travel-sample` USE KEYS "landmark_10090" UNSET nickname '
                 "RETURNING `travel-sample`.name;")
    assert rows == [{"name": "Tradeston Pedestrian Bridge"}]
    assert "nickname" not in doc(db, "travel-sample", "landmark_10090")


def test_update_set_attributes_in_an_array(db: QueryEngine) -> None:
    # update.adoc, Examples, "Set attributes in an array": SET ... FOR s IN schedule END
    rows = q(db, 'UPDATE `travel-sample` t USE KEYS "route_10003" '
                 "SET s.codeshare = NULL FOR s IN schedule END RETURNING t;")
    expected = copy.deepcopy(ROUTE_10003)
    for s in expected["schedule"]:
        s["codeshare"] = None
    assert rows == [{"t": expected}]
    assert doc(db, "travel-sample", "route_10003") == expected


def test_update_set_nested_array_elements(db: QueryEngine) -> None:
    # update.adoc, Examples, "Set nested array elements" (returning h.reviews, see above)
    rows = q(db, 'UPDATE `travel-sample` AS h USE KEYS "hotel_10025" '
                 'SET i.ratings = OBJECT_ADD(i.ratings, "new", "new_value" ) FOR i IN reviews END '
                 "RETURNING h.reviews;")
    assert [r["ratings"] for r in rows[0]["reviews"]] == [
        {**RATINGS_1, "new": "new_value"}, {**RATINGS_2, "new": "new_value"}]


def test_update_access_nested_arrays(db: QueryEngine) -> None:
    # update.adoc, Examples, "Access nested arrays": UNSET over an ARRAY expression's
    # elements changes the document's own nested objects
    q(db, 'UPDATE `travel-sample` AS h USE KEYS "hotel_10025" '
          'SET i.ratings = OBJECT_ADD(i.ratings, "new", "new_value" ) FOR i IN reviews END')
    rows = q(db, 'UPDATE `travel-sample` AS h USE KEYS "hotel_10025" '
                 "UNSET i.new FOR i IN (ARRAY j.ratings FOR j IN reviews END) END "
                 "RETURNING h.reviews;")
    assert [r["ratings"] for r in rows[0]["reviews"]] == [RATINGS_1, RATINGS_2]


def test_update_with_the_results_of_a_subquery(db: QueryEngine) -> None:
    # update.adoc, Examples, "Update a document with the results of a subquery"
    rows = q(db, "UPDATE `travel-sample` AS a SET hotels = "
                 "(SELECT h.name, h.id FROM `travel-sample` AS h "
                 'WHERE h.type = "hotel" AND h.city = "Nice") '
                 'WHERE a.faa ="NCE" RETURNING a;')
    expected = {**TRAVEL["airport_1354"], "hotels": [
        {"id": 20419, "name": "Best Western Hotel Riviera Nice"},
        {"id": 20421, "name": "NH Nice"}]}
    assert rows == [{"a": expected}]


@pytest.mark.parametrize("clause, days", [
    # update.adoc, FOR Clause: name-var (the position), WHEN, and chained FOR levels
    ("SET s.n = i FOR i:s IN schedule WHEN s.day > 0 END", [(0, None), (3, 1), (6, 2)]),
    ("SET s.n = s.day * 2 FOR s IN schedule WHEN s.flight LIKE 'AF5%' END",
     [(0, None), (3, None), (6, 12)]),
])
def test_update_for_clause_forms(db: QueryEngine, clause: str, days: list) -> None:
    q(db, f'UPDATE `travel-sample` t USE KEYS "route_10003" {clause}')
    sched = doc(db, "travel-sample", "route_10003")["schedule"]
    assert [(s["day"], s.get("n")) for s in sched] == days


def test_update_chained_for_levels_and_unset_for(db: QueryEngine) -> None:
    # update.adoc, FOR Clause: "Additional array levels are supported by chaining the
    # FOR clauses."
    q(db, 'UPSERT INTO `travel-sample` (KEY, VALUE) VALUES ("nested", '
          '{"sections": [{"items": [{"a": 1}, {"a": 2}]}, {"items": [{"a": 3}]}]})')
    q(db, 'UPDATE `travel-sample` t USE KEYS "nested" '
          "SET c.b = c.a * 10 FOR s IN sections FOR c IN s.items WHEN c.a > 1 END")
    assert doc(db, "travel-sample", "nested")["sections"] == [
        {"items": [{"a": 1}, {"a": 2, "b": 20}]}, {"items": [{"a": 3, "b": 30}]}]
    q(db, 'UPDATE `travel-sample` t USE KEYS "nested" '
          "SET t.done = TRUE UNSET c.b FOR s IN sections FOR c IN s.items END")
    assert doc(db, "travel-sample", "nested") == {
        "sections": [{"items": [{"a": 1}, {"a": 2}]}, {"items": [{"a": 3}]}], "done": True}


def test_update_for_replaces_whole_elements(db: QueryEngine) -> None:
    # update.adoc, FOR Clause: the path may be the variable itself
    q(db, 'UPDATE `travel-sample` t USE KEYS "route_10003" SET s = s.flight FOR s IN schedule END')
    assert doc(db, "travel-sample", "route_10003")["schedule"] == ["AF986", "AF123", "AF540"]


def test_update_where_and_limit(db: QueryEngine) -> None:
    # update.adoc, WHERE Clause and LIMIT Clause ("the greatest number of objects
    # that can be updated")
    rows = q(db, 'UPDATE `travel-sample` SET foo = 9 WHERE city = "Nice" LIMIT 2 '
                 "RETURNING RAW meta().id")
    assert len(rows) == 2
    assert sorted(q(db, "SELECT RAW meta().id FROM `travel-sample` WHERE foo = 9")) == sorted(rows)


def test_update_needs_set_or_unset(db: QueryEngine) -> None:
    # update.adoc, Syntax: a statement with neither clause does not parse
    with pytest.raises(N1QLError) as caught:
        q(db, 'UPDATE `travel-sample` USE KEYS "landmark_10090"')
    assert caught.value.code == 3000


# -- delete.adoc -----------------------------------------------------------------

def test_delete_use_keys_returning(db: QueryEngine) -> None:
    # delete.adoc, Example 4: deletes product10 and returns it
    rows = q(db, 'DELETE FROM product p USE KEYS "product10" RETURNING p')
    assert rows == [{"p": PRODUCTS["product10"]}]
    assert doc(db, "product", "product10") is None


def test_delete_where_returning_field(db: QueryEngine) -> None:
    # delete.adoc, Example 5: the product priced at 5.25
    rows = q(db, "DELETE FROM product p WHERE p.unitPrice = 5.25 RETURNING p.productId")
    assert rows == [{"productId": "product99"}]


def test_delete_where_subquery_and_returning_meta(db: QueryEngine) -> None:
    # delete.adoc, Q2 and Q3 shapes: a subquery in WHERE; RETURNING meta().id
    rows = q(db, "DELETE FROM `travel-sample` WHERE city = "
                 "(SELECT RAW MAX(city) FROM `travel-sample`)[0] RETURNING meta().id")
    assert sorted(r["id"] for r in rows) == ["airport_1354", "hotel_20419", "hotel_20421"]
    rows = q(db, 'DELETE FROM `travel-sample` WHERE type = "hotel" RETURNING *')
    assert rows == [{"travel-sample": TRAVEL["hotel_10025"]}]


def test_delete_limit(db: QueryEngine) -> None:
    # delete.adoc, LIMIT clause: the greatest number of objects that can be deleted
    rows = q(db, 'DELETE FROM product WHERE type = "product" LIMIT 2 RETURNING RAW meta().id')
    assert len(rows) == 2
    assert len(q(db, "SELECT RAW meta().id FROM product")) == 1


def test_delete_with_namespace_prefix(db: QueryEngine) -> None:
    # delete.adoc, keyspace-ref: default:`travel-sample`
    rows = q(db, 'DELETE FROM default:`travel-sample` USE KEYS "landmark_10090" '
                 "RETURNING RAW meta().id")
    assert rows == ["landmark_10090"]


# -- upsert.adoc (and INSERT's basic forms) ---------------------------------------

def test_insert_values_and_duplicate_key(db: QueryEngine) -> None:
    # upsert.adoc, Insert Values / VALUES Clause and RETURNING Clause; an INSERT of an
    # existing key fails (error 12009) where UPSERT replaces the document
    rows = q(db, 'INSERT INTO product (KEY, VALUE) VALUES ("p1", {"n": 1}), ("p2", {"n": 2}) '
                 "RETURNING META().id, n")
    assert rows == [{"id": "p1", "n": 1}, {"id": "p2", "n": 2}]
    with pytest.raises(N1QLError) as caught:
        q(db, 'INSERT INTO product (KEY, VALUE) VALUES ("p1", {"n": 3})')
    assert caught.value.code == 12009
    rows = q(db, 'UPSERT INTO product (KEY, VALUE) VALUES ("p1", {"n": 3}) RETURNING RAW n')
    assert rows == [3]
    assert doc(db, "product", "p1") == {"n": 3}


def test_upsert_select(db: QueryEngine) -> None:
    # upsert.adoc, Insert Select: the documents to upsert come from a SELECT
    rows = q(db, "UPSERT INTO product (KEY k, VALUE v) "
                 'SELECT "copy_" || meta(h).id AS k, {"name": h.name} AS v '
                 'FROM `travel-sample` AS h WHERE h.city = "Nice" AND h.type = "hotel" '
                 "RETURNING RAW META().id")
    assert sorted(rows) == ["copy_hotel_20419", "copy_hotel_20421"]
    assert doc(db, "product", "copy_hotel_20421") == {"name": "NH Nice"}


def test_insert_key_must_be_a_string(db: QueryEngine) -> None:
    with pytest.raises(N1QLError) as caught:
        q(db, 'INSERT INTO product (KEY, VALUE) VALUES (1, {"n": 1})')
    assert caught.value.code == 5070
