"""The 4.x Cluster surface, written once for every front end's Cluster (mixed into
:class:`couchbase.cluster.ClusterBase`).

A 4.x cluster needs no bucket: its queries, searches, analytics requests,
pings and ``wait_until_ready`` run on the cluster's own connection, a
connection of the front end's Bucket class bootstrapped with no bucket
selected (HELLO, authentication, GET_CLUSTER_CONFIG on a KV node: GCCCP; or
``/pools/default/nodeServices`` from an HTTP seed). When a bucket is open its
connection serves as well (the same cluster behind it). The sync API and
gevent connect in the constructor, as the official SDK does::

    cluster = Cluster("couchbase://127.0.0.1", ClusterOptions(auth))
    cluster.wait_until_ready(timedelta(seconds=5))
    for row in cluster.query("SELECT 1 AS one"):
        ...
"""

from __future__ import annotations

import uuid
from typing import Any, Callable, Optional

from ._errors4x import MissingConnectionException, UnAmbiguousTimeoutException, to_4x
from ._health4x import (
    ClusterInfoResult,
    DiagnosticsResult,
    PingResult,
    merged,
    wait_until_ready_flow,
)
from .exceptions import (
    ArgumentError,
    AuthError,
    CouchbaseError,
    CouchbaseNetworkError,
    TimeoutError,
)
from .options import merge, timeout_seconds

MGMT_TIMEOUT = 75.0


def connect_error(exc: BaseException) -> BaseException:
    """The 4.x exception for a bootstrap that failed with ``exc`` (every front end's):
    AuthenticationException for a refused password, UnAmbiguousTimeoutException when
    no node answered, the 4.x class of the 2.x error otherwise."""
    if isinstance(exc, (CouchbaseNetworkError, TimeoutError)) and not isinstance(exc, AuthError):
        return UnAmbiguousTimeoutException(message=f"could not connect: {exc.message}",
                                           inner_cause=exc)
    return to_4x(exc)


def delivered(conn: Any, result: Any) -> Any:
    """A query, analytics or search result the front end's way: the result itself (its
    rows read as they are iterated), or, on a front end that pushes rows (Twisted),
    the front end's handle (a Deferred) firing with it once every row arrived."""
    if hasattr(conn, "_push_rows"):
        return conn._buffered(result._request, result)
    return result


class ClusterServices4x:
    """Query, search, analytics and health of a 4.x cluster (see the module docstring)."""

    _connstr: str
    _options: Any
    _closed: bool
    _buckets: dict[str, Any]
    _conn: Any = None
    _connection_class: Optional[Callable[..., Any]] = None  # the front end's Bucket class

    # -- the cluster's connection -------------------------------------------------------
    def _connect_cluster(self) -> Any:
        """Open the cluster-level connection now (the sync API's and gevent's
        constructors); 4.x exceptions for a refused password or no answer."""
        from .cluster import bucket_connection_string

        make = self._connection_class
        if make is None:
            from .cluster import NoBucketError

            raise NoBucketError("this front end's Cluster has no cluster-level connection "
                                "yet: open a bucket (cluster.bucket(name)) first")
        if self._options is None:
            raise ArgumentError("no credentials: pass ClusterOptions(PasswordAuthenticator(...))")
        username, password = self._options.authenticator.cluster_credentials()
        timeouts = self._options.timeout_options
        try:
            conn = make(bucket_connection_string(self._connstr, "", self._options),
                        username=username, password=password, timeout=timeouts.kv_timeout,
                        bootstrap_timeout=timeouts.connect_timeout, _no_bucket=True)
        except CouchbaseError as exc:
            raise connect_error(exc) from None
        for name, attr in (("query_timeout", "n1ql_timeout"),
                           ("views_timeout", "views_timeout"),
                           ("analytics_timeout", "analytics_timeout")):
            if timeouts.get(name):
                setattr(conn, attr, timeouts[name])
        self._conn = conn
        return conn

    def _services_connection(self) -> Any:
        """A connection for cluster-level services: an open bucket's, else the cluster's."""
        if self._closed:
            raise MissingConnectionException(message="this cluster connection is closed")
        for bucket in self._buckets.values():
            if not bucket.closed:
                return bucket
        conn = self._conn
        if conn is None or conn.closed:
            conn = self._connect_cluster()
        return conn

    def _own_connection(self) -> Any:
        """The cluster-level connection itself (pings measure what the cluster sees)."""
        if self._closed:
            raise MissingConnectionException(message="this cluster connection is closed")
        conn = self._conn
        if conn is None or conn.closed:
            conn = self._connect_cluster()
        return conn

    def _close_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    # -- services ---------------------------------------------------------------------------
    def query(self, statement: str, *options: Any, **kwargs: Any) -> Any:
        """Run a SQL++ (N1QL) statement: a :class:`~couchbase.result.QueryResult` to
        iterate (``rows()``) and ask for its ``metadata()``.

        ``options``: :class:`~couchbase.options.QueryOptions` (and values of ``$1,
        $2...``); keywords QueryOptions knows are options, others named parameters
        (``city="Reno"`` for ``$city``). No bucket needs to be open.

        >>> result = cluster.query("SELECT name FROM `beer-sample` WHERE city = $city",
        ...                        QueryOptions(scan_consistency=QueryScanConsistency.REQUEST_PLUS),
        ...                        city="Reno")
        >>> [row["name"] for row in result.rows()]
        """
        from ._query4x import query_request

        conn = self._services_connection()
        return delivered(conn, query_request(conn, statement, options, kwargs))

    def analytics_query(self, statement: str, *options: Any, **kwargs: Any) -> Any:
        """Run an analytics statement: an :class:`~couchbase.result.AnalyticsResult`."""
        from ._query4x import analytics_request

        conn = self._services_connection()
        return delivered(conn, analytics_request(conn, statement, options, kwargs))

    def search_query(self, index: str, query: Any, *options: Any, **kwargs: Any) -> Any:
        """Search full-text index ``index``: a :class:`~couchbase.search.SearchResult`
        (``SearchOptions`` or their keywords: ``limit``, ``facets``, ``sort``...)."""
        from .search import search_request

        conn = self._services_connection()
        return delivered(conn, search_request(conn, index, query, options, kwargs))

    def search(self, index: str, request: Any, *options: Any, **kwargs: Any) -> Any:
        """Search ``index`` with a :class:`~couchbase.search.SearchRequest`."""
        return self.search_query(index, request, *options, **kwargs)

    # -- health -------------------------------------------------------------------------------
    def ping(self, *options: Any, **kwargs: Any) -> Any:
        """Measure every endpoint of the services asked for (``PingOptions(service_types=
        [ServiceType.KeyValue, ...], report_id=...)``; default all): a
        :class:`~couchbase.result.PingResult`."""
        return self._own_connection().ping(*options, **kwargs)

    def diagnostics(self, *options: Any, **kwargs: Any) -> DiagnosticsResult:
        """The state of every connection of this cluster object (its own and its open
        buckets'), without sending anything: a :class:`~couchbase.result.DiagnosticsResult`."""
        report_id = merge(options, kwargs).get("report_id") or str(uuid.uuid4())
        conns = [self._own_connection()] + [b for b in self._buckets.values() if not b.closed]
        reports = [conn.diagnostics(report_id=report_id) for conn in conns]
        return merged(reports, DiagnosticsResult)  # type: ignore[return-value]

    def wait_until_ready(self, timeout: Any, *options: Any, **kwargs: Any) -> Any:
        """Wait until the services asked for (``WaitUntilReadyOptions(desired_state=
        ClusterState.Online, service_types=[...])``; default: every service the cluster
        runs) answer a ping on every node; UnAmbiguousTimeoutException at ``timeout``
        (timedelta or seconds)."""
        seconds = timeout_seconds(timeout)
        opts = merge(options, kwargs)
        conn = self._own_connection()

        def ping(services: Optional[list[str]]) -> Any:
            from ._health import SERVICES

            names = list(SERVICES) if services is None else services
            return conn._ping_flow(names, str(uuid.uuid4()))

        return conn._drive(wait_until_ready_flow(ping, seconds, opts))

    def cluster_info(self, *options: Any, **kwargs: Any) -> Any:
        """What the cluster says of itself (``/pools/default``): a
        :class:`~couchbase.result.ClusterInfoResult` with ``server_version``..."""
        from ._http.management import http_flow

        opts = merge(options, kwargs)
        timeout = timeout_seconds(opts["timeout"]) if "timeout" in opts else MGMT_TIMEOUT
        conn = self._services_connection()

        def flow() -> Any:
            endpoint = conn._live().service_endpoint("mgmt", timeout)
            try:
                answer = yield from http_flow(endpoint, "/pools/default")
            except CouchbaseError as exc:
                raise to_4x(exc) from None
            return ClusterInfoResult(answer.value)

        return conn._drive(flow())


__all__ = ["ClusterServices4x", "PingResult", "connect_error", "delivered"]
