"""Load: concurrent transactions on overlapping documents keep their invariant
(issue 16's acceptance: 8 threads, 1,000 transactions, the sum of balances kept).
scripts/txn-soak.py runs the same for longer and reports transactions/s."""

from __future__ import annotations

import uuid

import pytest

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions
from couchbase_mock import MockCluster
from txn_load import leftovers, transfers  # tests/, shared with scripts/txn-soak.py

THREADS, PER_THREAD, ACCOUNTS, START = 8, 125, 20, 1000


@pytest.fixture(scope="module")
def mock():
    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock


def test_8_threads_1000_transfers_keep_the_sum(mock):
    cluster = Cluster.connect(mock.connstr, ClusterOptions(
        PasswordAuthenticator("Administrator", "password")))
    try:
        coll = cluster.bucket("default").default_collection()
        tag = uuid.uuid4().hex[:6]
        keys = [f"load-{tag}-{i}" for i in range(ACCOUNTS)]
        for key in keys:
            coll.upsert(key, {"balance": START})
        done, errors, seconds = transfers(cluster, keys, THREADS, THREADS * PER_THREAD)
        print(f"\n{done} transactions in {seconds:.1f} s: {done / seconds:.0f}/s")
        assert not errors, errors[:3]
        assert done == THREADS * PER_THREAD
        balances = [coll.get(key).content_as[dict]["balance"] for key in keys]
        assert sum(balances) == START * ACCOUNTS
        assert leftovers(coll, keys) == ([], 0)  # every transaction finished
    finally:
        cluster.close()
