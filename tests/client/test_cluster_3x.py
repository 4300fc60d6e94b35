"""The 3.x entry points: Cluster, ClusterOptions, buckets, scopes and collections."""

from __future__ import annotations

from datetime import timedelta

import pytest

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import (
    ArgumentError,
    AuthError,
    CollectionNotFoundError,
    NotFoundError,
    ScopeNotFoundError,
)
from couchbase.options import ClusterOptions, ClusterTimeoutOptions


def _options(password="password"):
    return ClusterOptions(PasswordAuthenticator("Administrator", password),
                          ClusterTimeoutOptions(kv_timeout=timedelta(seconds=2)))


def _add_collection(mock, scope, name):
    def create(cluster):
        manifest = cluster.buckets["default"].manifest
        if scope not in manifest.scopes:
            manifest.create_scope(scope)
        manifest.create_collection(scope, name)
        cluster.bump()

    mock.call(create)


def test_default_collection_is_the_bucket(mock_cluster, key):
    cluster = Cluster.connect(mock_cluster.connstr, _options())
    bucket = cluster.bucket("default")
    coll = bucket.default_collection()
    coll.upsert(key, {"from": "collection"})
    assert bucket.get(key).value == {"from": "collection"}
    assert cluster.bucket("default") is bucket
    assert bucket.timeout == 2
    cluster.close()
    assert bucket.closed


def test_named_collection_keeps_its_own_documents(fresh_mock, key):
    _add_collection(fresh_mock, "inventory", f"airline{key[-6:]}")
    with Cluster(fresh_mock.connstr, _options()) as cluster:
        bucket = cluster.bucket("default")
        coll = bucket.scope("inventory").collection(f"airline{key[-6:]}")
        coll.upsert(key, "in the collection")
        assert coll.get(key).value == "in the collection"
        with pytest.raises(NotFoundError):
            bucket.get(key)  # not in the default collection
        multi = coll.get_multi([key])
        assert multi.results[key].value == "in the collection"
        # (4.x: a collection's id is looked up on its first operation)
        with pytest.raises(CollectionNotFoundError):
            bucket.scope("inventory").collection("nope").get(key)
        with pytest.raises(ScopeNotFoundError):
            bucket.scope("nope").collection("nope").get(key)


def test_cluster_needs_options_and_good_credentials(mock_cluster):
    with pytest.raises(ArgumentError):  # (Cluster(connstr) alone is the 2.x form)
        Cluster(mock_cluster.connstr).bucket("default")
    with pytest.raises(AuthError):
        Cluster.connect(mock_cluster.connstr, _options("wrong")).bucket("default")


def test_collection_keeps_its_bucket_open(mock_cluster, key):
    import gc
    import weakref

    from couchbase.bucket import Bucket

    bucket = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                    password="password")
    ref = weakref.ref(bucket)
    coll = bucket.default_collection()
    del bucket
    gc.collect()
    assert ref() is not None and not ref().closed
    coll.upsert(key, 1)
    assert coll.get(key).value == 1
