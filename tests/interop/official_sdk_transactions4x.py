"""Distributed ACID transactions through the 4.x API (``cluster.transactions.run``), run
by the OFFICIAL SDK 4.x against the local cluster (later by this package too).

Usage: python official_sdk_transactions4x.py CONNSTR USERNAME PASSWORD PREFIX [N]
(see official_sdk_4x_steps.py for the output). With N, it also times N 2-document
transfers in one thread and prints ``["bench", {"n": N, "seconds": s}]`` last.

What it checks is what an application relies on: a committed transfer is seen by a
plain get; a lambda that raises leaves the documents as they were (no staged data
left, the attempt's ATR entry ROLLED_BACK or gone); insert and remove in one
transaction; a transaction's staged write is invisible to a plain get until commit;
write-write conflicts (the second transaction waits and retries, both commit); a
per-transaction metadata collection holds the ATR.

Protocol facts this script reads, as the cluster stores them (couchbase-cxx-client
core/transactions/attempt_context_impl.cxx ``create_staged_replace``,
``create_document_metadata``; core/transactions/atr_ids.cxx; active_transaction_record.cxx):
- a staged document carries the user xattr ``txn``: ``txn.id.{txn,atmpt,op}``,
  ``txn.atr.{id,bkt,scp,coll}``, ``txn.op.{type,stgd,crc32}`` and, for a replace or
  remove, ``txn.restore.{CAS,exptime,revid}`` (from ``$document``);
- the ATR is a document ``_txn:atr-<vbucket>-#<hex>`` in the metadata collection
  (default: the document's bucket's ``_default._default``) whose xattr
  ``attempts.<attempt id>.st`` is the attempt's state (PENDING, COMMITTED, COMPLETED,
  ABORTED, ROLLED_BACK); a completed attempt's entry is removed.
"""

import sys
import threading
import time
from datetime import timedelta

from official_sdk_4x_steps import Run

import couchbase.subdocument as SD
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import DocumentNotFoundException, TransactionOperationFailed
from couchbase.options import (
    ClusterOptions,
    LookupInOptions,
    TransactionConfig,
    TransactionGetOptions,
    TransactionInsertOptions,
    TransactionOptions,
    TransactionReplaceOptions,
)
from couchbase.transactions import TransactionKeyspace
from couchbase.transcoder import RawBinaryTranscoder


class Boom(Exception):
    """What the application's lambda raises to abandon a transaction."""


def main():
    run = Run()
    bench = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    k = run.key
    cluster = Cluster(run.connstr, ClusterOptions(
        PasswordAuthenticator(run.username, run.password),
        transaction_config=TransactionConfig(timeout=timedelta(seconds=10))))
    bucket = cluster.bucket("default")
    coll = bucket.default_collection()
    txns = cluster.transactions

    def body(key):
        try:
            return coll.get(key).content_as[dict]
        except DocumentNotFoundException:
            return None

    def txn_xattr(key):
        """The ``txn`` xattr of ``key`` (a staged document's links), or None; a staged
        insert is a tombstone (created as deleted) until commit."""
        try:
            res = coll.lookup_in(key, [SD.get("txn", xattr=True)],
                                 LookupInOptions(access_deleted=True))
        except DocumentNotFoundException:
            return None
        return res.content_as[dict](0) if res.exists(0) else None

    def atr_state(links):
        """``st`` of the attempt's ATR entry, or "absent" when the entry is gone."""
        atr = links["atr"]
        atr_coll = cluster.bucket(atr["bkt"]).scope(atr["scp"]).collection(atr["coll"])
        res = atr_coll.lookup_in(atr["id"], [SD.get("attempts", xattr=True)])
        attempts = res.content_as[dict](0) if res.exists(0) else {}
        entry = attempts.get(links["id"]["atmpt"])
        return "absent" if entry is None else entry["st"]

    def transfer(src, dst, amount):
        def logic(ctx):
            a, b = ctx.get(coll, src), ctx.get(coll, dst)
            ctx.replace(a, {"v": a.content_as[dict]["v"] - amount})
            ctx.replace(b, {"v": b.content_as[dict]["v"] + amount})
        return logic

    # -- a 2-document transfer, seen by a plain get afterwards
    coll.upsert(k("a"), {"v": 100})
    coll.upsert(k("b"), {"v": 0})
    run.step("transfer", lambda: txns.run(transfer(k("a"), k("b"), 30)),
             lambda res: {"unstaging_complete": res.unstaging_complete,
                          "has_id": bool(res.transaction_id)})
    run.step("transfer seen by get", lambda: [body(k("a")), body(k("b"))])
    run.step("transfer leaves no txn xattr", lambda: [txn_xattr(k("a")), txn_xattr(k("b"))])

    # -- a staged write is invisible to a plain get until commit
    seen = {}

    def stage_and_look(ctx):
        doc = ctx.get(coll, k("a"))
        ctx.replace(doc, {"v": 1})
        links = txn_xattr(k("a"))
        seen["plain get"] = body(k("a"))
        seen["staged"] = links["op"]["stgd"]
        seen["op type"] = links["op"]["type"]
        seen["atr id"] = links["atr"]["id"].startswith("_txn:atr-")
        seen["restore"] = sorted(links["restore"])
        seen["atr state"] = atr_state(links)
    run.step("staged write invisible", lambda: txns.run(stage_and_look),
             lambda res: dict(seen, after=body(k("a"))))

    # -- the lambda raises: rolled back
    links_seen = {}

    def stage_then_raise(ctx):
        a, b = ctx.get(coll, k("a")), ctx.get(coll, k("b"))
        ctx.replace(a, {"v": -1})
        ctx.replace(b, {"v": -1})
        ctx.insert(coll, k("r-new"), {"v": "staged insert"})
        links_seen.update(txn_xattr(k("a")))
        raise Boom("the application changed its mind")
    run.step("lambda raises", lambda: txns.run(stage_then_raise))
    run.step("rolled back: documents unchanged",
             lambda: [body(k("a")), body(k("b")), body(k("r-new"))])
    run.step("rolled back: no staged data",
             lambda: [txn_xattr(k("a")), txn_xattr(k("b")), txn_xattr(k("r-new"))])
    run.step("rolled back: ATR entry", lambda: atr_state(links_seen) in ("ROLLED_BACK", "absent"))

    # -- insert and remove in one transaction
    coll.upsert(k("old"), {"v": "old"})

    def insert_remove(ctx):
        ctx.insert(coll, k("new"), {"v": "new"})
        ctx.remove(ctx.get(coll, k("old")))
    run.step("insert and remove", lambda: txns.run(insert_remove),
             lambda res: [body(k("new")), body(k("old"))])
    run.step("insert over a removed document", lambda: txns.run(
        lambda ctx: ctx.insert(coll, k("old"), {"v": "again"})),
        lambda res: body(k("old")))
    run.step("insert of an existing document",
             lambda: txns.run(lambda ctx: ctx.insert(coll, k("new"), {"v": "x"})))
    run.step("get of a missing document",
             lambda: txns.run(lambda ctx: ctx.get(coll, k("never"))))

    # -- the guide's simple transaction: insert, get, replace in one transaction (the
    # official SDK re-stages its own insert: a CAS mutation of the tombstone it created)
    def insert_get_replace(ctx):
        ctx.insert(coll, k("igr"), {"v": 1})
        doc = ctx.get(coll, k("igr"))
        ctx.replace(doc, {"v": doc.content_as[dict]["v"] + 1})
    run.step("insert, get, replace in one transaction",
             lambda: txns.run(insert_get_replace), lambda res: body(k("igr")))

    # -- write-write conflict: B meets A's staged write, waits, retries, both commit.
    # The official Python SDK 4.6.3 retries an attempt only when the lambda returns:
    # its run() loop (couchbase/transactions/logic/transactions_logic.py) turns any
    # exception the lambda raises into TransactionFailed, even a TransactionOperationFailed
    # the core marked retryable (cas_mismatch, "document is in another transaction").
    # So these lambdas catch it and return: the attempt is spoiled, commit reports it and
    # the loop runs a new attempt.
    coll.upsert(k("w"), {"v": 0})
    staged, tries = threading.Event(), {"A": 0, "B": 0}

    def increment(name, after=None):
        def logic(ctx):
            tries[name] += 1
            try:
                doc = ctx.get(coll, k("w"))
                ctx.replace(doc, {"v": doc.content_as[dict]["v"] + 1})
            except TransactionOperationFailed:
                return  # the attempt is retried (see above)
            if after:
                after()
        return logic

    def a_holds():
        staged.set()
        time.sleep(0.3)  # B meets the staged write meanwhile
    errors = []

    def in_thread(logic):
        try:
            txns.run(logic)
        except Exception as exc:  # noqa: BLE001
            errors.append(type(exc).__name__)

    def conflict():
        a = threading.Thread(target=in_thread, args=(increment("A", a_holds),))
        a.start()
        staged.wait(5)
        in_thread(increment("B"))
        a.join()
        return {"final": body(k("w")), "errors": errors, "A tries": tries["A"],
                "B retried": tries["B"] > 1}
    run.step("write-write conflict", conflict)

    # -- both read before either writes: the second staging meets a CAS mismatch
    coll.upsert(k("rr"), {"v": 0})
    barrier, done, calls = threading.Barrier(2), [], []

    def read_then_write(catch):
        def logic(ctx):
            calls.append(1)
            try:
                doc = ctx.get(coll, k("rr"))
                try:
                    barrier.wait(timeout=2)
                except threading.BrokenBarrierError:
                    pass  # a retry runs alone
                ctx.replace(doc, {"v": doc.content_as[dict]["v"] + 1})
            except TransactionOperationFailed:
                if not catch:
                    raise
        return logic

    def both(catch):
        def one():
            try:
                txns.run(read_then_write(catch))
                done.append(True)
            except Exception:  # noqa: BLE001
                done.append(False)
        barrier.reset()
        del done[:], calls[:]
        start = body(k("rr"))["v"]
        threads = [threading.Thread(target=one) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return {"added": body(k("rr"))["v"] - start, "committed": done.count(True),
                "retried": len(calls) > 2}
    run.step("both read then write, lambda catches", lambda: both(True))
    # The same with the lambda letting the failure out: the official SDK rolls back and
    # raises TransactionFailed for one of them; no update is lost either way.
    run.step("both read then write, lambda raises", lambda: both(False),
             lambda res: {"no lost update": res["added"] == res["committed"],
                          "one committed at least": res["committed"] >= 1})

    # -- a per-transaction metadata collection holds the ATR
    bucket.collections().create_scope(k("meta"))
    bucket.collections().create_collection(k("meta"), "atrs")
    time.sleep(0.2)  # the manifest reaches every node
    meta = TransactionKeyspace(bucket="default", scope=k("meta"), collection="atrs")
    opts = TransactionOptions(metadata_collection=meta)
    seen_meta = {}

    def with_meta(ctx):
        doc = ctx.get(coll, k("a"))
        ctx.replace(doc, {"v": doc.content_as[dict]["v"]})
        atr = txn_xattr(k("a"))["atr"]
        seen_meta.update(bkt=atr["bkt"], scp=atr["scp"], coll=atr["coll"])
    run.step("metadata collection", lambda: txns.run(with_meta, opts),
             lambda res: seen_meta)

    # -- a binary document (RawBinaryTranscoder): staged in ``txn.op.bin`` with the
    # BINARY_VALUE path flag and the user flags in the MULTI_MUTATION extras (7.6.2+)
    tc = RawBinaryTranscoder()
    seen_bin = {}

    def binary_insert(ctx):
        ctx.insert(coll, k("bin"), b"\x00\x01raw", TransactionInsertOptions(transcoder=tc))

    def binary_replace(ctx):
        doc = ctx.get(coll, k("bin"), TransactionGetOptions(transcoder=tc))
        seen_bin["in txn"] = {"bytes": doc.content_as[bytes].decode("latin-1")}
        ctx.replace(doc, b"\xffnew", TransactionReplaceOptions(transcoder=tc))
    run.step("binary insert", lambda: txns.run(binary_insert),
             lambda res: coll.get(k("bin"), transcoder=tc).value)
    run.step("binary replace", lambda: txns.run(binary_replace),
             lambda res: dict(seen_bin, after=coll.get(k("bin"), transcoder=tc).value))

    if bench:
        coll.upsert(k("x"), {"v": 1_000_000})
        coll.upsert(k("y"), {"v": 0})
        started = time.perf_counter()
        for _ in range(bench):
            txns.run(transfer(k("x"), k("y"), 1))
        seconds = time.perf_counter() - started
        total = body(k("x"))["v"] + body(k("y"))["v"]
        run.emit("bench", {"n": bench, "seconds": seconds, "sum kept": total == 1_000_000})


if __name__ == "__main__":
    main()
