"""Document commands of the KV service: packets in, engine calls, packets out.

Each handler takes the connection's :class:`~couchbase_mock.kv.KVSession`
and the request and returns the response bytes, or ``None`` for a quiet
command that succeeded (or, for quiet gets, missed). Request layouts follow
kv_engine's ``docs/BinaryProtocol.md``.
"""

from __future__ import annotations

import json
import struct
from typing import TYPE_CHECKING, Callable, Optional

from couchbase._core import observe as observe_state
from couchbase._core.document import LOCKED_CAS, MAX_VALUE_SIZE
from couchbase._core.feature import Datatype
from couchbase._core.leb128 import split_key
from couchbase._core.opcode import Opcode
from couchbase._core.packet import Packet
from couchbase._core.status import Status

from . import keyops
from .compression import deflate_reply
from .kv_mutation import NO_FRAMES, framed_target, mutated, mutation_token, request_frames
from .storage import Document

if TYPE_CHECKING:
    from .kv import KVSession

Handler = Callable[["KVSession", Packet], Optional[bytes]]

_FLAGS = struct.Struct(">I")
_STORE_EXTRAS = struct.Struct(">II")
_ARITH_EXTRAS = struct.Struct(">QQI")
_JSON_START = frozenset(b'{["-0123456789tfn \t\r\n')
# Enum members used on every request, as module constants (see kv.py).
_EINVAL = Status.EINVAL
_JSON = Datatype.JSON
_NOT_JSON = ~Datatype.JSON
_GET_RESPONSE = struct.Struct(">BBHBBHIIQI")  # the classic header, then the flags
_MAGIC_RESPONSE = 0x81


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
    frames = request_frames(s, req) if durable else NO_FRAMES
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
    return mutated(s, req, engine, vb, doc)


def _delete(s: KVSession, req: Packet, quiet: bool) -> Optional[bytes]:
    t = framed_target(s, req)
    if isinstance(t, bytes):
        return t
    _, engine, vb, key = t
    status, doc = engine.delete(s.node, vb, key, req.cas)
    if doc is None:
        return s.reply(req, status)
    if quiet:
        return None
    return mutated(s, req, engine, vb, doc)


def _concat(s: KVSession, req: Packet, append: bool, quiet: bool) -> Optional[bytes]:
    if req.extras:
        return s.reply(req, Status.EINVAL)
    frames = request_frames(s, req)
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
    return mutated(s, req, engine, vb, doc)


def _arith(s: KVSession, req: Packet, incr: bool, quiet: bool) -> Optional[bytes]:
    if len(req.extras) != _ARITH_EXTRAS.size or req.value:
        return s.reply(req, Status.EINVAL)
    t = framed_target(s, req)
    if isinstance(t, bytes):
        return t
    frames, engine, vb, key = t
    delta, initial, exptime = _ARITH_EXTRAS.unpack(req.extras)
    status, doc, number = engine.arithmetic(
        s.node, vb, key, incr, delta, initial, exptime, req.cas, frames.preserve_ttl
    )
    if doc is None:
        return s.reply(req, status)
    if quiet:
        return None
    return s.reply(req, value=struct.pack(">Q", number), extras=mutation_token(s, engine, vb, doc),
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
