"""Full-text search on Twisted: ``searchQueryAll`` (a Deferred of every hit) and
``searchQueryEx`` (hits streamed into an
:class:`~couchbase.asynchronous.fulltext.AsyncSearchRequest`).

The flow is the sync API's, driven by reactor callbacks.
"""

from __future__ import annotations

from typing import Any

from couchbase.asynchronous.fulltext import BatchedSearchRequest
from couchbase.fulltext.api import SearchAPI

from ._rows import pushed, whole_result


class TxSearch:
    """The search methods of the Twisted buckets (mixed in before ``BucketBase``)."""

    def searchQueryAll(self, index: str, query: Any, *args: Any, **kwargs: Any) -> Any:
        """A Deferred firing, once every hit arrived, with a
        :class:`~couchbase.asynchronous.fulltext.BatchedSearchRequest`: iterate it
        for the hits; ``total_hits``, ``facets``, ``meta``... as on the sync
        SearchRequest. Arguments as for the sync ``search``; a failed search
        fails the Deferred (HTTPError, SearchError...).

        >>> d = cb.searchQueryAll("beers", MatchQuery("stout"), limit=10)
        >>> d.addCallback(lambda req: [hit["id"] for hit in req])
        """
        kwargs["itercls"] = BatchedSearchRequest
        return whole_result(lambda: SearchAPI.search(
            self, index, query, *args, **kwargs))  # type: ignore[arg-type]

    def search(self, index: str, query: Any, *args: Any, **kwargs: Any) -> Any:
        """As :meth:`searchQueryAll`: on Twisted a search gives its hits at once."""
        return self.searchQueryAll(index, query, *args, **kwargs)

    def searchQueryEx(self, cls: Any, index: str, query: Any, *args: Any,
                      **kwargs: Any) -> Any:
        """Stream the hits of a search into a new ``cls`` (an
        :class:`~couchbase.asynchronous.fulltext.AsyncSearchRequest` subclass):
        its on_rows, then on_done or on_error. Returns that object."""
        kwargs["itercls"] = cls
        return pushed(SearchAPI.search(
            self, index, query, *args, **kwargs))  # type: ignore[arg-type]
