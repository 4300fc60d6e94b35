"""The 3.x entry point: ``Cluster.connect(connstr, ClusterOptions(...))``.

>>> auth = PasswordAuthenticator("Administrator", "password")
>>> cluster = Cluster.connect("couchbase://127.0.0.1", ClusterOptions(auth))
>>> collection = cluster.bucket("default").default_collection()
>>> collection.upsert("key", {"a": 1})
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Generic, Optional, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

from ._cluster4x import ClusterServices4x
from ._core.errors import CoreError

# Besides Cluster, this module is the 3.x-era import home of options, results and
# managers (``from couchbase.cluster import QueryOptions``), as in the official SDK.
from ._health4x import ClusterInfoResult, DiagnosticsResult, PingResult  # noqa: F401
from ._query4x import AnalyticsResult, QueryResult  # noqa: F401
from .auth import (  # noqa: F401 - 2.x names here
    Authenticator,
    CertAuthenticator,
    CertificateAuthenticator,
    ClassicAuthenticator,
    PasswordAuthenticator,
)
from .bucket import Bucket
from .exceptions import (
    ArgumentError,
    CouchbaseError,
    NoMatchingServerError,
    ObjectDestroyedError,
)
from .management.analytics import AnalyticsIndexManager  # noqa: F401
from .management.buckets import BucketManager  # noqa: F401
from .management.queries import QueryIndexManager  # noqa: F401
from .management.search import SearchIndexManager  # noqa: F401
from .management.users import UserManager  # noqa: F401
from .n1ql.query import QueryProfile, QueryScanConsistency  # noqa: F401
from .options import (  # noqa: F401
    ClusterOptions,
    ClusterTimeoutOptions,
    ClusterTracingOptions,
    Compression,
    DiagnosticsOptions,
    QueryOptions,
)
from .search import SearchResult  # noqa: F401

B = TypeVar("B")
C = TypeVar("C", bound="BlockingClusterBase[Any]")


class MixedAuthError(CouchbaseError):
    """Old (bucket password) and new (authenticator) style credentials together (2.x)."""


class NoBucketError(NoMatchingServerError):
    """A cluster-level query with no bucket open to carry it (2.x)."""


def bucket_connection_string(connstr: str, bucket: str, options: Any = None) -> str:
    """``connstr`` with its path naming ``bucket``, and the TLS settings of
    ``options`` (4.x ClusterOptions: ``enable_tls``, ``tls_verify``, the
    authenticator's files: ``cert_path``, a certificate's ``certpath``/``keypath``) as
    connection-string options (the string's own win)."""
    parts = urlsplit(connstr if "://" in connstr else f"couchbase://{connstr}")
    scheme, query = parts.scheme, parts.query
    if options is not None:
        if options.get("enable_tls") and scheme == "couchbase":
            scheme = "couchbases"
        verify = options.get("tls_verify")
        authenticator = options.get("authenticator")
        extra = dict(authenticator.connstr_options() if authenticator is not None else {})
        extra["tls_verify"] = getattr(verify, "value", verify)
        given = {pair.split("=", 1)[0] for pair in query.split("&")}
        added = [f"{key}={quote(str(value), safe='/')}" for key, value in extra.items()
                 if value is not None and key not in given]
        query = "&".join(filter(None, [query, *added]))
    return urlunsplit((scheme, parts.netloc, "/" + bucket, query, ""))


def _check_certificate_scheme(connstr: str, options: Optional[ClusterOptions]) -> None:
    """A client certificate is presented in the TLS handshake: without ``couchbases://``
    (or ``enable_tls``) there is none, so it is refused here, before any I/O."""
    if options is None or not isinstance(options.get("authenticator"), CertificateAuthenticator):
        return
    if not (connstr.startswith("couchbases://") or options.get("enable_tls")):
        from ._errors4x import InvalidArgumentException

        raise InvalidArgumentException(
            message="CertificateAuthenticator needs TLS: use a couchbases:// connection string")


class ClusterBase(ClusterServices4x, Generic[B]):
    """Options and opened buckets of a cluster, whatever the front end; the 4.x
    services (query, search, ping...) are :class:`~couchbase._cluster4x.ClusterServices4x`."""

    def __init__(self, connection_string: str, options: Optional[ClusterOptions] = None,
                 **kwargs: Any) -> None:
        if options is None:
            options = kwargs.pop("cluster_options", None)
        if options is not None and not isinstance(options, ClusterOptions):
            raise ArgumentError("Cluster needs ClusterOptions(PasswordAuthenticator(...))")
        if not isinstance(connection_string, str) or not connection_string:
            raise ArgumentError(f"bad connection string {connection_string!r}")
        _check_certificate_scheme(connection_string, options)
        self._connstr = connection_string
        # None: the 2.x form, Cluster(connstr), credentials come with authenticate()
        self._options: Optional[ClusterOptions] = options
        self._buckets: dict[str, B] = {}
        self._closed = False

    def authenticate(self, authenticator: Any = None, username: Optional[str] = None,
                     password: Optional[str] = None) -> None:
        """The 2.x way to give credentials: ``authenticate(PasswordAuthenticator(u, p))``
        (or ``username=``, ``password=``), before :meth:`open_bucket`."""
        if authenticator is None:
            if username is None or password is None:
                raise ArgumentError("authenticate needs an authenticator, or a username "
                                    "and a password")
            authenticator = PasswordAuthenticator(username, password)
        timeouts = self._options.timeout_options if self._options is not None else None
        self._options = ClusterOptions(authenticator, timeouts)

    def set_authenticator(self, authenticator: Authenticator) -> None:
        """Replace the credentials of a connected cluster (an authenticator of the same
        type), without reconnecting, as the official SDK 4.x does for a
        :class:`~couchbase.auth.PasswordAuthenticator`: key-value connections already
        authenticated keep their session; connections opened after (buckets, nodes that
        join, reconnections) and every new HTTP request (query, search, management...)
        present the new credentials. RuntimeError if the cluster is not connected,
        InvalidArgumentException for another type of authenticator."""
        from ._errors4x import InvalidArgumentException

        if self._closed or self._options is None:
            raise RuntimeError("the cluster is not connected")
        current = self._options.authenticator
        if type(authenticator) is not type(current):
            raise InvalidArgumentException(
                message=f"set_authenticator needs a {type(current).__name__}, "
                        f"not {authenticator!r}")
        options = copy.copy(self._options)
        options.authenticator = options["authenticator"] = authenticator
        self._options = options
        conns = [(None, self._conn)] + list(self._buckets.items())
        for name, conn in conns:
            settings = getattr(conn, "_settings", None)
            if settings is None:
                continue
            settings.username, settings.password = (
                authenticator.cluster_credentials() if name is None
                else authenticator.credentials_for(name))

    @property
    def transactions(self) -> Any:
        """Distributed ACID transactions: ``cluster.transactions.run(logic)``
        (:mod:`couchbase.transactions`), with ClusterOptions(transaction_config=...)."""
        txns = self.__dict__.get("_transactions")
        if txns is None:
            from .transactions import AsyncTransactions, Transactions

            config = self._options.get("transaction_config") if self._options else None
            make = Transactions if isinstance(self, BlockingClusterBase) else AsyncTransactions
            txns = self.__dict__["_transactions"] = make(self, config)
        return txns

    def _opened(self, name: str, make: Callable[..., B], **kwargs: Any) -> B:
        options = self._options
        if options is None:
            raise ArgumentError("no credentials: pass ClusterOptions(PasswordAuthenticator(...)) "
                                "or call authenticate() first")
        username, password = options.authenticator.credentials_for(name)
        timeouts = options.timeout_options
        kwargs.setdefault("timeout", timeouts.kv_timeout)
        kwargs.setdefault("bootstrap_timeout", timeouts.connect_timeout)
        return make(bucket_connection_string(self._connstr, name, options), username=username,
                    password=password, **kwargs)

    def cluster_manager(self) -> Any:
        """The 2.x :class:`~couchbase.admin.Admin` for this cluster, with the
        authenticator's cluster credentials, on the management port of a node
        (from an open bucket's cluster map, else the connection string's first host)."""
        from .admin import Admin

        if self._options is None:
            raise ArgumentError("no credentials: call authenticate() first")
        username, password = self._options.authenticator.cluster_credentials()
        host, port, tls = self._mgmt_target(username, password)
        return Admin(username, password, host, port, _tls=tls)

    def _mgmt_target(self, username: Optional[str],
                     password: Optional[str]) -> tuple[str, int, Any]:
        """A node's management address and TLS context: an open bucket's map, else the
        connection string's (with credentials: its KV ports' cluster map, over TLS too)."""
        for bucket in self._buckets.values():
            live = getattr(bucket, "_cluster", None)
            if live is not None and not live.closed:
                try:
                    endpoint = live.service_endpoint("mgmt", 1.0)
                except CoreError:  # no map yet, or no node runs it
                    continue
                return endpoint.host, endpoint.port, endpoint.tls
        from .admin import _host_port, _target

        if username is None or password is None:
            return (*_host_port(self._connstr), None)
        return _target(self._connstr, username, password)

    def _bucket(self, name: str, make: Callable[..., B], reuse: Callable[[B], bool]) -> B:
        if self._closed:
            raise ObjectDestroyedError("this cluster connection is closed")
        bucket = self._buckets.get(name)
        if bucket is None or not reuse(bucket):
            bucket = self._opened(name, make)
            self._buckets[name] = bucket
        return bucket

    def _query_bucket(self) -> Any:
        if self._closed:
            raise ObjectDestroyedError("this cluster connection is closed")
        for bucket in self._buckets.values():
            if not bucket.closed:  # type: ignore[attr-defined]
                return bucket
        raise NoBucketError("Cluster.query needs an open bucket for its connection: "
                            "call cluster.bucket(name) first")

    # -- management (SDK 4.x, couchbase.management) ----------------------------------------
    def buckets(self) -> Any:
        """The :class:`~couchbase.management.buckets.BucketManager`."""

        return BucketManager(self)

    def users(self) -> Any:
        """The :class:`~couchbase.management.users.UserManager`."""

        return UserManager(self)

    def query_indexes(self) -> Any:
        """The :class:`~couchbase.management.queries.QueryIndexManager`."""

        return QueryIndexManager(self)

    def search_indexes(self) -> Any:
        """The :class:`~couchbase.management.search.SearchIndexManager`."""

        return SearchIndexManager(self)

    def analytics_indexes(self) -> Any:
        """The :class:`~couchbase.management.analytics.AnalyticsIndexManager`."""

        return AnalyticsIndexManager(self)

    def _open_bucket(self) -> Optional[B]:
        """An open bucket whose connection managers may use (None: none is open)."""
        for bucket in self._buckets.values():
            if not bucket.closed:  # type: ignore[attr-defined]
                return bucket
        if self._closed:
            raise ObjectDestroyedError("this cluster connection is closed")
        conn = self._conn  # the 4.x cluster-level connection (its map names the nodes)
        if conn is not None and not conn.closed:
            return conn
        return None

    def _management_credentials(self) -> tuple[str, str]:
        if self._options is None:
            raise ArgumentError("no credentials: pass ClusterOptions(PasswordAuthenticator(...))")
        return self._options.authenticator.cluster_credentials()

    def _http_drive(self, flow: Any) -> Any:
        """Run an HTTP-only flow the front end's way (no bucket open)."""
        from ._waiting import wait_blocking
        from .admin import _HttpOnly

        return wait_blocking(flow, _HttpOnly())

    def _close_buckets(self) -> None:
        self._closed = True
        for bucket in self._buckets.values():
            bucket.close()  # type: ignore[attr-defined]
        self._buckets.clear()
        self._close_connection()


class BlockingClusterBase(ClusterBase[B]):
    """A cluster of a front end that waits by blocking (sync, gevent): with
    ClusterOptions the constructor connects; buckets are of ``_connection_class``."""

    _connection_class: Callable[..., B]

    def __init__(self, connection_string: str, options: Optional[ClusterOptions] = None,
                 **kwargs: Any) -> None:
        super().__init__(connection_string, options, **kwargs)
        if self._options is not None:
            self._connect_cluster()

    @classmethod
    def connect(cls: type[C], connection_string: str, options: Optional[ClusterOptions] = None,
                **kwargs: Any) -> C:
        return cls(connection_string, options, **kwargs)

    def bucket(self, bucket_name: str) -> B:
        """Open (once) and return bucket ``bucket_name``."""
        return self._bucket(bucket_name, self._connection_class,
                            lambda b: not b.closed)  # type: ignore[attr-defined]

    def close(self) -> None:
        txns = self.__dict__.get("_transactions")
        if txns is not None:
            txns.close()  # stops the background transaction cleanup
        self._close_buckets()

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Cluster(BlockingClusterBase[Bucket]):
    """A cluster connection; buckets opened from it share its credentials and options.

    With ClusterOptions (the 3.x/4.x form) the constructor connects to the cluster,
    no bucket needed (AuthenticationException, UnAmbiguousTimeoutException when it
    cannot); ``Cluster(connstr)`` alone is the 2.x form, credentials coming with
    :meth:`authenticate`.
    """

    _connection_class = Bucket

    def open_bucket(self, name: str, **kwargs: Any) -> Bucket:
        """The 2.x form: a new :class:`~couchbase.bucket.Bucket` for ``name`` with
        the cluster's credentials (``kwargs`` as for Bucket). Without an
        authenticator, ``password=`` is the bucket's own (pre-RBAC) password; with
        one, giving a password too is :exc:`MixedAuthError`."""
        if self._closed:
            raise ObjectDestroyedError("this cluster connection is closed")
        if kwargs.get("password") is not None or kwargs.get("username") is not None:
            if self._options is not None:
                raise MixedAuthError("cannot give a bucket password when the cluster has an "
                                     "authenticator (old and new style auth together)")
            bucket = Bucket(bucket_connection_string(self._connstr, name), **kwargs)
        else:
            bucket = self._opened(name, Bucket, **kwargs)
        self._buckets.setdefault(name, bucket)
        return bucket

    def n1ql_query(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        """The 2.x form of :meth:`query`: a statement or N1QLQuery, through an
        opened bucket's connection (:exc:`NoBucketError` if none is open)."""
        return self._query_bucket().n1ql_query(query, *args, **kwargs)
