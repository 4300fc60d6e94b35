"""4.x names that 3.x/4.x applications import or call, and what they do (the Python SDK
API reference: Cluster, Bucket, Scope, Collection, Options, Results, Subdocument,
Authentication, Exceptions): the 3.x-era ``couchbase.cluster`` imports, the
documented parameter names, ``default_name()``, ``set_authenticator``, configuration
profiles, ``AuthDomain``, query and analytics warnings and statuses, the sub-document
enums, ``ViewQuery``/``ViewRequest``, ``CouchbaseErrorCategory``.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, Iterator

import pytest

from cluster4x import cluster_class, options  # tests/, shared
from couchbase.auth import AuthDomain, ClassicAuthenticator, PasswordAuthenticator
from couchbase.exceptions import (
    AuthenticationException,
    CouchbaseErrorCategory,
    InvalidArgumentException,
)
from couchbase.options import (
    ClusterOptions,
    ClusterTimeoutOptions,
    ConfigProfile,
    ConfigProfiles,
    KnownConfigProfiles,
    WanDevelopmentProfile,
)

# -- couchbase.cluster as the 3.x-era import home -----------------------------------------


def test_cluster_module_reexports_what_3x_code_imports_from_it() -> None:
    import couchbase.cluster as c
    import couchbase.management.buckets as mb
    import couchbase.management.queries as mq
    import couchbase.management.search as ms
    import couchbase.management.users as mu
    import couchbase.n1ql as n1ql
    import couchbase.options as o
    import couchbase.result as r

    same = {
        "QueryOptions": o, "ClusterTimeoutOptions": o, "ClusterTracingOptions": o,
        "DiagnosticsOptions": o, "Compression": o, "ClusterOptions": o,
        "PingResult": r, "DiagnosticsResult": r, "ClusterInfoResult": r, "QueryResult": r,
        "SearchResult": r, "AnalyticsResult": r, "QueryProfile": n1ql,
        "QueryScanConsistency": n1ql, "BucketManager": mb, "QueryIndexManager": mq,
        "SearchIndexManager": ms, "UserManager": mu,
    }
    for name, home in same.items():
        assert getattr(c, name) is getattr(home, name), name


def test_3x_style_query_through_names_from_couchbase_cluster(mock_cluster: Any) -> None:
    from couchbase.cluster import (
        Cluster,
        ClusterOptions,
        ClusterTimeoutOptions,
        PasswordAuthenticator,
        QueryOptions,
        QueryResult,
        QueryScanConsistency,
    )

    cluster = Cluster(mock_cluster.connstr, ClusterOptions(
        PasswordAuthenticator("Administrator", "password"),
        timeout_options=ClusterTimeoutOptions(kv_timeout=timedelta(seconds=5))))
    try:
        result = cluster.query("SELECT $x AS x", QueryOptions(
            named_parameters={"x": 7}, scan_consistency=QueryScanConsistency.REQUEST_PLUS))
        assert isinstance(result, QueryResult) and list(result.rows()) == [{"x": 7}]
    finally:
        cluster.close()


def test_result_module_reexports_mutation_token_and_scan_iterable() -> None:
    import couchbase._scan4x as scan
    import couchbase.mutation_state as ms
    from couchbase.result import MutationToken, ScanResultIterable

    assert MutationToken is ms.MutationToken
    assert ScanResultIterable is scan.ScanResultIterable


# -- parameter names and default names ----------------------------------------------------
@pytest.fixture
def cluster(cluster_front_end: str, mock_cluster: Any) -> Iterator[Any]:
    made = cluster_class(cluster_front_end)(mock_cluster.connstr, options())
    yield made
    made.close()


def test_documented_keyword_names(cluster: Any) -> None:
    from couchbase.mutation_state import MutationState

    bucket = cluster.bucket(bucket_name="default")
    assert bucket.name == "default"
    coll = bucket.collection(collection_name="_default")
    key = f"kw-{uuid.uuid4().hex[:8]}"
    token = coll.upsert(key, {"a": 1}).mutation_token()
    state = MutationState()
    state.add_mutation_token(mut_token=token)
    assert list(state) == [token]


def test_default_names_are_static() -> None:
    from couchbase.collection import Collection
    from couchbase.scope import Scope

    assert Collection.default_name() == "_default" == Scope.default_name()


def test_default_names_name_the_default_scope_and_collection(cluster: Any) -> None:
    bucket = cluster.bucket("default")
    scope = bucket.scope(bucket.default_scope().default_name())
    coll = scope.collection(bucket.default_collection().default_name())
    assert (scope.name, coll.name) == ("_default", "_default")


# -- set_authenticator ----------------------------------------------------------------------
@pytest.fixture
def rbac_user(mock_cluster: Any) -> Iterator[tuple[str, Any]]:
    from couchbase.cluster import Cluster
    from couchbase.management.users import Role, User

    admin = Cluster(mock_cluster.connstr, options())
    name = f"u{uuid.uuid4().hex[:8]}"
    users = admin.users()
    users.upsert_user(User(username=name, password="first-pass", roles={Role("admin")}))
    yield name, users
    users.drop_user(name)
    admin.close()


def test_set_authenticator_new_credentials_for_what_opens_after(
        cluster_front_end: str, mock_cluster: Any, rbac_user: tuple[str, Any]) -> None:
    from couchbase.management.users import Role, User

    name, users = rbac_user
    cluster = cluster_class(cluster_front_end)(mock_cluster.connstr, ClusterOptions(
        PasswordAuthenticator(name, "first-pass")))
    try:
        coll = cluster.bucket("default").default_collection()
        key = f"auth-{uuid.uuid4().hex[:8]}"
        coll.upsert(key, 1)
        # the server changes the password: HTTP requests with the old one are refused
        users.upsert_user(User(username=name, password="second-pass", roles={Role("admin")}))
        with pytest.raises(AuthenticationException):
            list(cluster.query("SELECT 1 AS one").rows())
        cluster.set_authenticator(PasswordAuthenticator(name, "second-pass"))
        assert list(cluster.query("SELECT 1 AS one").rows()) == [{"one": 1}]
        assert cluster.cluster_info().server_version
        # the key-value connection already authenticated keeps working
        assert coll.get(key).content_as[int] == 1
        # a bucket (re)opened after authenticates with the new password
        cluster.bucket("default").close()
        reopened = cluster.bucket("default").default_collection()
        assert reopened.get(key).content_as[int] == 1
    finally:
        cluster.close()


def test_set_authenticator_refuses_another_type_and_a_closed_cluster(cluster: Any) -> None:
    with pytest.raises(InvalidArgumentException):
        cluster.set_authenticator(ClassicAuthenticator("Administrator", "password"))
    cluster.set_authenticator(PasswordAuthenticator("Administrator", "password"))
    assert list(cluster.query("SELECT 2 AS two").rows()) == [{"two": 2}]
    cluster.close()
    with pytest.raises(RuntimeError):
        cluster.set_authenticator(PasswordAuthenticator("Administrator", "password"))


# -- configuration profiles -------------------------------------------------------------------
WAN = {"connect_timeout": 20.0, "kv_timeout": 20.0, "kv_durable_timeout": 20.0,
       "views_timeout": 120.0, "query_timeout": 120.0, "analytics_timeout": 120.0,
       "search_timeout": 120.0, "management_timeout": 120.0}


@pytest.mark.parametrize("profile", [KnownConfigProfiles.WanDevelopment, "wan_development"])
def test_wan_development_profile_sets_the_documented_timeouts(profile: Any) -> None:
    opts = ClusterOptions(PasswordAuthenticator("u", "p"), ClusterTimeoutOptions(
        kv_timeout=timedelta(seconds=1), dns_srv_timeout=timedelta(seconds=3)))
    opts.apply_profile(profile)
    assert dict(opts.timeout_options) == {**WAN, "dns_srv_timeout": 3.0}
    assert opts["timeout_options"] is opts.timeout_options


def test_a_cluster_uses_the_profile_timeouts(cluster_front_end: str, mock_cluster: Any) -> None:
    opts = ClusterOptions(PasswordAuthenticator("Administrator", "password"))
    opts.apply_profile(KnownConfigProfiles.WanDevelopment)
    cluster = cluster_class(cluster_front_end)(mock_cluster.connstr, opts)
    try:
        bucket = cluster.bucket("default")
        assert bucket.timeout == 20.0
        assert bucket.n1ql_timeout == 120.0 or cluster._conn.n1ql_timeout == 120.0
    finally:
        cluster.close()


def test_profiles_register_unregister_and_unknown_names() -> None:
    from couchbase._config_profiles import CONFIG_PROFILES

    class Fast(ConfigProfile):
        def apply(self, options: Any) -> None:
            options.timeout_options = ClusterTimeoutOptions(kv_timeout=timedelta(seconds=0.5))

    opts = ClusterOptions(PasswordAuthenticator("u", "p"))
    with pytest.raises(InvalidArgumentException):
        opts.apply_profile("no_such_profile")
    CONFIG_PROFILES.register_profile("fast", Fast())
    try:
        opts.apply_profile("fast")
        assert opts.timeout_options.kv_timeout == 0.5
    finally:
        assert isinstance(CONFIG_PROFILES.unregister_profile("fast"), Fast)
    assert CONFIG_PROFILES.unregister_profile("fast") is None
    with pytest.raises(InvalidArgumentException):
        ConfigProfiles().register_profile("bad", object())  # type: ignore[arg-type]
    registry = ConfigProfiles()
    registry.apply_profile("wan_development", opts)
    assert opts.timeout_options.kv_timeout == 20.0
    assert isinstance(WanDevelopmentProfile(), ConfigProfile)


# -- AuthDomain --------------------------------------------------------------------------------
def test_auth_domain_is_the_4x_int_enum() -> None:
    from couchbase.auth_domain import AuthDomain as AuthDomain2x

    assert AuthDomain is AuthDomain2x
    assert [(d.name, int(d)) for d in AuthDomain] == [("Local", 0), ("External", 1)]
    assert AuthDomain.to_str(AuthDomain.External) == "external"
    assert AuthDomain.from_str("local") is AuthDomain.Local
    assert AuthDomain.Local == 0 and AuthDomain.Local == "local" and AuthDomain.Local != "x"


def test_user_and_metadata_domain_is_an_auth_domain(rbac_user: tuple[str, Any]) -> None:
    name, users = rbac_user
    got = users.get_user(name)
    assert got.domain is AuthDomain.Local and got.domain == "local"
    assert any(u.domain is AuthDomain.Local for u in users.get_all_users())


# -- query and analytics metadata -------------------------------------------------------------
def test_query_status_and_warnings_as_4x_types_and_as_their_json() -> None:
    from couchbase.n1ql import QueryMetaData, QueryStatus, QueryWarning

    meta = QueryMetaData({"status": "success", "warnings": [
        {"code": 4100, "msg": "No primary index"}]})
    assert meta.status() is QueryStatus.SUCCESS and meta.status() == "success"
    [warning] = meta.warnings()
    assert isinstance(warning, QueryWarning)
    assert (warning.code(), warning.message()) == (4100, "No primary index")
    assert warning == {"code": 4100, "msg": "No primary index"} and warning["code"] == 4100
    assert QueryMetaData({}).warnings() == []


def test_analytics_warnings() -> None:
    from couchbase.analytics import AnalyticsMetaData, AnalyticsWarning

    [warning] = AnalyticsMetaData({"warnings": [{"code": 1, "msg": "careful"}]}).warnings()
    assert isinstance(warning, AnalyticsWarning)
    assert (warning.code(), warning.message()) == (1, "careful") and warning["msg"] == "careful"


def test_query_status_of_a_real_response(cluster: Any) -> None:
    from couchbase.n1ql import QueryStatus

    result = cluster.query("SELECT 1 AS one")
    list(result.rows())
    assert result.metadata().status() is QueryStatus.SUCCESS
    assert result.metadata().warnings() == []


# -- sub-document enums --------------------------------------------------------------------------
def test_subdocument_enums_describe_our_specs() -> None:
    import couchbase.subdocument as SD
    from couchbase._core.status import Status
    from couchbase.options import MutateInOptions

    assert SD.MutateInOptions is MutateInOptions
    assert SD.get("a")[0] == SD.SubDocOp.GET and SD.exists("a")[0] == SD.SubDocOp.EXISTS
    assert SD.upsert("a", 1)[0] == SD.SubDocOp.DICT_UPSERT
    assert SD.get_full()[0] == SD.SubDocOp.GET_DOC
    assert SD.count("a")[0] == SD.SubDocOp.GET_COUNT
    assert SD.array_append("a", 1)[0] == SD.SubDocOp.ARRAY_PUSH_LAST
    spec = SD.upsert("a.b", 1, create_parents=True, xattr=True)
    assert spec[2] == SD.PathFlags.CREATE_PARENTS | SD.PathFlags.XATTR
    values = SD.array_append("list", 1, 2)[3]
    assert isinstance(values, SD.ArrayValues) and tuple(values) == (1, 2)
    assert SD.SubDocStatus.PathNotFound == Status.SUBDOC_PATH_ENOENT
    assert SD.SubDocStatus.PathExists == Status.SUBDOC_PATH_EEXISTS
    assert SD.SubDocStatus.ValueTooDeep == Status.SUBDOC_VALUE_ETOODEEP


# -- views ---------------------------------------------------------------------------------------
def test_view_query_converts_4x_options() -> None:
    from couchbase.options import ViewOptions
    from couchbase.views import ViewOrdering, ViewQuery, ViewScanConsistency

    q = ViewQuery("default", "dd", "by_name", ViewOptions(
        limit=2, scan_consistency=ViewScanConsistency.REQUEST_PLUS), skip=1,
        order=ViewOrdering.DESCENDING)
    assert (q.bucket_name, q.design_doc_name, q.view_name) == ("default", "dd", "by_name")
    assert dict(p.split("=") for p in q.encoded.split("&")) == {
        "limit": "2", "skip": "1", "stale": "false", "descending": "true"}


def test_view_request_runs_a_view_query(mock_cluster: Any) -> None:
    pytest.importorskip("py_mini_racer")  # the local cluster's views engine (no PyPy wheel)
    from couchbase.bucket import Bucket
    from couchbase.views import ViewQuery, ViewRequest

    bucket = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                    password="password")
    try:
        ddoc = f"dd{uuid.uuid4().hex[:6]}"
        bucket.design_create(ddoc, {"views": {"all": {
            "map": "function (doc, meta) { if (doc.t === 'vq') emit(meta.id, doc.n); }"}}},
            use_devmode=False, syncwait=5)
        for n in range(3):
            bucket.upsert(f"{ddoc}-{n}", {"t": "vq", "n": n})
        query = ViewQuery("default", ddoc, "all", limit=2, scan_consistency="false")
        rows = list(ViewRequest(bucket, ddoc, "all", query=query))
        assert [row.value for row in rows] == [0, 1]
    finally:
        bucket.close()


# -- error categories ----------------------------------------------------------------------------
def test_error_categories_are_the_official_members() -> None:
    assert {c.name: c.value for c in CouchbaseErrorCategory} == {
        "common": "couchbase.common", "key_value": "couchbase.key_value",
        "query": "couchbase.query", "search": "couchbase.search", "view": "couchbase.view",
        "analytics": "couchbase.analytics", "management": "couchbase.management",
        "network": "couchbase.network", "other": "other"}
