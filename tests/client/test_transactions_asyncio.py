"""``await cluster.transactions.run(async_logic)`` on the asyncio front end: the
same protocol flows as the sync API, awaited."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from acouchbase.cluster import Cluster
from couchbase.auth import PasswordAuthenticator
from couchbase.exceptions import DocumentNotFoundException, TransactionFailed
from couchbase.options import ClusterOptions
from couchbase.transactions import AsyncTransactions
from couchbase_mock import MockCluster


@pytest.fixture(scope="module")
def mock():
    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock


async def _connect(mock):
    return await Cluster.connect(mock.connstr, ClusterOptions(
        PasswordAuthenticator("Administrator", "password")))


def test_async_transfer_and_rollback(mock):
    tag = uuid.uuid4().hex[:6]
    a, b, new = f"a-{tag}", f"b-{tag}", f"n-{tag}"

    async def main():
        cluster = await _connect(mock)
        coll = cluster.bucket("default").default_collection()
        assert isinstance(cluster.transactions, AsyncTransactions)
        await coll.upsert(a, {"balance": 10})
        await coll.upsert(b, {"balance": 0})

        async def transfer(ctx):
            da, db = await ctx.get(coll, a), await ctx.get(coll, b)
            await ctx.replace(da, {"balance": da.content_as[dict]["balance"] - 4})
            await ctx.replace(db, {"balance": db.content_as[dict]["balance"] + 4})
            await ctx.insert(coll, new, {"made": True})

        result = await cluster.transactions.run(transfer)
        assert result.unstaging_complete
        assert (await coll.get(a)).content_as[dict] == {"balance": 6}
        assert (await coll.get(b)).content_as[dict] == {"balance": 4}

        async def failing(ctx):
            await ctx.remove(await ctx.get(coll, new))
            await ctx.replace(await ctx.get(coll, a), {"balance": 0})
            raise ValueError("stop")

        with pytest.raises(TransactionFailed) as info:
            await cluster.transactions.run(failing)
        assert isinstance(info.value.inner_cause, ValueError)
        assert (await coll.get(a)).content_as[dict] == {"balance": 6}
        assert (await coll.get(new)).content_as[dict] == {"made": True}

        async def missing(ctx):
            with pytest.raises(DocumentNotFoundException):
                await ctx.get(coll, f"missing-{tag}")

        await cluster.transactions.run(missing)
        await cluster.close()

    asyncio.run(main())


def test_async_concurrent_transfers_keep_the_sum(mock):
    tag = uuid.uuid4().hex[:6]
    keys = [f"acct-{tag}-{i}" for i in range(4)]

    async def main():
        cluster = await _connect(mock)
        coll = cluster.bucket("default").default_collection()
        for key in keys:
            await coll.upsert(key, {"balance": 100})

        async def worker(seed):
            for i in range(20):
                src, dst = keys[(seed + i) % 4], keys[(seed + i + 1) % 4]

                async def transfer(ctx, src=src, dst=dst):
                    x, y = await ctx.get(coll, src), await ctx.get(coll, dst)
                    await ctx.replace(x, {"balance": x.content_as[dict]["balance"] - 1})
                    await ctx.replace(y, {"balance": y.content_as[dict]["balance"] + 1})

                await cluster.transactions.run(transfer)

        await asyncio.gather(*(worker(s) for s in range(4)))
        total = 0
        for key in keys:
            total += (await coll.get(key)).content_as[dict]["balance"]
        assert total == 400
        await cluster.close()

    asyncio.run(main())
