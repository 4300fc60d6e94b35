"""Blocking HTTP/1.1 requests driven through h11 (used for HTTP bootstrap)."""

from __future__ import annotations

import base64
import socket
import ssl
import time
from typing import Optional

import h11

from ..exceptions import AuthError, BucketNotFoundError, ConnectError, HTTPError, NetworkError
from ..exceptions import TimeoutError as CBTimeoutError

_CONFIG_SEPARATOR = b"\n\n\n\n"


def basic_auth(username: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{username}:{password}".encode())


def fetch_config(
    host: str,
    port: int,
    path: str,
    username: str,
    password: str,
    deadline: float,
    tls: Optional[ssl.SSLContext] = None,
) -> bytes:
    """GET ``path`` and return the first config of the (possibly streaming) body."""
    try:
        sock = socket.create_connection(
            (host, port), timeout=max(deadline - time.monotonic(), 0.001)
        )
    except OSError as exc:
        raise ConnectError(f"could not connect to {host}:{port}: {exc}", inner_cause=exc) from None
    try:
        if tls is not None:
            sock = tls.wrap_socket(sock, server_hostname=host)
        return _exchange(sock, host, port, path, username, password, deadline)
    except socket.timeout:
        raise CBTimeoutError(f"timed out fetching {path} from {host}:{port}") from None
    except OSError as exc:
        raise NetworkError(f"HTTP request to {host}:{port} failed: {exc}",
                           inner_cause=exc) from None
    finally:
        sock.close()


def _exchange(
    sock: socket.socket, host: str, port: int, path: str, username: str, password: str,
    deadline: float,
) -> bytes:
    conn = h11.Connection(h11.CLIENT)
    headers = [
        ("Host", f"{host}:{port}"),
        ("Authorization", basic_auth(username, password).decode()),
        ("User-Agent", "couchbase-pure"),
        ("Accept", "application/json"),
    ]
    sock.sendall(conn.send(h11.Request(method="GET", target=path, headers=headers)))
    sock.sendall(conn.send(h11.EndOfMessage()))
    status = 0
    body = bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            conn.receive_data(sock.recv(65536))
            continue
        if isinstance(event, h11.Response):
            status = event.status_code
        elif isinstance(event, h11.Data):
            body += event.data
            if status == 200 and _CONFIG_SEPARATOR in body:
                return bytes(body[: body.index(_CONFIG_SEPARATOR)])
        elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
            break
    if status == 200:
        return bytes(body.strip())
    if status == 401:
        raise AuthError(f"{host}:{port} refused the credentials for {path}", status=status)
    if status == 404:
        raise BucketNotFoundError(f"{host}:{port} has no {path}", status=status)
    raise HTTPError(f"GET {path} on {host}:{port} answered {status}", status=status)
