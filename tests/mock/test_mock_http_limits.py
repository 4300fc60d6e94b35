"""The HTTP ports' edge (management, views, query): credentials and body size
checked on the request head, before the body is read; public endpoints;
bounded heads (couchbase_mock.httpserver, couchbase_mock.limits)."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket

import pytest
from mock_http import ADMIN, basic_auth, fetch

from couchbase_mock.httpserver import HTTPProtocol
from couchbase_mock.limits import DEFAULT_LIMITS

MiB = 1024 * 1024
PORTS = ("mgmt_port", "capi_port", "query_port")
PATHS = {"mgmt_port": "/pools/default/buckets", "capi_port": "/default/_design/d",
         "query_port": "/query/service"}


def _exchange(port: int, data: bytes) -> bytes:
    """Send ``data``, then read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def _head(path: str, length: int, auth: bool) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: x", f"Content-Length: {length}",
             "Content-Type: application/json"]
    if auth:
        lines.append(f"Authorization: {ADMIN['Authorization']}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.mark.parametrize("port", PORTS)
def test_an_unauthenticated_400_mb_post_is_refused_before_its_body(mock_cluster, port):
    # Only the head and 1 KiB of the announced 400 MB are ever sent: the 401
    # and the end of the connection come without the server waiting for more.
    number = getattr(mock_cluster.nodes[0], port)
    answer = _exchange(number, _head(PATHS[port], 400 * MiB, auth=False) + b"{" * 1024)
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    assert head.startswith(b"http/1.1 401")
    assert b"connection: close" in head


@pytest.mark.parametrize("port", PORTS)
def test_a_body_over_the_limit_is_refused_with_413(mock_cluster, port):
    number = getattr(mock_cluster.nodes[0], port)
    length = DEFAULT_LIMITS.http_body + 1
    answer = _exchange(number, _head(PATHS[port], length, auth=True) + b"{}")
    assert answer.startswith(b"HTTP/1.1 413")


def test_an_oversized_request_head_gets_431(mock_cluster):
    filler = "a" * (DEFAULT_LIMITS.http_head + 1)
    request = f"GET /pools HTTP/1.1\r\nHost: x\r\nX-Filler: {filler}\r\n\r\n".encode()
    answer = _exchange(mock_cluster.nodes[0].mgmt_port, request)
    assert answer.startswith(b"HTTP/1.1 431")


def _on_one_connection(port: int, *requests: tuple[str, dict[str, str]]
                       ) -> list[tuple[int, bytes, bool, http.client.HTTPMessage]]:
    """GET each ``(path, headers)`` in turn on one kept-alive connection:
    ``(status, body, whether the server closes after it, headers)`` for each."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    out = []
    try:
        for path, headers in requests:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            out.append((resp.status, resp.read(), resp.will_close, resp.headers))
    finally:
        conn.close()
    return out


def test_query_admin_vitals_needs_credentials_and_ping_does_not(mock_cluster):
    anonymous, wrong, admin, ping = _on_one_connection(
        mock_cluster.nodes[0].query_port, ("/admin/vitals", {}),
        ("/admin/vitals", basic_auth("Administrator", "wrong")),
        ("/admin/vitals", ADMIN), ("/admin/ping", {}))
    assert anonymous[0] == 401 and json.loads(anonymous[1])["errors"][0]["code"] == 10000
    assert wrong[0] == 401
    assert admin[0] == 200 and json.loads(admin[1])["version"]
    assert ping[0] == 200


def test_pools_is_public_and_the_rest_of_the_management_api_is_not(mock_cluster):
    status, doc = fetch(mock_cluster, "/pools", headers={})
    assert status == 200 and doc["isAdminCreds"] is False and doc["implementationVersion"]
    status, doc = fetch(mock_cluster, "/pools")
    assert status == 200 and doc["isAdminCreds"] is True
    for path in ("/pools/default", "/pools/default/buckets", "/nothing"):
        assert fetch(mock_cluster, path, headers={})[0] == 401
    assert fetch(mock_cluster, "/pools", headers={}, method="POST", body="x=1")[0] == 401


def test_views_port_needs_credentials_everywhere(mock_cluster):
    for status, _body, _closes, headers in _on_one_connection(
            mock_cluster.nodes[0].capi_port, ("/", {}), ("/default/_design/d", {})):
        assert status == 401 and headers["WWW-Authenticate"]


def test_a_refused_request_without_a_body_keeps_the_connection(mock_cluster):
    refused, admitted = _on_one_connection(
        mock_cluster.nodes[0].mgmt_port, ("/pools/default", {}), ("/pools/default", ADMIN))
    assert refused[0] == 401 and not refused[2]
    assert admitted[0] == 200 and json.loads(admitted[1])["name"] == "default"


class Small(HTTPProtocol):
    """A service taking bodies of at most 100 bytes, echoing their length."""

    max_body = 100

    def request_complete(self) -> None:
        out = str(len(self.take_body())).encode()
        self.send_whole(200, [("Content-Length", str(len(out)))], out)
        self.next_cycle()


async def _serve_once(payload: bytes) -> bytes:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Small, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(payload)
        data = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        return data
    finally:
        server.close()
        await server.wait_closed()


def _chunked(body: bytes) -> bytes:
    head = (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"Connection: close\r\n\r\n")
    return head + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)


def test_a_chunked_body_is_cut_off_at_the_limit():
    answer = asyncio.run(_serve_once(_chunked(b"a" * 101)))
    assert answer.startswith(b"HTTP/1.1 413") and b"connection: close" in answer.lower()
    answer = asyncio.run(_serve_once(_chunked(b"a" * 100)))
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"100")
