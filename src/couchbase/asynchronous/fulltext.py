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

from typing import Any, Iterable, Iterator

from ..fulltext.request import SearchRequest


class AsyncSearchRequest(SearchRequest):
    """A :class:`~couchbase.fulltext.SearchRequest` whose hits are pushed to
    :meth:`on_rows` as they arrive, ending with :meth:`on_done` or :meth:`on_error`.

    Constructed as ``cls(body, bucket)``; :meth:`start` sends the request
    (``searchQueryEx`` does both).
    """

    def start(self) -> AsyncSearchRequest:
        """Send the request; hits arrive in :meth:`on_rows` calls."""
        self._parent._push_rows(self._start, self.on_rows, lambda _: self.on_done(),
                                self.on_error)
        return self

    def on_rows(self, rows: Iterable[Any]) -> None:
        """Called with each batch of hits (after the row factory)."""

    def on_error(self, ex: BaseException) -> None:
        """Called once if the search fails, with the exception."""

    def on_done(self) -> None:
        """Called once every hit was delivered; :attr:`meta` is set."""

    @property
    def meta(self) -> dict[str, Any]:
        return self._meta or {}

    def __iter__(self) -> Any:
        raise TypeError("an AsyncSearchRequest delivers its hits to on_rows(); "
                        "it is not iterable")


class BatchedSearchRequest(AsyncSearchRequest):
    """Keeps every hit; once done, iterating gives them (what ``searchQueryAll`` fires with)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._hits: list[Any] = []

    def on_rows(self, rows: Iterable[Any]) -> None:
        self._hits.extend(rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._hits)

    def __len__(self) -> int:
        return len(self._hits)


__all__ = ["AsyncSearchRequest", "BatchedSearchRequest"]
