"""A cluster and a network made of bytes, for driver tests (like httpcore's mock backend).

:class:`MemoryCluster` serves the local cluster's KV sessions
(``couchbase_mock.kv.KVSession``: request packets in, response bytes out) and
the management port's streaming configuration, with no socket and no event
loop. :class:`ScriptedNetwork` plugs the blocking driver into it,
:class:`ScriptedBackend` the event-loop driver. Whatever a server answers
reaches the client 1 to 5 bytes at a time, so every read path meets split
headers, split bodies and several packets in one read.
"""

from __future__ import annotations

import base64
import heapq
import random
import socket
import time
from collections import deque
from typing import Any, Callable, Optional

import h11

from couchbase._core.opcode import Opcode
from couchbase._core.packet import PacketReader
from couchbase._core.retry import RetryPolicy
from couchbase._kv import store_request
from couchbase.exceptions import ConnectError
from couchbase.exceptions import TimeoutError as CBTimeoutError
from couchbase.formats import FMT_JSON
from couchbase_mock import configjson
from couchbase_mock.cluster import Cluster
from couchbase_mock.kv import KVSession

HOST = "127.0.0.1"
KV_BASE = 11000
MGMT_BASE = 18000


def chop(data: bytes, rng: random.Random) -> list[bytes]:
    """``data`` in pieces of 1 to 5 bytes."""
    out = []
    pos = 0
    while pos < len(data):
        step = rng.randint(1, 5)
        out.append(data[pos:pos + step])
        pos += step
    return out


class KVServerSide:
    """One KV connection's server end: bytes in, response bytes out."""

    def __init__(self, cluster: Cluster, node: int) -> None:
        self.session = KVSession(cluster, node)
        self.reader = PacketReader()
        self.stalled = cluster.take_kv_stall(node)
        self.closed = False
        self.requests: list[int] = []  # opcodes, in the order they arrived

    def feed(self, data: bytes) -> bytes:
        if self.stalled:
            return b""
        out = []
        for pkt in self.reader.feed(data):
            self.requests.append(pkt.opcode)
            answer = self.session.handle(pkt)
            if answer:
                out.append(answer)
        return b"".join(out)


class SilentServerSide:
    """Accepts the connection, reads, never answers (a hung seed)."""

    closed = False

    def feed(self, data: bytes) -> bytes:
        return b""


class ConfigServerSide:
    """A management port: ``GET /pools/default/bs/<bucket>`` streams the bucket's config
    (the first one, then the connection stays open); 401 for bad credentials, 404 for
    another path or bucket."""

    def __init__(self, memory: MemoryCluster, node: int) -> None:
        self.memory = memory
        self.node = node
        self.conn = h11.Connection(h11.SERVER)
        self.closed = False
        self.targets: list[str] = []

    def feed(self, data: bytes) -> bytes:
        self.conn.receive_data(data)
        out = b""
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return out
            if isinstance(event, h11.Request):
                out += self._answer(event)

    def _answer(self, request: h11.Request) -> bytes:
        target = request.target.decode()
        self.targets.append(target)
        auth = dict(request.headers).get(b"authorization", b"")
        expected = self.memory.username + ":" + self.memory.password
        if auth != b"Basic " + base64.b64encode(expected.encode()):
            return self._close_with(401, b"Unauthorized")
        prefix = "/pools/default/bs/"
        cluster = self.memory.cluster
        name = target[len(prefix):] if target.startswith(prefix) else None
        if name is None or name not in cluster.buckets:
            return self._close_with(404, b"Requested resource not found.")
        config = configjson.rest_bucket_config(cluster, cluster.buckets[name], self.node)
        head = self.conn.send(h11.Response(status_code=200, headers=[
            ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]))
        return head + self.conn.send(h11.Data(data=config + b"\n\n\n\n"))

    def _close_with(self, status: int, body: bytes) -> bytes:
        out = self.conn.send(h11.Response(status_code=status, headers=[
            ("Content-Length", str(len(body))), ("Connection", "close")]))
        out += self.conn.send(h11.Data(data=body)) + self.conn.send(h11.EndOfMessage())
        self.closed = True
        return out


class MemoryCluster:
    """The local cluster's state and its KV sessions, reachable by (host, port)."""

    username = "Administrator"
    password = "password"

    def __init__(self, nodes: int = 2, replicas: int = 1,
                 buckets: tuple[str, ...] = ("default",)) -> None:
        self.cluster = Cluster(nodes, HOST, username=self.username, password=self.password)
        for name in buckets:
            self.cluster.create_bucket(name, replicas=replicas)
        for node in self.cluster.nodes:
            node.ports.update(kv=KV_BASE + node.index, mgmt=MGMT_BASE + node.index)
        self.cluster.bump()
        self.silent_ports: set[int] = set()
        self.connections: list[Any] = []  # every server end, in the order opened

    def kv_port(self, node: int) -> int:
        return KV_BASE + node

    def connstr(self, *seeds: str, bucket: str = "default", **options: Any) -> str:
        hosts = ",".join(seeds) or ",".join(f"{HOST}:{self.kv_port(n.index)}"
                                            for n in self.cluster.nodes)
        query = "&".join(f"{k}={v}" for k, v in options.items())
        return f"couchbase://{hosts}/{bucket}" + (f"?{query}" if query else "")

    def open(self, host: str, port: int) -> Any:
        """The server end of a new connection; ConnectionRefusedError where none listens."""
        if host != HOST:
            raise ConnectionRefusedError(f"no such host {host}")
        if port in self.silent_ports:
            server: Any = SilentServerSide()
        elif KV_BASE <= port < KV_BASE + len(self.cluster.nodes):
            server = KVServerSide(self.cluster, port - KV_BASE)
        elif MGMT_BASE <= port < MGMT_BASE + len(self.cluster.nodes):
            server = ConfigServerSide(self, port - MGMT_BASE)
        else:
            raise ConnectionRefusedError(f"nothing listens on {host}:{port}")
        self.connections.append(server)
        return server

    def node_of(self, key: str, bucket: str = "default") -> int:
        """The node holding the active copy of ``key``."""
        b = self.cluster.buckets[bucket]
        return b.active_node(b.vbucket_of(key.encode()))

    def key_on(self, node: int, prefix: str = "k") -> str:
        for i in range(10_000):
            if self.node_of(f"{prefix}-{i}") == node:
                return f"{prefix}-{i}"
        raise AssertionError(f"no key maps to node {node}")


# -- the blocking driver's network ----------------------------------------------------------
class ScriptedSocket:
    """A :class:`couchbase._io.blocking.Stream` over a server end, 1-5 bytes per recv.

    A KV stream with nothing to read behaves like the driver's sockets when their
    20 ms receive slice expires (BlockingIOError); an HTTP one times out at once.
    """

    def __init__(self, server: Any, rng: random.Random, kv: bool) -> None:
        self.server = server
        self.rng = rng
        self.kv = kv
        self.inbox = bytearray()
        self.closed = False
        self.sent = bytearray()

    def send(self, data: Any) -> int:
        if self.closed:
            raise OSError("send on a closed socket")
        data = bytes(data)
        self.sent += data
        self.inbox += self.server.feed(data)
        return len(data)

    def sendall(self, data: bytes) -> None:
        self.send(data)

    def recv(self, size: int) -> bytes:
        if self.closed:
            raise OSError("recv on a closed socket")
        if self.inbox:
            step = min(size, self.rng.randint(1, 5), len(self.inbox))
            out = bytes(self.inbox[:step])
            del self.inbox[:step]
            return out
        if self.server.closed:
            return b""
        if self.kv:
            # what a blocked recv on the driver's KV sockets does: wake after its 20 ms
            # SO_RCVTIMEO slice (shortened) so the driver can look at its deadline
            time.sleep(0.002)
            raise BlockingIOError("the receive slice expired")
        raise socket.timeout("timed out")

    def settimeout(self, timeout: Optional[float]) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def fileno(self) -> int:
        return -1


class ScriptedNetwork:
    """What :class:`couchbase._io.blocking.SocketNetwork` does, over a MemoryCluster."""

    def __init__(self, memory: MemoryCluster, seed: int = 0) -> None:
        self.memory = memory
        self.rng = random.Random(seed)
        self.streams: list[ScriptedSocket] = []
        self.slept: list[float] = []

    def connect(self, host: str, port: int, tls: Any, timeout: float,
                kv: bool = False) -> ScriptedSocket:
        try:
            server = self.memory.open(host, port)
        except ConnectionRefusedError as exc:
            raise ConnectError(f"could not connect to {host}:{port}: {exc}") from None
        stream = ScriptedSocket(server, self.rng, kv)
        self.streams.append(stream)
        return stream

    def wait_readable(self, nodes: list[Any], deadline: float) -> list[Any]:
        ready = [n for n in nodes if n.sock is not None and (n.sock.inbox or
                                                             n.sock.server.closed)]
        if ready:
            return ready
        # the scripted servers answer as bytes are sent: nothing can arrive while the
        # driver waits, so a select() would sleep to the deadline and report none
        time.sleep(max(deadline - time.monotonic(), 0.0))
        raise CBTimeoutError("operation timed out")

    def sleep(self, seconds: float) -> None:
        """The driver's own pause (retry backoff): recorded, and really waited."""
        self.slept.append(seconds)
        time.sleep(seconds)


# -- the event-loop driver's backend --------------------------------------------------------
class _Timer:
    __slots__ = ("cancelled",)

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ScriptedTransport:
    def __init__(self, backend: ScriptedBackend, server: Any, protocol: Any) -> None:
        self.backend = backend
        self.server = server
        self.protocol = protocol
        self.closed = False
        self.paused = False
        self.held: deque[bytes] = deque()
        self.written = bytearray()

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        self.written += data
        answer = self.server.feed(data)
        for piece in chop(answer, self.backend.rng):
            self.backend.soon(self._deliver, piece)
        if self.server.closed:
            self.backend.soon(self._lost)

    def _deliver(self, piece: bytes) -> None:
        if self.closed:
            return
        if self.paused:
            self.held.append(piece)
            return
        self.protocol.data_received(piece)

    def _lost(self) -> None:
        if not self.closed:
            self.closed = True
            self.protocol.connection_lost(None)

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        self.paused = True
        self.backend.pauses += 1

    def resume_reading(self) -> None:
        self.paused = False
        while self.held and not self.paused:
            self.backend.soon(self.protocol.data_received, self.held.popleft())


class ScriptedBackend:
    """A :class:`couchbase._io.mux.Backend` over a MemoryCluster, with its own small loop:
    :meth:`run` calls what is due (on the real clock) until a condition holds."""

    def __init__(self, memory: MemoryCluster, seed: int = 0) -> None:
        self.memory = memory
        self.rng = random.Random(seed)
        self._ready: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self._timers: list[tuple[float, int, _Timer, Callable[[], Any]]] = []
        self._seq = 0
        self.transports: list[ScriptedTransport] = []
        self.pauses = 0

    def connect(self, host: str, port: int, tls: Any, protocol: Any) -> None:
        try:
            server = self.memory.open(host, port)
        except ConnectionRefusedError as exc:
            self.soon(protocol.connection_lost, exc)
            return
        transport = ScriptedTransport(self, server, protocol)
        self.transports.append(transport)
        self.soon(protocol.connection_made, transport)

    def call_later(self, delay: float, fn: Callable[[], Any]) -> _Timer:
        timer = _Timer()
        self._seq += 1
        heapq.heappush(self._timers, (time.monotonic() + delay, self._seq, timer, fn))
        return timer

    def soon(self, fn: Callable[..., Any], *args: Any) -> None:
        self._ready.append((fn, args))

    def run(self, until: Callable[[], bool], timeout: float = 5.0) -> None:
        """Run callbacks and due timers until ``until()``; AssertionError after ``timeout``."""
        limit = time.monotonic() + timeout
        while not until():
            if self._ready:
                fn, args = self._ready.popleft()
                fn(*args)
                continue
            now = time.monotonic()
            if self._timers and self._timers[0][0] <= now:
                _, _, timer, fn = heapq.heappop(self._timers)
                if not timer.cancelled:
                    fn()
                continue
            if now > limit:
                raise AssertionError(f"not done within {timeout}s")
            # nothing to call before the next timer: block until it, as a loop's poll would
            due = self._timers[0][0] if self._timers else limit
            time.sleep(max(min(due, limit) - now, 0.0) + 0.0001)

    def idle(self) -> bool:
        """Nothing left to deliver (timers may still wait)."""
        return not self._ready


# -- what the driver tests share ----------------------------------------------------------------
SEEDS = [0, 1, 2, 3, 4]  # different 1-5 byte cuttings
BOOTSTRAP_OPCODES = [Opcode.HELLO, Opcode.SASL_LIST_MECHS, Opcode.SASL_AUTH, Opcode.SASL_STEP,
                     Opcode.SELECT_BUCKET, Opcode.GET_CLUSTER_CONFIG]


def keys_on(memory: MemoryCluster, node: int, count: int, prefix: str) -> list[str]:
    out: list[str] = []
    i = 0
    while len(out) < count:
        key = f"{prefix}-{i}"
        if memory.node_of(key) == node:
            out.append(key)
        i += 1
    return out


def kv_servers(memory: MemoryCluster, node: int) -> list[KVServerSide]:
    return [c for c in memory.connections
            if isinstance(c, KVServerSide) and c.session.node == node]


def upsert(key: str, value: Any) -> Any:
    return store_request(Opcode.SET, key, value, 0, 0, FMT_JSON)


def addr(node: int) -> tuple[str, int]:
    return (HOST, KV_BASE + node)


class RecordingRetry(RetryPolicy):
    """The default policy's answers (or ``pause`` / giving up after ``give_up_after``),
    with every question recorded."""

    def __init__(self, pause: Optional[float] = None, give_up_after: int = 1000) -> None:
        super().__init__()
        self.calls: list[tuple[int, bool]] = []
        self.pause = pause
        self.give_up_after = give_up_after

    def not_my_vbucket(self, attempt: int, new_config: bool, remaining: float,
                       ) -> Optional[float]:
        self.calls.append((attempt, new_config))
        if attempt >= self.give_up_after:
            return None
        if self.pause is not None:
            return self.pause
        return super().not_my_vbucket(attempt, new_config, remaining)


def move_vbucket_of(memory: MemoryCluster, key: str, to: int, bump: bool = True) -> int:
    """Make ``to`` the active node of ``key``'s vbucket (the old active its replica)."""
    bucket = memory.cluster.buckets["default"]
    vb = bucket.vbucket_of(key.encode())
    old = bucket.vbmap[vb][0]
    bucket.vbmap[vb] = [to, old]
    if bump:
        memory.cluster.bump()
    return vb
