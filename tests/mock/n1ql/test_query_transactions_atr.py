"""Query transactions that share the SDKs' protocol (issue 16), at the REST level.

An SDK switching an attempt to query mode sends ``BEGIN WORK`` with ``txdata``
describing the attempt (``id.atmpt``/``id.txn``, ``atr``, ``state.timeLeftMs``,
``mutations`` staged so far); the transaction's txid is then the attempt id, its
writes are staged in the documents' ``txn`` xattrs and registered in the ATR (so a
KV reader sees them as staged, never as committed), its statements see the
mutations the attempt staged through KV, and ``EXECUTE __get/__insert/__update/
__delete`` run the attempt's KV steps. COMMIT flips the ATR entry and unstages;
ROLLBACK removes the staged data.
"""

from __future__ import annotations

import base64
import http.client
import json
import uuid
from typing import Any, Iterator

import pytest

import couchbase.subdocument as SD
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import DocumentNotFoundException
from couchbase.options import ClusterOptions
from couchbase.transactions.atr import atr_id_for_key
from couchbase_mock import MockCluster

TOKEN = base64.b64encode(b"Administrator:password").decode()
HEADERS = {"Authorization": f"Basic {TOKEN}", "Content-Type": "application/json"}
KS = "default:`default`.`_default`.`_default`"


def query(mock: MockCluster, statement: str, **params: Any) -> dict:
    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].query_port, timeout=30)
    try:
        conn.request("POST", "/query/service",
                     body=json.dumps({"statement": statement, **params}), headers=HEADERS)
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def ok(mock: MockCluster, statement: str, **params: Any) -> dict:
    doc = query(mock, statement, **params)
    assert doc["status"] == "success", doc
    return doc


def rows(mock: MockCluster, statement: str, **params: Any) -> list:
    return ok(mock, statement, **params)["results"]


def error(mock: MockCluster, statement: str, **params: Any) -> dict:
    doc = query(mock, statement, **params)
    assert doc["status"] != "success", doc
    return doc["errors"][0]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1) as m:
        rows(m, "CREATE PRIMARY INDEX ON default")
        yield m


@pytest.fixture(scope="module")
def coll(mock: MockCluster) -> Iterator[Any]:
    cluster = Cluster.connect(mock.connstr, ClusterOptions(
        PasswordAuthenticator("Administrator", "password")))
    yield cluster.bucket("default").default_collection()
    cluster.close()


def _txdata(attempt: str, **more: Any) -> dict:
    return {"id": {"txn": "t-" + attempt, "atmpt": attempt}, "state": {"timeLeftMs": 15000},
            "config": {"kvTimeoutMs": 2500, "numAtrs": 1024, "durabilityLevel": "NONE"},
            **more}


def _txn(coll: Any, key: str) -> Any:
    res = coll.lookup_in(key, [SD.get("txn", xattr=True)], access_deleted=True)
    return res.content_as[dict](0) if res.exists(0) else None


def _entry(coll: Any, atr: str, attempt: str) -> Any:
    res = coll.lookup_in(atr, [SD.get(f"attempts.{attempt}", xattr=True)])
    return res.content_as[dict](0) if res.exists(0) else None


def test_query_writes_are_staged_through_the_atr_until_commit(mock, coll):
    tag = uuid.uuid4().hex[:8]
    a, new = f"qa-{tag}", f"qn-{tag}"
    coll.upsert(a, {"n": 1})
    attempt = str(uuid.uuid4())
    doc = ok(mock, "BEGIN WORK", txdata=_txdata(attempt), durability_level="none")
    assert doc["results"] == [{"txid": attempt}]
    rows(mock, "UPDATE default USE KEYS $k SET n = 2", txid=attempt, **{"$k": a})
    rows(mock, "INSERT INTO default (KEY, VALUE) VALUES ($k, {'n': 9})", txid=attempt,
         **{"$k": new})
    # the transaction sees its writes; KV readers see the committed body, and staging
    assert rows(mock, "SELECT RAW n FROM default USE KEYS $k", txid=attempt,
                **{"$k": a}) == [2]
    assert coll.get(a).content_as[dict] == {"n": 1}
    with pytest.raises(DocumentNotFoundException):
        coll.get(new)
    staged = _txn(coll, a)
    assert staged["id"]["atmpt"] == attempt and staged["op"] == {
        "type": "replace", "stgd": {"n": 2}, "crc32": staged["op"]["crc32"]}
    assert _txn(coll, new)["op"]["type"] == "insert"
    atr = staged["atr"]["id"]
    assert atr == atr_id_for_key(a) and staged["atr"]["bkt"] == "default"
    entry = _entry(coll, atr, attempt)
    assert entry["st"] == "PENDING" and entry["tid"] == "t-" + attempt
    assert entry["tst"].startswith("0x") and entry["exp"] == 15000
    # commit: the documents carry the new content, no staging, no ATR entry left
    assert rows(mock, "COMMIT", txid=attempt) == []
    assert coll.get(a).content_as[dict] == {"n": 2}
    assert coll.get(new).content_as[dict] == {"n": 9}
    assert _txn(coll, a) is None and _txn(coll, new) is None
    assert _entry(coll, atr, attempt) is None


def test_rollback_removes_the_staged_data(mock, coll):
    tag = uuid.uuid4().hex[:8]
    a, new = f"ra-{tag}", f"rn-{tag}"
    coll.upsert(a, {"n": 1})
    attempt = str(uuid.uuid4())
    ok(mock, "BEGIN WORK", txdata=_txdata(attempt))
    rows(mock, "DELETE FROM default USE KEYS $k", txid=attempt, **{"$k": a})
    rows(mock, "INSERT INTO default (KEY, VALUE) VALUES ($k, {'n': 9})", txid=attempt,
         **{"$k": new})
    assert _txn(coll, a)["op"]["type"] == "remove"
    assert rows(mock, "ROLLBACK", txid=attempt) == []
    assert coll.get(a).content_as[dict] == {"n": 1}
    assert _txn(coll, a) is None and _txn(coll, new) is None
    with pytest.raises(DocumentNotFoundException):
        coll.get(new)


def test_begin_adopts_mutations_staged_through_kv(mock, coll):
    """A mutation the attempt staged with KV steps before its first query (its
    txn xattr names the attempt) is seen by the query and committed by COMMIT."""
    tag = uuid.uuid4().hex[:8]
    a, b = f"ka-{tag}", f"kb-{tag}"
    coll.upsert(a, {"n": 1})
    coll.upsert(b, {"n": 5})
    attempt = str(uuid.uuid4())
    atr = atr_id_for_key(a)
    atr_where = {"id": atr, "bkt": "default", "scp": "_default", "coll": "_default"}
    coll.mutate_in(atr, [SD.upsert(f"attempts.{attempt}", {"tid": "t-" + attempt,
                                                           "st": "PENDING", "exp": 15000},
                                   xattr=True, create_parents=True)],
                   store_semantics=SD.StoreSemantics.UPSERT)
    txn = {"id": {"txn": "t-" + attempt, "atmpt": attempt, "op": "x"}, "atr": atr_where,
           "op": {"type": "replace", "stgd": {"n": 42}}}
    res = coll.mutate_in(a, [SD.upsert("txn", txn, xattr=True)])
    mutation = {"bkt": "default", "scp": "_default", "coll": "_default", "id": a,
                "cas": str(res.cas), "type": "REPLACE"}
    ok(mock, "BEGIN WORK", txdata=_txdata(attempt, atr=atr_where, mutations=[mutation]))
    assert rows(mock, "SELECT RAW n FROM default USE KEYS [$a, $b]", txid=attempt,
                **{"$a": a, "$b": b}) == [42, 5]
    # EXECUTE __get / __update: the SDK's KV steps in query mode
    (got,) = rows(mock, "EXECUTE __get", txid=attempt, args=[KS, b], txdata={"kv": True})
    assert got["doc"] == {"n": 5} and int(got["scas"]) == coll.get(b).cas
    (upd,) = rows(mock, "EXECUTE __update", txid=attempt, args=[KS, b, {"n": 6}, {}],
                  txdata={"kv": True, "scas": got["scas"]})
    assert upd["doc"] == {"n": 6} and upd["txnMeta"]["atmpt"] == attempt
    assert upd["txnMeta"]["atr"]["key"] == atr
    stale = error(mock, "EXECUTE __update", txid=attempt, args=[KS, b, {"n": 7}, {}],
                  txdata={"kv": True, "scas": got["scas"]})
    assert stale["code"] == 17015 and stale["cause"]["retry"] is True
    (ins,) = rows(mock, "EXECUTE __insert", txid=attempt, args=[KS, b + "-i", {"i": 1}, {}],
                  txdata={"kv": True})
    assert ins["doc"] == {"i": 1}
    dup = error(mock, "EXECUTE __insert", txid=attempt, args=[KS, a, {"i": 1}, {}],
                txdata={"kv": True})
    assert dup["code"] == 17012
    missing = error(mock, "EXECUTE __get", txid=attempt, args=[KS, a + "-none"],
                    txdata={"kv": True})
    assert missing["code"] == 17014
    assert rows(mock, "EXECUTE __delete", txid=attempt, args=[KS, b + "-i"],
                txdata={"kv": True, "scas": ins["scas"]}) == []
    assert _txn(coll, b + "-i") is None
    assert rows(mock, "COMMIT", txid=attempt) == []
    assert coll.get(a).content_as[dict] == {"n": 42}
    assert coll.get(b).content_as[dict] == {"n": 6}
    with pytest.raises(DocumentNotFoundException):
        coll.get(b + "-i")
    assert _entry(coll, atr, attempt) is None


def test_a_document_staged_by_another_live_attempt_is_a_conflict(mock, coll):
    tag = uuid.uuid4().hex[:8]
    a = f"ca-{tag}"
    coll.upsert(a, {"n": 1})
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    ok(mock, "BEGIN WORK", txdata=_txdata(first))
    ok(mock, "BEGIN WORK", txdata=_txdata(second))
    rows(mock, "UPDATE default USE KEYS $k SET n = 2", txid=first, **{"$k": a})
    err = error(mock, "UPDATE default USE KEYS $k SET n = 3", txid=second, **{"$k": a})
    assert err["code"] == 17017 and err["cause"]["retry"] is True
    rows(mock, "ROLLBACK", txid=second)
    rows(mock, "COMMIT", txid=first)
    assert coll.get(a).content_as[dict] == {"n": 2}


def test_kv_step_needs_its_parameters(mock):
    attempt = str(uuid.uuid4())
    ok(mock, "BEGIN WORK", txdata=_txdata(attempt))
    err = error(mock, "EXECUTE __get", txid=attempt, args=[KS])
    assert err["code"] == 17004
    rows(mock, "ROLLBACK", txid=attempt)
