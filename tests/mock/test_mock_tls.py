"""TLS in the local cluster (couchbase_mock.tls), with Python's ssl module as
the client: every service's TLS port, the ports in the config, the CA at
``GET /pools/default/certificate``, refusals, and connections that never
finish a handshake."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
from mock_kvclient import KV

from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase_mock import MockCluster
from couchbase_mock.limits import Limits

trustme = pytest.importorskip("trustme")

SSL_NAMES = ("kvSSL", "mgmtSSL", "capiSSL", "n1qlSSL", "ftsSSL", "cbasSSL")
PLAIN_NAMES = ("kv", "mgmt", "capi", "n1ql", "fts", "cbas")
HANDSHAKE_TIMEOUT = 1.0
SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture(scope="module")
def tls_mock() -> Iterator[MockCluster]:
    mock = MockCluster(nodes=2, tls=True)
    assert mock.tls is not None
    mock.tls.handshake_timeout = HANDSHAKE_TIMEOUT
    with mock:
        yield mock


def _context(cafile: Optional[str]) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=cafile)
    assert context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED
    return context


def _tls_kv(mock: MockCluster, node: int = 0, cafile: Optional[str] = None,
            hostname: str = "127.0.0.1") -> KV:
    kv = KV(mock.nodes[node].ports["kvSSL"])
    try:
        kv.sock = _context(cafile or mock.ca_path).wrap_socket(kv.sock, server_hostname=hostname)
    except BaseException:
        kv.close()
        raise
    return kv


def _https(mock: MockCluster, service: str, path: str, body: Optional[bytes] = None,
           auth: bool = True, node: int = 0) -> tuple[int, bytes]:
    url = f"https://127.0.0.1:{mock.nodes[node].ports[service]}{path}"
    headers = {}
    if auth:
        token = base64.b64encode(f"{mock.username}:{mock.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, context=_context(mock.ca_path), timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# -- KV ------------------------------------------------------------------------


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA512"])
def test_kv_over_tls_verifies_ca_and_host_and_serves(tls_mock, mechanism):
    with _tls_kv(tls_mock) as kv:
        assert kv.sock.version() in ("TLSv1.2", "TLSv1.3")
        kv.hello()
        assert kv.auth(tls_mock.username, tls_mock.password, mechanism) == Status.SUCCESS
        assert kv.select("default") == Status.SUCCESS
        key = f"tls-{mechanism}".encode()
        node = tls_mock.locate("default", key)[1]
    with _tls_kv(tls_mock, node) as kv:
        kv.hello()
        assert kv.auth(tls_mock.username, tls_mock.password, mechanism) == Status.SUCCESS
        kv.select("default")
        assert kv.set(key, b'{"over":"tls"}').status == Status.SUCCESS
        got = kv.get(key)
        assert got.status == Status.SUCCESS and got.value == b'{"over":"tls"}'


def test_plain_kv_still_allows_sasl_plain(tls_mock):
    # The server does not refuse PLAIN over a plain port: the client decides.
    with KV(tls_mock.nodes[0].kv_port) as kv:
        kv.hello()
        assert kv.auth(tls_mock.username, tls_mock.password, "PLAIN") == Status.SUCCESS


def test_kv_config_advertises_tls_ports(tls_mock):
    with _tls_kv(tls_mock) as kv:
        kv.hello()
        kv.auth(tls_mock.username, tls_mock.password)
        kv.select("default")
        config = kv.config()
    for node, entry in zip(tls_mock.nodes, config["nodesExt"]):
        for name in SSL_NAMES + PLAIN_NAMES:
            assert entry["services"][name] == node.ports[name]
    assert len(set(tls_mock.nodes[0].ports.values())) == len(SSL_NAMES + PLAIN_NAMES)


def test_wrong_ca_is_refused_by_the_client(tls_mock, tmp_path):
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    with pytest.raises(ssl.SSLCertVerificationError):
        _tls_kv(tls_mock, cafile=str(other))
    raw = socket.create_connection(("127.0.0.1", tls_mock.nodes[0].ports["kvSSL"]), 5)
    with raw, pytest.raises(ssl.SSLCertVerificationError):  # nor in the system store
        _context(None).wrap_socket(raw, server_hostname="127.0.0.1")


def test_certificate_names_the_nodes_not_other_hosts(tls_mock):
    with pytest.raises(ssl.SSLCertVerificationError):
        _tls_kv(tls_mock, hostname="db.example.com")
    with _tls_kv(tls_mock, hostname="localhost") as kv:
        kv.hello()


def test_certificate_names_the_advertised_external_hosts():
    with MockCluster(nodes=1, tls=True, alternate_hostname="db.example.test",
                     external={0: {"hostname": "node0.example.test"}}) as mock:
        for name in ("db.example.test", "node0.example.test", "127.0.0.1"):
            with _tls_kv(mock, hostname=name) as kv:
                kv.hello()


# -- HTTP services -------------------------------------------------------------------


def test_each_http_service_answers_over_tls(tls_mock):
    status, body = _https(tls_mock, "mgmtSSL", "/pools/default/nodeServices")
    assert status == 200
    for node, entry in zip(tls_mock.nodes, json.loads(body)["nodesExt"]):
        assert {k: entry["services"][k] for k in SSL_NAMES} == {
            k: node.ports[k] for k in SSL_NAMES}
    status, body = _https(tls_mock, "n1qlSSL", "/query/service",
                          json.dumps({"statement": "SELECT 1 AS one"}).encode())
    assert status == 200 and json.loads(body)["results"] == [{"one": 1}]
    status, body = _https(tls_mock, "ftsSSL", "/api/index")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, body = _https(tls_mock, "capiSSL", "/default/_design/missing")
    assert status == 404 and b"not_found" in body
    status, _ = _https(tls_mock, "mgmtSSL", "/pools/default", auth=False)
    assert status == 401


def test_node_listings_name_the_https_ports(tls_mock):
    status, body = _https(tls_mock, "mgmtSSL", "/pools/nodes")
    assert status == 200
    for node, entry in zip(tls_mock.nodes, json.loads(body)["nodes"]):
        assert entry["ports"]["httpsMgmt"] == node.ports["mgmtSSL"]
        assert entry["ports"]["httpsCAPI"] == node.ports["capiSSL"]


def test_certificate_endpoint_returns_the_cluster_ca(tls_mock):
    ca = Path(tls_mock.ca_path).read_bytes()
    assert ca.startswith(b"-----BEGIN CERTIFICATE-----")
    for node in (0, 1):
        status, body = _https(tls_mock, "mgmtSSL", "/pools/default/certificate", node=node)
        assert status == 200 and body == ca
    status, body = _https(tls_mock, "mgmtSSL", "/pools/default/trustedCAs")
    assert status == 200
    (entry,) = json.loads(body)
    assert entry["pem"].encode() == ca and entry["notBefore"] < entry["notAfter"]
    assert _https(tls_mock, "mgmtSSL", "/pools/default/certificate", auth=False)[0] == 401


def test_certificate_endpoint_without_tls_is_not_found(mock_cluster):
    token = base64.b64encode(b"Administrator:password").decode()
    request = urllib.request.Request(f"{mock_cluster.mgmt_url}/pools/default/certificate",
                                     headers={"Authorization": f"Basic {token}"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    assert info.value.code == 404


# -- connections that never finish the handshake ---------------------------------------


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """True if the server closes ``sock`` (EOF or reset) within ``seconds``."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except socket.timeout:
        return False
    except OSError:
        return True
    return True


def test_plain_bytes_to_a_tls_port_are_dropped_others_unaffected(tls_mock):
    with socket.create_connection(("127.0.0.1", tls_mock.nodes[0].ports["kvSSL"]), 5) as raw:
        raw.sendall(b"\x80\x1f" + b"\x00" * 22)  # a plain HELLO header
        with _tls_kv(tls_mock) as kv:
            kv.hello()
        assert _closed_within(raw, HANDSHAKE_TIMEOUT + 3)
    with socket.create_connection(("127.0.0.1", tls_mock.nodes[0].ports["mgmtSSL"]), 5) as raw:
        raw.sendall(b"GET /pools HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _closed_within(raw, HANDSHAKE_TIMEOUT + 3)
    assert _https(tls_mock, "mgmtSSL", "/pools")[0] == 200


def test_stalled_handshakes_are_dropped_and_free_the_port():
    # The port's cap is 3: two stalled handshakes leave room for one client,
    # and once the handshake timeout drops them, for three again.
    mock = MockCluster(nodes=1, tls=True, limits=Limits(max_connections=3))
    assert mock.tls is not None
    mock.tls.handshake_timeout = HANDSHAKE_TIMEOUT
    with mock:
        port = mock.nodes[0].ports["kvSSL"]
        stalled = [socket.create_connection(("127.0.0.1", port), 5) for _ in range(2)]
        try:
            started = time.monotonic()
            with _tls_kv(mock) as kv:
                kv.hello()
            for sock in stalled:
                assert _closed_within(sock, HANDSHAKE_TIMEOUT + 3)
            assert time.monotonic() - started >= HANDSHAKE_TIMEOUT * 0.9
        finally:
            for sock in stalled:
                sock.close()
        # the guard gives their places back after the handshake timeout: then three fit
        deadline = time.monotonic() + HANDSHAKE_TIMEOUT + 5
        while not _three_clients_fit(mock):
            assert time.monotonic() < deadline, "the stalled handshakes kept their places"
            time.sleep(0.1)


def _three_clients_fit(mock: MockCluster) -> bool:
    clients = []
    try:
        for _ in range(3):
            clients.append(_tls_kv(mock))
            clients[-1].hello()
        return True
    except (OSError, EOFError, AssertionError):  # refused over the cap
        return False
    finally:
        for kv in clients:
            kv.close()


# -- options ----------------------------------------------------------------------------


def test_tls_only_closes_and_hides_the_plain_ports():
    with MockCluster(nodes=1, tls=True, tls_only=True) as mock:
        ports = mock.nodes[0].ports
        assert set(ports) == set(SSL_NAMES)
        status, body = _https(mock, "mgmtSSL", "/pools/default/nodeServices")
        assert status == 200
        assert set(json.loads(body)["nodesExt"][0]["services"]) == set(SSL_NAMES)
        status, body = _https(mock, "mgmtSSL", "/pools/default")
        assert set(json.loads(body)["nodes"][0]["services"]) == {"kv", "n1ql", "fts",
                                                                      "cbas"}
        with _tls_kv(mock) as kv:
            kv.hello()
            assert kv.auth(mock.username, mock.password) == Status.SUCCESS
        assert mock.tls_connstr == f"couchbases://127.0.0.1:{ports['kvSSL']}"
        assert mock.connstr == mock.tls_connstr  # no plain port to name (was port 0)
        assert mock.tls_connstr in repr(mock)


def test_tls_only_needs_tls():
    with pytest.raises(ValueError, match="tls_only"):
        MockCluster(nodes=1, tls_only=True)


def test_ca_file_lives_while_the_cluster_runs():
    mock = MockCluster(nodes=1, tls=True)
    with mock:
        path = mock.ca_path
        assert path is not None and os.path.exists(path)
    assert not os.path.exists(path) and mock.ca_path is None
    with pytest.raises(RuntimeError):
        _ = MockCluster(nodes=1).tls_connstr


def test_ca_file_goes_in_the_data_dir(tmp_path):
    with MockCluster(nodes=1, tls=True, data_dir=str(tmp_path)) as mock:
        assert mock.ca_path == str(tmp_path / "ca.pem")
    assert (tmp_path / "ca.pem").exists()  # the user's directory keeps it


def _cert_dir(path: Path, *hosts: str) -> trustme.CA:
    ca = trustme.CA()
    leaf = ca.issue_cert(*hosts)
    ca.cert_pem.write_to_path(str(path / "ca.pem"))
    (path / "chain.pem").write_bytes(b"".join(b.bytes() for b in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(str(path / "pkey.key"))
    return ca


def test_certificates_loaded_from_a_directory(tmp_path):
    _cert_dir(tmp_path, "127.0.0.1")
    with MockCluster(nodes=1, tls_cert_dir=str(tmp_path)) as mock:
        assert Path(mock.ca_path).read_bytes() == (tmp_path / "ca.pem").read_bytes()
        with _tls_kv(mock, cafile=str(tmp_path / "ca.pem")) as kv:
            kv.hello()
        with pytest.raises(ssl.SSLCertVerificationError):  # made for 127.0.0.1 only
            _tls_kv(mock, hostname="localhost")


def test_certificate_directory_problems_are_named(tmp_path):
    with pytest.raises(ValueError, match="pkey.key"):
        (tmp_path / "ca.pem").write_bytes(b"")
        (tmp_path / "chain.pem").write_bytes(b"")
        MockCluster(nodes=1, tls_cert_dir=str(tmp_path))
    (tmp_path / "pkey.key").write_bytes(b"not a key")
    with pytest.raises(ValueError, match="not a certificate and its key"):
        MockCluster(nodes=1, tls_cert_dir=str(tmp_path))


# -- the CLI ---------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen([sys.executable, "-m", "couchbase_mock", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_cli_tls_ready_line_names_the_ca():
    proc = _cli("--nodes", "1", "--tls")
    try:
        assert proc.stdout is not None
        info: dict[str, Any] = json.loads(proc.stdout.readline())
        ca = info["ca"]
        assert Path(ca).read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
        assert info["connstr"].startswith("couchbase://")
        port = int(info["tls_connstr"].removeprefix("couchbases://").rsplit(":", 1)[1])
        with KV(port) as kv:
            kv.sock = _context(ca).wrap_socket(kv.sock, server_hostname="127.0.0.1")
            assert kv.request(Opcode.NOOP).status == Status.SUCCESS
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    assert not os.path.exists(ca)  # a temporary CA is removed at exit


def test_cli_tls_only_needs_tls():
    proc = _cli("--tls-only")
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "--tls-only needs --tls" in err
