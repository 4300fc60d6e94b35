"""The rows and metadata of one N1QL request: :class:`N1QLRequest`.

:meth:`Bucket.n1ql_query <couchbase.bucket.Bucket.n1ql_query>` returns one;
the request goes out when iteration starts, and rows are decoded as they
arrive from the response's ``results`` array::

    for row in cb.n1ql_query("SELECT name, abv FROM `beer-sample` WHERE abv > $1", 9):
        print(row["name"], row["abv"])

Everything but the rows (``status``, ``metrics``, ``errors``...) is in
:attr:`N1QLRequest.meta` once the last row was read. A failed request raises
:class:`~couchbase.exceptions.N1QLError` (or its subclass for the code) from
the iteration, after any rows that came before the error.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Callable, Iterator, Optional

from .._rows_request import Flow, RowsRequest, _identity
from ..exceptions import ArgumentError
from .query import N1QLQuery, QueryStatus, go_duration, parse_duration


class N1QLRequest(RowsRequest):
    """One execution of a N1QL query, iterated for its rows (once).

    :param params: a :class:`~couchbase.n1ql.N1QLQuery` or a statement
    :param parent: the bucket to run it on
    :param row_factory: called on each decoded row; what it returns is yielded

    :attr:`meta` holds everything in the response but the rows: ``requestID``,
    ``clientContextID``, ``signature``, ``status``, ``metrics``, ``errors``...
    """

    _kind = "N1QLRequest"
    _again = "run the query again"

    def __init__(self, params: Any, parent: Any,
                 row_factory: Callable[[Any], Any] = _identity, **kwargs: Any) -> None:
        kwargs.pop("meta_lookahead", None)  # (2.x option: meta always looks ahead here)
        if kwargs:
            raise ArgumentError(f"unknown N1QLRequest options {sorted(kwargs)}",
                                objextra=kwargs)
        if isinstance(params, str):
            params = N1QLQuery(params)
        if not isinstance(params, N1QLQuery):
            raise ArgumentError(f"a query must be a N1QLQuery or a statement, not {params!r}",
                                objextra=params)
        super().__init__(parent, row_factory)
        self._params = params
        self._client_context_id = params.client_context_id or str(uuid.uuid4())

    # -- what was asked --------------------------------------------------------------
    @property
    def params(self) -> N1QLQuery:
        return self._params

    @property
    def client_context_id(self) -> str:
        """The id sent with the request (the service echoes it as clientContextID)."""
        return self._client_context_id

    def _body(self) -> dict[str, Any]:
        """The request body to send (the query's, with this request's context id)."""
        body = dict(self._params._body)
        body["client_context_id"] = self._client_context_id
        vectors = body.get("scan_vectors")
        if isinstance(vectors, dict) and "" in vectors:
            # tokens made without their bucket's name: this request's bucket
            vectors = dict(vectors)
            vectors[getattr(self._parent, "bucket", "") or ""] = vectors.pop("")
            body["scan_vectors"] = vectors
        body.setdefault("timeout", go_duration(self._parent.n1ql_timeout))
        creds = getattr(self._parent, "_n1ql_creds", None)
        if creds is not None and "creds" not in body:
            extra = creds()
            if extra:
                body["creds"] = extra
        return body

    def _flow(self) -> Flow:
        return self._parent._n1ql_flow(self)

    # -- iteration ---------------------------------------------------------------------
    def get_single_result(self) -> Any:
        """The first row (None if there is none); the others are read and dropped."""
        first = None
        for i, row in enumerate(self):
            if i == 0:
                first = row
        return first

    def rows(self) -> Iterator[Any]:
        """The rows (SDK 3.x's ``QueryResult.rows()``)."""
        return iter(self)

    # -- what came back ----------------------------------------------------------------------
    @property
    def metrics(self) -> dict[str, Any]:
        """The service's metrics: ``elapsedTime``, ``executionTime``, ``resultCount``,
        ``resultSize``, ``mutationCount``... (durations as Go-style strings)."""
        return self.meta.get("metrics") or {}

    @property
    def errors(self) -> list[Any]:
        return list(self.meta.get("errors") or [])

    @property
    def warnings(self) -> list[Any]:
        return list(self.meta.get("warnings") or [])

    @property
    def status(self) -> Optional[str]:
        """``"success"``, or the service's word for how it failed."""
        return self.meta.get("status")

    @property
    def request_id(self) -> Optional[str]:
        return self.meta.get("requestID")

    @property
    def signature(self) -> Any:
        return self.meta.get("signature")

    @property
    def profile(self) -> Any:
        return self.meta.get("profile")

    def metadata(self) -> QueryMetaData:
        """The metadata, SDK 3.x style (``metadata().metrics().result_count()``)."""
        return QueryMetaData(self.meta)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}<statement={self._params.statement!r}, "
                f"rows={self.rows_returned}, done={self._done}>")


class _Count(int):
    """A count that also reads as the official SDK 4.x's UnsignedInt64 (``.value``)."""

    @property
    def value(self) -> int:
        return int(self)


class QueryMetrics:
    """The ``metrics`` of a response, with durations as timedeltas."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw

    def _duration(self, name: str) -> datetime.timedelta:
        seconds = parse_duration(self._raw.get(name))
        return datetime.timedelta(seconds=seconds or 0.0)

    def elapsed_time(self) -> datetime.timedelta:
        return self._duration("elapsedTime")

    def execution_time(self) -> datetime.timedelta:
        return self._duration("executionTime")

    def _count(self, name: str) -> int:
        value = self._raw.get(name)
        return _Count(value if isinstance(value, int) else 0)

    def result_count(self) -> int:
        return self._count("resultCount")

    def result_size(self) -> int:
        return self._count("resultSize")

    def mutation_count(self) -> int:
        return self._count("mutationCount")

    def sort_count(self) -> int:
        return self._count("sortCount")

    def error_count(self) -> int:
        return self._count("errorCount")

    def warning_count(self) -> int:
        return self._count("warningCount")

    def __repr__(self) -> str:
        return f"QueryMetrics({self._raw!r})"


class ServiceProblem(dict):
    """A warning or error a query service reports: its JSON object (``code``, ``msg``)
    with the 4.x accessors ``code()`` and ``message()``."""

    def code(self) -> int:
        code = self.get("code")
        return code if isinstance(code, int) else 0

    def message(self) -> str:
        return str(self.get("msg") or "")

    def __repr__(self) -> str:
        return f"{type(self).__name__}:{dict.__repr__(self)}"


class QueryWarning(ServiceProblem):
    """A warning in a query response (``QueryMetaData.warnings()``)."""


class QueryMetaData:
    """Everything in a response but the rows, SDK 3.x style."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw

    def request_id(self) -> Optional[str]:
        return self._raw.get("requestID")

    def client_context_id(self) -> Optional[str]:
        return self._raw.get("clientContextID")

    def status(self) -> QueryStatus:
        """A :class:`QueryStatus` (equal to the service's word: ``== "success"``)."""
        try:
            return QueryStatus(self._raw.get("status"))
        except ValueError:
            return QueryStatus.UNKNOWN

    def signature(self) -> Any:
        return self._raw.get("signature")

    def warnings(self) -> list[QueryWarning]:
        """The response's warnings: :class:`QueryWarning` (``code()``, ``message()``),
        each still the service's dict (``w["code"]``, ``w["msg"]``)."""
        return [QueryWarning(w) for w in self._raw.get("warnings") or () if isinstance(w, dict)]

    def profile(self) -> Any:
        return self._raw.get("profile")

    def metrics(self) -> Optional[QueryMetrics]:
        raw = self._raw.get("metrics")
        return QueryMetrics(raw) if isinstance(raw, dict) else None

    def __repr__(self) -> str:
        return f"QueryMetaData({self._raw!r})"


QueryResult = N1QLRequest  # what SDK 3.x's Cluster.query returns, by its name

__all__ = ["N1QLRequest", "QueryMetaData", "QueryMetrics", "QueryResult", "QueryWarning",
           "ServiceProblem"]
