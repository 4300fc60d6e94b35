"""Design document management (SDK 4.x): ``bucket.view_indexes()``.

>>> mgr = bucket.view_indexes()
>>> mgr.upsert_design_document(
...     DesignDocument("beers", {"by_name": View(map="function (doc) { emit(doc.name); }")}),
...     DesignDocumentNamespace.DEVELOPMENT)
>>> mgr.publish_design_document("beers")
>>> mgr.get_design_document("beers", DesignDocumentNamespace.PRODUCTION).views
{'by_name': View(...)}

A development document is stored as ``dev_<name>``; the namespace says which
one a call means. Over the views port (``/<bucket>/_design/<name>``), with
the flows of :mod:`couchbase._http.flows` the 2.x ``design_*`` methods use,
and the management port's ``ddocs`` listing.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any, Optional

from .._http.flows import (
    design_create_flow,
    design_delete_flow,
    design_get_flow,
    design_publish_flow,
)
from .._http.management import bucket_path, http_flow
from ._errors import invalid_argument
from ._manager import Manager, check_name, returning_none
from .options import (
    DropDesignDocumentOptions,
    GetAllDesignDocumentsOptions,
    GetDesignDocumentOptions,
    PublishDesignDocumentOptions,
    UpsertDesignDocumentOptions,
    merge,
)

DEV_PREFIX = "dev_"


class DesignDocumentNamespace(Enum):
    PRODUCTION = False
    DEVELOPMENT = True

    def prefix(self, name: str) -> str:
        """``name`` as stored in this namespace."""
        return DEV_PREFIX + name if self.value else name

    @classmethod
    def unprefix(cls, name: str) -> tuple[str, DesignDocumentNamespace]:
        if name.startswith(DEV_PREFIX):
            return name[len(DEV_PREFIX):], cls.DEVELOPMENT
        return name, cls.PRODUCTION


class View:
    """A view: its ``map`` function (JavaScript text) and optional ``reduce``."""

    def __init__(self, map: str, reduce: Optional[str] = None,
                 name: Optional[str] = None) -> None:
        self._map = map
        self._reduce = reduce
        self._name = name

    @property
    def map(self) -> str:
        return self._map

    @property
    def reduce(self) -> Optional[str]:
        return self._reduce

    def as_dict(self, name: Optional[str] = None) -> dict[str, Any]:
        out = {"map": self._map}
        if self._reduce:
            out["reduce"] = self._reduce
        return out

    def to_json(self) -> str:
        return json.dumps(self.as_dict())

    @classmethod
    def from_json(cls, json_view: Any) -> View:
        if isinstance(json_view, str):
            json_view = json.loads(json_view)
        return cls(json_view.get("map", ""), json_view.get("reduce"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, View) and (self._map, self._reduce) == (other._map,
                                                                         other._reduce)

    def __hash__(self) -> int:
        return hash((self._map, self._reduce))

    def __repr__(self) -> str:
        return f"View(map={self._map!r}, reduce={self._reduce!r})"


class DesignDocument:
    """A design document: its ``name`` (without ``dev_``), its ``views`` by name, the
    ``namespace`` it was read from and its ``rev``."""

    def __init__(self, name: str, views: dict[str, View],
                 namespace: Optional[DesignDocumentNamespace] = None,
                 rev: Optional[str] = None) -> None:
        self._name = name
        self._views = dict(views or {})
        self._namespace = namespace
        self._rev = rev

    name = property(lambda self: self._name)
    views = property(lambda self: self._views)
    namespace = property(lambda self: self._namespace)
    rev = property(lambda self: self._rev)

    def add_view(self, name: str, view: View) -> DesignDocument:
        self._views[name] = view
        return self

    def get_view(self, name: str) -> View:
        return self._views[name]

    def as_dict(self, namespace: DesignDocumentNamespace) -> dict[str, Any]:
        return {"_id": f"_design/{namespace.prefix(self._name)}",
                "views": {n: v.as_dict(n) for n, v in self._views.items()}}

    @classmethod
    def from_json(cls, raw_json: Any, name: Optional[str] = None,
                  rev: Optional[str] = None) -> DesignDocument:
        if isinstance(raw_json, str):
            raw_json = json.loads(raw_json)
        raw_json = raw_json or {}
        full = name or str(raw_json.get("_id", "")).replace("_design/", "", 1)
        short, namespace = DesignDocumentNamespace.unprefix(full)
        views = {n: View.from_json(v) for n, v in (raw_json.get("views") or {}).items()}
        return cls(short, views, namespace, rev or raw_json.get("_rev"))

    def __repr__(self) -> str:
        return (f"DesignDocument(name={self._name!r}, views={self._views!r}, "
                f"namespace={self._namespace!r})")


def _namespace(value: Any) -> DesignDocumentNamespace:
    if not isinstance(value, DesignDocumentNamespace):
        raise invalid_argument(f"namespace must be a DesignDocumentNamespace, not {value!r}")
    return value


def _listing(bucket: str, namespace: DesignDocumentNamespace, answer: Any) -> list[Any]:
    out = []
    for row in (answer or {}).get("rows") or ():
        doc = row.get("doc") or {}
        meta = doc.get("meta") or {}
        full = str(meta.get("id", "")).replace("_design/", "", 1)
        if DesignDocumentNamespace.unprefix(full)[1] is namespace:
            out.append(DesignDocument.from_json(doc.get("json") or {}, full, meta.get("rev")))
    return out


class ViewIndexManager(Manager):
    """The design documents of one bucket.

    On acouchbase each method returns an awaitable, on txcouchbase a Deferred.
    """

    _errors = "view"

    def get_design_document(self, design_doc_name: str, namespace: DesignDocumentNamespace,
                            *options: GetDesignDocumentOptions,
                            **kwargs: Any) -> DesignDocument:
        """:raise: DesignDocumentNotFoundException"""
        full = _namespace(namespace).prefix(check_name(design_doc_name, "design_doc_name"))
        bucket = self._owner.bucket

        def flow(ep: Any) -> Any:
            got = yield from design_get_flow(ep, bucket, full)
            return DesignDocument.from_json(got.value, full)

        return self._call(flow, merge(GetDesignDocumentOptions, options, kwargs),
                          service="views")

    def get_all_design_documents(self, namespace: DesignDocumentNamespace,
                                 *options: GetAllDesignDocumentsOptions,
                                 **kwargs: Any) -> list[DesignDocument]:
        """The bucket's design documents in ``namespace``."""
        space = _namespace(namespace)
        bucket = self._owner.bucket

        def flow(ep: Any) -> Any:
            got = yield from http_flow(ep, bucket_path(bucket) + "/ddocs")
            return _listing(bucket, space, got.value)

        return self._call(flow, merge(GetAllDesignDocumentsOptions, options, kwargs))

    def upsert_design_document(self, design_doc_data: DesignDocument,
                               namespace: DesignDocumentNamespace,
                               *options: UpsertDesignDocumentOptions, **kwargs: Any) -> None:
        """Create or replace a design document in ``namespace``."""
        if not isinstance(design_doc_data, DesignDocument):
            raise invalid_argument(f"expected a DesignDocument, not {design_doc_data!r}")
        space = _namespace(namespace)
        full = space.prefix(check_name(design_doc_data.name, "the design document's name"))
        body = {"views": {n: v.as_dict(n) for n, v in design_doc_data.views.items()}}
        bucket = self._owner.bucket
        return self._call(lambda ep: returning_none(design_create_flow(ep, bucket, full,
                                                                       body, 0)),
                          merge(UpsertDesignDocumentOptions, options, kwargs), service="views")

    def drop_design_document(self, design_doc_name: str, namespace: DesignDocumentNamespace,
                             *options: DropDesignDocumentOptions, **kwargs: Any) -> None:
        """:raise: DesignDocumentNotFoundException"""
        full = _namespace(namespace).prefix(check_name(design_doc_name, "design_doc_name"))
        bucket = self._owner.bucket
        return self._call(lambda ep: returning_none(design_delete_flow(ep, bucket, full, 0)),
                          merge(DropDesignDocumentOptions, options, kwargs), service="views")

    def publish_design_document(self, design_doc_name: str,
                                *options: PublishDesignDocumentOptions, **kwargs: Any) -> None:
        """Copy the development document ``dev_<name>`` to production ``<name>``.
        :raise: DesignDocumentNotFoundException (no development document)"""
        name = check_name(design_doc_name, "design_doc_name")
        bucket = self._owner.bucket
        return self._call(lambda ep: returning_none(design_publish_flow(ep, bucket, name, 0)),
                          merge(PublishDesignDocumentOptions, options, kwargs), service="views")


__all__ = ["DesignDocument", "DesignDocumentNamespace", "View", "ViewIndexManager"]
