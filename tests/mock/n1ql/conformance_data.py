"""Small data sets for the conformance tests: exactly the documents that the
language reference's examples read, so each example's stated result can be
checked without the full sample buckets.

Keyspaces: ``tutorial`` (the reference's tutorial contacts), ``orders``,
``contacts`` and ``travel-sample.inventory.{route,hotel,airline,airport,landmark}``
(only the fields and documents the examples touch).
"""

from __future__ import annotations

import json
from typing import Any

from couchbase_mock.n1ql import MemoryDatastore, QueryEngine

Docs = dict[str, dict[str, Any]]


def engine_with(keyspaces: dict[str, Docs], primary: bool = True) -> QueryEngine:
    """An engine over the given keyspaces (``"bucket"`` or ``"bucket.scope.collection"``)."""
    ds = MemoryDatastore()
    buckets: set[str] = set()
    for name, docs in keyspaces.items():
        parts = name.split(".")
        if parts[0] not in buckets:
            ds.create_bucket(parts[0])
            buckets.add(parts[0])
        path = (parts[0], "_default", "_default")
        if len(parts) == 3:
            ds.create_collection(*parts)
            path = (parts[0], parts[1], parts[2])
        for key, doc in docs.items():
            ds.upsert(path, key, json.dumps(doc).encode())
    engine = QueryEngine(ds)
    if primary:
        for name in keyspaces:
            ref = ".".join(f"`{p}`" for p in name.split("."))
            engine.query(f"CREATE PRIMARY INDEX ON {ref}")
    return engine


# The tutorial contacts (comparisonops.adoc, stringops.adoc): Fred's children is
# NULL, Harry and Jane have no children field at all. Keys sort like the names.
TUTORIAL: Docs = {
    "dave": {"fname": "Dave", "lname": "Smith", "age": 46, "email": "dave@gmail.com",
             "children": [{"fname": "Aiden", "age": 17, "gender": "m"},
                          {"fname": "Bill", "age": 2, "gender": "f"}],
             "hobbies": ["golf", "surfing"], "relation": "friend", "title": "Mr.",
             "type": "contact"},
    "earl": {"fname": "Earl", "lname": "Johnson", "age": 46, "email": "earl@gmail.com",
             "children": [{"fname": "Xena", "age": 17, "gender": "f"},
                          {"fname": "Yuri", "age": 2, "gender": "m"}],
             "hobbies": ["surfing"], "relation": "friend", "title": "Mr.",
             "type": "contact"},
    "fred": {"fname": "Fred", "lname": "Jackson", "age": 18, "email": "fred@gmail.com",
             "children": None, "hobbies": ["golf", "surfing"], "relation": "coworker",
             "title": "Mr.", "type": "contact"},
    "harry": {"fname": "Harry", "lname": "Jackson", "age": 20, "email": "harry@yahoo.com",
              "relation": "parent", "title": "Mr.", "type": "contact"},
    "ian": {"fname": "Ian", "lname": "Taylor", "age": 56, "email": "ian@gmail.com",
            "children": [{"fname": "Abama", "age": 17, "gender": "m"},
                         {"fname": "Bebama", "age": 21, "gender": "m"}],
            "hobbies": ["golf", "surfing"], "relation": "cousin", "title": "Mr.",
            "type": "contact"},
    "jane": {"fname": "Jane", "lname": "Edwards", "age": 40, "email": "jane@gmail.com",
             "relation": "contact", "title": "Mrs.", "type": "contact"},
}

# The KL flights from Albuquerque to Atlanta (collectionops.adoc, ANY A / EVERY A).
_KL_SCHEDULE = [
    (0, "KL938", "03:54:00"), (0, "KL270", "16:57:00"), (0, "KL222", "05:17:00"),
    (0, "KL198", "05:07:00"), (0, "KL858", "18:59:00"), (1, "KL672", "19:19:00"),
    (2, "KL832", "15:54:00"), (2, "KL173", "07:18:00"), (2, "KL520", "09:05:00"),
    (3, "KL259", "11:05:00"), (3, "KL065", "17:11:00"), (4, "KL469", "06:06:00"),
    (4, "KL509", "06:53:00"), (4, "KL096", "10:29:00"), (5, "KL347", "08:51:00"),
    (5, "KL281", "06:26:00"), (5, "KL567", "03:54:00"), (5, "KL169", "23:41:00"),
    (6, "KL884", "00:36:00"), (6, "KL886", "14:13:00"), (6, "KL636", "17:40:00"),
]

ROUTE_36159: dict[str, Any] = {
    "airline": "KL", "airlineid": "airline_3090", "destinationairport": "ATL",
    "distance": 2038.3535078909663, "equipment": "757 320", "id": 36159,
    "schedule": [{"day": d, "flight": f, "utc": u} for d, f, u in _KL_SCHEDULE],
    "sourceairport": "ABQ", "stops": 0, "type": "route",
}

# A second route from ABQ (another airline), so the WHERE clauses have something to drop.
ROUTE_OTHER: dict[str, Any] = {
    "airline": "AA", "airlineid": "airline_24", "destinationairport": "ATL",
    "distance": 2038.35, "equipment": "738", "id": 10000,
    "schedule": [{"day": 0, "flight": "AA001", "utc": "23:59:00"}],
    "sourceairport": "ABQ", "stops": 0, "type": "route",
}

# Tantallon House (collectionops.adoc, WITHIN): review texts shortened.
HOTEL_10851: dict[str, Any] = {
    "address": "Gilsland, CA8 7DA", "alias": None, "city": None, "country": "United Kingdom",
    "free_breakfast": True, "free_internet": True, "free_parking": False,
    "geo": {"accuracy": "ROOFTOP", "lat": 54.99304, "lon": -2.58142},
    "id": 10851, "name": "Tantallon House B&B", "pets_ok": True, "phone": None,
    "public_likes": ["Victor Russel"],
    "reviews": [
        {"author": "Walton Wolf", "content": "Myself and a mate stayed here.",
         "date": "2014-06-07 03:54:50 +0300", "ratings": {"Overall": 4}},
        {"author": "Catharine Funk", "content": "My first trip to new york city.",
         "date": "2012-01-02 21:29:27 +0300", "ratings": {"Overall": 1}},
    ],
    "state": None, "title": "Hadrian's Wall", "type": "hotel", "vacancy": False,
}

HOTEL_OTHER: dict[str, Any] = {
    "address": "1 Main Street", "city": "Medway", "country": "United Kingdom", "id": 1,
    "name": "Other Hotel", "public_likes": [], "title": "Medway",
    "reviews": [{"author": "Someone Else", "ratings": {"Overall": 3}}], "type": "hotel",
}

AIRLINES_BY_COUNTRY: Docs = {
    "airline_1908": {"callsign": "CORSAIR", "country": "France", "iata": "SS", "icao": "CRL",
                     "id": 1908, "name": "Corsairfly", "type": "airline"},
    "airline_1355": {"callsign": "SPEEDBIRD", "country": "United Kingdom", "iata": "BA",
                     "icao": "BAW", "id": 1355, "name": "British Airways", "type": "airline"},
    "airline_10": {"callsign": "MILE-AIR", "country": "United States", "iata": "Q5",
                   "icao": "MLA", "id": 10, "name": "40-Mile Air", "type": "airline"},
}


def travel_engine() -> QueryEngine:
    return engine_with({
        "tutorial": TUTORIAL,
        "travel-sample.inventory.route": {"route_36159": ROUTE_36159, "route_10000": ROUTE_OTHER},
        "travel-sample.inventory.hotel": {"hotel_10851": HOTEL_10851, "hotel_1": HOTEL_OTHER},
        "travel-sample.inventory.airline": AIRLINES_BY_COUNTRY,
        "contacts": {"c1": {"name": "dave", "email": "dave@gmail.com"},
                     "c2": {"name": "earl", "email": "earl@gmail.com"}},
    })
