"""The h11 plumbing shared by the mock's HTTP services.

:class:`HTTPProtocol` is an :class:`asyncio.Protocol` around a server-side
:class:`h11.Connection`. It feeds received bytes to h11, collects one request
and its body, and hands the complete request to the subclass, one request at a
time (pipelined requests wait in h11's buffer). Subclasses implement only
their handler:

- asynchronous services implement :meth:`HTTPProtocol.respond` (and
  :meth:`HTTPProtocol.respond_error`); each request runs as a task, and the
  connection cycles to the next request when it returns;
- synchronous services override :meth:`HTTPProtocol.request_complete`, answer
  at once and call :meth:`HTTPProtocol.next_cycle` (or leave the connection
  busy, e.g. to stream).

Responses go out whole (:meth:`HTTPProtocol.send_whole`, with
``Content-Length``) or chunked with flow control
(:meth:`HTTPProtocol.send_chunked`). An h11 protocol error answers 400 if it
still can and closes the connection.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import time
from typing import Any, Awaitable, Callable, Iterable, Optional

import h11

Headers = list[tuple[str, str]]


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


class HTTPProtocol(asyncio.Protocol):
    """One HTTP/1.x server connection: one request at a time."""

    def __init__(self) -> None:
        self.conn = h11.Connection(h11.SERVER)
        self.transport: Optional[asyncio.Transport] = None
        self._request: Optional[h11.Request] = None
        self._received = 0.0  # time.perf_counter() when the request line arrived
        self._body = bytearray()
        self._busy = False
        self._writable = asyncio.Event()
        self._writable.set()
        self._task: Optional[asyncio.Task[None]] = None

    # -- asyncio callbacks ------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self.transport = None
        self._writable.set()

    def pause_writing(self) -> None:
        self._writable.clear()

    def resume_writing(self) -> None:
        self._writable.set()

    def data_received(self, data: bytes) -> None:
        try:
            self.conn.receive_data(data)
        except h11.ProtocolError:
            self._fail()
            return
        if not self._busy:
            self._process()

    def eof_received(self) -> Optional[bool]:
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
        try:
            while self.transport is not None and not self._busy:
                event = conn.next_event()
                if event is h11.NEED_DATA or event is h11.PAUSED:
                    return
                if isinstance(event, h11.Request):
                    self._request = event
                    self._received = time.perf_counter()
                    self._body.clear()
                elif isinstance(event, h11.Data):
                    self._body += event.data
                elif isinstance(event, h11.EndOfMessage):
                    self._busy = True
                    self.request_complete()
                elif isinstance(event, h11.ConnectionClosed):
                    self.transport.close()
                    return
        except h11.ProtocolError:
            self._fail()

    def request_complete(self) -> None:
        """A whole request is in ``self._request`` and ``self._body``; the
        connection is busy. By default, run :meth:`respond` as a task."""
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
            await self.respond(req, bytes(self._body))
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
        conn = self.conn
        if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
            if self.transport is not None:
                self.transport.close()
            return False
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
            return True
        return False

    # -- responses ----------------------------------------------------------------

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

    def _fail(self) -> None:
        if self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            try:
                self._send(h11.Response(status_code=400, headers=[("Content-Length", "0")]))
                self._send(h11.EndOfMessage())
            except h11.ProtocolError:
                pass
        if self.transport is not None:
            self.transport.close()
