"""The pages. Beers and breweries share one set of handlers (as the guide's
``delete_object(otype, id)`` does); :data:`KINDS` holds what differs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Optional

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request

from couchbase.exceptions import KeyExistsError, NotFoundError

from . import store
from .forms import Errors, beer_fields, brewery_fields, parse_cas, slug
from .models import Beer, BeerListRowProcessor, BreweryRowProcessor, Item, item_from

bp = Blueprint("beersample", __name__)
OTYPE = "<any(beers, breweries):otype>"


@dataclass(frozen=True)
class Kind:
    name: str  # the documents' type, and the templates' folder
    title: str
    processor: Callable[[], Any]
    parse: Callable[[Any], tuple[dict[str, Any], Errors]]
    new_id: Callable[[dict[str, Any]], str]


def _db() -> Any:
    return current_app.extensions["couchbase"]


def _brewery_exists(brewery_id: str) -> bool:
    return store.load(_db(), "brewery", brewery_id) is not None


KINDS = {
    "beers": Kind("beer", "Beer", BeerListRowProcessor,
                  lambda form: beer_fields(form, _brewery_exists),
                  lambda doc: f"{doc['brewery_id']}-{slug(doc['name'])}"),
    "breweries": Kind("brewery", "Brewery", BreweryRowProcessor, brewery_fields,
                      lambda doc: slug(doc["name"])),
}


def _per_page() -> int:
    return int(current_app.config["ENTRIES_PER_PAGE"])


def _load_or_404(kind: Kind, id: str) -> Item:
    item = store.load(_db(), kind.name, id)
    if item is None:
        abort(404, description=f"No such {kind.name} '{id}'")
    return item


@bp.route("/")
@bp.route("/welcome")
def welcome() -> str:
    return render_template("welcome.html")


@bp.route(f"/{OTYPE}")
def index(otype: str) -> str:
    kind = KINDS[otype]
    prefix = request.args.get("q", "").strip()
    start = None
    if "start" in request.args:
        start = (request.args["start"], request.args.get("start_id", ""))
    rows = store.by_name(_db(), kind.name, kind.processor(), prefix or None, start,
                         _per_page() + 1)
    following = rows[_per_page()] if len(rows) > _per_page() else None
    return render_template(f"{kind.name}/index.html", results=rows[:_per_page()],
                           following=following, q=prefix)


@bp.route(f"/{OTYPE}/search")
def search(otype: str) -> Response:
    """JSON for the search box: the objects whose name starts with ``value``."""
    kind = KINDS[otype]
    value = request.args.get("value", "")
    rows = store.by_name(_db(), kind.name, kind.processor(), value or None,
                         limit=_per_page())
    if kind.name == "beer":
        found = [{"id": b.id, "name": b.name, "brewery": b.brewery_id} for b in rows]
    else:
        found = [{"id": b.id, "name": b.name} for b in rows]
    return _json(found)


@bp.route("/breweries/<brewery_id>/beers")
def brewery_beers_json(brewery_id: str) -> Response:
    """JSON: the brewery's beers whose name starts with ``value`` (all without)."""
    _load_or_404(KINDS["breweries"], brewery_id)
    beers = store.brewery_beers(_db(), brewery_id, request.args.get("value", ""))
    return _json([{"id": b.id, "name": b.name, "brewery": brewery_id} for b in beers])


def _json(value: Any) -> Response:
    return current_app.response_class(json.dumps(value), mimetype="application/json")


@bp.route(f"/{OTYPE}/show/<id>")
def show(otype: str, id: str) -> str:
    kind = KINDS[otype]
    item = _load_or_404(kind, id)
    extra: dict[str, Any] = {}
    if kind.name == "brewery":
        extra["beer_q"] = request.args.get("beer_q", "").strip()
        extra["beers"] = store.brewery_beers(_db(), id, extra["beer_q"])
    return render_template(f"{kind.name}/show.html", item=item,
                           likes=store.likes(_db(), id), **extra)


def _form(kind: Kind, item: Item, status: int = 200, errors: Optional[Errors] = None,
          is_create: bool = False, conflict: Optional[Item] = None,
          message: str = "") -> tuple[str, int]:
    page = render_template(f"{kind.name}/edit.html", item=item, errors=errors or {},
                           is_create=is_create, conflict=conflict, message=message)
    return page, status


@bp.route(f"/{OTYPE}/edit/<id>", methods=["GET"])
def edit_display(otype: str, id: str) -> Any:
    kind = KINDS[otype]
    return _form(kind, _load_or_404(kind, id))


@bp.route(f"/{OTYPE}/edit/<id>", methods=["POST"])
def edit_submit(otype: str, id: str) -> Any:
    kind = KINDS[otype]
    doc, errors = kind.parse(request.form)
    cas = parse_cas(request.form.get("cas"))
    typed = item_from(kind.name, id, doc, cas or 0)
    if cas is None:
        _load_or_404(kind, id)
        return _form(kind, typed, 400, errors, message="This form has no version "
                     "(cas); open the edit page again.")
    if errors:
        return _form(kind, typed, 400, errors, message="Please correct the fields marked.")
    try:
        store.update(_db(), kind.name, id, doc, cas)
    except NotFoundError:
        abort(404, description=f"No such {kind.name} '{id}'")
    except store.Conflict as c:
        # Keep what the user typed; the form now carries the current version, so
        # saving again overwrites it knowingly.
        typed.cas = c.current.cas
        return _form(kind, typed, 409, conflict=c.current, message=(
            f"Someone else saved this {kind.name} while you were editing it. Your "
            "changes are below and were not saved; compare them with the current "
            "version, then save again to replace it."))
    return redirect(f"/{otype}/show/{id}")


@bp.route(f"/{OTYPE}/create", methods=["GET"])
def create_display(otype: str) -> Any:
    kind = KINDS[otype]
    doc = {"brewery_id": request.args.get("brewery_id", "")} if kind.name == "beer" else {}
    return _form(kind, item_from(kind.name, "", doc), is_create=True)


@bp.route(f"/{OTYPE}/create", methods=["POST"])
def create_submit(otype: str) -> Any:
    kind = KINDS[otype]
    doc, errors = kind.parse(request.form)
    typed = item_from(kind.name, "", doc)
    if errors:
        return _form(kind, typed, 400, errors, is_create=True,
                     message="Please correct the fields marked.")
    id = kind.new_id(doc)
    try:
        store.create(_db(), id, doc)
    except KeyExistsError:
        return _form(kind, typed, 409, {"name": f"{kind.title} '{id}' already exists"},
                     is_create=True, message=f"{kind.title} already exists!")
    return redirect(f"/{otype}/show/{id}")


@bp.route(f"/{OTYPE}/delete/<id>", methods=["GET"])
def delete_confirm(otype: str, id: str) -> str:
    """The guide deletes on GET; a link must not delete (crawlers, prefetching),
    so GET asks and the button POSTs."""
    kind = KINDS[otype]
    return render_template("confirm_delete.html", item=_load_or_404(kind, id), otype=otype)


@bp.route(f"/{OTYPE}/delete/<id>", methods=["POST"])
def delete_object(otype: str, id: str) -> Any:
    kind = KINDS[otype]
    try:
        store.delete(_db(), kind.name, id)
    except NotFoundError:
        abort(404, description=f"No such {kind.name} '{id}'")
    except store.HasBeers as e:
        brewery = _load_or_404(kind, id)
        page = render_template("confirm_delete.html", item=brewery, otype=otype,
                               blocking=e.beers)
        return page, 409
    return redirect(f"/{otype}")


@bp.route(f"/{OTYPE}/like/<id>", methods=["POST"], defaults={"delta": 1})
@bp.route(f"/{OTYPE}/unlike/<id>", methods=["POST"], defaults={"delta": -1})
def like(otype: str, id: str, delta: int) -> Any:
    kind = KINDS[otype]
    _load_or_404(kind, id)
    count = store.like(_db(), id, delta)
    if request.accept_mimetypes.best == "application/json":
        return _json({"id": id, "likes": count})
    return redirect(f"/{otype}/show/{id}")


__all__ = ["KINDS", "Beer", "bp"]
