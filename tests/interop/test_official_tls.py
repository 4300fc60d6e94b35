"""The official SDK 4.x over TLS against the local cluster (issue 14).

The connection guide's form, ``Cluster("couchbases://...",
ClusterOptions(PasswordAuthenticator(user, password, cert_path=CA)))``, run by
the OFFICIAL SDK 4.x and by this package (official_sdk_tls4x.py), against one
local cluster serving TLS only (``MockCluster(tls=True, tls_only=True)``: a
client that fell back to plain ports would find none). Both do key-value, SQL++
and views over TLS and must give the same answers; a connection trusting a CA
that signed nothing of the cluster's fails in both within the script's 3 s
timeouts.
"""

from __future__ import annotations

import sys
import uuid
from typing import Iterator

import pytest
from test_official_4x import run_script  # the one runner of the 4.x scripts

from couchbase_mock.mock import MockCluster
from couchbase_mock.views import jsengine

trustme = pytest.importorskip("trustme")  # the 'mock-tls' extra makes the certificates

SCRIPT = "official_sdk_tls4x.py"


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    other_ca = tmp_path_factory.mktemp("other-ca") / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    with MockCluster(nodes=2, replicas=1, tls=True, tls_only=True) as mock:
        yield {"connstr": mock.tls_connstr, "username": mock.username,
               "password": mock.password, "ca": mock.ca_path, "other_ca": str(other_ca)}


def script_args(info: dict) -> tuple[str, ...]:
    return info["ca"], info["other_ca"], "1" if jsengine.available() else "0"


def test_the_official_sdk_works_over_tls(official_python, tls_cluster):
    assert tls_cluster["connstr"].startswith("couchbases://")
    steps = dict(run_script(str(official_python), SCRIPT, tls_cluster,
                            f"o{uuid.uuid4().hex[:6]}-", False, script_args(tls_cluster)))
    assert steps["upsert"] == "cas0"
    assert steps["get"] == [{"abv": 7.2, "name": "Stout", "run": "P"}, "cas0"]
    assert steps["remove"] is True
    assert steps["get removed"] == {"raised": "DocumentNotFoundException"}
    assert steps["get missing"] == {"raised": "DocumentNotFoundException"}
    assert steps["select 1"] == [{"one": 1}]
    assert steps["query the bucket"] == [{"n": 1}, {"n": 2}]
    if jsengine.available():
        assert steps["view query"] == [["Mild", 3.5], ["Pale Ale", 5.6], ["Stout", 7.2]]
    else:
        assert "view query" not in steps and "skipped" in steps["views"]
    # a CA that signed nothing of the cluster's: no connection, and no hang
    assert steps["wrong CA"] == {"raised": "UnAmbiguousTimeoutException"}
    assert steps["wrong CA fails within 6 s"] is True
    if not jsengine.available():
        pytest.skip("views not checked: the local cluster's views need its JavaScript "
                    "engine (py_mini_racer; not on PyPy)")


def test_ours_answers_as_the_official_sdk_over_tls(official_python, tls_cluster):
    tag = uuid.uuid4().hex[:6]
    extra = script_args(tls_cluster)
    theirs = run_script(str(official_python), SCRIPT, tls_cluster, f"o{tag}-", False, extra)
    ours = run_script(sys.executable, SCRIPT, tls_cluster, f"p{tag}-", True, extra)
    assert ours == theirs


# -- client certificates (CertificateAuthenticator) ---------------------------------------
CERT_SCRIPT = "official_sdk_clientcert4x.py"


@pytest.fixture(scope="module")
def cert_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    certs = tmp_path_factory.mktemp("client-cert")
    with MockCluster(nodes=2, replicas=1, tls=True, tls_only=True,
                     client_cert_auth="mandatory") as mock:
        cert, key = mock.issue_client_cert(mock.username, str(certs))
        yield {"connstr": mock.tls_connstr, "username": mock.username,
               "password": mock.password, "extra": (mock.ca_path, cert, key)}


def test_the_official_sdk_authenticates_with_a_client_certificate(official_python,
                                                                  cert_cluster):
    steps = dict(run_script(str(official_python), CERT_SCRIPT, cert_cluster,
                            f"o{uuid.uuid4().hex[:6]}-", False, cert_cluster["extra"]))
    assert steps["upsert"] == "cas0"
    assert steps["get"] == [{"by": "certificate", "run": "P"}, "cas0"]
    assert steps["select 1"] == [{"one": 1}]
    # the cluster requires a certificate: wait_until_ready gives up (3 s)
    assert steps["password only"] == {"raised": "UnAmbiguousTimeoutException"}
    assert steps["password only fails within 6 s"] is True


def test_ours_answers_as_the_official_sdk_with_a_client_certificate(official_python,
                                                                    cert_cluster):
    tag = uuid.uuid4().hex[:6]
    extra = cert_cluster["extra"]
    theirs = run_script(str(official_python), CERT_SCRIPT, cert_cluster, f"o{tag}-", False,
                        extra)
    ours = run_script(sys.executable, CERT_SCRIPT, cert_cluster, f"p{tag}-", True, extra)
    assert ours == theirs
