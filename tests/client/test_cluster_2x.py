"""The 2.x couchbase.cluster.Cluster: Cluster(connstr), authenticate, open_bucket,
n1ql_query; beside the 3.x Cluster(connstr, ClusterOptions(...))."""

from __future__ import annotations

import pytest

from couchbase.auth import PasswordAuthenticator
from couchbase.bucket import Bucket
from couchbase.cluster import Cluster
from couchbase.exceptions import ArgumentError, AuthError


def _hosts(mock_cluster) -> str:
    return mock_cluster.connstr  # couchbase://h:p,h:p


def test_authenticate_then_open_bucket(mock_cluster, key):
    cluster = Cluster(_hosts(mock_cluster))
    with pytest.raises(ArgumentError, match="authenticate"):
        cluster.open_bucket("default")
    cluster.authenticate(PasswordAuthenticator(mock_cluster.username, mock_cluster.password))
    cb = cluster.open_bucket("default")
    assert isinstance(cb, Bucket)
    cb.upsert(key, {"via": "2.x cluster"})
    assert cluster.open_bucket("default").get(key).value == {"via": "2.x cluster"}
    cluster.close()


def test_authenticate_with_username_and_password_and_wrong_ones(mock_cluster):
    cluster = Cluster(_hosts(mock_cluster))
    with pytest.raises(ArgumentError):
        cluster.authenticate()
    cluster.authenticate(username=mock_cluster.username, password="wrong")
    with pytest.raises(AuthError):
        cluster.open_bucket("default")
    cluster.close()


def test_n1ql_query_through_an_opened_bucket(mock_cluster, key):
    cluster = Cluster(_hosts(mock_cluster))
    cluster.authenticate(PasswordAuthenticator(mock_cluster.username, mock_cluster.password))
    cb = cluster.open_bucket("default")
    cb.upsert(key, {"n": 7})
    rows = list(cluster.n1ql_query(f"SELECT RAW n FROM `default` USE KEYS '{key}'"))
    assert rows == [7]
    cluster.close()


def test_a_query_with_no_bucket_open_is_no_bucket_error(mock_cluster):
    from couchbase.cluster import NoBucketError
    from couchbase.exceptions import NoMatchingServerError

    cluster = Cluster(_hosts(mock_cluster))
    cluster.authenticate(PasswordAuthenticator(mock_cluster.username, mock_cluster.password))
    with pytest.raises(NoBucketError) as info:
        cluster.n1ql_query("SELECT 1")
    assert isinstance(info.value, NoMatchingServerError)  # (what 3.x code catches)
    cluster.close()


def test_bucket_password_without_authenticator_and_mixed_auth(mock_cluster, key):
    from couchbase.cluster import MixedAuthError

    cluster = Cluster(_hosts(mock_cluster))
    cb = cluster.open_bucket("default", username=mock_cluster.username,
                             password=mock_cluster.password)  # pre-RBAC style
    assert cb.upsert(key, 1).success
    cluster.authenticate(PasswordAuthenticator(mock_cluster.username, mock_cluster.password))
    with pytest.raises(MixedAuthError):
        cluster.open_bucket("default", password="bucket-password")
    cluster.close()
