"""The Twisted 4.x entry point: ``TxCluster`` (also ``Cluster``); its methods return
Deferreds.

>>> cluster = TxCluster("couchbase://127.0.0.1", ClusterOptions(auth))
>>> d = cluster.on_connect()
>>> d.addCallback(lambda _: cluster.query("SELECT 1 AS one"))
>>> d.addCallback(lambda result: [row["one"] for row in result.rows()])

The constructor starts bootstrapping the cluster's own connection (no bucket
selected); :meth:`TxCluster.on_connect` fires once it is up, or fails with
AuthenticationException (refused password) or UnAmbiguousTimeoutException (no
answer). Operations issued earlier wait for it. ``query``, ``analytics_query``,
``search_query`` (and a bucket's ``view_query``, a scope's ``query``...) fire
with their result once every row arrived: its ``rows()`` are then iterated
without waiting, ``metadata()`` is set. Buckets opened from it
(``cluster.bucket(name)``) are :class:`txcouchbase.bucket.Bucket` objects on
the same reactor. Use it in the reactor's thread.
"""

from __future__ import annotations

from typing import Any, Optional

from twisted.internet import defer

from couchbase._cluster4x import connect_error
from couchbase._core.connstr import parse_connection_string
from couchbase._errors4x import UnAmbiguousTimeoutException
from couchbase._io.http_only import HttpOnlyIO
from couchbase._waiting import drive_callbacks
from couchbase.cluster import ClusterBase
from couchbase.options import ClusterOptions, timeout_seconds

from ._backend import TwistedBackend
from .bucket import Bucket

_CONNECT_TIMEOUT = 10.0


class TxCluster(ClusterBase[Bucket]):
    """A cluster on a Twisted reactor (``reactor``: default the global one); its buckets
    share its credentials and options."""

    def __init__(self, connection_string: str, options: Optional[ClusterOptions] = None,
                 reactor: Any = None, **kwargs: Any) -> None:
        super().__init__(connection_string, options, **kwargs)
        if reactor is None:
            from twisted.internet import reactor as default_reactor

            reactor = default_reactor
        self._reactor = reactor
        self._connection_class = self._new_bucket
        if self._options is not None:
            self._connect_cluster()  # bootstrapping starts; on_connect() fires when it is up

    def _new_bucket(self, *args: Any, **kwargs: Any) -> Bucket:
        bucket = Bucket(*args, reactor=self._reactor, **kwargs)
        bucket._connect_errors = connect_error
        return bucket

    def on_connect(self) -> defer.Deferred[TxCluster]:
        """A Deferred firing with the cluster once its own connection is up (starting it
        again after a failed bootstrap)."""
        try:
            conn = self._own_connection()
        except Exception:
            return defer.fail()
        return conn.connect().addCallback(lambda _: self)

    @property
    def connected(self) -> bool:
        conn = self._conn
        return conn is not None and conn.connected

    def bucket(self, name: str) -> Bucket:
        """Bucket ``name`` (it starts connecting now; its methods wait for that)."""
        return self._bucket(name, self._new_bucket, lambda b: not b.closed)

    @property
    def transactions(self) -> Any:
        """Not on Twisted, as in the official SDK 4.x (its txcouchbase has no
        transactions): use the sync or the acouchbase Cluster."""
        from couchbase._errors4x import FeatureUnavailableException

        raise FeatureUnavailableException(
            message="transactions are not available on txcouchbase (as in the official "
                    "SDK): use couchbase.cluster.Cluster or acouchbase.cluster.Cluster")

    # -- what differs from the sync Cluster: Deferreds throughout ----------------------------
    def diagnostics(self, *options: Any,  # type: ignore[override]
                    **kwargs: Any) -> defer.Deferred[Any]:
        """A Deferred of the :class:`~couchbase.result.DiagnosticsResult`, once the
        cluster's own connection is up."""
        return self.on_connect().addCallback(
            lambda _: ClusterBase.diagnostics(self, *options, **kwargs))

    def wait_until_ready(self, timeout: Any, *options: Any, **kwargs: Any
                         ) -> defer.Deferred[None]:
        """A Deferred firing once the services asked for answer pings (``timeout``
        includes the bootstrap); UnAmbiguousTimeoutException otherwise."""
        try:
            seconds = timeout_seconds(timeout)
        except Exception:
            return defer.fail()
        clock = self._reactor
        deadline = clock.seconds() + seconds

        def timed_out(failure: Any) -> Any:
            failure.trap(defer.TimeoutError, defer.CancelledError)
            raise UnAmbiguousTimeoutException(
                message=f"the cluster did not connect within {seconds} s")

        def ready(_: Any) -> Any:
            left = max(deadline - clock.seconds(), 0.001)
            return ClusterBase.wait_until_ready(self, left, *options, **kwargs)

        d = self.on_connect()
        d.addTimeout(seconds, clock)
        return d.addErrback(timed_out).addCallback(ready)

    def _http_drive(self, flow: Any) -> defer.Deferred[Any]:
        """Run an HTTP-only flow on the reactor (managers of a cluster with no connection)."""
        d: defer.Deferred[Any] = defer.Deferred()
        backend = TwistedBackend(self._reactor, parse_connection_string(self._connstr),
                                 _CONNECT_TIMEOUT)
        drive_callbacks(flow, HttpOnlyIO(backend), d.callback, d.errback)
        return d

    def close(self) -> None:
        """Close the cluster's connections and its buckets' (operations still waiting
        fail)."""
        self._close_buckets()


Cluster = TxCluster
"""The name of the 4.x reference (``txcouchbase.cluster.Cluster``)."""

__all__ = ["Cluster", "TxCluster"]
