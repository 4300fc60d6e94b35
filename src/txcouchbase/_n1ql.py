"""N1QL on Twisted: ``n1qlQueryAll`` (a Deferred of every row) and ``n1qlQueryEx``
(rows streamed into an :class:`~couchbase.asynchronous.n1ql.AsyncN1QLRequest`).

The flows are the sync API's, driven by reactor callbacks; the bucket
manager's methods return Deferreds through the bucket's ``_drive``.
"""

from __future__ import annotations

from typing import Any

from couchbase.asynchronous.n1ql import BatchedN1QLRequest
from couchbase.n1ql.api import N1QLAPI

from ._rows import pushed, whole_result


class TxN1QL:
    """The N1QL methods of the Twisted buckets (mixed in before ``BucketBase``)."""

    def n1qlQueryAll(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        """A Deferred firing, once every row arrived, with a
        :class:`~couchbase.asynchronous.n1ql.BatchedN1QLRequest`: iterate it for the
        rows; ``meta``, ``metrics``... as on the sync N1QLRequest. Arguments as for
        the sync ``n1ql_query``; a failed query fails the Deferred (N1QLError...).

        >>> d = cb.n1qlQueryAll("SELECT name FROM `beer-sample` WHERE abv > $1", 9)
        >>> d.addCallback(lambda rows: [row["name"] for row in rows])
        """
        kwargs["itercls"] = BatchedN1QLRequest
        return whole_result(
            lambda: N1QLAPI.n1ql_query(self, query, *args, **kwargs))  # type: ignore[arg-type]

    def n1ql_query(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        """As :meth:`n1qlQueryAll`: on Twisted a query gives its rows at once."""
        return self.n1qlQueryAll(query, *args, **kwargs)

    def n1qlQueryEx(self, cls: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        """Stream the rows of a N1QL query into a new ``cls`` (an
        :class:`~couchbase.asynchronous.n1ql.AsyncN1QLRequest` subclass): its
        on_rows, then on_done or on_error. Returns that object."""
        kwargs["itercls"] = cls
        return pushed(N1QLAPI.n1ql_query(self, query, *args, **kwargs))  # type: ignore[arg-type]
