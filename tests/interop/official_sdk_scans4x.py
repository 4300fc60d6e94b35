"""KV range scans through the 4.x API, run by the OFFICIAL SDK 4.x and by this package.

Usage: python official_sdk_scans4x.py CONNSTR USERNAME PASSWORD PREFIX
(see official_sdk_4x_steps.py for the output). ``Collection.scan`` with
``RangeScan``, ``PrefixScan`` and ``SamplingScan``, ids only or with content,
on a collection of the run's own (items come in no set order: the outputs
sort them).
"""

from datetime import timedelta

from official_sdk_4x_steps import Run

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.kv_range_scan import PrefixScan, RangeScan, SamplingScan, ScanTerm
from couchbase.mutation_state import MutationState
from couchbase.options import ClusterOptions, ScanOptions


def main():
    run = Run()
    cluster = Cluster(run.connstr, ClusterOptions(
        PasswordAuthenticator(run.username, run.password)))
    bucket = cluster.bucket("default")
    scope = run.prefix.rstrip("-") + "scan"
    manager = bucket.collections()
    manager.create_scope(scope)
    manager.create_collection(scope, "docs")
    coll = bucket.scope(scope).collection("docs")
    state = MutationState()
    for name in ["alice::1", "alice::2", "alice::3", "bob::1", "bob::2", "carol::1"]:
        state.add_mutation_token(coll.upsert(name, {"who": name.split("::")[0],
                                                    "n": int(name[-1])}).mutation_token())
    for i in range(40):
        coll.upsert(f"zz{i:02d}", {"i": i})

    def ids(result):
        return sorted(item.id for item in result)

    def contents(result):
        return sorted([item.id, item.content_as[dict], bool(item.cas),
                       item.expiry_time is None] for item in result)

    run.step("range all ids", lambda: coll.scan(RangeScan(), ScanOptions(ids_only=True)),
             lambda r: len(ids(r)))
    run.step("range from to", lambda: coll.scan(
        RangeScan(ScanTerm("alice::2"), ScanTerm("bob::2")), ids_only=True), ids)
    run.step("range exclusive", lambda: coll.scan(
        RangeScan(ScanTerm("alice::2", exclusive=True), ScanTerm("bob::2", exclusive=True)),
        ids_only=True), ids)
    run.step("range start only", lambda: coll.scan(
        RangeScan(start=ScanTerm("carol")), ScanOptions(ids_only=True)), lambda r: len(ids(r)))
    run.step("range end only", lambda: coll.scan(
        RangeScan(end=ScanTerm("b")), ScanOptions(ids_only=True)), ids)
    run.step("range with content", lambda: coll.scan(
        RangeScan(ScanTerm("alice"), ScanTerm("bob::~"))), contents)
    run.step("range nothing", lambda: coll.scan(
        RangeScan(ScanTerm("m"), ScanTerm("n")), ids_only=True), ids)
    run.step("prefix", lambda: coll.scan(PrefixScan("alice::"), ids_only=True), ids)
    run.step("prefix with content", lambda: coll.scan(PrefixScan("bob::")), contents)
    run.step("prefix none", lambda: coll.scan(PrefixScan("dave")), ids)
    run.step("prefix consistent_with", lambda: coll.scan(
        PrefixScan("carol"), ScanOptions(consistent_with=state, ids_only=True)), ids)
    run.step("prefix batch limits", lambda: coll.scan(
        PrefixScan("zz"), ScanOptions(ids_only=True, batch_item_limit=3,
                                      batch_byte_limit=100, concurrency=2)),
        lambda r: len(ids(r)))
    run.step("sampling", lambda: coll.scan(SamplingScan(10, seed=7), ids_only=True),
             lambda r: len(ids(r)))
    run.step("sampling more than there are", lambda: coll.scan(
        SamplingScan(1000, seed=7), ScanOptions(ids_only=True)), lambda r: len(ids(r)))
    run.step("sampling with content", lambda: coll.scan(SamplingScan(5)),
             lambda r: [len(x) == 4 for x in contents(r)].count(True))
    run.step("sampling limit 0", lambda: coll.scan(SamplingScan(0)), ids)
    run.step("content_as with ids_only", lambda: coll.scan(
        PrefixScan("alice::1"), ids_only=True), lambda r: [x.content_as[dict] for x in r])
    run.step("ids_only item", lambda: coll.scan(PrefixScan("alice::1"), ids_only=True),
             lambda r: [[x.id, x.ids_only] for x in r])
    run.step("scan timeout option", lambda: coll.scan(
        PrefixScan("alice"), ScanOptions(timeout=timedelta(seconds=10), ids_only=True)), ids)
    run.step("concurrency 0", lambda: coll.scan(RangeScan(), concurrency=0), ids)
    run.step("not a scan type", lambda: coll.scan("alice"), ids)
    manager.drop_scope(scope)
    cluster.close()


if __name__ == "__main__":
    main()
