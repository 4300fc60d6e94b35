"""Provisioning cluster resources (the 4.x guide's howto): a bucket's life cycle
with ``cluster.buckets()``, then scopes and collections with
``bucket.collections()``.

Runs against the embedded local cluster (or yours: see ``_local.py``);
``tests/test_examples_4x.py`` checks what it prints.
"""

from __future__ import annotations

from _local import cluster_address

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import (
    BucketAlreadyExistsException,
    BucketDoesNotExistException,
    CollectionNotFoundException,
    ScopeNotFoundException,
)
from couchbase.management.buckets import (
    BucketSettings,
    BucketType,
    ConflictResolutionType,
    CreateBucketSettings,
)
from couchbase.management.collections import CollectionSpec
from couchbase.options import ClusterOptions


def main(connstr: str, username: str, password: str) -> None:
    cluster = Cluster(connstr, ClusterOptions(PasswordAuthenticator(username, password)))
    buckets = cluster.buckets()
    settings = CreateBucketSettings(name="hello", flush_enabled=False, ram_quota_mb=100,
                                    num_replicas=0, bucket_type=BucketType.COUCHBASE,
                                    conflict_resolution_type=ConflictResolutionType.
                                    SEQUENCE_NUMBER)
    buckets.create_bucket(settings)
    try:
        buckets.create_bucket(settings)
    except BucketAlreadyExistsException:
        print("hello bucket previously created")
    print("found bucket:", buckets.get_bucket("hello").name)
    buckets.update_bucket(BucketSettings(name="hello", flush_enabled=True, ram_quota_mb=100))
    print("flush enabled:", buckets.get_bucket("hello").flush_enabled)
    buckets.flush_bucket("hello")
    buckets.drop_bucket("hello")
    try:
        buckets.get_bucket("hello")
    except BucketDoesNotExistException:
        print("hello bucket dropped")

    # (The guide does this part as a user with scope_admin[travel-sample]; the local
    # cluster has no scope_admin role yet, so the administrator does it here.)
    collections = cluster.bucket("travel-sample").collections()
    collections.create_scope("example-scope")
    scope = next(s for s in collections.get_all_scopes() if s.name == "example-scope")
    print("found scope:", scope.name)
    collections.create_collection("example-scope", "example-collection")
    scope = next(s for s in collections.get_all_scopes() if s.name == "example-scope")
    print("found collection:", [c.name for c in scope.collections])
    collections.drop_collection("example-scope", "example-collection")
    try:
        collections.drop_collection(CollectionSpec("example-collection", "example-scope"))
    except CollectionNotFoundException:
        print("collection dropped")
    collections.drop_scope("example-scope")
    try:
        collections.drop_scope("example-scope")
    except ScopeNotFoundException:
        print("scope dropped")
    cluster.close()


if __name__ == "__main__":
    with cluster_address() as address:
        main(*address)
