"""``bucket.view_query`` of the 4.x API: :class:`ViewResult`, :class:`ViewRow`,
:class:`ViewMetaData` and the option enums (re-exported by :mod:`couchbase.views`).

The request is the 2.x :class:`~couchbase.views.iterator.View` of the bucket's
front end, with 4.x options translated to view parameters, 4.x rows and 4.x
errors (:mod:`couchbase._http_errors4x`)::

    result = bucket.view_query("beer", "by_name", ViewOptions(limit=10))
    for row in result.rows():
        print(row.id, row.key, row.value)
    result.metadata().total_rows()
"""

from __future__ import annotations

from enum import Enum
from functools import partial
from typing import Any, Iterator

from ._errors4x import InvalidArgumentException, to_4x
from ._http_errors4x import view_error
from .exceptions import CouchbaseError
from .options import merge
from .views.iterator import RowProcessor, View
from .views.params import Query


class ViewScanConsistency(Enum):
    NOT_BOUNDED = "ok"
    REQUEST_PLUS = "false"
    UPDATE_AFTER = "update_after"


class ViewOrdering(Enum):
    ASCENDING = "false"
    DESCENDING = "true"


class ViewErrorMode(Enum):
    CONTINUE = "continue"
    STOP = "stop"


class ViewRow:
    """One row: ``id`` (the emitting document's; None in reduced rows), ``key``,
    ``value``, ``document`` (None: 4.x views do not fetch documents)."""

    __slots__ = ("id", "key", "value", "document")

    def __init__(self, key: Any, value: Any, docid: Any = None, doc: Any = None) -> None:
        self.id = docid
        self.key = key
        self.value = value
        self.document = getattr(doc, "value", doc)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, ViewRow) and (self.id, self.key, self.value) == (
            other.id, other.key, other.value)

    def __hash__(self) -> int:
        return hash((self.id, repr(self.key)))

    def __repr__(self) -> str:
        return f"ViewRow(id={self.id!r}, key={self.key!r}, value={self.value!r})"


class ViewMetaData:
    """``total_rows()`` (rows in the whole index) and ``debug_info()``."""

    def __init__(self, view: Any) -> None:
        self._view = view

    def total_rows(self) -> int:
        return int(self._view.indexed_rows)

    def debug_info(self) -> Any:
        return self._view.debug_info

    def __repr__(self) -> str:
        return f"ViewMetaData(total_rows={self.total_rows()})"


class ViewResult:
    """The rows of one view query (4.x); iterate once (asyncio: ``async for``; Twisted:
    the Deferred fires with a result whose rows arrived)."""

    def __init__(self, view: Any, rows: Any = None) -> None:
        self._view = view
        self._rows: Any = rows

    def rows(self) -> Any:
        if self._rows is None and hasattr(self._view, "__aiter__"):
            return self.__aiter__()
        return iter(self)

    def __iter__(self) -> Iterator[ViewRow]:
        return iter(self._view if self._rows is None else self._rows)

    def __aiter__(self) -> Any:
        return self._view.__aiter__()

    def metadata(self) -> ViewMetaData:
        """The metadata (its numbers are set once the rows were read)."""
        return ViewMetaData(self._view)

    def __repr__(self) -> str:
        return f"ViewResult({self._view!r})"


_SAME = ("skip", "limit", "startkey", "endkey", "startkey_docid", "endkey_docid",
         "inclusive_end", "group", "group_level", "key", "keys", "reduce", "debug",
         "full_set")


def _params(options: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """View parameters of ``options``, and whether the development namespace is asked."""
    params = {name: options[name] for name in _SAME if name in options}
    if "scan_consistency" in options:
        params["stale"] = getattr(options["scan_consistency"], "value",
                                  options["scan_consistency"])
    if "order" in options:
        params["descending"] = getattr(options["order"], "value", options["order"]) in (
            "true", True)
    if "on_error" in options:
        params["on_error"] = getattr(options["on_error"], "value", options["on_error"])
    if "timeout" in options:
        from .options import timeout_seconds

        params["connection_timeout"] = int(timeout_seconds(options["timeout"]) * 1000)
    params.update(options.get("raw") or {})
    namespace = options.get("namespace")
    dev = bool(getattr(namespace, "value", namespace))  # DesignDocumentNamespace.DEVELOPMENT
    return params, dev


class ViewQuery(Query):
    """The view parameters of a 4.x view query (``ViewOptions`` or their keywords,
    converted as ``view_query`` converts them) with the bucket, design document and view
    they are for: a :class:`~couchbase.views.params.Query` that a
    :class:`ViewRequest` (the 2.x ``View``) runs as ``query=``."""

    def __init__(self, bucket_name: str, design_doc_name: str, view_name: str,
                 *options: Any, **kwargs: Any) -> None:
        params, dev = _params(merge(options, kwargs))
        super().__init__(**params)
        self.bucket_name = bucket_name
        self.design_doc_name = design_doc_name
        self.view_name = view_name
        self.development = dev


ViewRequest = View  # the 4.x name of the request running a view query (rows as iterated)


def view_request(bucket: Any, design: str, view: str, opts: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> ViewResult:
    """A :class:`ViewResult` for ``design``/``view`` of ``bucket``."""
    if not isinstance(design, str) or not design or not isinstance(view, str) or not view:
        raise InvalidArgumentException(message="view_query needs a design document name "
                                               f"and a view name, not {design!r}, {view!r}")
    try:
        params, dev = _params(merge(opts, kwargs))
        request = bucket._view_class(bucket, design, view, use_devmode=dev,
                                     row_processor=RowProcessor(ViewRow), **params)
    except CouchbaseError as exc:
        raise to_4x(exc) from None
    request._convert = partial(view_error, design=design, view=view)
    if hasattr(bucket, "_push_rows"):  # Twisted: a Deferred of the result, as txcouchbase's
        return _deferred(bucket, request)
    return ViewResult(request)


def _deferred(bucket: Any, request: Any) -> Any:
    # the front end's handle (a Deferred; one the application cancelled stays quiet)
    rows: list[ViewRow] = []
    handle, done = bucket._handle()
    bucket._push_rows(request._start, rows.extend,
                      lambda _: done(ViewResult(request, rows), None),
                      lambda error: done(None, error))
    return bucket._deliver(handle)


__all__ = ["ViewErrorMode", "ViewMetaData", "ViewOrdering", "ViewQuery", "ViewRequest",
           "ViewResult", "ViewRow", "ViewScanConsistency", "view_request"]
