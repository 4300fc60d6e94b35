"""Scopes and collections: the REST API, the manifest uid in configs, and KV on them."""

from __future__ import annotations

import json
import struct
from typing import Any

import pytest
from mock_http import ADMIN, basic_auth, fetch
from mock_kvclient import DEFAULT_FEATURES, ClusterKV, connect

from couchbase._core.feature import Feature
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase_mock import MockCluster
from couchbase_mock.manifest import ManifestError

COLL_FEATURES = (*DEFAULT_FEATURES, Feature.COLLECTIONS)
SCOPES = "/pools/default/buckets/default/scopes"


def post(mock: Any, path: str, body: str, headers: dict[str, str] = ADMIN) -> tuple[int, Any]:
    return fetch(mock, path, headers, method="POST", body=body)


def delete(mock: Any, path: str) -> tuple[int, Any]:
    return fetch(mock, path, method="DELETE")


def collection_id(kv: Any, path: str) -> tuple[int, int, int]:
    """``(status, manifest uid, collection id)`` from GET_COLLECTION_ID."""
    resp = kv.request(Opcode.GET_COLLECTION_ID, value=path.encode())
    if resp.status != Status.SUCCESS:
        return resp.status, int(json.loads(resp.value)["manifest_uid"], 16), 0
    uid, cid = struct.unpack(">QI", resp.extras)
    return resp.status, uid, cid


# -- REST ----------------------------------------------------------------------


def test_get_scopes_is_the_manifest_with_hex_uids(fresh_mock):
    status, body = fetch(fresh_mock, SCOPES)
    assert status == 200
    assert body == {"uid": "0", "scopes": [
        {"name": "_default", "uid": "0", "collections": [{"name": "_default", "uid": "0"}]}]}


def test_create_scope_and_collection_bump_manifest_and_config(fresh_mock):
    rev = fetch(fresh_mock, "/pools/default/b/default")[1]["rev"]
    assert post(fresh_mock, SCOPES, "name=inventory") == (200, {"uid": "1"})
    assert post(fresh_mock, SCOPES + "/inventory/collections", "name=airline") == \
        (200, {"uid": "2"})
    status, body = post(fresh_mock, SCOPES + "/inventory/collections", "name=hotel&maxTTL=3600")
    assert (status, body) == (200, {"uid": "3"})
    manifest = fetch(fresh_mock, SCOPES)[1]
    assert manifest["uid"] == "3"
    assert manifest["scopes"][1] == {"name": "inventory", "uid": "8", "collections": [
        {"name": "airline", "uid": "9"}, {"name": "hotel", "uid": "a", "maxTTL": 3600}]}
    config = fetch(fresh_mock, "/pools/default/b/default")[1]
    assert config["collectionsManifestUid"] == "3" and config["rev"] == rev + 3
    with connect(fresh_mock, features=COLL_FEATURES) as kv:
        assert kv.config()["collectionsManifestUid"] == "3"
        assert collection_id(kv, "inventory.hotel") == (Status.SUCCESS, 3, 10)


def test_uids_are_hex_past_nine(fresh_mock):
    for i in range(12):
        post(fresh_mock, SCOPES, f"name=s{i}")
    manifest = fetch(fresh_mock, SCOPES)[1]
    assert manifest["uid"] == "c" and manifest["scopes"][-1]["uid"] == "13"
    assert fetch(fresh_mock, "/pools/default/b/default")[1]["collectionsManifestUid"] == "c"


def test_duplicates_are_400_with_the_server_messages(fresh_mock):
    post(fresh_mock, SCOPES, "name=inventory")
    assert post(fresh_mock, SCOPES, "name=inventory") == (
        400, {"errors": {"_": 'Scope with name "inventory" already exists'}})
    post(fresh_mock, SCOPES + "/inventory/collections", "name=airline")
    message = 'Collection with name "airline" in scope "inventory" already exists'
    assert post(fresh_mock, SCOPES + "/inventory/collections", "name=airline") == (
        400, {"errors": {"_": message}})
    assert fetch(fresh_mock, SCOPES)[1]["uid"] == "2"  # refused changes change nothing


@pytest.mark.parametrize("body, field, message", [
    ("", "name", "The value must be supplied"),
    ("name=", "name", "Name length (0) must be in the range from 1 to 251, inclusive"),
    ("name=" + "a" * 252, "name",
     "Name length (252) must be in the range from 1 to 251, inclusive"),
    ("name=_system", "name", "First character must not be _ or %"),
    ("name=%25x", "name", "First character must not be _ or %"),
    ("name=a.b", "name", 'Invalid value "a.b" : "Can only contain characters A-Z, a-z, 0-9 '
                         'and the following symbols _ - %"'),
    ("name=ok&colour=red", "colour", "Unsupported key"),
])
def test_bad_scope_forms_are_400_per_field(fresh_mock, body, field, message):
    status, answer = post(fresh_mock, SCOPES, body)
    assert status == 400 and answer["errors"][field] == message


@pytest.mark.parametrize("body, message", [
    ("name=c&maxTTL=soon", "The value must be an integer"),
    ("name=c&maxTTL=-1", "The value must be in range from 0 to 2147483647"),
    ("name=c&maxTTL=2147483648", "The value must be in range from 0 to 2147483647"),
])
def test_bad_max_ttl_is_400(fresh_mock, body, message):
    assert post(fresh_mock, SCOPES + "/_default/collections", body) == (
        400, {"errors": {"maxTTL": message}})


def test_missing_things_are_404(fresh_mock):
    assert post(fresh_mock, SCOPES + "/nope/collections", "name=c") == (
        404, {"errors": {"_": 'Scope with name "nope" is not found'}})
    assert delete(fresh_mock, SCOPES + "/nope") == (
        404, {"errors": {"_": 'Scope with name "nope" is not found'}})
    assert delete(fresh_mock, SCOPES + "/nope/collections/c") == (
        404, {"errors": {"_": 'Scope with name "nope" is not found'}})
    assert delete(fresh_mock, SCOPES + "/_default/collections/c") == (
        404, {"errors": {"_": 'Collection with name "c" in scope "_default" is not found'}})
    assert fetch(fresh_mock, "/pools/default/buckets/nobucket/scopes")[0] == 404
    assert post(fresh_mock, "/pools/default/buckets/nobucket/scopes", "name=s")[0] == 404


def test_default_scope_cannot_be_dropped(fresh_mock):
    assert delete(fresh_mock, SCOPES + "/_default") == (
        400, {"errors": {"_": "Deleting _default scope is not allowed"}})


def test_changes_need_the_administrator(mock_cluster):
    user = basic_auth("protected", "secret")
    path = "/pools/default/buckets/protected/scopes"
    assert fetch(mock_cluster, path, user)[0] == 200
    status, body = post(mock_cluster, path, "name=s", user)
    assert status == 403 and body["permissions"] == ["cluster.bucket[protected].collections!write"]
    assert fetch(mock_cluster, path, {})[0] == 401


def test_memcached_buckets_have_no_collections():
    with MockCluster(nodes=1, buckets={"cache": {"type": "memcached"}}) as mock:
        status, body = post(mock, "/pools/default/buckets/cache/scopes", "name=s")
        assert (status, body) == (400, b"Not allowed on this type of bucket")


def test_wrong_methods_and_paths(fresh_mock):
    assert fetch(fresh_mock, SCOPES, method="PUT")[0] == 405
    assert fetch(fresh_mock, SCOPES + "/_default")[0] == 405
    assert fetch(fresh_mock, SCOPES + "/_default/collections")[0] == 405
    assert fetch(fresh_mock, SCOPES + "/_default/collections/_default")[0] == 405
    assert fetch(fresh_mock, SCOPES + "/_default/widgets")[0] == 404
    assert fetch(fresh_mock, "/pools/default/buckets/default/other")[0] == 404


# -- KV on collections -----------------------------------------------------------


def test_documents_live_per_collection(fresh_mock):
    fresh_mock.create_scope("default", "inventory")
    fresh_mock.create_collection("default", "inventory", "airline")
    with ClusterKV(fresh_mock, features=COLL_FEATURES) as kv:
        status, uid, cid = collection_id(kv.conns[0], "inventory.airline")
        assert (status, uid, cid) == (Status.SUCCESS, 2, 9)
        assert kv.set(b"k", b'"in airline"', cid=cid).status == Status.SUCCESS
        assert kv.set(b"k", b'"in default"').status == Status.SUCCESS
        assert kv.get(b"k", cid=cid).value == b'"in airline"'
        assert kv.get(b"k").value == b'"in default"'
    assert fresh_mock.stored_on("default", "k", collection_id=9)


def test_dropped_collection_is_unknown_and_its_documents_are_gone(fresh_mock):
    fresh_mock.create_scope("default", "inventory")
    fresh_mock.create_collection("default", "inventory", "airline")
    with ClusterKV(fresh_mock, features=COLL_FEATURES) as kv:
        assert kv.set(b"k", b"v", cid=9).status == Status.SUCCESS
        assert delete(fresh_mock, SCOPES + "/inventory/collections/airline") == (
            200, {"uid": "3"})
        resp = kv.get(b"k", cid=9)
        assert resp.status == Status.UNKNOWN_COLLECTION
        assert json.loads(resp.value) == {"manifest_uid": "3"}
        assert kv.set(b"k", b"v", cid=9).status == Status.UNKNOWN_COLLECTION
        assert collection_id(kv.conns[0], "inventory.airline") == (
            Status.UNKNOWN_COLLECTION, 3, 0)
        assert collection_id(kv.conns[0], "gone.airline") == (Status.UNKNOWN_SCOPE, 3, 0)
    assert fresh_mock.stored_on("default", "k", collection_id=9) == {}
    # A new collection of the same name is a new id, and starts empty.
    fresh_mock.create_collection("default", "inventory", "airline")
    with ClusterKV(fresh_mock, features=COLL_FEATURES) as kv:
        assert collection_id(kv.conns[0], "inventory.airline") == (Status.SUCCESS, 4, 10)
        assert kv.get(b"k", cid=10).status == Status.KEY_ENOENT


def test_dropping_a_scope_drops_its_collections(fresh_mock):
    fresh_mock.create_scope("default", "inventory")
    fresh_mock.create_collection("default", "inventory", "airline")
    fresh_mock.create_collection("default", "inventory", "hotel")
    with ClusterKV(fresh_mock, features=COLL_FEATURES) as kv:
        kv.set(b"a", b"1", cid=9)
        kv.set(b"h", b"2", cid=10)
        fresh_mock.drop_scope("default", "inventory")
        assert kv.get(b"a", cid=9).status == Status.UNKNOWN_COLLECTION
        assert kv.get(b"h", cid=10).status == Status.UNKNOWN_COLLECTION
    assert [s["name"] for s in fresh_mock.manifest("default")["scopes"]] == ["_default"]
    assert fresh_mock.stored_on("default", "h", collection_id=10) == {}


def test_collection_max_ttl_applies_to_writes_without_expiry(fresh_mock):
    fresh_mock.create_collection("default", "_default", "session", max_ttl=60)
    with ClusterKV(fresh_mock, features=COLL_FEATURES) as kv:
        assert kv.set(b"s", b"v", cid=8).status == Status.SUCCESS
        fresh_mock.advance_time(61)
        assert kv.get(b"s", cid=8).status == Status.KEY_ENOENT


def test_python_helpers_check_names_and_report_manifest_errors(fresh_mock):
    with pytest.raises(ValueError):
        fresh_mock.create_scope("default", "_mine")
    with pytest.raises(ValueError):
        fresh_mock.create_collection("default", "_default", "x", max_ttl=-1)
    with pytest.raises(ManifestError) as err:
        fresh_mock.create_collection("default", "nope", "x")
    assert (err.value.kind, err.value.reason) == ("scope", "missing")
    fresh_mock.create_scope("default", "s")
    with pytest.raises(ManifestError) as err:
        fresh_mock.create_scope("default", "s")
    assert err.value.reason == "exists"
    with pytest.raises(ManifestError):
        fresh_mock.drop_collection("default", "s", "nope")
    with pytest.raises(ManifestError) as err:
        fresh_mock.drop_scope("default", "_default")
    assert err.value.reason == "forbidden"
