"""txcouchbase over TLS: Twisted's TLS is pyOpenSSL's (the 'twisted' extra installs
``twisted[tls]``), so these are the verification cases of test_tls_client.py as a
Twisted user meets them: a CA that did not sign the cluster's certificate fails
fast with the certificate named, a host name the certificate does not list is
refused, skipping verification works, and the 4.x ``TxCluster`` reaches KV.
"""

from __future__ import annotations

import time
from typing import Any, Iterator

import pytest

from couchbase.auth import PasswordAuthenticator
from couchbase.exceptions import ConnectError, CouchbaseError
from couchbase.options import ClusterOptions
from couchbase_mock.mock import MockCluster
from tls_helpers import make_other_ca, other_name_of_loopback

pytest.importorskip("twisted")
pytest.importorskip("OpenSSL")  # twisted[tls]
trustme = pytest.importorskip("trustme")

CONNECT_TIMEOUT = 5.0


@pytest.fixture(scope="module")
def tls_mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=1, tls=True, tls_only=True) as mock:
        yield mock

@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> str:
    return make_other_ca(tmp_path_factory)


def tx_connect(reactor: Any, connstr: str) -> Any:
    """A connected txcouchbase Bucket (the connect's failure raised here)."""
    from txcouchbase.bucket import Bucket

    bucket = reactor(Bucket, connstr, username="Administrator", password="password")
    try:
        reactor(bucket.connect)
    except BaseException:
        reactor(bucket.close)
        raise
    return bucket


def test_kv_with_the_cluster_ca(reactor: Any, tls_mock: MockCluster) -> None:
    bucket = tx_connect(reactor, f"{tls_mock.tls_connstr}/default?cert_path={tls_mock.ca_path}")
    try:
        reactor(bucket.upsert, "tx-tls", {"over": "tls"})
        assert reactor(bucket.get, "tx-tls").value == {"over": "tls"}
        assert bucket.is_ssl
    finally:
        reactor(bucket.close)


def test_wrong_ca_fails_fast_naming_the_certificate(reactor: Any, tls_mock: MockCluster,
                                                    other_ca: str) -> None:
    started = time.monotonic()
    with pytest.raises(ConnectError, match="TLS handshake with .* failed: certificate verify "
                                           "failed") as info:
        tx_connect(reactor, f"{tls_mock.tls_connstr}/default?cert_path={other_ca}")
    assert time.monotonic() - started < CONNECT_TIMEOUT, info.value


def test_host_name_is_verified(reactor: Any, tls_mock: MockCluster) -> None:
    name = other_name_of_loopback()
    connstr = tls_mock.tls_connstr.replace("127.0.0.1", name)
    with pytest.raises(CouchbaseError, match="(?i)hostname|mismatch|not valid for"):
        tx_connect(reactor, f"{connstr}/default?cert_path={tls_mock.ca_path}")


def test_skip_verification(reactor: Any, tls_mock: MockCluster, other_ca: str) -> None:
    bucket = tx_connect(reactor, f"{tls_mock.tls_connstr}/default?cert_path={other_ca}"
                                 "&tls_verify=none")
    try:
        reactor(bucket.upsert, "tx-unverified", 1)
        assert reactor(bucket.get, "tx-unverified").value == 1
    finally:
        reactor(bucket.close)


def test_tx_cluster_with_cert_path_in_the_authenticator(reactor: Any,
                                                        tls_mock: MockCluster) -> None:
    from txcouchbase.cluster import TxCluster

    options = ClusterOptions(PasswordAuthenticator("Administrator", "password",
                                                   cert_path=tls_mock.ca_path))
    cluster = reactor(TxCluster, tls_mock.tls_connstr, options)
    try:
        reactor(cluster.on_connect)
        collection = reactor(lambda: cluster.bucket("default").default_collection())
        reactor(collection.upsert, "tx-4x-tls", {"n": 1})
        assert reactor(collection.get, "tx-4x-tls").content_as[dict] == {"n": 1}
    finally:
        reactor(cluster.close)
