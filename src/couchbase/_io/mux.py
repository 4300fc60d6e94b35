"""Connections that multiplex many requests, for the event-loop front ends.

Nothing here waits or knows an event loop: a front end supplies a
:class:`Backend` (open a connection, schedule a timer, fetch an HTTP config)
and gets completion callbacks. asyncio, Twisted and gevent differ only in
their backend and in how they turn callbacks into awaitables, Deferreds or
greenlet wake-ups.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any, Callable, Optional, Protocol, Union
from urllib.parse import quote

from .._core.bootstrap import Session, bootstrap
from .._core.connstr import ConnectionString
from .._core.opcode import Magic, Opcode
from .._core.packet import Packet, PacketReader, encode_packet
from .._core.packet import ProtocolError as CodecError
from .._core.request import Request
from .._core.router import Router
from .._core.status import Status
from ..exceptions import (
    AuthError,
    BucketNotFoundError,
    CouchbaseError,
    CouchbaseNetworkError,
    LibcouchbaseError,
    NetworkError,
    ObjectDestroyedError,
    ProtocolError,
    TimeoutError,
)

PacketCallback = Callable[[Optional[Packet], Optional[CouchbaseError]], None]
_OPAQUE_LIMIT = 0xFFFFFFF0


class Transport(Protocol):
    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class Timer(Protocol):
    def cancel(self) -> Any: ...


class Backend(Protocol):
    """What a front end provides to the multiplexing core."""

    def connect(self, host: str, port: int, tls: Any, node: MuxNode) -> None:
        """Open a connection; call ``node.connection_made(transport)``, then feed it
        ``node.data_received(bytes)`` and finally ``node.connection_lost(exc or None)``
        (also when the connection could not be made)."""

    def call_later(self, delay: float, fn: Callable[[], None]) -> Timer: ...

    def fetch_config(self, host: str, port: int, path: str, username: str, password: str,
                     timeout: float, tls: Any,
                     done: Callable[[Optional[bytes], Optional[CouchbaseError]], None]) -> None:
        """GET the first config of ``path`` over HTTP, without blocking the loop."""


class MuxNode:
    """One KV connection: bootstrap, then requests matched to responses by opaque."""

    def __init__(self, host: str, port: int, username: str, password: str,
                 bucket: Optional[str], tls: bool,
                 on_ready: Callable[[MuxNode, Optional[CouchbaseError]], None]) -> None:
        self.host = host
        self.port = port
        self.reader = PacketReader()
        self.transport: Optional[Transport] = None
        self.session: Optional[Session] = None
        self.collections = False
        self.inflight: dict[int, PacketCallback] = {}
        self.queue: list[tuple[bytes, int, PacketCallback, Request, int]] = []
        self.closed = False
        self._on_ready: Optional[Callable[[MuxNode, Optional[CouchbaseError]], None]] = on_ready
        self._boot = bootstrap(username, password, bucket, tls=tls)

    def __repr__(self) -> str:
        return f"MuxNode({self.host}:{self.port})"

    @property
    def ready(self) -> bool:
        return self.session is not None and not self.closed

    # -- events from the backend ---------------------------------------------------
    def connection_made(self, transport: Transport) -> None:
        self.transport = transport
        transport.write(next(self._boot))

    def data_received(self, data: bytes) -> None:
        try:
            packets = self.reader.feed(data)
        except CodecError as exc:
            self.fail(ProtocolError(str(exc), inner_cause=exc))
            return
        inflight = self.inflight
        for pkt in packets:
            if self.session is None:
                self._bootstrap_step(pkt)
                continue
            callback = inflight.pop(pkt.opaque, None)
            if callback is not None:
                callback(pkt, None)

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        if self.closed:
            return
        if isinstance(exc, CouchbaseError):
            error = exc
        elif exc is None:
            error = NetworkError(f"{self.host}:{self.port} closed the connection")
        elif self.transport is None:
            error = _connect_error(self.host, self.port, exc)
        else:
            error = NetworkError(f"connection to {self.host}:{self.port} lost: {exc}",
                                 inner_cause=exc)
        self.fail(error)

    # -- bootstrap ---------------------------------------------------------------------
    def _bootstrap_step(self, pkt: Packet) -> None:
        try:
            out = self._boot.send(pkt)
        except StopIteration as stop:
            self.session = stop.value
            self.collections = self.session.collections if self.session else False
            self._ready(None)
            return
        except CouchbaseError as exc:
            self.fail(exc)
            return
        if out and self.transport is not None:
            self.transport.write(out)

    def _ready(self, error: Optional[CouchbaseError]) -> None:
        on_ready, self._on_ready = self._on_ready, None
        if error is None:
            queue, self.queue = self.queue, []
            for data, opaque, callback, req, vb in queue:
                self.inflight[opaque] = callback
                self._write(req.encode(vb, opaque, self.collections) if not data else data)
        if on_ready is not None:
            on_ready(self, error)

    # -- requests ----------------------------------------------------------------------
    def submit(self, req: Request, vb: int, opaque: int, callback: PacketCallback) -> None:
        if self.closed:
            callback(None, NetworkError(f"connection to {self.host}:{self.port} is closed"))
        elif self.session is None:
            self.queue.append((b"", opaque, callback, req, vb))
        else:
            self.inflight[opaque] = callback
            self._write(req.encode(vb, opaque, self.collections))

    def submit_raw(self, data: bytes, opaque: int, callback: PacketCallback) -> None:
        if self.closed:
            callback(None, NetworkError(f"connection to {self.host}:{self.port} is closed"))
        elif self.session is None:
            self.queue.append((data, opaque, callback, Request(0, b""), 0))
        else:
            self.inflight[opaque] = callback
            self._write(data)

    def forget(self, opaque: int) -> None:
        """Stop waiting for ``opaque`` (its request timed out)."""
        self.inflight.pop(opaque, None)

    def _write(self, data: bytes) -> None:
        if self.transport is not None:
            self.transport.write(data)

    def fail(self, error: CouchbaseError) -> None:
        """Close the connection and fail everything waiting on it."""
        if self.closed:
            return
        self.closed = True
        transport, self.transport = self.transport, None
        if transport is not None:
            try:
                transport.close()
            except Exception:
                pass
        waiting = list(self.inflight.values()) + [entry[2] for entry in self.queue]
        self.inflight.clear()
        self.queue.clear()
        if self.session is None:
            self._ready(error)
        for callback in waiting:
            callback(None, error)

    def close(self) -> None:
        self.fail(ObjectDestroyedError("the connection was closed"))


def _connect_error(host: str, port: int, exc: BaseException) -> CouchbaseError:
    from ..exceptions import ConnectError

    return ConnectError(f"could not connect to {host}:{port}: {exc}", inner_cause=exc)


class _Op:
    """One request on its way: retries on NOT_MY_VBUCKET, expires at its deadline."""

    __slots__ = ("cluster", "req", "done", "deadline", "timer", "node", "opaque", "attempt",
                 "finished")

    def __init__(self, cluster: MuxCluster, req: Request, done: PacketCallback,
                 deadline: float) -> None:
        self.cluster = cluster
        self.req = req
        self.done = done
        self.deadline = deadline
        self.timer: Optional[Timer] = None
        self.node: Optional[MuxNode] = None
        self.opaque = 0
        self.attempt = 0
        self.finished = False

    def on_packet(self, pkt: Optional[Packet], error: Optional[CouchbaseError]) -> None:
        if self.finished:
            return
        if pkt is not None and pkt.status == Status.NOT_MY_VBUCKET:
            self.cluster._not_my_vbucket(self, pkt)
            return
        self.finish(pkt, error)

    def expire(self) -> None:
        if self.finished:
            return
        if self.node is not None:
            self.node.forget(self.opaque)
        self.finish(None, TimeoutError(
            f"operation timed out (no response within {self.cluster.timeout}s)"))

    def finish(self, pkt: Optional[Packet], error: Optional[CouchbaseError]) -> None:
        self.finished = True
        if self.timer is not None:
            self.timer.cancel()
        self.done(pkt, error)


class MuxCluster:
    """A bucket's connections for an event loop: bootstrap, routing, retries, timeouts."""

    def __init__(self, connstr: ConnectionString, username: str, password: str,
                 bucket: Optional[str], timeout: float, bootstrap_timeout: float,
                 tls: Any, backend: Backend) -> None:
        self.connstr = connstr
        self.username = username
        self.password = password
        self.bucket = bucket
        self.timeout = timeout
        self.bootstrap_timeout = bootstrap_timeout
        self.tls = tls
        self.backend = backend
        self.router = Router(tls=tls is not None,
                             network=connstr.options.get("network", "default"))
        self.nodes: dict[tuple[str, int], MuxNode] = {}
        self._slots: list[Optional[MuxNode]] = []
        self._slots_config: Optional[object] = None
        self._opaque = 16
        self._waiting: deque[_Op] = deque()  # operations on the shared timeout, oldest first
        self._sweep: Optional[Timer] = None
        self._sweep_at = 0.0
        self.closed = False

    # -- bootstrap ---------------------------------------------------------------------
    def connect(self, done: Callable[[Optional[CouchbaseError]], None]) -> None:
        """Bootstrap over KV (CCCP), then HTTP; ``done(None)`` or ``done(error)``."""
        seeds: list[tuple[str, str, int]] = [("kv", h, p) for h, p in self.connstr.kv_hosts()]
        seeds += [("http", h, p) for h, p in self.connstr.http_hosts()]
        errors: list[CouchbaseError] = []
        deadline = time.monotonic() + self.bootstrap_timeout
        finished = [False]
        timer = self.backend.call_later(self.bootstrap_timeout, lambda: give_up(
            TimeoutError(f"bootstrap did not finish in {self.bootstrap_timeout}s")))

        def give_up(error: CouchbaseError) -> None:
            if finished[0]:
                return
            finished[0] = True
            timer.cancel()
            for node in list(self.nodes.values()):
                if not node.ready:
                    node.fail(error)
            done(error)

        def succeed() -> None:
            if not finished[0]:
                finished[0] = True
                timer.cancel()
                done(None)

        def next_seed() -> None:
            if finished[0]:
                return
            if self.closed:
                give_up(ObjectDestroyedError("the connection was closed while connecting"))
                return
            if not seeds:
                if errors:
                    first = errors[0]
                    give_up(type(first)(
                        "could not bootstrap from any node: "
                        + "; ".join(e.message for e in errors),
                        inner_cause=first.inner_cause or first))
                else:
                    give_up(CouchbaseNetworkError("no node to bootstrap from"))
                return
            kind, host, port = seeds.pop(0)
            if kind == "kv":
                self._open(host, port, on_kv)
            else:
                remaining = max(deadline - time.monotonic(), 0.001)
                self.backend.fetch_config(host, port, self._http_path(), self.username,
                                          self.password, remaining, self.tls,
                                          lambda raw, err: on_http(host, raw, err))

        def on_kv(node: MuxNode, error: Optional[CouchbaseError]) -> None:
            if error is not None:
                if isinstance(error, (AuthError, BucketNotFoundError)):
                    give_up(error)
                    return
                errors.append(error)
                next_seed()
            elif self.router.config is not None:
                succeed()
            else:
                next_seed()

        def on_http(host: str, raw: Optional[bytes], error: Optional[CouchbaseError]) -> None:
            if error is not None:
                if isinstance(error, (AuthError, BucketNotFoundError)):
                    give_up(error)
                    return
                errors.append(error)
                next_seed()
            elif raw is not None and self.router.update(raw, host):
                succeed()
            else:
                next_seed()

        next_seed()

    def _http_path(self) -> str:
        if self.bucket:
            return f"/pools/default/bs/{quote(self.bucket, safe='')}"
        return "/pools/default/nodeServices"

    def _open(self, host: str, port: int,
              on_ready: Optional[Callable[[MuxNode, Optional[CouchbaseError]], None]] = None,
              ) -> MuxNode:
        def ready(node: MuxNode, error: Optional[CouchbaseError]) -> None:
            if error is None and node.session is not None and node.session.config:
                self.router.update(node.session.config, node.host)
            if on_ready is not None:
                on_ready(node, error)

        node = MuxNode(host, port, self.username, self.password, self.bucket,
                       self.tls is not None, ready)
        self.nodes[(host, port)] = node
        self.backend.connect(host, port, self.tls, node)
        return node

    def _node_at(self, index: int) -> MuxNode:
        config = self.router.config
        if config is not self._slots_config:
            self._slots = [None] * len(config.kv_nodes) if config is not None else []
            self._slots_config = config
        node = self._slots[index]
        if node is None or node.closed:
            address = self.router.address(index)
            node = self.nodes.get(address)
            if node is None or node.closed:
                node = self._open(*address)
            self._slots[index] = node
        return node

    def collections_enabled(self) -> bool:
        return any(n.collections for n in self.nodes.values())

    def close(self) -> None:
        self.closed = True
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        for node in list(self.nodes.values()):
            node.close()
        self.nodes.clear()
        self._slots = []

    # -- operations ------------------------------------------------------------------------
    def _next_opaque(self) -> int:
        self._opaque = self._opaque + 1 if self._opaque < _OPAQUE_LIMIT else 17
        return self._opaque

    def execute(self, req: Request, done: PacketCallback, timeout: Optional[float] = None,
                ) -> None:
        """Send ``req``; ``done(packet, None)`` or ``done(None, error)`` exactly once."""
        if self.closed:
            done(None, ObjectDestroyedError("this connection is closed"))
            return
        now = time.monotonic()
        if timeout is None or timeout == self.timeout:
            # Operations with the cluster's timeout expire in the order they started:
            # one sweep timer for all of them instead of a timer each.
            op = _Op(self, req, done, now + self.timeout)
            waiting = self._waiting
            while waiting and waiting[0].finished:
                waiting.popleft()
            waiting.append(op)
            if self._sweep is None or op.deadline < self._sweep_at:  # (the timeout shrank)
                if self._sweep is not None:
                    self._sweep.cancel()
                self._sweep_at = op.deadline
                self._sweep = self.backend.call_later(self.timeout, self._expire_due)
        else:
            op = _Op(self, req, done, now + timeout)
            op.timer = self.backend.call_later(timeout, op.expire)
        self._dispatch(op)

    def _expire_due(self) -> None:
        """Time out every operation past its deadline; sleep until the next one's."""
        self._sweep = None
        waiting = self._waiting
        now = time.monotonic()
        for op in [op for op in waiting if not op.finished and op.deadline <= now]:
            op.expire()  # (a scan, not just the head: the timeout may have changed)
        while waiting and waiting[0].finished:
            waiting.popleft()
        if waiting and not self.closed:
            self._sweep_at = min(op.deadline for op in waiting)
            self._sweep = self.backend.call_later(max(self._sweep_at - now, 0.001),
                                                  self._expire_due)

    def _dispatch(self, op: _Op) -> None:
        try:
            vb, index = self.router.route_index(op.req.key, op.req.replica)
            node = self._node_at(index)
        except CouchbaseError as exc:
            op.finish(None, exc)
            return
        op.node = node
        op.opaque = self._next_opaque()
        node.submit(op.req, vb, op.opaque, op.on_packet)

    def _not_my_vbucket(self, op: _Op, pkt: Packet) -> None:
        if op.node is not None and pkt.value and self.router.update(pkt.value, op.node.host):
            self._dispatch(op)
            return
        pause = min(0.001 * (2 ** op.attempt), 0.1)
        op.attempt += 1
        if time.monotonic() + pause >= op.deadline:
            op.finish(None, TimeoutError("timed out while the cluster map was changing"))
            return
        self.backend.call_later(pause, lambda: None if op.finished else self._dispatch(op))

    def execute_multi(self, reqs: list[Request],
                      done: Callable[[list[Union[Packet, CouchbaseError]]], None],
                      timeout: Optional[float] = None) -> None:
        """Send every request at once; ``done(responses or errors, in order)``."""
        results: list[Any] = [None] * len(reqs)
        left = [len(reqs)]
        if not reqs:
            done([])
            return

        def one(index: int) -> PacketCallback:
            def finished(pkt: Optional[Packet], error: Optional[CouchbaseError]) -> None:
                results[index] = pkt if error is None else error
                left[0] -= 1
                if not left[0]:
                    done(results)
            return finished

        for i, req in enumerate(reqs):
            self.execute(req, one(i), timeout)

    def stats(self, group: bytes,
              done: Callable[[Optional[dict[tuple[str, int], list[tuple[str, str]]]],
                              Optional[CouchbaseError]], None]) -> None:
        """STAT ``group`` on every KV node."""
        addresses = self.router.addresses()
        out: dict[tuple[str, int], list[tuple[str, str]]] = {}
        state = {"left": len(addresses), "failed": False}
        if not addresses:
            done(out, None)
            return

        def fail(error: CouchbaseError) -> None:
            if not state["failed"]:
                state["failed"] = True
                done(None, error)

        def collector(node: MuxNode, opaque: int,
                      pairs: list[tuple[str, str]]) -> PacketCallback:
            def on_packet(pkt: Optional[Packet], error: Optional[CouchbaseError]) -> None:
                if error is not None or pkt is None:
                    fail(error or NetworkError("no response"))
                elif pkt.status:
                    fail(LibcouchbaseError(f"STAT failed (status 0x{pkt.status:02x})",
                                           server_status=pkt.status))
                elif pkt.key:
                    pairs.append((pkt.key.decode("utf-8", "replace"),
                                  pkt.value.decode("utf-8", "replace")))
                    node.inflight[opaque] = on_packet  # more packets share this opaque
                else:
                    state["left"] -= 1
                    if not state["left"] and not state["failed"]:
                        done(out, None)
            return on_packet

        for index, address in enumerate(addresses):
            pairs: list[tuple[str, str]] = []
            out[address] = pairs
            node = self._node_at(index)
            opaque = self._next_opaque()
            node.submit_raw(encode_packet(Magic.REQUEST, Opcode.STAT, group, opaque=opaque),
                            opaque, collector(node, opaque, pairs))
