"""RBAC users over REST (couchbase_mock.users_rest): create, list, read, remove, the role
list, whoami, the server's refusals, and a created user on KV and HTTP."""

from __future__ import annotations

import itertools
from typing import Any, Iterator
from urllib.parse import urlencode

import pytest
from mock_http import basic_auth, fetch
from mock_kvclient import KV

from couchbase_mock import MockCluster

_ids = (f"user{i}" for i in itertools.count())


def _put(mock: Any, userid: str, domain: str = "local", headers: Any = None,
         **form: str) -> tuple[int, Any]:
    return fetch(mock, f"/settings/rbac/users/{domain}/{userid}", headers, method="PUT",
                 body=urlencode(form))


@pytest.fixture
def userid(mock_cluster: MockCluster) -> Iterator[str]:
    made = next(_ids)
    yield made
    fetch(mock_cluster, f"/settings/rbac/users/local/{made}", method="DELETE")


def test_create_read_list_and_remove_a_local_user(mock_cluster, userid):
    assert _put(mock_cluster, userid, name="Jo", password="s3cret!",
                roles="bucket_full_access[default],data_reader[protected:_default]") == (200, "")
    status, doc = fetch(mock_cluster, f"/settings/rbac/users/local/{userid}")
    assert status == 200
    assert (doc["id"], doc["domain"], doc["name"]) == (userid, "local", "Jo")
    assert doc["roles"] == [
        {"role": "bucket_full_access", "bucket_name": "default", "origins": [{"type": "user"}]},
        {"role": "data_reader", "bucket_name": "protected", "scope_name": "_default",
         "collection_name": "*", "origins": [{"type": "user"}]},
    ]
    assert "password" not in doc and "password_change_date" in doc
    listed = fetch(mock_cluster, "/settings/rbac/users")[1]
    assert userid in [u["id"] for u in listed]
    assert userid in [u["id"] for u in fetch(mock_cluster, "/settings/rbac/users/local")[1]]
    assert userid not in [u["id"] for u in
                          fetch(mock_cluster, "/settings/rbac/users/external")[1]]
    assert fetch(mock_cluster, f"/settings/rbac/users/local/{userid}",
                 method="DELETE") == (200, "")
    assert fetch(mock_cluster, f"/settings/rbac/users/local/{userid}") == (404, "Unknown user.")
    assert fetch(mock_cluster, f"/settings/rbac/users/local/{userid}",
                 method="DELETE") == (404, "User was not found.")


def test_replace_keeps_the_password_when_none_is_given(mock_cluster, userid):
    assert _put(mock_cluster, userid, password="first1", roles="ro_admin")[0] == 200
    assert _put(mock_cluster, userid, roles="admin", name="New")[0] == 200
    status, doc = fetch(mock_cluster, "/whoami", basic_auth(userid, "first1"))
    assert status == 200
    assert doc == {"id": userid, "domain": "local", "roles": [{"role": "admin"}],
                   "groups": [], "external_groups": [], "name": "New",
                   "password_change_date": doc["password_change_date"]}


def test_external_users_need_no_password(mock_cluster):
    assert _put(mock_cluster, "ext1", domain="external", roles="ro_admin") == (200, "")
    doc = fetch(mock_cluster, "/settings/rbac/users/external/ext1")[1]
    assert doc["domain"] == "external" and "password_change_date" not in doc
    fetch(mock_cluster, "/settings/rbac/users/external/ext1", method="DELETE")


ROLES_ERROR = ("Cannot assign roles to user because the following roles are unknown, "
               "malformed or role parameters are undefined: [{}]")


@pytest.mark.parametrize("form, field, message", [
    ({"roles": "admin"}, "password", "Password is required for new user."),
    ({"password": "short", "roles": "admin"}, "password",
     "The password must be at least 6 characters long."),
    ({"password": "has\x01ctrl", "roles": "admin"}, "password",
     "The password must not contain control characters"),
    ({"password": "secret", "roles": "wizard"}, "roles", ROLES_ERROR.format("wizard")),
    ({"password": "secret", "roles": "bucket_admin"}, "roles", ROLES_ERROR.format("bucket_admin")),
    ({"password": "secret", "roles": "admin[default]"}, "roles",
     ROLES_ERROR.format("admin[default]")),
    ({"password": "secret", "roles": "bucket_admin[default"}, "roles",
     ROLES_ERROR.format("bucket_admin[default")),
    ({"password": "secret", "roles": "bucket_admin[nosuch]"}, "roles",
     ROLES_ERROR.format("bucket_admin[nosuch]")),
    ({"password": "secret", "roles": "data_reader[default:nosuch]"}, "roles",
     ROLES_ERROR.format("data_reader[default:nosuch]")),
    ({"password": "secret", "roles": "data_reader[a:b:c:d]"}, "roles",
     ROLES_ERROR.format("data_reader[a:b:c:d]")),
    ({"password": "secret", "groups": "admins"}, "groups", "Groups do not exist: admins"),
    ({"password": "secret", "colour": "red"}, "colour", "Unsupported key"),
])
def test_refusals(mock_cluster, userid, form, field, message):
    status, doc = _put(mock_cluster, userid, **form)
    assert status == 400
    assert doc["errors"][field] == message
    assert fetch(mock_cluster, f"/settings/rbac/users/local/{userid}")[0] == 404


@pytest.mark.parametrize("bad, message", [
    ("@me", "Username cannot start with '@'"),
    ("a" * 129, "Username may not exceed 128 characters"),
    ("a%20b", "Username must not contain spaces, control or any of ()<>,;:\\\"/[]?={} "
              "characters and must be valid utf8"),
])
def test_bad_user_ids(mock_cluster, bad, message):
    status, doc = fetch(mock_cluster, f"/settings/rbac/users/local/{bad}", method="PUT",
                        body="password=secret1")
    assert (status, doc) == (400, {"errors": {"_": message}})


def test_unknown_domain(mock_cluster):
    assert fetch(mock_cluster, "/settings/rbac/users/ldap/x") == (404, "Unknown user domain.")
    assert _put(mock_cluster, "x", domain="ldap", password="secret1")[0] == 404


def test_roles_list_names_every_role_with_its_parameters(mock_cluster):
    status, roles = fetch(mock_cluster, "/settings/rbac/roles")
    assert status == 200
    by_name = {r["role"]: r for r in roles}
    assert by_name["admin"] == {"role": "admin", "name": "Full Admin",
                                "desc": by_name["admin"]["desc"]}
    assert by_name["bucket_admin"]["bucket_name"] == "*"
    assert by_name["data_reader"]["collection_name"] == "*"
    assert {"ro_admin", "cluster_admin", "bucket_full_access", "query_select",
            "views_admin"} <= set(by_name)


def test_whoami_for_the_administrator(mock_cluster):
    assert fetch(mock_cluster, "/whoami") == (200, {"id": "Administrator", "domain": "admin",
                                                    "roles": [{"role": "admin"}]})
    assert fetch(mock_cluster, "/whoami", basic_auth("x", "y"))[0] == 401


def test_who_may_manage_users(mock_cluster, userid):
    assert _put(mock_cluster, userid, password="reader1", roles="bucket_admin[default]")[0] == 200
    limited = basic_auth(userid, "reader1")
    status, doc = _put(mock_cluster, "someone", headers=limited, password="secret1")
    assert (status, doc) == (403, {"message": "Forbidden. User needs the following permissions",
                                   "permissions": ["cluster.admin.security.local!write"]})
    assert fetch(mock_cluster, "/settings/rbac/users", limited)[0] == 403
    assert fetch(mock_cluster, "/settings/rbac/users", basic_auth(userid, "wrong"))[0] == 401
    # a bucket admin edits and flushes its bucket but does not create buckets
    status, _ = fetch(mock_cluster, "/pools/default/buckets", limited, method="POST",
                      body="name=nope&ramQuota=100")
    assert status == 403


def test_a_created_user_reaches_the_buckets_its_roles_grant(mock_cluster, userid):
    assert _put(mock_cluster, userid, password="kvpass1",
                roles="data_reader[default],data_writer[default]")[0] == 200
    headers = basic_auth(userid, "kvpass1")
    assert fetch(mock_cluster, "/pools/default/buckets/default", headers)[0] == 200
    assert fetch(mock_cluster, "/pools/default/buckets/protected", headers)[0] == 401
    visible = [b["name"] for b in fetch(mock_cluster, "/pools/default/buckets", headers)[1]]
    assert visible == ["default"]
    with KV(mock_cluster.nodes[0].kv_port, mock_cluster.host) as kv:
        kv.hello()
        assert kv.auth(userid, "kvpass1") == 0
        assert kv.select("default") == 0
        assert kv.select("protected") == 0x24  # EACCESS
    with KV(mock_cluster.nodes[0].kv_port, mock_cluster.host) as kv:
        kv.hello()
        assert kv.auth(userid, "wrong") == 0x20


def test_users_survive_a_restart(tmp_path):
    with MockCluster(nodes=1, data_dir=str(tmp_path)) as mock:
        assert _put(mock, "kept", password="secret1", roles="ro_admin")[0] == 200
    with MockCluster(nodes=1, data_dir=str(tmp_path)) as mock:
        status, doc = fetch(mock, "/whoami", basic_auth("kept", "secret1"))
        assert status == 200 and doc["roles"] == [{"role": "ro_admin"}]
