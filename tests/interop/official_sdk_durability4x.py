"""Durable writes through the 4.x API, run by the OFFICIAL SDK 4.x and by this package.

Usage: python official_sdk_durability4x.py CONNSTR USERNAME PASSWORD PREFIX SINGLE
(see official_sdk_4x_steps.py for the output). CONNSTR is a cluster whose
buckets have one replica on several nodes: every ``ServerDurability`` level
and ``ClientDurability`` within the replicas succeed. SINGLE is a one-node
cluster whose bucket wants a replica it cannot have: durable writes are
DurabilityImpossibleException there, plain writes still work.
"""

import sys

from official_sdk_4x_steps import Run

import couchbase.subdocument as SD
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.durability import (
    ClientDurability,
    DurabilityLevel,
    PersistTo,
    ReplicateTo,
    ServerDurability,
)
from couchbase.options import (
    ClusterOptions,
    IncrementOptions,
    InsertOptions,
    MutateInOptions,
    RemoveOptions,
    ReplaceOptions,
    SignedInt64,
    UpsertOptions,
)

LEVELS = [DurabilityLevel.NONE, DurabilityLevel.MAJORITY,
          DurabilityLevel.MAJORITY_AND_PERSIST_TO_ACTIVE, DurabilityLevel.PERSIST_TO_MAJORITY]


def writes(run, coll, where):
    k = run.key

    def done(res):
        return {"cas": bool(res.cas)}

    for level in LEVELS:
        run.step(f"{where}: upsert {level.name}", lambda level=level: coll.upsert(
            k(f"{where}-{level.name}"), {"level": level.name},
            UpsertOptions(durability=ServerDurability(level))), done)
    majority = ServerDurability(DurabilityLevel.MAJORITY)
    run.step(f"{where}: plain upsert", lambda: coll.upsert(k(f"{where}-d"), {"n": 1}), done)
    run.step(f"{where}: insert", lambda: coll.insert(
        k(f"{where}-i"), {"n": 1}, InsertOptions(durability=majority)), done)
    run.step(f"{where}: replace", lambda: coll.replace(
        k(f"{where}-d"), {"n": 2}, ReplaceOptions(durability=majority)), done)
    run.step(f"{where}: replace keyword", lambda: coll.replace(
        k(f"{where}-d"), {"n": 3}, durability=ServerDurability(
            DurabilityLevel.PERSIST_TO_MAJORITY)), done)
    run.step(f"{where}: mutate_in", lambda: coll.mutate_in(
        k(f"{where}-d"), [SD.upsert("sub", True)], MutateInOptions(durability=majority)),
        done)
    run.step(f"{where}: increment", lambda: coll.binary().increment(
        k(f"{where}-c"), IncrementOptions(initial=SignedInt64(5), durability=majority)),
        lambda r: r.content)
    run.step(f"{where}: client durability replicate_to one", lambda: coll.upsert(
        k(f"{where}-d"), {"n": 4}, UpsertOptions(
            durability=ClientDurability(replicate_to=ReplicateTo.ONE))), done)
    if "--persists" in sys.argv:
        run.step(f"{where}: client durability persist_to one", lambda: coll.upsert(
            k(f"{where}-d"), {"n": 5}, UpsertOptions(
                durability=ClientDurability(persist_to=PersistTo.ONE))), done)
    else:
        run.skip(f"{where}: client durability persist_to one",
                 "a local cluster without a data directory never persists: PersistTo "
                 "waits out its timeout")
    run.step(f"{where}: client durability replicate_to two", lambda: coll.upsert(
        k(f"{where}-d"), {"n": 6}, UpsertOptions(
            durability=ClientDurability(replicate_to=ReplicateTo.TWO))))
    run.step(f"{where}: remove", lambda: coll.remove(
        k(f"{where}-i"), RemoveOptions(durability=majority)), done)
    run.step(f"{where}: documents", lambda: [
        coll.exists(k(f"{where}-i")).exists, coll.get(k(f"{where}-d")).content_as[dict]])


def main():
    run = Run()
    single = sys.argv[5]
    auth = ClusterOptions(PasswordAuthenticator(run.username, run.password))

    cluster = Cluster(run.connstr, auth)
    writes(run, cluster.bucket("default").default_collection(), "replicated")
    cluster.close()

    cluster = Cluster(single, auth)
    writes(run, cluster.bucket("default").default_collection(), "one node")
    cluster.close()


if __name__ == "__main__":
    main()
