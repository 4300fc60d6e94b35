"""``BatchedView``: a view handler that keeps every row (SDK 2.x's
``txcouchbase.bucket.BatchedView``, re-exported there).

``client.queryEx(BatchedView, "beer", "brewery_beers", limit=10)`` streams
the rows into it; once ``on_done`` ran, iterating it gives them in order.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from .view import AsyncViewBase


class BatchedView(AsyncViewBase):
    """An :class:`~couchbase.asynchronous.view.AsyncViewBase` that keeps its rows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._batched_rows: list[Any] = []
        self.error: Any = None

    def on_rows(self, rows: Iterable[Any]) -> None:
        self._batched_rows.extend(rows)

    def on_error(self, ex: BaseException) -> None:
        self.error = ex

    def on_done(self) -> None:
        pass  # ``done`` (the View's) is already True

    def __iter__(self) -> Iterator[Any]:
        return iter(self._batched_rows)

    def __len__(self) -> int:
        return len(self._batched_rows)


__all__ = ["BatchedView"]
