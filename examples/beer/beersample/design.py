"""The design documents the application queries, and their installation.

The guide has the reader create ``_design/dev_beer`` and ``_design/dev_brewery``
in the web console, each with a ``by_name`` view, and press Publish. Here
:func:`install` does the same through the SDK (``design_create`` of the
development document, then ``design_publish``), keeping the views the
beer-sample bucket already ships in ``beer`` (``brewery_beers``,
``by_location``).

``beer/by_brewery`` is ours, for two of the guide's "food for thought"
ideas: it emits ``[brewery_id, beer name]`` so one range gives a brewery's
beers in name order (the brewery page, the delete guard) and a prefix range
searches them (``[[id, "x"], [id, "x" + STRING_RANGE_END]]``).
"""

from __future__ import annotations

from typing import Any

from couchbase.exceptions import HTTPError

BEER_BY_NAME = """function (doc, meta) {
  if (doc.type && doc.type == "beer") {
    emit(doc.name, null);
  }
}"""

BREWERY_BY_NAME = """function (doc, meta) {
  if (doc.type && doc.type == "brewery") {
    emit(doc.name, null);
  }
}"""

BEER_BY_BREWERY = """function (doc, meta) {
  if (doc.type && doc.type == "beer" && doc.brewery_id) {
    emit([doc.brewery_id, doc.name], null);
  }
}"""

VIEWS = {
    "beer": {"by_name": BEER_BY_NAME, "by_brewery": BEER_BY_BREWERY},
    "brewery": {"by_name": BREWERY_BY_NAME},
}


def _current_views(db: Any, name: str) -> dict[str, Any]:
    try:
        return dict(db.design_get(name, use_devmode=False).value.get("views", {}))
    except HTTPError:  # no such design document yet
        return {}


def install(db: Any, syncwait: float = 10) -> None:
    """Create and publish the views of :data:`VIEWS`, keeping the others a
    design document has; a no-op when they are already there."""
    for name, maps in VIEWS.items():
        views = _current_views(db, name)
        if all(views.get(view, {}).get("map") == src for view, src in maps.items()):
            continue
        views.update({view: {"map": src} for view, src in maps.items()})
        db.design_create(name, {"views": views}, use_devmode=True, syncwait=syncwait)
        db.design_publish(name, syncwait=syncwait)
    # Build the indexes now, so the first page does not wait for 7,000 documents.
    for name, maps in VIEWS.items():
        for view in maps:
            list(db.query(name, view, limit=1, stale=False))
