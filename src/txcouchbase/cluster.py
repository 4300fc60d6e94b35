"""The Twisted 4.x entry point: ``TxCluster``; its methods return Deferreds.

>>> cluster = TxCluster("couchbase://127.0.0.1", ClusterOptions(auth))
>>> d = cluster.on_connect()
>>> d.addCallback(lambda _: cluster.buckets().get_all_buckets())

Buckets opened from it (``cluster.bucket(name)``) are
:class:`txcouchbase.bucket.Bucket` objects on the same reactor. Use it in the
reactor's thread.
"""

from __future__ import annotations

from typing import Any, Optional

from twisted.internet import defer

from couchbase._core.connstr import parse_connection_string
from couchbase._io.http_only import HttpOnlyIO
from couchbase._waiting import drive_callbacks
from couchbase.cluster import ClusterBase
from couchbase.options import ClusterOptions

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

    def on_connect(self) -> defer.Deferred[TxCluster]:
        """A Deferred that fires with the cluster (buckets bootstrap when opened)."""
        return defer.succeed(self)

    def bucket(self, name: str) -> Bucket:
        """Bucket ``name`` (it starts connecting now; its methods wait for that)."""
        return self._bucket(name, lambda *args, **kwargs: Bucket(
            *args, reactor=self._reactor, **kwargs), lambda b: not b.closed)

    def _http_drive(self, flow: Any) -> defer.Deferred[Any]:
        """Run an HTTP-only flow on the reactor (cluster managers with no bucket open)."""
        d: defer.Deferred[Any] = defer.Deferred()
        backend = TwistedBackend(self._reactor, parse_connection_string(self._connstr),
                                 _CONNECT_TIMEOUT)
        drive_callbacks(flow, HttpOnlyIO(backend), d.callback, d.errback)
        return d

    def close(self) -> None:
        self._close_buckets()


__all__ = ["TxCluster"]
