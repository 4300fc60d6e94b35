"""RBAC groups over REST, as ns_server answers them: ``/settings/rbac/groups``
(create/replace with PUT, read, list, delete), users in groups (which must exist)
with the groups' roles and their origins, access from a group's roles, and the
plain-text 404 of a path under /settings/rbac that names nothing."""

from __future__ import annotations

import itertools
from typing import Any, Iterator
from urllib.parse import urlencode

import pytest
from mock_http import basic_auth, fetch

from couchbase_mock import MockCluster

_names = (f"grp{i}" for i in itertools.count())


def _put_group(mock: Any, name: str, **form: str) -> tuple[int, Any]:
    return fetch(mock, f"/settings/rbac/groups/{name}", method="PUT", body=urlencode(form))


def _put_user(mock: Any, userid: str, **form: str) -> tuple[int, Any]:
    return fetch(mock, f"/settings/rbac/users/local/{userid}", method="PUT",
                 body=urlencode(form))


@pytest.fixture
def group(mock_cluster: MockCluster) -> Iterator[str]:
    name = next(_names)
    yield name
    fetch(mock_cluster, f"/settings/rbac/groups/{name}", method="DELETE")
    fetch(mock_cluster, f"/settings/rbac/users/local/{name}-user", method="DELETE")


def test_create_read_list_and_delete_a_group(mock_cluster: MockCluster, group: str) -> None:
    assert _put_group(mock_cluster, group, description="Readers",
                      roles="data_reader[default],ro_admin") == (200, "")
    status, doc = fetch(mock_cluster, f"/settings/rbac/groups/{group}")
    assert status == 200
    assert doc == {"id": group, "description": "Readers", "roles": [
        {"role": "data_reader", "bucket_name": "default", "scope_name": "*",
         "collection_name": "*"}, {"role": "ro_admin"}]}
    assert group in [g["id"] for g in fetch(mock_cluster, "/settings/rbac/groups")[1]]
    assert _put_group(mock_cluster, group, roles="admin", ldap_group_ref="cn=x")[0] == 200
    doc = fetch(mock_cluster, f"/settings/rbac/groups/{group}")[1]
    assert doc["roles"] == [{"role": "admin"}] and doc["ldap_group_ref"] == "cn=x"
    assert fetch(mock_cluster, f"/settings/rbac/groups/{group}", method="DELETE") == (200, "")
    assert fetch(mock_cluster, f"/settings/rbac/groups/{group}") == (404, "Unknown group.")
    assert fetch(mock_cluster, f"/settings/rbac/groups/{group}",
                 method="DELETE") == (404, "Group was not found.")


def test_refusals(mock_cluster: MockCluster, group: str) -> None:
    status, body = _put_group(mock_cluster, group, roles="no_such_role")
    assert status == 400 and "no_such_role" in body["errors"]["roles"]
    status, body = _put_group(mock_cluster, group, colour="red")
    assert (status, body["errors"]["colour"]) == (400, "Unsupported key")
    status, body = _put_user(mock_cluster, f"{group}-user", password="s3cret!",
                             groups=f"{group},missing-one")
    assert status == 400
    assert body["errors"]["groups"] == f"Groups do not exist: {group},missing-one"
    assert fetch(mock_cluster, "/settings/rbac/groups", method="PUT", body="")[0] == 405


def test_a_user_has_its_groups_roles_with_their_origins(mock_cluster: MockCluster,
                                                        group: str) -> None:
    assert _put_group(mock_cluster, group, roles="bucket_full_access[default],ro_admin")[0] \
        == 200
    user = f"{group}-user"
    assert _put_user(mock_cluster, user, password="s3cret!", roles="ro_admin",
                     groups=group) == (200, "")
    doc = fetch(mock_cluster, f"/settings/rbac/users/local/{user}")[1]
    assert doc["groups"] == [group]
    origins = {r["role"]: r["origins"] for r in doc["roles"]}
    assert origins["ro_admin"] == [{"type": "user"}, {"type": "group", "name": group}]
    assert origins["bucket_full_access"] == [{"type": "group", "name": group}]
    # the group's role gives access: the bucket's documents over the views port
    whoami = fetch(mock_cluster, "/whoami", basic_auth(user, "s3cret!"))
    assert whoami[0] == 200
    assert {r["role"] for r in whoami[1]["roles"]} == {"ro_admin", "bucket_full_access"}
    # a deleted group takes its roles, and the membership, with it
    fetch(mock_cluster, f"/settings/rbac/groups/{group}", method="DELETE")
    doc = fetch(mock_cluster, f"/settings/rbac/users/local/{user}")[1]
    assert doc["groups"] == [] and [r["role"] for r in doc["roles"]] == ["ro_admin"]


def test_an_unknown_path_is_plain_text_not_found(mock_cluster: MockCluster) -> None:
    for path in ("/settings/rbac/nothing", "/settings/rbac/groups/a/b", "/sampleBuckets/x"):
        assert fetch(mock_cluster, path) == (404, b"Requested resource not found.\r\n")
