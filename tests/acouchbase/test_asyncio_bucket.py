"""What only the asyncio front end has: awaitables, concurrency on one connection, timeouts."""

from __future__ import annotations

import asyncio
import time

import pytest

from acouchbase.bucket import Bucket
from couchbase.exceptions import (
    AuthError,
    BucketNotFoundError,
    ConnectError,
    NotFoundError,
    ObjectDestroyedError,
)
from couchbase.exceptions import TimeoutError as CBTimeoutError


def _bucket(mock, bucket="default", password="password", **kwargs):
    return Bucket(f"{mock.connstr}/{bucket}", username="Administrator", password=password,
                  **kwargs)


def test_many_operations_in_flight_on_one_connection(mock_cluster):
    async def main():
        cb = await _bucket(mock_cluster).connect()
        await cb.upsert_multi({f"flight-{i}": i for i in range(500)})
        most = 0
        futures = [cb.get(f"flight-{i}") for i in range(500)]
        most = max(len(n.inflight) + len(n.queue) for n in cb._cluster.nodes.values())
        results = await asyncio.gather(*futures)
        cb.close()
        return most, [r.value for r in results]

    most, values = asyncio.run(main())
    assert values == list(range(500))
    assert most > 50  # requests really were outstanding together on one node's connection


def test_operation_timeout_is_per_operation(mock_cluster):
    async def main():
        cb = await _bucket(mock_cluster, timeout=0.3).connect()
        await cb.upsert("slow", 1)
        node = next(iter(cb._cluster.nodes.values()))
        for n in cb._cluster.nodes.values():
            n.transport.write = lambda data: None  # the server never hears of it
        start = time.monotonic()
        with pytest.raises(CBTimeoutError):
            await cb.get("slow")
        elapsed = time.monotonic() - start
        assert not node.inflight  # the abandoned request is forgotten
        cb.close()
        return elapsed

    elapsed = asyncio.run(main())
    assert 0.25 < elapsed < 1.5


def test_connect_errors(mock_cluster):
    async def main():
        with pytest.raises(AuthError):
            await _bucket(mock_cluster, password="wrong").connect()
        with pytest.raises(BucketNotFoundError):
            await _bucket(mock_cluster, bucket="nope").connect()
        with pytest.raises(ConnectError):
            await Bucket("couchbase://127.0.0.1:1/default?config_total_timeout=1").connect()
        cb = _bucket(mock_cluster)
        with pytest.raises(ObjectDestroyedError):
            cb.get("before-connect")

    asyncio.run(main())


def test_context_manager_and_errors(mock_cluster):
    async def main():
        async with _bucket(mock_cluster) as cb:
            with pytest.raises(NotFoundError):
                await cb.get("never-stored")
            coll = cb.default_collection()
            await coll.upsert("via-collection", "x")
            assert (await cb.get("via-collection")).value == "x"
        assert cb.closed

    asyncio.run(main())


def test_3x_cluster_entry_point(mock_cluster):
    from acouchbase.cluster import Cluster
    from couchbase.auth import PasswordAuthenticator
    from couchbase.options import ClusterOptions

    async def main():
        cluster = await Cluster.connect(
            mock_cluster.connstr,
            ClusterOptions(PasswordAuthenticator("Administrator", "password")))
        bucket = cluster.bucket("default")
        await bucket.on_connect()
        coll = bucket.default_collection()
        await coll.upsert("async-3x", {"ok": True})
        got = await coll.get("async-3x")
        await cluster.close()
        return got.value

    assert asyncio.run(main()) == {"ok": True}


def test_an_answer_that_breaks_while_decoding_fails_only_its_operation(mock_cluster):
    """A bad answer among others in flight on one connection: asyncio never sees the
    error (it would close the transport), the other operations complete."""
    from couchbase._core.opcode import Opcode
    from couchbase._core.request import Request
    from couchbase._operation import Operation

    def broken(key, pkt):
        raise KeyError("a decoder bug")

    async def main():
        cb = await _bucket(mock_cluster).connect()
        await cb.upsert_multi({f"decode-{i}": i for i in range(50)})
        nodes = dict(cb._cluster.nodes)
        bad = cb._run(Operation("decode-0", Request(Opcode.GET, b"decode-0"), broken))
        good = [cb.get(f"decode-{i}") for i in range(50)]
        outcomes = await asyncio.gather(bad, *good, return_exceptions=True)
        same = all(cb._cluster.nodes[a] is n and not n.closed for a, n in nodes.items())
        cb.close()
        return outcomes, same

    outcomes, same = asyncio.run(main())
    assert isinstance(outcomes[0], KeyError)
    assert [r.value for r in outcomes[1:]] == list(range(50))
    assert same
