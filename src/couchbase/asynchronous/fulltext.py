"""Search hits for callback-driven front ends: subclass :class:`AsyncSearchRequest`.

Twisted's ``searchQueryEx`` instantiates the class and calls its methods as
the response arrives::

    class MyHandler(AsyncSearchRequest):
        def on_rows(self, rows):
            for hit in rows:
                print(hit["id"], hit["score"])

        def on_error(self, ex):      # an Exception (HTTPError, SearchError...)
            print("search failed", ex)

        def on_done(self):
            print("total hits:", self.total_hits)

    client.searchQueryEx(MyHandler, "beers", MatchQuery("stout"), limit=10)
"""

from __future__ import annotations

from .._rows_request import BatchedRowsRequest, PushedRowsRequest
from ..fulltext.request import SearchRequest


class AsyncSearchRequest(PushedRowsRequest, SearchRequest):
    """A :class:`~couchbase.fulltext.SearchRequest` whose hits are pushed to
    :meth:`on_rows` as they arrive, ending with :meth:`on_done` or :meth:`on_error`.

    Constructed as ``cls(body, bucket)``; :meth:`start` sends the request
    (``searchQueryEx`` does both).
    """

    _not_iterable = "an AsyncSearchRequest delivers its hits to on_rows(); it is not iterable"


class BatchedSearchRequest(BatchedRowsRequest, AsyncSearchRequest):
    """Keeps every hit; once done, iterating gives them (what ``searchQueryAll`` fires with)."""


__all__ = ["AsyncSearchRequest", "BatchedSearchRequest"]
