"""One HTTP/1.1 request and its response, as bytes in and bytes out (h11 does the parsing).

The views, design document and (later) query requests of every front end go
through :class:`HttpExchange`: the front end writes :attr:`HttpExchange.request`
on a fresh connection, hands each chunk it receives to :meth:`HttpExchange.feed`
(``b""`` once the peer closed) and gets the body back in pieces. Each exchange
asks for ``Connection: close``, so a connection carries one request.

>>> ex = HttpExchange("GET", "h", 8092, "/b/_design/d", "u", "p")
>>> ex.request.startswith(b"GET /b/_design/d HTTP/1.1")
True
>>> ex.feed(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\n{}")
[b'{}']
>>> ex.status, ex.complete
(200, True)
"""

from __future__ import annotations

import base64
from typing import Optional

import h11

from .errors import ConnectionClosed, RemoteProtocolError

USER_AGENT = "couchbase-pure"


def basic_auth(username: str, password: str) -> str:
    """The ``Authorization`` header value for HTTP Basic authentication."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


class HttpExchange:
    """A client request and the state of its response.

    After :meth:`feed` returned, :attr:`status` is set once the status line
    arrived and :attr:`complete` once the whole body did.
    """

    __slots__ = ("method", "target", "request", "status", "reason", "headers", "complete",
                 "_conn")

    def __init__(self, method: str, host: str, port: int, target: str, username: str,
                 password: str, body: Optional[bytes] = None,
                 content_type: str = "application/json") -> None:
        self.method = method
        self.target = target
        self.status: Optional[int] = None
        self.reason = ""
        self.headers: dict[str, str] = {}
        self.complete = False
        self._conn = h11.Connection(h11.CLIENT)
        authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        headers = [
            ("Host", authority),
            ("User-Agent", USER_AGENT),
            ("Accept", "application/json"),
            ("Connection", "close"),
        ]
        if username or password:  # none: a client certificate authenticates (TLS)
            headers.insert(1, ("Authorization", basic_auth(username, password)))
        if body is not None:
            headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        out = self._conn.send(h11.Request(method=method, target=target, headers=headers))
        if body:
            out += self._conn.send(h11.Data(data=body))
        out += self._conn.send(h11.EndOfMessage())
        self.request: bytes = out

    def feed(self, data: bytes) -> list[bytes]:
        """The body bytes carried by ``data`` (``b""``: the connection closed)."""
        if self.complete:
            return []
        conn = self._conn
        try:
            conn.receive_data(data)
        except RuntimeError:  # data after the peer closed: nothing more is coming
            return []
        body: list[bytes] = []
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                if not data:  # closed mid-body
                    raise ConnectionClosed(f"the server closed the connection before "
                                           f"answering {self.method} {self.target} in full: "
                                           f"{exc}") from None
                raise RemoteProtocolError(
                    f"bad HTTP response to {self.method} {self.target}: {exc}") from exc
            if event is h11.NEED_DATA or event is h11.PAUSED:
                break
            if isinstance(event, h11.Response):
                self.status = event.status_code
                self.reason = event.reason.decode("latin-1")
                self.headers = {k.decode("latin-1"): v.decode("latin-1")
                                for k, v in event.headers}
            elif isinstance(event, h11.Data):
                body.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                self.complete = True
                break
            elif isinstance(event, h11.ConnectionClosed):
                break
        if not data and not self.complete:
            raise ConnectionClosed(f"the server closed the connection before answering "
                                   f"{self.method} {self.target} in full")
        return body
