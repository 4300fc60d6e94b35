"""Turning a submitted form into a beer or brewery document, or into errors.

The guide's ``normalize_beer_fields`` reads the ``beer_*`` fields, requires a
name and an existing brewery, and answers a bare "Must have name", 400. Here
the same checks give a dict of field -> message, which the form shows next to
the fields with what the user typed, so nothing is lost. Numbers are stored
as numbers, as in the beer-sample documents (a blank one is 0, as there).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping, Optional

# (field, label, lowest, highest, integer?)
BEER_NUMBERS = [
    ("abv", "Alcohol (ABV)", 0.0, 100.0, False),
    ("ibu", "Bitterness (IBU)", 0.0, 1000.0, False),
    ("srm", "Colour (SRM)", 0.0, 1000.0, False),
    ("upc", "Universal Product Code (UPC)", 0.0, 10.0**14, True),
]
BEER_TEXTS = ["name", "description", "style", "category", "brewery_id"]
BREWERY_TEXTS = ["name", "description", "city", "state", "code", "country", "phone",
                 "website"]
MAX_TEXT = 4000

Errors = dict[str, str]


def _fields(form: Mapping[str, str], prefix: str) -> dict[str, str]:
    """The ``prefix_*`` fields of ``form``, stripped (the guide's naming)."""
    out = {}
    for key, value in form.items():
        base, _, field = key.partition("_")
        if base == prefix and field:
            out[field] = value.strip()
    return out


def _texts(fields: dict[str, str], names: list[str], errors: Errors) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for name in names:
        value = fields.get(name, "")
        if len(value) > MAX_TEXT:
            errors[name] = f"At most {MAX_TEXT} characters"
        doc[name] = value
    if not doc.get("name"):
        errors["name"] = "Must have a name"
    elif not slug(doc["name"]):
        errors["name"] = "The name needs at least one letter or digit"
    return doc


def _number(text: str, label: str, low: float, high: float, integer: bool) -> Any:
    """``text`` as a number in [low, high]; ValueError with the message to show."""
    if text == "":
        return 0
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        kind = "a whole number" if integer else "a number, like 5.2"
        raise ValueError(f"{label} must be {kind}") from None
    if not low <= value <= high or value != value:
        raise ValueError(f"{label} must be between {low:g} and {high:g}")
    return int(value) if value == int(value) else value  # "5" is 5, not 5.0


def beer_fields(form: Mapping[str, str],
                brewery_exists: Callable[[str], bool]) -> tuple[dict[str, Any], Errors]:
    """The beer document of ``form`` (fields ``beer_name``, ``beer_abv``...) and
    the errors found; the document is only to be stored when there are none."""
    fields = _fields(form, "beer")
    errors: Errors = {}
    doc = _texts(fields, BEER_TEXTS, errors)
    for name, label, low, high, integer in BEER_NUMBERS:
        try:
            doc[name] = _number(fields.get(name, ""), label, low, high, integer)
        except ValueError as e:
            doc[name] = fields.get(name, "")
            errors[name] = str(e)
    if not doc["brewery_id"]:
        errors["brewery_id"] = "Must have a brewery ID"
    elif "brewery_id" not in errors and not brewery_exists(doc["brewery_id"]):
        errors["brewery_id"] = f"Brewery ID {doc['brewery_id']} not found"
    doc["type"] = "beer"
    return doc, errors


def brewery_fields(form: Mapping[str, str]) -> tuple[dict[str, Any], Errors]:
    """The brewery document of ``form`` (``brewery_name``, ``brewery_address``
    with one line per address line...) and the errors found."""
    fields = _fields(form, "brewery")
    errors: Errors = {}
    doc = _texts(fields, BREWERY_TEXTS, errors)
    website = doc["website"]
    if website and not re.match(r"https?://[^\s/]+", website):
        errors["website"] = "The website must start with http:// or https://"
    doc["address"] = [line.strip() for line in fields.get("address", "").splitlines()
                      if line.strip()]
    doc["type"] = "brewery"
    return doc, errors


def slug(name: str) -> str:
    """The id part the guide makes of a name (spaces to ``_``, lower case), minus
    what cannot sit in a URL path segment."""
    return re.sub(r"[^\w.-]+", "", name.replace(" ", "_").lower()).strip(".")


def parse_cas(text: Optional[str]) -> Optional[int]:
    """The version a form was made from (hidden field ``cas``), or None."""
    try:
        cas = int(text or "")
    except ValueError:
        return None
    return cas if cas > 0 else None
