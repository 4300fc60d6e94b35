"""Connections that multiplex many requests, for the event-loop front ends.

Nothing here waits or knows an event loop: a front end supplies a
:class:`Backend` (open a connection, schedule a timer) and gets completion
callbacks. asyncio, Twisted and gevent differ only in their backend and in
how they turn callbacks into awaitables, Deferreds or greenlet wake-ups.

:class:`MuxCluster` is also the :class:`~couchbase._waiting.CallbackIO` of
those front ends: flows' commands are answered by its methods, HTTP ones
over the same backend (:mod:`couchbase._io.mux_http`), so no front end needs
a thread. Policy (routing, the node cache, retries, the bootstrap walk) is the
core's :class:`~couchbase._core.cluster.ClusterBase`.
"""

from __future__ import annotations

import ssl
import time
from collections import deque
from functools import partial
from typing import Any, Callable, Optional, Protocol

from .._core.bootstrap import FIRST_OPERATION_OPAQUE, Session, bootstrap, hello_features
from .._core.cluster import ClusterBase, ClusterSettings
from .._core.commands import EachNode, Endpoint, NodeProbe
from .._core.compression import Deflate
from .._core.errors import ConnectionClosed, CoreError
from .._core.inflight import InflightTable
from .._core.opcode import Opcode
from .._core.packet import Packet, PacketReader
from .._core.request import Request
from .._core.retry import RetryPolicy
from .._core.status import Status
from .._logging import io_log
from .._operation import Answer
from .._public_errors import to_public
from .._settings import Settings
from .._tracing import Abandoned, TimedLink, Tracer, log_not_my_vbucket, log_timeout
from .._waiting import Done, drive_callbacks
from ..exceptions import (
    ConnectError,
    CouchbaseError,
    CouchbaseNetworkError,
    NetworkError,
    ObjectDestroyedError,
    TimeoutError,
)
from .closed import closed_error
from .mux_http import MuxHttpLink

PacketCallback = Callable[[Optional[Packet], Optional[BaseException]], None]


class Transport(Protocol):
    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


class Timer(Protocol):
    def cancel(self) -> Any: ...


class StreamProtocol(Protocol):
    """What a backend feeds: a KV node (:class:`MuxNode`) or an HTTP link."""

    def connection_made(self, transport: Transport) -> None: ...

    def data_received(self, data: bytes) -> None: ...

    def connection_lost(self, exc: Optional[BaseException]) -> None: ...


class Backend(Protocol):
    """What a front end provides to the multiplexing core."""

    def connect(self, host: str, port: int, tls: Any, protocol: StreamProtocol) -> None:
        """Open a connection; call ``protocol.connection_made(transport)``, then feed it
        ``data_received(bytes)`` and finally ``connection_lost(exc or None)`` (also
        when the connection could not be made)."""

    def call_later(self, delay: float, fn: Callable[[], None]) -> Timer: ...

    def run_blocking(self, fn: Callable[[], Any], done: Done) -> None:
        """Run ``fn`` in a worker thread (it blocks: a DNS SRV lookup) and call
        ``done(result, None)`` or ``done(None, error)`` back on the loop."""


class Pending(Protocol):
    """What a :class:`MuxNode` carries for the cluster: a request, then its answer."""

    opaque: int

    def encode(self, opaque: int, collections: bool) -> bytes: ...

    def answer(self, pkt: Packet) -> None:
        """A response with this entry's opaque arrived (STAT entries expect several)."""

    def fail(self, error: BaseException) -> None: ...


class MuxNode:
    """One KV connection: bootstrap by a deadline, then requests matched by opaque."""

    def __init__(self, host: str, port: int, settings: ClusterSettings, backend: Backend,
                 deadline: float, on_ready: Callable[[MuxNode, Optional[BaseException]], None],
                 ) -> None:
        self.host = host
        self.port = port
        self.reader = PacketReader()
        self.transport: Optional[Transport] = None
        self.session: Optional[Session] = None
        self.collections = False
        self.inflight: InflightTable[Pending] = InflightTable(FIRST_OPERATION_OPAQUE)
        self.queue: list[Pending] = []  # submitted before the bootstrap finished
        self.closed = False
        self.usable = True  # ready, or still within its bootstrap deadline (not closed)
        self.failure: Optional[BaseException] = None  # why it closed
        self._waiters: list[Callable[[MuxNode, Optional[BaseException]], None]] = [on_ready]
        self.deflate: Optional[Deflate] = None  # compresses values, once bootstrapped
        # requests given up on (timed out): their late answers are orphans to report
        self.abandoned: Optional[Abandoned] = None
        self._compression = settings.compression
        self._tls, self._username = settings.tls is not None, settings.username
        self._boot = bootstrap(settings.username, settings.password, settings.bucket,
                               tls=settings.tls is not None,
                               features=hello_features(settings.connstr.options))
        # connect, HELLO, auth, bucket and config must be done by the deadline
        delay = max(deadline - time.monotonic(), 0.0)
        self._boot_timer: Optional[Timer] = backend.call_later(delay, self._boot_expired)
        self._boot_seconds = delay

    def __repr__(self) -> str:
        state = "closed" if self.closed else "ready" if self.ready else "bootstrapping"
        return f"MuxNode({self.host}:{self.port}, {state}, {len(self.inflight)} in flight)"

    @property
    def ready(self) -> bool:
        return self.session is not None and not self.closed

    def when_ready(self, callback: Callable[[MuxNode, Optional[BaseException]], None]) -> None:
        """``callback(node, None)`` once bootstrapped (now, if it is), or ``(node, error)``."""
        if self.ready:
            callback(self, None)
        elif self.closed:
            callback(self, self.failure or NetworkError(
                f"connection to {self.host}:{self.port} is closed"))
        else:
            self._waiters.append(callback)

    # -- events from the backend ---------------------------------------------------
    def connection_made(self, transport: Transport) -> None:
        if self.closed:  # given up (deadline, bucket closed) while connecting
            transport.close()
            return
        self.transport = transport
        transport.write(next(self._boot))

    def data_received(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            packets = self.reader.feed(data)
        except CoreError as exc:  # bad framing: the stream cannot be resynchronised
            self.fail(exc)
            return
        inflight = self.inflight
        for pkt in packets:
            if self.session is None:
                self._bootstrap_step(pkt)
                if self.closed:
                    return
                continue
            entry = inflight.pop(pkt.opaque)
            if entry is None:
                self._unmatched(pkt)  # (the answer to a request that timed out)
                continue
            try:
                entry.answer(pkt)
            except Exception as exc:  # one bad answer fails its operation, not the node
                io_log.error("internal error handling a response from %s:%s (opcode 0x%02x)",
                             self.host, self.port, pkt.opcode, exc_info=True)
                entry.fail(exc)

    def _unmatched(self, pkt: Packet) -> None:
        """A response nothing waits for: an orphan if its request timed out."""
        if self.abandoned is None or not self.abandoned.arrived(pkt, self):
            io_log.debug("%s:%s sent a response nothing waits for (opcode 0x%02x, "
                         "opaque 0x%x)", self.host, self.port, pkt.opcode, pkt.opaque)

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        if self.closed:
            return
        if isinstance(exc, (CouchbaseError, CoreError)):
            error: BaseException = exc
        elif exc is None or (isinstance(exc, ssl.SSLError) and self.session is None):
            error = closed_error(self.host, self.port, self._tls, self.session is None, exc,
                                 certificate=self._tls and not self._username)
        elif self.transport is None:
            error = ConnectError(f"could not connect to {self.host}:{self.port}: {exc}",
                                 inner_cause=exc)
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
            self.collections = stop.value.collections
            self.deflate = self._compression.deflater(stop.value.features)
            self._ready(None)
            return
        except CoreError as exc:
            self.fail(exc)
            return
        if out and self.transport is not None:
            self.transport.write(out)

    def _boot_expired(self) -> None:
        self._boot_timer = None
        if self.session is None and not self.closed:
            self.fail(TimeoutError(
                f"{self.host}:{self.port} did not finish connect, HELLO and authentication "
                f"within {self._boot_seconds:.3g}s"))

    def _ready(self, error: Optional[BaseException]) -> None:
        if self._boot_timer is not None:
            self._boot_timer.cancel()
            self._boot_timer = None
        if error is None:
            queue, self.queue = self.queue, []
            for entry in queue:
                self._send(entry)
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            _safely(waiter, self, error)

    # -- requests ----------------------------------------------------------------------
    def submit(self, entry: Pending) -> None:
        if self.closed:
            entry.fail(NetworkError(f"connection to {self.host}:{self.port} is closed"))
        elif self.session is None:
            entry.opaque = 0
            self.queue.append(entry)
        else:
            self._send(entry)

    def _send(self, entry: Pending) -> None:
        entry.opaque = opaque = self.inflight.put(entry)
        if self.transport is not None:
            self.transport.write(entry.encode(opaque, self.collections))

    def forget(self, entry: Pending) -> bool:
        """Stop waiting for ``entry`` (it timed out); a late answer is dropped.
        Whether it had been sent (an answer may still come)."""
        if entry.opaque:
            if self.inflight.get(entry.opaque) is entry:
                self.inflight.pop(entry.opaque)
                return True
        else:
            try:
                self.queue.remove(entry)
            except ValueError:
                pass
        return False

    def fail(self, error: BaseException) -> None:
        """Close the connection and fail everything waiting on it."""
        if self.closed:
            return
        self.closed = True
        self.usable = False
        self.failure = error
        if not isinstance(error, ObjectDestroyedError):  # (not closed on purpose)
            io_log.warning("connection to %s:%s %s: %s (%d operations waiting on it fail)",
                           self.host, self.port,
                           "failed" if self.session is None else "lost", error,
                           len(self.inflight) + len(self.queue))
        if self.abandoned is not None:
            self.abandoned.clear()
        transport, self.transport = self.transport, None
        if transport is not None:
            try:
                transport.close()
            except Exception:
                pass
        waiting = self.inflight.drain() + self.queue
        self.queue = []
        if self.session is None:
            self._ready(error)
        elif self._boot_timer is not None:
            self._boot_timer.cancel()
        for entry in waiting:
            _safely(entry.fail, error)

    def close(self) -> None:
        self.fail(ObjectDestroyedError("the connection was closed"))


def _safely(callback: Callable[..., Any], *args: Any) -> None:
    """Call one of many callbacks being failed or expired together: one that raises must
    not keep the others from theirs (nor reach the event loop, which would close the
    connection it was called from)."""
    try:
        callback(*args)
    except Exception:
        io_log.error("internal error in a completion callback", exc_info=True)


class _Op:
    """One request on its way: retries on NOT_MY_VBUCKET, expires at its deadline."""

    __slots__ = ("cluster", "req", "done", "deadline", "timer", "node", "opaque", "vb",
                 "attempt", "finished", "sent", "refreshed", "started")

    def __init__(self, cluster: MuxCluster, req: Request, done: PacketCallback,
                 started: float, deadline: float) -> None:
        self.cluster = cluster
        self.req = req
        self.done = done
        self.started = started
        self.deadline = deadline
        self.timer: Optional[Timer] = None
        self.node: Optional[MuxNode] = None
        self.opaque = 0
        self.vb = 0
        self.attempt = 0
        self.finished = False
        self.sent = False  # written to a connection at least once
        self.refreshed = False  # a node failure already sent it to another map

    def encode(self, opaque: int, collections: bool) -> bytes:
        self.sent = True
        node = self.node
        return self.req.encode(self.vb, opaque, collections,
                               node.deflate if node is not None else None)

    def answer(self, pkt: Packet) -> None:
        if self.finished:
            return
        cluster = self.cluster
        if pkt.status == Status.NOT_MY_VBUCKET:
            cluster._not_my_vbucket(self, pkt)
            return
        elapsed = time.monotonic() - self.started
        if elapsed > cluster.tracing.kv:  # (infinite when tracing is off)
            cluster.tracer.kv_slow(self.req.opcode, elapsed, self.node, self.opaque, pkt)
        self.finish(pkt, None)

    def fail(self, error: BaseException) -> None:
        if not self.finished:
            self.cluster._node_failed(self, error)

    def expire(self) -> None:
        if self.finished:
            return
        node = self.node
        if node is not None:
            opaque = self.opaque
            if node.forget(self) and node.abandoned is not None:
                node.abandoned.add(opaque, self.started)
            log_timeout(self.req.opcode, self.req.key, node, time.monotonic() - self.started,
                        self.cluster.tracing.redaction)
        self.finish(None, TimeoutError(
            f"operation timed out (no response within {self.deadline - self.started:.3g}s)"))

    def finish(self, pkt: Optional[Packet], error: Optional[BaseException]) -> None:
        self.finished = True
        if self.timer is not None:
            self.timer.cancel()
        if error is not None:
            error = to_public(error)  # errors leave the cluster as documented exceptions
        # A finished op may wait in the cluster's timeout queue until the ones before it
        # finish: let go of the front end's callback (its future, result and document)
        # now, so they die young instead of being promoted and traversed by the GC.
        done, self.done = self.done, _finished
        done(pkt, error)


def _finished(pkt: Optional[Packet], error: Optional[BaseException]) -> None:
    """What a finished :class:`_Op` holds instead of its callback (never called)."""


class _ProbeEntry:
    """A node probe's request on one node; a STAT's answers arrive as several
    packets with one opaque."""

    __slots__ = ("node", "probe", "done", "opaque")

    def __init__(self, node: MuxNode, probe: NodeProbe,
                 done: Callable[[Optional[BaseException]], None]) -> None:
        self.node = node
        self.probe = probe
        self.done = done
        self.opaque = 0

    def encode(self, opaque: int, collections: bool) -> bytes:
        return self.probe.request(opaque)

    def answer(self, pkt: Packet) -> None:
        try:
            finished = self.probe.feed(pkt)
        except Exception as exc:  # (a STAT error status)
            self.done(exc)
            return
        if finished:
            self.done(None)
        else:
            self.node.inflight.add(self.opaque, self)  # more packets share this opaque

    def fail(self, error: BaseException) -> None:
        self.done(error)


class _ConfigEntry:
    """GET_CLUSTER_CONFIG on one node, after another failed."""

    __slots__ = ("cluster", "node", "done", "opaque")

    def __init__(self, cluster: MuxCluster, node: MuxNode,
                 done: Callable[[bool], None]) -> None:
        self.cluster = cluster
        self.node = node
        self.done = done
        self.opaque = 0

    def encode(self, opaque: int, collections: bool) -> bytes:
        return _CONFIG_REQUEST.encode(0, opaque, collections)

    def answer(self, pkt: Packet) -> None:
        self.done(pkt.status == Status.SUCCESS and bool(pkt.value) and
                  self.cluster.router.update(pkt.value, self.node.host))

    def fail(self, error: BaseException) -> None:
        self.done(False)


_NODE_FAILURES = (CouchbaseNetworkError, ConnectionClosed)
"""Errors that say a node could not be reached or dropped the connection."""
_CONFIG_REQUEST = Request(Opcode.GET_CLUSTER_CONFIG, b"")


class MuxCluster(ClusterBase[MuxNode]):
    """A bucket's connections for an event loop: many requests in flight, callbacks."""

    seed_errors = (CoreError, CouchbaseError)

    def __init__(self, settings: Settings, backend: Backend,
                 retry: Optional[RetryPolicy] = None) -> None:
        super().__init__(settings, time.monotonic, retry)
        self.backend = backend
        self.tracing = settings.tracing  # (the bucket's: changes apply at once)
        self.tracer = Tracer(settings.tracing, time.monotonic, backend.call_later)
        self._waiting: deque[_Op] = deque()  # operations on the shared timeout, oldest first
        self._sweep: Optional[Timer] = None
        self._sweep_at = 0.0
        # callbacks waiting on the GET_CLUSTER_CONFIG sent after a node failed
        self._refreshing: Optional[list[Callable[[bool], None]]] = None

    # -- bootstrap ---------------------------------------------------------------------
    def connect(self, done: Callable[[Optional[BaseException]], None]) -> None:
        """Walk the seeds (see :mod:`couchbase._core.walk`); ``done(None)`` or ``done(error)``."""
        def ok(_: Any) -> None:
            done(ObjectDestroyedError("the connection was closed while connecting")
                 if self.closed else None)

        def fail(error: BaseException) -> None:
            done(ObjectDestroyedError("the connection was closed while connecting")
                 if self.closed else error)

        started = self.clock()

        def walk_from(seeds: Any, error: Optional[BaseException]) -> None:
            if error is not None or self.closed:
                fail(error or ObjectDestroyedError("closed while connecting"))
                return
            drive_callbacks(self.bootstrap_flow(seeds, started), self, ok, fail)

        if self.asks_dns():  # DNS SRV blocks: off the loop, then the walk on it
            self.backend.run_blocking(self.resolve_seeds, walk_from)
        else:
            walk_from(self.settings.connstr, None)

    def open_node(self, host: str, port: int, deadline: float, done: Done) -> None:
        if self.closed:
            done(None, ObjectDestroyedError("the connection was closed while connecting"))
            return
        node = self._replace((host, port), deadline)
        node.when_ready(lambda n, error: done(n.session, None) if error is None
                        else done(None, error))

    def _open(self, host: str, port: int, deadline: float) -> MuxNode:
        io_log.debug("connecting to %s:%s", host, port)
        node = MuxNode(host, port, self.settings, self.backend, deadline, self._node_ready)
        node.abandoned = Abandoned(self.tracer)
        self.backend.connect(host, port, self.tls, node)
        return node

    def _node_ready(self, node: MuxNode, error: Optional[BaseException]) -> None:
        if error is None and node.session is not None:
            self._adopt_config(node, node.session.config)

    def close(self) -> None:
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        super().close()
        self.tracer.close()  # (what is queued goes out now)

    # -- key-value requests ------------------------------------------------------------
    def execute(self, req: Request, done: PacketCallback, timeout: Optional[float] = None,
                ) -> None:
        """Send ``req``; ``done(packet, None)`` or ``done(None, error)`` exactly once."""
        if self.closed:
            done(None, ObjectDestroyedError("this connection is closed"))
            return
        now = time.monotonic()
        cluster_timeout = self.settings.timeout
        if timeout is None:
            timeout = req.timeout  # (a per-call timeout; None: the bucket's)
        if timeout is None or timeout == cluster_timeout:
            # Operations with the cluster's timeout expire in the order they started:
            # one sweep timer for all of them instead of a timer each.
            op = _Op(self, req, done, now, now + cluster_timeout)
            waiting = self._waiting
            while waiting and waiting[0].finished:
                waiting.popleft()
            waiting.append(op)
            if self._sweep is None or op.deadline < self._sweep_at:  # (the timeout shrank)
                if self._sweep is not None:
                    self._sweep.cancel()
                self._sweep_at = op.deadline
                self._sweep = self.backend.call_later(cluster_timeout, self._expire_due)
        else:
            op = _Op(self, req, done, now, now + timeout)
            op.timer = self.backend.call_later(timeout, op.expire)
        self._dispatch(op)

    def _expire_due(self) -> None:
        """Time out every operation past its deadline; sleep until the next one's."""
        self._sweep = None
        waiting = self._waiting
        now = time.monotonic()
        for op in [op for op in waiting if not op.finished and op.deadline <= now]:
            _safely(op.expire)  # (a scan, not just the head: the timeout may have changed)
        while waiting and waiting[0].finished:
            waiting.popleft()
        if waiting and not self.closed:
            self._sweep_at = min(op.deadline for op in waiting)
            self._sweep = self.backend.call_later(max(self._sweep_at - now, 0.001),
                                                  self._expire_due)

    def _dispatch(self, op: _Op) -> None:
        try:
            op.vb, index = self.router.route_index(op.req.key, op.req.replica)
            node = self.node_at(index)
        except (CoreError, CouchbaseError) as exc:
            op.finish(None, exc)
            return
        op.node = node
        node.submit(op)

    def _node_failed(self, op: _Op, error: BaseException) -> None:
        """``op``'s node failed: it may have been failed over (ask another node
        for the map) or restarted (a new connection): go again, once."""
        node = op.node
        if op.refreshed or self.closed or node is None or \
                not isinstance(error, _NODE_FAILURES) or \
                not self.retry_on_failure(op.req.opcode, op.sent):
            op.finish(None, error)
            return
        op.refreshed = True
        io_log.info("%s; asking another node for the cluster map, then sending the "
                    "request again", error)

        def refreshed(_changed: bool) -> None:
            # Moved or not, it goes again (a restarted node gets a new connection).
            if not op.finished:
                op.sent = False
                self._dispatch(op)

        self._refresh_config((node.host, node.port), refreshed)

    def _refresh_config(self, failed: tuple[str, int], then: Callable[[bool], None]) -> None:
        """GET_CLUSTER_CONFIG from a node other than ``failed``; ``then(newer)``.
        Operations failing together share one request."""
        if self._refreshing is not None:
            self._refreshing.append(then)
            return
        waiters = self._refreshing = [then]

        def finished(changed: bool) -> None:
            self._refreshing = None
            for waiter in waiters:
                _safely(waiter, changed)

        try:
            source = self.config_source(failed)
            node = self.node_at(source) if source is not None else None
        except (CoreError, CouchbaseError):
            node = None
        if node is None:
            finished(False)
            return
        node.submit(_ConfigEntry(self, node, finished))

    def _not_my_vbucket(self, op: _Op, pkt: Packet) -> None:
        new = bool(pkt.value) and op.node is not None and \
            self.router.update(pkt.value, op.node.host)
        log_not_my_vbucket(op.node, op.vb, new, self.router)
        pause = self.retry.not_my_vbucket(op.attempt, new, op.deadline - time.monotonic())
        op.attempt += 1
        if pause is None:
            op.finish(None, TimeoutError("timed out while the cluster map was changing"))
        elif not pause:
            self._dispatch(op)
        else:
            self.backend.call_later(pause, lambda: None if op.finished else self._dispatch(op))

    def execute_multi(self, reqs: list[Request], done: Callable[[list[Answer]], None],
                      timeout: Optional[float] = None) -> None:
        """Send every request at once; ``done(responses or errors, in order)``."""
        results: list[Any] = [None] * len(reqs)
        left = [len(reqs)]
        if not reqs:
            done([])
            return

        def one(index: int) -> PacketCallback:
            def finished(pkt: Optional[Packet], error: Optional[BaseException]) -> None:
                results[index] = pkt if error is None else error
                left[0] -= 1
                if not left[0]:
                    done(results)
            return finished

        for i, req in enumerate(reqs):
            self.execute(req, one(i), timeout)

    # -- a probe on every node (STAT, ping) ----------------------------------------
    def each_node(self, command: EachNode, done: Done) -> None:
        """Run ``command``'s probe on every KV node: ``done({(host, port): probe}, None)``."""
        if self.closed:
            done(None, ObjectDestroyedError("this connection is closed"))
            return
        out: dict[tuple[str, int], NodeProbe] = {}
        every = self.router.addresses()
        for address in every:
            made = command.make(f"{address[0]}:{address[1]}")
            if made is not None:  # (None: this node is left out)
                out[address] = made
        addresses = list(out)
        left = {address for address in addresses}
        state = {"over": False}
        if not addresses:
            done(out, None)
            return
        timeout = command.timeout or self.settings.timeout

        def expired() -> None:
            error = TimeoutError(f"no answer within {timeout:.3g}s")
            for address in list(left):
                node_done(address, error)

        timer = self.backend.call_later(timeout, expired)

        def node_done(address: tuple[str, int], error: Optional[BaseException]) -> None:
            if state["over"] or address not in left:
                return
            left.discard(address)
            if error is not None:
                if not command.tolerant:
                    state["over"] = True
                    timer.cancel()
                    done(None, to_public(error))
                    return
                out[address].error = to_public(error)
            if not left:
                state["over"] = True
                timer.cancel()
                done(out, None)

        indexes = {address: i for i, address in enumerate(every)}
        for address in addresses:
            probe = out[address]
            finished = partial(node_done, address)
            try:
                node = self.node_at(indexes[address])
            except (CoreError, CouchbaseError) as exc:
                finished(exc)
                continue
            node.submit(_ProbeEntry(node, probe, finished))

    # -- the rest of the flow commands (CallbackIO) ---------------------------------------
    def sleep(self, seconds: float, done: Done) -> None:
        self.backend.call_later(seconds, lambda: done(None, None))

    def open_http(self, endpoint: Endpoint, data: bytes, done: Done) -> None:
        if self.closed:
            done(None, ObjectDestroyedError("this connection is closed"))
            return
        started, config = time.monotonic(), self.router.config

        def opened(link: Any, error: Optional[BaseException]) -> None:
            done(None if error is not None else
                 TimedLink(link, self.tracer, config, endpoint, started), error)

        MuxHttpLink(self.backend, endpoint, data, opened).start()

    def __repr__(self) -> str:
        return f"<MuxCluster bucket={self.bucket!r} nodes={list(self.nodes.values())}>"
