"""Replica reads through the 4.x API, run by the OFFICIAL SDK 4.x and by this package.

Usage: python official_sdk_replicas4x.py CONNSTR USERNAME PASSWORD PREFIX
(see official_sdk_4x_steps.py for the output). ``get_any_replica``,
``get_all_replicas``, their sub-document forms and ``*_multi`` forms, on a
bucket with one replica (documents written with majority durability, so the
replica has them).
"""

from datetime import timedelta

from official_sdk_4x_steps import Run

import couchbase.subdocument as SD
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.durability import DurabilityLevel, ServerDurability
from couchbase.options import (
    ClusterOptions,
    GetAllReplicasOptions,
    GetAnyReplicaOptions,
    UpsertOptions,
)
from couchbase.transcoder import RawStringTranscoder


def main():
    run = Run()
    k = run.key
    cluster = Cluster(run.connstr, ClusterOptions(
        PasswordAuthenticator(run.username, run.password)))
    coll = cluster.bucket("default").default_collection()
    durable = UpsertOptions(durability=ServerDurability(DurabilityLevel.MAJORITY))
    for i in range(3):
        coll.upsert(k(f"r{i}"), {"i": i, "name": f"doc {i}"}, durable)
    coll.upsert(k("text"), "plain text", durable, transcoder=RawStringTranscoder())

    def copies(results):
        """Each copy (active first): [is_replica, content, cas matches the active's]."""
        active = coll.get(k("r0")).cas
        return sorted([r.is_replica, r.content_as[dict], r.cas == active] for r in results)

    run.step("get_any_replica", lambda: coll.get_any_replica(k("r0")),
             lambda r: [r.content_as[dict], r.cas == coll.get(k("r0")).cas,
                        isinstance(r.is_replica, bool)])
    run.step("get_any_replica options", lambda: coll.get_any_replica(
        k("r1"), GetAnyReplicaOptions(timeout=timedelta(seconds=5))),
        lambda r: r.content_as[dict])
    run.step("get_any_replica transcoder", lambda: coll.get_any_replica(
        k("text"), transcoder=RawStringTranscoder()), lambda r: r.content_as[str])
    run.step("get_any_replica missing", lambda: coll.get_any_replica(k("nope")))
    run.step("get_all_replicas", lambda: coll.get_all_replicas(k("r0")), copies)
    run.step("get_all_replicas options", lambda: coll.get_all_replicas(
        k("r0"), GetAllReplicasOptions(timeout=timedelta(seconds=5))), lambda rs: len(list(rs)))
    run.step("get_all_replicas missing", lambda: coll.get_all_replicas(k("nope")),
             lambda rs: list(rs))

    run.step("lookup_in_any_replica", lambda: coll.lookup_in_any_replica(
        k("r2"), [SD.get("name"), SD.exists("i"), SD.exists("nope")]),
        lambda r: [r.content_as[str](0), r.exists(1), r.exists(2),
                   isinstance(r.is_replica, bool)])
    run.step("lookup_in_any_replica missing path", lambda: coll.lookup_in_any_replica(
        k("r2"), [SD.get("nope")]), lambda r: r.content_as[str](0))
    run.step("lookup_in_any_replica missing", lambda: coll.lookup_in_any_replica(
        k("nope"), [SD.get("name")]))
    run.step("lookup_in_all_replicas", lambda: coll.lookup_in_all_replicas(
        k("r2"), [SD.get("name"), SD.count("")]),
        lambda rs: sorted([r.is_replica, r.content_as[str](0), r.content_as[int](1)]
                          for r in rs))
    run.step("lookup_in_all_replicas missing", lambda: coll.lookup_in_all_replicas(
        k("nope"), [SD.get("name")]), lambda rs: list(rs))

    keys = [k(f"r{i}") for i in range(3)] + [k("nope")]

    def multi(read):
        def out(res):
            seen = {key[len(run.prefix):]: read(r) for key, r in res.results.items()}
            seen.update({key[len(run.prefix):]: {"raised": type(e).__name__}
                         for key, e in res.exceptions.items()})
            return [res.all_ok, dict(sorted(seen.items()))]
        return out

    run.step("get_any_replica_multi", lambda: coll.get_any_replica_multi(keys),
             multi(lambda r: r.content_as[dict]))
    run.step("get_all_replicas_multi", lambda: coll.get_all_replicas_multi(keys[:2] + [k("nope")]),
             multi(lambda rs: sorted([r.is_replica, r.content_as[dict]] for r in rs)))
    cluster.close()


if __name__ == "__main__":
    main()
