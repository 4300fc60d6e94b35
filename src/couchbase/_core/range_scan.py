"""KV range scans, sans-IO: the packets of RANGE_SCAN_CREATE/CONTINUE/CANCEL, the
records a CONTINUE answers with, and the state of one scan per vbucket.

A scan of a collection is one scan per vbucket, each on the vbucket's active
node (kv_engine ``docs/range_scans``):

- **create** (0xDA): no key, no extras, a JSON value naming the collection (hex
  id), a ``range`` (base64 ``start``/``excl_start``, ``end``/``excl_end``) or a
  ``sampling`` (``samples``, ``seed``), ``key_only``, and optionally
  ``snapshot_requirements`` (``vb_uuid`` as a decimal string, ``seqno``,
  ``timeout_ms``). Answers a 16-byte scan id, or KEY_ENOENT when nothing matches.
- **continue** (0xDB): extras = scan id, item limit, time limit (ms), byte limit.
  Several responses share the request's opaque: SUCCESS ones, then one with
  RANGE_SCAN_MORE (call again) or RANGE_SCAN_COMPLETE (the server forgot the scan).
  Every response's 4-byte extras say whether its value holds keys (0) or
  documents (1).
- **cancel** (0xDC): extras = scan id.

:class:`NodeRound` is a node probe (:class:`~couchbase._core.commands.NodeProbe`)
carrying one step (create, continue or cancel) of several vbuckets' scans to one
node in one write: the requests share the probe's opaque and the node answers
them in order, so each response is matched to its step by position.
"""

from __future__ import annotations

import base64
import json
import struct
from typing import Any, NamedTuple, Optional

from .feature import Datatype
from .leb128 import decode_leb128
from .opcode import Magic, Opcode
from .packet import Packet, encode_packet
from .status import Status

_CONTINUE = struct.Struct(">16sIII")
_META = struct.Struct(">IIQQB")
_DOCUMENTS = 1
MAX_KEY = b"\xff"
"""A byte no UTF-8 key contains: ``prefix + MAX_KEY`` (exclusive) ends a prefix scan,
``MAX_KEY`` a range without an end."""

# what a vbucket's scan does next (its ``state``)
CREATE = 0
CONTINUE = 1
DONE = 2


class ScanRecord(NamedTuple):
    """One key (``ids_only``) or document a CONTINUE returned."""

    key: bytes
    flags: int = 0
    expiry: int = 0
    seqno: int = 0
    cas: int = 0
    datatype: int = 0
    value: bytes = b""


class ScanSpec(NamedTuple):
    """What every vbucket's scan asks for (the JSON of a create, but the range start)."""

    cid: int
    key_only: bool
    start: bytes = b""  # a range: from here (``start_exclusive``) to ``end``
    start_exclusive: bool = False
    end: bytes = MAX_KEY
    end_exclusive: bool = False
    samples: int = 0  # a sampling scan when above 0
    seed: int = 0


def create_body(spec: ScanSpec, start: Optional[bytes] = None,
                snapshot: Optional[dict[str, Any]] = None) -> bytes:
    """The JSON value of a create; ``start`` (exclusive) resumes after a key."""
    body: dict[str, Any] = {"collection": f"{spec.cid:x}"}
    if spec.key_only:
        body["key_only"] = True
    if spec.samples:
        body["sampling"] = {"samples": spec.samples, "seed": spec.seed}
    else:
        first, excl = (start, True) if start is not None else (spec.start, spec.start_exclusive)
        body["range"] = {
            ("excl_start" if excl else "start"): base64.b64encode(first).decode(),
            ("excl_end" if spec.end_exclusive else "end"): base64.b64encode(spec.end).decode(),
        }
    if snapshot is not None:
        body["snapshot_requirements"] = snapshot
    return json.dumps(body, separators=(",", ":")).encode()


def create_packet(vbucket: int, opaque: int, body: bytes) -> bytes:
    return encode_packet(Magic.REQUEST, Opcode.RANGE_SCAN_CREATE, value=body,
                         datatype=Datatype.JSON, vbucket_or_status=vbucket, opaque=opaque)


def continue_packet(vbucket: int, opaque: int, scan_id: bytes, items: int = 0,
                    time_ms: int = 0, byte_limit: int = 0) -> bytes:
    return encode_packet(Magic.REQUEST, Opcode.RANGE_SCAN_CONTINUE,
                         extras=_CONTINUE.pack(scan_id, items, time_ms, byte_limit),
                         vbucket_or_status=vbucket, opaque=opaque)


def cancel_packet(vbucket: int, opaque: int, scan_id: bytes) -> bytes:
    return encode_packet(Magic.REQUEST, Opcode.RANGE_SCAN_CANCEL, extras=scan_id,
                         vbucket_or_status=vbucket, opaque=opaque)


def decode_records(pkt: Packet) -> list[ScanRecord]:
    """The keys or documents in one CONTINUE response's value."""
    data = pkt.value
    documents = len(pkt.extras) >= 4 and struct.unpack_from(">I", pkt.extras)[0] == _DOCUMENTS
    out: list[ScanRecord] = []
    pos, end = 0, len(data)
    meta = _META.size
    try:
        while pos < end:
            if documents:
                flags, expiry, seqno, cas, datatype = _META.unpack_from(data, pos)
                pos += meta
                size, pos = decode_leb128(data, pos)
                key = data[pos:pos + size]
                pos += size
                size, pos = decode_leb128(data, pos)
                value = data[pos:pos + size]
                pos += size
                if pos > end:
                    raise ValueError("a record runs past the value")
                out.append(ScanRecord(key, flags, expiry, seqno, cas, datatype, value))
            else:
                size, pos = decode_leb128(data, pos)
                if pos + size > end:
                    raise ValueError("a key runs past the value")
                out.append(ScanRecord(data[pos:pos + size]))
                pos += size
    except (ValueError, struct.error) as exc:
        from .errors import RemoteProtocolError

        raise RemoteProtocolError(f"malformed range scan records: {exc}") from None
    return out


class VbucketScan:
    """The scan of one vbucket: created, continued until complete, or cancelled."""

    __slots__ = ("vbucket", "state", "scan_id", "last_key", "snapshot")

    def __init__(self, vbucket: int, snapshot: Optional[dict[str, Any]] = None) -> None:
        self.vbucket = vbucket
        self.state = CREATE
        self.scan_id = b""
        self.last_key: Optional[bytes] = None  # resume after it if the scan is lost
        self.snapshot = snapshot

    @property
    def open(self) -> bool:
        """The server holds a scan for it (a cancel is due if it is abandoned)."""
        return self.state == CONTINUE

    def __repr__(self) -> str:
        return f"VbucketScan({self.vbucket}, {('create', 'continue', 'done')[self.state]})"


class Step(NamedTuple):
    """What one request of a round did: ``status`` of its last response, the records."""

    scan: VbucketScan
    opcode: int
    status: int
    records: list[ScanRecord]
    value: bytes  # the last response's value (a NOT_MY_VBUCKET's config, an error context)


class NodeRound:
    """One node's share of a round: a request per vbucket scan (the next step of each,
    or a cancel), written at once with one opaque; the answers, in order."""

    __slots__ = ("spec", "scans", "cancel", "limits", "steps", "_records", "error")

    def __init__(self, spec: ScanSpec, scans: list[VbucketScan], cancel: bool = False,
                 limits: tuple[int, int, int] = (0, 0, 0)) -> None:
        self.spec = spec
        self.scans = scans
        self.cancel = cancel
        self.limits = limits  # a continue's (items, time ms, bytes)
        self.steps: list[Step] = []
        self._records: list[ScanRecord] = []
        self.error: Optional[BaseException] = None

    def request(self, opaque: int) -> bytes:
        out = []
        for scan in self.scans:
            if self.cancel:
                out.append(cancel_packet(scan.vbucket, opaque, scan.scan_id))
            elif scan.state == CREATE:
                out.append(create_packet(scan.vbucket, opaque,
                                         create_body(self.spec, scan.last_key, scan.snapshot)))
            else:
                out.append(continue_packet(scan.vbucket, opaque, scan.scan_id, *self.limits))
        return b"".join(out)

    def feed(self, pkt: Packet) -> bool:
        scan = self.scans[len(self.steps)]
        if pkt.opcode == Opcode.RANGE_SCAN_CONTINUE and pkt.status == Status.SUCCESS:
            self._records.extend(decode_records(pkt))  # (more responses follow)
            return False
        records = self._records
        if pkt.opcode == Opcode.RANGE_SCAN_CONTINUE and pkt.value and pkt.status in (
                Status.RANGE_SCAN_MORE, Status.RANGE_SCAN_COMPLETE):
            records.extend(decode_records(pkt))
        self._records = []
        self.steps.append(Step(scan, pkt.opcode, pkt.status, records, pkt.value))
        return len(self.steps) == len(self.scans)


__all__ = ["CONTINUE", "CREATE", "DONE", "MAX_KEY", "NodeRound", "ScanRecord", "ScanSpec",
           "Step", "VbucketScan", "cancel_packet", "continue_packet", "create_body",
           "create_packet", "decode_records"]
