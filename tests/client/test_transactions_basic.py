"""Transactions (4.x API) against the local cluster: commit, rollback, staged
writes invisible until the commit, insert/remove, options and failures."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

import couchbase.subdocument as SD
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.durability import DurabilityLevel, ServerDurability
from couchbase.exceptions import (
    DocumentExistsException,
    DocumentNotFoundException,
    InvalidArgumentException,
    TransactionExpired,
    TransactionFailed,
    TransactionOperationFailed,
)
from couchbase.options import ClusterOptions, TransactionConfig, TransactionOptions
from couchbase.transactions import (
    TransactionGetMultiSpec,
    TransactionGetResult,
    TransactionKeyspace,
    TransactionResult,
)
from couchbase.transactions.atr import atr_id_for_key
from couchbase_mock import MockCluster


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


@pytest.fixture
def coll(cluster):
    return cluster.bucket("default").default_collection()


@pytest.fixture
def ids():
    tag = uuid.uuid4().hex[:8]
    return [f"txn-{tag}-{i}" for i in range(4)]


def _has_txn(coll, key):
    return coll.lookup_in(key, [SD.exists("txn", xattr=True)],
                          access_deleted=True).exists(0)


def test_transfer_commits(cluster, coll, ids):
    a, b = ids[:2]
    coll.upsert(a, {"balance": 100})
    coll.upsert(b, {"balance": 0})

    def transfer(ctx):
        da, db = ctx.get(coll, a), ctx.get(coll, b)
        assert isinstance(da, TransactionGetResult) and da.id == a and da.cas
        ctx.replace(da, {"balance": da.content_as[dict]["balance"] - 30})
        ctx.replace(db, {"balance": db.content_as[dict]["balance"] + 30})

    result = cluster.transactions.run(transfer)
    assert isinstance(result, TransactionResult)
    assert result.unstaging_complete and uuid.UUID(result.transaction_id)
    assert coll.get(a).content_as[dict] == {"balance": 70}
    assert coll.get(b).content_as[dict] == {"balance": 30}
    assert not _has_txn(coll, a) and not _has_txn(coll, b)


def test_staged_writes_are_invisible_until_commit(cluster, coll, ids):
    a, new = ids[:2]
    coll.upsert(a, {"v": 1})
    seen = {}

    def logic(ctx):
        ctx.replace(ctx.get(coll, a), {"v": 2})
        ctx.insert(coll, new, {"v": "new"})
        seen["a"] = coll.get(a).content_as[dict]
        seen["new exists"] = coll.exists(new).exists
        seen["staged"] = _has_txn(coll, a)
        seen["own read"] = ctx.get(coll, a).content_as[dict]

    cluster.transactions.run(logic)
    assert seen == {"a": {"v": 1}, "new exists": False, "staged": True, "own read": {"v": 2}}
    assert coll.get(a).content_as[dict] == {"v": 2}
    assert coll.get(new).content_as[dict] == {"v": "new"}


def test_logic_raising_rolls_back(cluster, coll, ids):
    a, new = ids[:2]
    coll.upsert(a, {"v": 1})

    class Boom(Exception):
        pass

    def logic(ctx):
        ctx.replace(ctx.get(coll, a), {"v": 2})
        ctx.insert(coll, new, {"v": 3})
        raise Boom("no")

    with pytest.raises(TransactionFailed) as info:
        cluster.transactions.run(logic)
    assert isinstance(info.value.inner_cause, Boom)
    assert coll.get(a).content_as[dict] == {"v": 1}
    assert not _has_txn(coll, a)
    assert not coll.exists(new).exists
    with pytest.raises(DocumentNotFoundException):
        coll.get(new)


def test_insert_and_remove(cluster, coll, ids):
    gone, new = ids[:2]
    coll.upsert(gone, {"v": 1})

    def logic(ctx):
        ctx.remove(ctx.get(coll, gone))
        with pytest.raises(DocumentNotFoundException):
            ctx.get(coll, gone)
        inserted = ctx.insert(coll, new, {"v": 2})
        assert ctx.get(coll, new).content_as[dict] == {"v": 2}
        ctx.replace(inserted, {"v": 3})

    cluster.transactions.run(logic)
    assert not coll.exists(gone).exists
    assert coll.get(new).content_as[dict] == {"v": 3}
    assert not _has_txn(coll, new)


def test_insert_get_replace_in_one_transaction(cluster, coll, ids):
    """The guide's simple transaction: the replace works on what ctx.get read of the
    transaction's own staged insert; nothing is seen before the commit."""
    key = ids[0]
    seen = {}

    def logic(ctx):
        ctx.insert(coll, key, {"v": 1})
        doc = ctx.get(coll, key)
        ctx.replace(doc, {"v": doc.content_as[dict]["v"] + 1})
        seen["before commit"] = coll.exists(key).exists

    result = cluster.transactions.run(logic)
    assert result.unstaging_complete and seen == {"before commit": False}
    assert coll.get(key).content_as[dict] == {"v": 2}
    assert not _has_txn(coll, key)


def test_insert_then_remove_in_one_transaction_leaves_nothing(cluster, coll, ids):
    key = ids[0]

    def logic(ctx):
        ctx.remove(ctx.insert(coll, key, {"v": 1}))

    cluster.transactions.run(logic)
    assert not coll.exists(key).exists


def test_insert_over_a_removed_document_and_remove_then_insert(cluster, coll, ids):
    a, b = ids[:2]
    coll.upsert(a, {"v": 1})
    coll.upsert(b, {"v": 1})
    coll.remove(a)  # a tombstone

    def logic(ctx):
        ctx.insert(coll, a, {"v": "again"})
        ctx.remove(ctx.get(coll, b))
        ctx.insert(coll, b, {"v": "replaced"})

    cluster.transactions.run(logic)
    assert coll.get(a).content_as[dict] == {"v": "again"}
    assert coll.get(b).content_as[dict] == {"v": "replaced"}


def test_missing_and_existing_documents_are_the_users_to_handle(cluster, coll, ids):
    there, missing = ids[:2]
    coll.upsert(there, {"v": 1})

    def logic(ctx):
        with pytest.raises(DocumentNotFoundException):
            ctx.get(coll, missing)
        with pytest.raises(DocumentExistsException):
            ctx.insert(coll, there, {"v": 2})
        ctx.insert(coll, missing, {"v": 3})

    cluster.transactions.run(logic)
    assert coll.get(missing).content_as[dict] == {"v": 3}
    assert coll.get(there).content_as[dict] == {"v": 1}


def test_uncaught_document_not_found_fails_the_transaction(cluster, coll, ids):
    with pytest.raises(TransactionFailed) as info:
        cluster.transactions.run(lambda ctx: ctx.get(coll, ids[0]))
    assert isinstance(info.value.inner_cause, DocumentNotFoundException)


def test_read_only_transaction(cluster, coll, ids):
    coll.upsert(ids[0], {"v": 1})
    result = cluster.transactions.run(lambda ctx: ctx.get(coll, ids[0]))
    assert result.unstaging_complete


def test_atr_entry_is_removed_after_commit(cluster, coll, ids):
    key = ids[0]
    cluster.transactions.run(lambda ctx: ctx.insert(coll, key, {"v": 1}))
    atr = coll.lookup_in(atr_id_for_key(key), [SD.get("attempts", xattr=True)])
    assert atr.content_as[dict](0) == {}


def test_conflicting_write_waits_for_the_other_transaction(cluster, coll, ids):
    """A document staged by a live attempt is not overwritten: the second
    transaction retries until the first one finished."""
    key = ids[0]
    coll.upsert(key, {"n": 0})
    inner_runs = []

    def outer(ctx):
        doc = ctx.get(coll, key)
        ctx.replace(doc, {"n": doc.content_as[dict]["n"] + 1})

        def inner(ictx):
            inner_runs.append(1)
            d = ictx.get(coll, key)
            ictx.replace(d, {"n": d.content_as[dict]["n"] + 10})

        # staged by us, still PENDING: the inner transaction must not get through
        with pytest.raises(TransactionExpired):
            cluster.transactions.run(inner, TransactionOptions(timeout=timedelta(seconds=0.5)))

    cluster.transactions.run(outer)
    assert len(inner_runs) > 1  # retried
    assert coll.get(key).content_as[dict] == {"n": 1}


def test_timeout_expires(cluster, coll, ids):
    import time

    coll.upsert(ids[0], {"v": 1})

    def slow(ctx):
        ctx.replace(ctx.get(coll, ids[0]), {"v": 2})
        time.sleep(0.3)
        ctx.get(coll, ids[0])

    with pytest.raises(TransactionExpired):
        cluster.transactions.run(slow, TransactionOptions(timeout=timedelta(milliseconds=200)))
    assert coll.get(ids[0]).content_as[dict] == {"v": 1}
    assert not _has_txn(coll, ids[0])


def test_caught_operation_failure_still_fails_the_attempt(cluster, coll, ids):
    coll.upsert(ids[0], {"v": 1})
    runs = []

    def logic(ctx):
        runs.append(1)
        doc = ctx.get(coll, ids[0])
        if len(runs) == 1:
            coll.upsert(ids[0], {"v": "changed outside"})  # the CAS moves
            try:
                ctx.replace(doc, {"v": 2})
            except TransactionOperationFailed:
                pass  # caught: the attempt is failed all the same, and retried
            return
        ctx.replace(doc, {"v": doc.content_as[dict]["v"] + "!"})

    cluster.transactions.run(logic)
    assert len(runs) == 2
    assert coll.get(ids[0]).content_as[dict] == {"v": "changed outside!"}


def test_options_and_config(mock, coll, ids):
    keyspace = TransactionKeyspace(bucket="default", scope="_default", collection="_default")
    config = TransactionConfig(durability=ServerDurability(DurabilityLevel.NONE),
                               timeout=timedelta(seconds=5), metadata_collection=keyspace)
    with Cluster.connect(mock.connstr, ClusterOptions(
            PasswordAuthenticator("Administrator", "password"),
            transaction_config=config)) as cluster:
        c = cluster.bucket("default").default_collection()
        result = cluster.transactions.run(
            lambda ctx: ctx.insert(c, ids[0], {"v": 1}),
            TransactionOptions(durability=ServerDurability(DurabilityLevel.MAJORITY)))
        assert result.unstaging_complete
    assert coll.get(ids[0]).content_as[dict] == {"v": 1}
    assert TransactionKeyspace(coll=coll).bucket == "default"
    with pytest.raises(InvalidArgumentException):
        TransactionKeyspace()


def test_bad_arguments(cluster, coll, ids):
    with pytest.raises(InvalidArgumentException):
        cluster.transactions.run(lambda ctx: None, "not options")
    with pytest.raises(TransactionFailed) as info:
        cluster.transactions.run(lambda ctx: ctx.replace({"not": "a result"}, {}))
    assert isinstance(info.value.inner_cause, InvalidArgumentException)


def test_get_multi(cluster, coll, ids):
    coll.upsert(ids[0], {"v": 0})
    seen = {}

    def logic(ctx):
        ctx.insert(coll, ids[2], {"v": 2})
        res = ctx.get_multi([TransactionGetMultiSpec(coll, ids[0]),
                             TransactionGetMultiSpec(coll, ids[1]),
                             TransactionGetMultiSpec(coll, ids[2])])
        seen["exists"] = [res.exists(i) for i in range(3)]
        seen["values"] = [res.content_as[dict](0), res.content_as[dict](2)]
        with pytest.raises(DocumentNotFoundException):
            res.content_as[dict](1)
        with pytest.raises(IndexError):
            res.exists(3)
        with pytest.raises(InvalidArgumentException):
            ctx.get_multi([])

    cluster.transactions.run(logic)  # (a bad argument, caught, does not fail the attempt)
    assert seen == {"exists": [True, False, True], "values": [{"v": 0}, {"v": 2}]}
    assert coll.get(ids[2]).content_as[dict] == {"v": 2}


def test_readers_resolve_a_committed_but_not_unstaged_attempt(cluster, coll, ids):
    """Past the commit point (ATR entry COMMITTED) a transaction reads the staged
    content even before the writer unstaged it (a writer that died there)."""
    import time

    from couchbase.transactions.attempt import Attempt
    from couchbase.transactions.steps import run_blocking

    coll.upsert(ids[0], {"v": "old"})
    txns = cluster.transactions
    writer = Attempt("t-" + ids[0], time.monotonic() + 10, 10000, 1, None, txns._resolve)
    doc = run_blocking(writer.get(coll, ids[0]))
    run_blocking(writer.replace(doc, {"v": "new"}))
    run_blocking(writer.insert(coll, ids[1], {"v": "inserted"}))
    atr_coll, atr_id = writer.atr
    atr_coll.mutate_in(atr_id, [SD.upsert(f"attempts.{writer.id}.st", "COMMITTED", xattr=True)])
    seen = {}

    def reader(ctx):
        seen["a"] = ctx.get(coll, ids[0]).content_as[dict]
        seen["b"] = ctx.get(coll, ids[1]).content_as[dict]

    cluster.transactions.run(reader)
    assert seen == {"a": {"v": "new"}, "b": {"v": "inserted"}}
    assert coll.get(ids[0]).content_as[dict] == {"v": "old"}  # not unstaged yet
