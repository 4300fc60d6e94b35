"""Sub-document operations through the 4.x spec API, run by the OFFICIAL SDK 4.x and by
this package.

Usage: python official_sdk_subdoc4x.py CONNSTR USERNAME PASSWORD PREFIX
(see official_sdk_4x_steps.py for the output). ``lookup_in`` / ``mutate_in``
with the spec functions of ``couchbase.subdocument``, ``content_as[T](i)``,
``exists(i)``, store semantics, CAS, expiry, xattrs and macros, and each
documented failure.
"""

from datetime import timedelta

from official_sdk_4x_steps import Run

import couchbase.subdocument as SD
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions, GetOptions, LookupInOptions, MutateInOptions
from couchbase.subdocument import LookupInMacro, MutationMacro, StoreSemantics

CUSTOMER = {
    "name": "Douglas Reynholm",
    "email": "douglas@reynholmindustries.com",
    "addresses": {"billing": {"line1": "123 Any Street", "country": "United Kingdom"},
                  "delivery": {"line1": "123 Any Street", "country": "United Kingdom"}},
    "purchases": {"complete": [339, 976, 442, 666], "abandoned": [157, 42, 999]},
    "logins": 0,
}


def main():
    run = Run()
    k = run.key
    cluster = Cluster(run.connstr, ClusterOptions(
        PasswordAuthenticator(run.username, run.password)))
    coll = cluster.bucket("default").default_collection()
    coll.upsert(k("c"), CUSTOMER)

    def each(specs, kinds):
        """Per spec: its value by content_as[kind], or the exception's class."""
        def read(res):
            out = []
            for i, kind in enumerate(kinds):
                try:
                    out.append(res.exists(i) if kind == "exists"
                               else res.content_as[kind](i))
                except Exception as exc:  # noqa: BLE001
                    out.append({"raised": type(exc).__name__})
            return out
        return read

    def mutated(res):
        return {"cas": run.cas(res.cas), "key": res.key}

    # -- lookups
    run.step("lookup one path", lambda: coll.lookup_in(
        k("c"), [SD.get("addresses.delivery.country")]),
        each(1, [str]))
    run.step("lookup exists missing", lambda: coll.lookup_in(
        k("c"), [SD.exists("purchases.pending[-1]")]), each(1, ["exists"]))
    run.step("lookup several", lambda: coll.lookup_in(k("c"), [
        SD.get("name"), SD.get("purchases.complete[0]"), SD.count("purchases.abandoned"),
        SD.exists("purchases.complete[-1]"), SD.get("nope"), SD.get("addresses")]),
        each(6, [str, int, int, "exists", str, dict]))
    run.step("lookup cas", lambda: coll.lookup_in(k("c"), [SD.get("name")]),
             lambda r: run.cas(r.cas) == run.cas(coll.get(k("c")).cas))
    run.step("lookup missing document", lambda: coll.lookup_in(k("nope"), [SD.get("a")]))
    run.step("lookup bad path", lambda: coll.lookup_in(k("c"), [SD.get("a[x")]),
             each(1, [str]))
    run.step("lookup path mismatch", lambda: coll.lookup_in(
        k("c"), [SD.get("name.first"), SD.get("email")]), each(2, [str, str]))
    run.step("lookup whole document", lambda: coll.lookup_in(k("c"), [SD.get("")]),
             lambda r: sorted(r.content_as[dict](0)))
    run.step("lookup_in options", lambda: coll.lookup_in(
        k("c"), [SD.get("email")], LookupInOptions(timeout=timedelta(seconds=5))),
        each(1, [str]))

    # -- mutations
    run.step("mutate upsert", lambda: coll.mutate_in(
        k("c"), [SD.upsert("fax", "311-555-0151")]), mutated)
    run.step("mutate insert", lambda: coll.mutate_in(
        k("c"), [SD.insert("purchases.pending", [42, True, "None"])]), mutated)
    run.step("mutate insert existing", lambda: coll.mutate_in(
        k("c"), [SD.insert("purchases.complete", [42])]))
    run.step("mutate remove and replace", lambda: coll.mutate_in(k("c"), (
        SD.remove("addresses.billing"), SD.replace("email", "dougr96@hotmail.com"))), mutated)
    run.step("mutate replace missing path", lambda: coll.mutate_in(
        k("c"), [SD.replace("nope", 1)]))
    run.step("mutate remove missing path", lambda: coll.mutate_in(
        k("c"), [SD.remove("nope")]))
    run.step("array_append", lambda: coll.mutate_in(
        k("c"), [SD.array_append("purchases.complete", 777)]), mutated)
    run.step("array_append several", lambda: coll.mutate_in(
        k("c"), [SD.array_append("purchases.complete", 1, 2)]), mutated)
    run.step("array_prepend", lambda: coll.mutate_in(
        k("c"), [SD.array_prepend("purchases.abandoned", 18)]), mutated)
    run.step("array_insert", lambda: coll.mutate_in(
        k("c"), [SD.array_insert("purchases.abandoned[1]", 19)]), mutated)
    run.step("array_insert out of range", lambda: coll.mutate_in(
        k("c"), [SD.array_insert("purchases.abandoned[99]", 1)]))
    run.step("array_addunique", lambda: coll.mutate_in(
        k("c"), [SD.array_addunique("purchases.complete", 95)]), mutated)
    run.step("array_addunique again", lambda: coll.mutate_in(
        k("c"), [SD.array_addunique("purchases.complete", 95)]))
    run.step("array_addunique object", lambda: coll.mutate_in(
        k("c"), [SD.array_addunique("purchases.complete", {"new": "object"})]))
    run.step("array_append to a string", lambda: coll.mutate_in(
        k("c"), [SD.array_append("name", "x")]))
    run.step("increment", lambda: coll.mutate_in(k("c"), [SD.increment("logins", 3)]),
             lambda r: r.content_as[int](0))
    run.step("decrement", lambda: coll.mutate_in(k("c"), [SD.decrement("logins", 1)]),
             lambda r: r.content_as[int](0))
    run.step("increment a string", lambda: coll.mutate_in(
        k("c"), [SD.increment("name", 1)]))
    run.step("upsert without parents", lambda: coll.mutate_in(
        k("c"), [SD.upsert("phone.home", "555-0101")]))
    run.step("upsert create_parents", lambda: coll.mutate_in(
        k("c"), [SD.upsert("phone.home", "555-0101", create_parents=True)]), mutated)
    run.step("array_prepend create_parents", lambda: coll.mutate_in(
        k("c"), [SD.array_prepend("some.array", "Hello", "World", create_parents=True)]),
        mutated)
    run.step("document after", lambda: coll.get(k("c")), lambda r: r.content_as[dict])

    # -- whole-document arrays
    coll.upsert(k("arr"), [])
    run.step("root array_append", lambda: coll.mutate_in(
        k("arr"), [SD.array_append("", "hello", "world")]), mutated)
    run.step("root array_insert", lambda: coll.mutate_in(
        k("arr"), [SD.array_insert("[1]", "cruel")]), mutated)
    run.step("root array_append nested", lambda: coll.mutate_in(
        k("arr"), [SD.array_append("", ["another", "array"])]), mutated)
    run.step("nested array_insert", lambda: coll.mutate_in(
        k("arr"), [SD.array_insert("[3][2]", "!")]), mutated)
    run.step("array after", lambda: coll.get(k("arr")), lambda r: r.content_as[list])

    # -- CAS, store semantics, expiry
    cas = coll.get(k("c")).cas
    run.step("mutate with cas", lambda: coll.mutate_in(
        k("c"), [SD.upsert("v", 1)], MutateInOptions(cas=cas)), mutated)
    run.step("mutate with stale cas", lambda: coll.mutate_in(
        k("c"), [SD.upsert("v", 2)], MutateInOptions(cas=cas)))
    run.step("mutate missing document", lambda: coll.mutate_in(k("new"), [SD.upsert("a", 1)]))
    run.step("store upsert", lambda: coll.mutate_in(
        k("new"), [SD.upsert("a.b", 1, create_parents=True)],
        MutateInOptions(store_semantics=StoreSemantics.UPSERT)), mutated)
    run.step("store insert existing", lambda: coll.mutate_in(
        k("new"), [SD.upsert("a", 1)], store_semantics=StoreSemantics.INSERT))
    run.step("store insert", lambda: coll.mutate_in(
        k("new2"), [SD.upsert("x", [1])], store_semantics=StoreSemantics.INSERT,
        expiry=timedelta(minutes=10)), mutated)
    run.step("store replace", lambda: coll.mutate_in(
        k("new2"), [SD.upsert("y", 2)], store_semantics=StoreSemantics.REPLACE), mutated)
    run.step("expiry kept only when asked", lambda: [
        coll.get(k("new2"), GetOptions(with_expiry=True)).expiry_time is None,
        coll.mutate_in(k("new2"), [SD.upsert("z", 3)], MutateInOptions(
            expiry=timedelta(minutes=10))) is not None,
        coll.mutate_in(k("new2"), [SD.upsert("z", 4)], preserve_expiry=True) is not None,
        coll.get(k("new2"), GetOptions(with_expiry=True)).expiry_time is None])
    run.step("new documents", lambda: [coll.get(k("new")).content_as[dict],
                                       coll.get(k("new2")).content_as[dict]])

    # -- extended attributes and macros
    run.step("xattr upsert with macros", lambda: coll.mutate_in(k("c"), [
        SD.upsert("app.by", "web", xattr=True, create_parents=True),
        SD.upsert("app.cas", MutationMacro.cas(), xattr=True, create_parents=True),
        SD.upsert("app.seq", MutationMacro.seq_no(), xattr=True),
        SD.upsert("app.crc", MutationMacro.value_crc32c(), xattr=True),
        SD.increment("logins", 1)]), mutated)
    run.step("xattr lookups", lambda: coll.lookup_in(k("c"), [
        SD.get("app.by", xattr=True), SD.exists("app.cas", xattr=True),
        SD.get("app.nope", xattr=True), SD.count("app", xattr=True), SD.get("logins"),
        SD.get(LookupInMacro.is_deleted(), xattr=True),
        SD.get(LookupInMacro.expiry_time(), xattr=True)]),
        each(7, [str, "exists", str, int, int, bool, int]))
    run.step("macro cas: stored byte-swapped; $document.CAS is the CAS", lambda: coll.lookup_in(
        k("c"), [SD.get("app.cas", xattr=True), SD.get(LookupInMacro.cas(), xattr=True)]),
        lambda r: [r.content_as[str](0) == r.content_as[str](1), r.content_as[str](1)
                   == f"0x{r.cas:016x}"])
    run.step("body without xattrs", lambda: "app" in coll.get(k("c")).content_as[dict])
    run.step("xattr remove", lambda: coll.mutate_in(
        k("c"), [SD.remove("app.by", xattr=True)]), mutated)
    run.step("xattrs after", lambda: coll.lookup_in(k("c"), [SD.get("app", xattr=True)]),
             lambda r: sorted(r.content_as[dict](0)))
    run.step("unknown virtual xattr", lambda: coll.lookup_in(
        k("c"), [SD.get("$document.nope", xattr=True), SD.get("name")]), each(2, [str, str]))

    # -- a document that is not JSON, and a tombstone's xattrs
    from couchbase.transcoder import RawStringTranscoder
    coll.upsert(k("txt"), "not json", transcoder=RawStringTranscoder())
    run.step("lookup in text", lambda: coll.lookup_in(k("txt"), [SD.get("a")]),
             each(1, [str]))
    run.step("mutate text", lambda: coll.mutate_in(k("txt"), [SD.upsert("a", 1)]))
    coll.upsert(k("t"), {"v": 1})
    coll.mutate_in(k("t"), [SD.upsert("_txn.state", "pending", xattr=True,
                                      create_parents=True)])
    coll.remove(k("t"))
    run.step("tombstone lookup", lambda: coll.lookup_in(k("t"), [SD.get("_txn", xattr=True)]))
    run.step("tombstone lookup access_deleted", lambda: coll.lookup_in(
        k("t"), [SD.get("_txn", xattr=True), SD.get(LookupInMacro.is_deleted(), xattr=True)],
        LookupInOptions(access_deleted=True)), each(2, [dict, bool]))
    cluster.close()


if __name__ == "__main__":
    main()
