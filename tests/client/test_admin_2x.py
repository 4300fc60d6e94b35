"""couchbase.admin.Admin (SDK 2.x) end to end against the local cluster: buckets, users,
raw requests, and the 2.x errors; Cluster.cluster_manager() and ClassicAuthenticator."""

from __future__ import annotations

import itertools
from typing import Any, Iterator

import pytest

from couchbase.admin import Admin, NotReadyError
from couchbase.auth_domain import AuthDomain
from couchbase.bucket import Bucket
from couchbase.cluster import ClassicAuthenticator, Cluster, PasswordAuthenticator
from couchbase.exceptions import (
    ArgumentError,
    AuthError,
    ConnectError,
    CouchbaseError,
    HTTPError,
    NotFoundError,
)
from couchbase.formats import FMT_BYTES, FMT_UTF8
from couchbase.result import HttpResult

_names = (f"adm{i}" for i in itertools.count())


@pytest.fixture
def adm(mock_cluster: Any) -> Admin:
    return Admin(mock_cluster.username, mock_cluster.password, mock_cluster.host,
                 mock_cluster.nodes[0].mgmt_port)


@pytest.fixture
def name(mock_cluster: Any) -> Iterator[str]:
    made = next(_names)
    yield made
    if made in mock_cluster.bucket_names:
        mock_cluster.delete_bucket(made)


def test_bucket_life_cycle(mock_cluster, adm, name):
    created = adm.bucket_create(name, ram_quota=100, bucket_password="pw")
    assert isinstance(created, HttpResult) and created.http_status == 202
    adm.wait_ready(name, timeout=10)
    info = adm.bucket_info(name).value
    assert (info["name"], info["quota"]["rawRAM"], info["replicaNumber"]) == (
        name, 100 * 2**20, 0)
    assert "flush" not in info["controllers"]
    cb = Bucket(f"{mock_cluster.connstr}/{name}", password="pw")
    try:
        cb.upsert("k", {"v": 1})
        with pytest.raises(HTTPError, match="Flush is disabled for the bucket"):
            cb.flush()
        adm.bucket_update(name, info, ram_quota=200, flush_enabled=True)
        assert adm.bucket_info(name).value["quota"]["rawRAM"] == 200 * 2**20
        assert cb.flush().success
        with pytest.raises(NotFoundError):
            cb.get("k")
    finally:
        cb.close()
    assert adm.bucket_remove(name).http_status == 200
    assert name not in mock_cluster.bucket_names
    with pytest.raises(HTTPError) as caught:
        adm.bucket_delete(name)
    assert caught.value.status == 404
    assert isinstance(caught.value.objextra, HttpResult)


def test_bucket_types_and_defaults(mock_cluster, adm, name):
    adm.bucket_create(name, bucket_type="memcached", ram_quota=64)
    assert adm.bucket_info(name).value["bucketType"] == "memcached"
    with pytest.raises(ArgumentError):
        adm.bucket_create("x", bucket_type="nosql")


def test_create_errors_carry_the_servers_message(adm, name):
    with pytest.raises(HTTPError) as caught:
        adm.bucket_create(name, ram_quota=10)
    err = caught.value
    assert err.status == 400
    assert "RAM quota cannot be less than 100 MiB" in str(err)
    assert err.objextra.value["errors"]["ramQuota"].startswith("RAM quota")
    with pytest.raises(HTTPError, match="Bucket with given name already exists"):
        adm.bucket_create("default", ram_quota=100)
    with pytest.raises(HTTPError, match="Replica number larger than 3"):
        adm.bucket_create(name, replicas=4, ram_quota=100)


def test_wait_ready_on_a_missing_bucket_gives_up(adm):
    with pytest.raises((HTTPError, NotReadyError)):
        adm.wait_ready("never-made", timeout=0.3, sleep_interval=0.1)
    assert issubclass(NotReadyError, CouchbaseError)


def test_http_request_raw(adm):
    rv = adm.http_request("/pools/default")
    assert rv.http_status == 200 and rv.value["name"] == "default"
    assert "Content-Type" in rv.headers and "content-type" in rv.headers
    text = adm.http_request("/pools", response_format=FMT_UTF8).value
    assert isinstance(text, str) and '"pools"' in text
    raw = adm.http_request("/pools", response_format=FMT_BYTES).value
    assert isinstance(raw, bytes)
    with pytest.raises(HTTPError) as caught:
        adm.http_request("/nothing/here")
    assert caught.value.status == 404
    with pytest.raises(ArgumentError):
        adm.http_request("no-slash")
    with pytest.raises(ArgumentError):
        adm.http_request("/pools", method="PATCH")


def test_users(mock_cluster, adm):
    userid = "admtest-user"
    adm.user_upsert(AuthDomain.Local, userid, "s3cret!",
                    [("bucket_full_access", "default"), "ro_admin"], name="Ann")
    try:
        got = adm.user_get(AuthDomain.Local, userid).value
        assert got["name"] == "Ann"
        assert {r["role"] for r in got["roles"]} == {"bucket_full_access", "ro_admin"}
        assert userid in [u["id"] for u in adm.users_get(AuthDomain.Local).value]
        assert adm.users_get("external").value == []
        # the new user connects with its own credentials
        cb = Bucket(f"{mock_cluster.connstr}/default", username=userid, password="s3cret!")
        cb.upsert("admtest-key", 1)
        cb.close()
        with pytest.raises(AuthError):
            Bucket(f"{mock_cluster.connstr}/default", username=userid, password="wrong")
        with pytest.raises(HTTPError, match="unknown, malformed"):
            adm.user_upsert(AuthDomain.Local, userid, "s3cret!", ["wizard"])
        with pytest.raises(HTTPError, match="Password is required for new user"):
            adm.user_upsert(AuthDomain.Local, "nopass", roles=["admin"])
    finally:
        adm.user_remove(AuthDomain.Local, userid)
    with pytest.raises(HTTPError) as caught:
        adm.user_get(AuthDomain.Local, userid)
    assert caught.value.status == 404
    with pytest.raises(ArgumentError):
        adm.users_get("ldap")
    assert AuthDomain.from_str("local") == AuthDomain.Local
    assert AuthDomain.to_str(AuthDomain.External) == "external"


def test_constructor_errors(mock_cluster):
    port = mock_cluster.nodes[0].mgmt_port
    with pytest.raises(AuthError):
        Admin("Administrator", "wrong", mock_cluster.host, port)
    with pytest.raises(ArgumentError):
        Admin("Administrator", "password", mock_cluster.host, "8091")
    with pytest.raises(ArgumentError):
        Admin("Administrator", "password", mock_cluster.host, port, frobnicate=True)
    with pytest.raises(ConnectError):
        Admin("Administrator", "password", "127.0.0.1", 1)
    via_connstr = Admin("Administrator", "password",
                        connection_string=f"http://{mock_cluster.host}:{port}")
    assert via_connstr.port == port


def test_cluster_manager_and_classic_authenticator(mock_cluster):
    cluster = Cluster(mock_cluster.connstr)
    cluster.authenticate(ClassicAuthenticator("Administrator", "password",
                                              buckets={"protected": "secret"}))
    cb = cluster.open_bucket("protected")
    try:
        cb.upsert("classic", 1)
        adm = cluster.cluster_manager()
        assert isinstance(adm, Admin)
        assert "protected" in [b["name"] for b in adm.http_request("/pools/default/buckets")
                               .value]
    finally:
        cluster.close()
    cluster = Cluster(mock_cluster.connstr)
    cluster.authenticate(ClassicAuthenticator(buckets={"protected": "secret"}))
    with pytest.raises(ArgumentError):
        cluster.cluster_manager()
    cluster = Cluster(mock_cluster.connstr)
    cluster.authenticate(PasswordAuthenticator("Administrator", "password"))
    cluster.open_bucket("default")
    try:
        assert cluster.cluster_manager().bucket_info("default").value["name"] == "default"
    finally:
        cluster.close()
