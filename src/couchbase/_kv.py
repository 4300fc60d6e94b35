"""Key-value semantics, written once for every front end.

Functions here turn API arguments into :class:`~couchbase._core.request.Request`
objects and response packets into results or exceptions. They never wait:
front ends decide how to get from the request to the response.
"""

from __future__ import annotations

import struct
from typing import Any, Callable, Optional

from ._core.compression import inflate
from ._core.document import (
    COUNTER_NO_INITIAL,
    MAX_EXPIRY,
    MAX_KEY_LENGTH,
    MAX_LOCK_TIME,
    MAX_VALUE_SIZE,
)
from ._core.feature import Datatype
from ._core.opcode import Opcode
from ._core.packet import Packet
from ._core.request import Request
from ._core.snappy import SnappyError
from ._core.status import Status
from .exceptions import (
    ArgumentError,
    CollectionNotFoundError,
    CouchbaseError,
    ScopeNotFoundError,
    TooBigError,
    ValueFormatError,
)
from .formats import FMT_BYTES, FMT_JSON, FMT_UTF8, decode_value, encode_value
from .mutation_state import MutationToken
from .result import OperationResult, ValueResult

_FLAGS_EXPIRY = struct.Struct(">II")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_COUNTER = struct.Struct(">QQI")
_TOKEN = struct.Struct(">QQ")
_JSON = 0x01  # the datatype bit
_COMMON_MASK = 0xFF000000
_COMMON_JSON = 0x02000000  # common flags of a JSON value
_NO_TTL = _U32.pack(0)
_MAX_CAS = 0xFFFFFFFFFFFFFFFF
_SNAPPY = Datatype.SNAPPY
# The opcodes of the most frequent requests as plain ints: reading an IntEnum member
# costs ~140 ns on CPython 3.11 (a class attribute lookup through EnumType), a global
# a few ns. Requests carry ints either way (IntEnum members are ints).
GET, SET = int(Opcode.GET), int(Opcode.SET)
_RESPONSE_MAGIC = 0x81

# server status -> libcouchbase error code (what Result.rc reports)
STATUS_TO_RC = {
    Status.SUCCESS: 0x00,
    Status.KEY_ENOENT: 0x0D,
    Status.KEY_EEXISTS: 0x0C,
    Status.E2BIG: 0x04,
    Status.EINVAL: 0x07,
    Status.NOT_STORED: 0x12,
    Status.DELTA_BADVAL: 0x03,
    Status.NOT_MY_VBUCKET: 0x11,
    Status.NO_BUCKET: 0x19,
    Status.LOCKED: 0x0B,
    Status.NOT_LOCKED: 0x0B,
    Status.AUTH_STALE: 0x02,
    Status.AUTH_ERROR: 0x02,
    Status.ERANGE: 0x09,
    Status.EACCESS: 0x02,
    Status.UNKNOWN_COMMAND: 0x14,
    Status.ENOMEM: 0x08,
    Status.NOT_SUPPORTED: 0x13,
    Status.EINTERNAL: 0x06,
    Status.EBUSY: 0x05,
    Status.ETMPFAIL: 0x0B,
    Status.UNKNOWN_COLLECTION: 0xD3,
    Status.UNKNOWN_SCOPE: 0xD9,
    Status.SYNC_WRITE_IN_PROGRESS: 0x0B,
}


def rc_of(status: int) -> int:
    return STATUS_TO_RC.get(status, 0x0A)  # type: ignore[call-overload]


def encode_key(key: Any) -> bytes:
    """Validate and encode a key; raises before anything reaches the wire."""
    # The common case first: an ASCII str of a length the server allows is its own
    # UTF-8, and can hold no lone surrogate.
    if type(key) is str and 0 < len(key) <= MAX_KEY_LENGTH and key.isascii():
        return key.encode("ascii")
    if isinstance(key, str):
        try:
            data = key.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate has no UTF-8 form
            raise ValueFormatError(f"the key is not valid Unicode: {exc.reason}", key=key,
                                   inner_cause=exc) from None
    elif isinstance(key, (bytes, bytearray)):
        data = bytes(key)
    else:
        raise ValueFormatError(
            f"keys must be str (or bytes), not {type(key).__name__}", key=key, objextra=key
        )
    if not data:
        raise ArgumentError("the key is empty: every document needs a non-empty key", key=key)
    if len(data) > MAX_KEY_LENGTH:
        raise ArgumentError(
            f"the key is {len(data)} bytes long; the server allows at most {MAX_KEY_LENGTH}",
            key=key)
    return data


def encode_keys(keys: Any) -> list[bytes]:
    """:func:`encode_key` for a batch, in one loop. A str key of ASCII characters
    and a length the server allows (nearly every key) is encoded right here;
    any other key goes to :func:`encode_key`, which takes it or raises."""
    out: list[bytes] = []
    append = out.append
    for key in keys:
        if type(key) is str and 0 < len(key) <= MAX_KEY_LENGTH and key.isascii():
            append(key.encode("ascii"))
        else:
            append(encode_key(key))
    return out


def check_ttl(ttl: Any, key: Any = None) -> int:
    if ttl is None:
        return 0
    if isinstance(ttl, bool) or not isinstance(ttl, int):
        raise ArgumentError(f"ttl must be a whole number of seconds, not {ttl!r}",
                            key=key, objextra=ttl)
    if ttl < 0:
        raise ArgumentError(f"ttl must not be negative (got {ttl})", key=key, objextra=ttl)
    if ttl > MAX_EXPIRY:
        raise ArgumentError(f"ttl {ttl} does not fit in 32 bits", key=key, objextra=ttl)
    return int(ttl)


def check_cas(cas: Any, key: Any = None) -> int:
    if not cas:
        return 0
    if isinstance(cas, bool) or not isinstance(cas, int) or not 0 <= cas <= 0xFFFFFFFFFFFFFFFF:
        raise ArgumentError(f"cas must be an unsigned 64-bit integer, not {cas!r}", key=key)
    return cas


Encoder = Callable[[Any, int], "tuple[bytes, int]"]
Decoder = Callable[[bytes, int], Any]


def store_request(
    opcode: int, key: Any, value: Any, cas: Any, ttl: Any, fmt: int,
    encoder: Encoder = encode_value,
) -> Request:
    ekey = encode_key(key)
    # (plain ints in range, the common case, skip the checks' calls)
    expiry = ttl if type(ttl) is int and 0 <= ttl <= MAX_EXPIRY else check_ttl(ttl, key)
    if not (type(cas) is int and 0 <= cas <= _MAX_CAS):
        cas = check_cas(cas, key)
    try:
        data, flags = encoder(value, fmt)
        if type(data) is not bytes:  # (what every built-in format returns)
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError(f"the transcoder returned {type(data).__name__}, not bytes")
            data = bytes(data)
        extras = _FLAGS_EXPIRY.pack(flags, expiry)
    except CouchbaseError:
        raise
    except (struct.error, OverflowError) as exc:
        raise ValueFormatError(f"flags {flags!r} do not fit in 32 bits", key=key,
                               inner_cause=exc, objextra=value) from exc
    except Exception as exc:
        raise ValueFormatError(
            f"couldn't encode value: {exc}", key=key, inner_cause=exc, objextra=value
        ) from exc
    if len(data) > MAX_VALUE_SIZE:
        raise _too_big(key, len(data))
    # JSON by its flags: say so in the datatype (HELLO always negotiates JSON), as the
    # server trusts a client that negotiated it; sub-document commands need it
    datatype = _JSON if flags & _COMMON_MASK == _COMMON_JSON else 0
    return Request(opcode, ekey, extras, data, cas, datatype)


def _too_big(key: Any, size: int) -> TooBigError:
    return TooBigError(f"the value is {size} bytes once encoded; the server stores at most "
                       f"{MAX_VALUE_SIZE}", key=key)


def concat_request(opcode: int, key: Any, value: Any, cas: Any, fmt: Optional[int]) -> Request:
    """append/prepend: only text or bytes make sense at either end of a value."""
    if fmt is None:
        fmt = FMT_BYTES if isinstance(value, (bytes, bytearray)) else FMT_UTF8
    if fmt not in (FMT_UTF8, FMT_BYTES, 0x2, 0x4):
        raise ValueFormatError(
            "append and prepend need FMT_UTF8 or FMT_BYTES: the data is glued to the stored "
            "bytes, which would corrupt a JSON or pickle value", key=key, objextra=value)
    ekey = encode_key(key)
    try:
        data, _ = encode_value(value, fmt)
    except Exception as exc:
        raise ValueFormatError(f"couldn't encode value: {exc}", key=key, inner_cause=exc,
                               objextra=value) from exc
    if len(data) > MAX_VALUE_SIZE:
        raise _too_big(key, len(data))
    return Request(opcode, ekey, b"", data, check_cas(cas, key))


def get_request(key: Any, ttl: Any = 0, replica: int = 0) -> Request:
    ekey = encode_key(key)
    if replica:
        return Request(Opcode.GET_REPLICA, ekey, replica=replica)
    if ttl:
        return Request(Opcode.GAT, ekey, _U32.pack(check_ttl(ttl, key)))
    return Request(GET, ekey)


def get_requests(keys: Any) -> list[Request]:
    """:func:`get_request` (no ttl, the active copy) for a batch of keys: their
    checks in one loop (:func:`encode_keys`), then one GET each."""
    return [Request(GET, ekey) for ekey in encode_keys(keys)]


def lock_request(key: Any, ttl: Any, ttl_required: bool = True) -> Request:
    """GET_LOCKED. 2.x requires a ttl; 1.x's ``ttl=0`` asks for the server's
    default (15 s), so its Connection passes ``ttl_required=False``."""
    lock_time = check_ttl(ttl, key)
    if not lock_time and ttl_required:
        raise ArgumentError("lock needs a ttl: how many seconds to hold the lock "
                            f"(at most {MAX_LOCK_TIME})", key=key)
    if lock_time > MAX_LOCK_TIME:
        raise ArgumentError(f"a lock lasts at most {MAX_LOCK_TIME} seconds (asked for "
                            f"{lock_time})", key=key)
    return Request(Opcode.GET_LOCKED, encode_key(key), _U32.pack(lock_time))


def remove_request(key: Any, cas: Any = 0) -> Request:
    return Request(Opcode.DELETE, encode_key(key), cas=check_cas(cas, key))


def unlock_request(key: Any, cas: Any) -> Request:
    if not cas:
        raise ArgumentError("unlock needs the CAS that lock returned", key=key)
    return Request(Opcode.UNLOCK_KEY, encode_key(key), cas=check_cas(cas, key))


def touch_request(key: Any, ttl: Any) -> Request:
    return Request(Opcode.TOUCH, encode_key(key), _U32.pack(check_ttl(ttl, key)))


def counter_request(key: Any, delta: Any, initial: Any, ttl: Any) -> Request:
    if isinstance(delta, bool) or not isinstance(delta, int):
        raise ArgumentError(f"delta must be an integer, not {delta!r}", key=key)
    if delta == 0 or abs(delta) > 0xFFFFFFFFFFFFFFFF:
        raise ArgumentError(f"delta must be a non-zero 64-bit integer (got {delta})", key=key)
    expiry = check_ttl(ttl, key)
    if initial is None:
        init, expiry = 0, COUNTER_NO_INITIAL
    elif isinstance(initial, bool) or not isinstance(initial, int) or \
            not 0 <= initial <= 0xFFFFFFFFFFFFFFFF:
        raise ArgumentError(f"initial must be an unsigned 64-bit integer, not {initial!r}",
                            key=key)
    else:
        init = initial
    opcode = Opcode.INCREMENT if delta > 0 else Opcode.DECREMENT
    return Request(opcode, encode_key(key), _COUNTER.pack(abs(delta), init, expiry))


# -- responses -------------------------------------------------------------
def error_for(key: Any, pkt: Packet, what: str = "") -> CouchbaseError:
    rc = rc_of(pkt.status)
    cls = CouchbaseError.rc_to_exctype(rc)
    message = what or f"operation failed (server status 0x{pkt.status:02x})"
    return cls(message, key=key, rc=rc, server_status=pkt.status)


def mutation_result(key: Any, pkt: Packet, quiet: bool = False) -> OperationResult:
    if pkt.status:
        if quiet:
            return OperationResult(key, rc_of(pkt.status), 0)
        exc = error_for(key, pkt)
        exc.result = OperationResult(key, exc.rc, 0)
        raise exc
    result = OperationResult(key, 0, pkt.cas)
    if len(pkt.extras) == 16:
        result._token = pkt  # (_add_token, written out)
    return result


def _add_token(result: OperationResult, pkt: Packet) -> None:
    """Keep a response with MUTATION_SEQNO extras for its mutation token (its
    vbucket is the request's: see Operation.result); decoded on first use, as
    most applications never read it."""
    result._token = pkt


def token_of_packet(pkt: Packet) -> MutationToken:
    uuid, seqno = _TOKEN.unpack(pkt.extras)
    return MutationToken(pkt.vbucket, uuid, seqno)


def removal_result(key: Any, pkt: Packet, quiet: bool = False) -> OperationResult:
    """Like :func:`mutation_result`; ``quiet`` only forgives a missing key."""
    return mutation_result(key, pkt, quiet and pkt.status == Status.KEY_ENOENT)


def value_result(
    key: Any, pkt: Packet, quiet: bool = False, no_format: bool = False,
    decoder: Decoder = decode_value,
) -> ValueResult:
    if pkt.status:
        rc = rc_of(pkt.status)
        if quiet and pkt.status == Status.KEY_ENOENT:
            return ValueResult(key, rc)
        exc = error_for(key, pkt)
        exc.result = ValueResult(key, rc)
        raise exc
    extras = pkt.extras
    flags = _U32.unpack_from(extras)[0] if len(extras) >= 4 else 0
    raw = pkt.value
    if pkt.datatype & _SNAPPY:  # only where HELLO negotiated it; never left to the user
        try:
            raw = inflate(raw)
        except SnappyError as exc:
            raise ValueFormatError(f"couldn't decompress value: {exc}", key=key,
                                   inner_cause=exc) from exc
    if no_format:
        return ValueResult(key, 0, pkt.cas, raw, flags)
    try:
        value = decoder(raw, flags)
    except CouchbaseError:
        raise
    except Exception as exc:
        raise ValueFormatError(
            f"couldn't decode value: {exc}", key=key, inner_cause=exc, objextra=raw
        ) from exc
    return ValueResult(key, 0, pkt.cas, value, flags)


def value_results(keys: Any, values: list[Any], flags: list[Any], cas: list[Any],
                  no_format: bool, decoder: Decoder) -> tuple[list[Any], list[int]]:
    """:func:`value_result` for a batch of GETs answered as lists
    (:meth:`BlockingCluster.get_many`): a ValueResult for every key that holds a
    value, None for the others, and their positions. The caller finishes those
    with :func:`value_result` (on their answers, or :func:`answer_packet` when the
    decoder failed), so that errors are made in one place."""
    out: list[Any] = []
    rest: list[int] = []
    add = out.append
    for g, (key, raw, fl, c) in enumerate(zip(keys, values, flags, cas)):
        if raw is None:  # (no value: its answer goes the general way)
            rest.append(g)
            add(None)
            continue
        if no_format:
            add(ValueResult(key, 0, c, raw, fl))
            continue
        try:
            value = decoder(raw, fl)
        except Exception:
            rest.append(g)
            add(None)
            continue
        add(ValueResult(key, 0, c, value, fl))
    return out, rest


def answer_packet(value: bytes, flags: int, cas: int) -> Packet:
    """The SUCCESS answer to a GET that :func:`value_results` was given as lists."""
    return Packet(_RESPONSE_MAGIC, GET, value=value, extras=_U32.pack(flags), cas=cas)


def counter_result(key: Any, pkt: Packet) -> ValueResult:
    if pkt.status:
        exc = error_for(key, pkt)
        exc.result = ValueResult(key, exc.rc)
        raise exc
    value = _U64.unpack_from(pkt.value)[0] if len(pkt.value) >= 8 else 0
    result = ValueResult(key, 0, pkt.cas, value, 0)
    if len(pkt.extras) == 16:
        _add_token(result, pkt)
    return result


def exists_result(key: Any, pkt: Packet) -> bool:
    """A GET's answer to "does ``key`` hold a document?"."""
    if pkt.status and pkt.status != Status.KEY_ENOENT:
        raise error_for(key, pkt)
    return not pkt.status


def collection_id_request(scope: str, name: str) -> Request:
    return Request(Opcode.GET_COLLECTION_ID, b"", value=f"{scope}.{name}".encode())


def collection_id_result(path: str, pkt: Packet) -> int:
    """The collection id in a GET_COLLECTION_ID answer for ``scope.collection``."""
    if pkt.status == Status.UNKNOWN_SCOPE:
        raise ScopeNotFoundError(f"scope {path.split('.')[0]!r} does not exist",
                                 server_status=pkt.status)
    if pkt.status == Status.UNKNOWN_COLLECTION:
        raise CollectionNotFoundError(f"collection {path!r} does not exist",
                                      server_status=pkt.status)
    if pkt.status or len(pkt.extras) < 12:
        raise error_for(path, pkt, f"GET_COLLECTION_ID {path!r} failed")
    return int(_U32.unpack_from(pkt.extras, 8)[0])


DEFAULT_FORMAT = FMT_JSON
