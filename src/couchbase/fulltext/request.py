"""The hits and metadata of one search: :class:`SearchRequest`.

:meth:`Bucket.search <couchbase.bucket.Bucket.search>` returns one; the
request goes out when iteration starts, and hits are decoded as they arrive
from the response's ``hits`` array::

    for hit in cb.search("beers", MatchQuery("stout"), limit=10):
        print(hit["id"], hit["score"])

Each hit is the service's JSON object (``id``, ``score``, ``index``,
``locations``, ``fields``, ``fragments``, ``sort``, ``explanation``).
Everything else (``total_hits``, ``max_score``, ``took`` in nanoseconds,
``facets``, ``status``) is in :attr:`SearchRequest.meta` once the hits were
read. A request the service refuses raises
:class:`~couchbase.exceptions.HTTPError` (its ``error`` text in the message);
one that failed on some index partitions raises
:class:`~couchbase.fulltext.SearchError` after the hits it got.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from .._rows_request import Flow, RowsRequest, _identity


class SearchRequest(RowsRequest):
    """One execution of a search, iterated for its hits (once).

    :param body: the request JSON (see :func:`~couchbase.fulltext.make_search_body`)
    :param parent: the bucket to run it on
    :param row_factory: called on each hit; what it returns is yielded
    """

    _kind = "SearchRequest"
    _again = "search again"
    _rows_field = "hits"

    def __init__(self, body: dict[str, Any], parent: Any,
                 row_factory: Callable[[Any], Any] = _identity) -> None:
        super().__init__(parent, row_factory)
        self._body = body

    @classmethod
    def mk_kwargs(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Take this class's own arguments (``row_factory``) out of ``kwargs``."""
        return {k: kwargs.pop(k) for k in ("row_factory",) if k in kwargs}

    @property
    def index(self) -> str:
        return str(self._body.get("indexName", ""))

    @property
    def body(self) -> dict[str, Any]:
        """The JSON sent."""
        return self._body

    path: Optional[str] = None
    """Where the search goes (None: ``/api/index/{index}/query``; a scope's index is
    queried at ``/api/bucket/{bucket}/scope/{scope}/index/{index}/query``)."""

    def _flow(self) -> Flow:
        return self._parent._search_flow(self)

    # -- what came back -------------------------------------------------------------------
    @property
    def total_hits(self) -> int:
        """How many documents matched (may exceed the hits returned: see ``limit``)."""
        return int(self.meta.get("total_hits") or 0)

    @property
    def took(self) -> Any:
        """The service's time for the search, in nanoseconds."""
        return self.meta.get("took")

    @property
    def max_score(self) -> float:
        return float(self.meta.get("max_score") or 0.0)

    @property
    def facets(self) -> dict[str, Any]:
        """The facet results by the names given in ``facets``."""
        return self.meta.get("facets") or {}

    @property
    def status(self) -> dict[str, Any]:
        """``{"total", "failed", "successful"}`` index partitions (and ``errors``)."""
        return self.meta.get("status") or {}

    @property
    def errors(self) -> dict[str, Any]:
        """Errors of the index partitions that failed, by partition."""
        return self.status.get("errors") or {}

    def __repr__(self) -> str:
        return (f"{type(self).__name__}<index={self.index!r}, rows={self.rows_returned}, "
                f"done={self._done}>")


__all__ = ["SearchRequest"]
