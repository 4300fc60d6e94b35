"""The blocking driver: sockets read in the caller's thread, no background thread."""

from __future__ import annotations

import selectors
import socket
import ssl
import struct
import time
from typing import Generator, Optional

from .._core.bootstrap import FIRST_OPERATION_OPAQUE, Session, bootstrap
from .._core.packet import Packet, PacketReader
from .._core.packet import ProtocolError as CodecError
from ..exceptions import (
    ConnectError,
    CouchbaseError,
    NetworkError,
    ProtocolError,
    TimeoutError,
)

_RECV_SIZE = 256 * 1024
# Sockets stay in blocking mode (Python's own timeouts poll() before every
# send and recv); the kernel wakes a blocked call after this slice so the
# driver can check its deadline. It bounds how late a timeout can fire.
_SLICE = struct.pack("ll", 0, 20_000)  # 20 ms as struct timeval
_WOULD_BLOCK = (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError)


class BlockingNode:
    """One KV connection to one node."""

    __slots__ = ("host", "port", "sock", "reader", "session", "collections", "_pending")

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.sock: Optional[socket.socket] = None
        self.reader = PacketReader()
        self.session: Optional[Session] = None
        self.collections = False  # whether keys carry a collection-id prefix
        self._pending: list[Packet] = []

    def __repr__(self) -> str:
        return f"BlockingNode({self.host}:{self.port})"

    def open(
        self,
        deadline: float,
        username: str,
        password: str,
        bucket: Optional[str],
        tls: Optional[ssl.SSLContext] = None,
    ) -> Session:
        remaining = deadline - time.monotonic()
        try:
            sock = socket.create_connection((self.host, self.port), timeout=max(remaining, 0.001))
        except socket.timeout as exc:
            raise ConnectError(f"timed out connecting to {self.host}:{self.port}",
                               inner_cause=exc) from None
        except OSError as exc:
            raise ConnectError(f"could not connect to {self.host}:{self.port}: {exc}",
                               inner_cause=exc) from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls is not None:
            try:
                sock = tls.wrap_socket(sock, server_hostname=self.host)
            except (OSError, ssl.SSLError) as exc:
                sock.close()
                raise ConnectError(f"TLS handshake with {self.host}:{self.port} failed: {exc}",
                                   inner_cause=exc) from None
        sock.settimeout(None)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _SLICE)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, _SLICE)
        self.sock = sock
        try:
            self.session = self.run(bootstrap(username, password, bucket, tls=tls is not None),
                                    deadline)
        except BaseException:
            self.close()
            raise
        self.collections = self.session.collections
        return self.session

    def run(self, gen: Generator[bytes, Packet, Session], deadline: float) -> Session:
        """Drive a core generator: write what it yields, feed it responses."""
        out = next(gen)
        while True:
            if out:
                self.send(out)
            pkt = self.next_packet(deadline)
            try:
                out = gen.send(pkt)
            except StopIteration as stop:
                return stop.value

    def close(self) -> None:
        sock, self.sock = self.sock, None
        self.session = None
        self._pending.clear()
        self.reader = PacketReader()
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    @property
    def alive(self) -> bool:
        return self.sock is not None

    def send(self, data: bytes, deadline: float = 0.0) -> None:
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
            limit = deadline or time.monotonic() + 2.5
            while view:
                try:
                    sent = sock.send(view)
                except _WOULD_BLOCK:
                    if time.monotonic() > limit:
                        self.close()  # part of a request is on the wire: the stream is lost
                        raise TimeoutError(
                            f"timed out writing to {self.host}:{self.port}") from None
                    continue
                view = view[sent:]
        except OSError as exc:
            self.close()
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
            pending.extend(self.receive(deadline))

    def take_pending(self) -> list[Packet]:
        out, self._pending = self._pending, []
        return out

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
                self.close()
                raise NetworkError(f"read from {self.host}:{self.port} failed: {exc}",
                                   inner_cause=exc) from None
        if not data:
            self.close()
            raise NetworkError(f"{self.host}:{self.port} closed the connection")
        try:
            return self.reader.feed(data)
        except CodecError as exc:
            self.close()
            raise ProtocolError(str(exc), inner_cause=exc) from None

    def fileno(self) -> int:
        return self.sock.fileno() if self.sock is not None else -1


def wait_readable(nodes: list[BlockingNode], deadline: float) -> list[BlockingNode]:
    """The nodes whose sockets have data (or pending packets), waiting until ``deadline``."""
    ready = [n for n in nodes if n._pending]
    if ready:
        return ready
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("operation timed out")
    with selectors.DefaultSelector() as sel:
        for node in nodes:
            if node.sock is not None:
                sel.register(node.sock, selectors.EVENT_READ, node)
        events = sel.select(remaining)
    if not events:
        raise TimeoutError("operation timed out")
    return [key.data for key, _ in events]


__all__ = ["BlockingNode", "wait_readable", "FIRST_OPERATION_OPAQUE", "CouchbaseError"]
