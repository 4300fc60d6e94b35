"""The 4.x ``Collection`` (and ``Scope``) over the bucket's key-value engine.

A :class:`Collection` holds its bucket and a collection id, nothing else of its
own: it sends through the bucket's hooks (``_run``, ``_drive``), so on asyncio
its methods return awaitables, on Twisted Deferreds, under gevent they block
the greenlet, and a closed bucket's collections fail. Requests are the 2.x
engine's; options, results and exceptions are 4.x (:mod:`couchbase._kv4x`)::

    coll = cluster.bucket("travel-sample").scope("inventory").collection("airline")
    coll.upsert("airline_10", {"name": "40-Mile Air"}, expiry=timedelta(hours=1))
    coll.get("airline_10").content_as[dict]

A named collection's id is looked up on its first operation (as the official
SDK does): a missing collection or scope raises CollectionNotFoundException /
ScopeNotFoundException there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from . import _kv, _kv4x
from ._core.opcode import Opcode
from ._core.request import Request
from ._durability import check_requirements
from ._errors4x import (
    DurabilityImpossibleException,
    FeatureUnavailableException,
    InvalidArgumentException,
    to_4x,
)
from ._kvapi import KeyValueAPI
from ._multi4x import MultiOperations4x
from ._operation import Finish, Operation, failed
from ._subdoc4x import SubdocOperations4x
from .exceptions import ArgumentError, CouchbaseError
from .options import expiry_seconds, merge
from .result import GetResult
from .transcoder import DEFAULT_TRANSCODER, JSONTranscoder

if TYPE_CHECKING:
    from ._bucketbase import BucketBase, Flow
    from ._core.cluster import ClusterBase
    from .binary_collection import BinaryCollection

DEFAULT = "_default"


def _check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name or len(name) > 251:
        raise ArgumentError(f"{what} name must be a non-empty string, not {name!r}")
    return name


class Scope:
    """A scope of a bucket: ``bucket.scope("inventory").collection("airline")``."""

    def __init__(self, bucket: BucketBase, name: str) -> None:
        self._bucket = bucket
        self.name = _check_name(name, "scope")

    @property
    def bucket_name(self) -> str:
        return self._bucket.bucket

    def collection(self, name: str) -> Collection:
        """The collection ``name`` of this scope (its id is looked up on first use)."""
        return Collection(self._bucket, self.name, _check_name(name, "collection"))

    def default_collection(self) -> Collection:
        return Collection(self._bucket, self.name, DEFAULT)

    def __repr__(self) -> str:
        return f"Scope({self._bucket.bucket!r}, {self.name!r})"


class _CollectionKV(KeyValueAPI):
    """The 2.x engine's key-value methods with keys in one collection: what the 4.x
    Collection reuses for client durability (observe polling) and data structures."""

    def __init__(self, bucket: BucketBase, cid: int) -> None:
        self._parent = bucket
        self._opts = bucket._opts
        self._settings = bucket._settings
        self._cid = cid

    def _op(self, key: Any, req: Request, finish: Finish, *args: Any) -> Operation:
        req.cid = self._cid
        return Operation(key, req, finish, *args)

    def _run(self, op: Operation) -> Any:
        return self._parent._run(op)

    def _run_multi(self, ops: list[Operation], quiet: bool) -> Any:
        return self._parent._run_multi(ops, quiet)

    def _drive(self, flow: Flow) -> Any:
        return self._parent._drive(flow)

    def _live(self) -> ClusterBase[Any]:
        return self._parent._live()


class Collection(SubdocOperations4x, MultiOperations4x, _kv4x.Where):
    """A collection of a bucket: the 4.x key-value methods (see the module docstring).

    Every method takes its options object(s) and the same options as keywords
    (keywords win): ``coll.get(key, GetOptions(with_expiry=True))`` is
    ``coll.get(key, with_expiry=True)``.
    """

    def __init__(self, bucket: BucketBase, scope: str = DEFAULT, name: str = DEFAULT,
                 cid: Optional[int] = None) -> None:
        self._parent = bucket  # keeps the bucket, which owns the connections, alive
        self._scope_name = scope
        self._name = name
        self._cid = 0 if scope == DEFAULT and name == DEFAULT else cid
        self._transcoder = transcoder = \
            getattr(bucket, "_default_transcoder", None) or DEFAULT_TRANSCODER
        # What a store with no options gives store_request as encoder(value, format):
        # the built-in JSONTranscoder takes (value, format) itself, ignoring the
        # format (one frame fewer per upsert); any other transcoder gets the value.
        self._encode_default: Callable[[Any, int], Any] = (
            transcoder.encode_value if type(transcoder) is JSONTranscoder
            else lambda value, _fmt: transcoder.encode_value(value))
        self._kv2: Optional[_CollectionKV] = None

    # -- what it is ---------------------------------------------------------------------
    @staticmethod
    def default_name() -> str:
        """The default collection's name, ``"_default"``."""
        return DEFAULT

    @property
    def name(self) -> str:
        return self._name

    @property
    def scope_name(self) -> str:
        return self._scope_name

    @property
    def bucket_name(self) -> str:
        return self._parent.bucket

    @property
    def bucket(self) -> str:
        """The bucket's name (as the 3.0-era collection reported it)."""
        return self._parent.bucket

    @property
    def closed(self) -> bool:
        return self._parent.closed

    def close(self) -> None:
        """Collections own no connections: close the bucket (or cluster) instead."""

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self._parent.bucket!r}, {self._scope_name!r}, "
                f"{self._name!r})")

    # -- running: the bucket's hooks, after the collection id is known ----------------------
    def _run(self, op: Operation) -> Any:
        cid = self._cid
        if cid is None:
            return self._drive(self._one_flow(op))
        op.req.cid = cid
        try:
            return self._parent._run(op)
        except CouchbaseError as exc:  # (refused before sending: a closed bucket)
            raise failed(op, exc) from None

    def _drive(self, flow: Flow) -> Any:
        try:
            return self._parent._drive(flow)
        except CouchbaseError as exc:
            raise to_4x(exc) from None

    def _one_flow(self, op: Operation) -> Flow:
        cid = yield from self._cid_flow()
        op.req.cid = cid
        try:
            return (yield op)
        except CouchbaseError as exc:
            raise failed(op, exc) from None

    def _cid_flow(self) -> Flow:
        """The collection id (looked up once; a flow step)."""
        cid = self._cid
        if cid is not None:
            return cid
        ctx = _kv4x.context(self, None)
        try:
            if not self._parent._live().collections_enabled():
                raise FeatureUnavailableException(
                    message="the server does not support collections", context=ctx)
            path = f"{self._scope_name}.{self._name}"
            cid = yield Operation(path, _kv.collection_id_request(self._scope_name, self._name),
                                  _kv.collection_id_result)
        except CouchbaseError as exc:
            raise to_4x(exc, True, ctx) from None
        self._cid = cid
        return cid

    def _with_client_durability(self, op: Operation, client: Any, removed: bool = False) -> Any:
        return self._drive(self._client_durable_flow(op, client, removed))

    def _client_durable_flow(self, op: Operation, client: Any, removed: bool) -> Flow:
        cid = yield from self._cid_flow()
        op.req.cid = cid
        persist_to, replicate_to = client.observe_counts()
        legacy = self._legacy(cid)
        try:
            check_requirements(persist_to, replicate_to, legacy._replica_count())
        except ArgumentError as exc:
            # As the official SDK 4.x: the mutation is made, the durability is impossible.
            yield op
            raise DurabilityImpossibleException(message=exc.message, key=op.key) from None
        try:
            return (yield from legacy._durable_flow(op, persist_to, replicate_to, removed))
        except CouchbaseError as exc:
            raise failed(op, exc) from None

    def _legacy(self, cid: int) -> _CollectionKV:
        kv = self._kv2
        if kv is None:
            kv = self._kv2 = _CollectionKV(self._parent, cid)
        return kv

    def _mutation(self, op: Operation, client: Any, removed: bool = False) -> Any:
        if client is None:
            return self._run(op)
        return self._with_client_durability(op, client, removed)

    def _decoder(self, opts: dict[str, Any]) -> Callable[[bytes, int], Any]:
        transcoder = opts.get("transcoder")
        return (transcoder or self._transcoder).decode_value

    def _encoder(self, opts: dict[str, Any]) -> Callable[[Any], Any]:
        transcoder = opts.get("transcoder")
        return (transcoder or self._transcoder).encode_value

    # -- operations: one builder per kind, shared by the single and *_multi methods -------------
    def _get_op(self, key: Any, options: dict[str, Any]) -> Operation:
        try:
            req = _kv.get_request(key)
        except CouchbaseError as exc:
            raise to_4x(exc) from None
        transcoder = options.get("transcoder") if options else None
        if options:
            _kv4x.timed(req, options)
        return Operation(key, req, _kv4x.get_finish, self,
                         (transcoder or self._transcoder).decode_value)

    def _exists_op(self, key: Any, options: dict[str, Any]) -> Operation:
        req = _kv4x.timed(_req(_kv4x.meta_request, key), options)
        return Operation(key, req, _kv4x.exists_finish, self)

    def _touch_op(self, key: Any, expiry: Any, options: dict[str, Any]) -> Operation:
        req = _kv4x.timed(_req(_kv.touch_request, key, _kv4x.touch_expiry(expiry)), options)
        return Operation(key, req, _kv4x.mutation_finish, self)

    def _lock_op(self, key: Any, lock_time: Any, options: dict[str, Any]) -> Operation:
        req = _kv4x.timed(_req(_kv.lock_request, key, _lock_seconds(lock_time), False), options)
        return Operation(key, req, _kv4x.get_finish, self, self._decoder(options))

    def _unlock_op(self, key: Any, cas: Any, options: dict[str, Any],
                   finish: Callable[..., Any] = _kv4x.mutation_finish) -> Operation:
        req = _kv4x.timed(_req(_kv.unlock_request, key, cas), options)
        return Operation(key, req, finish, self, Opcode.UNLOCK_KEY, True)

    def _store_op(self, opcode: int, key: Any, value: Any,
                  options: dict[str, Any]) -> tuple[Operation, Any]:
        try:
            req, client = _kv4x.store_request(opcode, key, value, options,
                                              self._encoder(options))
        except CouchbaseError as exc:
            raise to_4x(exc) from None
        _kv4x.timed(req, options)
        op = Operation(key, req, _kv4x.mutation_finish, self, opcode, bool(options.get("cas")))
        return op, client

    def _remove_op(self, key: Any, options: dict[str, Any]) -> tuple[Operation, Any]:
        cas = options.get("cas", 0)
        req = _kv4x.timed(_req(_kv.remove_request, key, cas), options)
        req.framing, client = _kv4x.frames(options)
        return Operation(key, req, _kv4x.mutation_finish, self, Opcode.DELETE, bool(cas)), client

    # -- reading ------------------------------------------------------------------------------
    def get(self, key: str, *opts: Any, **kwargs: Any) -> Any:
        """The document: a :class:`~couchbase.result.GetResult` (``content_as[dict]``,
        ``cas``; ``expiry_time`` with ``with_expiry=True``; ``project=["a.b", ...]``
        fetches only those paths). DocumentNotFoundException if it does not exist."""
        options = merge(opts, kwargs) if opts or kwargs else kwargs
        if options and (options.get("project") or options.get("with_expiry")):
            return self._get_projected(key, options)
        return self._run(self._get_op(key, options))

    def exists(self, key: str, *opts: Any, **kwargs: Any) -> Any:
        """An :class:`~couchbase.result.ExistsResult`: ``exists`` (never raises for a
        missing document)."""
        return self._run(self._exists_op(key, merge(opts, kwargs)))

    def get_and_touch(self, key: str, expiry: Any, *opts: Any, **kwargs: Any) -> Any:
        """The document, setting a new ``expiry`` (timedelta, datetime or seconds)."""
        options = merge(opts, kwargs)
        req = _kv4x.timed(Request(Opcode.GAT, _req(_kv.encode_key, key),
                                  _kv4x._U32.pack(_kv4x.touch_expiry(expiry))), options)
        return self._run(Operation(key, req, _kv4x.get_finish, self, self._decoder(options)))

    def get_and_lock(self, key: str, lock_time: Any, *opts: Any, **kwargs: Any) -> Any:
        """The document, locked for ``lock_time`` (timedelta or seconds, at most 30 s):
        other writers get DocumentLockedException until it is unlocked with the CAS."""
        return self._run(self._lock_op(key, lock_time, merge(opts, kwargs)))

    def unlock(self, key: str, cas: int, *opts: Any, **kwargs: Any) -> Any:
        """Release a lock taken by :meth:`get_and_lock`, with the CAS it returned."""
        return self._run(self._unlock_op(key, cas, merge(opts, kwargs), _kv4x.unlock_finish))

    def touch(self, key: str, expiry: Any, *opts: Any, **kwargs: Any) -> Any:
        """Set a new ``expiry`` on the document: a MutationResult."""
        return self._run(self._touch_op(key, expiry, merge(opts, kwargs)))

    # -- writing ------------------------------------------------------------------------------
    def upsert(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> Any:
        """Store ``value`` whether or not the document exists: a MutationResult
        (``expiry``, ``preserve_expiry``, ``durability``, ``transcoder``, ``timeout``)."""
        if not (opts or kwargs):  # the common case, kept short
            try:
                req = _kv.store_request(_kv.SET, key, value, 0, 0, 0, self._encode_default)
            except CouchbaseError as exc:
                raise to_4x(exc) from None
            return self._run(Operation(key, req, _kv4x.mutation_finish, self))
        return self._mutation(*self._store_op(Opcode.SET, key, value, merge(opts, kwargs)))

    def insert(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> Any:
        """Store ``value`` only if the document does not exist (else
        DocumentExistsException)."""
        return self._mutation(*self._store_op(Opcode.ADD, key, value, merge(opts, kwargs)))

    def replace(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> Any:
        """Store ``value`` only if the document exists (DocumentNotFoundException), and
        with ``cas`` only if unchanged since (CasMismatchException)."""
        return self._mutation(*self._store_op(Opcode.REPLACE, key, value, merge(opts, kwargs)))

    def remove(self, key: str, *opts: Any, **kwargs: Any) -> Any:
        """Remove the document (only at ``cas`` if given): a MutationResult."""
        op, client = self._remove_op(key, merge(opts, kwargs))
        return self._mutation(op, client, removed=True)

    def binary(self) -> BinaryCollection:
        """The binary and counter operations: append, prepend, increment, decrement."""
        from .binary_collection import BinaryCollection

        return BinaryCollection(self)

    # -- replicas -------------------------------------------------------------------------------
    def get_any_replica(self, key: str, *opts: Any, **kwargs: Any) -> Any:
        """The document from the active copy or any replica (the first that answers):
        a GetReplicaResult; DocumentUnretrievableException if none has it."""
        ops = self._replica_ops(key, merge(opts, kwargs))
        return self._drive(self._replicas_flow(key, ops, True))

    def get_all_replicas(self, key: str, *opts: Any, **kwargs: Any) -> Any:
        """The document from the active copy and every replica that has it: a list of
        GetReplicaResult (``is_replica``)."""
        ops = self._replica_ops(key, merge(opts, kwargs))
        return self._drive(self._replicas_flow(key, ops, False))

    def _replica_ops(self, key: Any, options: dict[str, Any]) -> list[Operation]:
        decode = self._decoder(options)
        ekey = _req(_kv.encode_key, key)
        replicas = self._parent._replica_count()
        return [Operation(key, _kv4x.timed(Request(Opcode.GET_REPLICA if i else Opcode.GET, ekey,
                                                   replica=i), options),
                          _kv4x.capture, _kv4x.replica_finish, self, decode, bool(i))
                for i in range(replicas + 1)]

    def _replicas_flow(self, key: Any, ops: list[Operation], first: bool) -> Flow:
        cid = yield from self._cid_flow()
        for op in ops:
            op.req.cid = cid
        results, _ = yield ops
        found = [r for r in results if isinstance(r, GetResult)]
        if not found:
            cause = next((r for r in results if isinstance(r, BaseException)), None)
            raise _kv4x.no_copy(key, self, cause, first)
        return found[0] if first else found

    # -- range scans ----------------------------------------------------------------------------
    def scan(self, scan_type: Any, *opts: Any, **kwargs: Any) -> Any:
        """The documents (or with ``ids_only`` the keys) a
        :class:`~couchbase.kv_range_scan.RangeScan`, ``PrefixScan`` or ``SamplingScan``
        selects, read as they are iterated (ScanOptions: ``ids_only``, ``concurrency``,
        ``batch_item_limit``, ``batch_byte_limit``, ``consistent_with``, ``timeout``,
        ``transcoder``). On Twisted, a Deferred of the list of items."""
        from ._scan4x import scan

        return scan(self, scan_type, merge(opts, kwargs))

    # -- the 4.x projection (get with project / with_expiry) ------------------------------------
    def _get_projected(self, key: Any, options: dict[str, Any]) -> Any:
        from ._projection import projected_get

        return projected_get(self, key, options)

    # -- data structures (the 2.x engine's helpers, on this collection) -------------------------
    def _structures(self) -> Any:
        return self._drive(self._structures_flow())

    def _structures_flow(self) -> Flow:
        return self._legacy((yield from self._cid_flow()))

    def _structure(self, kind: str, key: str) -> Any:
        # the front end's classes: blocking (couchbase.datastructures), or coroutines
        # (acouchbase.datastructures), named by the bucket class
        import importlib

        module = getattr(self._parent, "_structures_module", "couchbase.datastructures")
        return getattr(importlib.import_module(module), kind)(key, self)

    def couchbase_list(self, key: str) -> Any:
        return self._structure("CouchbaseList", key)

    def couchbase_map(self, key: str) -> Any:
        return self._structure("CouchbaseMap", key)

    def couchbase_set(self, key: str) -> Any:
        return self._structure("CouchbaseSet", key)

    def couchbase_queue(self, key: str) -> Any:
        return self._structure("CouchbaseQueue", key)

    def _helper(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run the 2.x data-structure helper ``name`` on this collection."""
        cid = self._cid
        if cid is not None:
            return getattr(self._legacy(cid), name)(*args, **kwargs)
        return self._drive(self._helper_flow(name, args, kwargs))

    def _helper_flow(self, name: str, args: Any, kwargs: Any) -> Flow:
        cid = yield from self._cid_flow()
        return getattr(self._legacy(cid), name)(*args, **kwargs)

    def list_append(self, key: str, value: Any, create: bool = False, **kwargs: Any) -> Any:
        return self._helper("list_append", key, value, create=create, **kwargs)

    def list_prepend(self, key: str, value: Any, create: bool = False, **kwargs: Any) -> Any:
        return self._helper("list_prepend", key, value, create=create, **kwargs)

    def list_set(self, key: str, index: int, value: Any, **kwargs: Any) -> Any:
        return self._helper("list_set", key, index, value, **kwargs)

    def list_get(self, key: str, index: int) -> Any:
        return self._helper("list_get", key, index)

    def list_remove(self, key: str, index: int, **kwargs: Any) -> Any:
        return self._helper("list_remove", key, index, **kwargs)

    def list_size(self, key: str) -> Any:
        return self._helper("list_size", key)

    def map_add(self, key: str, mapkey: str, value: Any, create: bool = False,
                **kwargs: Any) -> Any:
        return self._helper("map_add", key, mapkey, value, create=create, **kwargs)

    def map_get(self, key: str, mapkey: str) -> Any:
        return self._helper("map_get", key, mapkey)

    def map_remove(self, key: str, mapkey: str, **kwargs: Any) -> Any:
        return self._helper("map_remove", key, mapkey, **kwargs)

    def map_size(self, key: str) -> Any:
        return self._helper("map_size", key)

    def set_add(self, key: str, value: Any, create: bool = False, **kwargs: Any) -> Any:
        return self._helper("set_add", key, value, create=create, **kwargs)

    def set_remove(self, key: str, value: Any, **kwargs: Any) -> Any:
        return self._helper("set_remove", key, value, **kwargs)

    def set_contains(self, key: str, value: Any) -> Any:
        return self._helper("set_contains", key, value)

    def set_size(self, key: str) -> Any:
        return self._helper("set_size", key)

    def queue_push(self, key: str, value: Any, create: bool = False, **kwargs: Any) -> Any:
        return self._helper("queue_push", key, value, create=create, **kwargs)

    def queue_pop(self, key: str, **kwargs: Any) -> Any:
        return self._helper("queue_pop", key, **kwargs)

    def queue_size(self, key: str) -> Any:
        return self._helper("queue_size", key)

    # -- management (SDK 4.x) ---------------------------------------------------------------
    def query_indexes(self) -> Any:
        """The :class:`~couchbase.management.queries.CollectionQueryIndexManager` of this
        collection (its calls run on the bucket's connection)."""
        from .management.queries import CollectionQueryIndexManager

        return CollectionQueryIndexManager(self._parent, self._parent.bucket, self._scope_name,
                                           self._name)


def _req(build: Callable[..., Any], *args: Any) -> Any:
    """A 2.x request builder's request, its argument errors as 4.x classes."""
    try:
        return build(*args)
    except CouchbaseError as exc:
        raise to_4x(exc) from None


def _lock_seconds(lock_time: Any) -> int:
    try:
        seconds = expiry_seconds(lock_time)
    except InvalidArgumentException:
        raise
    if not seconds:
        raise InvalidArgumentException(message="get_and_lock needs a lock_time (at most 30 s)")
    return seconds



__all__ = ["Collection", "Scope"]
