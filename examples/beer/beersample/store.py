"""The application's reads and writes of beer-sample, in one place.

Every page goes through these functions, so the rules live once: a document
is a beer or a brewery only if its ``type`` says so (``/beers/show/<a brewery
id>`` is a 404), an edit is stored only over the version the form was made
from (CAS), likes are a counter document beside the object (``<id>::likes``,
``incr``/``decr``: atomic on the server, no read-modify-write), and a brewery
with beers is not deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from couchbase.exceptions import KeyExistsError, NotFoundError
from couchbase.views.params import Query

from .models import Beer, BeerListRowProcessor, Item, item_from

# Views asked with stale=False see the application's own writes at once (the
# guide's default, update_after, would show a beer created a moment ago only on
# the next query); after the first query each costs only the changes since.
FRESH = False
LIKES_SUFFIX = "::likes"


class Conflict(Exception):
    """The document changed since the form was made; ``current`` is what is stored now."""

    def __init__(self, current: Item) -> None:
        super().__init__(f"{current.id} changed since it was read")
        self.current = current


class HasBeers(Exception):
    """A brewery that still has beers (``beers``: some of them) cannot be deleted."""

    def __init__(self, beers: list[Beer]) -> None:
        super().__init__(f"{len(beers)} beer(s) still refer to the brewery")
        self.beers = beers


def load(db: Any, kind: str, id: str) -> Optional[Item]:
    """The beer or brewery ``id`` with its CAS, or None if there is no such ``kind``."""
    result = db.get(id, quiet=True)
    if not result.success or not isinstance(result.value, dict):
        return None
    if result.value.get("type") != kind:
        return None
    return item_from(kind, id, result.value, result.cas)


def _stamp(doc: dict[str, Any]) -> dict[str, Any]:
    doc["updated"] = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    return doc


def create(db: Any, id: str, doc: dict[str, Any]) -> None:
    """Store a new object; KeyExistsError if ``id`` is taken (``add``, as the guide)."""
    db.add(id, _stamp(doc))


def update(db: Any, kind: str, id: str, doc: dict[str, Any], cas: int) -> None:
    """Store the form's fields over ``id`` if it is still at version ``cas``.

    Fields the form does not know (``geo``, anything another program added)
    are kept. NotFoundError if it is gone; :class:`Conflict` if someone saved
    it since the form was made, whether seen here or by the server's CAS check.
    """
    current = load(db, kind, id)
    if current is None:
        raise NotFoundError(f"no such {kind} {id!r}")
    if current.cas != cas:
        raise Conflict(current)
    merged = {**current.doc, **doc}
    try:
        db.replace(id, _stamp(merged), cas=cas)
    except KeyExistsError:  # saved by someone else between our read and write
        latest = load(db, kind, id)
        if latest is None:
            raise NotFoundError(f"no such {kind} {id!r}") from None
        raise Conflict(latest) from None


def delete(db: Any, kind: str, id: str) -> None:
    """Delete a beer or brewery and its likes; NotFoundError if there is none,
    :class:`HasBeers` for a brewery that still has beers."""
    if load(db, kind, id) is None:
        raise NotFoundError(f"no such {kind} {id!r}")
    if kind == "brewery":
        beers = brewery_beers(db, id, limit=5)
        if beers:
            raise HasBeers(beers)
    db.delete(id)
    db.delete(id + LIKES_SUFFIX, quiet=True)


def brewery_beers(db: Any, brewery_id: str, prefix: str = "", limit: int = 200) -> list[Beer]:
    """The brewery's beers in name order (``beer/by_brewery``); with ``prefix``,
    those whose name starts with it (the view engine's collation: case does
    not split a prefix)."""
    if prefix:
        q = Query(mapkey_range=[[brewery_id, prefix],
                                [brewery_id, prefix + Query.STRING_RANGE_END]])
    else:  # [id] sorts before every [id, name], {} after every name
        q = Query(startkey=[brewery_id], endkey=[brewery_id, {}])
    q.limit = limit
    q.stale = FRESH
    return list(db.query("beer", "by_brewery", query=q, row_processor=BeerListRowProcessor()))


def by_name(db: Any, design: str, processor: Any, prefix: Optional[str] = None,
            start: Optional[tuple[str, str]] = None, limit: int = 30) -> list[Any]:
    """``design/by_name`` rows from ``start`` (name, id), or those whose name
    starts with ``prefix`` (the guide's ``[value, value + STRING_RANGE_END]``)."""
    q = Query(limit=limit, stale=FRESH)
    if prefix:
        q.mapkey_range = [prefix, prefix + Query.STRING_RANGE_END]
    if start is not None:
        q.startkey, q.startkey_docid = start
    return list(db.query(design, "by_name", query=q, row_processor=processor))


def likes(db: Any, id: str) -> int:
    result = db.get(id + LIKES_SUFFIX, quiet=True)
    return int(result.value) if result.success and isinstance(result.value, int) else 0


def like(db: Any, id: str, delta: int) -> int:
    """Add one like (``delta`` 1) or take one back (-1, not below 0): a server
    counter, so likes from many users at once all count."""
    key = id + LIKES_SUFFIX
    result = db.incr(key, initial=1) if delta > 0 else db.decr(key, initial=0)
    return int(result.value)
