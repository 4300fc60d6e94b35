"""N1QL's user, group, role and bucket statements through the local cluster's query
service: CREATE/ALTER/DROP USER and GROUP, GRANT, REVOKE, CREATE/ALTER/DROP BUCKET.

Each acts on the state the management REST API serves (/settings/rbac/users,
/settings/rbac/groups, /pools/default/buckets), so what a statement made is there
at once: a user logs in, a bucket takes documents. The examples are those of the
SQL++ language reference pages named in each test (n1ql-language-reference/...).
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator
from urllib.parse import urlencode

import pytest
from mock_http import basic_auth, fetch
from test_query_service import q

from couchbase_mock import MockCluster
from couchbase_mock.n1ql import MemoryDatastore, QueryEngine
from couchbase_mock.n1ql.errors import N1QLError

_n = itertools.count()


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    """A cluster of its own (these tests make users and buckets), with the
    travel-sample keyspaces the reference's examples name."""
    with MockCluster(nodes=2, replicas=1, buckets={"default": {}, "travel-sample": {}}) as m:
        ok(m, "CREATE SCOPE `travel-sample`.inventory")
        for coll in ("airline", "landmark", "airport", "hotel"):
            ok(m, f"CREATE COLLECTION `travel-sample`.inventory.{coll}")
        yield m


def ok(m: MockCluster, statement: str, **kw: Any) -> Any:
    ans = q(m, statement, **kw)
    assert ans.doc["status"] == "success", ans.doc
    return ans.doc


def fails(m: MockCluster, statement: str, **kw: Any) -> tuple[int, str]:
    ans = q(m, statement, **kw)
    assert ans.doc["status"] != "success", ans.doc
    return ans.error


def user_doc(m: MockCluster, name: str) -> Any:
    status, doc = fetch(m, f"/settings/rbac/users/local/{name}")
    return doc if status == 200 else None


def group_doc(m: MockCluster, name: str) -> Any:
    status, doc = fetch(m, f"/settings/rbac/groups/{name}")
    return doc if status == 200 else None


def roles_of(doc: Any) -> set[str]:
    out = set()
    for r in doc["roles"]:
        params = [r[k] for k in ("bucket_name", "scope_name", "collection_name") if k in r]
        while params and params[-1] == "*":
            params.pop()
        out.add(r["role"] + (f"[{':'.join(params)}]" if params else ""))
    return out


def as_user(m: MockCluster, name: str, password: str, statement: str) -> Any:
    return q(m, statement, headers=basic_auth(name, password))


def fresh(prefix: str) -> str:
    return f"{prefix}{next(_n)}"


@pytest.fixture
def group(mock: MockCluster) -> Iterator[str]:
    name = fresh("g")
    ok(mock, f"CREATE GROUP {name} NO ROLES")
    yield name
    ok(mock, f"DROP GROUP IF EXISTS {name}")


# -- CREATE USER (createuser.adoc) --------------------------------------------------------


def test_create_user_with_full_name_logs_in_at_once(mock):
    """createuser.adoc, Examples: "Create a user and specify their full name and password"."""
    ok(mock, 'CREATE USER Hilary PASSWORD "password123" WITH "Hilary Smith"')
    try:
        doc = user_doc(mock, "Hilary")
        assert (doc["id"], doc["domain"], doc["name"]) == ("Hilary", "local", "Hilary Smith")
        assert doc["groups"] == [] and doc["roles"] == []
        assert as_user(mock, "Hilary", "password123", "SELECT RAW 1").results == [1]
        assert as_user(mock, "Hilary", "wrong-password", "SELECT RAW 1").status == 401
        # the query service's own catalogue sees it too (n1ql-intro/sysinfo)
        assert ok(mock, "SELECT RAW name FROM system:user_info WHERE id = 'Hilary'")[
            "results"] == ["Hilary Smith"]
    finally:
        ok(mock, "DROP USER Hilary")


def test_create_user_in_one_group_and_in_several(mock):
    """createuser.adoc, Examples: a single group (GROUP), multiple groups (GROUPS);
    the user has its groups' roles (creategroup.adoc, Purpose)."""
    names = ["agents", "tourguides", "support"]
    for name in names:
        ok(mock, f"CREATE GROUP {name} ROLE data_reader ON `default`")
    try:
        ok(mock, 'CREATE USER Alice PASSWORD "password123" GROUP agents')
        ok(mock, 'CREATE USER Bob PASSWORD "P@ssw0rd" GROUPS agents, tourguides, support')
        assert user_doc(mock, "Alice")["groups"] == ["agents"]
        assert user_doc(mock, "Bob")["groups"] == names
        assert roles_of(user_doc(mock, "Alice")) == {"data_reader[default]"}
        # the group's role lets Alice read the bucket through the SDK's KV path too
        assert as_user(mock, "Alice", "password123",
                       "SELECT RAW COUNT(*) FROM `default` USE KEYS 'x'").results == [0]
    finally:
        ok(mock, "DROP USER IF EXISTS Alice")
        ok(mock, "DROP USER IF EXISTS Bob")
        for name in names:
            ok(mock, f"DROP GROUP {name}")


def test_create_user_no_groups_and_if_not_exists(mock):
    """createuser.adoc, Examples: NO GROUPS; IF NOT EXISTS Clause: an existing user
    is an error without it, nothing with it."""
    ok(mock, 'CREATE USER Charlie PASSWORD "securePass" NO GROUPS')
    ok(mock, 'CREATE USER IF NOT EXISTS David PASSWORD "davidPass" WITH "David Trantow"')
    try:
        assert user_doc(mock, "Charlie")["groups"] == []
        ok(mock, 'CREATE USER IF NOT EXISTS David PASSWORD "otherPass" WITH "Someone"')
        assert user_doc(mock, "David")["name"] == "David Trantow"
        assert as_user(mock, "David", "davidPass", "SELECT RAW 1").results == [1]
        assert fails(mock, 'CREATE USER David PASSWORD "otherPass"') == (
            5212, "User David already exists.")
    finally:
        ok(mock, "DROP USER Charlie")
        ok(mock, "DROP USER David")


def test_create_user_refusals(mock):
    """createuser.adoc, Syntax: the password "must be at least 6 characters long" (the
    REST API's message); a group that does not exist; PASSWORD is required."""
    code, msg = fails(mock, 'CREATE USER shorty PASSWORD "12345"')
    assert code == 5218 and "at least 6 characters" in msg
    assert fails(mock, 'CREATE USER nogroup PASSWORD "password1" GROUP nosuch') == (
        5214, "Unable to find group nosuch.")
    assert fails(mock, "CREATE USER nopass")[0] == 3000
    assert fails(mock, 'CREATE USER twice PASSWORD "password1" PASSWORD "password2"')[0] == 3000
    assert user_doc(mock, "shorty") is None and user_doc(mock, "nogroup") is None


# -- ALTER USER / DROP USER (alteruser.adoc, dropuser.adoc) ------------------------------


def test_alter_user_password_name_and_groups(mock, group):
    """alteruser.adoc, Examples: change password and full name; assign a new group
    (replacing the old ones, CAUTION); remove a user from existing groups."""
    other = fresh("g")
    ok(mock, f"CREATE GROUP {other} NO ROLES")
    ok(mock, f'CREATE USER Hilary PASSWORD "password123" WITH "Hilary Smith" GROUP {group}')
    try:
        ok(mock, 'ALTER USER Hilary PASSWORD "newpassword" WITH "Hilary Chloe"')
        doc = user_doc(mock, "Hilary")
        assert doc["name"] == "Hilary Chloe" and doc["groups"] == [group]
        assert as_user(mock, "Hilary", "newpassword", "SELECT RAW 1").results == [1]
        assert as_user(mock, "Hilary", "password123", "SELECT RAW 1").status == 401
        ok(mock, "GRANT replication_admin TO Hilary")
        ok(mock, f"ALTER USER Hilary GROUP {other}")
        assert roles_of(user_doc(mock, "Hilary")) == {"replication_admin"}  # roles kept
        assert user_doc(mock, "Hilary")["groups"] == [other]
        ok(mock, "ALTER USER Hilary NO GROUPS")
        doc = user_doc(mock, "Hilary")
        assert doc["groups"] == [] and doc["name"] == "Hilary Chloe"
        assert as_user(mock, "Hilary", "newpassword", "SELECT RAW 1").results == [1]
        code, msg = fails(mock, 'ALTER USER Hilary PASSWORD "abc"')
        assert code == 5218 and "at least 6 characters" in msg
    finally:
        ok(mock, "DROP USER Hilary")
        ok(mock, f"DROP GROUP {other}")


def test_alter_and_drop_a_missing_user(mock):
    """dropuser.adoc, IF EXISTS Clause: without it a missing user is an error."""
    assert fails(mock, 'ALTER USER nobody PASSWORD "password1"') == (
        5210, "Unable to find user nobody.")
    assert fails(mock, "DROP USER nobody") == (5210, "Unable to find user nobody.")
    ok(mock, "DROP USER IF EXISTS nobody")


def test_drop_user_removes_it(mock):
    """dropuser.adoc, Examples: "Delete a user named Bob"; it no longer logs in."""
    ok(mock, 'CREATE USER Bob PASSWORD "P@ssw0rd"')
    ok(mock, "DROP USER Bob")
    assert user_doc(mock, "Bob") is None
    assert as_user(mock, "Bob", "P@ssw0rd", "SELECT RAW 1").status == 401


# -- groups (creategroup.adoc, altergroup.adoc, dropgroup.adoc) ---------------------------


def test_create_group_examples(mock):
    """creategroup.adoc, Examples: one role; a description and several roles (the
    short form ``select``); IF NOT EXISTS."""
    ok(mock, "CREATE GROUP sales ROLE query_select ON `travel-sample`.`inventory`.`airline`")
    ok(mock, 'CREATE GROUP travelagents WITH "Sample travel agents group" '
             "ROLES data_reader ON `travel-sample`.`inventory`.`airline`, "
             "select ON `travel-sample`.`inventory`.`landmark`")
    ok(mock, "CREATE GROUP IF NOT EXISTS support ROLE query_update "
             "ON `travel-sample`.`inventory`.`airport`")
    try:
        assert roles_of(group_doc(mock, "sales")) == {
            "query_select[travel-sample:inventory:airline]"}
        doc = group_doc(mock, "travelagents")
        assert doc["description"] == "Sample travel agents group"
        assert roles_of(doc) == {"data_reader[travel-sample:inventory:airline]",
                                 "query_select[travel-sample:inventory:landmark]"}
        ok(mock, "CREATE GROUP IF NOT EXISTS support NO ROLES")
        assert roles_of(group_doc(mock, "support")) == {
            "query_update[travel-sample:inventory:airport]"}
        assert fails(mock, "CREATE GROUP support NO ROLES") == (
            5216, "Group support already exists.")
        assert fails(mock, "CREATE GROUP noroles")[0] == 3000  # ROLE/ROLES/NO ROLES required
    finally:
        for name in ("sales", "travelagents", "support"):
            ok(mock, f"DROP GROUP {name}")


def test_alter_group_examples(mock):
    """altergroup.adoc, Examples: update the description; replace the roles (CAUTION:
    the new list replaces the old); remove all roles, with WITH after NO ROLES."""
    ok(mock, "CREATE GROUP support ROLE query_update ON `travel-sample`.`inventory`.`airport`")
    ok(mock, 'CREATE USER member PASSWORD "password1" GROUP support')
    try:
        ok(mock, 'ALTER GROUP support WITH "Support team for customer queries"')
        doc = group_doc(mock, "support")
        assert doc["description"] == "Support team for customer queries"
        assert roles_of(doc) == {"query_update[travel-sample:inventory:airport]"}
        ok(mock, "ALTER GROUP support ROLES "
                 "query_select ON `travel-sample`.`inventory`.`airline`, "
                 "query_insert ON `travel-sample`.`inventory`.`airline`")
        expected = {"query_select[travel-sample:inventory:airline]",
                    "query_insert[travel-sample:inventory:airline]"}
        assert roles_of(group_doc(mock, "support")) == expected
        assert roles_of(user_doc(mock, "member")) == expected  # members inherit at once
        ok(mock, 'ALTER GROUP support NO ROLES WITH "Currently unused group"')
        doc = group_doc(mock, "support")
        assert doc["roles"] == [] and doc["description"] == "Currently unused group"
        assert fails(mock, "ALTER GROUP nosuch NO ROLES") == (
            5214, "Unable to find group nosuch.")
    finally:
        ok(mock, "DROP USER member")
        ok(mock, "DROP GROUP support")


def test_drop_group_examples(mock):
    """dropgroup.adoc, Examples and IF EXISTS Clause; its users lose its roles."""
    ok(mock, "CREATE GROUP sales ROLE data_reader ON `default`")
    ok(mock, 'CREATE USER seller PASSWORD "password1" GROUP sales')
    try:
        ok(mock, "DROP GROUP sales")
        assert group_doc(mock, "sales") is None
        doc = user_doc(mock, "seller")
        assert doc["groups"] == [] and doc["roles"] == []
        ok(mock, "DROP GROUP IF EXISTS support")
        assert fails(mock, "DROP GROUP sales") == (5214, "Unable to find group sales.")
    finally:
        ok(mock, "DROP USER seller")


# -- GRANT and REVOKE (grant.adoc, revoke.adoc) -------------------------------------------


@pytest.fixture
def people(mock: MockCluster) -> Iterator[list[str]]:
    names = ["david", "michael", "robin", "debby"]
    for name in names:
        ok(mock, f'CREATE USER {name} PASSWORD "password1"')
    yield names
    for name in names:
        ok(mock, f"DROP USER IF EXISTS {name}")


def test_grant_and_revoke_cluster_admin(mock, people):
    """grant.adoc, Examples: "Grant the role of Cluster Admin to multiple users";
    revoke.adoc, Examples: "Revoke the Cluster Admin role from multiple users"."""
    ok(mock, "GRANT cluster_admin TO david, michael, robin")
    for name in ("david", "michael", "robin"):
        assert roles_of(user_doc(mock, name)) == {"cluster_admin"}
    status, _ = fetch(mock, "/pools/default/buckets", headers=basic_auth("david", "password1"),
                      method="POST", body=urlencode({"name": "by-david", "ramQuota": "100"}))
    assert status == 202  # the granted role acts on the REST API at once
    fetch(mock, "/pools/default/buckets/by-david", method="DELETE")
    doc = ok(mock, "REVOKE cluster_admin FROM david, michael, robin")
    assert {w["code"] for w in doc.get("warnings", [])} == {5280}  # left with no roles
    for name in ("david", "michael", "robin"):
        assert user_doc(mock, name)["roles"] == []


def test_grant_on_a_keyspace_and_to_a_group(mock, people, group):
    """grant.adoc, Examples: Query Select and Data Reader on a keyspace to a user
    (the bucket's default collection); Data Reader on a collection to a group (TO
    GROUP). revoke.adoc: REVOKE ... ON `travel-sample` FROM a user, FROM GROUP."""
    ok(mock, "GRANT query_select, data_reader ON `travel-sample`.`_default`.`_default` "
             "TO debby")
    assert roles_of(user_doc(mock, "debby")) == {
        "query_select[travel-sample:_default:_default]",
        "data_reader[travel-sample:_default:_default]"}
    ok(mock, f"GRANT data_reader ON `travel-sample`.`inventory`.`hotel` TO GROUP {group}")
    assert roles_of(group_doc(mock, group)) == {"data_reader[travel-sample:inventory:hotel]"}
    ok(mock, "GRANT query_select, data_reader ON `travel-sample` TO USER debby")
    ok(mock, "REVOKE query_select, data_reader ON `travel-sample` FROM debby")
    assert roles_of(user_doc(mock, "debby")) == {
        "query_select[travel-sample:_default:_default]",
        "data_reader[travel-sample:_default:_default]"}
    ok(mock, f"GRANT query_update ON `travel-sample` TO GROUPS {group}")
    ok(mock, f"REVOKE query_update ON `travel-sample` FROM GROUP {group}")
    assert roles_of(group_doc(mock, group)) == {"data_reader[travel-sample:inventory:hotel]"}


def test_grant_lets_the_user_query(mock, people):
    """grant.adoc, Usage "Parameterized Roles": the role applies at once; the short
    form ``select`` is query_select."""
    ok(mock, "UPSERT INTO `default` (KEY, VALUE) VALUES ('g1', {'a': 1})")
    statement = "SELECT RAW a FROM `default` USE KEYS 'g1'"
    assert as_user(mock, "debby", "password1", statement).error[0] == 13014
    ok(mock, "GRANT select ON `default` TO debby")
    assert as_user(mock, "debby", "password1", statement).results == [1]
    assert roles_of(user_doc(mock, "debby")) == {"query_select[default]"}


def test_grant_twice_and_revoke_unheld_warn(mock, people):
    """The query service warns, and changes nothing, for a role already held (5260)
    or not held (5270)."""
    ok(mock, "GRANT replication_admin, query_external_access TO robin")  # grant.adoc, Usage
    doc = ok(mock, "GRANT replication_admin TO robin")
    assert doc["warnings"] == [{"code": 5260,
                                "msg": "User robin already has role replication_admin."}]
    doc = ok(mock, "REVOKE data_reader ON `default` FROM robin")
    assert doc["warnings"] == [{"code": 5270,
                                "msg": "User robin did not have role data_reader(default)."}]
    assert roles_of(user_doc(mock, "robin")) == {"replication_admin", "query_external_access"}


@pytest.mark.parametrize("statement, code, msg", [
    ("GRANT nosuch_role TO debby", 5250, "Role nosuch_role is not valid."),
    ("GRANT data_reader TO debby", 5220, "Role data_reader requires a keyspace."),
    # grant.adoc, Usage: mixing parameterized and unparameterized roles is an error
    ("GRANT cluster_admin, data_reader ON `default` TO debby", 5230,
     "Role cluster_admin does not take a keyspace."),
    ("GRANT data_reader ON nobucket TO debby", 5240, "Bucket nobucket is not valid."),
    ("GRANT query_select ON `travel-sample`.nosuch.airline TO debby", 5240,
     "Scope travel-sample.nosuch is not valid."),
    ("GRANT query_select ON `travel-sample`.inventory.nosuch TO debby", 5240,
     "Keyspace default:`travel-sample`.inventory.nosuch is not valid."),
    ("GRANT cluster_admin TO nobody", 5210, "Unable to find user nobody."),
    ("REVOKE cluster_admin FROM nobody", 5210, "Unable to find user nobody."),
    ("GRANT cluster_admin TO GROUP nogroup", 5214, "Unable to find group nogroup."),
])
def test_grant_refusals(mock, people, statement, code, msg):
    assert fails(mock, statement) == (code, msg)
    assert user_doc(mock, "debby")["roles"] == []


def test_a_bucket_role_takes_a_whole_bucket(mock, people):
    """grant.adoc: a bucket-wide role is given on ``bucket._default._default``; on
    another collection it is an error."""
    ok(mock, "GRANT bucket_admin ON `travel-sample`.`_default`.`_default` TO debby")
    assert roles_of(user_doc(mock, "debby")) == {"bucket_admin[travel-sample]"}
    code, msg = fails(mock, "GRANT bucket_admin ON `travel-sample`.inventory.airline TO debby")
    assert code == 5240 and "whole bucket" in msg
    assert fails(mock, "GRANT data_reader ON `default`.`_default` TO debby")[0] == 3000


# -- who may (RBAC Privileges of each page) -----------------------------------------------


def test_only_admins_and_security_admins_manage_users(mock, people):
    """createuser.adoc / dropgroup.adoc, RBAC Privileges: Full Admin or Security
    Admin; anyone else gets 13014 and nothing changes."""
    ok(mock, "GRANT data_reader ON `default` TO michael")
    for statement in ('CREATE USER eve PASSWORD "password1"', "DROP USER robin",
                      "GRANT admin TO michael", "CREATE GROUP evil NO ROLES"):
        code, msg = as_user(mock, "michael", "password1", statement).error
        assert code == 13014 and "security_admin_local" in msg, msg
    assert user_doc(mock, "eve") is None and user_doc(mock, "robin") is not None
    ok(mock, "GRANT security_admin_local TO david")
    assert as_user(mock, "david", "password1",
                   'CREATE USER eve PASSWORD "password1"').results == []
    assert as_user(mock, "david", "password1", "DROP USER eve").results == []


def test_bucket_statements_need_cluster_admin(mock, people):
    """createbucket.adoc / dropbucket.adoc, RBAC Privileges: Full Admin or Cluster
    Admin (and, for ALTER, the bucket's Bucket Admin, as for the REST API)."""
    ok(mock, "GRANT data_reader ON `default` TO michael")
    code, msg = as_user(mock, "michael", "password1", "CREATE BUCKET nope").error
    assert code == 13014 and "cluster_admin" in msg
    assert as_user(mock, "michael", "password1", "DROP BUCKET `default`").error[0] == 13014
    assert "nope" not in mock.cluster.buckets and "default" in mock.cluster.buckets
    ok(mock, "GRANT bucket_admin ON `default` TO robin")
    assert as_user(mock, "robin", "password1",
                   'ALTER BUCKET `default` WITH {"maxTTL": 0}').results == []
    ok(mock, "GRANT cluster_admin TO david")
    assert as_user(mock, "david", "password1", "CREATE BUCKET `by-david`").results == []
    assert as_user(mock, "david", "password1", "DROP BUCKET `by-david`").results == []


# -- buckets (createbucket.adoc, alterbucket.adoc, dropbucket.adoc) -----------------------


def bucket_doc(m: MockCluster, name: str) -> Any:
    status, doc = fetch(m, f"/pools/default/buckets/{name}")
    return doc if status == 200 else None


def test_create_bucket_with_defaults_is_usable_at_once(mock):
    """createbucket.adoc, Examples: "Create a bucket named student-records with
    default settings" (ramQuota 100 MiB, WITH Clause note), with its _default scope
    and collection (Purpose); documents go in and come out at once."""
    ok(mock, "CREATE BUCKET `student-records`")
    try:
        doc = bucket_doc(mock, "student-records")
        assert doc["quota"]["rawRAM"] == 100 * 1024 * 1024
        ok(mock, "UPSERT INTO `student-records` (KEY, VALUE) VALUES ('s1', {'name': 'Ann'})")
        assert ok(mock, "SELECT RAW name FROM `student-records` USE KEYS 's1'")["results"] == [
            "Ann"]
        ok(mock, "CREATE PRIMARY INDEX ON `student-records`")
        assert ok(mock, "SELECT RAW COUNT(*) FROM `student-records`")["results"] == [1]
        code, msg = fails(mock, "CREATE BUCKET `student-records`")
        assert code == 5218 and "already exists" in msg
        ok(mock, "CREATE BUCKET IF NOT EXISTS `student-records`")  # IF NOT EXISTS Clause
    finally:
        ok(mock, "DROP BUCKET IF EXISTS `student-records`")


def test_create_bucket_through_the_sdk(mock):
    """A bucket made by N1QL opens in the SDK and stores a document at once."""
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    ok(mock, "CREATE DATABASE `sdk-made`")  # DATABASE is a synonym of BUCKET
    cluster = Cluster(mock.connstr,
                      ClusterOptions(PasswordAuthenticator("Administrator", "password")))
    try:
        coll = cluster.bucket("sdk-made").default_collection()
        coll.upsert("k", {"v": 1})
        assert coll.get("k").content_as[dict] == {"v": 1}
    finally:
        cluster.close()
        ok(mock, "DROP DATABASE `sdk-made`")


def test_create_bucket_with_custom_settings(mock):
    """createbucket.adoc, Examples: "custom-bucket" with ramQuota, bucketType and
    storageBackend magma. This cluster answers as Server 7.6, whose magma buckets
    need 1024 MiB: the example's 512 is refused with the REST API's message."""
    code, msg = fails(mock, 'CREATE BUCKET `custom-bucket` WITH {"ramQuota": 512, '
                            '"bucketType": "couchbase", "storageBackend": "magma"}')
    assert code == 5218 and "magma" in msg
    ok(mock, 'CREATE BUCKET `custom-bucket` WITH {"ramQuota": 1024, '
             '"bucketType": "couchbase", "storageBackend": "magma"}')
    try:
        doc = bucket_doc(mock, "custom-bucket")
        assert doc["storageBackend"] == "magma"
        assert doc["quota"]["rawRAM"] == 1024 * 1024 * 1024
        ok(mock, "CREATE BUCKET IF NOT EXISTS `data-sample`")  # Examples: IF NOT EXISTS
        assert bucket_doc(mock, "data-sample") is not None
    finally:
        ok(mock, "DROP BUCKET IF EXISTS `custom-bucket`")
        ok(mock, "DROP BUCKET IF EXISTS `data-sample`")


def test_alter_bucket_example(mock):
    """alterbucket.adoc, Example: memory quota, maximum TTL and durability level;
    the fixed fields (NOTE) cannot be altered."""
    ok(mock, "CREATE BUCKET `student-records`")
    try:
        ok(mock, 'ALTER BUCKET `student-records` WITH {"ramQuota": 256, "maxTTL": 86400, '
                 '"durabilityMinLevel": "majority"}')
        doc = bucket_doc(mock, "student-records")
        assert doc["quota"]["rawRAM"] == 256 * 1024 * 1024
        assert (doc["maxTTL"], doc["durabilityMinLevel"]) == (86400, "majority")
        code, msg = fails(mock, 'ALTER BUCKET `student-records` WITH {"bucketType": '
                                '"ephemeral"}')
        assert code == 5218 and "bucketType" in msg
        code, msg = fails(mock, 'ALTER BUCKET `student-records` WITH {"ramQuota": 1}')
        assert code == 5218 and "RAM quota" in msg
        assert fails(mock, "ALTER BUCKET nosuch WITH {}")[0] == 12003
    finally:
        ok(mock, "DROP BUCKET `student-records`")


def test_drop_bucket_examples(mock):
    """dropbucket.adoc, Examples; IF EXISTS Clause: a missing bucket is 12003
    without it. Dropping deletes the data and the indexes (Purpose)."""
    ok(mock, "CREATE BUCKET `custom-bucket`")
    ok(mock, "CREATE PRIMARY INDEX ON `custom-bucket`")
    ok(mock, "DROP BUCKET IF EXISTS `custom-bucket`")
    assert bucket_doc(mock, "custom-bucket") is None
    assert fails(mock, "SELECT * FROM `custom-bucket`")[0] == 12003
    assert fails(mock, "DROP BUCKET `custom-bucket`")[0] == 12003
    ok(mock, "DROP BUCKET IF EXISTS `custom-bucket`")
    code, msg = fails(mock, "CREATE BUCKET `bad/name`")
    assert code == 5218


# -- without the cluster ------------------------------------------------------------------


@pytest.mark.parametrize("statement", [
    'CREATE USER a PASSWORD "password1"', "DROP GROUP g", "GRANT admin TO a",
    "CREATE BUCKET b", "DROP BUCKET IF EXISTS b"])
def test_statements_need_the_cluster(statement):
    engine = QueryEngine(MemoryDatastore())
    with pytest.raises(N1QLError) as err:
        engine.query(statement)
    assert err.value.code == 5000 and "needs the cluster" in err.value.msg


def test_a_user_made_by_n1ql_logs_in_through_the_sdk(mock):
    """createuser.adoc (Purpose) and grant.adoc: the user and its roles are the
    cluster's at once: the SDK connects as it, writes and reads the bucket; a
    refused statement is the SDK's exception for its code."""
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.exceptions import InternalServerFailureException
    from couchbase.options import ClusterOptions

    admin = Cluster(mock.connstr,
                    ClusterOptions(PasswordAuthenticator("Administrator", "password")))
    try:
        admin.query('CREATE USER sdkuser PASSWORD "sdkpass1"').execute()
        admin.query("GRANT data_reader, data_writer ON `default` TO sdkuser").execute()
        with pytest.raises(InternalServerFailureException):
            admin.query("GRANT nosuch_role TO sdkuser").execute()
        user = Cluster(mock.connstr, ClusterOptions(PasswordAuthenticator("sdkuser",
                                                                          "sdkpass1")))
        try:
            coll = user.bucket("default").default_collection()
            coll.upsert("by-sdkuser", {"ok": True})
            assert coll.get("by-sdkuser").content_as[dict] == {"ok": True}
        finally:
            user.close()
    finally:
        admin.query("DROP USER IF EXISTS sdkuser").execute()
        admin.close()
