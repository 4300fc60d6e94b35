"""The 4.x asyncio and Twisted modules the API reference documents beside
``cluster``/``bucket``/``scope``/``collection``: ``acouchbase.management.*`` and
``txcouchbase.management.*`` (the managers a cluster or bucket of that front end
hands out, whose methods return awaitables / Deferreds), ``*.binary_collection``,
and ``acouchbase.datastructures`` (the data structures of an asyncio collection,
every method a coroutine, the same behaviour as the blocking ones).
"""

from __future__ import annotations

import asyncio
import importlib
import uuid
from typing import Any, Awaitable, Callable, Iterator

import pytest

from couchbase.auth import PasswordAuthenticator
from couchbase.exceptions import QueueEmpty
from couchbase.options import ClusterOptions, IncrementOptions, SignedInt64

MANAGERS = {  # module -> (manager class, how a cluster or bucket reaches it)
    "buckets": ("BucketManager", lambda c, b: c.buckets()),
    "users": ("UserManager", lambda c, b: c.users()),
    "queries": ("QueryIndexManager", lambda c, b: c.query_indexes()),
    "search": ("SearchIndexManager", lambda c, b: c.search_indexes()),
    "collections": ("CollectionManager", lambda c, b: b.collections()),
    "views": ("ViewIndexManager", lambda c, b: b.view_indexes()),
}


def opts() -> ClusterOptions:
    return ClusterOptions(PasswordAuthenticator("Administrator", "password"))


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def arun(main: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(main())  # type: ignore[arg-type]


# -- asyncio ---------------------------------------------------------------------------------
async def _acluster(mock: Any) -> Any:
    from acouchbase.cluster import Cluster

    return await Cluster.connect(mock.connstr, opts())


def test_acouchbase_managers_are_the_cluster_and_bucket_managers(mock_cluster: Any) -> None:
    async def main() -> dict[str, Any]:
        cluster = await _acluster(mock_cluster)
        bucket = cluster.bucket("default")
        try:
            got = {}
            for name, (cls, reach) in MANAGERS.items():
                manager = reach(cluster, bucket)
                module = importlib.import_module(f"acouchbase.management.{name}")
                assert isinstance(manager, getattr(module, cls)), name
                got[name] = manager
            from acouchbase.management.views import DesignDocumentNamespace

            return {
                "bucket": await got["buckets"].get_bucket("default"),
                "users": await got["users"].get_all_users(),
                "indexes": await got["queries"].get_all_indexes("default"),
                "search": await got["search"].get_all_indexes(),
                "scopes": await got["collections"].get_all_scopes(),
                "ddocs": await got["views"].get_all_design_documents(
                    DesignDocumentNamespace.PRODUCTION),
            }
        finally:
            await cluster.close()

    got = arun(main)
    assert got["bucket"].name == "default"
    assert "_default" in [s.name for s in got["scopes"]]
    assert all(isinstance(got[k], list) for k in ("users", "indexes", "search", "ddocs"))


def test_acouchbase_manager_errors_are_raised_by_the_await(mock_cluster: Any) -> None:
    from acouchbase.management.buckets import BucketManager
    from couchbase.exceptions import BucketDoesNotExistException

    async def main() -> None:
        cluster = await _acluster(mock_cluster)
        try:
            manager = cluster.buckets()
            assert isinstance(manager, BucketManager)
            pending = manager.get_bucket("no-such-bucket")  # nothing raised yet
            with pytest.raises(BucketDoesNotExistException):
                await pending
        finally:
            await cluster.close()

    arun(main)


def test_acouchbase_binary_collection(mock_cluster: Any) -> None:
    from acouchbase.binary_collection import BinaryCollection

    async def main() -> list[int]:
        cluster = await _acluster(mock_cluster)
        try:
            coll = cluster.bucket("default").default_collection()
            binary = coll.binary()
            assert isinstance(binary, BinaryCollection)
            key = unique("abin-")
            first = await binary.increment(key, IncrementOptions(initial=SignedInt64(10)))
            second = await binary.increment(key)
            third = await binary.decrement(key)
            return [first.content, second.content, third.content]
        finally:
            await cluster.close()

    assert arun(main) == [10, 11, 10]


def test_acouchbase_data_structures(mock_cluster: Any) -> None:
    import acouchbase.datastructures as ads

    async def main() -> dict[str, Any]:
        cluster = await _acluster(mock_cluster)
        try:
            coll = cluster.bucket("default").default_collection()
            key = unique("ads-")
            items = coll.couchbase_list(key + "-l")
            assert isinstance(items, ads.CouchbaseList)
            assert await items.size() == 0  # no document yet
            await items.append(1)
            await items.append(2)
            await items.prepend(0)
            await items.set_at(2, 20)
            out: dict[str, Any] = {"list": await items.get_all(), "at": await items.get_at(1),
                                   "index": await items.index_of(20),
                                   "missing": await items.index_of(99)}
            out["iter"] = [v async for v in items]
            await items.remove_at(0)
            out["after_remove"] = await items.get_all()
            with pytest.raises(IndexError):
                await items.get_at(10)
            await items.clear()
            out["cleared"] = await items.size()

            mapping = coll.couchbase_map(key + "-m")
            assert isinstance(mapping, ads.CouchbaseMap)
            await mapping.add("a", 1)
            await mapping.add("b", {"x": 2})
            out["map"] = (await mapping.get("b"), await mapping.exists("a"),
                          await mapping.exists("z"), sorted(await mapping.keys()),
                          await mapping.size(), sorted(await mapping.items()))
            await mapping.remove("a")
            out["map_after"] = await mapping.get_all()

            unique_values = coll.couchbase_set(key + "-s")
            assert isinstance(unique_values, ads.CouchbaseSet)
            out["set_added"] = [await unique_values.add("x"), await unique_values.add("x"),
                                await unique_values.add("y")]
            out["set"] = (sorted(await unique_values.values()),
                          await unique_values.contains("x"), await unique_values.contains("q"))
            await unique_values.remove("x")
            out["set_after"] = await unique_values.values()

            queue = coll.couchbase_queue(key + "-q")
            assert isinstance(queue, ads.CouchbaseQueue)
            for value in (1, 2, 3):
                await queue.push(value)
            out["pop"] = await queue.pop()
            out["drained"] = [v async for v in queue]
            with pytest.raises(QueueEmpty):
                await queue.pop()
            out["queue_size"] = await queue.size()
            return out
        finally:
            await cluster.close()

    out = arun(main)
    assert out["list"] == [0, 1, 20] and out["at"] == 1 and out["index"] == 2
    assert out["missing"] == -1 and out["iter"] == [0, 1, 20]
    assert out["after_remove"] == [1, 20] and out["cleared"] == 0
    assert out["map"] == ({"x": 2}, True, False, ["a", "b"], 2, [("a", 1), ("b", {"x": 2})])
    assert out["map_after"] == {"b": {"x": 2}}
    assert out["set_added"] == [True, False, True]
    assert out["set"] == (["x", "y"], True, False) and out["set_after"] == ["y"]
    assert out["pop"] == 1 and out["drained"] == [2, 3] and out["queue_size"] == 0


def test_blocking_collections_keep_blocking_data_structures(mock_cluster: Any) -> None:
    from couchbase.cluster import Cluster
    from couchbase.datastructures import CouchbaseList

    cluster = Cluster(mock_cluster.connstr, opts())
    try:
        items = cluster.bucket("default").default_collection().couchbase_list(unique("bds-"))
        assert isinstance(items, CouchbaseList)
        items.append("a")
        assert items.get_all() == ["a"] and len(items) == 1
    finally:
        cluster.close()


# -- Twisted -----------------------------------------------------------------------------------
@pytest.fixture
def txcluster(reactor: Any, mock_cluster: Any) -> Iterator[Any]:
    pytest.importorskip("twisted")
    from txcouchbase.cluster import TxCluster

    made = reactor(TxCluster, mock_cluster.connstr, opts())
    reactor(made.on_connect)
    yield made
    reactor(made.close)


def test_txcouchbase_managers_answer_deferreds(reactor: Any, txcluster: Any) -> None:
    from twisted.internet.defer import Deferred

    bucket = reactor(txcluster.bucket, "default")
    for name, (cls, reach) in MANAGERS.items():
        manager = reach(txcluster, bucket)
        module = importlib.import_module(f"txcouchbase.management.{name}")
        assert isinstance(manager, getattr(module, cls)), name
    pending = reactor(lambda: txcluster.buckets().get_bucket("default").addCallback(
        lambda settings: (settings, isinstance(settings, object))))
    assert pending[0].name == "default"
    d = reactor(lambda: [txcluster.users().get_all_users()])[0]
    assert isinstance(d, Deferred)
    scopes = reactor(lambda: bucket.collections().get_all_scopes())
    assert "_default" in [s.name for s in scopes]


def test_txcouchbase_binary_collection(reactor: Any, txcluster: Any) -> None:
    from txcouchbase.binary_collection import BinaryCollection

    coll = reactor(lambda: txcluster.bucket("default").default_collection())
    binary = coll.binary()
    assert isinstance(binary, BinaryCollection)
    key = unique("txbin-")
    first = reactor(binary.increment, key, IncrementOptions(initial=SignedInt64(5)))
    second = reactor(binary.increment, key)
    assert (first.content, second.content) == (5, 6)
