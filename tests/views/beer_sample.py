"""A generated beer-sample data set and the views the developer guide uses on it.

Names use lowercase ASCII letters, digits and spaces, where the view
collation (ICU root) and Python's string order agree, so expected results
can be computed here.
"""

from __future__ import annotations

import random
from typing import Any

BREWERIES = 1200
BEERS = 6000
STYLES = ["ale", "bock", "lager", "porter", "stout", "wheat"]
_WORDS = ["amber", "black", "dark", "double", "golden", "hoppy", "imperial", "old", "pale",
          "red", "smoked", "summer", "triple", "winter", "wild", "zesty"]

DESIGNS: dict[str, dict[str, Any]] = {
    "beer": {"views": {
        "by_name": {"map": 'function (doc, meta) {\n  if (doc.type && doc.type == "beer") {\n'
                           '    emit(doc.name, null);\n  }\n}'},
        "brewery_beers": {"map": 'function (doc, meta) {\n  switch (doc.type) {\n'
                                 '  case "brewery": emit([meta.id]); break;\n'
                                 '  case "beer": if (doc.brewery_id) '
                                 '{ emit([doc.brewery_id, meta.id]); } break;\n  }\n}'},
        "by_brewery_style": {"map": 'function (doc, meta) {\n  if (doc.type == "beer") {\n'
                                    '    emit([doc.brewery_id, doc.style], doc.abv);\n  }\n}',
                             "reduce": "_count"},
    }},
    "brewery": {"views": {
        "by_name": {"map": 'function (doc, meta) {\n  if (doc.type && doc.type == "brewery") {\n'
                           '    emit(doc.name, null);\n  }\n}'},
    }},
}


def generate(seed: int = 5) -> dict[str, dict[str, Any]]:
    """Breweries and their beers, keyed by document id (unique names)."""
    rng = random.Random(seed)
    docs: dict[str, dict[str, Any]] = {}
    brewery_ids = []
    for i in range(BREWERIES):
        name = f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} brewery {i:04d}"
        docid = name.replace(" ", "_")
        brewery_ids.append(docid)
        docs[docid] = {"type": "brewery", "name": name, "city": rng.choice(_WORDS),
                       "country": "united states"}
    for i in range(BEERS):
        brewery = rng.choice(brewery_ids)
        name = f"{rng.choice(_WORDS)} {rng.choice(STYLES)} {i:05d}"
        docs[f"{brewery}-{name.replace(' ', '_')}"] = {
            "type": "beer", "name": name, "brewery_id": brewery,
            "style": rng.choice(STYLES), "abv": round(rng.uniform(3.0, 12.0), 1)}
    return docs
