"""The 4.x Cluster (sync and gevent): connecting with no bucket, cluster_info,
buckets, close; the 2.x forms beside it. Written from the 4.x docs
(couchbase_core.html Cluster, managing-connections)."""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any

import pytest

from cluster4x import cluster_class, options  # tests/, shared (fixtures: conftest.py)
from couchbase.auth import PasswordAuthenticator
from couchbase.exceptions import (
    AuthenticationException,
    CouchbaseException,
    NoMatchingServerError,
    UnAmbiguousTimeoutException,
)


def test_connects_with_no_bucket(cluster: Any) -> None:
    assert not cluster._buckets  # nothing opened: the cluster's own connection
    assert cluster._conn is not None and cluster._conn._cluster.bucket is None
    assert [row["one"] for row in cluster.query("SELECT 1 AS one").rows()] == [1]


def test_connect_classmethod_and_context_manager(cluster_front_end: str,
                                                 mock_cluster: Any) -> None:
    cls = cluster_class(cluster_front_end)
    with cls.connect(mock_cluster.connstr, options()) as cluster:
        assert cluster.query("SELECT RAW 2").execute() == [2]


def test_http_seed_bootstraps_from_node_services(cluster_front_end: str,
                                                 mock_cluster: Any) -> None:
    host, port = mock_cluster.mgmt_url.rsplit("/", 1)[1].split(":")
    cluster = cluster_class(cluster_front_end)(f"couchbase://{host}:{port}=http", options())
    try:
        assert cluster.query("SELECT RAW 3").execute() == [3]
    finally:
        cluster.close()


def test_wrong_password_is_authentication_exception(cluster_front_end: str,
                                                    mock_cluster: Any) -> None:
    with pytest.raises(AuthenticationException):
        cluster_class(cluster_front_end)(mock_cluster.connstr, options("wrong"))


def test_nothing_listening_is_unambiguous_timeout(cluster_front_end: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nothing listens
    with pytest.raises(UnAmbiguousTimeoutException):
        cluster_class(cluster_front_end)(f"couchbase://127.0.0.1:{port}",
                                         options(connect_timeout=timedelta(seconds=1)))


def test_cluster_info(cluster: Any) -> None:
    info = cluster.cluster_info()
    assert info.server_version.startswith("7.6")
    assert info.server_version_short == 7.6
    assert info.server_version_full.startswith(info.server_version)
    assert info.is_enterprise and not info.is_community
    assert "n1ql" in info.cluster_capabilities
    assert len(info.nodes) == 4


def test_bucket_name_and_its_own_connection(cluster: Any) -> None:
    bucket = cluster.bucket("default")
    assert bucket.name == "default" and bucket.bucket == "default"
    assert cluster.bucket("default") is bucket
    assert bucket.scope("_default").bucket_name == "default"


def test_closed_cluster_refuses(cluster_front_end: str, mock_cluster: Any) -> None:
    cluster = cluster_class(cluster_front_end)(mock_cluster.connstr, options())
    bucket = cluster.bucket("default")
    conn = cluster._conn
    cluster.close()
    assert bucket.closed and conn.closed
    with pytest.raises(CouchbaseException):
        cluster.query("SELECT 1")


def test_2x_forms_keep_their_meaning(mock_cluster: Any) -> None:
    from couchbase.cluster import Cluster, NoBucketError

    cluster = Cluster(mock_cluster.connstr)  # 2.x: no credentials, no connection yet
    assert cluster._conn is None
    cluster.authenticate(PasswordAuthenticator("Administrator", "password"))
    with pytest.raises(NoBucketError):
        cluster.n1ql_query("SELECT 1")  # the 2.x n1ql_query still needs an open bucket
    cluster.open_bucket("default")
    assert list(cluster.n1ql_query("SELECT RAW 1")) == [1]
    cluster.close()


def test_4x_cluster_n1ql_query_still_needs_a_bucket(cluster: Any) -> None:
    if not hasattr(cluster, "n1ql_query"):
        pytest.skip("n1ql_query is the 2.x sync Cluster's")
    with pytest.raises(NoMatchingServerError):
        cluster.n1ql_query("SELECT 1")
