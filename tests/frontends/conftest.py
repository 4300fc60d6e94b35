"""One set of key-value tests, run against every front end.

Each front end is reached through a blocking proxy: the test calls
``cb.get(key)`` and gets the Result (or the exception) the front end's own
way of waiting produced: the sync client returns it, asyncio resolves a
future on a loop thread, Twisted fires a Deferred in the reactor thread,
gevent blocks only its greenlet.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from cluster4x import CLUSTER_FRONT_ENDS, cluster_class, options  # tests/, shared
from loop_thread import LoopThread  # tests/, shared

FRONT_ENDS = ["sync", "asyncio", "twisted", "gevent"]


class Proxy:
    """Calls a bucket's methods and waits for their results with ``resolve``."""

    def __init__(self, target: Any, resolve: Callable[[Callable[[], Any]], Any]) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_resolve", resolve)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr
        return lambda *args, **kwargs: self._resolve(lambda: attr(*args, **kwargs))

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)


@pytest.fixture(scope="session")
def loop_thread() -> Iterator[LoopThread]:
    runner = LoopThread()
    yield runner
    runner.close()


@pytest.fixture(params=FRONT_ENDS)
def front_end(request: pytest.FixtureRequest) -> str:
    name = request.param
    if name in ("twisted", "gevent"):
        pytest.importorskip(name)  # optional extras (gevent has no PyPy wheel)
    return name  # type: ignore[no-any-return]


@pytest.fixture
def connect(front_end: str, request: pytest.FixtureRequest) -> Iterator[Callable[..., Proxy]]:
    """``connect(connstr, **kwargs)`` -> a blocking proxy of that front end's Bucket."""
    opened: list[Any] = []

    def make(connstr: str, **kwargs: Any) -> Proxy:
        if front_end == "sync":
            from couchbase.bucket import Bucket

            bucket = Bucket(connstr, **kwargs)
            opened.append(bucket)
            return Proxy(bucket, lambda call: call())
        if front_end == "gevent":
            from gcouchbase.bucket import Bucket as GBucket

            gbucket = GBucket(connstr, **kwargs)
            opened.append(gbucket)
            return Proxy(gbucket, lambda call: call())  # this greenlet waits on the hub
        if front_end == "twisted":
            reactor = request.getfixturevalue("reactor")
            from txcouchbase.bucket import Bucket as TxBucket

            txbucket = reactor(TxBucket, connstr, **kwargs)
            reactor(txbucket.connect)
            opened.append(txbucket)
            return Proxy(txbucket, reactor)
        loop_thread: LoopThread = request.getfixturevalue("loop_thread")
        from acouchbase.bucket import Bucket as AsyncBucket

        abucket = loop_thread.run(lambda: AsyncBucket(connstr, **kwargs))
        loop_thread.run(abucket.connect)
        opened.append(abucket)
        return Proxy(abucket, loop_thread.run)

    yield make
    for bucket in opened:
        if front_end == "twisted":
            request.getfixturevalue("reactor")(bucket.close)
        else:
            bucket.close()


@pytest.fixture
def cb(connect: Callable[..., Proxy], mock_cluster: Any) -> Proxy:
    return connect(f"{mock_cluster.connstr}/default", username="Administrator",
                   password="password")


# -- the 4.x Cluster (sync and gevent today; see tests/cluster4x.py) --------------------------
@pytest.fixture(params=CLUSTER_FRONT_ENDS)
def cluster_front_end(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def cluster(cluster_front_end: str, mock_cluster: Any) -> Iterator[Any]:
    """A 4.x Cluster with no bucket open."""
    made = cluster_class(cluster_front_end)(mock_cluster.connstr, options())
    yield made
    made.close()




@pytest.fixture(scope="module")
def cluster_without_query() -> Iterator[Any]:
    """A local cluster of its own whose nodes list no query and no search service
    (a node's service is served only while its port is in ``node.ports``)."""
    from couchbase_mock import MockCluster

    def drop_services(cluster: Any) -> None:
        for node in cluster.nodes:
            node.ports.pop("n1ql", None)
            node.ports.pop("fts", None)
        cluster.bump()

    with MockCluster(nodes=2, replicas=0) as mock:
        mock.call(drop_services)
        yield mock
