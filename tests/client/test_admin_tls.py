"""The 2.x couchbase.admin.Admin and Cluster.cluster_manager() over TLS (issue 14).

From the 2.x API reference: ``Admin(username, password, host='localhost', port=8091,
**kwargs)`` takes a ``connection_string`` instead of host and port. With a
``couchbases://`` string (or ``https://``) and ``cert_path`` the CA, Admin speaks HTTPS
to the management TLS port (18091 on a server; the node's ``mgmtSSL`` from the
cluster map when the string names key-value ports), verifying the certificate. A
cluster that serves only TLS is reachable; a wrong CA fails with an error naming
the certificate, fast.
"""

from __future__ import annotations

import ssl
import time
from pathlib import Path
from typing import Iterator

import pytest

from couchbase.admin import Admin, _target
from couchbase.cluster import Cluster, PasswordAuthenticator
from couchbase.exceptions import CouchbaseError
from couchbase_mock.mock import MockCluster
from tls_helpers import make_other_ca

trustme = pytest.importorskip("trustme")  # the 'mock-tls' extra makes the certificates

FAST = 5.0  # well under Admin's 75 s default timeout


@pytest.fixture(scope="module")
def tls_mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1, tls=True, tls_only=True) as mock:
        yield mock

@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> str:
    return make_other_ca(tmp_path_factory)


def mgmt_tls_port(mock: MockCluster) -> int:
    return int(mock.cluster.members[0].ports["mgmtSSL"])


def test_couchbases_kv_ports_reach_the_management_tls_port(tls_mock: MockCluster) -> None:
    """The mock's couchbases:// string names KV TLS ports: Admin reads the node's
    mgmtSSL from the cluster map and speaks HTTPS there."""
    adm = Admin(tls_mock.username, tls_mock.password,
                connection_string=f"{tls_mock.tls_connstr}?cert_path={tls_mock.ca_path}")
    assert adm.port in {int(n.ports["mgmtSSL"]) for n in tls_mock.cluster.members}
    assert adm.bucket_info("default").value["name"] == "default"
    assert "nodes" in adm.http_request("/pools/default").value


@pytest.mark.parametrize("form", ["https://{host}:{port}?cert_path={ca}",
                                  "couchbases://{host}:{port}=https?cert_path={ca}"])
def test_explicit_management_tls_port(tls_mock: MockCluster, form: str) -> None:
    connstr = form.format(host=tls_mock.host, port=mgmt_tls_port(tls_mock),
                          ca=tls_mock.ca_path)
    adm = Admin(tls_mock.username, tls_mock.password, connection_string=connstr)
    assert adm.port == mgmt_tls_port(tls_mock)
    assert "default" in [b["name"] for b in adm.http_request("/pools/default/buckets").value]


def test_no_port_means_the_standard_management_tls_port(tls_mock: MockCluster) -> None:
    host, port, tls = _target(f"couchbases://127.0.0.1?cert_path={tls_mock.ca_path}",
                              "Administrator", "password")
    assert (host, port) == ("127.0.0.1", 18091)
    assert isinstance(tls, ssl.SSLContext) and tls.verify_mode == ssl.CERT_REQUIRED
    assert _target("couchbase://127.0.0.1", "u", "p") == ("127.0.0.1", 8091, None)


@pytest.mark.parametrize("via", ["kv", "https"])
def test_wrong_ca_is_a_certificate_error(tls_mock: MockCluster, other_ca: str,
                                         via: str) -> None:
    if via == "kv":
        connstr = f"{tls_mock.tls_connstr}?cert_path={other_ca}"
    else:
        connstr = f"https://{tls_mock.host}:{mgmt_tls_port(tls_mock)}?cert_path={other_ca}"
    started = time.monotonic()
    with pytest.raises(CouchbaseError, match="(?i)certificate"):
        Admin(tls_mock.username, tls_mock.password, connection_string=connstr)
    assert time.monotonic() - started < FAST


def test_plain_http_to_a_tls_only_cluster_fails_clearly(tls_mock: MockCluster) -> None:
    """The TLS port does not speak plain HTTP: an error, not a hang."""
    started = time.monotonic()
    with pytest.raises(CouchbaseError):
        Admin(tls_mock.username, tls_mock.password, timeout=2.0,
              connection_string=f"http://{tls_mock.host}:{mgmt_tls_port(tls_mock)}")
    assert time.monotonic() - started < FAST


def test_missing_ca_file_is_an_argument_error(tmp_path: Path) -> None:
    from couchbase.exceptions import ArgumentError

    with pytest.raises(ArgumentError, match="cert_path"):
        Admin("a", "b", connection_string=f"couchbases://127.0.0.1?cert_path={tmp_path}/x.pem")


@pytest.mark.parametrize("open_bucket_first", [True, False])
def test_cluster_manager_over_tls(tls_mock: MockCluster, open_bucket_first: bool) -> None:
    cluster = Cluster(f"{tls_mock.tls_connstr}?cert_path={tls_mock.ca_path}")
    cluster.authenticate(PasswordAuthenticator(tls_mock.username, tls_mock.password))
    if open_bucket_first:
        cluster.open_bucket("default")
    adm = cluster.cluster_manager()
    assert adm.port in {int(n.ports["mgmtSSL"]) for n in tls_mock.cluster.members}
    assert adm.bucket_info("default").value["name"] == "default"


def test_4x_managers_of_a_2x_cluster_without_a_bucket_use_tls(tls_mock: MockCluster) -> None:
    """Cluster.buckets() / search_indexes() with no bucket open find the management
    and search services on their TLS ports (they asked the plain 18091 and failed)."""
    cluster = Cluster(f"{tls_mock.tls_connstr}?cert_path={tls_mock.ca_path}")
    cluster.authenticate(PasswordAuthenticator(tls_mock.username, tls_mock.password))
    assert "default" in [b.name for b in cluster.buckets().get_all_buckets()]
    assert cluster.search_indexes().get_all_indexes() == []
