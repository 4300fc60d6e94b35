"""The sub-document commands of the KV service: packets in, packets out.

Single-path lookups answer the value (``SUBDOC_SUCCESS_DELETED`` on a
tombstone read with ACCESS_DELETED); single-path mutations answer the new CAS,
the mutation token when negotiated, and COUNTER's new value. MULTI_LOOKUP
answers ``status:2 length:4 value`` per spec, with the overall status
``SUBDOC_MULTI_PATH_FAILURE`` (``_DELETED`` on a tombstone) when any failed.
MULTI_MUTATION is all or nothing: on failure ``SUBDOC_MULTI_PATH_FAILURE``
with ``index:1 status:2`` of the first failing spec; on success
``index:1 status:2 length:4 value`` for each spec that returns a value.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Optional

from couchbase._core.document import LOCKED_CAS
from couchbase._core.feature import Datatype, Feature
from couchbase._core.opcode import Opcode
from couchbase._core.packet import Packet
from couchbase._core.status import Status

from ..kv_handlers import Handler
from ..kv_mutation import Frames, framed_target, mutated, mutation_token, request_frames
from ..storage import Document
from .errors import SubdocError
from .execute import Mutation, SpecFailure, lookups
from .spec import (
    ACCESS_DELETED,
    ADD,
    MKDOC,
    REPLICA_READ,
    Request,
    decode_multi,
    decode_single,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..engine import Engine
    from ..kv import KVSession

_LOOKUP_RESULT = struct.Struct(">HI")
_MUTATION_RESULT = struct.Struct(">BHI")
_FAILED_SPEC = struct.Struct(">BH")


def _decode(s: KVSession, req: Packet, multi: bool, mutation: bool) -> Request | bytes:
    try:
        if not multi:
            return decode_single(req.opcode, req.extras, req.value, req.cas)
        multiple = Feature.SUBDOC_ALLOWS_ACCESS_ON_MULTIPLE_XATTR_KEYS in s.features
        return decode_multi(mutation, req.extras, req.value, req.cas, multiple)
    except SubdocError as exc:
        return s.reply(req, exc.status)


def _lookup(s: KVSession, req: Packet, multi: bool) -> Optional[bytes]:
    request = _decode(s, req, multi, False)
    if isinstance(request, bytes):
        return request
    frames = request_frames(s, req)
    if isinstance(frames, bytes):
        return frames
    replica = False
    if request.doc_flags & REPLICA_READ:  # a replica of the vbucket may answer too
        if Feature.SUBDOC_REPLICA_READ not in s.features:
            return s.reply(req, Status.EINVAL)
        assert s.bucket is not None
        replica = s.bucket.node_role(s.node, req.vbucket) == "replica"
    t = s.target(req, replica)
    if isinstance(t, bytes):
        return t
    engine, vb, key = t
    status, doc = engine.subdoc_read(s.node, vb, key, bool(request.doc_flags & ACCESS_DELETED))
    if doc is None:
        return s.reply(req, status)
    now = engine.clock()
    results = lookups(request, doc, engine.vbucket(s.node, vb).uuid, now)
    cas = LOCKED_CAS if doc.lock_cas and doc.is_locked(now) else doc.cas
    if not multi:
        (spec_status, value), = results
        if spec_status != Status.SUCCESS:
            return s.reply(req, spec_status)
        ok = Status.SUBDOC_SUCCESS_DELETED if doc.deleted else Status.SUCCESS
        datatype = Datatype.JSON if req.opcode == Opcode.SUBDOC_GET else 0
        return s.reply(req, ok, value=value, datatype=datatype, cas=cas)
    body = b"".join(_LOOKUP_RESULT.pack(st, len(v)) + v for st, v in results)
    failed = any(st != Status.SUCCESS for st, _ in results)
    if doc.deleted:
        status = Status.SUBDOC_MULTI_PATH_FAILURE_DELETED if failed else \
            Status.SUBDOC_SUCCESS_DELETED
    else:
        status = Status.SUBDOC_MULTI_PATH_FAILURE if failed else Status.SUCCESS
    return s.reply(req, status, value=body, cas=cas)


def _mutate(s: KVSession, req: Packet, multi: bool) -> Optional[bytes]:
    request = _decode(s, req, multi, True)
    if isinstance(request, bytes):
        return request
    t = framed_target(s, req)
    if isinstance(t, bytes):
        return t
    frames, engine, vb, key = t
    mutation = Mutation(request, engine.vbucket(s.node, vb).uuid)
    failure: list[SubdocError] = []

    def build(old: Optional[Document]) -> int | Document:
        try:
            return mutation.build(old)
        except SubdocError as exc:
            failure.append(exc)
            return exc.status

    flags = request.doc_flags
    create = "add" if flags & ADD else "upsert" if flags & MKDOC else ""
    status, doc = engine.subdoc_mutate(
        s.node, vb, key, req.cas, create, bool(flags & ACCESS_DELETED), request.expiry,
        frames.preserve_ttl, build, mutation.finish,
    )
    if doc is None:
        if failure and isinstance(failure[0], SpecFailure) and multi:
            spec_failure = failure[0]
            return s.reply(req, Status.SUBDOC_MULTI_PATH_FAILURE,
                           value=_FAILED_SPEC.pack(spec_failure.index, spec_failure.status))
        return s.reply(req, status)
    return _mutated_reply(s, req, engine, vb, doc, mutation, multi, frames)


def _mutated_reply(s: KVSession, req: Packet, engine: Engine, vb: int, doc: Document,
                   mutation: Mutation, multi: bool, frames: Frames) -> bytes:
    deleted = doc.deleted and mutation.on_tombstone
    status = Status.SUBDOC_SUCCESS_DELETED if deleted else Status.SUCCESS
    if multi:
        value = b"".join(_MUTATION_RESULT.pack(i, Status.SUCCESS, len(v)) + v
                         for i, v in mutation.results)
    else:
        value = mutation.results[0][1] if mutation.results else b""
    if not value and status == Status.SUCCESS:
        return mutated(s, req, engine, vb, doc)
    return s.reply(req, status, value=value, extras=mutation_token(s, engine, vb, doc),
                   cas=doc.cas)


SUBDOC_HANDLERS: dict[int, Handler] = {
    Opcode.SUBDOC_GET: lambda s, r: _lookup(s, r, False),
    Opcode.SUBDOC_EXISTS: lambda s, r: _lookup(s, r, False),
    Opcode.SUBDOC_GET_COUNT: lambda s, r: _lookup(s, r, False),
    Opcode.SUBDOC_MULTI_LOOKUP: lambda s, r: _lookup(s, r, True),
    Opcode.SUBDOC_DICT_ADD: lambda s, r: _mutate(s, r, False),
    Opcode.SUBDOC_DICT_UPSERT: lambda s, r: _mutate(s, r, False),
    Opcode.SUBDOC_DELETE: lambda s, r: _mutate(s, r, False),
    Opcode.SUBDOC_REPLACE: lambda s, r: _mutate(s, r, False),
    Opcode.SUBDOC_ARRAY_PUSH_LAST: lambda s, r: _mutate(s, r, False),
    Opcode.SUBDOC_ARRAY_PUSH_FIRST: lambda s, r: _mutate(s, r, False),
    Opcode.SUBDOC_ARRAY_INSERT: lambda s, r: _mutate(s, r, False),
    Opcode.SUBDOC_ARRAY_ADD_UNIQUE: lambda s, r: _mutate(s, r, False),
    Opcode.SUBDOC_COUNTER: lambda s, r: _mutate(s, r, False),
    Opcode.SUBDOC_MULTI_MUTATION: lambda s, r: _mutate(s, r, True),
}
"""Opcode to handler, merged into the KV service's document commands."""
