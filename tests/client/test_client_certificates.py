"""Client certificates (issue 14): the client authenticates with a TLS client
certificate instead of a password, against a local cluster whose
client-certificate handling is on (MockCluster(client_cert_auth=...)).

What a user relies on, from the 4.x API reference
(``couchbase.auth.CertificateAuthenticator(cert_path=, key_path=,
trust_store_path=)``) and libcouchbase's connection-string options
(``certpath``/``keypath``/``truststorepath``, the 2.x way): key-value, N1QL and
management work as the certificate's user with no password anywhere; a
certificate naming no user is an authentication error; a certificate without
``couchbases://``, or files that cannot be read, are argument errors before any
I/O.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from cluster4x import CLUSTER_FRONT_ENDS, cluster_class  # tests/, shared
from couchbase.auth import CertificateAuthenticator, PasswordAuthenticator
from couchbase.bucket import Bucket
from couchbase.exceptions import (
    ArgumentError,
    AuthenticationException,
    CouchbaseError,
    InvalidArgumentException,
)
from couchbase.options import ClusterOptions
from couchbase_mock.mock import MockCluster
from frontends.conftest import connect, front_end, loop_thread  # noqa: F401 - fixtures

pytest.importorskip("trustme")  # the 'mock-tls' extra makes the certificates

CONNECT_TIMEOUT = 5.0  # the client's default bootstrap timeout


@pytest.fixture(scope="module")
def cert_mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1, tls=True, tls_only=True,
                     client_cert_auth="mandatory") as mock:
        yield mock


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("client-certs")


@pytest.fixture(scope="module")
def admin_cert(cert_mock: MockCluster, certs: Path) -> tuple[str, str]:
    return cert_mock.issue_client_cert(cert_mock.username, str(certs))


@pytest.fixture(scope="module")
def stranger_cert(cert_mock: MockCluster, certs: Path) -> tuple[str, str]:
    return cert_mock.issue_client_cert("stranger", str(certs))


def authenticator(mock: MockCluster, cert: tuple[str, str]) -> CertificateAuthenticator:
    return CertificateAuthenticator(cert_path=cert[0], key_path=cert[1],
                                    trust_store_path=mock.ca_path)


# -- it works ---------------------------------------------------------------------------
@pytest.mark.parametrize("cluster_front_end", CLUSTER_FRONT_ENDS)
def test_cluster_4x_kv_query_and_management(cluster_front_end: str, cert_mock: MockCluster,
                                            admin_cert: tuple[str, str]) -> None:
    options = ClusterOptions(authenticator(cert_mock, admin_cert))
    cluster = cluster_class(cluster_front_end)(cert_mock.tls_connstr, options)
    try:
        collection = cluster.bucket("default").default_collection()
        collection.upsert(f"cert-{cluster_front_end}", {"by": "certificate"})
        assert collection.get(f"cert-{cluster_front_end}").content_as[dict] == \
            {"by": "certificate"}
        assert list(cluster.query("SELECT 1 AS one").rows()) == [{"one": 1}]
        names = [b.name for b in cluster.buckets().get_all_buckets()]
        assert "default" in names
    finally:
        cluster.close()


def test_bucket_2x_connection_string_options(connect: Callable[..., Any],  # noqa: F811
                                             front_end: str,  # noqa: F811
                                             cert_mock: MockCluster,
                                             admin_cert: tuple[str, str]) -> None:
    """libcouchbase's names: ``certpath`` the client certificate when ``keypath`` is
    given, ``truststorepath`` the CA; no password anywhere."""
    cert, key = admin_cert
    cb = connect(f"{cert_mock.tls_connstr}/default?certpath={cert}&keypath={key}"
                 f"&truststorepath={cert_mock.ca_path}")
    cb.upsert(f"cert-2x-{front_end}", {"n": 2})
    assert cb.get(f"cert-2x-{front_end}").value == {"n": 2}


def test_bucket_2x_n1ql_over_a_certificate(cert_mock: MockCluster,
                                           admin_cert: tuple[str, str]) -> None:
    cert, key = admin_cert
    cb = Bucket(f"{cert_mock.tls_connstr}/default?certpath={cert}&keypath={key}"
                f"&truststorepath={cert_mock.ca_path}")
    try:
        assert list(cb.n1ql_query("SELECT 1 AS one")) == [{"one": 1}]
    finally:
        cb.close()


def test_cluster_2x_cert_authenticator(cert_mock: MockCluster,
                                       admin_cert: tuple[str, str]) -> None:
    """2.x: Cluster(connstr).authenticate(CertAuthenticator(...)); open_bucket presents
    the certificate, cluster_manager() works once a bucket is open (its TLS context)."""
    from couchbase.cluster import CertAuthenticator, Cluster

    cluster = Cluster(cert_mock.tls_connstr)
    cluster.authenticate(CertAuthenticator(cert_path=admin_cert[0], key_path=admin_cert[1],
                                           trust_store_path=cert_mock.ca_path,
                                           cluster_username=cert_mock.username,
                                           cluster_password=cert_mock.password))
    cb = cluster.open_bucket("default")
    try:
        cb.upsert("cert-2x-cluster", {"n": 3})
        assert cb.get("cert-2x-cluster").value == {"n": 3}
        assert cluster.cluster_manager().bucket_info("default").value["name"] == "default"
    finally:
        cb.close()


def test_cert_authenticator_2x_refuses_bad_arguments(admin_cert: tuple[str, str]) -> None:
    from couchbase.cluster import CertAuthenticator

    with pytest.raises(ArgumentError):
        CertAuthenticator(key_path=admin_cert[1])  # no certificate
    with pytest.raises(ArgumentError):
        CertAuthenticator(*admin_cert, cluster_username=1)  # type: ignore[arg-type]


# -- refusals from the cluster -----------------------------------------------------------
def test_certificate_naming_no_user_is_an_authentication_error(
        cert_mock: MockCluster, stranger_cert: tuple[str, str]) -> None:
    options = ClusterOptions(authenticator(cert_mock, stranger_cert))
    started = time.monotonic()
    with pytest.raises(AuthenticationException, match="credentials"):
        cluster = cluster_class("sync")(cert_mock.tls_connstr, options)  # connects now
        cluster.close()
    assert time.monotonic() - started < CONNECT_TIMEOUT


def test_mandatory_refuses_a_password_client(cert_mock: MockCluster) -> None:
    """No certificate: the cluster refuses the handshake; the client fails, fast."""
    options = ClusterOptions(PasswordAuthenticator("Administrator", "password",
                                                   cert_path=cert_mock.ca_path))
    started = time.monotonic()
    with pytest.raises(CouchbaseError, match="client certificate") as info:
        cluster = cluster_class("sync")(cert_mock.tls_connstr, options)
        try:
            cluster.bucket("default").default_collection().get("anything")
        finally:
            cluster.close()
    assert time.monotonic() - started < 2.0  # the refusal, not the 5 s timeout
    assert_cause_first(str(info.value))


def assert_cause_first(message: str) -> None:
    """The KV seeds' refusal is named first; the standard management port the walk
    also tries as a last resort (a KV host's name on 18091) comes after it."""
    if "18091" in message:
        assert message.index("client certificate") < message.index("18091")


def test_bucket_2x_password_client_is_told_a_certificate_is_required(
        connect: Callable[..., Any], front_end: str,  # noqa: F811
        cert_mock: MockCluster) -> None:
    started = time.monotonic()
    with pytest.raises(CouchbaseError, match="client certificate") as info:
        connect(f"{cert_mock.tls_connstr}/default?cert_path={cert_mock.ca_path}",
                username=cert_mock.username, password=cert_mock.password)
    assert time.monotonic() - started < 2.0
    assert_cause_first(str(info.value))


# -- refusals before any I/O -------------------------------------------------------------
def test_certificate_needs_tls(admin_cert: tuple[str, str]) -> None:
    options = ClusterOptions(CertificateAuthenticator(*admin_cert))
    with pytest.raises(InvalidArgumentException, match="couchbases://"):
        cluster_class("sync")("couchbase://127.0.0.1:1", options)  # nothing listens there
    cert, key = admin_cert
    with pytest.raises(ArgumentError, match="couchbases://"):
        Bucket(f"couchbase://127.0.0.1:1/default?certpath={cert}&keypath={key}")


@pytest.mark.parametrize("missing", ["cert_path", "key_path", "trust_store_path"])
def test_unreadable_files_are_refused(admin_cert: tuple[str, str], tmp_path: Path,
                                      missing: str) -> None:
    paths = {"cert_path": admin_cert[0], "key_path": admin_cert[1],
             "trust_store_path": admin_cert[0], missing: str(tmp_path / "absent.pem")}
    with pytest.raises(InvalidArgumentException, match=missing):
        CertificateAuthenticator(**paths)


@pytest.mark.parametrize("kwargs", [{}, {"cert_path": "c.pem"}, {"key_path": "k.pem"},
                                    {"cert_path": 1, "key_path": "k.pem"}])
def test_cert_and_key_are_required(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentException):
        CertificateAuthenticator(**kwargs)


def test_connection_string_key_problems_are_argument_errors(
        cert_mock: MockCluster, admin_cert: tuple[str, str],
        stranger_cert: tuple[str, str], tmp_path: Path) -> None:
    cert, key = admin_cert
    base = f"couchbases://127.0.0.1:1/default?truststorepath={cert_mock.ca_path}"
    with pytest.raises(ArgumentError, match="client certificate"):
        Bucket(f"{base}&certpath={cert}&keypath={tmp_path / 'absent.key'}")
    with pytest.raises(ArgumentError, match="client certificate"):  # another's key
        Bucket(f"{base}&certpath={cert}&keypath={stranger_cert[1]}")
    with pytest.raises(ArgumentError, match="certpath"):
        Bucket(f"{base}&keypath={key}")


def test_bucket_2x_unknown_certificate_user_on_every_front_end(
        connect: Callable[..., Any], front_end: str,  # noqa: F811
        cert_mock: MockCluster, stranger_cert: tuple[str, str]) -> None:
    """The certificate is loaded on every front end (Twisted's pyOpenSSL too): the
    cluster reads its user and refuses one it does not know, an authentication error."""
    cert, key = stranger_cert
    started = time.monotonic()
    with pytest.raises(CouchbaseError, match="(?i)auth|credentials"):
        connect(f"{cert_mock.tls_connstr}/default?certpath={cert}&keypath={key}"
                f"&truststorepath={cert_mock.ca_path}")
    assert time.monotonic() - started < CONNECT_TIMEOUT
