"""One client connection to a node's KV port: framing, limits and flow control.

:class:`KVProtocol` is the :class:`asyncio.BufferedProtocol`; what a request
means is :class:`~couchbase_mock.kv.KVSession`'s business. Every read feeds
the packet reader and answers the complete requests, writing their answers in
batches of up to :data:`FLUSH_BYTES`.

Reads go into one buffer of :data:`READ_BYTES` that all the connections of a
thread's event loop share (what a read brings is copied out before the next
read), not into a new 256 KiB ``bytes`` per read as with a plain
:class:`asyncio.Protocol`: an allocation that size is, depending on the
allocator's history, an ``mmap``, ``mremap`` and ``munmap`` per request.

The edge of the server (see :mod:`couchbase_mock.limits`):

- before SASL completes, a packet (or the part of one received so far) larger
  than ``kv_unauthenticated_packet`` closes the connection, so a client that
  has not authenticated can make the server hold only a few KB;
- write backpressure: the transport calls :meth:`KVProtocol.pause_writing`
  when unsent output passes ``kv_unsent_high``; the connection then stops
  reading and keeps the requests it has read but not answered (at most one
  read's worth) until :meth:`KVProtocol.resume_writing`, when the output has
  drained to ``kv_unsent_low``.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Callable, Optional

from couchbase._core.errors import RemoteProtocolError
from couchbase._core.packet import HEADER_LEN, Packet, PacketReader
from couchbase._core.status import Status

from . import client_cert
from .cluster import Cluster
from .kv import KVSession
from .limits import DEFAULT_LIMITS, Limits

# Answers are written in pieces of about this size, so that the transport can
# say it is full before a whole read's worth of answers is built.
FLUSH_BYTES = 256 * 1024
# The most one read takes (what asyncio's transports read at once, too).
READ_BYTES = 256 * 1024

_per_thread = threading.local()


def _read_buffer() -> memoryview:
    """This thread's read buffer (each event loop runs on its own thread)."""
    view: Optional[memoryview] = getattr(_per_thread, "view", None)
    if view is None:
        view = _per_thread.view = memoryview(bytearray(READ_BYTES))
    return view


def wire_size(pkt: Packet) -> int:
    """The bytes ``pkt`` took on the wire."""
    return (HEADER_LEN + len(pkt.framing) + len(pkt.extras) + len(pkt.key)
            + len(pkt.value))


class KVProtocol(asyncio.BufferedProtocol):
    """One client connection to a node's KV port."""

    def __init__(self, cluster: Cluster, node: int, limits: Limits = DEFAULT_LIMITS) -> None:
        self.session = KVSession(cluster, node)
        self.session.send_later = self._send_later  # (answers held back: sync writes)
        self.reader = PacketReader()
        self.transport: Optional[asyncio.Transport] = None
        self.stalled = cluster.take_kv_stall(node)  # a fault: read, never answer
        self.limits = limits
        #: Called once when the connection is gone (the server's connection count).
        self.on_close: Optional[Callable[[], None]] = None
        self._paused = False  # the transport's buffer is over its high-water mark
        self._backlog: list[Packet] = []  # read while paused, not answered yet
        self.faults = cluster.faults[node]
        self._held: Optional[bytearray] = None  # output a hiccup holds back
        self._read_view = memoryview(b"")  # the loop thread's, from connection_made

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._read_view = _read_buffer()
        transport.set_write_buffer_limits(self.limits.kv_unsent_high, self.limits.kv_unsent_low)
        presented, user = client_cert.identify(self.session.cluster, transport)
        if presented:  # a client certificate authenticates (or refuses) the connection
            self.session.certificate_user(user)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self.transport = None
        self._backlog = []
        on_close, self.on_close = self.on_close, None
        if on_close is not None:
            on_close()

    # -- flow control ---------------------------------------------------------

    def pause_writing(self) -> None:
        self._paused = True
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        self._paused = False
        backlog, self._backlog = self._backlog, []
        if backlog:
            self._answer(backlog)
        transport = self.transport
        if transport is not None and not self._paused and not self.session.closing:
            transport.resume_reading()

    @property
    def unsent(self) -> int:
        """Bytes of answers written but not sent yet."""
        return self.transport.get_write_buffer_size() if self.transport is not None else 0

    @property
    def backlog(self) -> int:
        """Requests read but not answered yet (while the output is full)."""
        return len(self._backlog)

    # -- requests -------------------------------------------------------------

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._read_view

    def buffer_updated(self, nbytes: int) -> None:
        self.data_received(bytes(self._read_view[:nbytes]))

    def data_received(self, data: bytes) -> None:
        transport = self.transport
        if transport is None or self.session.closing or self.stalled:
            return
        try:
            packets = self.reader.feed(data)
        except RemoteProtocolError:
            transport.abort()
            return
        if self.session.user is None:
            self._unauthenticated(packets)
        elif self._paused:
            self._backlog.extend(packets)
        else:
            self._answer(packets)

    def _unauthenticated(self, packets: list[Packet]) -> None:
        """Answer packets one by one while the connection has not authenticated,
        closing it at the first one over the limit; the rest as usual."""
        limit = self.limits.kv_unauthenticated_packet
        for i, pkt in enumerate(packets):
            if self.session.user is not None or self._paused:
                self._answer(packets[i:])
                return
            if wire_size(pkt) > limit:
                self._cut()
                return
            self._answer([pkt])
            if self.transport is None or self.session.closing:
                return
        if self.session.user is None and self.reader.pending > limit:
            self._cut()

    def _answer(self, packets: list[Packet]) -> None:
        """Handle ``packets`` in order and write their answers; when the output
        fills up, keep the rest for :meth:`resume_writing`."""
        transport = self.transport
        if transport is None:
            return
        if self._paused:
            self._backlog.extend(packets)
            return
        session = self.session
        if len(packets) == 1:
            # The common case, one request per read (a client waiting for each
            # answer): the loop below without its batching.
            pkt = packets[0]
            if pkt.is_response:
                return
            try:
                resp = session.handle(pkt)
            except Exception:  # a bug here must not kill the server
                resp = session.reply(pkt, Status.EINTERNAL)
            if resp:
                if self.faults.active or self._held is not None:
                    self._send(transport, resp)
                else:
                    transport.write(resp)  # what _send does without faults
            if session.closing:
                transport.close()
            return
        handle = session.handle
        out: list[bytes] = []
        size = 0
        for i, pkt in enumerate(packets):
            if pkt.is_response:
                continue
            try:
                resp = handle(pkt)
            except Exception:  # a bug here must not kill the server
                resp = session.reply(pkt, Status.EINTERNAL)
            if resp:
                out.append(resp)
                size += len(resp)
                if size >= FLUSH_BYTES:
                    self._send(transport, b"".join(out))
                    out = []
                    size = 0
                    if self._paused:  # the write filled the transport's buffer
                        self._backlog.extend(packets[i + 1:])
                        break
            if session.closing:
                break
        if out:
            self._send(transport, b"".join(out))
        if session.closing:
            transport.close()

    def _send(self, transport: asyncio.Transport, data: bytes) -> None:
        if not self.faults.active and self._held is None:
            transport.write(data)
            return
        # Faults of the control API: truncated writes, or a hiccup that holds
        # the rest of each write back (and everything after it, in order).
        if self._held is not None:
            self._held += data
            return
        now, later = self.faults.shape(data)
        if now:
            transport.write(now)
        if later:
            self._held = bytearray(later)
            asyncio.get_running_loop().call_later(
                self.faults.hiccup_ms / 1000, self._release, transport)

    def _send_later(self, data: bytes) -> None:
        """An answer given after its request's turn (a held synchronous write)."""
        if self.transport is not None and data:
            self._send(self.transport, data)

    def _release(self, transport: asyncio.Transport) -> None:
        held, self._held = self._held, None
        if held and not transport.is_closing():
            transport.write(bytes(held))

    def _cut(self) -> None:
        """Drop the connection, as the server does after an oversized packet."""
        self.reader = PacketReader()
        if self.transport is not None:
            self.transport.abort()
