"""The range scan codec with bytes alone: create bodies, continue/cancel packets,
record decoding, and a node round matching answers to requests by position."""

from __future__ import annotations

import base64
import json
import struct

import pytest

from couchbase._core.errors import RemoteProtocolError
from couchbase._core.leb128 import encode_leb128
from couchbase._core.opcode import Magic, Opcode
from couchbase._core.packet import PacketReader, decode_packet, encode_packet
from couchbase._core.range_scan import (
    CONTINUE,
    CREATE,
    MAX_KEY,
    NodeRound,
    ScanSpec,
    VbucketScan,
    create_body,
    decode_records,
)
from couchbase._core.status import Status

SCAN_ID = bytes(range(16))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_create_body_of_a_range_and_a_resumed_range() -> None:
    spec = ScanSpec(0x1A, False, b"a", False, b"b", True)
    assert json.loads(create_body(spec)) == {
        "collection": "1a", "range": {"start": _b64(b"a"), "excl_end": _b64(b"b")}}
    resumed = json.loads(create_body(spec, start=b"a7"))
    assert resumed["range"] == {"excl_start": _b64(b"a7"), "excl_end": _b64(b"b")}


def test_create_body_of_a_sampling_ids_only_scan_with_snapshot() -> None:
    spec = ScanSpec(0, True, samples=10, seed=7)
    snapshot = {"vb_uuid": "123", "seqno": 4, "timeout_ms": 2500}
    assert json.loads(create_body(spec, snapshot=snapshot)) == {
        "collection": "0", "key_only": True, "sampling": {"samples": 10, "seed": 7},
        "snapshot_requirements": snapshot}


def _response(opcode: int, status: int, value: bytes = b"", extras: bytes = b"",
              opaque: int = 9) -> object:
    return decode_packet(encode_packet(Magic.RESPONSE, opcode, b"", value, extras,
                                       vbucket_or_status=status, opaque=opaque))


def _doc(key: bytes, value: bytes, cas: int = 5) -> bytes:
    return (struct.pack(">IIQQB", 1, 0, 3, cas, 1) + encode_leb128(len(key)) + key
            + encode_leb128(len(value)) + value)


def test_decode_keys_and_documents() -> None:
    keys = b"".join(encode_leb128(len(k)) + k for k in (b"a", b"bb"))
    pkt = _response(Opcode.RANGE_SCAN_CONTINUE, 0, keys, struct.pack(">I", 0))
    assert [r.key for r in decode_records(pkt)] == [b"a", b"bb"]  # type: ignore[arg-type]
    pkt = _response(Opcode.RANGE_SCAN_CONTINUE, 0, _doc(b"k", b"{}"), struct.pack(">I", 1))
    (record,) = decode_records(pkt)  # type: ignore[arg-type]
    assert (record.key, record.value, record.cas, record.flags) == (b"k", b"{}", 5, 1)


def test_a_record_running_past_the_value_is_a_protocol_error() -> None:
    pkt = _response(Opcode.RANGE_SCAN_CONTINUE, 0, encode_leb128(9) + b"abc",
                    struct.pack(">I", 0))
    with pytest.raises(RemoteProtocolError):
        decode_records(pkt)  # type: ignore[arg-type]


def test_a_node_round_sends_each_step_with_one_opaque_and_reads_answers_in_order() -> None:
    spec = ScanSpec(0, True, b"", False, MAX_KEY, False)
    fresh, running = VbucketScan(3), VbucketScan(4)
    running.state, running.scan_id = CONTINUE, SCAN_ID
    node = NodeRound(spec, [fresh, running], limits=(50, 0, 15000))
    first, second = PacketReader().feed(node.request(9))
    assert (first.opcode, first.vbucket, first.opaque) == (Opcode.RANGE_SCAN_CREATE, 3, 9)
    assert (second.opcode, second.vbucket, second.opaque) == (Opcode.RANGE_SCAN_CONTINUE, 4, 9)
    assert second.extras == struct.pack(">16sIII", SCAN_ID, 50, 0, 15000)
    keys = struct.pack(">I", 0)
    assert not node.feed(_response(Opcode.RANGE_SCAN_CREATE, 0, SCAN_ID))  # type: ignore
    assert not node.feed(_response(Opcode.RANGE_SCAN_CONTINUE, 0,  # type: ignore
                                   encode_leb128(1) + b"x", keys))
    assert node.feed(_response(Opcode.RANGE_SCAN_CONTINUE,  # type: ignore
                               Status.RANGE_SCAN_COMPLETE, encode_leb128(1) + b"y", keys))
    created, continued = node.steps
    assert (created.scan, created.status, created.value) == (fresh, 0, SCAN_ID)
    assert [r.key for r in continued.records] == [b"x", b"y"]
    assert continued.status == Status.RANGE_SCAN_COMPLETE
    assert fresh.state == CREATE  # (the flow, not the round, moves a scan on)


def test_a_cancel_round_sends_cancels() -> None:
    scan = VbucketScan(7)
    scan.state, scan.scan_id = CONTINUE, SCAN_ID
    pkt = decode_packet(NodeRound(ScanSpec(0, False), [scan], cancel=True).request(3))
    assert (pkt.opcode, pkt.vbucket, pkt.extras) == (Opcode.RANGE_SCAN_CANCEL, 7, SCAN_ID)
