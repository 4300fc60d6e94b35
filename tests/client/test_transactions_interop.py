"""Transactions of this package and of the official SDK 4.x (its C++ core) on the
same documents: each sees the other's staged writes as staged (invisible, and a
write-write conflict) and the other's commits as committed."""

from __future__ import annotations

import json
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import TransactionExpired
from couchbase.options import ClusterOptions, TransactionOptions
from couchbase_mock import MockCluster

OFFICIAL = Path(__file__).resolve().parents[2] / ".cache" / "official-sdk" / "bin" / "python"
pytestmark = pytest.mark.skipif(not OFFICIAL.exists(), reason="the official SDK's venv is "
                                "made by tests/interop (.cache/official-sdk)")

# Run by the official SDK: argv CONNSTR KEY ACTION; prints one JSON line.
OFFICIAL_SCRIPT = r"""
import json, sys, time
from datetime import timedelta
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions, TransactionOptions
connstr, key, action = sys.argv[1:4]
cluster = Cluster(connstr, ClusterOptions(PasswordAuthenticator("Administrator", "password")))
coll = cluster.bucket("default").default_collection()
out = {}
if action == "read":  # while the other client's transaction is staged
    out["plain"] = coll.get(key).content_as[dict]
    def read(ctx):
        out["txn"] = ctx.get(coll, key).content_as[dict]
    cluster.transactions.run(read)
    def write(ctx):
        doc = ctx.get(coll, key)
        ctx.replace(doc, {"v": "official"})
    try:
        cluster.transactions.run(write, TransactionOptions(timeout=timedelta(seconds=1)))
        out["write"] = "committed"
    except Exception as exc:
        out["write"] = type(exc).__name__
        out["why"] = str(exc)[:600]
elif action == "stage-and-wait":  # stage a replace, hold it 3 s, commit
    def write(ctx):
        doc = ctx.get(coll, key)
        ctx.replace(doc, {"v": doc.content_as[dict]["v"] + 1})
        print(json.dumps({"staged": True}), flush=True)
        time.sleep(3)
    cluster.transactions.run(write)
    out["committed"] = True
elif action == "get":
    def read(ctx):
        out["txn"] = ctx.get(coll, key).content_as[dict]
    cluster.transactions.run(read)
print(json.dumps(out), flush=True)
"""


@pytest.fixture(scope="module")
def mock():
    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock


@pytest.fixture(scope="module")
def cluster(mock):
    cluster = Cluster.connect(mock.connstr,
                              ClusterOptions(PasswordAuthenticator("Administrator", "password")))
    yield cluster
    cluster.close()


def _official(mock, key, action):
    return subprocess.Popen([str(OFFICIAL), "-c", OFFICIAL_SCRIPT, mock.connstr, key, action],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_official_sees_our_staged_write_as_staged_then_our_commit(mock, cluster):
    key = f"interop-{uuid.uuid4().hex[:8]}"
    coll = cluster.bucket("default").default_collection()
    coll.upsert(key, {"v": 1})
    seen = {}

    def logic(ctx):
        ctx.replace(ctx.get(coll, key), {"v": 2})
        proc = _official(mock, key, "read")
        out, err = proc.communicate(timeout=60)
        seen.update(json.loads(out.strip().splitlines()[-1]) if out.strip() else {"err": err})

    cluster.transactions.run(logic)
    # the official SDK neither sees nor overwrites our staged write (its conflict
    # handling gives up within its 1 s: TransactionFailed "document is in another
    # transaction", or TransactionExpired)
    why = seen.pop("why", "")
    assert seen.pop("write") in ("TransactionFailed", "TransactionExpired"), why
    assert seen == {"plain": {"v": 1}, "txn": {"v": 1}}, seen
    proc = _official(mock, key, "get")
    out, err = proc.communicate(timeout=60)
    assert json.loads(out.strip().splitlines()[-1]) == {"txn": {"v": 2}}, err[-500:]


def test_we_see_the_officials_staged_write_as_staged_then_its_commit(cluster, mock):
    key = f"interop-{uuid.uuid4().hex[:8]}"
    coll = cluster.bucket("default").default_collection()
    coll.upsert(key, {"v": 1})
    proc = _official(mock, key, "stage-and-wait")
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert json.loads(first) == {"staged": True}, proc.stderr.read()[-500:] if proc.stderr \
        else first
    seen = {}

    def read(ctx):
        seen["txn"] = ctx.get(coll, key).content_as[dict]

    cluster.transactions.run(read)
    assert seen["txn"] == {"v": 1}
    assert coll.get(key).content_as[dict] == {"v": 1}

    def write(ctx):
        ctx.replace(ctx.get(coll, key), {"v": "ours"})

    with pytest.raises(TransactionExpired):
        cluster.transactions.run(write, TransactionOptions(timeout=timedelta(seconds=1)))
    out, err = proc.communicate(timeout=60)
    assert json.loads(out.strip().splitlines()[-1]) == {"committed": True}, err[-500:]
    assert coll.get(key).content_as[dict] == {"v": 2}
    cluster.transactions.run(read)
    assert seen["txn"] == {"v": 2}


def test_a_transfer_each_way_keeps_the_sum(cluster, mock):
    """Our transfers and the official SDK's, at the same time, on the same docs."""
    keys = [f"interop-acct-{uuid.uuid4().hex[:6]}-{i}" for i in range(3)]
    coll = cluster.bucket("default").default_collection()
    for k in keys:
        coll.upsert(k, {"balance": 100})
    script = r"""
import sys
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import TransactionFailed
from couchbase.options import ClusterOptions
cluster = Cluster(sys.argv[1], ClusterOptions(PasswordAuthenticator("Administrator", "password")))
coll = cluster.bucket("default").default_collection()
keys = sys.argv[2:]
for i in range(30):
    s, d = keys[i % 3], keys[(i + 1) % 3]
    def t(ctx):
        a, b = ctx.get(coll, s), ctx.get(coll, d)
        ctx.replace(a, {"balance": a.content_as[dict]["balance"] - 1})
        ctx.replace(b, {"balance": b.content_as[dict]["balance"] + 1})
    for _ in range(20):  # the official 4.6 run() does not retry a conflict the lambda
        try:             # lets through (a TransactionFailed, rolled back): the app does
            cluster.transactions.run(t)
            break
        except TransactionFailed:
            pass
    else:
        raise SystemExit("20 conflicts in a row")
print("done")
"""
    proc = subprocess.Popen([str(OFFICIAL), "-c", script, mock.connstr, *keys],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for i in range(30):
        s, d = keys[(i + 2) % 3], keys[i % 3]

        def t(ctx, s=s, d=d):
            a, b = ctx.get(coll, s), ctx.get(coll, d)
            ctx.replace(a, {"balance": a.content_as[dict]["balance"] - 2})
            ctx.replace(b, {"balance": b.content_as[dict]["balance"] + 2})

        cluster.transactions.run(t)
    out, err = proc.communicate(timeout=120)
    assert out.strip() == "done", err[-800:]
    assert sum(coll.get(k).content_as[dict]["balance"] for k in keys) == 300

