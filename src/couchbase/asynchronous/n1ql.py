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

from typing import Any

from .._rows_request import BatchedRowsRequest, PushedRowsRequest
from ..n1ql.request import N1QLRequest


class AsyncN1QLRequest(PushedRowsRequest, N1QLRequest):
    """A :class:`~couchbase.n1ql.N1QLRequest` whose rows are pushed to :meth:`on_rows`
    as they arrive, ending with :meth:`on_done` or :meth:`on_error`.

    Constructed as ``cls(query, bucket)``; :meth:`start` sends the request
    (``n1qlQueryEx`` does both).
    """

    _not_iterable = "an AsyncN1QLRequest delivers its rows to on_rows(); it is not iterable"


class BatchedN1QLRequest(BatchedRowsRequest, AsyncN1QLRequest):
    """Keeps every row; once done, iterating gives them (what ``n1qlQueryAll`` fires with)."""

    def get_single_result(self) -> Any:
        return self._kept[0] if self._kept else None


__all__ = ["AsyncN1QLRequest", "BatchedN1QLRequest"]
