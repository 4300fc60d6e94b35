"""What a KV mutation asks for in its frame infos, and what its success answers.

Shared by the document commands (:mod:`couchbase_mock.kv_handlers`) and the
sub-document ones (:mod:`couchbase_mock.subdoc.handlers`):
:func:`request_frames` reads a request's framing extras (preserve-TTL, and
synchronous durability, checked as kv_engine does, held by the sync write delay
fault); :func:`framed_target` adds the vbucket and key the request goes to;
:func:`mutated` answers a mutation's success (its CAS, and its mutation token
when the client asked for them), :func:`mutation_token` is the token alone.
"""

from __future__ import annotations

import asyncio
import struct
from typing import TYPE_CHECKING, Any, Optional

from couchbase._core.frameinfo import DurabilityLevel, RequestFrame, decode_frames
from couchbase._core.opcode import Opcode
from couchbase._core.packet import Packet
from couchbase._core.status import Status

from .storage import Document

if TYPE_CHECKING:
    from .engine import Engine
    from .kv import KVSession

_TOKEN = struct.Struct(">QQ")
_KNOWN_FRAMES = frozenset(int(f) for f in RequestFrame)


class Frames:
    """What the framing extras of an alternative-framing request asked for."""

    __slots__ = ("preserve_ttl", "durability", "timeout_ms")

    def __init__(self) -> None:
        self.preserve_ttl = False
        self.durability = 0
        self.timeout_ms = 0  # the durability timeout (0: the server's default)


NO_FRAMES = Frames()  # what a request without framing extras asks for (never changed)


def request_frames(s: KVSession, req: Packet) -> Frames | bytes:
    """The request's frame infos, or the error reply (see :func:`_durability`)."""
    bucket = s.bucket
    if not req.framing:
        if bucket is None or not bucket.durability_min_level:
            return NO_FRAMES
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


def mutation_token(s: KVSession, engine: Engine, vb: int, doc: Document) -> bytes:
    """The mutation token (vbucket uuid, seqno) if the client asked for them."""
    if not s.mutation_seqno:
        return b""
    return _TOKEN.pack(engine.vbucket(s.node, vb).uuid, doc.seqno)


def mutated(s: KVSession, req: Packet, engine: Engine, vb: int, doc: Document) -> bytes:
    """A mutation's success: its CAS, and its mutation token if the client asked."""
    if not s.mutation_seqno:
        return s.reply_ok(req, doc.cas)
    return s.reply(req, extras=mutation_token(s, engine, vb, doc), cas=doc.cas)


def framed_target(s: KVSession, req: Packet) -> tuple[Frames, Engine, int, Any] | bytes:
    """``(frames, engine, vbucket, key)`` of a mutation, or the error reply (its
    frames checked first, then its vbucket and key: see ``KVSession.target``)."""
    frames = request_frames(s, req)
    if isinstance(frames, bytes):
        return frames
    t = s.target(req)
    if isinstance(t, bytes):
        return t
    engine, vb, key = t
    return frames, engine, vb, key


__all__ = ["NO_FRAMES", "SYNC_WRITE_TIMEOUT_MS", "Frames", "framed_target", "mutated",
           "mutation_token", "request_frames"]
