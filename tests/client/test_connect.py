"""Bootstrap, routing and connection errors of the sync client."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest

from couchbase import Couchbase
from couchbase.bucket import Bucket
from couchbase.exceptions import (
    ArgumentError,
    AuthError,
    BucketNotFoundError,
    ConnectError,
    CouchbaseNetworkError,
    InvalidError,
    KeyExistsError,
    NetworkError,
    NotFoundError,
)
from couchbase.exceptions import TimeoutError as CBTimeoutError


def _mgmt(mock_cluster) -> tuple[str, int]:
    url = urlsplit(mock_cluster.mgmt_url)
    return url.hostname, url.port


def test_keys_land_on_the_node_the_map_names(cb, mock_cluster):
    keys = [f"placement-{i}" for i in range(1000)]
    for i, k in enumerate(keys):
        cb.upsert(k, {"i": i})
    for i, k in enumerate(keys):
        vb, active, replicas = mock_cluster.locate("default", k)
        assert len(replicas) == 1
        stored = mock_cluster.stored_on("default", k)
        assert stored[active] == "active"
        assert {n for n, role in stored.items() if role == "replica"} == set(replicas)
        assert cb.get(k).value == {"i": i}


def test_wrong_password_is_auth_error(mock_cluster):
    start = time.monotonic()
    with pytest.raises(AuthError):
        Bucket(f"{mock_cluster.connstr}/default", username="Administrator", password="nope")
    assert time.monotonic() - start < 5


def test_missing_bucket_is_bucket_not_found(mock_cluster):
    with pytest.raises(BucketNotFoundError):
        Bucket(f"{mock_cluster.connstr}/no-such-bucket", username="Administrator",
               password="password")


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_nothing_listening_is_connect_error_quickly():
    port = _unused_port()
    start = time.monotonic()
    with pytest.raises(ConnectError) as info:
        Bucket(f"couchbase://127.0.0.1:{port}/default?config_total_timeout=2")
    assert isinstance(info.value, CouchbaseNetworkError)
    assert time.monotonic() - start < 3
    with pytest.raises((ConnectError, NetworkError)):
        Couchbase.connect(bucket="default", host="127.0.0.1", port=port)


def test_silent_server_times_out_within_bootstrap_timeout():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        start = time.monotonic()
        with pytest.raises((CBTimeoutError, ConnectError)):
            Bucket(f"couchbase://127.0.0.1:{port}=mcd/default?config_total_timeout=0.5")
        assert time.monotonic() - start < 2


def test_bad_connection_string_is_invalid_error():
    with pytest.raises(InvalidError):  # as 2.x (libcouchbase's EINVAL)
        Bucket("couchbase://host:notaport/default")


def test_http_bootstrap_with_1x_connect(mock_cluster):
    host, port = _mgmt(mock_cluster)
    c = Couchbase.connect(bucket="default", host=host, port=port,
                          username="Administrator", password="password")
    c.set("onex", "value")
    with pytest.raises(KeyExistsError):
        c.add("onex", "again")
    assert c.replace("onex", "new").success
    assert c.get("onex").value == "new"
    c.delete("onex")
    with pytest.raises(NotFoundError):
        c.get("onex")


def test_bucket_password_as_1x_used_it(mock_cluster):
    host, port = _mgmt(mock_cluster)
    c = Couchbase.connect(bucket="protected", host=host, port=port, password="secret")
    c.set("p", 1)
    assert c.get("p").value == 1
    with pytest.raises(AuthError):
        Couchbase.connect(bucket="protected", host=host, port=port, password="wrong")


def test_not_my_vbucket_updates_the_map_and_retries(cb, mock_cluster):
    config = cb._cluster.router.config
    # Pretend our map is stale and wrong: every vbucket on the wrong node.
    n = len(config.kv_nodes)
    config.vbucket_map = [[(row[0] + 1) % n, *row[1:]] for row in config.vbucket_map]
    config.rev = -1
    for i in range(50):
        cb.upsert(f"nmvb-{i}", i)
        assert cb.get(f"nmvb-{i}").value == i
    assert cb._cluster.router.config.rev >= 0


def test_network_external_uses_alternate_addresses():
    from couchbase_mock import MockCluster

    with MockCluster(nodes=2, replicas=1, alternate_hostname="localhost") as mock:
        ports = ",".join(f"localhost:{n.kv_port}" for n in mock.nodes)
        for network in ("external", "auto"):
            cb = Bucket(f"couchbase://{ports}/default?network={network}",
                        username="Administrator", password="password")
            cb.upsert("alt", network)
            assert cb.get("alt").value == network
            assert all(node.startswith("localhost:") for node in cb.server_nodes)
            cb.close()
    with pytest.raises(ArgumentError):
        Bucket("couchbase://127.0.0.1/default?network=moon")


def test_idle_connections_keep_no_copy_of_the_config_text(cb):
    cb.upsert_multi({f"idle-{i}": i for i in range(64)})  # a connection to every node
    cluster = cb._live()
    assert len(cluster.nodes) == 4
    assert all(node.session.config is None for node in cluster.nodes.values())
    # the same negotiated features: one set shared by the connections
    assert len({id(node.session.features) for node in cluster.nodes.values()}) == 1
    assert cluster.router.config is not None and cluster.router.config.num_vbuckets == 1024
    assert cb.get("idle-3").value == 3
