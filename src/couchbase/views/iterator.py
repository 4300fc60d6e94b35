"""Iterating over the rows of a view query: :class:`View`, :class:`ViewRow`, :class:`RowProcessor`.

:meth:`Bucket.query <couchbase.bucket.Bucket.query>` returns a :class:`View`;
the request goes out when iteration starts::

    for row in cb.query("beer", "by_name", limit=10, include_docs=True):
        print(row.key, row.docid, row.doc.value["abv"])

By default every row is read before the first is returned; ``streaming=True``
parses rows as they arrive, so memory holds one network chunk of them.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Callable, Iterable, Iterator, Optional
from urllib.parse import quote

from .. import _kv
from ..exceptions import ArgumentError, CouchbaseError, HTTPError
from .params import ONERROR_CONTINUE, Query

ViewRow = namedtuple("ViewRow", ["key", "value", "docid", "doc"])
ViewRow.__doc__ = """One row: the emitted ``key`` and ``value``, the ``docid`` of the
document that emitted it (None in reduced rows) and, with include_docs, ``doc``:
the document's :class:`~couchbase.result.ValueResult`."""

MAX_URI_LENGTH = 2048
"""A view request whose URI would be longer than this sends its ``keys`` in a POST body."""
_DOC = "__doc"  # where include_docs puts a row's document in the raw row


class AlreadyQueriedError(CouchbaseError):
    """The View was already iterated over: make a new one to query again."""


def get_row_doc(row: dict[str, Any]) -> Any:
    """The document include_docs fetched for a raw row (a ValueResult), or None.

    For use in a custom :class:`RowProcessor`.
    """
    return row.get(_DOC)


class RowProcessor:
    """Turns each batch of raw rows (dicts decoded from the server's JSON) into
    what the View yields. Override :meth:`handle_rows` to build your own objects
    (the beer-sample tutorial's ``BeerListRowProcessor``), or pass ``rowclass``.

    ``rowclass`` is called as ``rowclass(key, value, docid, doc)``.
    """

    def __init__(self, rowclass: Any = ViewRow) -> None:
        self.rowclass = rowclass

    def handle_rows(self, rows: list[dict[str, Any]], connection: Any,
                    include_docs: bool) -> Iterable[Any]:
        """The objects to yield for one batch of ``rows``.

        ``connection`` is the bucket the query runs on, ``include_docs``
        whether the documents were fetched (see :func:`get_row_doc`).
        """
        rowclass = self.rowclass
        return [rowclass(row.get("key"), row.get("value"), row.get("id"), row.get(_DOC))
                for row in rows]


class View:
    """The rows of one view query, fetched when iteration starts.

    :param parent: the bucket to query
    :param design: the design document's name (``dev_`` prefixed with ``use_devmode``)
    :param view: the view's name in it
    :param row_processor: a :class:`RowProcessor` (default: yields :class:`ViewRow`)
    :param include_docs: fetch each row's document, one batched get per batch of rows
    :param query: a :class:`~couchbase.views.params.Query` or a raw query string;
        not together with keyword options
    :param streaming: parse rows as they arrive instead of reading the whole response
    :param use_devmode: query the development (``dev_``) design document
    :param params: view options, as for :class:`~couchbase.views.params.Query`

    After iteration :attr:`indexed_rows` holds the server's ``total_rows``
    and :attr:`errors` the errors nodes reported (with ``on_error="continue"``).
    """

    def __init__(self, parent: Any, design: str, view: str, row_processor: Any = None,
                 include_docs: bool = False, query: Any = None, streaming: bool = False,
                 use_devmode: bool = False, **params: Any) -> None:
        if not isinstance(design, str) or not design or not isinstance(view, str) or not view:
            raise ArgumentError("design and view must be non-empty strings",
                                objextra=(design, view))
        if query is not None and params:
            raise ArgumentError("pass view options either as query= or as keywords, not "
                                "both (use query.update() to add to a Query)", objextra=params)
        self._query = Query.from_any(query if query is not None else params)
        if include_docs and self._query._reduces:
            raise ArgumentError("include_docs needs map rows: reduce, group or group_level "
                                "was set", objextra=self._query)
        if row_processor is not None and not callable(getattr(row_processor, "handle_rows",
                                                              None)):
            raise ArgumentError("row_processor must have a handle_rows method",
                                objextra=row_processor)
        from .._http.flows import design_name

        self._parent = parent
        self.design = design_name(design, use_devmode)
        self.view = view
        self.include_docs = bool(include_docs)
        self.streaming = bool(streaming)
        self.row_processor = row_processor if row_processor is not None else RowProcessor()
        self.rows_returned = 0
        self.errors: list[Any] = []
        self.debug_info: Any = None
        self._indexed_rows: Optional[int] = None
        self._started = False
        self._done = False

    # -- what the query asks for ------------------------------------------------------
    @property
    def query(self) -> Query:
        """The options sent (a copy of the Query given)."""
        return self._query

    @property
    def _path(self) -> str:
        from .._http.flows import design_path

        return f"{design_path(self._parent.bucket, self.design)}/_view/{quote(self.view, safe='')}"

    @property
    def indexed_rows(self) -> int:
        """The server's ``total_rows``: rows in the whole index (0 until it arrived)."""
        return self._indexed_rows or 0

    @property
    def done(self) -> bool:
        """Whether every row arrived."""
        return self._done

    # -- iteration ----------------------------------------------------------------------
    def _start(self) -> Any:
        """The flow of this query (once)."""
        if self._started:
            raise AlreadyQueriedError("this View was already iterated over; "
                                      "make a new one to query again")
        self._started = True
        flow = self._parent._view_flow(self)
        if self._convert is None:
            return flow
        from .._http_errors4x import translated  # (the 4.x API's ViewResult)

        return translated(flow, self._convert)

    _convert: Optional[Callable[[Any], BaseException]] = None

    def __iter__(self) -> Iterator[Any]:
        return self._parent._rows(self._start())

    # -- used by the flow ----------------------------------------------------------------------
    def _doc_ops(self, rows: list[Any]) -> list[Any]:
        """Quiet gets of the distinct document ids of ``rows``."""
        parent = self._parent
        no_format = parent.data_passthrough
        decoder = parent._decode_value
        seen: set[str] = set()
        ops = []
        for row in rows:
            docid = row.get("id") if isinstance(row, dict) else None
            if isinstance(docid, str) and docid not in seen:
                seen.add(docid)
                ops.append(parent._op(docid, _kv.get_request(docid), _kv.value_result,
                                      True, no_format, decoder))
        return ops

    def _attach_docs(self, rows: list[Any], results: list[Any]) -> None:
        by_id = {result.key: result for result in results}
        for row in rows:
            if isinstance(row, dict) and row.get("id") in by_id:
                row[_DOC] = by_id[row["id"]]

    def _finish(self, meta: dict[str, Any]) -> None:
        self._done = True
        if isinstance(meta.get("total_rows"), int):
            self._indexed_rows = meta["total_rows"]
        self.debug_info = meta.get("debug_info")
        errors = meta.get("errors")
        if errors:
            self.errors = list(errors) if isinstance(errors, list) else [errors]
            if self._query.on_error != ONERROR_CONTINUE:
                raise HTTPError(f"view {self.design}/{self.view} failed on some nodes: "
                                f"{self.errors}", status=200, objextra=self.errors)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}<Design={self.design}, View={self.view}, "
                f"Query={self._query.encoded!r}, Rows Fetched={self.rows_returned}>")


__all__ = ["AlreadyQueriedError", "RowProcessor", "View", "ViewRow", "get_row_doc"]
