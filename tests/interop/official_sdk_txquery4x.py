"""``ctx.query`` in a transaction (4.x API), run by the OFFICIAL SDK 4.x (or by this
package) against the local cluster: KV and query steps in one transaction.

Usage: python official_sdk_txquery4x.py CONNSTR USERNAME PASSWORD PREFIX
(output as official_sdk_4x_steps.py describes). What an application relies on: a
query sees the transaction's own KV insert, a KV get sees its query insert, a
commit makes both visible, a lambda raising after a query leaves nothing behind, a
duplicate key in a query INSERT fails the transaction.
"""

from datetime import timedelta

from official_sdk_4x_steps import Run

import couchbase.subdocument as SD
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import DocumentNotFoundException
from couchbase.options import (
    ClusterOptions,
    LookupInOptions,
    TransactionConfig,
    TransactionQueryOptions,
)


class Boom(Exception):
    """What the application's lambda raises to abandon a transaction."""


def main():
    run = Run()
    k = run.key
    cluster = Cluster(run.connstr, ClusterOptions(
        PasswordAuthenticator(run.username, run.password),
        transaction_config=TransactionConfig(timeout=timedelta(seconds=10))))
    coll = cluster.bucket("default").default_collection()
    txns = cluster.transactions

    def body(key):
        try:
            return coll.get(key).content_as[dict]
        except DocumentNotFoundException:
            return None

    def staged(key):
        try:
            res = coll.lookup_in(key, [SD.exists("txn", xattr=True)],
                                 LookupInOptions(access_deleted=True))
        except DocumentNotFoundException:
            return False
        return res.exists(0)

    def params(*values):
        return TransactionQueryOptions(positional_parameters=list(values))

    seen = {}

    def mixed(ctx):
        ctx.insert(coll, k("a"), {"v": 1})
        seen["query sees kv insert"] = ctx.query(
            "SELECT RAW v FROM `default` USE KEYS $1", params(k("a"))).rows()
        ctx.query("INSERT INTO `default` (KEY, VALUE) VALUES ($1, {'v': 2})", params(k("b")))
        doc = ctx.get(coll, k("b"))
        seen["kv get sees query insert"] = doc.content_as[dict]
        ctx.replace(doc, {"v": 3})
        seen["staged, invisible"] = [body(k("a")), body(k("b")), staged(k("b"))]

    run.step("mixed transaction", lambda: txns.run(mixed).unstaging_complete)
    run.emit("seen during", seen)
    run.step("committed", lambda: [body(k("a")), body(k("b")), staged(k("a")), staged(k("b"))])

    coll.upsert(k("c"), {"v": 10})

    def then_raise(ctx):
        ctx.query("UPDATE `default` USE KEYS $1 SET v = 11", params(k("c")))
        ctx.insert(coll, k("d"), {"v": 1})
        raise Boom()

    run.step("lambda raises after a query", lambda: txns.run(then_raise))
    run.step("rolled back", lambda: [body(k("c")), body(k("d")), staged(k("c")), staged(k("d"))])

    def duplicate(ctx):
        ctx.query("INSERT INTO `default` (KEY, VALUE) VALUES ($1, {'v': 0})", params(k("c")))

    run.step("duplicate key", lambda: txns.run(duplicate))
    run.step("after duplicate", lambda: body(k("c")))


if __name__ == "__main__":
    main()
