"""Document commands of the KV service: packets in, engine calls, packets out.

Each handler takes the connection's :class:`~couchbase_mock.kv.KVSession`
and the request and returns the response bytes, or ``None`` for a quiet
command that succeeded (or, for quiet gets, missed). Request layouts follow
kv_engine's ``docs/BinaryProtocol.md``.
"""

from __future__ import annotations

import asyncio
import json
import struct
from typing import TYPE_CHECKING, Callable, Optional

from couchbase._core import observe as observe_state
from couchbase._core.document import LOCKED_CAS, MAX_VALUE_SIZE
from couchbase._core.feature import Datatype
from couchbase._core.frameinfo import DurabilityLevel, RequestFrame, decode_frames
from couchbase._core.leb128 import split_key
from couchbase._core.opcode import Opcode
from couchbase._core.packet import Packet
from couchbase._core.status import Status

from . import keyops
from .compression import deflate_reply
from .storage import Document

if TYPE_CHECKING:
    from .engine import Engine
    from .kv import KVSession

Handler = Callable[["KVSession", Packet], Optional[bytes]]

_FLAGS = struct.Struct(">I")
_STORE_EXTRAS = struct.Struct(">II")
_ARITH_EXTRAS = struct.Struct(">QQI")
_TOKEN = struct.Struct(">QQ")
_KNOWN_FRAMES = frozenset(int(f) for f in RequestFrame)
_JSON_START = frozenset(b'{["-0123456789tfn \t\r\n')
# Enum members used on every request, as module constants (see kv.py).
_EINVAL = Status.EINVAL
_JSON = Datatype.JSON
_NOT_JSON = ~Datatype.JSON
_GET_RESPONSE = struct.Struct(">BBHBBHIIQI")  # the classic header, then the flags
_MAGIC_RESPONSE = 0x81


class Frames:
    """What the framing extras of an alternative-framing request asked for."""

    __slots__ = ("preserve_ttl", "durability", "timeout_ms")

    def __init__(self) -> None:
        self.preserve_ttl = False
        self.durability = 0
        self.timeout_ms = 0  # the durability timeout (0: the server's default)


_NO_FRAMES = Frames()  # what a request without framing extras asks for (never changed)


def _frames(s: KVSession, req: Packet) -> Frames | bytes:
    """The request's frame infos, or the error reply (see :func:`_durability`)."""
    bucket = s.bucket
    if not req.framing:
        if bucket is None or not bucket.durability_min_level:
            return _NO_FRAMES
        frames = Frames()
    else:
        frames = Frames()
        try:
            entries = decode_frames(req.framing)
        except ValueError:
            return s.reply(req, Status.EINVAL)
        for frame_id, payload in entries:
            if frame_id not in _KNOWN_FRAMES:
                return s.reply(req, Status.UNKNOWN_FRAME_INFO)
            if frame_id == RequestFrame.PRESERVE_TTL:
                frames.preserve_ttl = True
            elif frame_id == RequestFrame.DURABILITY:
                if len(payload) not in (1, 3) or (len(payload) == 3 and payload[1:] == b"\0\0"):
                    return s.reply(req, Status.EINVAL)  # no level, or a timeout of 0
                if not 1 <= payload[0] <= 3:
                    return s.reply(req, Status.DURABILITY_INVALID_LEVEL)
                frames.durability = payload[0]
                if len(payload) == 3:
                    frames.timeout_ms = int.from_bytes(payload[1:], "big")
    if bucket is not None:
        refused = _durability(s, req, frames)
        if refused:
            return s.reply(req, refused)
        if frames.durability and s.faults.sync_write_ms and req.opcode not in _LOOKUPS:
            held = _hold_sync_write(s, req, frames)
            if held is not None:
                return held
    return frames


SYNC_WRITE_TIMEOUT_MS = 30_000
"""A synchronous write's durability timeout when its frame gives none."""
_LOOKUPS = frozenset((Opcode.SUBDOC_GET, Opcode.SUBDOC_EXISTS, Opcode.SUBDOC_GET_COUNT,
                      Opcode.SUBDOC_MULTI_LOOKUP))


def _hold_sync_write(s: KVSession, req: Packet, frames: Frames) -> Optional[bytes]:
    """The sync write delay fault (:mod:`couchbase_mock.faults`): hold the write
    until its replicas acknowledge it, then carry it out and answer (``b""`` now:
    no answer yet); SYNC_WRITE_IN_PROGRESS while another one holds the key; None
    when the write goes ahead now (it is the held one, carried out)."""
    if s.releasing is req:
        return None
    send = s.send_later
    assert s.bucket is not None
    pending = s.faults.sync_pending
    ident = (s.bucket.name, req.vbucket, bytes(req.key))
    if ident in pending:
        return s.reply(req, Status.SYNC_WRITE_IN_PROGRESS)
    if send is None:
        return None
    sender = send

    pending.add(ident)
    delay = s.faults.sync_write_ms
    timeout = frames.timeout_ms or SYNC_WRITE_TIMEOUT_MS
    loop = asyncio.get_running_loop()
    if delay < 0 or delay >= timeout:
        def ambiguous() -> None:  # no majority in time: aborted, the outcome unknown
            pending.discard(ident)
            sender(s.reply(req, Status.SYNC_WRITE_AMBIGUOUS))
        loop.call_later(timeout / 1000, ambiguous)
    else:
        def commit() -> None:
            pending.discard(ident)
            s.releasing = req
            try:
                answer = s.handle(req)
            finally:
                s.releasing = None
            if answer:
                sender(answer)
        loop.call_later(delay / 1000, commit)
    return b""


def _durability(s: KVSession, req: Packet, frames: Frames) -> int:
    """Apply the bucket's durabilityMinLevel (a write asking for less gets the
    bucket's level) and check the level, as kv_engine does: 0 when the write
    may go ahead, else the status to answer.

    - a memcached bucket has no synchronous writes: NOT_SUPPORTED;
    - an ephemeral bucket (``bucketType=ephemeral``) has no disk: the
      persist levels are DURABILITY_INVALID_LEVEL;
    - a majority of the vbucket's chain (active and replicas) must have a
      node, else DURABILITY_IMPOSSIBLE.

    The mock replicates and persists a write before it answers, so an
    accepted synchronous write is committed by the time the client hears of it.
    """
    bucket = s.bucket
    assert bucket is not None
    if bucket.durability_min_level > frames.durability:
        frames.durability = bucket.durability_min_level
    if not frames.durability:
        return 0
    if not bucket.is_couchbase:
        return Status.NOT_SUPPORTED
    if bucket.ephemeral and frames.durability != DurabilityLevel.MAJORITY:
        return Status.DURABILITY_INVALID_LEVEL
    chain = bucket.vbmap[req.vbucket % bucket.num_vbuckets]
    if sum(1 for n in chain if n >= 0) < len(chain) // 2 + 1:
        return Status.DURABILITY_IMPOSSIBLE
    return 0


def _write_datatype(s: KVSession, req: Packet) -> int | bytes:
    """The datatype to store, or an error reply for bits we do not accept."""
    if req.datatype & _NOT_JSON:
        return s.reply(req, _EINVAL)
    if s.json:
        return req.datatype & _JSON
    return _JSON if _looks_like_json(req.value) else Datatype.RAW


def _looks_like_json(value: bytes) -> bool:
    if not value or value[0] not in _JSON_START or len(value) > MAX_VALUE_SIZE:
        return False
    try:
        json.loads(value)
    except ValueError:
        return False
    except RecursionError:  # nested deeper than a decoder can follow: kept as raw bytes
        return False
    return True


def _token(s: KVSession, engine: Engine, vb: int, doc: Document) -> bytes:
    """The mutation token (vbucket uuid, seqno) if the client asked for them."""
    if not s.mutation_seqno:
        return b""
    return _TOKEN.pack(engine.vbucket(s.node, vb).uuid, doc.seqno)


def _mutated(s: KVSession, req: Packet, engine: Engine, vb: int, doc: Document) -> bytes:
    """A mutation's success: its CAS, and its mutation token if the client asked."""
    if not s.mutation_seqno:
        return s.reply_ok(req, doc.cas)
    return s.reply(req, extras=_token(s, engine, vb, doc), cas=doc.cas)


def _doc_reply(s: KVSession, req: Packet, doc: Document, cas: int, key: bytes = b"") -> bytes:
    value = doc.value
    datatype = doc.datatype
    if s.snappy:  # (only a connection that negotiated Snappy may see it)
        value, datatype = deflate_reply(s, value, datatype)
    if key or s.tracing:
        return s.reply(
            req, key=key, value=value, extras=_FLAGS.pack(doc.flags),
            datatype=datatype, cas=cas,
        )
    # What GET answers: one pack for header and flags, then the value.
    if not s.json:
        datatype &= _NOT_JSON
    return _GET_RESPONSE.pack(
        _MAGIC_RESPONSE, req.opcode, 0, 4, datatype, 0, 4 + len(value), req.opaque, cas,
        doc.flags,
    ) + value


# -- reads -------------------------------------------------------------------


def _get(s: KVSession, req: Packet, with_key: bool, quiet: bool) -> Optional[bytes]:
    t = s.target(req)
    if isinstance(t, bytes):
        return t
    engine, vb, key = t
    status, doc = engine.get(s.node, vb, key)
    if doc is None:
        return None if quiet else s.reply(req, status, key=req.key if with_key else b"")
    cas = doc.cas
    if doc.lock_cas and doc.is_locked(engine.clock()):
        cas = LOCKED_CAS
    return _doc_reply(s, req, doc, cas, req.key if with_key else b"")


def get(s: KVSession, req: Packet) -> Optional[bytes]:
    return _get(s, req, False, False)


def getq(s: KVSession, req: Packet) -> Optional[bytes]:
    return _get(s, req, False, True)


def getk(s: KVSession, req: Packet) -> Optional[bytes]:
    return _get(s, req, True, False)


def getkq(s: KVSession, req: Packet) -> Optional[bytes]:
    return _get(s, req, True, True)


def get_replica(s: KVSession, req: Packet) -> Optional[bytes]:
    t = s.target(req, replica=True)
    if isinstance(t, bytes):
        return t
    engine, vb, key = t
    status, doc = engine.get_replica(s.node, vb, key)
    if doc is None:
        return s.reply(req, status)
    return _doc_reply(s, req, doc, doc.cas)


def get_locked(s: KVSession, req: Packet) -> Optional[bytes]:
    if len(req.extras) not in (0, 4):
        return s.reply(req, Status.EINVAL)
    lock_time = _FLAGS.unpack(req.extras)[0] if req.extras else 0
    t = s.target(req)
    if isinstance(t, bytes):
        return t
    engine, vb, key = t
    status, doc = engine.get_locked(s.node, vb, key, lock_time)
    if doc is None:
        return s.reply(req, status)
    return _doc_reply(s, req, doc, doc.cas)


def unlock(s: KVSession, req: Packet) -> Optional[bytes]:
    t = s.target(req)
    if isinstance(t, bytes):
        return t
    engine, vb, key = t
    status, doc = engine.unlock(s.node, vb, key, req.cas)
    return s.reply(req, status, cas=doc.cas if doc is not None else 0)


def get_meta(s: KVSession, req: Packet) -> Optional[bytes]:
    if len(req.extras) > 1:
        return s.reply(req, Status.EINVAL)
    version = req.extras[0] if req.extras else 1
    t = s.target(req)
    if isinstance(t, bytes):
        return t
    engine, vb, key = t
    status, doc = engine.get_meta(s.node, vb, key)
    if doc is None:
        return s.reply(req, status)
    extras = struct.pack(">IIIQ", int(doc.deleted), doc.flags, doc.expiry, doc.revno)
    if version >= 2:
        extras += bytes((doc.datatype & 0xFF,))
    return s.reply(req, extras=extras, cas=doc.cas)


# -- mutations ---------------------------------------------------------------


def _store(s: KVSession, req: Packet, mode: str, quiet: bool) -> Optional[bytes]:
    if len(req.extras) != 8:
        return s.reply(req, Status.EINVAL)
    durable = req.framing or (s.bucket is not None and s.bucket.durability_min_level)
    frames = _frames(s, req) if durable else _NO_FRAMES
    if isinstance(frames, bytes):
        return frames
    datatype = req.datatype
    if not s.json or datatype & _NOT_JSON:  # (else _write_datatype keeps it as it is)
        checked = _write_datatype(s, req)
        if isinstance(checked, bytes):
            return checked
        datatype = checked
    t = s.target(req)
    if isinstance(t, bytes):
        return t
    engine, vb, key = t
    flags, exptime = _STORE_EXTRAS.unpack(req.extras)
    status, doc = engine.store(
        s.node, vb, key, mode, req.value, flags, exptime, req.cas, datatype,
        frames.preserve_ttl,
    )
    if doc is None:
        return s.reply(req, status)
    if quiet:
        return None
    return _mutated(s, req, engine, vb, doc)


def _delete(s: KVSession, req: Packet, quiet: bool) -> Optional[bytes]:
    frames = _frames(s, req)
    if isinstance(frames, bytes):
        return frames
    t = s.target(req)
    if isinstance(t, bytes):
        return t
    engine, vb, key = t
    status, doc = engine.delete(s.node, vb, key, req.cas)
    if doc is None:
        return s.reply(req, status)
    if quiet:
        return None
    return _mutated(s, req, engine, vb, doc)


def _concat(s: KVSession, req: Packet, append: bool, quiet: bool) -> Optional[bytes]:
    if req.extras:
        return s.reply(req, Status.EINVAL)
    frames = _frames(s, req)
    if isinstance(frames, bytes):
        return frames
    datatype = _write_datatype(s, req)
    if isinstance(datatype, bytes):
        return datatype
    t = s.target(req)
    if isinstance(t, bytes):
        return t
    engine, vb, key = t
    status, doc = engine.concat(s.node, vb, key, req.value, req.cas, append)
    if doc is None:
        return s.reply(req, status)
    if quiet:
        return None
    return _mutated(s, req, engine, vb, doc)


def _arith(s: KVSession, req: Packet, incr: bool, quiet: bool) -> Optional[bytes]:
    if len(req.extras) != _ARITH_EXTRAS.size or req.value:
        return s.reply(req, Status.EINVAL)
    frames = _frames(s, req)
    if isinstance(frames, bytes):
        return frames
    t = s.target(req)
    if isinstance(t, bytes):
        return t
    engine, vb, key = t
    delta, initial, exptime = _ARITH_EXTRAS.unpack(req.extras)
    status, doc, number = engine.arithmetic(
        s.node, vb, key, incr, delta, initial, exptime, req.cas, frames.preserve_ttl
    )
    if doc is None:
        return s.reply(req, status)
    if quiet:
        return None
    return s.reply(req, value=struct.pack(">Q", number), extras=_token(s, engine, vb, doc),
                   cas=doc.cas)


def _touch(s: KVSession, req: Packet, with_value: bool, quiet: bool) -> Optional[bytes]:
    if len(req.extras) != 4:
        return s.reply(req, Status.EINVAL)
    t = s.target(req)
    if isinstance(t, bytes):
        return t
    engine, vb, key = t
    (exptime,) = _FLAGS.unpack(req.extras)
    status, doc = engine.touch(s.node, vb, key, exptime)
    if doc is None:
        return None if quiet and status == Status.KEY_ENOENT else s.reply(req, status)
    if with_value:
        return _doc_reply(s, req, doc, doc.cas)
    return s.reply(req, cas=doc.cas)


# -- observe -----------------------------------------------------------------


def _observed(persisted: Optional[list[int]], vb: int, doc: Optional[Document]
              ) -> tuple[int, int]:
    """OBSERVE's ``(state, cas)`` for what a node holds: on disk when the
    vbucket's persisted sequence number has reached the document's (never, in
    memory-only buckets)."""
    if doc is None:
        return observe_state.NOT_FOUND, 0
    on_disk = persisted is not None and doc.seqno <= persisted[vb]
    if doc.deleted:
        state = observe_state.NOT_FOUND if on_disk else observe_state.LOGICALLY_DELETED
    else:
        state = observe_state.FOUND_PERSISTED if on_disk else observe_state.FOUND_NOT_PERSISTED
    return state, doc.cas


def observe(s: KVSession, req: Packet) -> Optional[bytes]:
    assert s.bucket is not None and s.engine is not None
    bucket, engine = s.bucket, s.engine
    value = req.value
    pos = 0
    out = bytearray()
    while pos < len(value):
        if pos + 4 > len(value):
            return s.reply(req, Status.EINVAL)
        vb, klen = struct.unpack_from(">HH", value, pos)
        pos += 4
        raw = value[pos : pos + klen]
        pos += klen
        if len(raw) != klen or (bucket.is_couchbase and vb >= bucket.num_vbuckets):
            return s.reply(req, Status.EINVAL)
        cid, key = 0, raw
        if s.collections:
            try:
                cid, key = split_key(raw)
            except ValueError:
                return s.reply(req, Status.EINVAL)
        vb = vb if bucket.is_couchbase else 0
        if bucket.node_role(s.node, vb) is None:
            return s.not_my_vbucket(req)
        doc = engine.peek(s.node, vb, (cid, key))
        state_cas = None
        if bucket.disk_overrides:  # set by the control API's key commands
            state_cas = keyops.observe_override(bucket, s.node, vb, (cid, key), doc)
        state, cas = state_cas or _observed(bucket.persisted, vb, doc)
        out += struct.pack(">HH", vb, klen) + raw + struct.pack(">BQ", state, cas)
    return s.reply(req, value=bytes(out))


def observe_seqno(s: KVSession, req: Packet) -> Optional[bytes]:
    assert s.bucket is not None and s.engine is not None
    if len(req.value) != 8:
        return s.reply(req, Status.EINVAL)
    vb = req.vbucket
    if not s.bucket.is_couchbase or vb >= s.bucket.num_vbuckets:
        return s.not_my_vbucket(req)
    if s.bucket.node_role(s.node, vb) is None:
        return s.not_my_vbucket(req)
    vbucket = s.engine.vbucket(s.node, vb)
    persisted = s.bucket.persisted
    on_disk = min(persisted[vb], vbucket.seqno) if persisted is not None else 0
    body = struct.pack(">BHQQQ", 0, vb, vbucket.uuid, on_disk, vbucket.seqno)
    return s.reply(req, value=body)


DOCUMENT_HANDLERS: dict[int, Handler] = {
    Opcode.GET: get,
    Opcode.GETQ: getq,
    Opcode.GETK: getk,
    Opcode.GETKQ: getkq,
    Opcode.SET: lambda s, r: _store(s, r, "set", False),
    Opcode.SETQ: lambda s, r: _store(s, r, "set", True),
    Opcode.ADD: lambda s, r: _store(s, r, "add", False),
    Opcode.ADDQ: lambda s, r: _store(s, r, "add", True),
    Opcode.REPLACE: lambda s, r: _store(s, r, "replace", False),
    Opcode.REPLACEQ: lambda s, r: _store(s, r, "replace", True),
    Opcode.DELETE: lambda s, r: _delete(s, r, False),
    Opcode.DELETEQ: lambda s, r: _delete(s, r, True),
    Opcode.APPEND: lambda s, r: _concat(s, r, True, False),
    Opcode.APPENDQ: lambda s, r: _concat(s, r, True, True),
    Opcode.PREPEND: lambda s, r: _concat(s, r, False, False),
    Opcode.PREPENDQ: lambda s, r: _concat(s, r, False, True),
    Opcode.INCREMENT: lambda s, r: _arith(s, r, True, False),
    Opcode.INCREMENTQ: lambda s, r: _arith(s, r, True, True),
    Opcode.DECREMENT: lambda s, r: _arith(s, r, False, False),
    Opcode.DECREMENTQ: lambda s, r: _arith(s, r, False, True),
    Opcode.TOUCH: lambda s, r: _touch(s, r, False, False),
    Opcode.GAT: lambda s, r: _touch(s, r, True, False),
    Opcode.GATQ: lambda s, r: _touch(s, r, True, True),
    Opcode.GET_LOCKED: get_locked,
    Opcode.UNLOCK_KEY: unlock,
    Opcode.GET_REPLICA: get_replica,
    Opcode.GET_META: get_meta,
    Opcode.OBSERVE: observe,
    Opcode.OBSERVE_SEQNO: observe_seqno,
}
