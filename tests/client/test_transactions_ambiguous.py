"""The commit point's write with no known outcome (the local cluster's OPFAIL fault
answers SYNC_WRITE_AMBIGUOUS for the node holding the attempt's ATR): settled by
reading the ATR entry and writing again when it is still PENDING; only when the
entry cannot be read before the transaction's time is up does ``run`` raise
TransactionCommitAmbiguous."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import TransactionCommitAmbiguous
from couchbase.options import ClusterOptions, TransactionOptions
from couchbase.transactions.atr import atr_id_for_key
from couchbase_mock import MockCluster

SYNC_WRITE_AMBIGUOUS = 0xA3


@pytest.fixture(scope="module")
def mock():
    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock


@pytest.fixture(scope="module")
def cluster(mock):
    cluster = Cluster.connect(mock.connstr, ClusterOptions(
        PasswordAuthenticator("Administrator", "password")))
    yield cluster
    cluster.close()


def _fail_atr_node(mock, key, count):
    """From now on the next ``count`` commands (-1: all) on the node holding the ATR of
    ``key`` answer SYNC_WRITE_AMBIGUOUS."""
    bucket = mock.cluster.buckets["default"]
    node = bucket.active_node(bucket.vbucket_of(atr_id_for_key(key).encode()))
    faults = mock.cluster.faults[node]
    faults.opfail_code, faults.opfail_left = SYNC_WRITE_AMBIGUOUS, count
    faults.refresh()
    return faults


@pytest.mark.parametrize("failures", [1, -1], ids=["settled", "unknown"])
def test_ambiguous_commit_write(mock, cluster, failures):
    coll = cluster.bucket("default").default_collection()
    key = f"amb-{uuid.uuid4().hex[:8]}"
    coll.upsert(key, {"v": 1})
    faults = None

    def logic(ctx):
        nonlocal faults
        ctx.replace(ctx.get(coll, key), {"v": 2})
        faults = _fail_atr_node(mock, key, failures)  # staged: now the commit meets it

    started = time.monotonic()
    try:
        if failures == 1:  # the entry reads PENDING: written again, committed
            assert cluster.transactions.run(logic).unstaging_complete
            assert coll.get(key).content_as[dict] == {"v": 2}
        else:  # nothing on that node answers until the transaction's 1 s is up
            with pytest.raises(TransactionCommitAmbiguous):
                cluster.transactions.run(logic, TransactionOptions(
                    timeout=timedelta(seconds=1)))
            assert time.monotonic() - started < 5
    finally:
        if faults is not None:
            faults.opfail_left = 0
            faults.refresh()
