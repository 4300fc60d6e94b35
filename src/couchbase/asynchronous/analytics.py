"""Analytics rows for callback-driven front ends: subclass :class:`AsyncAnalyticsRequest`.

Twisted's ``analyticsQueryEx`` instantiates the class and calls its methods as the
response arrives (the N1QL handler's contract, :mod:`couchbase.asynchronous.n1ql`)::

    class MyHandler(AsyncAnalyticsRequest):
        def on_rows(self, rows):
            for row in rows:
                print(row)

        def on_error(self, ex):      # an Exception (an AnalyticsError...)
            print("query failed", ex)

        def on_done(self):
            print("status:", self.meta["status"])

    client.analyticsQueryEx(MyHandler, "SELECT VALUE 1", "10.0.0.5")
"""

from __future__ import annotations

from ..analytics.request import AnalyticsRequest, DeferredAnalyticsRequest
from .n1ql import AsyncN1QLRequest, BatchedN1QLRequest


class AsyncAnalyticsRequest(AnalyticsRequest, AsyncN1QLRequest):
    """An :class:`~couchbase.analytics.AnalyticsRequest` whose rows are pushed to
    ``on_rows``, ending with ``on_done`` or ``on_error``."""


class AsyncDeferredAnalyticsRequest(DeferredAnalyticsRequest, AsyncN1QLRequest):
    """A deferred analytics request whose rows are pushed to ``on_rows``."""


class BatchedAnalyticsRequest(AnalyticsRequest, BatchedN1QLRequest):
    """Keeps every row; once done, iterating gives them (what ``analytics_query``
    fires with on Twisted)."""


class BatchedDeferredAnalyticsRequest(DeferredAnalyticsRequest, BatchedN1QLRequest):
    """The deferred form of :class:`BatchedAnalyticsRequest`."""


__all__ = ["AsyncAnalyticsRequest", "AsyncDeferredAnalyticsRequest", "BatchedAnalyticsRequest",
           "BatchedDeferredAnalyticsRequest"]
