"""What one analytics request asks for: :class:`AnalyticsQuery` and
:class:`DeferredAnalyticsQuery` (SDK 2.5).

An analytics query is a N1QL-for-Analytics (SQL++) statement and the JSON
body POSTed to the analytics service's ``/analytics/service``: the same
shape as a N1QL request (``statement``, positional ``args`` for ``?``,
``$name`` members for named placeholders, request options), so it is a
:class:`~couchbase.n1ql.N1QLQuery` that is never prepared.

>>> q = AnalyticsQuery("SELECT VALUE bw FROM breweries bw WHERE bw.name = ?",
...                    "Kona Brewing")
>>> q.encoded
'{"statement": "SELECT VALUE bw FROM breweries bw WHERE bw.name = ?", "args": ["Kona Brewing"]}'
"""

from __future__ import annotations

from typing import Any

from ..n1ql.query import N1QLQuery


class AnalyticsQuery(N1QLQuery):
    """One analytics statement and its parameters and options.

    :param querystr: the statement
    :param args: values of the positional placeholders (``?``)
    :param kwargs: values of the named placeholders, without the ``$``
        (``brewery="Kona Brewing"`` for ``$brewery``)

    Placeholder values are Python values, sent as JSON:
    ``AnalyticsQuery("SELECT VALUE bw FROM breweries bw WHERE bw.name IN ?",
    ["Kona Brewing", "21st Amendment Brewery Cafe"])``. Other request options
    go in with :meth:`set_option` (``q.set_option("scan_wait", "1s")``).
    """

    def __init__(self, querystr: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(querystr, *args, **kwargs)

    @property
    def adhoc(self) -> bool:
        """Always True: the analytics service has no prepared statements."""
        return True

    @adhoc.setter
    def adhoc(self, value: bool) -> None:
        if not value:
            raise ValueError("analytics queries cannot be prepared")

    @property
    def deferred(self) -> bool:
        """Whether the service runs the query in the background (``mode: async``)."""
        return self._body.get("mode") == "async"


class DeferredAnalyticsQuery(AnalyticsQuery):
    """An analytics query the service runs in the background (``mode: async``):
    the request returns a handle at once, and
    :class:`~couchbase.analytics.DeferredAnalyticsRequest` polls it until the
    rows are ready, then fetches them. Arguments as for :class:`AnalyticsQuery`.
    """

    def __init__(self, querystr: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(querystr, *args, **kwargs)
        self.set_option("mode", "async")


__all__ = ["AnalyticsQuery", "DeferredAnalyticsQuery"]
