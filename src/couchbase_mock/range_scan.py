"""KV range scans: RANGE_SCAN_CREATE (0xDA), _CONTINUE (0xDB) and _CANCEL (0xDC).

As kv_engine's ``docs/range_scans/*.md`` describe them (Couchbase Server 7.6):

- **create** takes a JSON value naming the collection (hex id, default 0), a
  ``range`` (base64 ``start``/``excl_start`` and ``end``/``excl_end``) or a
  ``sampling`` (``samples``, ``seed``), ``key_only`` and optional
  ``snapshot_requirements`` (``vb_uuid`` as a decimal string, ``seqno``,
  ``seqno_exists``, ``timeout_ms``). It answers a 16-byte scan id. The scan
  reads a snapshot of the vbucket taken then: later writes are not seen.
- **continue** (extras: id, item limit, time limit ms, byte limit; 0 = none)
  streams the records in key order over several responses with status
  SUCCESS, the last one RANGE_SCAN_MORE (a limit was hit) or
  RANGE_SCAN_COMPLETE (the scan is over and forgotten). Every response has
  4 bytes of extras: 0 when the value holds keys, 1 when it holds documents.
- **cancel** forgets a scan.

Errors: KEY_ENOENT for an empty range and for an unknown scan id, EINVAL for
a malformed request, NOT_MY_VBUCKET when the node is not (or no longer)
active for the vbucket, VBUUID_NOT_EQUAL for a snapshot requirement on
another vbucket history, ETMPFAIL when the required seqno is not there yet,
NOT_STORED when ``seqno_exists`` finds no item with that seqno,
UNKNOWN_COLLECTION, and EBUSY past :data:`MAX_SCANS_PER_VBUCKET` open scans
on one vbucket of one node. A scan left alone for
:data:`IDLE_SECONDS` is cancelled, as the server closes idle scans.

Sampling, as in 7.6: when the collection holds no more keys than asked for,
all of them are returned; otherwise each key is kept with probability
``samples / size`` from a PRNG seeded with ``seed`` (so about ``samples``
come back, and the same seed gives the same sample).

In the mock a snapshot requirement's ``seqno`` counts as persisted when the
vbucket holds it and either the bucket has no disk or ``timeout_ms`` allows
the flusher to catch up (the handler cannot wait).
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import secrets
import struct
import time
from typing import TYPE_CHECKING, Any, Callable, Optional
from weakref import WeakKeyDictionary

from couchbase._core.document import MAX_KEY_LENGTH
from couchbase._core.feature import Datatype
from couchbase._core.leb128 import encode_leb128
from couchbase._core.opcode import Opcode
from couchbase._core.packet import Packet
from couchbase._core.status import Status

if TYPE_CHECKING:
    from .engine import Engine
    from .kv import KVSession

Handler = Callable[["KVSession", Packet], Optional[bytes]]

MAX_SCANS_PER_VBUCKET = 16
"""Open scans one node keeps on one vbucket; the next create gets EBUSY."""
IDLE_SECONDS = 60.0
"""A scan not continued for this long is cancelled (kv_engine's scan lifetime)."""
RESPONSE_BYTES = 16 * 1024
"""About how many bytes of records go in one response of a continue."""

_CONTINUE = struct.Struct(">16sIII")
_META = struct.Struct(">IIQQB")
_KEYS_ONLY = struct.pack(">I", 0)
_DOCUMENTS = struct.pack(">I", 1)

Record = tuple[bytes, int, int, int, int, int, bytes]
"""``(key, flags, expiry, seqno, cas, datatype, value)``: one document of a snapshot."""


class ScanError(Exception):
    """A create request the server refuses: ``status`` is the answer."""

    def __init__(self, status: int, context: str = "") -> None:
        super().__init__(context)
        self.status = status
        self.context = context


class RangeScan:
    """One open scan: the snapshot of its records and how far it got."""

    __slots__ = ("id", "vb", "cid", "key_only", "records", "pos", "touched")

    def __init__(self, vb: int, cid: int, key_only: bool, records: list[Record]) -> None:
        self.id = secrets.token_bytes(16)
        self.vb = vb
        self.cid = cid
        self.key_only = key_only
        self.records = records
        self.pos = 0
        self.touched = time.monotonic()


class Scans:
    """The open scans of one bucket on one node, by id."""

    def __init__(self) -> None:
        self.open: dict[bytes, RangeScan] = {}
        self.cancelled = 0  # scans a client cancelled (tests count them)

    def expire(self, now: float) -> None:
        for sid in [s.id for s in self.open.values() if now - s.touched > IDLE_SECONDS]:
            del self.open[sid]

    def on_vbucket(self, vb: int) -> int:
        return sum(1 for s in self.open.values() if s.vb == vb)


# One registry per engine (bucket) and node; an engine that goes away with
# its bucket takes its scans with it.
_REGISTRIES: WeakKeyDictionary[Engine, dict[int, Scans]] = WeakKeyDictionary()


def scans_of(engine: Engine, node: int) -> Scans:
    per_node = _REGISTRIES.setdefault(engine, {})
    scans = per_node.get(node)
    if scans is None:
        scans = per_node[node] = Scans()
    return scans


# -- create ------------------------------------------------------------------


def _b64key(value: Any, name: str) -> bytes:
    if not isinstance(value, str):
        raise ScanError(Status.EINVAL, f"range.{name} must be a base64 string")
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ScanError(Status.EINVAL, f"range.{name} is not base64") from None
    if len(key) > MAX_KEY_LENGTH:
        raise ScanError(Status.EINVAL, f"range.{name} is longer than {MAX_KEY_LENGTH} bytes")
    return key


def _bound(spec: dict[str, Any], inclusive: str, exclusive: str) -> tuple[bytes, bool]:
    """``(key, exclusive)`` of one end of a range."""
    if inclusive in spec and exclusive in spec:
        raise ScanError(Status.EINVAL, f"range has both {inclusive} and {exclusive}")
    if inclusive in spec:
        return _b64key(spec[inclusive], inclusive), False
    if exclusive in spec:
        return _b64key(spec[exclusive], exclusive), True
    raise ScanError(Status.EINVAL, f"range needs {inclusive} or {exclusive}")


def _in_range(key: bytes, lo: bytes, lo_excl: bool, hi: bytes, hi_excl: bool) -> bool:
    if key < lo or (lo_excl and key == lo):
        return False
    return not (key > hi or (hi_excl and key == hi))


def _int_field(obj: dict[str, Any], name: str, required: bool = False) -> Optional[int]:
    value = obj.get(name)
    if value is None:
        if required:
            raise ScanError(Status.EINVAL, f"{name} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScanError(Status.EINVAL, f"{name} must be a non-negative number")
    return value


def _check_snapshot(s: KVSession, engine: Engine, vb: int, reqs: Any) -> None:
    if not isinstance(reqs, dict):
        raise ScanError(Status.EINVAL, "snapshot_requirements must be an object")
    uuid_text = reqs.get("vb_uuid")
    if not isinstance(uuid_text, str) or not uuid_text.isdigit():
        raise ScanError(Status.EINVAL, "snapshot_requirements.vb_uuid must be a decimal string")
    seqno = _int_field(reqs, "seqno", required=True)
    assert seqno is not None
    timeout = _int_field(reqs, "timeout_ms")
    vbucket = engine.vbucket(s.node, vb)
    if int(uuid_text) != vbucket.uuid:
        raise ScanError(Status.VBUUID_NOT_EQUAL)
    persisted = engine.bucket.persisted
    on_disk = vbucket.seqno if persisted is None or timeout else persisted[vb]
    if seqno > min(on_disk, vbucket.seqno):
        raise ScanError(Status.ETMPFAIL)
    if reqs.get("seqno_exists") is True:
        if not any(d.seqno == seqno for d in vbucket.docs.values()):
            raise ScanError(Status.NOT_STORED)


def _snapshot(engine: Engine, node: int, vb: int, cid: int) -> list[Record]:
    """The live documents of one collection in one vbucket, in key order."""
    now = engine.clock()
    out = [
        (key, d.flags, d.expiry, d.seqno, d.cas, d.datatype, d.value)
        for (c, key), d in engine.vbucket(node, vb).docs.items()
        if c == cid and not d.deleted and not d.is_expired(now)
    ]
    out.sort()
    return out


def _create_scan(s: KVSession, req: Packet, engine: Engine) -> RangeScan:
    if req.extras or req.key:
        raise ScanError(Status.EINVAL, "range scan create takes no extras and no key")
    if not req.datatype & Datatype.JSON:
        raise ScanError(Status.EINVAL, "the request's datatype must be JSON")
    try:
        spec = json.loads(req.value)
    except ValueError:
        raise ScanError(Status.EINVAL, "the value is not JSON") from None
    if not isinstance(spec, dict):
        raise ScanError(Status.EINVAL, "the value must be a JSON object")
    cid_text = spec.get("collection", "0")
    try:
        cid = int(cid_text, 16) if isinstance(cid_text, str) else -1
    except ValueError:
        cid = -1
    if cid < 0:
        raise ScanError(Status.EINVAL, "collection must be a hex collection id")
    assert s.bucket is not None
    if not s.bucket.manifest.has_collection_id(cid):
        raise ScanError(Status.UNKNOWN_COLLECTION)
    key_only = spec.get("key_only", False)
    if not isinstance(key_only, bool):
        raise ScanError(Status.EINVAL, "key_only must be a boolean")
    rng, sampling = spec.get("range"), spec.get("sampling")
    if (rng is None) == (sampling is None):
        raise ScanError(Status.EINVAL, "give exactly one of range and sampling")
    vb = req.vbucket
    if "snapshot_requirements" in spec:
        _check_snapshot(s, engine, vb, spec["snapshot_requirements"])
    records = _snapshot(engine, s.node, vb, cid)
    if rng is not None:
        if not isinstance(rng, dict):
            raise ScanError(Status.EINVAL, "range must be an object")
        lo, lo_excl = _bound(rng, "start", "excl_start")
        hi, hi_excl = _bound(rng, "end", "excl_end")
        records = [r for r in records if _in_range(r[0], lo, lo_excl, hi, hi_excl)]
    else:
        if not isinstance(sampling, dict):
            raise ScanError(Status.EINVAL, "sampling must be an object")
        samples = _int_field(sampling, "samples", required=True)
        seed = _int_field(sampling, "seed") or 0
        if not samples:
            raise ScanError(Status.EINVAL, "sampling.samples must be above 0")
        if len(records) > samples:
            pick = random.Random(seed).random
            chance = samples / len(records)
            records = [r for r in records if pick() < chance]
    if not records:
        raise ScanError(Status.KEY_ENOENT, "the requested range is empty")
    return RangeScan(vb, cid, key_only, records)


def create(s: KVSession, req: Packet) -> Optional[bytes]:
    engine = s.engine
    bucket = s.bucket
    assert engine is not None and bucket is not None
    if not bucket.is_couchbase:
        return s.reply(req, Status.NOT_SUPPORTED)
    if bucket.node_role(s.node, req.vbucket) != "active":
        return s.not_my_vbucket(req)
    scans = scans_of(engine, s.node)
    scans.expire(time.monotonic())
    try:
        scan = _create_scan(s, req, engine)
    except ScanError as exc:
        if exc.status == Status.UNKNOWN_COLLECTION:
            return s.unknown_collection(req)
        return _error(s, req, exc)
    if scans.on_vbucket(scan.vb) >= MAX_SCANS_PER_VBUCKET:
        return s.reply(req, Status.EBUSY)
    scans.open[scan.id] = scan
    return s.reply(req, value=scan.id)


def _error(s: KVSession, req: Packet, exc: ScanError) -> bytes:
    if not exc.context:
        return s.reply(req, exc.status)
    body = json.dumps({"error": {"context": exc.context}}).encode()
    return s.reply(req, exc.status, value=body, datatype=Datatype.JSON)


# -- continue and cancel -------------------------------------------------------


def _encode(scan: RangeScan, record: Record, json_ok: bool) -> bytes:
    key = record[0]
    if scan.key_only:
        return encode_leb128(len(key)) + key
    _key, flags, expiry, seqno, cas, datatype, value = record
    if not json_ok:
        datatype &= ~Datatype.JSON
    return b"".join((
        _META.pack(flags, expiry, seqno, cas, datatype),
        encode_leb128(len(key)), key, encode_leb128(len(value)), value,
    ))


def continue_(s: KVSession, req: Packet) -> Optional[bytes]:
    engine = s.engine
    assert engine is not None and s.bucket is not None
    if len(req.extras) != _CONTINUE.size or req.key or req.value:
        return s.reply(req, Status.EINVAL)
    sid, item_limit, time_limit, byte_limit = _CONTINUE.unpack(req.extras)
    scans = scans_of(engine, s.node)
    now = time.monotonic()
    scans.expire(now)
    scan = scans.open.get(sid)
    if scan is None:
        return s.reply(req, Status.KEY_ENOENT)
    if s.bucket.node_role(s.node, scan.vb) != "active":
        del scans.open[sid]
        return s.not_my_vbucket(req)
    if not s.bucket.manifest.has_collection_id(scan.cid):
        del scans.open[sid]
        return s.unknown_collection(req)
    scan.touched = now
    extras = _KEYS_ONLY if scan.key_only else _DOCUMENTS
    deadline = now + time_limit / 1000 if time_limit else 0.0
    out: list[bytes] = []
    chunk: list[bytes] = []
    chunk_size = sent = count = 0
    records = scan.records
    while scan.pos < len(records):
        encoded = _encode(scan, records[scan.pos], s.json)
        scan.pos += 1
        count += 1
        chunk.append(encoded)
        chunk_size += len(encoded)
        sent += len(encoded)
        if ((item_limit and count >= item_limit) or (byte_limit and sent >= byte_limit)
                or (deadline and time.monotonic() >= deadline)):
            break
        if chunk_size >= RESPONSE_BYTES and scan.pos < len(records):
            out.append(s.reply(req, extras=extras, value=b"".join(chunk)))
            chunk, chunk_size = [], 0
    if scan.pos >= len(records):
        del scans.open[sid]
        status = Status.RANGE_SCAN_COMPLETE
    else:
        status = Status.RANGE_SCAN_MORE
    out.append(s.reply(req, status, extras=extras, value=b"".join(chunk)))
    return b"".join(out)


def cancel(s: KVSession, req: Packet) -> Optional[bytes]:
    engine = s.engine
    assert engine is not None
    if len(req.extras) != 16 or req.key or req.value:
        return s.reply(req, Status.EINVAL)
    scans = scans_of(engine, s.node)
    if scans.open.pop(req.extras, None) is None:
        return s.reply(req, Status.KEY_ENOENT)
    scans.cancelled += 1
    return s.reply(req)


RANGE_SCAN_HANDLERS: dict[int, Handler] = {
    Opcode.RANGE_SCAN_CREATE: create,
    Opcode.RANGE_SCAN_CONTINUE: continue_,
    Opcode.RANGE_SCAN_CANCEL: cancel,
}
