"""The 4.x management API (couchbase.management) on every front end, against the local
cluster: life cycles, the documented exceptions, option checking.

Cluster-level managers are made over the front end's bucket (what ``cluster.buckets()``
does once a bucket is open); tests at the end reach them through ``Cluster`` itself.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, Callable

import pytest

from couchbase.exceptions import (
    BucketAlreadyExistsException,
    BucketDoesNotExistException,
    BucketNotFlushableException,
    BucketNotFoundException,
    CollectionAlreadyExistsException,
    CollectionNotFoundException,
    CouchbaseException,
    DesignDocumentNotFoundException,
    InvalidArgumentException,
    NotFoundError,
    QueryIndexAlreadyExistsException,
    QueryIndexNotFoundException,
    ScopeAlreadyExistsException,
    ScopeNotFoundException,
    SearchIndexNotFoundException,
    UserNotFoundException,
    WatchQueryIndexTimeoutException,
)
from couchbase.management.buckets import (
    BucketManager,
    BucketSettings,
    BucketType,
    CompressionMode,
    ConflictResolutionType,
    CreateBucketSettings,
    EvictionPolicyType,
)
from couchbase.management.collections import (
    CollectionSpec,
    CreateCollectionSettings,
    UpdateCollectionSettings,
)
from couchbase.management.options import CreateBucketOptions, GetAllScopesOptions
from couchbase.management.queries import QueryIndexManager
from couchbase.management.search import SearchIndex, SearchIndexManager
from couchbase.management.users import Role, User, UserManager
from couchbase.management.views import DesignDocument, DesignDocumentNamespace, View
from frontends.conftest import Proxy

DEV, PROD = DesignDocumentNamespace.DEVELOPMENT, DesignDocumentNamespace.PRODUCTION


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@pytest.fixture
def manager(cb: Proxy) -> Callable[[Any], Proxy]:
    """``manager(cls or bound factory)`` -> a blocking proxy of that manager over ``cb``'s
    bucket, waiting the front end's way."""
    def make(factory: Any) -> Proxy:
        return Proxy(factory(cb._target), cb._resolve)

    return make


# -- buckets ----------------------------------------------------------------------------
def test_bucket_life_cycle(manager: Callable[[Any], Proxy]) -> None:
    mgr = manager(BucketManager)
    name = unique("b-")
    mgr.create_bucket(CreateBucketSettings(
        name=name, ram_quota_mb=100, flush_enabled=True, num_replicas=1,
        bucket_type=BucketType.COUCHBASE, eviction_policy=EvictionPolicyType.FULL,
        max_expiry=timedelta(hours=1), compression_mode=CompressionMode.ACTIVE,
        conflict_resolution_type=ConflictResolutionType.SEQUENCE_NUMBER))
    try:
        got = mgr.get_bucket(name)
        assert isinstance(got, BucketSettings)
        assert (got.name, got.ram_quota_mb, got.flush_enabled, got.num_replicas) == (
            name, 100, True, 1)
        assert got.bucket_type is BucketType.COUCHBASE
        assert got.eviction_policy is EvictionPolicyType.FULL
        assert got.max_expiry == timedelta(hours=1)
        assert got.compression_mode is CompressionMode.ACTIVE
        assert name in [b.name for b in mgr.get_all_buckets()]
        mgr.update_bucket(BucketSettings(name=name, ram_quota_mb=150, flush_enabled=False))
        got = mgr.get_bucket(name)
        assert (got.ram_quota_mb, got.flush_enabled) == (150, False)
        with pytest.raises(BucketNotFlushableException):
            mgr.flush_bucket(name)
        assert mgr.bucket_describe(name).name == name
    finally:
        mgr.drop_bucket(name, CreateBucketOptions(timeout=timedelta(seconds=30)))
    with pytest.raises(BucketDoesNotExistException):
        mgr.get_bucket(name)


def test_bucket_errors(manager: Callable[[Any], Proxy]) -> None:
    mgr = manager(BucketManager)
    with pytest.raises(BucketAlreadyExistsException) as info:
        mgr.create_bucket(CreateBucketSettings(name="default", ram_quota_mb=100))
    assert isinstance(info.value, CouchbaseException)
    assert info.value.context.response_code == 400
    missing = unique("missing-")
    with pytest.raises(BucketNotFoundException):  # "The bucket to be deleted was not found."
        mgr.drop_bucket(missing)
    for call in (lambda: mgr.get_bucket(missing),
                 lambda: mgr.flush_bucket(missing),
                 lambda: mgr.update_bucket(BucketSettings(name=missing, ram_quota_mb=100))):
        with pytest.raises(BucketDoesNotExistException) as info:
            call()
        assert isinstance(info.value, NotFoundError) or info.value.context.response_code == 404
    with pytest.raises(InvalidArgumentException):  # the server refuses a tiny quota
        mgr.create_bucket(CreateBucketSettings(name=unique("tiny-"), ram_quota_mb=1))


@pytest.mark.parametrize("call", [
    lambda m: m.create_bucket(CreateBucketSettings(name="x")),  # no quota
    lambda m: m.create_bucket(CreateBucketSettings(name="", ram_quota_mb=100)),
    lambda m: m.create_bucket({"name": "x", "ram_quota_mb": 100}),
    lambda m: m.create_bucket(CreateBucketSettings(name="x", ram_quota_mb=100,
                                                   bucket_type="nonsense")),
    lambda m: m.create_bucket(CreateBucketSettings(name="x", ram_quota_mb=100,
                                                   minimum_durability_level="lots")),
    lambda m: m.get_bucket(""),
    lambda m: m.get_bucket("default", timeout=-1),
    lambda m: m.get_bucket("default", timeout="soon"),
    lambda m: m.get_bucket("default", wrong_option=1),
    lambda m: m.get_all_buckets(GetAllScopesOptions(), "not options"),
])
def test_bucket_arguments_checked(manager: Callable[[Any], Proxy], call: Any) -> None:
    with pytest.raises(InvalidArgumentException):
        call(manager(BucketManager))


def test_bucket_settings_refuse_unknown_names() -> None:
    with pytest.raises(InvalidArgumentException):
        BucketSettings(name="x", ram_quota=100)
    assert dict(CreateBucketSettings(name="x", ram_quota_mb=100, num_replicas=None)) == {
        "name": "x", "ram_quota_mb": 100}


# -- scopes and collections -------------------------------------------------------------
def test_collections_life_cycle(manager: Callable[[Any], Proxy]) -> None:
    mgr = manager(lambda bucket: bucket.collections())
    scope = unique("s")
    mgr.create_scope(scope)
    try:
        mgr.create_collection(scope, "c1", CreateCollectionSettings(
            max_expiry=timedelta(seconds=30)))
        mgr.create_collection(CollectionSpec("c2", scope))  # the older form
        mgr.create_collection(scope_name=scope, collection_name="c3")
        specs = {s.name: s for s in mgr.get_all_scopes()}
        assert "_default" in specs
        got = {c.name: c for c in specs[scope].collections}
        assert sorted(got) == ["c1", "c2", "c3"]
        assert got["c1"].max_expiry == timedelta(seconds=30)
        assert got["c1"].scope_name == scope
        mgr.update_collection(scope, "c2", UpdateCollectionSettings(
            max_expiry=timedelta(seconds=5)))
        got = {c.name: c for s in mgr.get_all_scopes() if s.name == scope
               for c in s.collections}
        assert got["c2"].max_expiry == timedelta(seconds=5)
        mgr.drop_collection(scope, "c1")
        mgr.drop_collection(CollectionSpec("c2", scope))
        left = [c.name for s in mgr.get_all_scopes() if s.name == scope for c in s.collections]
        assert left == ["c3"]
    finally:
        mgr.drop_scope(scope)
    assert scope not in [s.name for s in mgr.get_all_scopes()]


def test_collections_errors(manager: Callable[[Any], Proxy]) -> None:
    mgr = manager(lambda bucket: bucket.collections())
    scope = unique("s")
    mgr.create_scope(scope)
    try:
        with pytest.raises(ScopeAlreadyExistsException):
            mgr.create_scope(scope)
        mgr.create_collection(scope, "c")
        with pytest.raises(CollectionAlreadyExistsException):
            mgr.create_collection(scope, "c")
        with pytest.raises(CollectionNotFoundException):
            mgr.drop_collection(scope, "nope")
        with pytest.raises(CollectionNotFoundException):
            mgr.update_collection(scope, "nope", UpdateCollectionSettings(
                max_expiry=timedelta(seconds=1)))
    finally:
        mgr.drop_scope(scope)
    with pytest.raises(ScopeNotFoundException):
        mgr.drop_scope(scope)
    with pytest.raises(ScopeNotFoundException):
        mgr.create_collection(scope, "c")
    with pytest.raises(InvalidArgumentException):
        mgr.create_collection(scope)  # no collection name
    with pytest.raises(InvalidArgumentException):
        mgr.create_collection("s", "c", CreateCollectionSettings(
            max_expiry=timedelta(seconds=-2)))
    with pytest.raises(InvalidArgumentException):
        mgr.create_collection("s", "c", CreateCollectionSettings(history="yes"))


# -- users ------------------------------------------------------------------------------
def test_user_life_cycle(manager: Callable[[Any], Proxy]) -> None:
    mgr = manager(UserManager)
    name = unique("u-")
    roles = {Role("bucket_admin", bucket="default"),
             Role("data_reader", bucket="default", scope="_default", collection="_default")}
    mgr.upsert_user(User(username=name, display_name="Web", password="s3cret!",
                         roles=roles))
    try:
        got = mgr.get_user(name)
        assert got.domain == "local"
        assert (got.user.username, got.user.display_name) == (name, "Web")
        assert got.user.roles == roles
        assert {r.role for r in got.effective_roles} == roles
        assert all(o.type == "user" for r in got.effective_roles for o in r.origins)
        assert name in [u.user.username for u in mgr.get_all_users()]
        mgr.upsert_user(User(username=name, roles={Role("admin")}))
        assert mgr.get_user(name).user.roles == {Role("admin")}
        assert "admin" in [r.role.name for r in mgr.get_roles()]
    finally:
        mgr.drop_user(name)
    with pytest.raises(UserNotFoundException):
        mgr.get_user(name)
    with pytest.raises(CouchbaseException):  # as the official SDK: not UserNotFoundException
        mgr.drop_user(name)
    with pytest.raises(InvalidArgumentException):
        mgr.upsert_user(User(username=unique("u-"), password="s3cret!",
                             roles={Role("no_such_role")}))
    with pytest.raises(InvalidArgumentException):
        mgr.get_user(name, domain_name="ldap")
    with pytest.raises(InvalidArgumentException):
        mgr.upsert_user(User(username=name, roles={"admin"}))


# -- query indexes ----------------------------------------------------------------------
def test_query_index_life_cycle(manager: Callable[[Any], Proxy]) -> None:
    collections = manager(lambda bucket: bucket.collections())
    mgr = manager(QueryIndexManager)
    scope = unique("q")
    collections.create_scope(scope)
    collections.create_collection(scope, "c")
    where = {"scope_name": scope, "collection_name": "c"}
    try:
        mgr.create_primary_index("default", **where)
        with pytest.raises(QueryIndexAlreadyExistsException):
            mgr.create_primary_index("default", **where)
        mgr.create_primary_index("default", ignore_if_exists=True, **where)
        mgr.create_index("default", "ix_a", ["a", "b"], deferred=True, **where)
        mgr.create_index("default", "ix_c", ["c"], condition="c > 1", **where)
        ixs = {ix.name: ix for ix in mgr.get_all_indexes("default", **where)}
        assert sorted(ixs) == ["#primary", "ix_a", "ix_c"]
        assert ixs["#primary"].is_primary and ixs["ix_a"].state == "deferred"
        assert (ixs["ix_c"].bucket_name, ixs["ix_c"].scope_name,
                ixs["ix_c"].collection_name) == ("default", scope, "c")
        with pytest.raises(WatchQueryIndexTimeoutException):
            mgr.watch_indexes("default", ["ix_a"], timeout=timedelta(milliseconds=300), **where)
        mgr.build_deferred_indexes("default", **where)
        mgr.watch_indexes("default", ["ix_a"], watch_primary=True,
                          timeout=timedelta(seconds=10), **where)
        with pytest.raises(QueryIndexNotFoundException):
            mgr.watch_indexes("default", ["nope"], timeout=timedelta(seconds=1), **where)
        mgr.drop_index("default", "ix_a", **where)
        with pytest.raises(QueryIndexNotFoundException):
            mgr.drop_index("default", "ix_a", **where)
        mgr.drop_index("default", "ix_a", ignore_if_not_exists=True, **where)
        mgr.drop_primary_index("default", **where)
        assert [ix.name for ix in mgr.get_all_indexes("default", **where)] == ["ix_c"]
    finally:
        collections.drop_scope(scope)


def test_collection_query_index_manager(manager: Callable[[Any], Proxy]) -> None:
    collections = manager(lambda bucket: bucket.collections())
    scope = unique("q")
    collections.create_scope(scope)
    collections.create_collection(scope, "c")
    mgr = manager(lambda bucket: bucket.scope(scope).collection("c").query_indexes())
    try:
        mgr.create_primary_index(deferred=True)
        mgr.create_index("ix", ["name"])
        assert [ix.name for ix in mgr.get_all_indexes()] == ["#primary", "ix"]
        mgr.build_deferred_indexes()
        mgr.watch_indexes([], watch_primary=True, timeout=timedelta(seconds=10))
        with pytest.raises(InvalidArgumentException):
            mgr.get_all_indexes(scope_name="other", collection_name="c")
        with pytest.raises(InvalidArgumentException):
            mgr.watch_indexes(["ix"])  # a timeout is required
        mgr.drop_index("ix")
        mgr.drop_primary_index()
        assert mgr.get_all_indexes() == []
    finally:
        collections.drop_scope(scope)


def test_query_index_arguments_checked(manager: Callable[[Any], Proxy]) -> None:
    mgr = manager(QueryIndexManager)
    for call in (lambda: mgr.create_index("default", "ix", []),
                 lambda: mgr.create_index("default", "", ["a"]),
                 lambda: mgr.create_index("default", "ix", ["a"], num_replicas=-1),
                 lambda: mgr.get_all_indexes("default", scope_name="s"),
                 lambda: mgr.create_primary_index("default", defered=True)):
        with pytest.raises(InvalidArgumentException):
            call()


# -- views ------------------------------------------------------------------------------
def test_design_document_life_cycle(manager: Callable[[Any], Proxy]) -> None:
    pytest.importorskip("py_mini_racer")  # the mock's JavaScript engine (the 'views' extra)
    mgr = manager(lambda bucket: bucket.view_indexes())
    name = unique("dd")
    view = View(map="function (doc, meta) { emit(meta.id, null); }", reduce="_count")
    mgr.upsert_design_document(DesignDocument(name, {"by_id": view}), DEV)
    try:
        got = mgr.get_design_document(name, DEV)
        assert (got.name, got.namespace, got.views) == (name, DEV, {"by_id": view})
        assert name in [d.name for d in mgr.get_all_design_documents(DEV)]
        assert name not in [d.name for d in mgr.get_all_design_documents(PROD)]
        with pytest.raises(DesignDocumentNotFoundException):
            mgr.get_design_document(name, PROD)
        mgr.publish_design_document(name)
        assert mgr.get_design_document(name, PROD).views == {"by_id": view}
        mgr.drop_design_document(name, PROD)
    finally:
        mgr.drop_design_document(name, DEV)
    with pytest.raises(DesignDocumentNotFoundException):
        mgr.drop_design_document(name, DEV)
    with pytest.raises(DesignDocumentNotFoundException):
        mgr.publish_design_document(name)
    with pytest.raises(InvalidArgumentException):
        mgr.get_design_document(name, "development")


# -- search indexes ---------------------------------------------------------------------
def test_search_index_life_cycle(manager: Callable[[Any], Proxy], cb: Proxy) -> None:
    mgr = manager(SearchIndexManager)
    name = unique("fts")
    cb.upsert(unique("doc-"), {"text": "hello"})
    mgr.upsert_index(SearchIndex(name=name, source_name="default"))
    try:
        got = mgr.get_index(name)
        assert (got.name, got.source_name, got.idx_type) == (name, "default", "fulltext-index")
        assert got.uuid
        mgr.upsert_index(got)  # replacing: the uuid names the definition replaced
        assert name in [ix.name for ix in mgr.get_all_indexes()]
        assert mgr.get_indexed_documents_count(name) >= 1
    finally:
        mgr.drop_index(name)
    for call in (lambda: mgr.get_index(name), lambda: mgr.drop_index(name),
                 lambda: mgr.get_indexed_documents_count(name)):
        with pytest.raises(SearchIndexNotFoundException):
            call()
    with pytest.raises(InvalidArgumentException):
        mgr.upsert_index(SearchIndex(name=name))  # no source
    with pytest.raises(InvalidArgumentException):
        mgr.analyze_document(name, {"not": {1, 2}})  # not JSON


# -- through the Cluster ------------------------------------------------------------------
def _options() -> Any:
    from couchbase.auth import PasswordAuthenticator
    from couchbase.options import ClusterOptions

    return ClusterOptions(PasswordAuthenticator("Administrator", "password"))


def test_sync_cluster_managers(mock_cluster: Any) -> None:
    from couchbase.cluster import Cluster

    cluster = Cluster(mock_cluster.connstr, _options())
    try:
        bucket = cluster.bucket("default")
        assert "default" in [b.name for b in cluster.buckets().get_all_buckets()]
        assert cluster.users().get_roles()
        assert isinstance(cluster.query_indexes().get_all_indexes("default"), list)
        assert isinstance(cluster.search_indexes().get_all_indexes(), list)
        assert "_default" in [s.name for s in bucket.collections().get_all_scopes()]
        assert isinstance(bucket.view_indexes().get_all_design_documents(PROD), list)
    finally:
        cluster.close()


def test_sync_cluster_without_a_bucket(mock_cluster: Any) -> None:
    """No bucket open: the management port the connection string names."""
    from couchbase.cluster import Cluster

    host, port = mock_cluster.mgmt_url.rsplit("/", 1)[1].split(":")
    cluster = Cluster(f"couchbase://{host}:{port}=http", _options())
    mgr = cluster.buckets()
    name = unique("nb-")
    mgr.create_bucket(CreateBucketSettings(name=name, ram_quota_mb=100))
    try:
        assert mgr.get_bucket(name).ram_quota_mb == 100
    finally:
        mgr.drop_bucket(name)
    with pytest.raises(BucketDoesNotExistException):
        mgr.get_bucket(name)
    assert cluster.users().get_roles()


def test_asyncio_cluster_managers(mock_cluster: Any, loop_thread: Any) -> None:
    from acouchbase.cluster import Cluster

    host, port = mock_cluster.mgmt_url.rsplit("/", 1)[1].split(":")

    async def run() -> list[Any]:
        cluster = await Cluster.connect(f"couchbase://{host}:{port}=http", _options())
        mgr = cluster.buckets()
        before = [b.name for b in await mgr.get_all_buckets()]  # no bucket open
        bucket = cluster.bucket("default")
        await bucket.on_connect()
        after = [b.name for b in await cluster.buckets().get_all_buckets()]
        try:
            await mgr.get_bucket(unique("missing-"))
        except BucketDoesNotExistException as exc:
            missing = type(exc).__name__
        await cluster.close()
        return [before, after, missing]

    before, after, missing = loop_thread.run(run)
    assert "default" in before and before == after
    assert missing == "BucketDoesNotExistException"


def test_twisted_cluster_managers(mock_cluster: Any, reactor: Any) -> None:
    from txcouchbase.cluster import TxCluster

    host, port = mock_cluster.mgmt_url.rsplit("/", 1)[1].split(":")
    cluster = reactor(TxCluster, f"couchbase://{host}:{port}=http", _options())
    reactor(cluster.on_connect)
    mgr = reactor(cluster.buckets)
    assert "default" in [b.name for b in reactor(mgr.get_all_buckets)]  # no bucket open
    failure = reactor.failure(mgr.get_bucket, unique("missing-"))
    assert failure.check(BucketDoesNotExistException)
    with_bucket = reactor(TxCluster, mock_cluster.connstr, _options())
    reactor(with_bucket.bucket, "default")
    assert reactor(reactor(with_bucket.users).get_roles)
    reactor(with_bucket.close)
