"""A generated beer-sample data set for the N1QL acceptance tests.

Breweries and beers carry the fields of Couchbase's beer-sample bucket
(brewery: name, city, state, code, country, phone, website, type, updated,
description, address[], geo{accuracy, lat, lon}; beer: name, abv, ibu, srm,
upc, type, brewery_id, updated, description, style, category) and ids built
the same way (``brewery_name`` and ``brewery_name-beer_name``). Some fields
are deliberately absent (MISSING) or null, some addresses empty, and a few
beers name a brewery that does not exist, so MISSING vs NULL and inner vs
outer joins have something to tell apart. Every name is unique.
"""

from __future__ import annotations

import random
from typing import Any

BREWERIES = 400
BEERS = 2800
STYLES = ["American-Style Pale Ale", "Porter", "Stout", "Lager", "Wheat", "Bock",
          "Imperial Stout", "Amber Ale"]
CATEGORIES = ["North American Ale", "British Ale", "German Lager", "Irish Ale"]
CITIES = ["Portland", "Denver", "Austin", "Boston", "Reno", "Munich", "Dublin", "Leeds"]
COUNTRIES = {"Portland": "United States", "Denver": "United States",
             "Austin": "United States", "Boston": "United States", "Reno": "United States",
             "Munich": "Germany", "Dublin": "Ireland", "Leeds": "United Kingdom"}
STATES = {"Portland": "Oregon", "Denver": "Colorado", "Austin": "Texas",
          "Boston": "Massachusetts", "Reno": "Nevada"}
_WORDS = ["Golden", "Black", "Red", "Hoppy", "Old", "Wild", "Iron", "Lucky", "River",
          "Mountain", "Copper", "Harbor"]
_STREETS = ["Main St", "Oak Ave", "Mill Rd", "Harbor Blvd", "Elm St"]


def _id(name: str) -> str:
    return name.lower().replace(" ", "_").replace("'", "")


def generate(seed: int = 6) -> dict[str, dict[str, Any]]:
    rng = random.Random(seed)
    docs: dict[str, dict[str, Any]] = {}
    brewery_ids = []
    for i in range(BREWERIES):
        name = f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} Brewing {i:03d}"
        city = rng.choice(CITIES)
        doc: dict[str, Any] = {
            "name": name, "city": city, "country": COUNTRIES[city],
            "code": f"{rng.randrange(10000, 99999)}", "phone": f"1-555-{i:04d}",
            "website": f"http://{_id(name)}.example.com/", "type": "brewery",
            "updated": f"{rng.choice([2010, 2011])}-0{rng.randrange(1, 10)}-1"
                       f"{rng.randrange(0, 10)} 20:00:20",
            "description": rng.choice(["", f"A brewery in {city}."]),
            "address": [f"{rng.randrange(1, 999)} {rng.choice(_STREETS)}"
                        for _ in range(rng.choice([0, 1, 1, 1, 2, 3]))],
        }
        if rng.random() < 0.3:
            doc["address"] = [a + " Suite 5" for a in doc["address"]]
        if city in STATES:
            doc["state"] = STATES[city] if rng.random() < 0.85 else None
        if rng.random() < 0.9:
            doc["geo"] = {"accuracy": rng.choice(["ROOFTOP", "RANGE_INTERPOLATED"]),
                          "lat": round(rng.uniform(30, 55), 4),
                          "lon": round(rng.uniform(-122, 12), 4)}
        docid = _id(name)
        brewery_ids.append(docid)
        docs[docid] = doc
    for i in range(BEERS):
        brewery = rng.choice(brewery_ids) if i % 100 else f"missing_brewery_{i:04d}"
        style = rng.choice(STYLES)
        name = f"{rng.choice(_WORDS)} {style} {i:04d}"
        doc = {
            "name": name, "abv": round(rng.uniform(3.0, 12.0), 1),
            "ibu": rng.randrange(0, 100), "srm": rng.randrange(0, 40), "upc": 0,
            "type": "beer", "brewery_id": brewery,
            "updated": f"{rng.choice([2010, 2011, 2012])}-07-22 20:00:20",
            "description": "", "style": style,
            "category": CATEGORIES[STYLES.index(style) % len(CATEGORIES)],
        }
        roll = rng.random()
        if roll < 0.1:
            del doc["category"]
        elif roll < 0.15:
            doc["category"] = None
        if rng.random() < 0.1:
            doc["srm"] = None
        if rng.random() < 0.05:
            del doc["ibu"]
        docs[f"{brewery}-{_id(name)}"] = doc
    return docs
