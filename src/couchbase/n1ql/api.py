"""The N1QL methods every bucket class has, written once (mixed into ``BucketBase``).

``n1ql_query`` builds a request object of the front end's class
(``_n1ql_class``); its flow (:mod:`.flow`) is driven as the view flows are:
blocking for the sync API and gevent, ``async for`` on asyncio, reactor
callbacks on Twisted.
"""

from __future__ import annotations

from typing import Any, Callable, Generator, Optional

from .._core.commands import Endpoint
from ..exceptions import ArgumentError
from .flow import query_flow
from .query import DEFAULT_TIMEOUT, N1QLQuery, parse_duration
from .request import N1QLRequest

Flow = Generator[Any, Any, Any]


class N1QLAPI:
    """N1QL queries and the bucket manager."""

    n1ql_timeout: float = DEFAULT_TIMEOUT
    """Seconds to wait for bytes from the query service when the query sets no timeout."""

    _n1ql_class: Any = N1QLRequest
    _n1ql_prepared_names: Optional[dict[str, str]] = None
    _n1ql_bucket_creds: Optional[dict[str, str]] = None  # add_bucket_creds
    _live: Callable[[], Any]

    def n1ql_query(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a N1QL query: a :class:`~couchbase.n1ql.N1QLRequest` to iterate over
        for the rows (the request goes out when iteration starts).

        :param query: a :class:`~couchbase.n1ql.N1QLQuery`, or a statement
        :param args: values of ``$1``, ``$2``... (added to the query's own)
        :param kwargs: values of named placeholders (``type="beer"`` for
            ``$type``), except ``row_factory`` (called on each row) and
            ``itercls`` (the N1QLRequest subclass to make)

        >>> for row in cb.n1ql_query("SELECT name FROM `beer-sample` "
        ...                          "WHERE brewery_id = $1", "21st_amendment_brewery_cafe"):
        ...     print(row["name"])
        """
        itercls = kwargs.pop("itercls", None) or self._n1ql_class
        request_options = {name: kwargs.pop(name) for name in ("row_factory", "meta_lookahead")
                           if name in kwargs}
        return itercls(with_params(query, args, kwargs), self, **request_options)

    def _n1ql_flow(self, request: N1QLRequest) -> Flow:
        # the endpoint is looked up when the flow starts: its errors leave through the driver
        timeout = parse_duration(request.params.get_option("timeout"))
        endpoint = getattr(request, "_pinned_endpoint", None) or self._query_endpoint(timeout)
        request._endpoint = endpoint  # type: ignore[attr-defined]  # (ctx.query follows it)
        return (yield from query_flow(request, endpoint, self._n1ql_prepared(),
                                      self._n1ql_enhanced()))

    def _n1ql_enhanced(self) -> bool:
        """Whether the cluster prepares and executes in one request (7.x and later)."""
        config = self._live().router.config
        caps = config.cluster_capabilities.get("n1ql") if config is not None else None
        return isinstance(caps, list) and "enhancedPreparedStatements" in caps

    def _n1ql_prepared(self) -> dict[str, str]:
        """Statement -> prepared name, per bucket object."""
        cache = self._n1ql_prepared_names
        if cache is None:
            cache = self._n1ql_prepared_names = {}
        return cache

    def add_bucket_creds(self, bucket: str, password: str) -> None:
        """Send ``bucket``'s password with this bucket's N1QL queries (pre-RBAC
        clusters: a statement reaching several password-protected buckets)."""
        if not isinstance(bucket, str) or not bucket or not isinstance(password, str):
            raise ArgumentError("add_bucket_creds needs a bucket name and its password "
                                f"(strings), not {bucket!r}")
        if self._n1ql_bucket_creds is None:
            self._n1ql_bucket_creds = {}
        self._n1ql_bucket_creds[bucket] = password

    def _n1ql_creds(self) -> list[dict[str, str]]:
        """The ``creds`` member of a query request: [] unless add_bucket_creds was used."""
        creds = self._n1ql_bucket_creds
        if not creds:
            return []
        return [{"user": f"local:{name}", "pass": password} for name, password in creds.items()]

    def _query_endpoint(self, timeout: Optional[float] = None) -> Endpoint:
        """A node's query service (round robin over the nodes that run one)."""
        # the service answers at the request's timeout: wait a little longer for that
        wait = (timeout or self.n1ql_timeout) + 1.0
        return self._live().service_endpoint("query", wait)

    def bucket_manager(self) -> Any:
        """The :class:`~couchbase.bucketmanager.BucketManager` of this bucket (N1QL
        indexes, design documents)."""
        from ..bucketmanager import BucketManager

        return BucketManager(self)


def with_params(query: Any, args: tuple[Any, ...], named: dict[str, Any]) -> N1QLQuery:
    """``query`` as a N1QLQuery, with ``args`` and ``named`` added (on a copy)."""
    if isinstance(query, str):
        return N1QLQuery(query, *args, **named)
    if not isinstance(query, N1QLQuery):
        raise ArgumentError(f"a query must be a N1QLQuery or a statement, not {query!r}",
                            objextra=query)
    if args or named:
        query = query._copy()
        query.add_args(*args)
        query.set_named_args(**named)
    return query
