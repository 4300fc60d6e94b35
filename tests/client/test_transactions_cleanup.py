"""Cleanup of transaction attempts: a client killed mid-transaction leaves no torn
state once another client's background cleanup has run; the client record; the
cleanup's settings; the cleanup on the asyncio and gevent front ends.

Kept short for CI (~42 s before, ~14 s now): the killed client's transaction has a 1 s
timeout, so its entry expires soon after the kill; the in-process cleaners clean an
entry as soon as it expired (no margin, ``ENTRY_MARGIN_MS`` is for clocks that differ,
not ours); the asyncio and gevent cleanups finish an attempt their own client left half
unstaged, which needs no kill and no expiry. scripts/txn-soak.py and
tests/client/test_transactions_load.py run transactions at size.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

import couchbase.subdocument as SD
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import DocumentNotFoundException, InvalidArgumentException
from couchbase.options import ClusterOptions, TransactionConfig
from couchbase.transactions import cleanup as cleanup_module
from couchbase.transactions.atr import atr_id_for_key
from couchbase.transactions.attempt import Attempt
from couchbase.transactions.cleanup import CLIENT_RECORD_ID
from couchbase_mock import MockCluster

AUTH = PasswordAuthenticator("Administrator", "password")
SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")
CRASHED_TIMEOUT = 1.0  # seconds: the killed client's transaction expires this soon

# The crashing client: replaces r0..r2, inserts "new", removes "gone", and dies at
# the point COUCHBASE_TXN_CRASH_AT names (couchbase/transactions/attempt.py).
CRASHER = """
import sys
from datetime import timedelta
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions, TransactionConfig, TransactionOptions
connstr, keys, timeout = sys.argv[1], sys.argv[2].split(","), float(sys.argv[3])
config = TransactionConfig(cleanup_lost_attempts=False, cleanup_client_attempts=False)
cluster = Cluster.connect(connstr, ClusterOptions(
    PasswordAuthenticator("Administrator", "password"), transaction_config=config))
coll = cluster.bucket("default").default_collection()
def logic(ctx):
    for key in keys[:3]:
        doc = ctx.get(coll, key)
        ctx.replace(doc, {"v": "new"})
    ctx.insert(coll, keys[3], {"v": "new"})
    ctx.remove(ctx.get(coll, keys[4]))
cluster.transactions.run(logic, TransactionOptions(timeout=timedelta(seconds=timeout)))
print("not killed")
"""


@pytest.fixture(autouse=True)
def no_entry_margin(monkeypatch):
    monkeypatch.setattr(cleanup_module, "ENTRY_MARGIN_MS", 0)


@pytest.fixture(scope="module")
def mock():
    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock


@pytest.fixture(scope="module")
def plain(mock):
    """A client with no cleanup of its own, to look at the documents."""
    config = TransactionConfig(cleanup_lost_attempts=False, cleanup_client_attempts=False)
    cluster = Cluster.connect(mock.connstr, ClusterOptions(AUTH, transaction_config=config))
    yield cluster
    cluster.close()


def _cleaner(mock, **config):
    config.setdefault("cleanup_window", timedelta(seconds=1))
    return Cluster.connect(mock.connstr, ClusterOptions(
        AUTH, transaction_config=TransactionConfig(**config)))


def _keys():
    tag = uuid.uuid4().hex[:8]
    return [f"crash-{tag}-{name}" for name in ("r0", "r1", "r2", "new", "gone")]


def _crash(mock, keys, point):
    env = dict(os.environ, COUCHBASE_TXN_CRASH_AT=point,
               PYTHONPATH=os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", CRASHER, mock.connstr, ",".join(keys),
                           str(CRASHED_TIMEOUT)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 86, proc.stdout + proc.stderr[-2000:]


def _entries(coll, atr_id):
    try:
        res = coll.lookup_in(atr_id, [SD.get("attempts", xattr=True)])
    except DocumentNotFoundException:
        return {}
    return res.content_as[dict](0) if res.exists(0) else {}


def _has_txn(coll, key):
    try:
        return coll.lookup_in(key, [SD.exists("txn", xattr=True)], access_deleted=True).exists(0)
    except DocumentNotFoundException:
        return False


def _body(coll, key):
    try:
        return coll.get(key).content_as[dict]
    except DocumentNotFoundException:
        return None


def _wait(predicate, seconds=45.0):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "the cleanup did not get there in time"
        time.sleep(0.2)


def _staged_by_dead_client(mock, plain, point):
    coll = plain.bucket("default").default_collection()
    keys = _keys()
    for key in keys[:3] + keys[4:]:
        coll.upsert(key, {"v": "old"})
    _crash(mock, keys, point)
    atr_id = atr_id_for_key(keys[0])
    entries = _entries(coll, atr_id)
    assert len(entries) == 1
    return coll, keys, atr_id, next(iter(entries.values()))


@pytest.mark.parametrize("point", ["committed", "unstaging"])
def test_killed_past_the_commit_point_is_committed_by_the_cleanup(mock, plain, point):
    coll, keys, atr_id, entry = _staged_by_dead_client(mock, plain, point)
    assert entry["st"] == "COMMITTED"
    cleaner = _cleaner(mock)
    try:
        cleaner.bucket("default")
        assert cleaner.transactions._cleanup.lost  # started with the transactions
        _wait(lambda: not _entries(coll, atr_id))
    finally:
        cleaner.close()
    assert [_body(coll, key) for key in keys] == [{"v": "new"}] * 4 + [None]
    assert not any(_has_txn(coll, key) for key in keys)


def test_killed_before_the_commit_point_is_rolled_back_by_the_cleanup(mock, plain):
    coll, keys, atr_id, entry = _staged_by_dead_client(mock, plain, "pending")
    assert entry["st"] == "PENDING"
    cleaner = _cleaner(mock)
    try:
        cleaner.bucket("default")
        assert cleaner.transactions._cleanup.lost
        _wait(lambda: not _entries(coll, atr_id))
        # the protocol's PENDING entry lists no documents: their staging stays, inert
        assert [_body(coll, key) for key in keys] == [{"v": "old"}] * 3 + [None, {"v": "old"}]

        def logic(ctx):  # no write-write conflict with the dead attempt's staging
            for key in keys[:3]:
                ctx.replace(ctx.get(coll, key), {"v": "after"})
            ctx.insert(coll, keys[3], {"v": "after"})
            ctx.remove(ctx.get(coll, keys[4]))

        cleaner.transactions.run(logic)
    finally:
        cleaner.close()
    assert [_body(coll, key) for key in keys] == [{"v": "after"}] * 4 + [None]
    assert not any(_has_txn(coll, key) for key in keys)


def _half_unstaged(plain, monkeypatch):
    """Two documents whose next transaction's commit leaves the second one staged (as
    when it stayed locked): the entry stays COMMITTED, for the client's own cleanup."""
    coll = plain.bucket("default").default_collection()
    keys = _keys()[:2]
    for key in keys:
        coll.upsert(key, {"v": "old"})
    unstage = Attempt._unstage

    def failing(self, staged):
        if staged.key == keys[1]:
            return False
        return (yield from unstage(self, staged))

    monkeypatch.setattr(Attempt, "_unstage", failing)
    return coll, keys


def _finished(coll, keys):
    return not _has_txn(coll, keys[1]) and not _entries(coll, atr_id_for_key(keys[0]))


def test_an_attempt_left_half_unstaged_is_finished_by_its_own_client(mock, plain, monkeypatch):
    coll, keys = _half_unstaged(plain, monkeypatch)
    cluster = _cleaner(mock, cleanup_lost_attempts=False, cleanup_window=timedelta(seconds=60))
    try:
        result = cluster.transactions.run(
            lambda ctx: [ctx.replace(ctx.get(coll, k), {"v": "new"}) for k in keys])
        assert not result.unstaging_complete
        _wait(lambda: _finished(coll, keys), 15)
    finally:
        cluster.close()
    assert [_body(coll, k) for k in keys] == [{"v": "new"}] * 2


def test_client_record_lists_the_live_clients(mock, plain):
    coll = plain.bucket("default").default_collection()
    first, second = _cleaner(mock), _cleaner(mock)
    try:
        for cluster in (first, second):
            cluster.bucket("default")
        ids = {c.transactions._cleanup.client_id for c in (first, second)}

        def clients():
            try:
                res = coll.lookup_in(CLIENT_RECORD_ID, [SD.get("records.clients", xattr=True)])
            except DocumentNotFoundException:
                return {}
            return res.content_as[dict](0)

        _wait(lambda: ids <= set(clients()), 15)
        record = clients()[first.transactions._cleanup.client_id]
        assert record["num_atrs"] == 1024 and record["expires_ms"] >= 1000
        assert record["heartbeat_ms"].startswith("0x")
    finally:
        first.close()
    assert first.transactions._cleanup.client_id not in clients()
    assert second.transactions._cleanup.client_id in clients()
    second.close()


def test_close_stops_the_cleanup_thread(mock):
    cluster = _cleaner(mock)
    runner = cluster.transactions._cleanup._runner
    assert runner.daemon and runner.is_alive()
    cluster.close()
    assert not runner.is_alive()


def test_no_cleanup_when_both_kinds_are_off(mock):
    cluster = _cleaner(mock, cleanup_lost_attempts=False, cleanup_client_attempts=False)
    try:
        assert cluster.transactions._cleanup._runner is None
    finally:
        cluster.close()


def test_bad_cleanup_window_is_invalid_argument(mock):
    cluster = _cleaner(mock, cleanup_window=timedelta(seconds=-1))
    try:
        with pytest.raises(InvalidArgumentException):
            cluster.transactions.run(lambda ctx: None)
    finally:
        cluster.close()


def test_asyncio_cluster_cleans_as_a_task(mock, plain, monkeypatch):
    from acouchbase.cluster import Cluster as AsyncCluster

    coll, keys = _half_unstaged(plain, monkeypatch)

    async def main():
        cluster = AsyncCluster(mock.connstr, ClusterOptions(AUTH, transaction_config=(
            TransactionConfig(cleanup_window=timedelta(seconds=1)))))
        await cluster.on_connect()
        bucket = cluster.bucket("default")
        await bucket.on_connect()
        acoll = bucket.default_collection()

        async def logic(ctx):
            for key in keys:
                await ctx.replace(await ctx.get(acoll, key), {"v": "new"})
        assert not (await cluster.transactions.run(logic)).unstaging_complete
        task = cluster.transactions._cleanup._runner
        assert isinstance(task, asyncio.Task)
        deadline = time.monotonic() + 15
        while not _finished(coll, keys):
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
        await cluster.close()
        assert task.done()

    asyncio.run(main())
    assert [_body(coll, key) for key in keys] == [{"v": "new"}] * 2


def test_gevent_cluster_runs_transactions_and_cleans_in_a_greenlet(mock, plain, monkeypatch):
    pytest.importorskip("gevent")
    from gcouchbase.cluster import Cluster as GCluster

    coll, keys = _half_unstaged(plain, monkeypatch)
    cluster = GCluster(mock.connstr, ClusterOptions(AUTH, transaction_config=(
        TransactionConfig(cleanup_window=timedelta(seconds=1)))))
    try:
        gcoll = cluster.bucket("default").default_collection()
        result = cluster.transactions.run(
            lambda ctx: [ctx.replace(ctx.get(gcoll, k), {"v": "new"}) for k in keys])
        assert not result.unstaging_complete
        runner = cluster.transactions._cleanup._runner
        assert type(runner).__module__.startswith("gevent")
        import gevent

        deadline = time.monotonic() + 15
        while not _finished(gcoll, keys):
            assert time.monotonic() < deadline
            gevent.sleep(0.1)
        monkeypatch.undo()

        def bump(ctx):
            doc = ctx.get(gcoll, keys[0])
            ctx.replace(doc, {"v": doc.content_as[dict]["v"] + "!"})

        assert cluster.transactions.run(bump).unstaging_complete
    finally:
        cluster.close()
    assert runner.dead
    assert _body(coll, keys[0]) == {"v": "new!"}
    assert json.dumps(_body(coll, keys[1])) == '{"v": "new"}'


# -- with the official SDK 4.x (its C++ core) -------------------------------------------
OFFICIAL = Path(__file__).resolve().parents[2] / ".cache" / "official-sdk" / "bin" / "python"
needs_official = pytest.mark.skipif(not OFFICIAL.exists(), reason="the official SDK's venv "
                                    "is made by tests/interop (.cache/official-sdk)")

# Run by the official SDK: argv CONNSTR KEYS ACTION; prints the documents' bodies
# (plain gets and a transaction's gets) as one JSON line. "clean": first wait (its
# lost-attempts cleanup on, window 1 s) until the first key shows the new body.
OFFICIAL_SCRIPT = r"""
import json, sys, time
from datetime import timedelta
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import DocumentNotFoundException
from couchbase.options import ClusterOptions, TransactionConfig
from couchbase.transactions import TransactionKeyspace
connstr, keys, action = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
config = TransactionConfig(cleanup_window=timedelta(seconds=1), metadata_collection=(
    TransactionKeyspace(bucket="default", scope="_default", collection="_default")))
cluster = Cluster(connstr, ClusterOptions(PasswordAuthenticator("Administrator", "password"),
                                          transaction_config=config))
coll = cluster.bucket("default").default_collection()
def plain(key):
    try:
        return coll.get(key).content_as[dict]
    except DocumentNotFoundException:
        return None
cluster.transactions.run(lambda ctx: None)
deadline = time.time() + 45
while action == "clean" and plain(keys[0]) != {"v": "new"} and time.time() < deadline:
    time.sleep(0.25)
out = {"plain": [plain(k) for k in keys], "txn": []}
def read(ctx):
    out["txn"] = []
    for k in keys:
        try:
            out["txn"].append(ctx.get(coll, k).content_as[dict])
        except DocumentNotFoundException:
            out["txn"].append(None)
cluster.transactions.run(read)
print(json.dumps(out), flush=True)
"""


def _official(mock, keys, action):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run([str(OFFICIAL), "-c", OFFICIAL_SCRIPT, mock.connstr, ",".join(keys),
                           action], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@needs_official
def test_official_sdk_cleanup_commits_what_our_killed_client_left(mock, plain):
    coll, keys, atr_id, entry = _staged_by_dead_client(mock, plain, "committed")
    seen = _official(mock, keys, "clean")
    expected = [{"v": "new"}] * 4 + [None]
    assert seen == {"plain": expected, "txn": expected}
    _wait(lambda: not _entries(coll, atr_id), 10)
    assert not any(_has_txn(coll, key) for key in keys)


@needs_official
def test_official_sdk_reads_what_our_cleanup_committed(mock, plain):
    coll, keys, atr_id, entry = _staged_by_dead_client(mock, plain, "unstaging")
    cleaner = _cleaner(mock)
    try:
        cleaner.bucket("default")
        assert cleaner.transactions._cleanup.lost
        _wait(lambda: not _entries(coll, atr_id))
    finally:
        cleaner.close()
    expected = [{"v": "new"}] * 4 + [None]
    assert _official(mock, keys, "read") == {"plain": expected, "txn": expected}
