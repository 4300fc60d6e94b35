"""Analytics queries (SDK 2.5): :class:`AnalyticsQuery`, :class:`AnalyticsRequest`
and their deferred forms.

>>> from couchbase.analytics import AnalyticsQuery
>>> q = AnalyticsQuery("SELECT VALUE bw FROM breweries bw WHERE bw.name = $brewery",
...                    brewery="Kona Brewing")
>>> for row in cb.analytics_query(q, "10.0.0.5"):
...     print(row)

Queries go to the analytics service's ``/analytics/service`` (port 8095) of
the node named, or of one the cluster map lists. Errors are
:class:`~couchbase.exceptions.AnalyticsError` (a N1QLError) with the
service's ``code`` and ``msg``.
"""

from .._query4x import (  # the 4.x names (cluster.analytics_query)
    AnalyticsMetaData,
    AnalyticsMetrics,
    AnalyticsScanConsistency,
    AnalyticsStatus,
    AnalyticsWarning,
)
from ..exceptions import AnalyticsError
from ..options import AnalyticsOptions
from .query import AnalyticsQuery, DeferredAnalyticsQuery
from .request import AnalyticsRequest, DeferredAnalyticsRequest

__all__ = ["AnalyticsError", "AnalyticsMetaData", "AnalyticsMetrics", "AnalyticsOptions",
           "AnalyticsQuery", "AnalyticsRequest", "AnalyticsScanConsistency", "AnalyticsStatus",
           "AnalyticsWarning", "DeferredAnalyticsQuery", "DeferredAnalyticsRequest"]
