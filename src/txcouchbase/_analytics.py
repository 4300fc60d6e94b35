"""Analytics on Twisted: ``analytics_query`` (a Deferred of every row) and
``analyticsQueryEx`` (rows streamed into an
:class:`~couchbase.asynchronous.analytics.AsyncAnalyticsRequest`).

The flows are the sync API's, driven by reactor callbacks, as for N1QL.
"""

from __future__ import annotations

from typing import Any

from couchbase.analytics.api import AnalyticsAPI
from couchbase.analytics.query import DeferredAnalyticsQuery
from couchbase.asynchronous.analytics import (
    BatchedAnalyticsRequest,
    BatchedDeferredAnalyticsRequest,
)

from ._rows import pushed, whole_result


class TxAnalytics:
    """The analytics methods of the Twisted buckets (mixed in before ``BucketBase``)."""

    def analytics_query(self, query: Any, host: Any = None, *args: Any, **kwargs: Any) -> Any:
        """A Deferred firing, once every row arrived, with a
        :class:`~couchbase.asynchronous.analytics.BatchedAnalyticsRequest`: iterate
        it for the rows; ``meta`` as on the sync request. Arguments as for the sync
        ``analytics_query``; a failed query fails the Deferred (AnalyticsError...).
        """
        kwargs["itercls"] = (BatchedDeferredAnalyticsRequest
                             if isinstance(query, DeferredAnalyticsQuery)
                             else BatchedAnalyticsRequest)
        return whole_result(lambda: AnalyticsAPI.analytics_query(
            self, query, host, *args, **kwargs))  # type: ignore[arg-type]

    def analyticsQueryEx(self, cls: Any, query: Any, host: Any = None, *args: Any,
                         **kwargs: Any) -> Any:
        """Stream the rows of an analytics query into a new ``cls`` (an
        :class:`~couchbase.asynchronous.analytics.AsyncAnalyticsRequest`
        subclass): its on_rows, then on_done or on_error. Returns that object."""
        kwargs["itercls"] = cls
        return pushed(AnalyticsAPI.analytics_query(
            self, query, host, *args, **kwargs))  # type: ignore[arg-type]
