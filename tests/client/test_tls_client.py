"""The client over TLS (issue 14) against a local cluster serving TLS only.

What a user relies on, from the connection-management guide and the 4.x
client-settings reference: ``couchbases://`` with the cluster's CA (the
``cert_path`` connection-string option, or 4.x ``PasswordAuthenticator(...,
cert_path=)``) reaches key-value and the HTTP services over TLS with the host
name verified; the skip-verification switch (``tls_verify=none``, 2.x
``ssl=no_verify``, 4.x ``ClusterOptions(tls_verify=TLSVerifyMode.NONE)``) works
and says so loudly in the log; a CA that did not sign the server's certificate
fails fast with the certificate problem named; plain ``couchbase://`` to a
TLS-only cluster fails clearly instead of hanging.
"""

from __future__ import annotations

import logging
import socket
import time
from typing import Any, Callable, Iterator

import pytest

from cluster4x import CLUSTER_FRONT_ENDS, cluster_class  # tests/, shared
from couchbase.auth import PasswordAuthenticator
from couchbase.bucket import Bucket
from couchbase.exceptions import ArgumentError, CouchbaseError
from couchbase.management.views import DesignDocument, DesignDocumentNamespace, View
from couchbase.options import ClusterOptions, TLSVerifyMode
from couchbase_mock.mock import MockCluster
from couchbase_mock.views import jsengine
from frontends.conftest import connect, front_end, loop_thread  # noqa: F401 - fixtures
from tls_helpers import make_other_ca, other_name_of_loopback

trustme = pytest.importorskip("trustme")  # the 'mock-tls' extra makes the certificates

CONNECT_TIMEOUT = 5.0  # the client's default bootstrap timeout


@pytest.fixture(scope="module")
def tls_mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1, tls=True, tls_only=True) as mock:
        yield mock

@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> str:
    return make_other_ca(tmp_path_factory)


def with_ca(mock: MockCluster, ca_path: Any = None, bucket: str = "default") -> str:
    return f"{mock.tls_connstr}/{bucket}?cert_path={ca_path or mock.ca_path}"


def auth(**kwargs: Any) -> ClusterOptions:
    return ClusterOptions(PasswordAuthenticator("Administrator", "password"), **kwargs)


# -- it works: key-value and query over TLS ----------------------------------------------
def test_kv_over_tls_on_every_front_end(connect: Callable[..., Any],  # noqa: F811
                                        front_end: str,  # noqa: F811
                                        tls_mock: MockCluster) -> None:
    if front_end == "twisted":  # Twisted's TLS is pyOpenSSL's ('twisted[tls]' extra)
        pytest.importorskip("OpenSSL")
    cb = connect(with_ca(tls_mock), username="Administrator", password="password")
    cb.upsert("tls-key", {"over": "tls"})
    assert cb.get("tls-key").value == {"over": "tls"}


@pytest.mark.parametrize("cluster_front_end", CLUSTER_FRONT_ENDS)
def test_cluster_4x_cert_path_in_authenticator(cluster_front_end: str,
                                               tls_mock: MockCluster) -> None:
    """4.x: the CA given as PasswordAuthenticator(cert_path=), KV and SELECT 1."""
    options = ClusterOptions(PasswordAuthenticator("Administrator", "password",
                                                   cert_path=tls_mock.ca_path))
    cluster = cluster_class(cluster_front_end)(tls_mock.tls_connstr, options)
    try:
        collection = cluster.bucket("default").default_collection()
        collection.upsert("tls-4x", {"n": 1})
        assert collection.get("tls-4x").content_as[dict] == {"n": 1}
        assert list(cluster.query("SELECT 1 AS one").rows()) == [{"one": 1}]
    finally:
        cluster.close()


def test_views_search_and_management_over_tls(tls_mock: MockCluster) -> None:
    """The HTTP services go to the config's SSL ports (no plain port is open)."""
    from couchbase.cluster import Cluster

    cluster = Cluster(f"{tls_mock.tls_connstr}?cert_path={tls_mock.ca_path}", auth())
    try:
        cluster.bucket("default")
        names = [b.name for b in cluster.buckets().get_all_buckets()]
        assert "default" in names
        assert cluster.search_indexes().get_all_indexes() == []
        if not jsengine.available():  # (a design document's views need the JS engine)
            return
        views = cluster.bucket("default").view_indexes()
        views.upsert_design_document(
            DesignDocument("tls", {"all": View("function (doc, meta) { emit(meta.id); }")}),
            DesignDocumentNamespace.PRODUCTION)
        assert views.get_design_document("tls", DesignDocumentNamespace.PRODUCTION).name == "tls"
    finally:
        cluster.close()


def test_tls_connection_reports_tls(tls_mock: MockCluster) -> None:
    cb = Bucket(with_ca(tls_mock), username="Administrator", password="password")
    try:
        assert cb.is_ssl
    finally:
        cb.close()


# -- verification ------------------------------------------------------------------------
def test_wrong_ca_fails_fast_naming_the_certificate(tls_mock: MockCluster,
                                                    other_ca: str) -> None:
    started = time.monotonic()
    with pytest.raises(CouchbaseError) as info:
        Bucket(with_ca(tls_mock, other_ca), username="Administrator", password="password")
    assert time.monotonic() - started < CONNECT_TIMEOUT
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)


def test_wrong_ca_4x_fails_fast_naming_the_certificate(tls_mock: MockCluster,
                                                       other_ca: str) -> None:
    from couchbase.cluster import Cluster
    from couchbase.exceptions import UnAmbiguousTimeoutException

    options = ClusterOptions(PasswordAuthenticator("Administrator", "password",
                                                   cert_path=other_ca))
    started = time.monotonic()
    with pytest.raises(UnAmbiguousTimeoutException) as info:  # 4.x: could not connect
        Cluster(tls_mock.tls_connstr, options).bucket("default")
    assert time.monotonic() - started < CONNECT_TIMEOUT
    assert "certificate verify failed" in str(info.value)


def test_no_ca_given_uses_the_system_store_and_refuses(tls_mock: MockCluster) -> None:
    """Without cert_path the system trust store is used: it does not know the
    cluster's own CA, so the certificate is refused (never silently accepted)."""
    with pytest.raises(CouchbaseError, match="CERTIFICATE_VERIFY_FAILED"):
        Bucket(f"{tls_mock.tls_connstr}/default", username="Administrator",
               password="password")


def test_host_name_is_verified(tls_mock: MockCluster) -> None:
    """The node certificate names 127.0.0.1 and localhost; another name of the same
    address is refused as a host name mismatch."""
    name = other_name_of_loopback()
    connstr = tls_mock.tls_connstr.replace("127.0.0.1", name)
    with pytest.raises(CouchbaseError, match="(?i)hostname|mismatch|not valid for"):
        Bucket(f"{connstr}/default?cert_path={tls_mock.ca_path}",
               username="Administrator", password="password")


@pytest.mark.parametrize("switch", ["tls_verify=none", "ssl=no_verify"])
def test_skip_verification_works_and_warns(tls_mock: MockCluster, other_ca: str,
                                           switch: str,
                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="couchbase")
    cb = Bucket(f"{with_ca(tls_mock, other_ca)}&{switch}", username="Administrator",
                password="password")
    try:
        cb.upsert("unverified", 1)
        assert cb.get("unverified").value == 1
    finally:
        cb.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING
                and "VERIFICATION IS DISABLED" in r.getMessage()]
    assert warnings and switch in warnings[0].getMessage()


def test_skip_verification_4x_option_warns(tls_mock: MockCluster,
                                           caplog: pytest.LogCaptureFixture) -> None:
    from couchbase.cluster import Cluster

    caplog.set_level(logging.WARNING, logger="couchbase")
    cluster = Cluster(tls_mock.tls_connstr, auth(tls_verify=TLSVerifyMode.NONE))
    try:
        assert list(cluster.query("SELECT 1 AS one").rows()) == [{"one": 1}]
    finally:
        cluster.close()
    assert any("VERIFICATION IS DISABLED" in r.getMessage() for r in caplog.records)


def test_bad_tls_verify_value_is_refused() -> None:
    with pytest.raises(ArgumentError, match="tls_verify"):
        Bucket("couchbases://127.0.0.1/default?tls_verify=sometimes")


def test_unreadable_cert_path_is_refused(tmp_path: Any) -> None:
    with pytest.raises(ArgumentError, match="cert_path"):
        Bucket(f"couchbases://127.0.0.1/default?cert_path={tmp_path}/missing.pem")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    with pytest.raises(ArgumentError, match="cert_path"):
        Bucket(f"couchbases://127.0.0.1/default?cert_path={garbage}")


def test_cert_path_must_be_a_string() -> None:
    with pytest.raises(ArgumentError):
        PasswordAuthenticator("u", "p", cert_path=42)  # type: ignore[arg-type]


# -- plain connections to a TLS-only cluster ---------------------------------------------
def test_plain_scheme_to_tls_only_cluster_fails_clearly(tls_mock: MockCluster) -> None:
    """couchbase:// with no port means 11210/8091, where a TLS-only cluster (like
    this one, on other ports) has nothing listening: a connect error, fast."""
    node = tls_mock.nodes[0]
    assert node.kv_port == 0 or tls_mock.tls_only  # no plain port is served
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(CouchbaseError, match="(?i)connect|refused"):
        Bucket(f"couchbase://127.0.0.1:{free}/default", username="Administrator",
               password="password")
    assert time.monotonic() - started < CONNECT_TIMEOUT


def test_plain_scheme_to_a_tls_port_does_not_hang(tls_mock: MockCluster) -> None:
    """couchbase:// pointed at a kvSSL port: the server wants a TLS handshake, the
    client speaks plain memcached; the connect fails within the timeout."""
    plain = tls_mock.tls_connstr.replace("couchbases://", "couchbase://")
    started = time.monotonic()
    with pytest.raises(CouchbaseError):
        Bucket(f"{plain}/default", username="Administrator", password="password",
               bootstrap_timeout=3.0)
    assert time.monotonic() - started < 3.0 + 1.0


# -- 4.x ClusterOptions ------------------------------------------------------------------
def test_enable_tls_turns_a_couchbase_scheme_into_tls(tls_mock: MockCluster) -> None:
    """ClusterOptions(enable_tls=True) with a couchbase:// string connects over TLS."""
    from couchbase.cluster import Cluster

    plain = tls_mock.tls_connstr.replace("couchbases://", "couchbase://")
    cluster = Cluster(plain, ClusterOptions(
        PasswordAuthenticator("Administrator", "password", cert_path=tls_mock.ca_path),
        enable_tls=True))
    try:
        collection = cluster.bucket("default").default_collection()
        collection.upsert("enable-tls", "yes")
        assert collection.get("enable-tls").content_as[str] == "yes"
    finally:
        cluster.close()


def test_connection_string_option_wins_over_cluster_options() -> None:
    from couchbase.cluster import bucket_connection_string

    options = ClusterOptions(PasswordAuthenticator("u", "p", cert_path="/from/auth.pem"),
                             tls_verify=TLSVerifyMode.NONE)
    made = bucket_connection_string("couchbases://h?cert_path=/given.pem", "b", options)
    assert made == "couchbases://h/b?cert_path=/given.pem&tls_verify=none"


def test_wrong_password_over_tls_is_an_authentication_error(tls_mock: MockCluster) -> None:
    """Over TLS the password goes as SASL PLAIN; a wrong one is still refused as such."""
    from couchbase.cluster import Cluster
    from couchbase.exceptions import AuthenticationException

    options = ClusterOptions(PasswordAuthenticator("Administrator", "wrong",
                                                   cert_path=tls_mock.ca_path))
    with pytest.raises(AuthenticationException):
        Cluster(tls_mock.tls_connstr, options).bucket("default")
