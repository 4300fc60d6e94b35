"""``cluster.query`` / ``scope.query`` and ``analytics_query`` of the 4.x API.

A 4.x :class:`QueryResult` is a thin face over the front end's N1QL request
(:class:`~couchbase.n1ql.N1QLRequest`, or its asyncio subclass): the request
is made by the same builder the 2.x API uses, its flow's errors are raised as
4.x classes (:mod:`couchbase._http_errors4x`), and the result adds the 4.x
names (``rows()``, ``metadata()``, ``execute()``). On the sync API and under
gevent the rows are iterated; on asyncio with ``async for``::

    result = cluster.query("SELECT name FROM `travel-sample` WHERE city = $1", "Paris",
                           QueryOptions(metrics=True))
    for row in result.rows():
        print(row["name"])
    print(result.metadata().metrics().execution_time())
"""

from __future__ import annotations

from enum import Enum
from functools import partial
from typing import Any, Iterator, Optional

from ._errors4x import AlreadyQueriedException, to_4x
from ._http_errors4x import query_error
from .exceptions import CouchbaseError
from .n1ql.query import N1QLQuery, query_from_options
from .n1ql.request import QueryMetaData, QueryMetrics, ServiceProblem
from .options import QUERY_OPTION_NAMES
from .views.iterator import AlreadyQueriedError


def _split(positional: tuple[Any, ...], kwargs: dict[str, Any]
           ) -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
    """``(positional parameter values, options, named parameters)`` of a query call:
    options objects (dicts) among the positional arguments, keywords QueryOptions
    knows, and the other keywords as named parameters (``city="Paris"`` for $city)."""
    args: list[Any] = []
    options: dict[str, Any] = {}
    for value in positional:
        if isinstance(value, dict):
            options.update(value)
        else:
            args.append(value)
    named: dict[str, Any] = {}
    for name, value in kwargs.items():
        if name in QUERY_OPTION_NAMES:
            if value is not None:
                options[name] = value
        else:
            named[name] = value
    return args, options, named


def query_request(conn: Any, statement: str, positional: tuple[Any, ...],
                  kwargs: dict[str, Any], query_context: Optional[str] = None) -> QueryResult:
    """A :class:`QueryResult` for ``statement`` on ``conn`` (a bucket object or the
    cluster's own connection); nothing is sent until the rows are read."""
    try:
        args, options, named = _split(positional, kwargs)
        if query_context is not None:
            options.setdefault("query_context", query_context)
        query = query_from_options(statement, tuple(args), options, named)
        request = conn._n1ql_class(query, conn)
    except CouchbaseError as exc:
        raise to_4x(exc) from None
    read_only = bool(options.get("read_only") or options.get("readonly"))
    request._convert = partial(query_error, statement=statement,
                               client_context_id=request.client_context_id,
                               read_only=read_only)
    return QueryResult(request)


def _once(start: Any) -> Any:
    """``start()``, the iteration of a request; read twice, AlreadyQueriedException."""
    try:
        return start()
    except AlreadyQueriedError as exc:
        raise AlreadyQueriedException(message=exc.message) from None


class QueryResult:
    """The rows and metadata of one query (4.x). Iterate it, or ``rows()``, once."""

    def __init__(self, request: Any) -> None:
        self._request = request

    def rows(self) -> Any:
        """The rows, as they arrive (asyncio: an async iterator)."""
        return _once(self._request.rows)

    def __iter__(self) -> Iterator[Any]:
        return _once(self._request.__iter__)

    def __aiter__(self) -> Any:
        return _once(self._request.__aiter__)

    def execute(self) -> Any:
        """Every row, in a list (asyncio: an awaitable of the list)."""
        if hasattr(self._request, "__aiter__"):
            return self._all()
        return list(self)

    async def _all(self) -> list[Any]:
        return [row async for row in self]

    def metadata(self) -> QueryMetaData:
        """Everything but the rows: ``request_id()``, ``client_context_id()``,
        ``status()``, ``signature()``, ``warnings()``, ``metrics()``, ``profile()``.
        Read before the rows (sync), it runs the query and keeps the rows."""
        return QueryMetaData(self._request.meta)

    def __getattr__(self, name: str) -> Any:
        # the 3.x QueryResult was the request itself: its names (``meta``, ``all()`` on
        # asyncio, ``get_single_result()``...) still answer
        if name.startswith("__") or name == "_request":
            raise AttributeError(name)
        return getattr(self._request, name)

    def __repr__(self) -> str:
        return f"QueryResult({self._request!r})"


def analytics_request(conn: Any, statement: str, positional: tuple[Any, ...],
                      kwargs: dict[str, Any], query_context: Optional[str] = None
                      ) -> AnalyticsResult:
    """An :class:`AnalyticsResult` for ``statement`` on ``conn``."""
    from .analytics.query import AnalyticsQuery

    try:
        args, options, named = _split(positional, kwargs)
        query = AnalyticsQuery(statement, *args, **named)
        _analytics_options(query, options, query_context)
        request = conn._analytics_class(query, None, conn)
    except CouchbaseError as exc:
        raise to_4x(exc) from None
    request._convert = partial(query_error, statement=statement,
                               client_context_id=request.client_context_id, analytics=True)
    return AnalyticsResult(request)


def _analytics_options(query: N1QLQuery, options: dict[str, Any],
                       query_context: Optional[str]) -> None:
    from .n1ql.query import _seconds, go_duration

    if "positional_parameters" in options:
        query.add_args(*options["positional_parameters"])
    if "named_parameters" in options:
        query.set_named_args(**options["named_parameters"])
    if "timeout" in options:
        query.set_option("timeout", go_duration(_seconds(options["timeout"])))
    if "client_context_id" in options:
        query.client_context_id = options["client_context_id"]
    if options.get("read_only"):
        query.set_option("readonly", True)
    if options.get("priority"):
        query.set_option("priority", -1)
    if "scan_consistency" in options:
        query.set_option("scan_consistency",
                         getattr(options["scan_consistency"], "value",
                                 options["scan_consistency"]))
    context = options.get("query_context", query_context)
    if context:
        query.set_option("query_context", context)
    for key, value in dict(options.get("raw") or {}).items():
        query.set_option(key, value)


class AnalyticsScanConsistency(Enum):
    NOT_BOUNDED = "not_bounded"
    REQUEST_PLUS = "request_plus"


class AnalyticsStatus(str, Enum):
    """What ``AnalyticsMetaData.status()`` answers (equal to the service's string too)."""

    RUNNING = "running"
    SUCCESS = "success"
    ERRORS = "errors"
    COMPLETED = "completed"
    STOPPED = "stopped"
    TIMEOUT = "timeout"
    CLOSED = "closed"
    FATAL = "fatal"
    ABORTED = "aborted"
    UNKNOWN = "unknown"


class AnalyticsMetrics(QueryMetrics):
    """The metrics of an analytics response (as :class:`QueryMetrics`, and
    ``processed_objects()``)."""

    def processed_objects(self) -> int:
        return self._count("processedObjects")


class AnalyticsWarning(ServiceProblem):
    """A warning in an analytics response (``AnalyticsMetaData.warnings()``):
    ``code()``, ``message()``, and the service's dict."""


class AnalyticsMetaData(QueryMetaData):
    """The metadata of an analytics response (as :class:`QueryMetaData`)."""

    def warnings(self) -> list[AnalyticsWarning]:  # type: ignore[override]
        return [AnalyticsWarning(w) for w in self._raw.get("warnings") or ()
                if isinstance(w, dict)]

    def status(self) -> AnalyticsStatus:  # type: ignore[override]  # (QueryStatus there)
        try:
            return AnalyticsStatus(str(self._raw.get("status") or "unknown").lower())
        except ValueError:
            return AnalyticsStatus.UNKNOWN

    def metrics(self) -> Optional[AnalyticsMetrics]:
        raw = self._raw.get("metrics")
        return AnalyticsMetrics(raw) if isinstance(raw, dict) else None


class AnalyticsResult(QueryResult):
    """The rows and metadata of one analytics query (4.x)."""

    def metadata(self) -> AnalyticsMetaData:
        return AnalyticsMetaData(self._request.meta)

    def __repr__(self) -> str:
        return f"AnalyticsResult({self._request!r})"


__all__ = ["AnalyticsMetaData", "AnalyticsMetrics", "AnalyticsResult",
           "AnalyticsScanConsistency", "AnalyticsStatus", "AnalyticsWarning", "QueryResult",
           "analytics_request", "query_request"]
