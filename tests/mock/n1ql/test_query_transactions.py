"""Query transactions over the query service's REST endpoint (issue 16).

From the transaction statement pages (begin-transaction.adoc, commit-transaction.adoc,
rollback-transaction.adoc, savepoint.adoc, set-transaction.adoc) and the request
parameters of query-settings.adoc (txid, tximplicit, txtimeout, durability_level,
kvtimeout, txdata): BEGIN WORK answers a txid; statements sent with it see the
transaction's own writes, nobody else does until COMMIT; ROLLBACK [TO SAVEPOINT]
undoes; a transaction past its txtimeout is gone; tximplicit makes one statement a
transaction; a KV write to a document the transaction wrote fails the COMMIT and
nothing of it is applied. Errors are the service's 17xxx transaction errors.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
import time
from typing import Any, Iterator

import pytest

from couchbase.bucket import Bucket
from couchbase_mock import MockCluster
from couchbase_mock.n1ql import MemoryDatastore, QueryEngine
from couchbase_mock.n1ql.errors import N1QLError

TOKEN = base64.b64encode(b"Administrator:password").decode()
HEADERS = {"Authorization": f"Basic {TOKEN}", "Content-Type": "application/json"}


def query(mock: MockCluster, statement: str, **params: Any) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].query_port, timeout=30)
    try:
        conn.request("POST", "/query/service",
                     body=json.dumps({"statement": statement, **params}), headers=HEADERS)
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def ok(mock: MockCluster, statement: str, **params: Any) -> dict:
    status, doc = query(mock, statement, **params)
    assert (status, doc["status"]) == (200, "success"), doc
    return doc


def rows(mock: MockCluster, statement: str, **params: Any) -> list:
    return ok(mock, statement, **params)["results"]


def error(mock: MockCluster, statement: str, **params: Any) -> dict:
    status, doc = query(mock, statement, **params)
    assert doc["status"] != "success", doc
    return doc["errors"][0]


def begin(mock: MockCluster, **params: Any) -> str:
    doc = ok(mock, "BEGIN WORK", **params)
    (row,) = doc["results"]
    assert set(row) == {"txid"} and len(row["txid"]) == 36
    assert "transactionRemainingTime" in doc["metrics"]
    return row["txid"]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1, buckets={"bank": {}}) as m:
        rows(m, "CREATE PRIMARY INDEX ON bank")
        rows(m, "CREATE INDEX by_owner ON bank(owner)")
        yield m


@pytest.fixture
def accounts(mock: MockCluster, request: Any) -> list[str]:
    """Two fresh documents, a and b, with balances 100 and 50."""
    a, b = f"{request.node.name}-a", f"{request.node.name}-b"
    rows(mock, "UPSERT INTO bank (KEY, VALUE) VALUES ($a, {'owner': 'ann', 'n': 100}), "
               "($b, {'owner': 'bob', 'n': 50})", **{"$a": a, "$b": b})
    return [a, b]


def balance(mock: MockCluster, key: str, **params: Any) -> Any:
    got = rows(mock, "SELECT RAW n FROM bank USE KEYS $k", **{"$k": key}, **params)
    return got[0] if got else None


def test_own_writes_are_seen_by_the_transaction_and_nobody_else_until_commit(mock, accounts):
    a, b = accounts
    txid = begin(mock)
    doc = ok(mock, "UPDATE bank SET n = n - 30 WHERE META().id = $k", txid=txid, **{"$k": a})
    assert doc["metrics"]["mutationCount"] == 1
    assert "transactionElapsedTime" in doc["metrics"]
    rows(mock, "UPDATE bank USE KEYS $k SET n = n + 30", txid=txid, **{"$k": b})
    rows(mock, "INSERT INTO bank (KEY, VALUE) VALUES ($k, {'owner': 'cy', 'n': 7})",
         txid=txid, **{"$k": a + "-new"})
    # the transaction sees its writes, through USE KEYS, the primary and a secondary index
    assert balance(mock, a, txid=txid) == 70
    assert sorted(rows(mock, "SELECT RAW n FROM bank WHERE META().id IN [$a, $b, $c]",
                       txid=txid, **{"$a": a, "$b": b, "$c": a + "-new"})) == [7, 70, 80]
    assert rows(mock, "SELECT RAW META().id FROM bank WHERE owner = 'cy'", txid=txid) \
        == [a + "-new"]
    # another request does not
    assert balance(mock, a) == 100 and balance(mock, a + "-new") is None
    assert rows(mock, "SELECT RAW META().id FROM bank WHERE owner = 'cy'") == []
    # SET TRANSACTION is accepted inside; COMMIT makes everything visible
    assert rows(mock, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED", txid=txid) == []
    assert rows(mock, "COMMIT WORK", txid=txid) == []
    assert (balance(mock, a), balance(mock, b), balance(mock, a + "-new")) == (70, 80, 7)
    assert rows(mock, "SELECT RAW META().id FROM bank WHERE owner = 'cy'") == [a + "-new"]
    with Bucket(f"{mock.connstr}/bank", username=mock.username,
                password=mock.password) as kv:
        assert kv.get(a).value == {"owner": "ann", "n": 70}


def test_merge_and_upsert_in_a_transaction(mock, accounts):
    a, b = accounts
    txid = begin(mock)
    doc = ok(mock, "MERGE INTO bank t USING [{'id': $a, 'add': 5}, {'id': $c, 'add': 1}] s "
                   "ON META(t).id = s.id WHEN MATCHED THEN UPDATE SET t.n = t.n + s.add "
                   "WHEN NOT MATCHED THEN INSERT (KEY s.id, VALUE {'n': s.add})",
             txid=txid, **{"$a": a, "$c": a + "-m"})
    assert doc["metrics"]["mutationCount"] == 2
    assert (balance(mock, a, txid=txid), balance(mock, a + "-m", txid=txid)) == (105, 1)
    assert balance(mock, a + "-m") is None
    rows(mock, "COMMIT", txid=txid)
    assert (balance(mock, a), balance(mock, a + "-m"), balance(mock, b)) == (105, 1, 50)


def test_a_committed_transaction_is_released(mock, accounts):
    txid = begin(mock)
    rows(mock, "COMMIT", txid=txid)
    assert error(mock, "SELECT 1", txid=txid)["code"] == 17011


def test_rollback_discards_everything(mock, accounts):
    a, _b = accounts
    txid = begin(mock)
    rows(mock, "DELETE FROM bank USE KEYS $k", txid=txid, **{"$k": a})
    assert balance(mock, a, txid=txid) is None
    assert rows(mock, "ROLLBACK TRANSACTION", txid=txid) == []
    assert balance(mock, a) == 100


def test_savepoint_and_rollback_to_savepoint(mock, accounts):
    """The rollback-transaction.adoc example: back to s2 keeps what s1..s2 did."""
    a, _b = accounts
    txid = begin(mock, txtimeout="2m")
    rows(mock, "SAVEPOINT s1", txid=txid)
    rows(mock, "UPDATE bank USE KEYS $k SET `user` = '0'", txid=txid, **{"$k": a})
    rows(mock, "SAVEPOINT s2", txid=txid)
    rows(mock, "UPDATE bank USE KEYS $k SET `user` = '1'", txid=txid, **{"$k": a})
    user = "SELECT RAW `user` FROM bank USE KEYS $k"
    assert rows(mock, user, txid=txid, **{"$k": a}) == ["1"]
    rows(mock, "ROLLBACK TRAN TO SAVEPOINT s2", txid=txid)
    assert rows(mock, user, txid=txid, **{"$k": a}) == ["0"]
    rows(mock, "ROLLBACK WORK TO SAVEPOINT s1", txid=txid)
    assert rows(mock, user, txid=txid, **{"$k": a}) == []
    assert error(mock, "ROLLBACK TO SAVEPOINT s2", txid=txid)["code"] == 17009  # gone
    rows(mock, "ROLLBACK", txid=txid)
    assert rows(mock, user, **{"$k": a}) == []


def test_tximplicit_runs_one_statement_as_a_transaction(mock, accounts):
    a, b = accounts
    doc = ok(mock, "UPDATE bank SET n = n + 1 WHERE META().id IN [$a, $b]", tximplicit=True,
             **{"$a": a, "$b": b})
    assert doc["metrics"]["mutationCount"] == 2
    assert (balance(mock, a), balance(mock, b)) == (101, 51)
    # a failing implicit transaction writes nothing: the second key is a duplicate
    err = error(mock, "INSERT INTO bank (KEY, VALUE) VALUES ($c, {'n': 1}), ($a, {'n': 2})",
                tximplicit=True, **{"$a": a, "$c": a + "-c"})
    assert err["code"] == 17012
    assert balance(mock, a + "-c") is None and balance(mock, a) == 101
    assert error(mock, "CREATE INDEX nope ON bank(x)", tximplicit=True)["code"] == 17002


def test_txtimeout_expiry_discards_the_transaction(mock, accounts):
    a, _b = accounts
    txid = begin(mock, txtimeout="300ms")
    rows(mock, "UPDATE bank USE KEYS $k SET n = 0", txid=txid, **{"$k": a})
    time.sleep(0.4)
    err = error(mock, "COMMIT", txid=txid)
    assert err["code"] == 17010 and err["msg"] == "Transaction timeout"
    assert err["cause"]["raise"] == "expired"
    assert balance(mock, a) == 100


def test_a_kv_write_between_read_and_commit_fails_the_commit_and_applies_nothing(
        mock, accounts):
    a, b = accounts
    txid = begin(mock)
    rows(mock, "UPDATE bank USE KEYS $k SET n = n - 10", txid=txid, **{"$k": a})
    rows(mock, "UPDATE bank USE KEYS $k SET n = n + 10", txid=txid, **{"$k": b})
    with Bucket(f"{mock.connstr}/bank", username=mock.username,
                password=mock.password) as kv:
        kv.upsert(b, {"owner": "bob", "n": 999})
    err = error(mock, "COMMIT", txid=txid)
    assert err["code"] == 17007 and b in err["msg"]
    assert (balance(mock, a), balance(mock, b)) == (100, 999)  # a is not written either
    assert error(mock, "COMMIT", txid=txid)["code"] == 17011  # the transaction is over


def test_a_kv_write_after_the_transaction_wrote_a_document_fails_the_commit(mock, accounts):
    """The transaction keeps reading its own staged copy; COMMIT sees the change."""
    a, _b = accounts
    txid = begin(mock)
    rows(mock, "UPDATE bank USE KEYS $k SET n = 1", txid=txid, **{"$k": a})
    with Bucket(f"{mock.connstr}/bank", username=mock.username,
                password=mock.password) as kv:
        kv.upsert(a, {"owner": "ann", "n": 5})
    assert balance(mock, a, txid=txid) == 1
    assert error(mock, "COMMIT", txid=txid)["code"] == 17007


def test_unknown_txid_and_transaction_statements_without_one(mock):
    err = error(mock, "SELECT 1", txid="00000000-0000-0000-0000-000000000000")
    assert err["code"] == 17004 and "Transaction context error" in err["msg"]
    for statement in ("COMMIT", "ROLLBACK", "SAVEPOINT s1",
                      "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"):
        assert error(mock, statement)["code"] == 17004, statement


def test_statements_a_transaction_refuses(mock):
    txid = begin(mock)
    assert error(mock, "BEGIN WORK", txid=txid)["code"] == 17002
    assert error(mock, "CREATE INDEX nope ON bank(x)", txid=txid)["code"] == 17002
    assert error(mock, "SELECT 1", txid=txid, tximplicit=True)["code"] == 17004
    rows(mock, "ROLLBACK", txid=txid)


def test_request_parameters_are_checked(mock):
    assert error(mock, "BEGIN WORK", txtimeout="soon")["code"] == 1040
    assert error(mock, "BEGIN WORK", durability_level="lots")["code"] == 1040
    assert error(mock, "BEGIN WORK", tximplicit="yes")["code"] == 1070
    assert error(mock, "BEGIN WORK", txid=7)["code"] == 1070
    txid = begin(mock, durability_level="none", kvtimeout="2s", scan_consistency="request_plus",
                 txdata={"state": {"timeLeftMs": 60000}})
    doc = ok(mock, "SELECT 1 AS one", txid=txid, txstmtnum=1)
    assert doc["results"] == [{"one": 1}]
    remaining = doc["metrics"]["transactionRemainingTime"]
    assert remaining.endswith("s") and remaining.startswith("5")  # 5x s of 60 s left
    rows(mock, "ROLLBACK", txid=txid)


def test_one_statement_at_a_time_per_transaction(mock, accounts):
    txid = begin(mock)
    from couchbase_mock.n1ql.transactions import table_of
    from couchbase_mock.n1ql_adapter import query_engine_for

    tx = table_of(query_engine_for(mock.cluster)).get(txid)
    with tx.busy:  # as if another statement of it were running
        assert error(mock, "SELECT 1", txid=txid)["code"] == 17013
    rows(mock, "ROLLBACK", txid=txid)


def test_concurrent_transfers_keep_the_total(mock):
    """Transfers in parallel transactions: each commits or fails whole (17007)."""
    keys = [f"acct{i}" for i in range(4)]
    for k in keys:
        rows(mock, "UPSERT INTO bank (KEY, VALUE) VALUES ($k, {'n': 100})", **{"$k": k})
    failures: list[int] = []

    def transfer(i: int) -> None:
        src, dst = keys[i % 4], keys[(i + 1) % 4]
        txid = begin(mock)
        rows(mock, "UPDATE bank USE KEYS $k SET n = n - 1", txid=txid, **{"$k": src})
        rows(mock, "UPDATE bank USE KEYS $k SET n = n + 1", txid=txid, **{"$k": dst})
        status, doc = query(mock, "COMMIT", txid=txid)
        if doc["status"] != "success":
            failures.append(doc["errors"][0]["code"])

    threads = [threading.Thread(target=transfer, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(failures) <= {17007}
    assert sum(balance(mock, k) for k in keys) == 400


# -- the engine alone -----------------------------------------------------------------------


def test_a_bare_engine_begins_and_refuses_commit_without_a_txid():
    ds = MemoryDatastore()
    ds.create_bucket("b")
    engine = QueryEngine(ds)
    (row,) = engine.query("START TRANSACTION ISOLATION LEVEL READ COMMITTED").results
    assert set(row) == {"txid"}
    with pytest.raises(N1QLError) as err:
        engine.query("COMMIT")
    assert err.value.code == 17004


ROLLBACK_EXAMPLE = """
BEGIN TRANSACTION;
SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
UPSERT INTO bookings VALUES("42641d7a-cde3-4a4d-bfd5-fec321510f70", {"date": "07/24/2021",
  "flight": "WN533", "flighttime": 7713, "price": 964.13, "route": "63986"});
SAVEPOINT s1;
UPDATE bookings AS b USE KEYS "42641d7a-cde3-4a4d-bfd5-fec321510f70" SET b.`user` = "0";
SELECT b.*, u.name FROM bookings b USE KEYS "42641d7a-cde3-4a4d-bfd5-fec321510f70"
  JOIN users u ON KEYS b.`user`;
SAVEPOINT s2;
ROLLBACK TRANSACTION TO SAVEPOINT s2;
ROLLBACK TRANSACTION
"""
"""The statements of rollback-transaction.adoc's example (the other pages' examples
are the same script with their own statement marked)."""


@pytest.mark.parametrize("statement", [
    *(s.strip() for s in ROLLBACK_EXAMPLE.split(";")),
    "BEGIN WORK", "START TRAN", "BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED",
    "COMMIT", "COMMIT WORK", "COMMIT TRAN", "COMMIT TRANSACTION;", "ROLLBACK WORK",
    "ROLLBACK TRAN TO SAVEPOINT s2", "ROLLBACK TO SAVEPOINT `s 2`", "SAVEPOINT s1;",
])
def test_every_documented_form_parses(statement):
    from couchbase_mock.n1ql.parser import parse

    parse(statement)


@pytest.mark.parametrize("statement", [
    "BEGIN", "START", "BEGIN WORK ISOLATION LEVEL SERIALIZABLE", "COMMIT SAVEPOINT",
    "ROLLBACK TO s1", "SAVEPOINT", "SET TRANSACTION", "BEGIN CHAT",
])
def test_malformed_forms_are_syntax_errors(statement):
    from couchbase_mock.n1ql.parser import parse

    with pytest.raises(N1QLError) as err:
        parse(statement)
    assert err.value.code == 3000
