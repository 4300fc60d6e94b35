"""The gevent backend of the multiplexing core: sockets and timers.

Each connection (a KV node, or a flow's HTTP link) has two greenlets: a
reader that feeds the protocol's ``data_received`` and a writer that drains
what any greenlet queued with :meth:`_Connection.write`. Writing never blocks
the caller, so many greenlets (and hub callbacks such as timers) may submit
requests on one connection while the reader is busy; their bytes leave in
one ``sendall``.

Nothing here monkey-patches: only gevent's own sockets and timers are used,
all bound to the hub of the thread that made the backend.
"""

from __future__ import annotations

import ssl
from socket import IPPROTO_TCP, TCP_NODELAY
from typing import Any, Callable, Optional

import gevent
from gevent import socket as gsocket
from gevent.event import Event
from gevent.hub import Hub

from couchbase._io.mux import StreamProtocol

_READ_SIZE = 64 * 1024  # as the blocking driver: a 256 KiB recv buffer is an mmap each


class _Tls:
    """TLS over in-memory BIOs: works with any ``ssl.SSLContext`` and never blocks."""

    __slots__ = ("obj", "incoming", "outgoing")

    def __init__(self, context: ssl.SSLContext, host: str) -> None:
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.obj = context.wrap_bio(self.incoming, self.outgoing, server_hostname=host)

    def handshake(self, sock: Any) -> None:
        """Complete the handshake on ``sock`` (yielding to the hub while waiting)."""
        while True:
            try:
                self.obj.do_handshake()
            except ssl.SSLWantReadError:
                pending = self.outgoing.read()
                if pending:
                    sock.sendall(pending)
                data = sock.recv(_READ_SIZE)
                if not data:
                    raise ConnectionResetError("the server closed the connection during "
                                               "the TLS handshake") from None
                self.incoming.write(data)
                continue
            pending = self.outgoing.read()
            if pending:
                sock.sendall(pending)
            return

    def encrypt(self, data: bytes) -> bytes:
        self.obj.write(data)
        return self.outgoing.read()

    def decrypt(self, data: bytes) -> tuple[bytes, bytes, bool]:
        """Plain bytes received, bytes the TLS layer wants sent, and whether it closed."""
        self.incoming.write(data)
        chunks = []
        closed = False
        while True:
            try:
                chunk = self.obj.read(_READ_SIZE)
            except ssl.SSLWantReadError:
                break
            except ssl.SSLZeroReturnError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            chunks.append(chunk)
        return b"".join(chunks), self.outgoing.read(), closed


class _Connection:
    """The transport a protocol writes to; owns one gevent socket."""

    __slots__ = ("sock", "node", "tls", "closed", "_out", "_wake", "_reading")

    def __init__(self, sock: Any, node: StreamProtocol, tls: Optional[_Tls]) -> None:
        self.sock = sock
        self.node = node
        self.tls = tls
        self.closed = False
        self._out: list[bytes] = []
        self._wake = Event()
        self._reading = Event()  # cleared while the protocol asked for a pause
        self._reading.set()

    def pause_reading(self) -> None:
        self._reading.clear()

    def resume_reading(self) -> None:
        self._reading.set()

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        if self.tls is not None:
            data = self.tls.encrypt(data)
        self._out.append(data)
        self._wake.set()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._wake.set()
        self._reading.set()
        self.sock.close()

    def write_loop(self) -> None:
        out = self._out
        wake = self._wake
        try:
            while True:
                wake.wait()
                wake.clear()
                if self.closed:
                    return
                data = b"".join(out) if len(out) > 1 else out[0] if out else b""
                out.clear()
                if data:
                    self.sock.sendall(data)
        except Exception as exc:
            self._lost(exc)

    def read_loop(self) -> None:
        node = self.node
        recv = self.sock.recv
        tls = self.tls
        error: Optional[BaseException] = None
        reading = self._reading
        try:
            while not self.closed:
                if not reading.is_set():
                    reading.wait()
                    if self.closed:
                        break
                data = recv(_READ_SIZE)
                if not data:
                    break
                if tls is not None:
                    data, reply, ended = tls.decrypt(data)
                    if reply:
                        self._out.append(reply)
                        self._wake.set()
                    if data:
                        node.data_received(data)
                    if ended:
                        break
                else:
                    node.data_received(data)
        except Exception as exc:
            error = exc
        self._lost(error)

    def _lost(self, error: Optional[BaseException]) -> None:
        if not self.closed:
            self.node.connection_lost(error)
        self.close()


class _Timer:
    __slots__ = ("watcher",)

    def __init__(self, watcher: Any) -> None:
        self.watcher = watcher

    def cancel(self) -> None:
        self.watcher.close()


class GeventBackend:
    """Connections and timers for :class:`~couchbase._io.mux.MuxCluster`.

    Timer callbacks run in the hub greenlet; everything they call in the core
    only queues writes or spawns greenlets, never blocks.
    """

    def __init__(self, hub: Hub, connect_timeout: float) -> None:
        self.hub = hub
        self.loop = hub.loop
        self.connect_timeout = connect_timeout

    def connect(self, host: str, port: int, tls: Any, node: StreamProtocol) -> None:
        gevent.spawn(self._connect, host, port, tls, node)

    def _connect(self, host: str, port: int, context: Optional[ssl.SSLContext],
                 node: StreamProtocol) -> None:
        try:
            sock = gsocket.create_connection((host, port), timeout=self.connect_timeout)
        except OSError as exc:
            node.connection_lost(exc)
            return
        tls = None
        try:
            sock.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)
            if context is not None:
                tls = _Tls(context, host)
                tls.handshake(sock)
            sock.settimeout(None)
        except OSError as exc:
            sock.close()
            node.connection_lost(exc)
            return
        conn = _Connection(sock, node, tls)
        gevent.spawn(conn.write_loop)
        node.connection_made(conn)
        conn.read_loop()

    def call_later(self, delay: float, fn: Callable[[], None]) -> _Timer:
        watcher = self.loop.timer(max(delay, 0.0))
        # the loop's clock may be stale after a greenlet ran a while: refresh it
        watcher.start(fn, update=True)
        return _Timer(watcher)

    def run_blocking(self, fn: Callable[[], Any],
                     done: Callable[[Any, Optional[BaseException]], None]) -> None:
        """``fn`` on the hub's thread pool (a real thread), waited for by a greenlet of
        its own, which then calls ``done``: the hub keeps serving the others."""
        def wait() -> None:
            try:
                result = self.hub.threadpool.apply(fn)
            except Exception as exc:
                done(None, exc)
                return
            done(result, None)

        gevent.spawn(wait)
