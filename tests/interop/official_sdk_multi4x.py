"""The 4.x ``*_multi`` operations, run by the OFFICIAL SDK 4.x and by this package.

Usage: python official_sdk_multi4x.py CONNSTR USERNAME PASSWORD PREFIX
(see official_sdk_4x_steps.py for the output). get/insert/upsert/replace/
remove/exists/touch/get_and_lock/unlock multi forms and the binary ones, with
``return_exceptions`` both ways, per-key options, and the Multi*Result fields
(``all_ok``, ``results``, ``exceptions``).
"""

from datetime import timedelta

from official_sdk_4x_steps import Run

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import (
    ClusterOptions,
    DeltaValue,
    GetMultiOptions,
    IncrementMultiOptions,
    IncrementOptions,
    SignedInt64,
    UpsertMultiOptions,
    UpsertOptions,
)


def main():
    run = Run()
    k = run.key
    cluster = Cluster(run.connstr, ClusterOptions(
        PasswordAuthenticator(run.username, run.password)))
    coll = cluster.bucket("default").default_collection()
    keys = [k(f"m{i}") for i in range(5)]
    short = run.prefix

    def name(key):
        return key[len(short):]

    def multi(read):
        """all_ok, then per key (sorted): read(result) or the exception's class."""
        def out(res):
            seen = {name(key): read(r) for key, r in res.results.items()}
            seen.update({name(key): {"raised": type(e).__name__}
                         for key, e in res.exceptions.items()})
            return [res.all_ok, dict(sorted(seen.items()))]
        return out

    def report(res):
        """unlock_multi's dict: key -> None or the exception."""
        return [type(res).__name__, {name(key): v if v is None else type(v).__name__
                                     for key, v in sorted(res.items())}]

    def cas(r):
        return "cas" if r.cas else 0

    def content(r):
        return r.content_as[dict]

    run.step("upsert_multi", lambda: coll.upsert_multi(
        {key: {"i": i} for i, key in enumerate(keys[:3])}), multi(cas))
    run.step("get_multi", lambda: coll.get_multi(keys[:3]), multi(content))
    run.step("get_multi missing, return_exceptions", lambda: coll.get_multi(
        keys, GetMultiOptions(return_exceptions=True)), multi(content))
    run.step("get_multi missing, raise", lambda: coll.get_multi(
        keys, return_exceptions=False), multi(content))
    run.step("insert_multi", lambda: coll.insert_multi(
        {key: {"new": True} for key in keys[2:]}), multi(cas))
    run.step("replace_multi", lambda: coll.replace_multi(
        {key: {"replaced": i} for i, key in enumerate(keys)}), multi(cas))
    run.step("exists_multi", lambda: coll.exists_multi(keys + [k("nope")]),
             multi(lambda r: r.exists))
    run.step("touch_multi", lambda: coll.touch_multi(keys[:2] + [k("nope")],
                                                     timedelta(minutes=5)), multi(cas))
    run.step("touched", lambda: [coll.get(key, with_expiry=True).expiry_time is not None
                                 for key in keys])

    locked = {}

    def lock(res):
        locked.update(res.results)
        return res

    run.step("get_and_lock_multi", lambda: lock(coll.get_and_lock_multi(
        keys[:2], timedelta(seconds=10))), multi(content))
    run.step("upsert_multi while locked", lambda: coll.upsert_multi(
        {key: {"x": 1} for key in keys[:3]}, UpsertMultiOptions(timeout=timedelta(seconds=1))),
        multi(cas))
    run.step("unlock_multi", lambda: coll.unlock_multi(
        {key: r.cas for key, r in locked.items()}), report)
    run.step("unlock_multi again", lambda: coll.unlock_multi(
        {key: r.cas for key, r in locked.items()}), report)
    run.step("upsert_multi per key options", lambda: coll.upsert_multi(
        {key: {"y": 1} for key in keys[:2]},
        per_key_options={keys[0]: UpsertOptions(expiry=timedelta(minutes=1))}), multi(cas))
    run.step("expiry per key", lambda: [coll.get(key, with_expiry=True).expiry_time is not None
                                        for key in keys[:2]])
    run.step("get_any_replica_multi absent key", lambda: coll.get_any_replica_multi(
        [k("nope")]), multi(content))

    binary = coll.binary()
    ctr = [k("c0"), k("c1")]
    run.step("increment_multi", lambda: binary.increment_multi(
        ctr, IncrementMultiOptions(per_key_options={
            ctr[1]: IncrementOptions(initial=SignedInt64(10))})), multi(lambda r: r.content))
    run.step("decrement_multi", lambda: binary.decrement_multi(ctr, delta=DeltaValue(1)),
             multi(lambda r: r.content))
    run.step("append_multi", lambda: binary.append_multi({key: b"x" for key in ctr}),
             multi(cas))

    run.step("remove_multi", lambda: coll.remove_multi(keys[:4]), multi(cas))
    run.step("remove_multi again", lambda: coll.remove_multi(
        keys, return_exceptions=True), multi(cas))
    run.step("remove_multi again, raise", lambda: coll.remove_multi(
        keys, return_exceptions=False), multi(cas))
    run.step("get_multi after", lambda: coll.get_multi(keys), multi(content))
    run.step("get_multi empty", lambda: coll.get_multi([]), multi(content))
    cluster.close()


if __name__ == "__main__":
    main()
