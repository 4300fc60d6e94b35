"""Beers and breweries as the templates see them, and the view row processors.

As in the guide, a :class:`Beer` is a name and an id over its document, and
reading a field the document lacks gives ``""`` so a template can print
``{{ beer.abv }}`` for any beer. :class:`BeerListRowProcessor` is the guide's
``RowProcessor``: the ``by_name`` rows carry only names, so it fetches the
documents with one ``get_multi(quiet=True)`` (a row whose document went away
since the index was built is dropped) to learn each beer's brewery.
"""

from __future__ import annotations

from typing import Any, Optional


class Item:
    """A beer or a brewery: ``id``, ``name`` and the stored document."""

    kind = ""

    def __init__(self, id: str, name: str, doc: Optional[dict[str, Any]] = None,
                 cas: int = 0) -> None:
        self.id = id
        self.name = name
        self.doc = doc or {}
        self.cas = cas

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.doc.get(name, "")

    def fields(self, hidden: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
        """The document's fields for a details table, sorted, minus ``hidden``."""
        return sorted((k, v) for k, v in self.doc.items() if k not in hidden)


class Beer(Item):
    kind = "beer"


class Brewery(Item):
    kind = "brewery"


def item_from(kind: str, id: str, doc: dict[str, Any], cas: int = 0) -> Item:
    cls = Beer if kind == "beer" else Brewery
    return cls(id, str(doc.get("name", id)), doc, cas)


class BeerListRowProcessor:
    """Rows of ``beer/by_name`` (or ``beer/by_brewery``) -> :class:`Beer` objects
    with their ``brewery_id``, fetching the documents in one batch."""

    def handle_rows(self, rows: list[dict[str, Any]], connection: Any,
                    include_docs: bool) -> list[Beer]:
        beers = [Beer(r["id"], _name_of(r["key"])) for r in rows]
        if not beers:
            return []
        docs = connection.get_multi([b.id for b in beers], quiet=True)
        kept = []
        for beer in beers:
            result = docs.get(beer.id)
            if result is None or not result.success or not isinstance(result.value, dict):
                continue  # deleted since the index saw it
            beer.doc = result.value
            kept.append(beer)
        return kept


class BreweryRowProcessor:
    """Rows of ``brewery/by_name`` -> :class:`Brewery` objects (names only)."""

    def handle_rows(self, rows: list[dict[str, Any]], connection: Any,
                    include_docs: bool) -> list[Brewery]:
        return [Brewery(r["id"], _name_of(r["key"])) for r in rows]


def _name_of(key: Any) -> str:
    # by_name emits the name; by_brewery emits [brewery_id, name]
    if isinstance(key, list):
        key = key[-1] if key else ""
    return "" if key is None else str(key)
