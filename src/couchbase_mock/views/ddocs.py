"""Design documents: validation and the per-bucket store.

A design document is ``_design/<name>``; names starting with ``dev_`` are
development documents (their views index a subset of the data unless a
query says ``full_set=true``). Publishing is the client's business: it reads
``_design/dev_x`` and writes it as ``_design/x``; the server sees two PUTs.

A document is a JSON object; its ``views`` member maps view names to
``{"map": "<function>", "reduce": "<function>|_count|_sum|_stats"}``. Errors
are the server's: 400 ``invalid_design_document`` with a reason.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Optional

from . import jsengine

DEV_PREFIX = "dev_"
BUILTIN_REDUCES = ("_count", "_sum", "_stats")


class DesignError(Exception):
    """A design document the server refuses: ``(error, reason)``."""

    def __init__(self, error: str, reason: str) -> None:
        super().__init__(reason)
        self.error = error
        self.reason = reason


class ViewDef:
    """One view: its map source and its reduce (``None``, a builtin name or JS)."""

    __slots__ = ("name", "map", "reduce")

    def __init__(self, name: str, map_src: str, reduce: Optional[str]) -> None:
        self.name = name
        self.map = map_src
        self.reduce = reduce

    @property
    def custom_reduce(self) -> bool:
        return self.reduce is not None and self.reduce not in BUILTIN_REDUCES


class DesignDoc:
    """A stored design document: its body as sent, its views, its revision."""

    __slots__ = ("name", "body", "views", "rev")

    def __init__(self, name: str, body: dict[str, Any], views: dict[str, ViewDef],
                 rev: str) -> None:
        self.name = name
        self.body = body
        self.views = views
        self.rev = rev

    @property
    def id(self) -> str:
        return f"_design/{self.name}"

    @property
    def is_dev(self) -> bool:
        return self.name.startswith(DEV_PREFIX)

    def signature(self) -> tuple[tuple[str, str, Optional[str]], ...]:
        """What the index depends on: the views' names and functions."""
        return tuple((v.name, v.map, v.reduce) for v in self.views.values())


async def parse(name: str, raw: bytes) -> tuple[dict[str, Any], dict[str, ViewDef]]:
    """Decode and check a design document body; raises :class:`DesignError`
    (and :class:`~.jsengine.JSError` if the functions could not be checked).

    The JavaScript is compiled in the engine's worker, all of it in one call,
    while the event loop goes on."""
    body, views = _shape(raw)
    sources: list[str] = []
    for view in views.values():
        sources.append(view.map)
        if view.custom_reduce:
            assert view.reduce is not None
            sources.append(view.reduce)
    errors = iter(await jsengine.check_functions(sources))
    for view_name, view in views.items():
        error = next(errors)
        if error is not None:
            raise DesignError(
                "invalid_design_document",
                f"Syntax error in the map function of the view `{view_name}': {error}",
            )
        if view.custom_reduce:
            error = next(errors)
            if error is not None:
                raise DesignError(
                    "invalid_design_document",
                    f"Syntax error in the reduce function of the view `{view_name}': "
                    f"{error}",
                )
    return body, views


def _shape(raw: bytes) -> tuple[dict[str, Any], dict[str, ViewDef]]:
    """Decode a design document body and check its shape (not its JavaScript)."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DesignError("bad_request", "invalid UTF-8 JSON") from None
    if not isinstance(body, dict):
        raise DesignError("bad_request", "Document must be a JSON object")
    views_json = body.get("views", {})
    if not isinstance(views_json, dict):
        raise DesignError("invalid_design_document", "`views` is not an object")
    views: dict[str, ViewDef] = {}
    for view_name, spec in views_json.items():
        if not isinstance(spec, dict):
            raise DesignError(
                "invalid_design_document", f"View `{view_name}' is not a JSON object"
            )
        map_src = spec.get("map")
        if not isinstance(map_src, str):
            raise DesignError(
                "invalid_design_document", f"View `{view_name}' has no map function"
            )
        reduce = spec.get("reduce")
        if reduce is not None:
            if not isinstance(reduce, str):
                raise DesignError(
                    "invalid_design_document",
                    f"The reduce function of the view `{view_name}' is not a string",
                )
            if reduce.strip().startswith("_"):
                reduce = reduce.strip()
                if reduce not in BUILTIN_REDUCES:
                    raise DesignError(
                        "invalid_design_document",
                        f"Reduce function of the view `{view_name}' uses an invalid "
                        f"builtin reduce function: {reduce}",
                    )
        views[view_name] = ViewDef(view_name, map_src, reduce)
    return body, views


class DesignStore:
    """The design documents of one bucket, by name (without ``_design/``)."""

    def __init__(self) -> None:
        self.docs: dict[str, DesignDoc] = {}
        self._revno: dict[str, int] = {}

    def get(self, name: str) -> Optional[DesignDoc]:
        return self.docs.get(name)

    async def put(self, name: str, raw: bytes) -> DesignDoc:
        body, views = await parse(name, raw)
        body.pop("_id", None)
        body.pop("_rev", None)
        revno = self._revno.get(name, 0) + 1
        self._revno[name] = revno
        doc = DesignDoc(name, body, views, f"{revno}-{secrets.token_hex(4)}")
        self.docs[name] = doc
        return doc

    def delete(self, name: str) -> Optional[DesignDoc]:
        return self.docs.pop(name, None)

    # -- the data directory (couchbase_mock.persistence) ---------------------------

    def to_json(self) -> dict[str, Any]:
        """``{name: {"body", "rev"}}``, what :meth:`restore` takes back."""
        return {name: {"body": doc.body, "rev": doc.rev} for name, doc in self.docs.items()}

    def restore(self, saved: dict[str, Any]) -> None:
        """Design documents saved by :meth:`to_json` (checked when they were put)."""
        for name, entry in saved.items():
            body = entry["body"]
            views = {
                view_name: ViewDef(view_name, spec["map"],
                                   spec["reduce"].strip() if isinstance(spec.get("reduce"), str)
                                   else None)
                for view_name, spec in body.get("views", {}).items()
            }
            self.docs[name] = DesignDoc(name, body, views, entry["rev"])
            self._revno[name] = int(entry["rev"].split("-", 1)[0])

    def listing(self, bucket: str) -> dict[str, Any]:
        """``GET /pools/default/buckets/<bucket>/ddocs``."""
        rows = []
        for doc in sorted(self.docs.values(), key=lambda d: d.id):
            base = f"/pools/default/buckets/{bucket}/ddocs/_design%2F{doc.name}"
            rows.append(
                {
                    "doc": {"meta": {"id": doc.id, "rev": doc.rev}, "json": doc.body},
                    "controllers": {
                        "compact": f"{base}/controller/compactView",
                        "setUpdateMinChanges": f"{base}/controller/setUpdateMinChanges",
                    },
                }
            )
        return {"rows": rows}
