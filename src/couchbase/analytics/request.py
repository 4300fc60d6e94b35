"""The rows and metadata of one analytics request: :class:`AnalyticsRequest`
and, for queries the service runs in the background, :class:`DeferredAnalyticsRequest`.

:meth:`Bucket.analytics_query <couchbase.bucket.Bucket.analytics_query>`
returns one; the request goes out when iteration starts::

    q = AnalyticsQuery("SELECT VALUE bw FROM breweries bw WHERE bw.name = $brewery",
                       brewery="Kona Brewing")
    for row in cb.analytics_query(q, "10.0.0.5"):
        print(row)

As with :class:`~couchbase.n1ql.N1QLRequest` (which these are),
:attr:`~couchbase.n1ql.N1QLRequest.meta` holds everything but the rows,
``execute()`` runs the query and drops the rows, ``get_single_result()``
gives the first. A failed query raises
:class:`~couchbase.exceptions.AnalyticsError` from the iteration.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable

from .._rows_request import Flow, _identity
from ..exceptions import ArgumentError
from ..n1ql.query import go_duration, parse_duration
from ..n1ql.request import N1QLRequest
from .query import AnalyticsQuery, DeferredAnalyticsQuery

DEFAULT_TIMEOUT = 75.0
"""Seconds the analytics service may take when the query sets no timeout."""


def _as_query(params: Any, cls: type[AnalyticsQuery] = AnalyticsQuery) -> AnalyticsQuery:
    if isinstance(params, str):
        return cls(params)
    if not isinstance(params, AnalyticsQuery):
        raise ArgumentError(f"an analytics query must be an AnalyticsQuery or a statement, "
                            f"not {params!r}", objextra=params)
    return params


class AnalyticsRequest(N1QLRequest):
    """One execution of an analytics query, iterated for its rows (once).

    :param params: an :class:`~couchbase.analytics.AnalyticsQuery` or a statement
    :param host: the analytics node to send it to (``"host"`` or
        ``"host:port"``; the port defaults to 8095, 18095 over TLS), or None
        for one the cluster map lists
    :param parent: the bucket to run it on
    :param row_factory: called on each decoded row; what it returns is yielded
    """

    _kind = "AnalyticsRequest"

    def __init__(self, params: Any, host: Any, parent: Any,
                 row_factory: Callable[[Any], Any] = _identity) -> None:
        query = _as_query(params)
        super().__init__(query, parent, row_factory=row_factory)
        self._params = query  # (N1QLRequest accepted it as the N1QLQuery it also is)
        self.host = host
        self._client_context_id = query.client_context_id or str(uuid.uuid4())

    @property
    def params(self) -> AnalyticsQuery:
        return self._params  # type: ignore[return-value]

    def _body(self) -> dict[str, Any]:
        body = dict(self._params._body)
        body["client_context_id"] = self._client_context_id
        body.setdefault("timeout", go_duration(self._timeout()))
        return body

    def _timeout(self) -> float:
        set_by_query = parse_duration(self._params.get_option("timeout"))
        if set_by_query:
            return set_by_query
        return float(getattr(self._parent, "analytics_timeout", DEFAULT_TIMEOUT))

    def _flow(self) -> Flow:
        return self._parent._analytics_flow(self)


class DeferredAnalyticsRequest(AnalyticsRequest):
    """An analytics request the service runs in the background: the rows come once
    its status handle says ``success``.

    :param timeout: seconds to keep polling before
        :exc:`~couchbase.exceptions.TimeoutError` (default: the query's timeout,
        else the bucket's ``analytics_timeout``)
    :param interval: seconds between two polls (default 0.5)
    """

    def __init__(self, params: Any, host: Any, parent: Any, timeout: Any = None,
                 interval: Any = None, row_factory: Callable[[Any], Any] = _identity) -> None:
        query = _as_query(params, DeferredAnalyticsQuery)
        if not query.deferred:
            query = query._copy()  # type: ignore[assignment]
            query.set_option("mode", "async")
        super().__init__(query, host, parent, row_factory=row_factory)
        self.timeout = self._positive(timeout, "timeout") if timeout is not None \
            else self._timeout()
        self.interval = self._positive(interval, "interval") if interval is not None else 0.5

    @staticmethod
    def _positive(value: Any, what: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ArgumentError(f"{what} must be a positive number of seconds, not {value!r}",
                                objextra=value)
        return float(value)

    def _flow(self) -> Flow:
        return self._parent._deferred_analytics_flow(self)


__all__ = ["AnalyticsRequest", "DeferredAnalyticsRequest"]
