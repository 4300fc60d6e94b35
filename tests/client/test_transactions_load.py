"""Load: concurrent transactions on overlapping documents keep their invariant
(issue 16's acceptance: 8 threads, 1,000 transactions, the sum of balances kept).
scripts/txn-soak.py runs the same for longer and reports transactions/s."""

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
from couchbase.transactions.atr import atr_id_for_key
from couchbase_mock import MockCluster

THREADS, PER_THREAD, ACCOUNTS, START = 8, 125, 20, 1000


@pytest.fixture(scope="module")
def mock():
    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock


def run_load(cluster, keys, threads, per_thread, seed=0):
    """``threads`` x ``per_thread`` random transfers on one cluster; (done, errors, s)."""
    coll = cluster.bucket("default").default_collection()
    errors: list[BaseException] = []
    done = [0] * threads

    def worker(n):
        rng = random.Random(seed * 1000 + n)
        for _ in range(per_thread):
            src, dst = rng.sample(keys, 2)
            amount = rng.randint(1, 20)

            def transfer(ctx, src=src, dst=dst, amount=amount):
                a, b = ctx.get(coll, src), ctx.get(coll, dst)
                ctx.replace(a, {"balance": a.content_as[dict]["balance"] - amount})
                ctx.replace(b, {"balance": b.content_as[dict]["balance"] + amount})

            try:
                cluster.transactions.run(transfer)
                done[n] += 1
            except BaseException as exc:  # noqa: BLE001 (reported by the test)
                errors.append(exc)
                return

    began = time.monotonic()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return sum(done), errors, time.monotonic() - began


def test_8_threads_1000_transfers_keep_the_sum(mock):
    cluster = Cluster.connect(mock.connstr, ClusterOptions(
        PasswordAuthenticator("Administrator", "password")))
    try:
        coll = cluster.bucket("default").default_collection()
        tag = uuid.uuid4().hex[:6]
        keys = [f"load-{tag}-{i}" for i in range(ACCOUNTS)]
        for key in keys:
            coll.upsert(key, {"balance": START})
        done, errors, seconds = run_load(cluster, keys, THREADS, PER_THREAD)
        print(f"\n{done} transactions in {seconds:.1f} s: {done / seconds:.0f}/s")
        assert not errors, errors[:3]
        assert done == THREADS * PER_THREAD
        balances = [coll.get(key).content_as[dict]["balance"] for key in keys]
        assert sum(balances) == START * ACCOUNTS
        for key in keys:  # every transaction finished: nothing staged, no ATR entry left
            assert not coll.lookup_in(key, [SD.exists("txn", xattr=True)]).exists(0)
        atrs = {atr_id_for_key(key) for key in keys}
        assert not [a for a in atrs if coll.lookup_in(a, [SD.get("attempts", xattr=True)])
                    .content_as[dict](0)]
    finally:
        cluster.close()
