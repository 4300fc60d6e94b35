"""The KV session's answers, byte for byte, and the connection's shared read buffer.

The session packs its common answers itself (couchbase_mock.kv, kv_handlers)
instead of going through the codec's ``response_to``; these tests hold those
answers to what ``response_to`` encodes, for every negotiated-feature case a
client can be in, and check that connections sharing one read buffer never
see each other's bytes.
"""

from __future__ import annotations

import asyncio
import struct
import threading
from typing import Any, Optional

import pytest

from couchbase._core.feature import Datatype, Feature, encode_features
from couchbase._core.frameinfo import (
    ResponseFrame,
    decode_frames,
    decode_server_duration,
    server_duration_frame,
)
from couchbase._core.leb128 import prefix_key
from couchbase._core.opcode import Magic, Opcode
from couchbase._core.packet import (
    Packet,
    PacketReader,
    decode_packet,
    encode_packet,
    response_to,
)
from couchbase._core.scram import plain_payload
from couchbase._core.status import Status
from couchbase._core.vbucket import vbucket_for_key
from couchbase_mock.cluster import Cluster
from couchbase_mock.kv import KVSession, duration_frame
from couchbase_mock.kv_connection import KVProtocol, _read_buffer

FLAGS = 0x02000006
DOC = b'{"name":"user-1","age":21}'


def _request(opcode: int, key: bytes = b"", value: bytes = b"", extras: bytes = b"",
             vbucket: int = 0, opaque: int = 7, datatype: int = 0) -> bytes:
    return encode_packet(Magic.REQUEST, opcode, key, value, extras, b"", datatype, vbucket,
                         opaque, 0)


def _session(*features: int) -> tuple[KVSession, Cluster]:
    cluster = Cluster(2)
    cluster.create_bucket("default", replicas=1)
    session = KVSession(cluster, 0)
    for raw in (
        _request(Opcode.HELLO, b"agent", encode_features(features)),
        _request(Opcode.SASL_AUTH, b"PLAIN", plain_payload("Administrator", "password")),
        _request(Opcode.SELECT_BUCKET, b"default"),
    ):
        answer = decode_packet(_answer(session, raw))
        assert answer.status == Status.SUCCESS
    return session, cluster


def _answer(session: KVSession, raw: bytes) -> bytes:
    out = session.handle(decode_packet(raw))
    assert out is not None
    return out


def _active_keys(cluster: Cluster, count: int, node: int = 0) -> list[tuple[bytes, int]]:
    """``count`` keys (with their vbuckets) that ``node`` is active for."""
    found = []
    for i in range(1000):
        key = f"doc-{i}".encode()
        vb = vbucket_for_key(key, 1024)
        if cluster.buckets["default"].vbmap[vb][0] == node:
            found.append((key, vb))
            if len(found) == count:
                return found
    raise AssertionError("not enough keys active on the node")


FEATURE_CASES = {
    "plain": (),
    "xerror+json": (Feature.XERROR, Feature.JSON),
    "collections": (Feature.XERROR, Feature.JSON, Feature.COLLECTIONS),
    "seqno": (Feature.XERROR, Feature.JSON, Feature.MUTATION_SEQNO),
    "tracing": (Feature.XERROR, Feature.JSON, Feature.ALT_REQUEST_SUPPORT, Feature.TRACING),
    "tracing+collections": (Feature.XERROR, Feature.ALT_REQUEST_SUPPORT, Feature.TRACING,
                            Feature.COLLECTIONS),
}


def _same_as_codec(answer: bytes, *, tracing: bool, opcode: int, status: int = 0,
                   key: bytes = b"", value: bytes = b"", extras: bytes = b"",
                   datatype: int = 0, cas: Optional[int] = None) -> Packet:
    """``answer`` decodes to what the codec's response_to encodes for these fields
    (with a server duration frame when the client asked for tracing)."""
    pkt = decode_packet(answer)
    framing = b""
    if tracing:
        assert pkt.magic == Magic.ALT_RESPONSE
        ((frame_id, payload),) = decode_frames(pkt.framing)
        assert frame_id == ResponseFrame.SERVER_DURATION
        assert decode_server_duration(payload) >= 0
        framing = pkt.framing
    request = Packet(Magic.REQUEST, opcode, opaque=7)
    expected = response_to(request, status, key=key, value=value, extras=extras,
                           framing=framing, datatype=datatype,
                           cas=pkt.cas if cas is None else cas)
    assert answer == expected
    return pkt


@pytest.mark.parametrize("case", sorted(FEATURE_CASES))
def test_get_set_and_miss_answers_are_the_codecs(case):
    features = FEATURE_CASES[case]
    session, cluster = _session(*features)
    tracing = Feature.TRACING in features
    (key, vb), (other, other_vb) = _active_keys(cluster, 2)
    collections = Feature.COLLECTIONS in features
    wire_key = prefix_key(0, key) if collections else key

    stored = _answer(session, _request(Opcode.SET, wire_key, DOC, struct.pack(">II", FLAGS, 0),
                                       vb, datatype=Datatype.JSON))
    extras = b""
    if Feature.MUTATION_SEQNO in features:
        vbucket = cluster.engines["default"].vbucket(0, vb)
        extras = struct.pack(">QQ", vbucket.uuid, vbucket.seqno)
    set_answer = _same_as_codec(stored, tracing=tracing, opcode=Opcode.SET, extras=extras)
    assert set_answer.cas != 0

    got = _answer(session, _request(Opcode.GET, wire_key, vbucket=vb))
    datatype = Datatype.JSON if Feature.JSON in features else 0
    _same_as_codec(got, tracing=tracing, opcode=Opcode.GET, value=DOC,
                   extras=struct.pack(">I", FLAGS), datatype=datatype, cas=set_answer.cas)

    got_k = _answer(session, _request(Opcode.GETK, wire_key, vbucket=vb))
    _same_as_codec(got_k, tracing=tracing, opcode=Opcode.GETK, key=wire_key, value=DOC,
                   extras=struct.pack(">I", FLAGS), datatype=datatype, cas=set_answer.cas)

    missing = prefix_key(0, other) if collections else other
    miss = _answer(session, _request(Opcode.GET, missing, vbucket=other_vb))
    _same_as_codec(miss, tracing=tracing, opcode=Opcode.GET, status=Status.KEY_ENOENT, cas=0)


def test_a_locked_document_reads_with_the_locked_cas_and_legacy_statuses_without_xerror():
    session, cluster = _session(Feature.JSON)  # no XERROR: legacy statuses
    ((key, vb),) = _active_keys(cluster, 1)
    _answer(session, _request(Opcode.SET, key, DOC, struct.pack(">II", 0, 0), vb))
    locked = decode_packet(_answer(session, _request(Opcode.GET_LOCKED, key,
                                                     extras=struct.pack(">I", 10), vbucket=vb)))
    assert locked.status == Status.SUCCESS
    got = decode_packet(_answer(session, _request(Opcode.GET, key, vbucket=vb)))
    assert got.cas == 0xFFFFFFFFFFFFFFFF and got.value == DOC
    again = decode_packet(_answer(session, _request(Opcode.SET, key, b"x",
                                                    struct.pack(">II", 0, 0), vb)))
    assert again.status == Status.KEY_EEXISTS  # LOCKED, as an old client knows it


def test_the_hello_that_turns_tracing_on_reports_its_own_duration():
    session = KVSession(Cluster(1), 0)
    hello = decode_packet(_answer(session, _request(
        Opcode.HELLO, b"agent", encode_features([Feature.ALT_REQUEST_SUPPORT, Feature.TRACING]))))
    ((frame_id, payload),) = decode_frames(hello.framing)
    assert frame_id == ResponseFrame.SERVER_DURATION
    assert decode_server_duration(payload) < 1e6  # well under a second, not "since ever"


@pytest.mark.parametrize("micros", [0.0, 0.4, 1.0, 17.0, 1234.5, 1e6, 3e6, 1e12])
def test_duration_frame_is_the_codecs_encoding(micros):
    assert duration_frame(micros / 1e6) == server_duration_frame(micros)


def test_duration_frame_of_a_clock_step_backwards_is_zero():
    assert duration_frame(-0.5) == server_duration_frame(0.0)


# -- one read buffer per event-loop thread -----------------------------------------


class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.out = bytearray()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    def set_write_buffer_limits(self, high: Optional[int] = None,
                                low: Optional[int] = None) -> None:
        pass

    def write(self, data: Any) -> None:
        self.out += data

    def is_closing(self) -> bool:
        return False

    def abort(self) -> None:
        raise AssertionError("connection aborted")


def _receive(proto: KVProtocol, data: bytes) -> None:
    """What asyncio does with a read: into the protocol's buffer, then tell it."""
    buf = proto.get_buffer(-1)
    buf[: len(data)] = data
    proto.buffer_updated(len(data))


def test_connections_sharing_the_read_buffer_keep_their_own_partial_packets():
    cluster = Cluster(2)
    cluster.create_bucket("default", replicas=1)
    keys = _active_keys(cluster, 2)
    protos, transports = [], []
    for _ in range(2):
        proto, transport = KVProtocol(cluster, 0), _Transport()
        proto.connection_made(transport)
        protos.append(proto)
        transports.append(transport)
    assert protos[0].get_buffer(-1).obj is protos[1].get_buffer(-1).obj  # one buffer
    setup = (_request(Opcode.SASL_AUTH, b"PLAIN", plain_payload("Administrator", "password"))
             + _request(Opcode.SELECT_BUCKET, b"default"))
    for i, (proto, (key, vb)) in enumerate(zip(protos, keys)):
        _receive(proto, setup + _request(Opcode.SET, key, b"value-%d" % i,
                                         struct.pack(">II", i, 0), vb))
    # Each connection's GET arrives in pieces of 5 bytes, the two interleaved.
    gets = [_request(Opcode.GET, key, vbucket=vb, opaque=100 + i)
            for i, (key, vb) in enumerate(keys)]
    for transport in transports:
        transport.out.clear()
    for start in range(0, max(map(len, gets)), 5):
        for proto, raw in zip(protos, gets):
            if raw[start:start + 5]:
                _receive(proto, raw[start:start + 5])
    for i, transport in enumerate(transports):
        (answer,) = PacketReader().feed(bytes(transport.out))
        assert (answer.opaque, answer.status, answer.value) == (100 + i, 0, b"value-%d" % i)
        assert struct.unpack(">I", answer.extras) == (i,)


def test_each_thread_reads_into_its_own_buffer():
    here = _read_buffer()
    there: list[memoryview] = []
    worker = threading.Thread(target=lambda: there.append(_read_buffer()))
    worker.start()
    worker.join()
    assert here is _read_buffer()
    assert there[0].obj is not here.obj
