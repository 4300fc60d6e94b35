"""Client-certificate authentication in the local cluster (couchbase_mock.client_cert),
with Python's ssl module as the client, as Couchbase Server's "Enable
Client-Certificate Handling" page describes it: ``/settings/clientCertAuth``
(state and path/prefix/delimiter rules, validated), ``mandatory`` refusing a
handshake without a certificate, a certificate authenticating KV and HTTP as its
user without SASL or Basic auth, one naming no user refused."""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
from mock_kvclient import KV

from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase_mock import MockCluster

pytest.importorskip("trustme")

APP_USER, APP_PASSWORD = "app", "app-password"


def _add_user(mock: MockCluster, name: str, password: str) -> None:
    body = f"password={password}&roles=bucket_full_access[default]".encode()
    status, _ = _http(mock, "mgmt", f"/settings/rbac/users/local/{name}", body, method="PUT",
                      content_type="application/x-www-form-urlencoded")
    assert status == 200


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("client-certs")


@pytest.fixture(scope="module")
def mandatory(certs: Path) -> Iterator[MockCluster]:
    with MockCluster(nodes=1, tls=True, client_cert_auth="mandatory") as mock:
        _add_user(mock, APP_USER, APP_PASSWORD)
        yield mock


@pytest.fixture()
def enabled() -> Iterator[MockCluster]:
    with MockCluster(nodes=1, tls=True, client_cert_auth="enable") as mock:
        yield mock


def _context(mock: MockCluster, cert: Optional[tuple[str, str]] = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=mock.ca_path)
    if cert is not None:
        context.load_cert_chain(*cert)
    return context


def _http(mock: MockCluster, service: str, path: str, body: Optional[bytes] = None, *,
          cert: Optional[tuple[str, str]] = None, auth: Optional[tuple[str, str]] = ("", ""),
          method: Optional[str] = None, content_type: str = "application/json"
          ) -> tuple[int, bytes]:
    """A request to node 0: over TLS when ``cert`` is given (or ``service`` ends in SSL),
    with Basic auth unless ``auth`` is None (default: the administrator)."""
    tls = cert is not None or service.endswith("SSL")
    scheme = "https" if tls else "http"
    url = f"{scheme}://127.0.0.1:{mock.nodes[0].ports[service]}{path}"
    headers = {"Content-Type": content_type}
    if auth is not None:
        user, password = auth if auth[0] else (mock.username, mock.password)
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, context=_context(mock, cert) if tls else None,
                                    timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _tls_kv(mock: MockCluster, cert: Optional[tuple[str, str]]) -> KV:
    kv = KV(mock.nodes[0].ports["kvSSL"])
    kv.sock = _context(mock, cert).wrap_socket(kv.sock, server_hostname="127.0.0.1")
    return kv


# -- mandatory ------------------------------------------------------------------------


def test_mandatory_refuses_a_client_without_a_certificate(mandatory: MockCluster) -> None:
    for service in ("kvSSL", "mgmtSSL"):
        with pytest.raises((ssl.SSLError, ConnectionError, EOFError)):
            kv = KV(mandatory.nodes[0].ports[service])
            try:  # TLS 1.3: the refusal arrives after the client's side of the handshake
                kv.sock = _context(mandatory).wrap_socket(kv.sock, server_hostname="127.0.0.1")
                kv.request(Opcode.NOOP)
            finally:
                kv.close()


def test_certificate_authenticates_kv_without_sasl(mandatory: MockCluster, certs: Path) -> None:
    cert = mandatory.issue_client_cert(APP_USER, str(certs))
    with _tls_kv(mandatory, cert) as kv:
        kv.hello()
        assert kv.select("default") == Status.SUCCESS  # no SASL: the certificate's user
        assert kv.set(b"by-cert", b'{"a":1}').status in (Status.SUCCESS, Status.NOT_MY_VBUCKET)
        # a connection its certificate authenticated takes no SASL (none is handled)
        assert kv.auth(mandatory.username, mandatory.password, "PLAIN") == Status.AUTH_ERROR


def test_certificate_user_has_only_its_roles(mandatory: MockCluster, certs: Path) -> None:
    cert = mandatory.issue_client_cert(APP_USER, str(certs))
    status, _ = _http(mandatory, "mgmtSSL", "/pools/default/buckets/default", cert=cert,
                      auth=None)
    assert status == 200
    status, _ = _http(mandatory, "mgmtSSL", "/settings/clientCertAuth", cert=cert, auth=None)
    assert status == 403  # app is no administrator


def test_certificate_authenticates_http_without_basic_auth(mandatory: MockCluster,
                                                           certs: Path) -> None:
    cert = mandatory.issue_client_cert(mandatory.username, str(certs))
    status, body = _http(mandatory, "mgmtSSL", "/pools/default", cert=cert, auth=None)
    assert status == 200 and json.loads(body)["nodes"]
    status, body = _http(mandatory, "n1qlSSL", "/query/service", b'{"statement":"SELECT 1"}',
                         cert=cert, auth=None)
    assert status == 200 and json.loads(body)["results"] == [{"$1": 1}]
    # its certificate decides who it is, not the Basic header
    status, _ = _http(mandatory, "mgmtSSL", "/pools/default", cert=cert,
                      auth=("nobody", "wrong"))
    assert status == 200


def test_certificate_naming_no_user_is_refused(mandatory: MockCluster, certs: Path) -> None:
    cert = mandatory.issue_client_cert("stranger", str(certs))
    status, _ = _http(mandatory, "mgmtSSL", "/pools/default", cert=cert)  # even with Basic
    assert status == 401
    with _tls_kv(mandatory, cert) as kv:
        kv.hello()
        assert kv.auth(mandatory.username, mandatory.password, "PLAIN") == Status.AUTH_ERROR
        assert kv.select("default") == Status.AUTH_ERROR


def test_certificate_from_another_ca_is_refused(mandatory: MockCluster, tmp_path: Path) -> None:
    import trustme

    leaf = trustme.CA().issue_cert("x@client.invalid", common_name=mandatory.username)
    cert, key = str(tmp_path / "c.pem"), str(tmp_path / "c.key")
    leaf.cert_chain_pems[0].write_to_path(cert)
    leaf.private_key_pem.write_to_path(key)
    with pytest.raises((ssl.SSLError, ConnectionError, EOFError)):
        with _tls_kv(mandatory, (cert, key)) as kv:
            kv.request(Opcode.NOOP)


# -- enable ---------------------------------------------------------------------------


def test_enable_lets_clients_without_certificates_use_passwords(enabled: MockCluster,
                                                                tmp_path: Path) -> None:
    with _tls_kv(enabled, None) as kv:
        kv.hello()
        assert kv.auth(enabled.username, enabled.password, "PLAIN") == Status.SUCCESS
    assert _http(enabled, "mgmtSSL", "/pools/default")[0] == 200
    cert = enabled.issue_client_cert(enabled.username, str(tmp_path))
    assert _http(enabled, "mgmtSSL", "/pools/default", cert=cert, auth=None)[0] == 200


def test_prefix_and_delimiter_pick_the_user(enabled: MockCluster, tmp_path: Path) -> None:
    # the issued certificate's SAN email is "<name>@client.invalid"; its CN "svc-x"
    rules = {"state": "enable", "prefixes": [
        {"path": "subject.cn", "prefix": "svc-", "delimiter": ""},
        {"path": "san.email", "prefix": "", "delimiter": "@"}]}
    assert _http(enabled, "mgmt", "/settings/clientCertAuth",
                 json.dumps(rules).encode())[0] == 200
    by_cn = enabled.issue_client_cert(f"svc-{enabled.username}", str(tmp_path))
    assert _http(enabled, "mgmtSSL", "/pools/default", cert=by_cn, auth=None)[0] == 200
    rules["prefixes"] = rules["prefixes"][1:]
    assert _http(enabled, "mgmt", "/settings/clientCertAuth",
                 json.dumps(rules).encode())[0] == 200
    assert _http(enabled, "mgmtSSL", "/pools/default", cert=by_cn, auth=None)[0] == 401
    by_email = enabled.issue_client_cert(enabled.username, str(tmp_path))
    assert _http(enabled, "mgmtSSL", "/pools/default", cert=by_email, auth=None)[0] == 200


# -- REST settings ----------------------------------------------------------------------


def test_settings_round_trip(enabled: MockCluster) -> None:
    status, body = _http(enabled, "mgmt", "/settings/clientCertAuth")
    assert status == 200
    assert json.loads(body) == {"state": "enable", "prefixes": [
        {"path": "subject.cn", "prefix": "", "delimiter": ""}]}
    wanted = {"state": "mandatory", "prefixes": [
        {"path": "san.uri", "prefix": "www.", "delimiter": "."},
        {"path": "san.email", "prefix": "", "delimiter": "@"}]}
    assert _http(enabled, "mgmt", "/settings/clientCertAuth",
                 json.dumps(wanted).encode())[0] == 200
    assert json.loads(_http(enabled, "mgmt", "/settings/clientCertAuth")[1]) == wanted
    # takes effect for new handshakes: mandatory now refuses a client without one
    with pytest.raises((ssl.SSLError, ConnectionError, EOFError)):
        with _tls_kv(enabled, None) as kv:
            kv.request(Opcode.NOOP)


def _rule(path: str = "subject.cn", prefix: str = "", delimiter: str = "") -> dict[str, Any]:
    return {"path": path, "prefix": prefix, "delimiter": delimiter}


@pytest.mark.parametrize("doc", [
    {"state": "sometimes"},
    {"prefixes": [_rule()]},
    {"state": "enable", "prefixes": [_rule("subject.ou")]},
    {"state": "enable", "prefixes": [{"path": "subject.cn", "prefix": ""}]},
    {"state": "enable", "prefixes": [_rule(), _rule()]},
    {"state": "enable", "prefixes": [_rule(prefix=str(i)) for i in range(11)]},
    {"state": "enable", "prefixes": []},
    {"state": "enable", "extra": 1},
    "enable",
], ids=["state", "no-state", "path", "missing-field", "duplicate", "eleven", "empty",
        "unknown-key", "not-an-object"])
def test_settings_validation(enabled: MockCluster, doc: Any) -> None:
    status, body = _http(enabled, "mgmt", "/settings/clientCertAuth", json.dumps(doc).encode())
    assert status == 400 and json.loads(body)["errors"]
    assert json.loads(_http(enabled, "mgmt", "/settings/clientCertAuth")[1])["state"] == "enable"


def test_settings_are_for_the_administrator(mandatory: MockCluster) -> None:
    status, _ = _http(mandatory, "mgmt", "/settings/clientCertAuth",
                      auth=(APP_USER, APP_PASSWORD))
    assert status == 403
    assert _http(mandatory, "mgmt", "/settings/clientCertAuth", auth=None)[0] == 401


def test_client_cert_auth_needs_tls() -> None:
    with pytest.raises(ValueError, match="needs tls"):
        MockCluster(nodes=1, client_cert_auth="enable")
    with pytest.raises(ValueError, match="state must be"):
        MockCluster(nodes=1, tls=True, client_cert_auth="required")


def test_cli_flag() -> None:
    from couchbase_mock.__main__ import parse_args

    assert parse_args(["--tls", "--client-cert-auth", "mandatory"]).client_cert_auth == \
        "mandatory"
    with pytest.raises(SystemExit):
        parse_args(["--client-cert-auth", "enable"])  # without --tls
