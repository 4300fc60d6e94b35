"""The shared packet codec: wire tables, frame infos, LEB128, HELLO, streaming, properties."""

from __future__ import annotations

import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from couchbase._core.errors import RemoteProtocolError
from couchbase._core.feature import Feature, decode_features, encode_features
from couchbase._core.frameinfo import (
    DurabilityLevel,
    RequestFrame,
    ResponseFrame,
    decode_frames,
    decode_server_duration,
    durability_frame,
    encode_frame,
    server_duration_frame,
)
from couchbase._core.leb128 import decode_leb128, encode_leb128, prefix_key, split_key
from couchbase._core.opcode import Magic, Opcode
from couchbase._core.packet import (
    HEADER_LEN,
    Packet,
    PacketReader,
    decode_packet,
    encode_packet,
)

H = bytes.fromhex

# (description, Packet, exact wire bytes)
WIRE = [
    (
        "classic GET request",
        Packet(Magic.REQUEST, Opcode.GET, key=b"foo", vbucket=5, opaque=0xDEADBEEF),
        H("80 00 0003 00 00 0005 00000003 deadbeef 0000000000000000") + b"foo",
    ),
    (
        "classic SET request with extras and cas",
        Packet(Magic.REQUEST, Opcode.SET, key=b"k", value=b"{}", extras=H("02000000 00000e10"),
               datatype=1, vbucket=1023, opaque=7, cas=0x0102030405060708),
        H("80 01 0001 08 01 03ff 0000000b 00000007 0102030405060708")
        + H("02000000 00000e10") + b"k{}",
    ),
    (
        "classic response with status and value",
        Packet(Magic.RESPONSE, Opcode.GET, value=b"bar", extras=H("00000000"), status=0,
               opaque=9, cas=42),
        H("81 00 0000 04 00 0000 00000007 00000009 000000000000002a 00000000") + b"bar",
    ),
    (
        "classic error response",
        Packet(Magic.RESPONSE, Opcode.GET, value=b"Not found", status=0x01, opaque=1),
        H("81 00 0000 00 00 0001 00000009 00000001 0000000000000000") + b"Not found",
    ),
    (
        "alt request with durability frame",
        Packet(Magic.ALT_REQUEST, Opcode.SET, key=b"key", value=b"v", extras=b"\0" * 8,
               framing=H("13 01 03e8"), vbucket=2, opaque=3),
        H("08 01 04 03 08 00 0002 00000010 00000003 0000000000000000")
        + H("13 01 03e8") + b"\0" * 8 + b"key" + b"v",
    ),
    (
        "alt response with server duration",
        Packet(Magic.ALT_RESPONSE, Opcode.GET, value=b"x", framing=H("02 0010"), status=0,
               opaque=4, cas=1),
        H("18 00 03 00 00 00 0000 00000004 00000004 0000000000000001") + H("02 0010") + b"x",
    ),
]


@pytest.mark.parametrize("desc,packet,wire", WIRE, ids=[w[0] for w in WIRE])
def test_wire_table(desc: str, packet: Packet, wire: bytes) -> None:
    assert packet.encode() == wire
    decoded = decode_packet(wire)
    assert decoded.magic == packet.magic
    assert decoded.opcode == packet.opcode
    assert (decoded.key, decoded.value, decoded.extras, decoded.framing) == (
        packet.key, packet.value, packet.extras, packet.framing)
    assert (decoded.datatype, decoded.opaque, decoded.cas) == (
        packet.datatype, packet.opaque, packet.cas)
    field = packet.status if packet.is_response else packet.vbucket
    assert decoded.status == decoded.vbucket == field


def test_framing_switches_to_alt_magic() -> None:
    wire = encode_packet(Magic.REQUEST, Opcode.GET, key=b"a", framing=encode_frame(5))
    assert wire[0] == Magic.ALT_REQUEST
    wire = encode_packet(Magic.RESPONSE, Opcode.GET, framing=H("02 0001"))
    assert wire[0] == Magic.ALT_RESPONSE
    assert decode_packet(wire).framing == H("02 0001")


def test_alt_framing_limits() -> None:
    with pytest.raises(ValueError):
        encode_packet(Magic.REQUEST, Opcode.GET, key=b"k" * 256, framing=b"\x50")


@pytest.mark.parametrize(
    "wire",
    [
        b"\x42" + bytes(23),
        b"\x00" + bytes(23),
        b"\xff" + bytes(HEADER_LEN - 1),
    ],
)
def test_bad_magic(wire: bytes) -> None:
    with pytest.raises(RemoteProtocolError):
        decode_packet(wire)
    with pytest.raises(RemoteProtocolError):
        PacketReader().feed(wire)


def test_lengths_inconsistent() -> None:
    # key length 5 but body length 2
    wire = H("80 00 0005 00 00 0000 00000002 00000000 0000000000000000") + b"ab"
    with pytest.raises(RemoteProtocolError):
        decode_packet(wire)


def test_decode_packet_wants_exactly_one() -> None:
    one = Packet(Magic.REQUEST, Opcode.NOOP).encode()
    with pytest.raises(RemoteProtocolError):
        decode_packet(one + one)
    with pytest.raises(RemoteProtocolError):
        decode_packet(one[:-1] if len(one) > HEADER_LEN else one[:10])


# --- frame infos ---------------------------------------------------------------

FRAMES = [
    (RequestFrame.PRESERVE_TTL, b"", H("50")),
    (RequestFrame.DURABILITY, b"\x01", H("11 01")),
    (RequestFrame.DURABILITY, b"\x03\x27\x10", H("13 03 2710")),
    (ResponseFrame.SERVER_DURATION, b"\x00\x10", H("02 0010")),
    (14, b"x" * 14, H("ee") + b"x" * 14),
    (15, b"", H("f0 00")),  # id escape
    (2, b"y" * 15, H("2f 00") + b"y" * 15),  # length escape
    (40, b"z" * 20, H("ff 19 05") + b"z" * 20),  # both escaped
]


@pytest.mark.parametrize("frame_id,payload,wire", FRAMES)
def test_frame_table(frame_id: int, payload: bytes, wire: bytes) -> None:
    assert encode_frame(frame_id, payload) == wire
    assert decode_frames(wire) == [(frame_id, payload)]


def test_several_frames_and_truncation() -> None:
    data = durability_frame(DurabilityLevel.MAJORITY) + encode_frame(RequestFrame.PRESERVE_TTL)
    assert decode_frames(data) == [(1, b"\x01"), (5, b"")]
    assert durability_frame(DurabilityLevel.PERSIST_TO_MAJORITY, 1500) == H("13 03 05dc")
    with pytest.raises(ValueError):
        decode_frames(H("13 03"))


@pytest.mark.parametrize("micros", [0.0, 1.0, 120.0, 1000.0, 250_000.0, 1_000_000.0])
def test_server_duration(micros: float) -> None:
    frame = server_duration_frame(micros)
    [(frame_id, payload)] = decode_frames(frame)
    assert frame_id == ResponseFrame.SERVER_DURATION and len(payload) == 2
    decoded = decode_server_duration(payload)
    # 16-bit encoding of us**(1/1.74): a few per cent of quantisation for small values
    assert decoded == pytest.approx(micros, rel=0.05, abs=1.0)


def test_server_duration_known_value() -> None:
    # encoded 0x0010 = 16 -> 16**1.74 / 2 microseconds
    assert decode_server_duration(b"\x00\x10") == pytest.approx(16**1.74 / 2)


# --- LEB128 --------------------------------------------------------------------

LEB = [(0, H("00")), (1, H("01")), (127, H("7f")), (128, H("80 01")), (300, H("ac 02")),
       (16383, H("ff 7f")), (16384, H("80 80 01")), (0xFFFFFFFF, H("ff ff ff ff 0f"))]


@pytest.mark.parametrize("value,wire", LEB)
def test_leb128_table(value: int, wire: bytes) -> None:
    assert encode_leb128(value) == wire
    assert decode_leb128(wire) == (value, len(wire))
    assert decode_leb128(b"junk" + wire + b"key", 4) == (value, 4 + len(wire))


@pytest.mark.parametrize("wire", [b"", H("80"), H("ff ff"), H("80 80 80 80 80 01")])
def test_leb128_malformed(wire: bytes) -> None:
    with pytest.raises(ValueError):
        decode_leb128(wire)


def test_leb128_negative() -> None:
    with pytest.raises(ValueError):
        encode_leb128(-1)


def test_collection_prefix() -> None:
    assert prefix_key(0, b"doc") == b"\x00doc"
    assert prefix_key(8, b"doc") == b"\x08doc"
    assert prefix_key(0x88, b"doc") == H("88 01") + b"doc"
    assert split_key(H("88 01") + b"doc") == (0x88, b"doc")


@given(st.integers(0, 0xFFFFFFFF), st.binary(max_size=8))
def test_leb128_round_trip(value: int, tail: bytes) -> None:
    wire = encode_leb128(value)
    assert 1 <= len(wire) <= 5
    assert decode_leb128(wire + tail) == (value, len(wire))
    assert split_key(prefix_key(value, tail)) == (value, tail)


# --- HELLO ---------------------------------------------------------------------


def test_hello_features() -> None:
    features = [Feature.XERROR, Feature.SELECT_BUCKET, Feature.COLLECTIONS, Feature.JSON]
    wire = encode_features(features)
    assert wire == H("0007 0008 0012 000b")
    assert decode_features(wire) == features
    assert decode_features(wire + b"\x01") == features  # odd trailing byte ignored
    assert decode_features(b"") == []


def test_hello_packet() -> None:
    value = encode_features([Feature.TCPNODELAY, Feature.ALT_REQUEST_SUPPORT])
    wire = encode_packet(Magic.REQUEST, Opcode.HELLO, key=b'{"a":"pycb"}', value=value)
    pkt = decode_packet(wire)
    assert pkt.opcode == 0x1F
    assert decode_features(pkt.value) == [0x03, 0x10]


# --- streaming -----------------------------------------------------------------


def _wire(packets: list[Packet]) -> list[bytes]:
    return [p.encode() for p in packets]


def _sample_packets() -> list[Packet]:
    return [packet for _, packet, _ in WIRE] + [
        Packet(Magic.REQUEST, Opcode.NOOP, opaque=i) for i in range(3)
    ] + [Packet(Magic.RESPONSE, Opcode.GET, value=bytes(range(256)) * 40, opaque=99)]


@pytest.mark.parametrize("seed", range(20))
def test_stream_in_small_pieces(seed: int) -> None:
    packets = _sample_packets()
    stream = b"".join(p.encode() for p in packets)
    rng = random.Random(seed)
    reader = PacketReader()
    got: list[Packet] = []
    pos = 0
    while pos < len(stream):
        n = rng.randint(1, 5)
        got.extend(reader.feed(stream[pos : pos + n]))
        pos += n
    assert _wire(got) == _wire(packets)
    assert reader.pending == 0


def test_stream_all_at_once_and_partial_header() -> None:
    packets = _sample_packets()
    stream = b"".join(p.encode() for p in packets)
    reader = PacketReader()
    assert reader.feed(stream[:10]) == []
    assert reader.pending == 10
    assert _wire(reader.feed(stream[10:])) == _wire(packets)


# --- properties ----------------------------------------------------------------

_any_packet = st.builds(
    lambda magic, opcode, key, extras, value, framing, datatype, field, opaque, cas: Packet(
        magic, opcode, key=key, extras=extras, value=value, framing=framing, datatype=datatype,
        vbucket=field, status=field, opaque=opaque, cas=cas,
    ),
    st.sampled_from([Magic.REQUEST, Magic.RESPONSE]),
    st.integers(0, 0xFF),
    st.binary(max_size=250),
    st.binary(max_size=40),
    st.binary(max_size=600),
    st.one_of(
        st.just(b""),
        st.lists(
            st.tuples(st.integers(0, 40), st.binary(max_size=20)), min_size=1, max_size=3
        ).map(lambda frames: b"".join(encode_frame(i, p) for i, p in frames)),
    ),
    st.integers(0, 7),
    st.integers(0, 0xFFFF),
    st.integers(0, 0xFFFFFFFF),
    st.integers(0, 0xFFFFFFFFFFFFFFFF),
)


def _expected_magic(packet: Packet) -> int:
    if not packet.framing:
        return packet.magic
    return Magic.ALT_RESPONSE if packet.is_response else Magic.ALT_REQUEST


@given(_any_packet)
def test_packet_round_trip(packet: Packet) -> None:
    wire = packet.encode()
    assert len(wire) == HEADER_LEN + len(packet.framing) + len(packet.extras) + len(
        packet.key) + len(packet.value)
    (bodylen,) = struct.unpack_from(">I", wire, 8)
    assert bodylen == len(wire) - HEADER_LEN
    decoded = decode_packet(wire)
    packet.magic = _expected_magic(packet)
    assert decoded == packet
    if packet.framing:
        assert decode_frames(decoded.framing)


@settings(max_examples=50)
@given(st.lists(_any_packet, min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_stream_round_trip(packets: list[Packet], rng: random.Random) -> None:
    stream = b"".join(p.encode() for p in packets)
    reader = PacketReader()
    got: list[Packet] = []
    pos = 0
    while pos < len(stream):
        n = rng.randint(1, 5)
        got.extend(reader.feed(stream[pos : pos + n]))
        pos += n
    for p in packets:
        p.magic = _expected_magic(p)
    assert got == packets


# --- the one-answer short path of PacketReader.feed, and its edges ---------------

def _answer(opaque: int, value: bytes = b"", extras: bytes = b"") -> Packet:
    return Packet(Magic.RESPONSE, Opcode.GET, value=value, extras=extras, opaque=opaque,
                  cas=7)


def test_one_whole_answer_in_one_read() -> None:
    sent = _answer(1, b'{"a":1}', b"\x00\x00\x00\x02")
    reader = PacketReader()
    assert _wire(reader.feed(sent.encode())) == _wire([sent])
    assert reader.pending == 0


def test_bare_24_byte_answer() -> None:
    bare = Packet(Magic.RESPONSE, Opcode.SET, status=0x01, opaque=3, cas=0)
    wire = bare.encode()
    assert len(wire) == HEADER_LEN
    got = PacketReader().feed(wire)
    assert len(got) == 1 and got[0].status == 0x01 and got[0].opaque == 3
    assert (got[0].extras, got[0].key, got[0].value, got[0].framing) == (b"", b"", b"", b"")


def test_one_and_a_half_packets_then_the_rest() -> None:
    first, second = _answer(1, b"x" * 10), _answer(2, b"y" * 30, b"\x00" * 4)
    stream = first.encode() + second.encode()
    cut = len(first.encode()) + HEADER_LEN + 5
    reader = PacketReader()
    assert _wire(reader.feed(stream[:cut])) == _wire([first])
    assert reader.pending == HEADER_LEN + 5
    assert _wire(reader.feed(stream[cut:])) == _wire([second])
    assert reader.pending == 0


@pytest.mark.parametrize("cut", range(1, HEADER_LEN + 4))
def test_one_answer_split_in_its_header_or_just_after(cut: int) -> None:
    sent = _answer(9, b"value", b"\x00\x00\x00\x01")
    wire = sent.encode()
    reader = PacketReader()
    assert reader.feed(wire[:cut]) == []
    assert reader.pending == cut
    assert _wire(reader.feed(wire[cut:])) == _wire([sent])
    assert reader.pending == 0


def test_short_path_keeps_the_checks() -> None:
    bad = bytearray(_answer(1, b"ab").encode())
    bad[4] = 4  # extras longer than the 2-byte body
    with pytest.raises(RemoteProtocolError):
        PacketReader().feed(bytes(bad))


def test_a_bytearray_or_memoryview_read_parses_as_bytes_do() -> None:
    sent = _answer(5, b"v" * 3)
    for data in (bytearray(sent.encode()), memoryview(sent.encode())):
        got = PacketReader().feed(data)  # type: ignore[arg-type]
        assert _wire(got) == _wire([sent])
