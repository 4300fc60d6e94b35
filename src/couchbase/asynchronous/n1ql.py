"""N1QL rows for callback-driven front ends: subclass :class:`AsyncN1QLRequest`.

Twisted's ``n1qlQueryEx`` instantiates the class and calls its methods as the
response arrives::

    class MyHandler(AsyncN1QLRequest):
        def on_rows(self, rows):
            for row in rows:
                print(row["name"])

        def on_error(self, ex):      # an Exception (a N1QLError...), not a Failure
            print("query failed", ex)

        def on_done(self):
            print("status:", self.meta["status"])

    client.n1qlQueryEx(MyHandler, "SELECT name FROM `beer-sample` WHERE abv > $1", 9)
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ..n1ql.request import N1QLRequest


class AsyncN1QLRequest(N1QLRequest):
    """A :class:`~couchbase.n1ql.N1QLRequest` whose rows are pushed to :meth:`on_rows`
    as they arrive, ending with :meth:`on_done` or :meth:`on_error`.

    Constructed as ``cls(query, bucket)``; :meth:`start` sends the request
    (``n1qlQueryEx`` does both).
    """

    def start(self) -> AsyncN1QLRequest:
        """Send the request; rows arrive in :meth:`on_rows` calls."""
        self._parent._start_async_n1ql(self)
        return self

    def on_rows(self, rows: Iterable[Any]) -> None:
        """Called with each batch of rows (after the row factory)."""

    def on_error(self, ex: BaseException) -> None:
        """Called once if the request fails, with the exception."""

    def on_done(self) -> None:
        """Called once every row was delivered; :attr:`meta` is set."""

    @property
    def meta(self) -> dict[str, Any]:
        return self._meta or {}

    def __iter__(self) -> Any:
        raise TypeError("an AsyncN1QLRequest delivers its rows to on_rows(); "
                        "it is not iterable")


class BatchedN1QLRequest(AsyncN1QLRequest):
    """Keeps every row; once done, iterating gives them (what ``n1qlQueryAll`` fires with)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rows: list[Any] = []

    def on_rows(self, rows: Iterable[Any]) -> None:
        self._rows.extend(rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def get_single_result(self) -> Any:
        return self._rows[0] if self._rows else None


__all__ = ["AsyncN1QLRequest", "BatchedN1QLRequest"]
