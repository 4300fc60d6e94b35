"""Distributed ACID transactions (the 4.x guide's "Distributed Transactions from the
Python SDK" howto) on the travel-sample bucket's ``inventory.airline`` collection:
cluster-wide configuration (``TransactionConfig`` durability), a transaction that
inserts, gets, replaces and removes, reading your own writes, each key-value
operation on its own, per-transaction ``TransactionOptions``, the result
(``transaction_id``, ``unstaging_complete``), staged writes invisible outside the
transaction until it commits, rollback when the logic raises (``TransactionFailed``
and its ``inner_cause``), the guide's complete error handling
(``TransactionCommitAmbiguous`` vs ``TransactionFailed``), its game example, and
SQL++ in a transaction (``ctx.query``: a SELECT, a SELECT then an UPDATE, an INSERT
read back by a SELECT, a key-value insert read by a query, ``TransactionQueryOptions``).

Runs against the embedded local cluster (or yours: see ``_local.py``);
``tests/test_examples_4x.py`` checks what it prints.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from _local import cluster_address

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.durability import DurabilityLevel, ServerDurability
from couchbase.exceptions import (
    DocumentNotFoundException,
    TransactionCommitAmbiguous,
    TransactionFailed,
)
from couchbase.n1ql import QueryProfile, QueryScanConsistency
from couchbase.options import (
    ClusterOptions,
    QueryOptions,
    TransactionConfig,
    TransactionOptions,
    TransactionQueryOptions,
)
from couchbase.transactions import AttemptContext


class InsufficientBalanceException(Exception):
    pass


def connect(connstr: str, username: str, password: str) -> Cluster:
    # configuration: every transaction of this cluster waits for persistence on a majority
    opts = ClusterOptions(PasswordAuthenticator(username, password),
                          transaction_config=TransactionConfig(
                              durability=ServerDurability(DurabilityLevel.PERSIST_TO_MAJORITY)))
    return Cluster.connect(connstr, opts)


def remove_or_ignore(collection: Any, key: str) -> None:
    try:
        collection.remove(key)
    except DocumentNotFoundException:
        pass


def first_transaction(cluster: Cluster, collection: Any) -> None:
    for key in ("doc-a", "doc-b", "doc-c", "foo"):
        remove_or_ignore(collection, key)
    collection.upsert("doc-b", {})
    collection.upsert("doc-c", {})

    def txn_insert(ctx: AttemptContext) -> None:
        ctx.insert(collection, "foo", "hello")

    try:
        cluster.transactions.run(txn_insert)
    except TransactionFailed as ex:
        print(f"Transaction did not reach commit point. Error: {ex}")
    except TransactionCommitAmbiguous as ex:
        print(f"Transaction possibly committed. Error: {ex}")
    print("foo:", collection.get("foo").content_as[str])

    def txn_example(ctx: AttemptContext) -> None:
        ctx.insert(collection, "doc-a", {})
        doc_a = ctx.get(collection, "doc-a")
        print("doc-a inside the transaction:", doc_a.content_as[dict])

        doc_b = ctx.get(collection, "doc-b")
        content = doc_b.content_as[dict]
        content["transactions"] = "are awesome!"
        ctx.replace(doc_b, content)
        # staged, not yet visible outside the transaction
        print("doc-b outside, before commit:", collection.get("doc-b").content_as[dict])

        doc_c = ctx.get(collection, "doc-c")
        ctx.remove(doc_c)

    result = cluster.transactions.run(txn_example)
    print("transaction id set:", bool(result.transaction_id),
          "| unstaging complete:", result.unstaging_complete)
    print("doc-a:", collection.get("doc-a").content_as[dict])
    print("doc-b:", collection.get("doc-b").content_as[dict])
    print("doc-c exists:", collection.exists("doc-c").exists)


def one_by_one(cluster: Cluster, collection: Any) -> None:
    """The guide's insert, get, read-own-writes, replace and remove sections."""
    remove_or_ignore(collection, "doc-id")
    remove_or_ignore(collection, "doc-id2")

    def insert(ctx: AttemptContext) -> None:
        ctx.insert(collection, "doc-id", {"some": "content"})

    cluster.transactions.run(insert)

    def get(ctx: AttemptContext) -> None:
        doc = ctx.get(collection, "doc-id")
        print("get:", doc.id, doc.content_as[dict])

    cluster.transactions.run(get)

    def get_read_own_writes(ctx: AttemptContext) -> None:
        ctx.insert(collection, "doc-id2", {"some": "content"})
        print("read own write:", ctx.get(collection, "doc-id2").content_as[dict])

    cluster.transactions.run(get_read_own_writes)

    def replace(ctx: AttemptContext) -> None:
        doc = ctx.get(collection, "doc-id")
        content = doc.content_as[dict]
        content["transactions"] = "are awesome!"
        ctx.replace(doc, content)

    cluster.transactions.run(replace)
    print("after replace:", collection.get("doc-id").content_as[dict])

    def remove(ctx: AttemptContext) -> None:
        ctx.remove(ctx.get(collection, "doc-id"))

    # one transaction's own settings, over the cluster's TransactionConfig
    cluster.transactions.run(remove, TransactionOptions(
        durability=ServerDurability(DurabilityLevel.MAJORITY), timeout=timedelta(seconds=10)))
    print("after remove, exists:", collection.exists("doc-id").exists)

    def create_simple(ctx: AttemptContext) -> None:
        ctx.insert(collection, "doc1", {"hello": "world"})
        doc = ctx.get(collection, "doc1")
        ctx.replace(doc, {"foo": "bar"})

    remove_or_ignore(collection, "doc1")
    cluster.transactions.run(create_simple)
    print("doc1:", collection.get("doc1").content_as[dict])


def rollback(cluster: Cluster, collection: Any) -> None:
    """The logic raising rolls the transaction back; its exception is the cause."""
    cost_of_item = 10
    collection.upsert("customer-name", {"balance": 5})
    collection.upsert("shop-till", {"takings": 0})

    def txn_logic(ctx: AttemptContext) -> None:
        till = ctx.get(collection, "shop-till")
        ctx.replace(till, {"takings": till.content_as[dict]["takings"] + cost_of_item})
        customer = ctx.get(collection, "customer-name")
        if customer.content_as[dict]["balance"] < cost_of_item:
            raise InsufficientBalanceException("customer does not have enough funds")
        ctx.replace(customer, {"balance": customer.content_as[dict]["balance"] - cost_of_item})

    try:
        cluster.transactions.run(txn_logic)
    except TransactionCommitAmbiguous:
        pass  # raised only at the commit point, after the balance check passed
    except TransactionFailed as ex:
        print("rolled back: TransactionFailed, cause:", type(ex.inner_cause).__name__,
              "-", ex.inner_cause)
    print("till after the rollback:", collection.get("shop-till").content_as[dict])

    def read_missing(ctx: AttemptContext) -> None:
        ctx.get(collection, "no-such-customer")

    try:
        cluster.transactions.run(read_missing)
    except TransactionFailed as ex:
        print("get of a missing document: TransactionFailed, cause:",
              type(ex.inner_cause).__name__)


def complete_error_handling(cluster: Cluster, collection: Any) -> None:
    try:
        def txn_logic(ctx: AttemptContext) -> None:
            ctx.replace(ctx.get(collection, "doc1"), {"foo": "baz"})

        result = cluster.transactions.run(txn_logic)
        if not result.unstaging_complete:
            # committed, and the cleanup will finish writing the documents
            print("committed, unstaging to be completed by the cleanup")
        else:
            print("committed and unstaged")
    except TransactionCommitAmbiguous as ex:
        print(f"Transaction may or may not have reached the commit point. Error: {ex}")
    except TransactionFailed as ex:
        print(f"Transaction did not reach the commit point. Error: {ex}")


def player_hits_monster(cluster: Cluster, collection: Any, damage: int, player_id: str,
                        monster_id: str) -> None:
    """The guide's complete example: a monster killed by a player is removed and the
    player gains its experience, or nothing changes."""

    def txn_logic(ctx: AttemptContext) -> None:
        monster = ctx.get(collection, monster_id)
        player = ctx.get(collection, player_id)
        monster_content = monster.content_as[dict]
        player_content = player.content_as[dict]
        hit_points = monster_content["hitpoints"] - damage
        if hit_points <= 0:
            ctx.remove(monster)
            experience = player_content["experience"] + monster_content["experience_when_killed"]
            player_content.update(experience=experience, level=1 + experience // 100)
            ctx.replace(player, player_content)
        else:
            monster_content["hitpoints"] = hit_points
            ctx.replace(monster, monster_content)

    try:
        cluster.transactions.run(txn_logic)
    except TransactionFailed as ex:
        # nothing changed: e.g. the monster or the player does not exist
        print("hit failed:", type(ex.inner_cause).__name__)
    except TransactionCommitAmbiguous as ex:
        print("hit possibly committed:", ex)


def game(cluster: Cluster, collection: Any) -> None:
    collection.upsert("player-1", {"experience": 80, "level": 1})
    collection.upsert("monster-1", {"hitpoints": 15, "experience_when_killed": 50})
    player_hits_monster(cluster, collection, 10, "player-1", "monster-1")
    print("monster after a hit:", collection.get("monster-1").content_as[dict])
    player_hits_monster(cluster, collection, 10, "player-1", "monster-1")
    print("monster after a second hit, exists:", collection.exists("monster-1").exists)
    print("player:", collection.get("player-1").content_as[dict])
    player_hits_monster(cluster, collection, 10, "player-1", "monster-1")


def queries(cluster: Cluster, collection: Any) -> None:
    """SQL++ inside a transaction: ``ctx.query``, not ``cluster.query``."""
    hotels = "`travel-sample`.inventory.hotel"

    def txn_select(ctx: AttemptContext) -> None:
        res = ctx.query(f"SELECT h.name FROM {hotels} h WHERE h.country = 'United Kingdom' "
                        "ORDER BY h.name LIMIT 2")
        print("select:", [row["name"] for row in res.rows()])

    cluster.transactions.run(txn_select)

    def price_from_recent_reviews(reviews: list) -> float:
        return 99.98  # (the guide's stand-in for a pricing model)

    chain = "h.url LIKE 'http://www.yha%' AND h.country = 'United Kingdom'"

    def txn_complex(ctx: AttemptContext) -> None:
        res = ctx.query(f"SELECT h.reviews FROM {hotels} h WHERE {chain}")
        price = price_from_recent_reviews(list(res.rows()))
        ctx.query(f"UPDATE {hotels} h SET h.price = {price} WHERE {chain}")

    cluster.transactions.run(txn_complex)
    res = cluster.query(f"SELECT RAW COUNT(*) FROM {hotels} h WHERE {chain} AND h.price = 99.98",
                        QueryOptions(scan_consistency=QueryScanConsistency.REQUEST_PLUS))
    print("repriced after commit:", list(res.rows()))

    remove_or_ignore(collection, "doc-q")
    remove_or_ignore(collection, "doc-greeting")
    airlines = "`travel-sample`.inventory.airline"

    def txn_insert(ctx: AttemptContext) -> None:
        ctx.query(f"INSERT INTO {airlines} VALUES ('doc-q', {{'hello': 'world'}})")
        res = ctx.query(f"SELECT a.hello FROM {airlines} a USE KEYS 'doc-q'")
        print("query reads its own insert:", list(res.rows()))

    cluster.transactions.run(txn_insert)

    def txn_ryow(ctx: AttemptContext) -> None:
        ctx.insert(collection, "doc-greeting", {"greeting": "hello world"})
        res = ctx.query(f"SELECT a.greeting FROM {airlines} a USE KEYS 'doc-greeting'")
        print("query reads a key-value insert:", list(res.rows()))

    cluster.transactions.run(txn_ryow)

    def txn_options(ctx: AttemptContext) -> None:
        res = ctx.query(f"SELECT RAW a.hello FROM {airlines} a USE KEYS $key",
                        TransactionQueryOptions(named_parameters={"key": "doc-q"},
                                                profile=QueryProfile.TIMINGS))
        print("with options:", list(res.rows()))

    cluster.transactions.run(txn_options)


def main(connstr: str, username: str, password: str) -> None:
    cluster = connect(connstr, username, password)
    collection = cluster.bucket("travel-sample").scope("inventory").collection("airline")
    first_transaction(cluster, collection)
    one_by_one(cluster, collection)
    rollback(cluster, collection)
    complete_error_handling(cluster, collection)
    game(cluster, collection)
    queries(cluster, collection)
    cluster.close()


if __name__ == "__main__":
    with cluster_address() as address:
        main(*address)
