"""The blocking driver's I/O: sockets read in the caller's thread, no background thread.

:class:`SocketNetwork` opens streams and waits for them (tests give a
scripted in-memory one instead); :class:`BlockingNode` is one KV connection,
:class:`BlockingHttpLink` one HTTP connection of a flow. Errors of their own
(connect, timeout, connection lost) are the documented classes; errors of
the core (a server breaking the protocol, refused credentials) pass through
as they are, for the cluster to translate where they leave it.
"""

from __future__ import annotations

import select
import selectors
import socket
import ssl
import struct
import time
from typing import Any, Generator, Optional, Protocol

from .._core.bootstrap import FIRST_OPERATION_OPAQUE, WANTED_FEATURES, Session, bootstrap
from .._core.commands import Endpoint
from .._core.compression import Deflate
from .._core.errors import RemoteProtocolError
from .._core.inflight import InflightTable
from .._core.packet import Packet, PacketReader
from .._logging import io_log
from .._tracing import Abandoned
from ..exceptions import ConnectError, NetworkError, TimeoutError
from .closed import closed_error

# Bytes asked of each recv. CPython's recv(n) allocates n bytes and then shrinks
# them to what arrived: 256 KiB was above glibc's mmap threshold, an mmap and
# munmap per read (~13 us on every get); 64 KiB stays on the heap.
_RECV_SIZE = 64 * 1024
_HTTP_READ_SIZE = 65536
# KV sockets stay in blocking mode (Python's own timeouts poll() before every
# send and recv); the kernel wakes a blocked call after this slice so the
# driver can check its deadline. It bounds how late a timeout can fire.
_SLICE = struct.pack("ll", 0, 20_000)  # 20 ms as struct timeval
_WOULD_BLOCK = (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError)
_POLL = getattr(select, "poll", None)
_POLLIN = getattr(select, "POLLIN", 1)


class Stream(Protocol):
    """What the driver uses of a socket (a scripted stream in tests)."""

    def send(self, data: bytes) -> int: ...

    def sendall(self, data: bytes) -> None: ...

    def recv(self, size: int) -> bytes: ...

    def settimeout(self, timeout: Optional[float]) -> None: ...

    def close(self) -> None: ...


class SocketNetwork:
    """TCP (and TLS) streams, and waiting for any of several to be readable."""

    def connect(self, host: str, port: int, tls: Optional[ssl.SSLContext],
                timeout: float, kv: bool = False) -> Stream:
        """A connected stream in blocking mode; KV streams wake every 20 ms (see _SLICE)."""
        try:
            sock = socket.create_connection((host, port), timeout=max(timeout, 0.001))
        except socket.timeout as exc:
            raise TimeoutError(f"timed out connecting to {host}:{port}",
                               inner_cause=exc) from None
        except OSError as exc:
            raise ConnectError(f"could not connect to {host}:{port}: {exc}",
                               inner_cause=exc) from None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if tls is not None:
                sock = tls.wrap_socket(sock, server_hostname=host)
        except (OSError, ssl.SSLError) as exc:
            sock.close()
            raise ConnectError(f"TLS handshake with {host}:{port} failed: {exc}",
                               inner_cause=exc) from None
        if kv:
            sock.settimeout(None)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _SLICE)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _SLICE)
        return sock

    def wait_readable(self, nodes: list[BlockingNode], deadline: float) -> list[BlockingNode]:
        """The nodes whose streams have data, waiting until ``deadline``."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("operation timed out")
        if _POLL is None:  # (Windows)
            with selectors.DefaultSelector() as sel:
                for node in nodes:
                    if node.sock is not None:
                        sel.register(node, selectors.EVENT_READ, node)  # by node.fileno()
                events = sel.select(remaining)
            if not events:
                raise TimeoutError("operation timed out")
            return [key.data for key, _ in events]
        # poll(2) from C: a multi-key batch waits a few times per call, and a selectors
        # object (epoll fd, Python-level keys) cost ~0.1 ms of CPU each time
        poller = _POLL()
        by_fd = {}
        for node in nodes:
            if node.sock is not None:
                fd = node.fileno()
                by_fd[fd] = node
                poller.register(fd, _POLLIN)
        # (milliseconds, rounded up; an error or hang-up counts as readable: recv says which)
        events = poller.poll(remaining * 1000.0)
        if not events:
            raise TimeoutError("operation timed out")
        return [by_fd[fd] for fd, _ in events]

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class BlockingNode:
    """One KV connection to one node: opaques from its in-flight table."""

    __slots__ = ("host", "port", "sock", "reader", "session", "collections", "inflight",
                 "_certificate",
                 "usable", "_pending", "_network", "deflate", "abandoned")

    def __init__(self, host: str, port: int, network: Optional[SocketNetwork] = None) -> None:
        self.host = host
        self.port = port
        self.sock: Optional[Stream] = None
        self.reader = PacketReader()
        self.session: Optional[Session] = None
        self._certificate = False  # a client certificate authenticates (no SASL)
        self.collections = False  # whether keys carry a collection-id prefix
        self.deflate: Optional[Deflate] = None  # compresses values, once bootstrapped
        self.usable = False  # open and bootstrapped (an attribute: read on every request)
        # the blocking driver waits for each batch before the next, so the table only
        # holds a batch's requests; single requests just take an opaque from it
        self.inflight: InflightTable[Any] = InflightTable(FIRST_OPERATION_OPAQUE)
        self._pending: list[Packet] = []
        self._network = network if network is not None else SocketNetwork()
        # requests given up on (timed out): their late answers are orphans to report
        self.abandoned: Optional[Abandoned] = None

    def __repr__(self) -> str:
        state = "ready" if self.usable else "closed" if self.sock is None else "bootstrapping"
        return f"BlockingNode({self.host}:{self.port}, {state})"

    def open(self, deadline: float, username: str, password: str, bucket: Optional[str],
             tls: Optional[ssl.SSLContext] = None,
             features: tuple[int, ...] = WANTED_FEATURES) -> Session:
        """Connect and bootstrap by ``deadline`` (else TimeoutError, and closed)."""
        self._certificate = tls is not None and not username  # (_settings: no SASL then)
        self.sock = self._network.connect(self.host, self.port, tls,
                                          deadline - time.monotonic(), kv=True)
        try:
            session = self.run(bootstrap(username, password, bucket, tls=tls is not None,
                                         features=features), deadline)
        except BaseException:
            self.close()
            raise
        self.session = session
        self.collections = session.collections
        self.usable = True
        return session

    def run(self, gen: Generator[bytes, Packet, Session], deadline: float) -> Session:
        """Drive a core generator: write what it yields, feed it responses."""
        out = next(gen)
        while True:
            if out:
                self.send(out, deadline)
            pkt = self.next_packet(deadline)
            try:
                out = gen.send(pkt)
            except StopIteration as stop:
                return stop.value

    def close(self) -> None:
        sock, self.sock = self.sock, None
        self.session = None
        self.usable = False
        self._pending.clear()
        if self.abandoned is not None:
            self.abandoned.clear()
        # (inflight entries stay: whoever sent them fails them with the reason)
        self.reader = PacketReader()
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    def send(self, data: bytes, deadline: float) -> None:
        """Write all of ``data``; a kernel buffer that stays full past ``deadline`` times out."""
        sock = self.sock
        if sock is None:
            raise NetworkError(f"connection to {self.host}:{self.port} is closed")
        try:
            try:
                sent = sock.send(data)
            except _WOULD_BLOCK:
                sent = 0
            if sent == len(data):
                return
            view = memoryview(data)[sent:]
            while view:
                try:
                    sent = sock.send(view)  # type: ignore[arg-type]
                except _WOULD_BLOCK:
                    if time.monotonic() > deadline:
                        self.close()  # part of a request is on the wire: the stream is lost
                        raise TimeoutError(
                            f"timed out writing to {self.host}:{self.port}") from None
                    continue
                view = view[sent:]
        except OSError as exc:
            self._lost(f"write failed: {exc}")
            raise NetworkError(f"write to {self.host}:{self.port} failed: {exc}",
                               inner_cause=exc) from None

    def next_packet(self, deadline: float) -> Packet:
        pending = self._pending
        while not pending:
            pending.extend(self.receive(deadline))
        return pending.pop(0)

    def wait_for(self, opaque: int, deadline: float) -> Packet:
        """The response with ``opaque``; responses to abandoned requests are dropped."""
        pending = self._pending
        if not pending:
            packets = self.receive(deadline)
            if len(packets) == 1 and packets[0].opaque == opaque:
                return packets[0]
            pending.extend(packets)
        while True:
            while pending:
                pkt = pending.pop(0)
                if pkt.opaque == opaque:
                    return pkt
                self.unmatched(pkt)
            pending.extend(self.receive(deadline))

    def unmatched(self, pkt: Packet) -> None:
        """A response nothing waits for: an orphan if its request timed out."""
        if self.abandoned is None or not self.abandoned.arrived(pkt, self):
            io_log.debug("%s:%s sent a response nothing waits for (opcode 0x%02x, "
                         "opaque 0x%x)", self.host, self.port, pkt.opcode, pkt.opaque)

    def take_pending(self) -> list[Packet]:
        out, self._pending = self._pending, []
        return out

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    def receive(self, deadline: float) -> list[Packet]:
        """Read once from the socket (waiting until ``deadline``); the packets it completed."""
        sock = self.sock
        if sock is None:
            raise NetworkError(f"connection to {self.host}:{self.port} is closed")
        while True:
            try:
                data = sock.recv(_RECV_SIZE)
                break
            except _WOULD_BLOCK:
                if time.monotonic() >= deadline:
                    raise TimeoutError(
                        f"operation timed out waiting for {self.host}:{self.port}") from None
            except OSError as exc:
                self._lost(f"read failed: {exc}")
                raise closed_error(self.host, self.port, isinstance(sock, ssl.SSLSocket),
                                   self.session is None, exc) from None
        if not data:
            self._lost("the server closed it")
            raise closed_error(self.host, self.port, isinstance(sock, ssl.SSLSocket),
                               self.session is None, certificate=self._certificate)
        try:
            return self.reader.feed(data)
        except RemoteProtocolError as exc:
            self._lost(f"the server broke the protocol: {exc}")  # (no resynchronising)
            raise

    def _lost(self, why: str) -> None:
        io_log.warning("connection to %s:%s lost: %s", self.host, self.port, why)
        self.close()

    def fileno(self) -> int:
        sock: Any = self.sock
        return sock.fileno() if sock is not None else -1


class BlockingHttpLink:
    """A flow's HTTP connection: ``receive`` blocks up to the endpoint's timeout."""

    __slots__ = ("sock", "where")

    def __init__(self, network: SocketNetwork, endpoint: Endpoint, data: bytes) -> None:
        self.where = f"{endpoint.host}:{endpoint.port}"
        self.sock = network.connect(endpoint.host, endpoint.port, endpoint.tls, endpoint.timeout)
        try:
            self.sock.settimeout(endpoint.timeout)
            self.sock.sendall(data)
        except socket.timeout:
            self.close()
            raise TimeoutError(f"timed out sending to {self.where}") from None
        except OSError as exc:
            self.close()
            raise NetworkError(f"sending to {self.where} failed: {exc}",
                               inner_cause=exc) from None

    def receive(self) -> bytes:
        try:
            return self.sock.recv(_HTTP_READ_SIZE)
        except socket.timeout:
            raise TimeoutError(f"no response from {self.where} in time") from None
        except OSError as exc:
            raise NetworkError(f"HTTP connection to {self.where} failed: {exc}",
                               inner_cause=exc) from None

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


__all__ = ["BlockingHttpLink", "BlockingNode", "SocketNetwork", "Stream"]
