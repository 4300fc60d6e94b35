"""The h11 plumbing shared by the mock's HTTP services.

:class:`HTTPProtocol` is an :class:`asyncio.Protocol` around a server-side
:class:`h11.Connection`. It feeds received bytes to h11, collects one request
and its body, and hands the complete request to the subclass, one request at a
time (pipelined requests wait in h11's buffer). Subclasses implement only
their handler:

- asynchronous services implement :meth:`HTTPProtocol.respond` (and
  :meth:`HTTPProtocol.respond_error`); each request runs as a task, and the
  connection cycles to the next request when it returns;
- synchronous services override :meth:`HTTPProtocol.request_complete`, take
  the body with :meth:`HTTPProtocol.take_body`, answer at once and call
  :meth:`HTTPProtocol.next_cycle` (or leave the connection busy, e.g. to
  stream).

Requests are screened when their head arrives, before any of the body is
read (see :mod:`couchbase_mock.limits`): a service with a ``cluster``
attribute requires the credentials of one of its users on every request but
a GET or HEAD of :attr:`HTTPProtocol.public_paths` (401, shaped by
:meth:`HTTPProtocol.unauthorized`), and a body over
:attr:`HTTPProtocol.max_body` gets 413. When a refused request announced a
body, the answer says ``Connection: close``, the server shuts its side and
drops the connection once the client is done, discarding (never keeping) at
most :data:`LINGER_BYTES` of what it still sends. Heads are limited by h11
(431 past the limit).

Flow control both ways: while a request is being answered the connection
reads at most :data:`PIPELINE_BYTES` more, and while the transport's output
buffer is full it reads nothing and starts no new request.

Responses go out whole (:meth:`HTTPProtocol.send_whole`, with
``Content-Length``) or chunked with flow control
(:meth:`HTTPProtocol.send_chunked`). An h11 protocol error answers its status
(400, 431) if it still can and closes the connection.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from typing import Any, Awaitable, Callable, Iterable, Optional
from urllib.parse import unquote, urlsplit

import h11

from . import client_cert
from .limits import DEFAULT_LIMITS, Limits

Headers = list[tuple[str, str]]
Answer = tuple[int, Headers, bytes]

# Bytes a connection may send while its current request is being answered
# before the server stops reading it.
PIPELINE_BYTES = 64 * 1024
# After refusing a request with a body: how much more of it is discarded, and
# for how long, before the connection is cut.
LINGER_BYTES = 64 * 1024
LINGER_SECONDS = 2.0
REALM = 'Basic realm="Couchbase Server Admin / REST"'


def credentials(headers: Iterable[tuple[bytes, bytes]]) -> Optional[tuple[str, str]]:
    """``(user, password)`` from a Basic Authorization header, if any."""
    for name, value in headers:
        if name.lower() == b"authorization":
            scheme, _, encoded = value.partition(b" ")
            if scheme.lower() != b"basic":
                return None
            try:
                decoded = base64.b64decode(encoded.strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return None
            user, sep, password = decoded.partition(":")
            return (user, password) if sep else None
    return None


def request_path(target: bytes) -> str:
    """The percent-decoded path of a request target, without a trailing ``/``."""
    return unquote(urlsplit(target.decode("latin-1")).path).rstrip("/") or "/"


def _body_length(request: h11.Request) -> Optional[int]:
    """The announced body length: ``None`` when chunked, 0 when there is none."""
    length = 0
    for name, value in request.headers:
        if name == b"transfer-encoding":
            return None
        if name == b"content-length":
            length = int(value)  # h11 has checked it is a number
    return length


def _head_size(request: h11.Request) -> int:
    """About the bytes ``request``'s head took on the wire."""
    size = len(request.method) + len(request.target) + 12
    for name, value in request.headers:
        size += len(name) + len(value) + 4
    return size


class HTTPProtocol(asyncio.Protocol):
    """One HTTP/1.x server connection: one request at a time."""

    #: Paths (see :func:`request_path`) whose GET and HEAD need no credentials.
    public_paths: frozenset[str] = frozenset()
    #: The largest request body read; a larger one gets 413.
    max_body = DEFAULT_LIMITS.http_body
    #: The largest request head; a larger one gets 431.
    max_head = DEFAULT_LIMITS.http_head

    def __init__(self) -> None:
        self.conn = h11.Connection(h11.SERVER,
                                   max_incomplete_event_size=DEFAULT_LIMITS.http_head)
        self.transport: Optional[asyncio.Transport] = None
        #: Called once when the connection is gone (the server's connection count).
        self.on_close: Optional[Callable[[], None]] = None
        self._request: Optional[h11.Request] = None
        self._received = 0.0  # time.perf_counter() when the request line arrived
        self._body: list[bytes] = []
        self._body_size = 0
        self._refusal: Optional[Answer] = None  # the answer to a body-less request
        self._busy = False
        self._unprocessed = 0  # bytes received while busy
        self._reading = True
        self._linger: Optional[asyncio.TimerHandle] = None
        self._linger_left = 0
        self._writable = asyncio.Event()
        self._writable.set()
        self._task: Optional[asyncio.Task[None]] = None

    def apply_limits(self, limits: Limits) -> None:
        """Use ``limits`` instead of the defaults (before the connection is made)."""
        self.max_body = limits.http_body
        self.max_head = limits.http_head
        self.conn = h11.Connection(h11.SERVER, max_incomplete_event_size=limits.http_head)

    # -- asyncio callbacks ------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self.transport = None
        self._writable.set()
        self._body = []
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        on_close, self.on_close = self.on_close, None
        if on_close is not None:
            on_close()

    def pause_writing(self) -> None:
        self._writable.clear()
        self._update_reading()

    def resume_writing(self) -> None:
        self._writable.set()
        self._update_reading()
        if not self._busy and self._linger is None:
            self._process()

    def data_received(self, data: bytes) -> None:
        if self._linger is not None:
            self._discard(len(data))
            return
        try:
            self.conn.receive_data(data)
        except h11.ProtocolError as exc:
            self._fail(exc)
            return
        if self._busy:
            self._unprocessed += len(data)
            if self._unprocessed > PIPELINE_BYTES:
                self._update_reading()
            return
        self._process()

    def eof_received(self) -> Optional[bool]:
        if self._linger is not None:
            return None  # the client is done: close
        try:
            self.conn.receive_data(b"")
        except h11.ProtocolError:
            pass
        if not self._busy:
            self._process()
        return None

    # -- requests -----------------------------------------------------------------

    def _process(self) -> None:
        conn = self.conn
        writable = self._writable
        try:
            while (self.transport is not None and not self._busy and writable.is_set()
                   and self._linger is None):
                event = conn.next_event()
                if event is h11.NEED_DATA or event is h11.PAUSED:
                    return
                if isinstance(event, h11.Data):
                    self._body_size += len(event.data)
                    if self._body_size > self.max_body:
                        self._refuse(self._too_large())
                        return
                    self._body.append(event.data)
                elif isinstance(event, h11.Request):
                    event = self._identified(event)
                    self._request = event
                    self._received = time.perf_counter()
                    self._body = []
                    self._body_size = 0
                    refusal = self._screen(event)
                    if refusal is not None:
                        if refusal[0] == 431 or _body_length(event) != 0:
                            self._refuse(refusal)
                            return
                        self._refusal = refusal  # answered at its end
                elif isinstance(event, h11.EndOfMessage):
                    refusal, self._refusal = self._refusal, None
                    if refusal is not None:
                        self._answer(refusal)
                        if not self.next_cycle():
                            return
                        continue
                    self._busy = True
                    self.request_complete()
                elif isinstance(event, h11.ConnectionClosed):
                    self.transport.close()
                    return
        except h11.ProtocolError as exc:
            self._fail(exc)

    def _identified(self, request: h11.Request) -> h11.Request:
        """``request`` as its client certificate's user sent it, if the connection
        presented one (:func:`couchbase_mock.client_cert.http_headers`)."""
        cluster = getattr(self, "cluster", None)
        if getattr(cluster, "tls", None) is None:
            return request
        headers = client_cert.http_headers(cluster, self.transport, list(request.headers))
        if headers is None:
            return request
        return h11.Request(method=request.method, target=request.target, headers=headers,
                           http_version=request.http_version)

    def _screen(self, request: h11.Request) -> Optional[Answer]:
        """The answer that refuses ``request`` on its head alone, if any."""
        if _head_size(request) > self.max_head:
            # h11 refuses a longer head while it is incomplete, not once whole
            return 431, [("Content-Type", "text/plain")], b"Request header too large\n"
        if not self.authorized(request):
            headers, body = self.unauthorized(request)
            return 401, headers, body
        length = _body_length(request)
        if length is not None and length > self.max_body:
            return self._too_large()
        return None

    def authorized(self, request: h11.Request) -> bool:
        """Whether ``request`` may be read and handled: its path is public, or it
        carries the credentials of one of the cluster's users. (Whether that user
        may do what it asks is the handler's to decide.) A service without a
        ``cluster`` attribute has no users and lets every request through."""
        cluster = getattr(self, "cluster", None)
        if cluster is None:
            return True
        if request.method in (b"GET", b"HEAD") and \
                request_path(request.target) in self.public_paths:
            return True
        creds = credentials(request.headers)
        return creds is not None and bool(cluster.check_password(*creds))

    def unauthorized(self, request: h11.Request) -> tuple[Headers, bytes]:
        """Headers (``Content-Type`` included) and body of the 401 answer."""
        return ([("Content-Type", "application/json"), ("WWW-Authenticate", REALM)],
                b'{"error":"unauthorized","reason":"password required"}')

    def _too_large(self) -> Answer:
        text = f"Request body larger than {self.max_body} bytes\n".encode()
        return 413, [("Content-Type", "text/plain")], text

    def take_body(self) -> bytes:
        """The complete request's body; the connection keeps no reference to it."""
        parts, self._body = self._body, []
        return b"".join(parts)

    def request_complete(self) -> None:
        """A whole request is in ``self._request`` and its body waits for
        :meth:`take_body`; the connection is busy. By default, run
        :meth:`respond` as a task."""
        self._task = asyncio.ensure_future(self._respond())

    # respond(request, body): answer ``request``; asynchronous services define it
    respond: Callable[[h11.Request, bytes], Awaitable[None]]

    async def respond_error(self, request: h11.Request, exc: Exception) -> None:
        """Answer ``request`` after :meth:`respond` raised ``exc`` before
        sending a response."""
        self.send_whole(500, [("Content-Length", "0")], b"")

    async def _respond(self) -> None:
        req = self._request
        assert req is not None
        try:
            await self.respond(req, self.take_body())
        except Exception as exc:  # keep the server up; say what went wrong
            if self.conn.our_state is h11.SEND_RESPONSE:
                await self.respond_error(req, exc)
            elif self.transport is not None:
                self.transport.close()
            return
        if self.next_cycle():
            self._process()

    def next_cycle(self) -> bool:
        """After a response: close if either side must, else get ready for the
        next request (``True``: ready, go on processing)."""
        self._busy = False
        self._unprocessed = 0
        self._task = None
        conn = self.conn
        if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
            if self.transport is not None:
                self.transport.close()
            return False
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
            self._update_reading()
            return True
        return False

    # -- flow control ---------------------------------------------------------------

    def _update_reading(self) -> None:
        """Read while the output has room and no request is piling up behind a
        busy one."""
        transport = self.transport
        if transport is None or self._linger is not None:
            return
        want = self._writable.is_set() and not (
            self._busy and self._unprocessed > PIPELINE_BYTES)
        if want != self._reading:
            self._reading = want
            if want:
                transport.resume_reading()
            else:
                transport.pause_reading()

    def _refuse(self, answer: Answer) -> None:
        """Answer a request whose body will not be read, then let the client
        finish and close (a lingering close: closing at once with unread data
        would reset the connection and could lose the answer)."""
        status, headers, body = answer
        self._answer((status, [*headers, ("Connection", "close")], body))
        self._busy = True
        self._body = []
        transport = self.transport
        if transport is None:
            return
        if not self._reading:
            self._reading = True
            transport.resume_reading()
        self._linger_left = LINGER_BYTES
        self._linger = asyncio.get_running_loop().call_later(LINGER_SECONDS, self._cut)
        if transport.can_write_eof():
            transport.write_eof()
        else:
            transport.close()

    def _discard(self, size: int) -> None:
        self._linger_left -= size
        if self._linger_left < 0:
            self._cut()

    def _cut(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    # -- responses ----------------------------------------------------------------

    def _answer(self, answer: Answer) -> None:
        status, headers, body = answer
        head_only = self._request is not None and self._request.method == b"HEAD"
        self.send_whole(status, [*headers, ("Content-Length", str(len(body)))], body,
                        head_only)

    def send_whole(self, status: int, headers: Headers, body: bytes,
                   head_only: bool = False) -> None:
        """Send a complete response (``headers`` carry its ``Content-Length``)."""
        send = self._send
        send(h11.Response(status_code=status, headers=headers))
        if body and not head_only:
            send(h11.Data(data=body))
        send(h11.EndOfMessage())

    async def send_chunked(self, status: int, headers: Headers, chunks: Iterable[bytes],
                           head_only: bool = False) -> None:
        """Send a response chunk by chunk (chunked encoding on HTTP/1.1),
        waiting whenever the transport's buffer is full."""
        if self._request is not None and self._request.http_version == b"1.1":
            headers.append(("Transfer-Encoding", "chunked"))
        self._send(h11.Response(status_code=status, headers=headers))
        if not head_only:
            writable = self._writable
            for chunk in chunks:
                if self.transport is None:
                    return
                self._send(h11.Data(data=chunk))
                if not writable.is_set():
                    await writable.wait()
                else:
                    await asyncio.sleep(0)
        self._send(h11.EndOfMessage())

    def _send(self, event: Any) -> None:
        data = self.conn.send(event)
        if data and self.transport is not None:
            self.transport.write(data)

    def _fail(self, exc: h11.ProtocolError) -> None:
        if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            status = exc.error_status_hint if 400 <= exc.error_status_hint < 500 else 400
            try:
                self._send(h11.Response(status_code=status, headers=[("Content-Length", "0")]))
                self._send(h11.EndOfMessage())
            except h11.ProtocolError:
                pass
        if self.transport is not None:
            self.transport.close()
