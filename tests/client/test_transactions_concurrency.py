"""Concurrent transactions on overlapping documents keep their invariants."""

from __future__ import annotations

import random
import threading
import time
import uuid

import pytest

import couchbase.subdocument as SD
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions
from couchbase_mock import MockCluster

THREADS, TRANSFERS, ACCOUNTS = 4, 50, 5


@pytest.fixture(scope="module")
def mock():
    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock


def _connect(mock):
    return Cluster.connect(mock.connstr,
                           ClusterOptions(PasswordAuthenticator("Administrator", "password")))


@pytest.mark.parametrize("shared", [True, False], ids=["one-cluster", "cluster-per-thread"])
def test_transfers_keep_the_sum(mock, shared):
    tag = uuid.uuid4().hex[:6]
    keys = [f"acct-{tag}-{i}" for i in range(ACCOUNTS)]
    main = _connect(mock)
    coll = main.bucket("default").default_collection()
    for key in keys:
        coll.upsert(key, {"balance": 1000})
    errors: list[BaseException] = []
    done = []

    def worker(seed):
        rng = random.Random(seed)
        cluster = main if shared else _connect(mock)
        c = cluster.bucket("default").default_collection()
        try:
            for _ in range(TRANSFERS):
                src, dst = rng.sample(keys, 2)
                amount = rng.randint(1, 50)

                def transfer(ctx, src=src, dst=dst, amount=amount):
                    a, b = ctx.get(c, src), ctx.get(c, dst)
                    ctx.replace(a, {"balance": a.content_as[dict]["balance"] - amount})
                    ctx.replace(b, {"balance": b.content_as[dict]["balance"] + amount})

                cluster.transactions.run(transfer)
                done.append(1)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            if not shared:
                cluster.close()

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    elapsed = time.monotonic() - start
    assert not errors, errors[:3]
    assert len(done) == THREADS * TRANSFERS
    balances = [coll.get(k).content_as[dict]["balance"] for k in keys]
    assert sum(balances) == 1000 * ACCOUNTS
    for key in keys:
        assert not coll.lookup_in(key, [SD.exists("txn", xattr=True)]).exists(0)
    print(f"{THREADS * TRANSFERS} transfers in {elapsed:.2f} s "
          f"({THREADS * TRANSFERS / elapsed:.0f}/s)")
    main.close()
