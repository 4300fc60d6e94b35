"""The gevent ``Bucket``: the synchronous API, waiting cooperatively.

Methods return results and raise exceptions exactly as
:class:`couchbase.bucket.Bucket` does, but a call blocks only the calling
greenlet: the hub keeps running others meanwhile. Many greenlets may share
one Bucket; their operations are in flight at once on its connections::

    import gevent
    from gcouchbase.bucket import Bucket

    cb = Bucket("couchbase://127.0.0.1/default", username=..., password=...)
    gevent.joinall([gevent.spawn(cb.upsert, f"k{i}", i) for i in range(100)])

No monkey-patching is needed. A Bucket belongs to the thread (and so the
hub) that made it.
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from functools import partial
from typing import Any, Callable

from gevent.hub import Hub, Waiter, get_hub

from couchbase._blocking_frontend import BlockingFrontEnd
from couchbase._bucketbase import BucketBase
from couchbase._core.cluster import ClusterBase
from couchbase._io.mux import MuxCluster
from couchbase._settings import Settings
from couchbase._waiting import BlockingOverCallbacks, Done
from couchbase.exceptions import ObjectThreadError

from ._backend import GeventBackend

_NO_GUARD = nullcontext()  # greenlets share a Bucket: nothing to lock


def _wait(hub: Hub, schedule: Callable[..., Any], thread: int,
          start: Callable[[Done], None]) -> Any:
    """Start an operation and yield to the hub until its callback came."""
    if threading.get_ident() != thread:
        raise ObjectThreadError(
            "a gcouchbase Bucket belongs to the thread (and gevent hub) that made it")
    waiter = Waiter(hub)
    start(lambda reply, error: schedule(waiter.switch, (reply, error)))
    reply, error = waiter.get()
    if error is not None:
        raise error
    return reply


class Bucket(BlockingFrontEnd, BucketBase):
    """A connection to one bucket for gevent; the constructor connects.

    Takes the arguments of :class:`couchbase.bucket.Bucket`. ``lockmode`` is
    accepted and ignored: greenlets share a Bucket without a lock.
    """

    _cluster: MuxCluster

    def _open(self, settings: Settings, **extra: Any) -> None:
        self._guard = _NO_GUARD
        self._thread = thread = threading.get_ident()
        self._hub = hub = get_hub()
        wait = partial(_wait, hub, hub.loop.run_callback, thread)  # (no reference to self)
        cluster = MuxCluster(settings, GeventBackend(hub, settings.bootstrap_timeout))
        try:
            wait(lambda done: cluster.connect(lambda error: done(None, error)))
        except BaseException:
            cluster.close()
            raise
        self._cluster = cluster
        self._io = BlockingOverCallbacks(cluster, wait)

    def _live(self) -> ClusterBase[Any]:
        cluster = super()._live()
        if threading.get_ident() != self._thread:
            raise ObjectThreadError(
                "a gcouchbase Bucket belongs to the thread (and gevent hub) that made it")
        return cluster

    def close(self) -> None:
        """Close the connections; operations still waiting raise ObjectDestroyedError."""
        cluster = self._cluster
        if cluster is None or cluster.closed:
            return
        if threading.get_ident() == self._thread:
            cluster.close()
        else:  # e.g. garbage collected in another thread: close in the hub's own
            self._hub.loop.run_callback_threadsafe(cluster.close)


__all__ = ["Bucket"]
