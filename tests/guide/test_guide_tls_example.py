"""The connection-management guide's TLS example (seed 003, "Secure Connections"),
as written, against the local cluster serving TLS, on every front end:

    cluster = Cluster("couchbases://<host>", ClusterOptions(PasswordAuthenticator(
        "username", "password", cert_path="/path/to/cluster.crt")))

The host is the node's IP address ("so long as you use 127.0.0.1 rather than
localhost"); here it carries the local cluster's kvSSL port (the server's is
11207, the default of ``couchbases://``), the user is the example's
``username``/``password``, and ``cert_path`` is the CA file the cluster wrote.

The guide warns that ``couchbases://localhost`` does not match a server's
certificate. The local cluster's node certificate names ``localhost`` as well as
127.0.0.1, so there both verify; a name the certificate does not list is
refused (tests/client/test_tls_client.py, test_host_name_is_verified).
"""

from __future__ import annotations

import asyncio
from typing import Any, Iterator

import pytest

from couchbase.auth import PasswordAuthenticator
from couchbase.options import ClusterOptions
from couchbase_mock.mock import MockCluster

pytest.importorskip("trustme")  # the cluster's certificates ('mock-tls' extra)


@pytest.fixture(scope="module")
def tls_mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, tls=True, tls_only=True, username="username",
                     password="password") as mock:
        yield mock


def _kv(collection: Any, key: str) -> None:
    collection.upsert(key, {"secure": True})
    assert collection.get(key).content_as[dict] == {"secure": True}


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_sync(tls_mock: MockCluster, host: str) -> None:
    from couchbase.cluster import Cluster

    connstr = tls_mock.tls_connstr.replace("127.0.0.1", host)
    cluster = Cluster(connstr, ClusterOptions(PasswordAuthenticator(
        "username", "password", cert_path=tls_mock.ca_path)))
    try:
        _kv(cluster.bucket("default").default_collection(), f"guide-tls-sync-{host}")
    finally:
        cluster.close()


def test_gevent(tls_mock: MockCluster) -> None:
    pytest.importorskip("gevent")
    from gcouchbase.cluster import Cluster

    cluster = Cluster(tls_mock.tls_connstr, ClusterOptions(PasswordAuthenticator(
        "username", "password", cert_path=tls_mock.ca_path)))
    try:
        _kv(cluster.bucket("default").default_collection(), "guide-tls-gevent")
    finally:
        cluster.close()


def test_asyncio(tls_mock: MockCluster) -> None:
    from acouchbase.cluster import Cluster

    async def main() -> Any:
        cluster = await Cluster.connect(tls_mock.tls_connstr, ClusterOptions(
            PasswordAuthenticator("username", "password", cert_path=tls_mock.ca_path)))
        try:
            bucket = cluster.bucket("default")
            await bucket.on_connect()
            collection = bucket.default_collection()
            await collection.upsert("guide-tls-asyncio", {"secure": True})
            return (await collection.get("guide-tls-asyncio")).content_as[dict]
        finally:
            await cluster.close()

    assert asyncio.run(main()) == {"secure": True}


def test_twisted(reactor: Any, tls_mock: MockCluster) -> None:
    pytest.importorskip("OpenSSL")  # Twisted's TLS ('twisted[tls]')
    from txcouchbase.cluster import TxCluster

    cluster = reactor(TxCluster, tls_mock.tls_connstr, ClusterOptions(PasswordAuthenticator(
        "username", "password", cert_path=tls_mock.ca_path)))
    try:
        reactor(cluster.on_connect)
        collection = reactor(lambda: cluster.bucket("default").default_collection())
        reactor(collection.upsert, "guide-tls-twisted", {"secure": True})
        assert reactor(collection.get, "guide-tls-twisted").content_as[dict] == {"secure": True}
    finally:
        reactor(cluster.close)
