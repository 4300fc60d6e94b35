"""The KV port's edge: write backpressure, the read limit before SASL, the
connection cap (couchbase_mock.kv_connection, couchbase_mock.limits)."""

from __future__ import annotations

import asyncio
import gc
import socket
import struct
import threading
from pathlib import Path
from typing import Any, Optional

import pytest
from mock_kvclient import KV, connect, key_with_active

from couchbase._core.opcode import Magic, Opcode
from couchbase._core.packet import HEADER_LEN, PacketReader, encode_packet
from couchbase._core.scram import plain_payload
from couchbase._core.status import Status
from couchbase._core.vbucket import vbucket_for_key
from couchbase_mock import MockCluster
from couchbase_mock.cluster import Cluster
from couchbase_mock.kv_connection import FLUSH_BYTES, KVProtocol
from couchbase_mock.limits import DEFAULT_LIMITS, Limits
from couchbase_mock.server import start_servers, stop_servers

MiB = 1024 * 1024
PIPELINE = 200_000
READ = 256 * 1024  # the most asyncio's selector transports read at once
DOC = b"x" * 1024
GET_ANSWER = HEADER_LEN + 4 + len(DOC)  # header, flags, value


def _request(opcode: int, key: bytes = b"", value: bytes = b"", extras: bytes = b"",
             vbucket: int = 0, opaque: int = 0) -> bytes:
    return encode_packet(Magic.REQUEST, opcode, key, value, extras, b"", 0, vbucket, opaque, 0)


def _gets(count: int) -> bytes:
    vb = vbucket_for_key(b"doc", 1024)
    return b"".join(_request(Opcode.GET, b"doc", vbucket=vb, opaque=i) for i in range(count))


# -- write backpressure, driven the way asyncio drives a protocol ------------------


class FakeTransport(asyncio.Transport):
    """Keeps what the server writes until the test (the client) takes it, and
    tells the protocol its buffer is full or drained as asyncio's transports do."""

    def __init__(self, protocol: KVProtocol) -> None:
        super().__init__()
        self.protocol = protocol
        self.unsent = bytearray()
        self.peak = 0
        self.high, self.low = 64 * 1024, 16 * 1024
        self.full = False
        self.reading = True
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    def set_write_buffer_limits(self, high: Optional[int] = None,
                                low: Optional[int] = None) -> None:
        assert high is not None and low is not None
        self.high, self.low = high, low

    def get_write_buffer_size(self) -> int:
        return len(self.unsent)

    def write(self, data: Any) -> None:
        self.unsent += data
        self.peak = max(self.peak, len(self.unsent))
        if not self.full and len(self.unsent) > self.high:
            self.full = True
            self.protocol.pause_writing()

    def take_all(self) -> bytes:
        """The client reads everything sent so far."""
        data = bytes(self.unsent)
        self.unsent.clear()
        if self.full:
            self.full = False
            self.protocol.resume_writing()
        return data

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def is_reading(self) -> bool:
        return self.reading

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def test_a_pipeline_without_reads_stops_the_server_reading_within_its_bound():
    cluster = Cluster(1)
    cluster.create_bucket("default", replicas=0)
    proto = KVProtocol(cluster, 0)
    transport = FakeTransport(proto)
    proto.connection_made(transport)
    setup = (_request(Opcode.SASL_AUTH, b"PLAIN", plain_payload("Administrator", "password"))
             + _request(Opcode.SELECT_BUCKET, b"default")
             + _request(Opcode.SET, b"doc", DOC, struct.pack(">II", 0, 0),
                        vbucket_for_key(b"doc", 1024)))
    stream = setup + _gets(PIPELINE)
    # The client sends everything and reads nothing: the server reads (at most
    # READ bytes at a time) only while the transport lets it.
    sent = 0
    while sent < len(stream) and transport.reading:
        proto.data_received(stream[sent:sent + READ])
        sent += READ
    assert not transport.reading and sent < len(stream)
    # What the server holds: unsent answers up to the high-water mark plus one
    # flush, and the requests of one read it has not answered.
    bound = DEFAULT_LIMITS.kv_unsent_high + FLUSH_BYTES + GET_ANSWER
    assert transport.get_write_buffer_size() <= bound
    assert proto.backlog <= READ // HEADER_LEN

    # The client now reads; the server resumes where it stopped, in order.
    reader = PacketReader()
    answers = []
    while len(answers) < PIPELINE + 3:
        answers.extend(reader.feed(transport.take_all()))
        while sent < len(stream) and transport.reading:
            proto.data_received(stream[sent:sent + READ])
            sent += READ
    assert [p.status for p in answers[:3]] == [Status.SUCCESS] * 3
    gets = answers[3:]
    assert [p.opaque for p in gets] == list(range(PIPELINE))
    assert all(p.status == Status.SUCCESS and p.value == DOC for p in gets)
    assert transport.peak <= bound


def _rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_pipeline_without_reads_leaves_server_memory_bounded():
    with MockCluster(nodes=1, replicas=0) as mock:
        kv = connect(mock)
        try:
            assert kv.set(b"doc", DOC).status == Status.SUCCESS
            payload = _gets(PIPELINE)
            gc.collect()
            before = _rss()
            sender = threading.Thread(target=kv.sock.sendall, args=(payload,), daemon=True)
            sender.start()
            # Let the server read what it will. The bound holds at every moment,
            # so however little this gives a slow machine, it can only weaken
            # the test, never fail it. (Unbounded, the server grew by the whole
            # 200 MB of answers: 1.5 GB with 8 KiB documents.)
            sender.join(2.0)
            grown = _rss() - before
            assert grown < 48 * MiB, grown / MiB
            got = 0
            while got < PIPELINE:
                resp = kv.recv()
                assert resp.status == Status.SUCCESS and resp.opaque == got
                got += 1
            sender.join()
        finally:
            kv.close()


# -- before authentication ---------------------------------------------------------


def _closed(sock: socket.socket) -> bool:
    """Whether the server closed the connection (EOF or reset) instead of answering."""
    try:
        return sock.recv(65536) == b""
    except ConnectionError:
        return True


def test_a_partial_oversized_packet_before_sasl_closes_the_connection(mock_cluster):
    limit = DEFAULT_LIMITS.kv_unauthenticated_packet
    header = struct.pack(">BBHBBHIIQ", Magic.REQUEST, Opcode.SET, 0, 0, 0, 0, 49 * MiB, 1, 0)
    with socket.create_connection((mock_cluster.host, mock_cluster.nodes[0].kv_port),
                                  timeout=10) as sock:
        try:
            sock.sendall(header + bytes(2 * limit))
        except ConnectionError:
            return  # closed while we were still sending
        assert _closed(sock)


def test_a_whole_oversized_packet_before_sasl_closes_the_connection(mock_cluster):
    big = _request(Opcode.SET, b"k", bytes(DEFAULT_LIMITS.kv_unauthenticated_packet),
                   struct.pack(">II", 0, 0))
    with KV(mock_cluster.nodes[0].kv_port, mock_cluster.host) as kv:
        kv.hello()  # small packets are answered before SASL
        kv.sock.sendall(big)
        assert _closed(kv.sock)


def test_after_sasl_large_values_get_e2big_not_a_closed_connection(mock_cluster):
    kv = connect(mock_cluster)
    key = key_with_active(mock_cluster, 0, "big")
    try:
        assert kv.set(key, b"x" * (20 * MiB + 1)).status == Status.E2BIG
        assert kv.set(key, b"x" * MiB).status == Status.SUCCESS
    finally:
        kv.close()


# -- connection cap ----------------------------------------------------------------------


async def _hello(port: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_request(Opcode.NOOP, opaque=9))
    try:
        return await reader.read(HEADER_LEN)
    finally:
        writer.close()


def test_the_connection_cap_refuses_the_next_connection():
    async def scenario() -> None:
        cluster = Cluster(1)
        cluster.create_bucket("default", replicas=0)
        servers = await start_servers(cluster, limits=Limits(max_connections=2))
        port = cluster.nodes[0].kv_port
        try:
            held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(2)]
            for reader, writer in held:  # both are served
                writer.write(_request(Opcode.NOOP, opaque=1))
                assert len(await reader.readexactly(HEADER_LEN)) == HEADER_LEN
            # the third is accepted and closed at once, unanswered
            assert await _hello(port) == b""
            for _, writer in held:
                writer.close()
        finally:
            await stop_servers(servers)

    asyncio.run(scenario())
