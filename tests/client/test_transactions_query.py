"""``ctx.query`` (4.x): SQL++ and KV steps in one transaction, against the local
cluster. From the transactions documentation: a transaction's queries see its own
KV writes and its KV steps see its query writes; nothing is visible to others
until the commit, everything is undone when the logic raises; a duplicate key in
an INSERT is DocumentExistsException (the logic may catch it), uncaught it fails
the transaction (TransactionFailed, rolled back)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import timedelta

import pytest

import couchbase.subdocument as SD
from acouchbase.cluster import Cluster as AsyncCluster
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import (
    DocumentExistsException,
    DocumentNotFoundException,
    InvalidArgumentException,
    ParsingFailedException,
    TransactionExpired,
    TransactionFailed,
)
from couchbase.options import ClusterOptions, TransactionOptions, TransactionQueryOptions
from couchbase.transactions import query as txquery
from couchbase_mock import MockCluster


@pytest.fixture(scope="module")
def mock():
    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock


@pytest.fixture(scope="module")
def cluster(mock):
    cluster = Cluster.connect(mock.connstr,
                              ClusterOptions(PasswordAuthenticator("Administrator", "password")))
    list(cluster.query("CREATE PRIMARY INDEX ON `default`").rows())
    yield cluster
    cluster.close()


@pytest.fixture
def coll(cluster):
    return cluster.bucket("default").default_collection()


@pytest.fixture
def ids():
    tag = uuid.uuid4().hex[:8]
    return [f"q-{tag}-{i}" for i in range(4)]


def _params(*values):
    return TransactionQueryOptions(positional_parameters=list(values))


def _has_txn(coll, key):
    return coll.lookup_in(key, [SD.exists("txn", xattr=True)],
                          access_deleted=True).exists(0)


def test_query_sees_the_transactions_own_kv_insert(cluster, coll, ids):
    a = ids[0]
    seen = []

    def logic(ctx):
        ctx.insert(coll, a, {"n": 1, "tag": "own"})
        res = ctx.query("SELECT RAW n FROM `default` USE KEYS $1", _params(a))
        seen.extend(res.rows())

    result = cluster.transactions.run(logic)
    assert seen == [1] and result.unstaging_complete
    assert coll.get(a).content_as[dict] == {"n": 1, "tag": "own"}
    assert not _has_txn(coll, a)


def test_query_insert_then_get_and_replace_then_commit(cluster, coll, ids):
    a, b = ids[:2]
    coll.upsert(b, {"n": 10})
    during = {}

    def logic(ctx):
        ctx.query("INSERT INTO `default` (KEY, VALUE) VALUES ($1, {'n': 5})", _params(a))
        got = ctx.get(coll, a)  # a KV step, now through the query service
        during["a"] = got.content_as[dict]
        doc_b = ctx.get(coll, b)
        ctx.replace(doc_b, {"n": doc_b.content_as[dict]["n"] + got.content_as[dict]["n"]})
        # staged, not committed, for everybody else
        during["plain"] = coll.get(b).content_as[dict]
        with pytest.raises(DocumentNotFoundException):
            coll.get(a)
        during["staged"] = _has_txn(coll, b)

    cluster.transactions.run(logic)
    assert during == {"a": {"n": 5}, "plain": {"n": 10}, "staged": True}
    assert coll.get(a).content_as[dict] == {"n": 5}
    assert coll.get(b).content_as[dict] == {"n": 15}
    assert not _has_txn(coll, a) and not _has_txn(coll, b)


def test_kv_writes_before_and_after_the_first_query_commit_together(cluster, coll, ids):
    a, b, c = ids[:3]
    coll.upsert(a, {"n": 1})

    def logic(ctx):
        doc = ctx.get(coll, a)
        ctx.replace(doc, {"n": 2})  # staged by KV, before query mode
        ctx.query("UPDATE `default` USE KEYS $1 SET n = n * 10", _params(a))
        ctx.insert(coll, b, {"n": 3})
        rows = ctx.query("SELECT RAW n FROM `default` USE KEYS [$1, $2]", _params(a, b)).rows()
        assert sorted(rows) == [3, 20]
        ctx.remove(ctx.get(coll, b))
        ctx.insert(coll, c, {"n": 4})

    cluster.transactions.run(logic)
    assert coll.get(a).content_as[dict] == {"n": 20}
    assert coll.get(c).content_as[dict] == {"n": 4}
    with pytest.raises(DocumentNotFoundException):
        coll.get(b)


def test_logic_raising_after_a_query_rolls_everything_back(cluster, coll, ids):
    a, b, c = ids[:3]
    coll.upsert(a, {"n": 1})

    def logic(ctx):
        ctx.replace(ctx.get(coll, a), {"n": 2})
        ctx.query("INSERT INTO `default` (KEY, VALUE) VALUES ($1, {'n': 9})", _params(b))
        ctx.insert(coll, c, {"n": 3})
        raise RuntimeError("changed my mind")

    with pytest.raises(TransactionFailed) as info:
        cluster.transactions.run(logic)
    assert isinstance(info.value.inner_cause, RuntimeError)
    assert coll.get(a).content_as[dict] == {"n": 1}
    for key in (b, c):
        with pytest.raises(DocumentNotFoundException):
            coll.get(key)
    assert not any(_has_txn(coll, k) for k in (a, b, c))


def test_duplicate_key_is_document_exists_and_may_be_caught(cluster, coll, ids):
    a, b = ids[:2]
    coll.upsert(a, {"n": 1})
    caught = []

    def logic(ctx):
        try:
            ctx.query("INSERT INTO `default` (KEY, VALUE) VALUES ($1, {'n': 2})", _params(a))
        except DocumentExistsException as exc:
            caught.append(exc)
        ctx.query("INSERT INTO `default` (KEY, VALUE) VALUES ($1, {'n': 3})", _params(b))

    cluster.transactions.run(logic)
    assert len(caught) == 1
    assert coll.get(a).content_as[dict] == {"n": 1}
    assert coll.get(b).content_as[dict] == {"n": 3}


def test_uncaught_query_error_fails_the_transaction(cluster, coll, ids):
    a, b = ids[:2]
    coll.upsert(a, {"n": 1})

    def duplicate(ctx):
        ctx.insert(coll, b, {"n": 0})
        ctx.query("INSERT INTO `default` (KEY, VALUE) VALUES ($1, {'n': 2})", _params(a))

    with pytest.raises(TransactionFailed) as info:
        cluster.transactions.run(duplicate)
    assert isinstance(info.value.inner_cause, DocumentExistsException)
    with pytest.raises(DocumentNotFoundException):
        coll.get(b)

    def bad_syntax(ctx):
        ctx.query("SELEKT nothing")

    with pytest.raises(TransactionFailed) as info:
        cluster.transactions.run(bad_syntax)
    assert isinstance(info.value.inner_cause, ParsingFailedException)


def test_query_options_must_be_transaction_query_options(cluster):
    def logic(ctx):
        ctx.query("SELECT 1", "not options")

    with pytest.raises(TransactionFailed) as info:
        cluster.transactions.run(logic)
    assert isinstance(info.value.inner_cause, InvalidArgumentException)


def test_asyncio_query_and_kv_steps(mock, ids):
    a, b = ids[:2]

    async def main():
        cluster = await AsyncCluster.connect(mock.connstr, ClusterOptions(
            PasswordAuthenticator("Administrator", "password")))
        coll = cluster.bucket("default").default_collection()
        await coll.upsert(a, {"n": 1})

        async def logic(ctx):
            await ctx.query("UPDATE `default` USE KEYS $1 SET n = 7", _params(a))
            doc = await ctx.get(coll, a)
            await ctx.insert(coll, b, {"from": doc.content_as[dict]["n"]})
            res = await ctx.query("SELECT RAW `from` FROM `default` USE KEYS $1", _params(b))
            assert res.rows() == [7]

        await cluster.transactions.run(logic)
        assert (await coll.get(a)).content_as[dict] == {"n": 7}
        assert (await coll.get(b)).content_as[dict] == {"from": 7}
        await cluster.close()

    asyncio.run(main())


def test_queries_of_an_attempt_stick_to_one_query_node(cluster, coll, ids, monkeypatch):
    sent = []
    real = txquery._Runner.run

    def spy(self, statement, options, endpoint):
        rows, meta, used = real(self, statement, options, endpoint)
        sent.append((statement, options["raw"].get("txid"), (used.host, used.port)))
        return rows, meta, used

    monkeypatch.setattr(txquery._Runner, "run", spy)

    def logic(ctx):
        for key in ids[:3]:
            ctx.query("UPSERT INTO `default` (KEY, VALUE) VALUES ($1, {'n': 1})", _params(key))
        ctx.get(coll, ids[0])

    cluster.transactions.run(logic)
    statements = [s for s, _, _ in sent]
    assert statements == ["BEGIN WORK"] + ["UPSERT INTO `default` (KEY, VALUE) VALUES "
                                           "($1, {'n': 1})"] * 3 + ["EXECUTE __get", "COMMIT"]
    assert len({node for _, _, node in sent}) == 1  # (the local cluster has 2 query nodes)
    assert sent[0][1] is None and len({txid for _, txid, _ in sent[1:]}) == 1


def test_kv_transaction_waits_for_a_query_staged_write(cluster, coll, ids):
    """A document a transaction in query mode staged is a write-write conflict for
    another (KV) transaction until the first one commits."""
    a = ids[0]
    coll.upsert(a, {"n": 1})
    started, done = [], []
    gate = threading.Event()
    finish = threading.Event()

    def first(ctx):
        ctx.query("UPDATE `default` USE KEYS $1 SET n = 2", _params(a))
        gate.set()
        finish.wait(10)

    worker = threading.Thread(target=lambda: done.append(cluster.transactions.run(first)))
    worker.start()
    try:
        assert gate.wait(10)

        def second(ctx):
            started.append(1)
            doc = ctx.get(coll, a)
            ctx.replace(doc, {"n": doc.content_as[dict]["n"] + 10})

        with pytest.raises(TransactionExpired):
            cluster.transactions.run(second, TransactionOptions(timeout=timedelta(seconds=1)))
        assert len(started) > 1  # retried while the other attempt held the document
    finally:
        finish.set()
        worker.join(20)
    assert done and coll.get(a).content_as[dict] == {"n": 2}
    cluster.transactions.run(second)
    assert coll.get(a).content_as[dict] == {"n": 12}
