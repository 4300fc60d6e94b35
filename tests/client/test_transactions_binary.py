"""Transcoders in transactions (4.x API): ``TransactionGetOptions`` /
``TransactionInsertOptions`` / ``TransactionReplaceOptions(transcoder=...)``. A binary
document (RawBinaryTranscoder) is staged in ``txn.op.bin`` with its flags in
``txn.aux.uf``, read back as bytes, committed with the binary flags; the cleanup
commits a binary staging a client left behind; values a transcoder refuses fail the
transaction."""

from __future__ import annotations

import uuid

import pytest

import couchbase.subdocument as SD
from couchbase import formats
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import TransactionFailed, ValueFormatException
from couchbase.options import (
    ClusterOptions,
    LookupInOptions,
    TransactionGetOptions,
    TransactionInsertOptions,
    TransactionReplaceOptions,
)
from couchbase.transactions import attempt as attempt_module
from couchbase.transactions.cleanup import clean_attempt
from couchbase.transactions.steps import run_blocking
from couchbase.transcoder import RawBinaryTranscoder
from couchbase_mock import MockCluster

RAW = RawBinaryTranscoder()


@pytest.fixture(scope="module")
def cluster():
    with MockCluster(nodes=2, replicas=1) as mock:
        cluster = Cluster.connect(mock.connstr, ClusterOptions(
            PasswordAuthenticator("Administrator", "password")))
        yield cluster
        cluster.close()


@pytest.fixture
def coll(cluster):
    return cluster.bucket("default").default_collection()


@pytest.fixture
def key():
    return f"bin-{uuid.uuid4().hex[:8]}"


def _flags(coll, key):
    return coll.lookup_in(key, [SD.get("$document.flags", xattr=True)]).content_as[int](0)


def test_binary_insert_commits_bytes_with_the_binary_flags(cluster, coll, key):
    staged = {}

    def logic(ctx):
        ctx.insert(coll, key, b"\x00\x01raw", TransactionInsertOptions(transcoder=RAW))
        txn = coll.lookup_in(key, [SD.get("txn", xattr=True)],
                             LookupInOptions(access_deleted=True)).content_as[dict](0)
        staged.update(op=txn["op"], aux=txn["aux"])
        staged["own read"] = ctx.get(coll, key, TransactionGetOptions(transcoder=RAW)).value

    cluster.transactions.run(logic)
    assert "stgd" not in staged["op"] and staged["op"]["type"] == "insert"
    assert staged["aux"] == {"uf": formats.FMT_BYTES}
    assert staged["own read"] == b"\x00\x01raw"
    assert coll.get(key, transcoder=RAW).value == b"\x00\x01raw"
    assert _flags(coll, key) == formats.FMT_BYTES
    assert not coll.lookup_in(key, [SD.exists("txn", xattr=True)]).exists(0)


def test_json_to_binary_and_back(cluster, coll, key):
    coll.upsert(key, {"v": 1})

    def to_binary(ctx):
        doc = ctx.get(coll, key)
        assert doc.content_as[dict] == {"v": 1}
        ctx.replace(doc, b"\xffnew", TransactionReplaceOptions(transcoder=RAW))
        # a plain read meanwhile still sees the committed JSON document
        assert coll.get(key).content_as[dict] == {"v": 1}

    cluster.transactions.run(to_binary)
    assert coll.get(key, transcoder=RAW).value == b"\xffnew"

    def to_json(ctx):
        doc = ctx.get(coll, key, TransactionGetOptions(transcoder=RAW))
        assert doc.content_as[bytes] == b"\xffnew"
        ctx.replace(doc, {"v": 2})

    cluster.transactions.run(to_json)
    assert coll.get(key).content_as[dict] == {"v": 2}
    assert _flags(coll, key) == formats.FMT_JSON


def test_transcoder_refusing_the_value_fails_the_transaction(cluster, coll, key):
    with pytest.raises(TransactionFailed) as info:
        cluster.transactions.run(lambda ctx: ctx.insert(
            coll, key, {"not": "bytes"}, TransactionInsertOptions(transcoder=RAW)))
    assert isinstance(info.value.inner_cause, ValueFormatException)
    with pytest.raises(TransactionFailed):  # the default (JSON) refuses bytes
        cluster.transactions.run(lambda ctx: ctx.insert(coll, key, b"raw"))
    coll.upsert(key, {"v": 1})
    with pytest.raises(TransactionFailed):  # a JSON document read as binary
        cluster.transactions.run(lambda ctx: ctx.get(
            coll, key, TransactionGetOptions(transcoder=RAW)))
    with pytest.raises(ValueFormatException):
        RAW.encode_value("text")


def test_committed_binary_staging_is_read_then_finished_by_the_cleanup(
        cluster, coll, key, monkeypatch):
    """Past the commit point with nothing unstaged (as if the client died): readers get
    the staged bytes, and the cleanup makes them the body with the binary flags."""
    coll.upsert(key, {"v": "old"})
    left = {}

    def no_unstage(self, staged):
        left.update(atr=self.atr, attempt=self.id)
        return False
        yield  # a flow

    monkeypatch.setattr(attempt_module.Attempt, "_unstage", no_unstage)

    def logic(ctx):
        ctx.replace(ctx.get(coll, key), b"\x10committed", TransactionReplaceOptions(
            transcoder=RAW))
    assert cluster.transactions.run(logic).unstaging_complete is False
    monkeypatch.undo()
    assert coll.get(key).content_as[dict] == {"v": "old"}  # the body is not written yet
    seen = {}

    def read(ctx):
        seen["bytes"] = ctx.get(coll, key, TransactionGetOptions(transcoder=RAW)).value
    cluster.transactions.run(read)
    assert seen["bytes"] == b"\x10committed"
    atr_coll, atr_id = left["atr"]
    txns = cluster.transactions
    assert run_blocking(clean_attempt(txns._resolve, atr_coll, atr_id, left["attempt"], 0))
    assert coll.get(key, transcoder=RAW).value == b"\x10committed"
    assert _flags(coll, key) == formats.FMT_BYTES
