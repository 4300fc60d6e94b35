"""Key-value semantics of the 4.x API: options -> requests, responses -> 4.x results.

The requests are the 2.x engine's (:mod:`couchbase._kv` builds them); what is
4.x here is reading options (:func:`couchbase.options.merge` output), the
frames 4.x adds (synchronous durability, preserve-expiry), and the finish
functions, which build :mod:`couchbase._results4x` results straight from the
packet and raise :mod:`couchbase._errors4x` classes. Each finish function
carries ``on_error`` (see :func:`couchbase._operation.failed`): what an
operation that got no answer (a timeout, a lost connection) raises.
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Optional

from . import _kv
from ._core.compression import inflate
from ._core.feature import Datatype
from ._core.frameinfo import RequestFrame, encode_frame
from ._core.opcode import Opcode
from ._core.packet import Packet
from ._core.request import Request
from ._core.status import Status
from ._core.subdoc import DocFlag, SubdocCommand
from ._errors4x import (
    CouchbaseException,
    DocumentUnretrievableException,
    InvalidArgumentException,
    KeyValueErrorContext,
    SubdocumentErrorContext,
    ValueFormatException,
    kv_error,
    to_4x,
)
from ._results4x import (
    CounterResult,
    ExistsResult,
    GetReplicaResult,
    GetResult,
    LookupInResult,
    MutateInResult,
    MutationResult,
)
from .durability import ClientDurability, ServerDurability
from .exceptions import CouchbaseError
from .mutation_state import MutationToken
from .options import expiry_seconds, timeout_seconds

_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_TOKEN = struct.Struct(">QQ")
_META = struct.Struct(">IIIQ")
_SNAPPY = Datatype.SNAPPY
_PRESERVE_TTL = encode_frame(RequestFrame.PRESERVE_TTL)
_READS = frozenset((Opcode.GET, Opcode.GET_REPLICA, Opcode.GET_META, Opcode.SUBDOC_GET,
                    Opcode.SUBDOC_EXISTS, Opcode.SUBDOC_GET_COUNT, Opcode.SUBDOC_MULTI_LOOKUP,
                    Opcode.GET_COLLECTION_ID))


class Where:
    """The collection an operation is for (a Collection is one): error contexts
    read its ``bucket_name``, ``scope_name`` and ``name``."""


def context(where: Any, key: Any, pkt: Optional[Packet] = None,
            subdoc: bool = False, **extra: Any) -> KeyValueErrorContext:
    cls = SubdocumentErrorContext if subdoc else KeyValueErrorContext
    fields: dict[str, Any] = {"key": key, "bucket_name": where.bucket_name,
                              "scope_name": where.scope_name,
                              "collection_name": where.name}
    if pkt is not None:
        fields["opaque"] = pkt.opaque
        fields["status_code"] = pkt.status
    fields.update(extra)
    return cls(**fields)


def _fail(key: Any, pkt: Packet, where: Where, opcode: int = 0,
          cas_given: bool = False) -> CouchbaseException:
    return kv_error(pkt.status, key, context(where, key, pkt), opcode, cas_given)


def on_error(op: Any, exc: BaseException) -> BaseException:
    """A 4.x operation's error when no answer came (``finish.on_error``)."""
    where = op.args[0] if op.args else None
    ctx = context(where, op.key) if isinstance(where, Where) else None
    return to_4x(exc, op.req.opcode in _READS, ctx)


def with_on_error(finish: Callable[..., Any]) -> Callable[..., Any]:
    finish.on_error = on_error  # type: ignore[attr-defined]
    return finish


# -- requests -----------------------------------------------------------------------
def timed(req: Request, opts: dict[str, Any]) -> Request:
    """``req`` with the call's ``timeout`` option (timedelta or seconds) as its own
    deadline (:attr:`Request.timeout`); without one it takes the bucket's."""
    timeout = opts.get("timeout") if opts else None
    if timeout is not None:
        req.timeout = timeout_seconds(timeout)
    return req


def frames(opts: dict[str, Any], preserve: bool = False) -> tuple[bytes, Any]:
    """``(framing extras, client durability or None)`` of a mutation's options."""
    framing = b""
    durability = opts.get("durability")
    client = None
    if durability is not None:
        if isinstance(durability, ServerDurability):
            if durability.level:
                framing = encode_frame(RequestFrame.DURABILITY, bytes((durability.level,)))
        elif isinstance(durability, ClientDurability):
            if durability.persist_to or durability.replicate_to:
                client = durability
        else:
            raise InvalidArgumentException(
                message=f"durability must be ServerDurability or ClientDurability, not "
                f"{durability!r}")
    if preserve and opts.get("preserve_expiry"):
        framing += _PRESERVE_TTL
    return framing, client


def store_request(opcode: int, key: Any, value: Any, opts: dict[str, Any],
                  encode: Callable[[Any], tuple[bytes, int]]) -> tuple[Request, Any]:
    """SET/ADD/REPLACE of ``value``: ``(request, client durability)``."""
    expiry = opts.get("expiry")
    if opcode == Opcode.ADD and opts.get("preserve_expiry"):
        raise InvalidArgumentException(message="insert has no expiry to preserve")
    if opts.get("preserve_expiry") and expiry is not None:
        pass  # (the server applies the new expiry only to a new document)
    cas = opts.get("cas", 0)
    req = _kv.store_request(opcode, key, value, cas, expiry_seconds(expiry) if expiry else 0,
                            0, _encoder(encode))
    req.framing, client = frames(opts, preserve=opcode != Opcode.ADD)
    return req, client


def _encoder(encode: Callable[[Any], tuple[bytes, int]]) -> Callable[[Any, int], Any]:
    """The 2.x request builder passes a format; 4.x transcoders take the value only."""
    return lambda value, _fmt: encode(value)


def counter_request(key: Any, opts: dict[str, Any], sign: int) -> tuple[Request, Any]:
    delta = int(opts.get("delta", 1))
    if delta <= 0:
        raise InvalidArgumentException(message=f"delta must be positive, not {delta}")
    # As the official SDK 4.x: a missing counter is created with ``initial``
    # (default 0); a negative ``initial`` means "do not create".
    initial = opts.get("initial")
    initial = 0 if initial is None else int(initial)
    if initial < 0:
        initial = None
    expiry = expiry_seconds(opts.get("expiry"))
    try:
        req = _kv.counter_request(key, sign * delta, initial, expiry)
    except CouchbaseError as exc:
        raise to_4x(exc) from None
    req.framing, client = frames(opts)
    return req, client


def touch_expiry(value: Any) -> int:
    if value is None:
        raise InvalidArgumentException(message="an expiry is needed (timedelta, datetime or "
                                       "seconds)")
    return expiry_seconds(value)


def meta_request(key: Any) -> Request:
    return Request(Opcode.GET_META, _kv.encode_key(key))


# -- finishing ----------------------------------------------------------------------
def _raw(key: Any, pkt: Packet) -> Any:
    raw = pkt.value
    if pkt.datatype & _SNAPPY:
        try:
            raw = inflate(raw)
        except Exception as exc:
            raise ValueFormatException(message=f"couldn't decompress value: {exc}",
                                       key=key, inner_cause=exc) from exc
    return raw


def get_finish(key: Any, pkt: Packet, where: Where,
               decode: Callable[[bytes, int], Any]) -> GetResult:
    if pkt.status:
        raise _fail(key, pkt, where)
    extras = pkt.extras
    flags = _U32.unpack_from(extras)[0] if len(extras) >= 4 else 0
    return GetResult(key, pkt.cas, _raw(key, pkt), flags, decode)


def replica_finish(key: Any, pkt: Packet, where: Where, decode: Callable[[bytes, int], Any],
                   is_replica: bool) -> GetReplicaResult:
    if pkt.status:
        raise _fail(key, pkt, where)
    extras = pkt.extras
    flags = _U32.unpack_from(extras)[0] if len(extras) >= 4 else 0
    return GetReplicaResult(key, pkt.cas, _raw(key, pkt), flags, decode, is_replica)


def _token(pkt: Packet, where: Where) -> Any:
    """The response's mutation token, named for the collection's bucket."""
    if len(pkt.extras) == 16:
        uuid, seqno = _TOKEN.unpack(pkt.extras)
        return MutationToken(pkt.vbucket, uuid, seqno, where.bucket_name)  # type: ignore[attr-defined]
    return None


def mutation_finish(key: Any, pkt: Packet, where: Where, opcode: int = 0,
                    cas_given: bool = False) -> MutationResult:
    if pkt.status:
        raise _fail(key, pkt, where, opcode, cas_given)
    if len(pkt.extras) == 16:  # (MUTATION_SEQNO: the token is made when first asked for)
        return MutationResult(key, pkt.cas, pkt, where)
    return MutationResult(key, pkt.cas)


def unlock_finish(key: Any, pkt: Packet, where: Where, opcode: int = 0,
                  cas_given: bool = False) -> None:
    """``unlock`` answers nothing (as the official SDK 4.x: None)."""
    mutation_finish(key, pkt, where, opcode, cas_given)


def counter_finish(key: Any, pkt: Packet, where: Where) -> CounterResult:
    if pkt.status:
        raise _fail(key, pkt, where)
    value = _U64.unpack_from(pkt.value)[0] if len(pkt.value) >= 8 else 0
    return CounterResult(key, pkt.cas, value, _token(pkt, where))


def exists_finish(key: Any, pkt: Packet, where: Where) -> ExistsResult:
    if pkt.status == Status.KEY_ENOENT:
        return ExistsResult(key, 0, False)
    if pkt.status:
        raise _fail(key, pkt, where)
    deleted = len(pkt.extras) >= 4 and _U32.unpack_from(pkt.extras)[0] != 0
    return ExistsResult(key, 0 if deleted else pkt.cas, not deleted)


def unretrievable(key: Any, where: Where, cause: Optional[BaseException]) -> CouchbaseException:
    return DocumentUnretrievableException(
        message="no replica (nor the active copy) returned the document", key=key,
        context=context(where, key), inner_cause=cause)


def no_copy(key: Any, where: Where, cause: Optional[BaseException],
            any_replica: bool) -> BaseException:
    """What a replica read raises when no copy returned the document: the ``any``
    forms DocumentUnretrievableException, the ``all`` forms the active copy's error
    (DocumentNotFoundException for a missing key), as the official SDK 4.x."""
    if any_replica or cause is None:
        return unretrievable(key, where, cause)
    return cause


# -- sub-document ----------------------------------------------------------------------
def subdoc_doc_flags(opts: dict[str, Any], semantics: Any = None) -> int:
    flags = DocFlag.ACCESS_DELETED if opts.get("access_deleted") else 0
    if semantics is not None:
        flags |= {0: 0, 1: DocFlag.MKDOC, 2: DocFlag.ADD}[int(semantics)]
    if opts.get("create_as_deleted"):  # (transactions: stage an insert in a tombstone)
        flags |= DocFlag.CREATE_AS_DELETED
    if opts.get("revive_document"):  # (transactions: commit it)
        flags |= DocFlag.REVIVE
    return flags


def _spec_errors(key: Any, pkt: Packet, where: Where, reply: Any,
                 paths: list[str]) -> Callable[[int], BaseException]:
    def error_for(index: int) -> BaseException:
        field = reply.fields[index]
        status = field.status if field is not None else pkt.status
        return kv_error(status, key, context(where, key, pkt, subdoc=True,
                                              first_error_index=index,
                                              first_error_path=paths[index],
                                              deleted=reply.deleted))
    return error_for


def lookup_finish(key: Any, pkt: Packet, where: Where, command: SubdocCommand,
                  paths: list[str], exists_ops: frozenset[int],
                  make: Callable[..., Any] = LookupInResult) -> Any:
    reply = command.decode(pkt)
    if not reply.accessed:
        raise kv_error(reply.status, key, context(where, key, pkt, subdoc=True))
    specs = [(f.status, f.value) if f is not None else (Status.EINTERNAL, b"")
             for f in reply.fields]
    return make(key, reply.cas, specs, _spec_errors(key, pkt, where, reply, paths), exists_ops,
                reply.deleted)


def mutate_finish(key: Any, pkt: Packet, where: Where, command: SubdocCommand,
                  paths: list[str], cas_given: bool, opcode_hint: int) -> MutateInResult:
    reply = command.decode(pkt)
    if not reply.accessed:
        raise kv_error(reply.status, key, context(where, key, pkt, subdoc=True),
                       opcode_hint, cas_given)
    errors = _spec_errors(key, pkt, where, reply, paths)
    if reply.failed is not None:
        raise errors(reply.failed)
    specs = [(f.status, f.value) if f is not None else (0, b"") for f in reply.fields]
    return MutateInResult(key, reply.cas, specs, errors, _token(pkt, where))


def capture(key: Any, pkt: Packet, finish: Callable[..., Any], *args: Any) -> Any:
    """Finish an operation of a batch: its result, or its 4.x exception returned
    (not raised), so each key of a ``*_multi`` keeps its own."""
    try:
        return finish(key, pkt, *args)
    except CouchbaseError as exc:
        return to_4x(exc)


def capturing(op: Any) -> Any:
    """``op`` (an Operation) finishing with :func:`capture`."""
    op.args = (op.finish, *op.args)
    op.finish = capture
    return op


for _finish in (capture, get_finish, replica_finish, mutation_finish, unlock_finish,
                counter_finish, exists_finish, lookup_finish, mutate_finish):
    with_on_error(_finish)

__all__ = ["Where", "context", "on_error"]
