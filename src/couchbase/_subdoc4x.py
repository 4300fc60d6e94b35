"""The 4.x sub-document methods of a Collection: ``lookup_in``, ``mutate_in`` and the
replica lookups, over the one sub-document codec (:mod:`couchbase._core.subdoc`)
and the spec functions of :mod:`couchbase.subdocument` (which serve 2.x and 4.x).

::

    import couchbase.subdocument as SD
    coll.mutate_in("user", [SD.upsert("name", "Mark"), SD.increment("visits", 1)])
    coll.lookup_in("user", [SD.get("name"), SD.exists("email")]).content_as[str](0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

from . import _kv, _kv4x
from . import subdocument as SD
from ._core.document import MAX_VALUE_SIZE
from ._core.feature import Feature
from ._core.opcode import Opcode
from ._core.request import Request
from ._core.subdoc import SubdocCommand
from ._errors4x import (
    FeatureUnavailableException,
    InvalidArgumentException,
    ValueTooLargeException,
    to_4x,
)
from ._operation import Operation
from ._results4x import LookupInReplicaResult, LookupInResult
from .exceptions import CouchbaseError
from .options import expiry_seconds, merge

if TYPE_CHECKING:
    from ._bucketbase import Flow

_REPLICA_READ = 0x20  # doc flag: a sub-document lookup a replica may answer


def _specs(spec: Any) -> list[Any]:
    """``lookup_in(key, [s1, s2])`` (4.x) or a single spec. (``get("")`` is not the whole
    document: the server refuses it, InvalidArgumentException as with the official SDK;
    ``get_full()`` is.)"""
    if isinstance(spec, SD.Spec):
        specs = [spec]
    elif isinstance(spec, Iterable) and not isinstance(spec, (str, bytes)):
        specs = list(spec)
    else:
        raise InvalidArgumentException(message=f"expected sub-document specs, not {spec!r}")
    return specs


def _command(specs: list[Any], lookup: bool) -> SubdocCommand:
    try:
        return SubdocCommand(SD.path_specs(specs, lookup), lookup)
    except CouchbaseError as exc:
        raise to_4x(exc) from None
    except ValueError as exc:
        raise InvalidArgumentException(message=str(exc)) from None


class SubdocOperations4x:
    """``lookup_in`` / ``mutate_in`` / ``lookup_in_any_replica`` / ``lookup_in_all_replicas``."""

    _run: Callable[[Operation], Any]
    _mutation: Callable[..., Any]
    _cid_flow: Callable[[], Flow]
    _parent: Any
    _drive: Callable[[Flow], Any]

    def _lookup_op(self, key: Any, spec: Any, options: dict[str, Any],
                   replica: int = -1) -> Operation:
        specs = _specs(spec)
        command = _command(specs, True)
        flags = _kv4x.subdoc_doc_flags(options)
        if replica >= 0:
            flags |= _REPLICA_READ
        req = command.request(_req_key(key), doc_flags=flags)
        paths = [s[1] for s in specs]
        exists = frozenset(i for i, s in enumerate(specs) if s[0] == Opcode.SUBDOC_EXISTS)
        if replica > 0:
            req = Request(req.opcode, req.key, req.extras, req.value, replica=replica)
        _kv4x.timed(req, options)
        make: Any = LookupInResult if replica < 0 else _replica_result(replica > 0)
        return Operation(key, req, _kv4x.lookup_finish, self, command, paths, exists, make)

    def lookup_in(self, key: str, spec: Any, *opts: Any, **kwargs: Any) -> Any:
        """Read paths of one document atomically: a LookupInResult
        (``content_as[T](index)``, ``exists(index)``). A missing path fails only its
        spec; a missing document raises DocumentNotFoundException."""
        return self._run(self._lookup_op(key, spec, merge(opts, kwargs)))

    def mutate_in(self, key: str, spec: Any, *opts: Any, **kwargs: Any) -> Any:
        """Change paths of one document atomically (all or none): a MutateInResult.
        ``store_semantics`` (StoreSemantics.UPSERT / INSERT creates the document),
        ``cas``, ``expiry``, ``preserve_expiry``, ``durability``, ``access_deleted``."""
        options = merge(opts, kwargs)
        specs = _specs(spec)
        command = _command(specs, False)
        semantics = options.get("store_semantics")
        cas = options.get("cas") or 0
        if semantics is not None and int(semantics) == SD.StoreSemantics.INSERT and cas:
            raise InvalidArgumentException(message="StoreSemantics.INSERT creates the document: "
                                           "it has no CAS to compare")
        ekey = _req_key(key)
        expiry = expiry_seconds(options.get("expiry"))
        try:
            req = command.request(ekey, _kv.check_cas(cas, key), expiry,
                                  _kv4x.subdoc_doc_flags(options, semantics),
                                  options.get("_user_flags"))  # (transactions only)
        except CouchbaseError as exc:
            raise to_4x(exc) from None
        if len(req.value) > MAX_VALUE_SIZE:
            raise ValueTooLargeException(message=f"the specs are {len(req.value)} bytes once "
                                         f"encoded; the server takes at most {MAX_VALUE_SIZE}")
        req.framing, client = _kv4x.frames(options, preserve=True)
        _kv4x.timed(req, options)
        opcode = Opcode.ADD if semantics is not None and int(semantics) == 2 else 0
        op = Operation(key, req, _kv4x.mutate_finish, self, command, [s[1] for s in specs],
                       bool(cas), opcode)
        return self._mutation(op, client)

    def lookup_in_any_replica(self, key: str, spec: Any, *opts: Any, **kwargs: Any) -> Any:
        """``lookup_in`` answered by the active copy or any replica: a
        LookupInReplicaResult (``is_replica``)."""
        return self._drive(self._replica_lookup_flow(key, spec, merge(opts, kwargs),
                                                             True))

    def lookup_in_all_replicas(self, key: str, spec: Any, *opts: Any, **kwargs: Any) -> Any:
        """``lookup_in`` on the active copy and every replica: a list of
        LookupInReplicaResult."""
        return self._drive(self._replica_lookup_flow(key, spec, merge(opts, kwargs),
                                                             False))

    def _replica_lookup_flow(self, key: Any, spec: Any, options: dict[str, Any],
                             first: bool) -> Flow:
        replicas = self._parent._replica_count()
        ops = [_kv4x.capturing(self._lookup_op(key, spec, options, i))
               for i in range(replicas + 1)]
        if not _replica_reads(self._parent._live()):
            raise FeatureUnavailableException(
                message="the server does not support sub-document reads from replicas "
                "(Couchbase Server 7.6+)", context=_kv4x.context(self, key))
        cid = yield from self._cid_flow()
        for op in ops:
            op.req.cid = cid
        answers, _ = yield ops
        found = [a for a in answers if isinstance(a, LookupInResult)]
        if not found:
            cause = next((a for a in answers if isinstance(a, BaseException)), None)
            raise _kv4x.no_copy(key, self, cause, first)  # type: ignore[arg-type]
        return found[0] if first else found


def _replica_reads(live: Any) -> bool:
    """Whether the connections negotiated replica sub-document reads (HELLO
    SUBDOC_REPLICA_READ); true until a connection said otherwise."""
    sessions = [s for s in (getattr(n, "session", None) for n in live.nodes.values())
                if s is not None]
    return not sessions or any(Feature.SUBDOC_REPLICA_READ in s.features for s in sessions)


def _replica_result(is_replica: bool) -> Callable[..., Any]:
    def make(key: Any, cas: int, specs: Any, error_for: Any, exists: Any,
             deleted: bool = False) -> LookupInReplicaResult:
        return LookupInReplicaResult(key, cas, specs, error_for, exists, is_replica)
    return make


def _req_key(key: Any) -> bytes:
    try:
        return _kv.encode_key(key)
    except CouchbaseError as exc:
        raise to_4x(exc) from None


__all__ = ["SubdocOperations4x"]
