"""Streaming view rows into callbacks: subclass :class:`AsyncViewBase`.

Twisted's ``queryEx`` instantiates the class and calls its methods as the
response arrives::

    class MyRowHandler(AsyncViewBase):
        def on_rows(self, rows):
            for row in rows:
                print(row.key)

        def on_error(self, ex):      # an Exception, not a Failure
            print("view failed", ex)

        def on_done(self):
            print("indexed rows:", self.indexed_rows)

    client.queryEx(MyRowHandler, "beer", "brewery_beers", limit=100)
"""

from __future__ import annotations

from typing import Any, Iterable

from ..views.iterator import View


class AsyncViewBase(View):
    """A :class:`~couchbase.views.iterator.View` whose rows are pushed to :meth:`on_rows`
    (streaming by default), ending with :meth:`on_done` or :meth:`on_error`.

    Constructed as ``cls(bucket, design, view, **options)``; :meth:`start`
    sends the query (``queryEx`` does both).
    """

    def __init__(self, parent: Any, design: str, view: str, **kwargs: Any) -> None:
        kwargs.setdefault("streaming", True)
        super().__init__(parent, design, view, **kwargs)

    def start(self) -> AsyncViewBase:
        """Send the query; rows arrive in :meth:`on_rows` calls."""
        self._parent._start_async_view(self)
        return self

    def on_rows(self, rows: Iterable[Any]) -> None:
        """Called with each batch of rows (as the row processor made them)."""

    def on_error(self, ex: BaseException) -> None:
        """Called once if the query fails, with the exception."""

    def on_done(self) -> None:
        """Called once every row was delivered; :attr:`indexed_rows` is set."""

    def __iter__(self) -> Any:
        raise TypeError("an AsyncViewBase delivers its rows to on_rows(); it is not iterable")


__all__ = ["AsyncViewBase"]
