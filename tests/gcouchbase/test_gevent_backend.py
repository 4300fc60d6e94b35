"""The gevent backend on its own (TLS, timers) and the connection's life and death."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any, Optional

import gevent
import pytest
from gevent import ssl as gevent_ssl
from gevent.hub import get_hub
from gevent.server import StreamServer

from couchbase.exceptions import CouchbaseNetworkError, NotFoundError
from gcouchbase._backend import GeventBackend
from gcouchbase.bucket import Bucket


class FakeNode:
    """Stands in for a MuxNode: records what the backend tells it."""

    def __init__(self, greeting: bytes = b"") -> None:
        self.greeting = greeting
        self.closed = False
        self.transport: Any = None
        self.received = b""
        self.lost: list[Optional[BaseException]] = []

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        if self.greeting:
            transport.write(self.greeting)

    def data_received(self, data: bytes) -> None:
        self.received += data

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self.lost.append(exc)
        self.closed = True


def _wait_for(condition, timeout: float = 5.0) -> None:
    with gevent.Timeout(timeout):
        while not condition():
            gevent.sleep(0.005)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder: Path = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return str(cert), str(key)


def _echo(sock: Any, _address: Any) -> None:
    while True:
        data = sock.recv(65536)
        if not data:
            return
        sock.sendall(data.upper())


@pytest.fixture
def tls_echo(certificate):
    cert, key = certificate
    context = gevent_ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)  # gevent's: a cooperative server
    context.load_cert_chain(cert, key)
    server = StreamServer(("127.0.0.1", 0), _echo, ssl_context=context)
    server.start()
    yield server.server_port
    server.stop()


def test_tls_round_trip_through_memory_bios(tls_echo):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    node = FakeNode(greeting=b"hello ")
    backend = GeventBackend(get_hub(), 5.0)
    backend.connect("127.0.0.1", tls_echo, context, node)
    _wait_for(lambda: node.received == b"HELLO ")
    for _ in range(50):  # writes queued by one greenlet leave in order
        node.transport.write(b"x" * 1000)
    _wait_for(lambda: len(node.received) == 6 + 50_000)
    assert node.received.endswith(b"X" * 50_000)
    node.transport.close()
    gevent.sleep(0.01)
    assert node.lost == []  # closed by us: nothing to report


def test_tls_certificate_checked_by_the_context(tls_echo):
    node = FakeNode()
    GeventBackend(get_hub(), 5.0).connect("127.0.0.1", tls_echo,
                                          ssl.create_default_context(), node)
    _wait_for(lambda: node.lost)
    assert isinstance(node.lost[0], ssl.SSLError) and node.transport is None


def test_peer_closing_is_reported_once():
    def close_at_once(sock: Any, _address: Any) -> None:
        sock.recv(10)
        sock.close()

    server = StreamServer(("127.0.0.1", 0), close_at_once)
    server.start()
    try:
        node = FakeNode(greeting=b"hi")
        GeventBackend(get_hub(), 5.0).connect("127.0.0.1", server.server_port, None, node)
        _wait_for(lambda: node.lost)
        gevent.sleep(0.01)
        assert node.lost == [None]
    finally:
        server.stop()


def test_timers_fire_and_cancel():
    backend = GeventBackend(get_hub(), 5.0)
    fired: list[str] = []
    backend.call_later(0.01, lambda: fired.append("late"))
    backend.call_later(0, lambda: fired.append("now"))
    backend.call_later(0.005, lambda: fired.append("cancelled")).cancel()
    gevent.sleep(0.05)
    assert fired == ["now", "late"]


def test_http_bootstrap_errors_arrive_as_couchbase_errors():
    # the HTTP config fetch runs on the hub's sockets (no thread), as every flow does
    with pytest.raises(CouchbaseNetworkError):
        Bucket("http://127.0.0.1:1/default", bootstrap_timeout=1)


def test_cluster_going_away_fails_operations_with_network_errors(fresh_mock):
    cb = Bucket(f"{fresh_mock.connstr}/default", username=fresh_mock.username,
                password=fresh_mock.password, bootstrap_timeout=1)
    try:
        cb.upsert("before", 1)
        fresh_mock.stop()
        with pytest.raises(CouchbaseNetworkError):
            cb.get("before")
    finally:
        cb.close()


def test_named_collections(fresh_mock):
    fresh_mock.create_scope("default", "inventory")
    fresh_mock.create_collection("default", "inventory", "airline")
    cb = Bucket(f"{fresh_mock.connstr}/default", username=fresh_mock.username,
                password=fresh_mock.password)
    try:
        airline = cb.scope("inventory").collection("airline")
        airline.upsert("a1", {"name": "Couch Air"})
        assert airline.get("a1").value == {"name": "Couch Air"}
        with pytest.raises(NotFoundError):
            cb.get("a1")  # another collection: the default one
    finally:
        cb.close()
