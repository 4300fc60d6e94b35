"""A flow's HTTP connection over an event-loop backend (views, N1QL, HTTP bootstrap).

The backend feeds :class:`MuxHttpLink` like any connection; the link keeps
what arrives until the flow asks (:meth:`MuxHttpLink.receive`), and stops
reading from the network while more than ``PAUSE_ABOVE`` bytes wait, so a
large streamed result never piles up in memory faster than the flow reads.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Optional

from .._core.commands import Endpoint
from ..exceptions import ConnectError, CouchbaseError, NetworkError, TimeoutError

if TYPE_CHECKING:
    from .mux import Backend, Timer, Transport

Done = Callable[[Any, Optional[BaseException]], None]
PAUSE_ABOVE = 1 << 20


class MuxHttpLink:
    """One HTTP connection: ``data`` is written once connected; bytes are handed out
    as the flow asks; ``timeout`` seconds without any fail the waiting flow."""

    def __init__(self, backend: Backend, endpoint: Endpoint, data: bytes,
                 on_open: Done) -> None:
        self.backend = backend
        self.endpoint = endpoint
        self.where = f"{endpoint.host}:{endpoint.port}"
        self.timeout = endpoint.timeout
        self.transport: Optional[Transport] = None
        self._data = data
        self._on_open: Optional[Done] = on_open
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._paused = False
        self._ended = False
        self._error: Optional[BaseException] = None
        self._reader: Optional[Done] = None
        self._timer: Optional[Timer] = None

    def __repr__(self) -> str:
        state = "ended" if self._ended else "open" if self.transport else "connecting"
        return f"MuxHttpLink({self.where}, {state}, {self._buffered} bytes buffered)"

    def start(self) -> None:
        self._timer = self.backend.call_later(self.timeout, self._connect_expired)
        self.backend.connect(self.endpoint.host, self.endpoint.port, self.endpoint.tls, self)

    # -- events from the backend -----------------------------------------------------
    def connection_made(self, transport: Transport) -> None:
        if self._on_open is None:  # gave up waiting for it
            transport.close()
            return
        self.transport = transport
        self._cancel_timer()
        transport.write(self._data)
        self._data = b""
        on_open, self._on_open = self._on_open, None
        on_open(self, None)

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        if self._buffered > PAUSE_ABOVE and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self._ended = True
        if self._on_open is not None:  # never connected
            on_open, self._on_open = self._on_open, None
            self._cancel_timer()
            if isinstance(exc, CouchbaseError):
                error: BaseException = exc
            else:
                error = ConnectError(f"could not connect to {self.where}: {exc}",
                                     inner_cause=exc)
            on_open(None, error)
            return
        if exc is not None:
            self._error = exc if isinstance(exc, CouchbaseError) else NetworkError(
                f"HTTP connection to {self.where} lost: {exc}", inner_cause=exc)
        self.transport = None
        self._wake()

    # -- what the flow asks ---------------------------------------------------------------
    def receive(self, done: Done) -> None:
        """``done(bytes, None)`` with what arrived (``b""``: closed), or ``done(None, error)``."""
        if self._chunks:
            done(self._take(), None)
        elif self._error is not None:
            error, self._error = self._error, None
            done(None, error)
        elif self._ended:
            done(b"", None)
        else:
            self._reader = done
            self._timer = self.backend.call_later(self.timeout, self._receive_expired)

    def close(self) -> None:
        self._cancel_timer()
        self._reader = None
        self._on_open = None
        transport, self.transport = self.transport, None
        if transport is not None:
            transport.close()

    # -- internals -----------------------------------------------------------------------
    def _take(self) -> bytes:
        chunks = self._chunks
        data = chunks.popleft() if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        self._buffered = 0
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return data

    def _wake(self) -> None:
        reader = self._reader
        if reader is None:
            return
        self._reader = None
        self._cancel_timer()
        self.receive(reader)

    def _cancel_timer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _connect_expired(self) -> None:
        self._timer = None
        on_open, self._on_open = self._on_open, None
        if on_open is not None:
            on_open(None, TimeoutError(f"timed out connecting to {self.where}"))

    def _receive_expired(self) -> None:
        self._timer = None
        reader, self._reader = self._reader, None
        if reader is not None:
            reader(None, TimeoutError(f"no response from {self.where} in {self.timeout}s"))


__all__ = ["MuxHttpLink"]
