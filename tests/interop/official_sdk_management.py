"""One 4.x management script, run by the OFFICIAL SDK 4.x and by this package.

Usage: python official_sdk_management.py CONNSTR USERNAME PASSWORD PREFIX
Prints one JSON line per step: ``[step, outcome]``, the outcome being the
values read (made comparable: enums by name, durations in seconds) or
``{"raised": "<exception class name>"}``. Only 4.x names are imported, so
the same file runs under either SDK; PREFIX keeps the two runs' buckets,
scopes, users and indexes apart on one cluster.
"""

import json
import sys
from datetime import timedelta

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.management.buckets import BucketSettings, CreateBucketSettings
from couchbase.management.collections import (
    CollectionSpec,
    CreateCollectionSettings,
    UpdateCollectionSettings,
)
from couchbase.management.search import SearchIndex
from couchbase.management.users import Role, User
from couchbase.management.views import DesignDocument, DesignDocumentNamespace, View
from couchbase.options import ClusterOptions

DEV, PROD = DesignDocumentNamespace.DEVELOPMENT, DesignDocumentNamespace.PRODUCTION


def plain(value):
    """``value`` as JSON can say it, the same for either SDK."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    if hasattr(value, "name") and hasattr(value, "value") and type(value).__module__ != "builtins":
        return value.name  # an Enum
    if isinstance(value, (list, tuple, set)):
        items = [plain(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, set) else items
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def step(name, call, read=lambda result: result):
    try:
        outcome = plain(read(call()))
    except Exception as exc:  # the class name is what the SDKs must agree on
        outcome = {"raised": type(exc).__name__}
    print(json.dumps([name, outcome], sort_keys=True), flush=True)


def bucket_fields(s):
    return {"name": s.name, "ram": s.ram_quota_mb, "flush": s.flush_enabled,
            "replicas": s.num_replicas, "type": s.bucket_type, "max_expiry": s.max_expiry,
            "eviction": s.eviction_policy, "compression": s.compression_mode}


def main():
    connstr, username, password, p = sys.argv[1:5]
    cluster = Cluster(connstr, ClusterOptions(PasswordAuthenticator(username, password)))
    bucket = cluster.bucket("default")
    buckets = cluster.buckets()

    # -- buckets
    b = f"{p}-bucket"
    step("create_bucket", lambda: buckets.create_bucket(CreateBucketSettings(
        name=b, ram_quota_mb=100, flush_enabled=True, num_replicas=1,
        max_expiry=timedelta(hours=1))))
    step("get_bucket", lambda: buckets.get_bucket(b), bucket_fields)
    step("create_bucket again", lambda: buckets.create_bucket(
        CreateBucketSettings(name=b, ram_quota_mb=100)))
    step("get_all_buckets lists it", lambda: buckets.get_all_buckets(),
         lambda all_: b in [x.name for x in all_])
    step("update_bucket", lambda: buckets.update_bucket(
        BucketSettings(name=b, ram_quota_mb=150, flush_enabled=False)))
    step("get_bucket updated", lambda: buckets.get_bucket(b), bucket_fields)
    step("flush_bucket not enabled", lambda: buckets.flush_bucket(b))
    step("drop_bucket", lambda: buckets.drop_bucket(b))
    step("get_bucket dropped", lambda: buckets.get_bucket(b))
    step("drop_bucket missing", lambda: buckets.drop_bucket(b))
    step("flush_bucket missing", lambda: buckets.flush_bucket(b))
    step("update_bucket missing", lambda: buckets.update_bucket(
        BucketSettings(name=b, ram_quota_mb=100)))

    # -- scopes and collections
    cm = bucket.collections()
    s = f"{p}s"

    def my_scope():
        return [[c.name, c.max_expiry] for x in cm.get_all_scopes() if x.name == s
                for c in sorted(x.collections, key=lambda c: c.name)]

    step("create_scope", lambda: cm.create_scope(s))
    step("create_scope again", lambda: cm.create_scope(s))
    step("create_collection", lambda: cm.create_collection(
        s, "c1", CreateCollectionSettings(max_expiry=timedelta(seconds=30))))
    step("create_collection CollectionSpec", lambda: cm.create_collection(
        CollectionSpec("c2", s)))
    step("get_all_scopes", my_scope)
    step("create_collection again", lambda: cm.create_collection(s, "c1"))
    step("create_collection missing scope", lambda: cm.create_collection(f"{s}x", "c"))
    step("update_collection", lambda: cm.update_collection(
        s, "c2", UpdateCollectionSettings(max_expiry=timedelta(seconds=5))))
    step("get_all_scopes updated", my_scope)
    step("update_collection missing", lambda: cm.update_collection(
        s, "nope", UpdateCollectionSettings(max_expiry=timedelta(seconds=5))))
    step("drop_collection missing", lambda: cm.drop_collection(s, "nope"))
    step("drop_scope missing", lambda: cm.drop_scope(f"{s}x"))

    # -- query indexes, on the new collection
    qm = cluster.query_indexes()
    at = {"scope_name": s, "collection_name": "c1"}

    def indexes():
        return [[i.name, i.is_primary, i.state, i.index_key, i.condition]
                for i in sorted(qm.get_all_indexes("default", **at), key=lambda i: i.name)]

    step("create_primary_index", lambda: qm.create_primary_index("default", **at))
    step("create_primary_index again", lambda: qm.create_primary_index("default", **at))
    step("create_primary_index ignore_if_exists", lambda: qm.create_primary_index(
        "default", ignore_if_exists=True, **at))
    step("create_index deferred", lambda: qm.create_index(
        "default", "ix_a", ["a"], deferred=True, **at))
    step("create_index again", lambda: qm.create_index("default", "ix_a", ["a"], **at))
    step("get_all_indexes", indexes)
    step("build_deferred_indexes", lambda: qm.build_deferred_indexes("default", **at))
    step("watch_indexes", lambda: qm.watch_indexes(
        "default", ["ix_a"], timeout=timedelta(seconds=20), watch_primary=True, **at))
    step("get_all_indexes built", indexes)
    step("watch_indexes missing", lambda: qm.watch_indexes(
        "default", ["nope"], timeout=timedelta(seconds=2), **at))
    step("drop_index", lambda: qm.drop_index("default", "ix_a", **at))
    step("drop_index missing", lambda: qm.drop_index("default", "ix_a", **at))
    step("drop_index ignore_if_not_exists", lambda: qm.drop_index(
        "default", "ix_a", ignore_if_not_exists=True, **at))
    step("drop_primary_index", lambda: qm.drop_primary_index("default", **at))
    step("drop_primary_index missing", lambda: qm.drop_primary_index("default", **at))
    step("drop_collection", lambda: cm.drop_collection(s, "c1"))
    step("drop_scope", lambda: cm.drop_scope(s))
    step("get_all_scopes dropped", my_scope)

    # -- users
    um = cluster.users()
    u = f"{p}-user"
    roles = {Role("bucket_admin", bucket="default"),
             Role("data_reader", bucket="default", scope="_default", collection="_default")}

    def user_fields(m):
        return {"domain": str(getattr(m.domain, "name", m.domain)).lower(),
                "username": m.user.username, "display_name": m.user.display_name,
                "roles": sorted([r.name, r.bucket, r.scope, r.collection] for r in m.user.roles),
                "effective": sorted([r.role.name, [o.type for o in r.origins]]
                                    for r in m.effective_roles)}

    step("upsert_user", lambda: um.upsert_user(User(
        username=u, display_name="Web", password="s3cret!", roles=roles)))
    step("get_user", lambda: um.get_user(u), user_fields)
    step("get_all_users lists it", lambda: um.get_all_users(),
         lambda all_: u in [m.user.username for m in all_])
    step("get_roles has admin", lambda: um.get_roles(),
         lambda all_: "admin" in [r.role.name for r in all_])
    step("upsert_user bad role", lambda: um.upsert_user(User(
        username=u, password="s3cret!", roles={Role("no_such_role")})))
    step("drop_user", lambda: um.drop_user(u))
    step("get_user missing", lambda: um.get_user(u))
    step("drop_user missing", lambda: um.drop_user(u))

    # -- design documents
    vm = bucket.view_indexes()
    d = f"{p}dd"
    view = View("function (doc, meta) { emit(meta.id, null); }", "_count")

    def ddoc(doc):
        # (not its namespace: the official SDK 4.6 reports DEVELOPMENT for a document
        # read from PRODUCTION; ours says PRODUCTION)
        return {"name": doc.name,
                "views": {k: [v.map, v.reduce] for k, v in doc.views.items()}}

    step("upsert_design_document", lambda: vm.upsert_design_document(
        DesignDocument(d, {"by_id": view}), DEV))
    step("get_design_document", lambda: vm.get_design_document(d, DEV), ddoc)
    step("get_design_document production", lambda: vm.get_design_document(d, PROD))
    step("get_all_design_documents", lambda: vm.get_all_design_documents(DEV),
         lambda docs: d in [x.name for x in docs])
    step("publish_design_document", lambda: vm.publish_design_document(d))
    step("get_design_document published", lambda: vm.get_design_document(d, PROD), ddoc)
    step("drop_design_document", lambda: vm.drop_design_document(d, PROD))
    step("drop_design_document dev", lambda: vm.drop_design_document(d, DEV))
    step("drop_design_document missing", lambda: vm.drop_design_document(d, DEV))
    step("publish_design_document missing", lambda: vm.publish_design_document(d))

    # -- search indexes
    sm = cluster.search_indexes()
    ix = f"{p}fts"
    step("upsert_index", lambda: sm.upsert_index(SearchIndex(name=ix, source_name="default")))
    step("get_index", lambda: sm.get_index(ix),
         lambda i: [i.name, i.source_name, i.idx_type, i.source_type, bool(i.uuid)])
    step("get_all_indexes lists it", lambda: sm.get_all_indexes(),
         lambda all_: ix in [i.name for i in all_])
    step("get_indexed_documents_count", lambda: sm.get_indexed_documents_count(ix),
         lambda n: isinstance(n, int))
    step("drop_index", lambda: sm.drop_index(ix))
    step("get_index missing", lambda: sm.get_index(ix))
    step("drop_index missing", lambda: sm.drop_index(ix))
    step("get_indexed_documents_count missing", lambda: sm.get_indexed_documents_count(ix))
    cluster.close()


if __name__ == "__main__":
    main()
