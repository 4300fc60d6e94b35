"""An in-memory datastore with a small beer-sample-like data set (the N1QL
tests' shared sample: conftest.py makes fixtures of it; test modules that need
an engine of their own import :func:`make_engine` from here).

Every value below is written out so the expected query results in the tests
can be checked by hand: 5 breweries and 12 beers in `beer-sample`, and a
``travel.inventory.airline`` collection.
"""

from __future__ import annotations

import json
from typing import Any

from couchbase_mock.n1ql import MemoryDatastore, QueryEngine

BS = ("beer-sample", "_default", "_default")
AIRLINE = ("travel", "inventory", "airline")

BREWERIES: dict[str, dict[str, Any]] = {
    "21st_amendment_brewery_cafe": {
        "name": "21st Amendment Brewery Cafe", "city": "San Francisco", "state": "California",
        "code": "94107", "country": "United States", "phone": "1-415-369-0900",
        "website": "http://www.21st-amendment.com/", "type": "brewery",
        "updated": "2010-10-24 13:54:07", "description": "A brewpub near the ballpark.",
        "address": ["563 Second Street"],
        "geo": {"accuracy": "ROOFTOP", "lat": 37.7825, "lon": -122.393},
    },
    "anchor_brewing": {
        "name": "Anchor Brewing", "city": "San Francisco", "state": "California",
        "code": "94107", "country": "United States", "phone": "1-415-863-8350",
        "website": "http://www.anchorbrewing.com/", "type": "brewery",
        "updated": "2010-07-22 20:00:20", "description": "",
        "address": ["1705 Mariposa Street"],
        "geo": {"accuracy": "ROOFTOP", "lat": 37.7633, "lon": -122.401},
    },
    "brouwerij_de_molen": {
        "name": "Brouwerij de Molen", "city": "Bodegraven", "state": "Zuid-Holland",
        "code": "", "country": "Netherlands", "phone": "31-0172-610-848",
        "website": "http://www.brouwerijdemolen.nl/", "type": "brewery",
        "updated": "2010-07-22 20:00:20", "description": "",
        "address": ["Overtocht 43"],
        "geo": {"accuracy": "RANGE_INTERPOLATED", "lat": 52.0833, "lon": 4.7463},
    },
    "sierra_nevada": {
        "name": "Sierra Nevada Brewing Co.", "city": "Chico", "state": "California",
        "code": "95928", "country": "United States", "phone": "1-530-893-3520",
        "website": "http://www.sierranevada.com/", "type": "brewery",
        "updated": "2011-05-11 10:20:00", "description": "",
        "address": ["1075 East 20th Street"],
        "geo": {"accuracy": "ROOFTOP", "lat": 39.7246, "lon": -121.816},
    },
    "big_river": {  # phone NULL, no geo (MISSING), no address lines
        "name": "Big River Brewery", "city": "Chattanooga", "state": "Tennessee",
        "code": "37402", "country": "United States", "phone": None, "website": "",
        "type": "brewery", "updated": "2010-07-22 20:00:20", "description": "",
        "address": [],
    },
}

# (brewery, slug, name, abv, ibu, srm, style, category, description)
_BEERS = [
    ("21st_amendment_brewery_cafe", "21a_ipa", "21A IPA", 7.2, 0, 0,
     "American-Style India Pale Ale", "North American Ale",
     "Deep golden color with citrus and piney hop aromas."),
    ("21st_amendment_brewery_cafe", "watermelon_wheat", "Watermelon Wheat", 4.9, 0, 0,
     "Fruit Beer", "Other Style", ""),
    ("21st_amendment_brewery_cafe", "oyster_point_oyster_stout", "Oyster Point Oyster Stout",
     5.9, 0, 0, "American-Style Stout", "North American Ale", ""),
    ("anchor_brewing", "liberty_ale", "Liberty Ale", 6.0, 0, 0, "American-Style Pale Ale",
     "North American Ale", ""),
    ("anchor_brewing", "anchor_steam", "Anchor Steam", 4.9, 0, 0, "California Common",
     "North American Lager", ""),
    ("anchor_brewing", "old_foghorn", "Old Foghorn", 8.8, 0, 0,
     "American-Style Barley Wine Ale", "North American Ale", ""),
    ("brouwerij_de_molen", "hel_verdoemenis", "Hel & Verdoemenis", 10.0, 0, 0,
     "Imperial Stout", "British Ale", ""),
    ("brouwerij_de_molen", "tsjernobyl", "Tsjernobyl", 9.5, 0, 0, "Imperial Stout",
     "British Ale", ""),
    ("sierra_nevada", "pale_ale", "Sierra Nevada Pale Ale", 5.6, 37, 9,
     "American-Style Pale Ale", "North American Ale",
     "A delightful example of the classic pale ale style with hop character."),
    ("sierra_nevada", "celebration_ale", "Celebration Ale", 6.8, 65, 0,
     "American-Style India Pale Ale", "North American Ale", "Fresh hop ale for the holidays."),
    ("sierra_nevada", "kellerweis", "Kellerweis", 4.8, 15, 0,
     "South German-Style Hefeweizen", "German Ale", ""),
    ("big_river", "mild", "Big River Mild", 0, 0, 0, None, None, ""),
]


def beers() -> dict[str, dict[str, Any]]:
    out = {}
    for brewery, slug, name, abv, ibu, srm, style, category, desc in _BEERS:
        doc: dict[str, Any] = {
            "name": name, "abv": abv, "ibu": ibu, "srm": srm, "upc": 0, "type": "beer",
            "brewery_id": brewery, "updated": "2010-07-22 20:00:20", "description": desc,
            "style": style, "category": category,
        }
        if style is None:  # Big River Mild: no style at all, category null
            del doc["style"]
        if slug == "celebration_ale":
            doc["updated"] = "2010-12-01 08:30:00"
        out[f"{brewery}-{slug}"] = doc
    return out


AIRLINES = {
    "airline_10": {"name": "40-Mile Air", "iata": "Q5", "country": "United States"},
    "airline_137": {"name": "Air France", "iata": "AF", "country": "France"},
    "airline_1355": {"name": "British Airways", "iata": "BA", "country": "United Kingdom"},
}


def make_datastore() -> MemoryDatastore:
    ds = MemoryDatastore()
    ds.create_bucket("beer-sample")
    ds.create_bucket("empty")
    ds.create_collection("travel", "inventory", "airline")
    for key, doc in {**BREWERIES, **beers()}.items():
        ds.upsert(BS, key, json.dumps(doc).encode())
    for key, doc in AIRLINES.items():
        ds.upsert(AIRLINE, key, json.dumps(doc).encode())
    return ds


def make_engine() -> QueryEngine:
    engine = QueryEngine(make_datastore())
    engine.query("CREATE PRIMARY INDEX ON `beer-sample`")
    engine.query("CREATE PRIMARY INDEX ON travel.inventory.airline")
    engine.query("CREATE INDEX beer_type ON `beer-sample`(type)")
    engine.query("CREATE INDEX beer_abv ON `beer-sample`(abv, name) WHERE type = 'beer'")
    return engine
