"""Key-value API semantics shared by every front end (sync, asyncio, Twisted, gevent).

A front end subclasses :class:`BucketBase` and supplies how to wait:

- ``_run(req, finish, key, *args)``: execute one request; hand ``finish(key,
  packet, *args)`` the response (sync: return its result; asyncio: an
  awaitable of it; Twisted: a Deferred).
- ``_run_multi(entries, quiet)``: execute ``(key, request, finish, args,
  item)`` entries in one pipelined batch, giving a MultiResult.
- ``_drive(flow)``: run a multi-step flow, a generator that yields commands
  (a :class:`~couchbase._core.request.Request` -> its response packet, a list
  of entries -> ``(results, first error)``, :class:`Sleep`, :class:`Stats`)
  and returns the operation's result.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Generator, Optional

from . import _kv
from ._core.opcode import Opcode
from ._core.packet import Packet
from ._core.request import Request
from ._core.status import Status
from ._durability import DurabilityCheck, check_requirements, observe_request, parse_observe
from ._multi import MultiOperations
from .exceptions import (
    ArgumentError,
    CollectionNotFoundError,
    CouchbaseError,
    DurabilityError,
    NotFoundError,
    ScopeNotFoundError,
)
from .formats import FMT_AUTO, FMT_BYTES, FMT_JSON, FMT_PICKLE, FMT_UTF8, decode_value, encode_value
from .items import Item
from .n1ql.api import N1QLAPI
from .result import MultiResult, ObserveInfo, OperationResult, Result, ValueResult
from .transcoder import Transcoder
from .views.api import ViewAPI

DEFAULT = "_default"
_FORMATS = frozenset((FMT_JSON, FMT_PICKLE, FMT_BYTES, FMT_UTF8, FMT_AUTO, 0x0, 0x1, 0x2, 0x4))

Flow = Generator[Any, Any, Any]


class Sleep:
    """Flow command: wait ``seconds`` (the front end's way)."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class Stats:
    """Flow command: STAT ``group`` on every node -> ``{(host, port): [(name, value)]}``."""

    __slots__ = ("group",)

    def __init__(self, group: bytes) -> None:
        self.group = group


def check_timeout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ArgumentError(f"timeout must be a positive number of seconds, not {value!r}")
    return float(value)


def finish_entries(
    entries: list[Any], packets: list[Any]
) -> tuple[list[Result], Optional[CouchbaseError]]:
    """Results of a batch, in order, and the first error a non-quiet operation raised.

    ``packets`` holds, per entry, its response or the error that kept it from
    completing. Results of failed operations carry their ``rc``; items get
    their outcome written in.
    """
    results: list[Result] = []
    first: Optional[CouchbaseError] = None
    for (key, _, finish, args, item), pkt in zip(entries, packets):
        if isinstance(pkt, CouchbaseError):
            exc: Optional[CouchbaseError] = pkt
            result: Result = ValueResult(key, pkt.rc)
        else:
            try:
                result = finish(key, pkt, *args)
                exc = None
            except CouchbaseError as err:
                exc = err
                result = err.result if err.result is not None else ValueResult(key, err.rc)
        if exc is not None and first is None:
            first = type(exc)(exc.message, key=key, rc=exc.rc, status=exc.status,
                              server_status=exc.server_status,
                              inner_cause=exc.inner_cause, objextra=exc.objextra)
        if item is not None:
            result = _into_item(item, result)
        results.append(result)
    return results, first


def multi_result(entries: list[Any], results: list[Result],
                 error: Optional[CouchbaseError]) -> MultiResult:
    """Gather a batch's results by key; raise ``error`` carrying them as ``all_results``."""
    out = MultiResult()
    for entry, result in zip(entries, results):
        out._add(entry[0], result)
    if error is not None:
        error.all_results = out
        raise error
    return out


def _into_item(item: Item, result: Result) -> Item:
    """Write an operation's outcome into the application's item."""
    item.rc = result.rc
    if isinstance(result, OperationResult) and result.cas:
        item.cas = result.cas
    if type(result) is ValueResult and result.rc == 0:  # a retrieval: the item gets the value
        item.value = result.value
        item.flags = result.flags
    return item


def _observe_finish(key: Any, pkt: Packet, from_master: bool) -> Result:
    info = parse_observe(key, pkt, from_master)
    if info is None:
        raise _kv.error_for(key, pkt)
    return info


def _stat_value(raw: str) -> Any:
    try:
        return int(raw)
    except ValueError:
        return raw


class BucketBase(MultiOperations, ViewAPI, N1QLAPI):
    """The key-value API of a bucket, independent of how a front end waits."""

    _bucket: str
    _cid: int
    _pipeline: Any
    _run: Callable[..., Any]
    _run_multi: Callable[..., Any]
    _drive: Callable[[Flow], Any]
    _live: Callable[[], Any]  # the front end's cluster object (BlockingCluster, MuxCluster)

    def _init_api(self, bucket: str, quiet: bool, default_format: int, transcoder: Any,
                  data_passthrough: bool) -> None:
        self._bucket = bucket
        self._cid = 0  # collection id: 0 is the default collection
        self._pipeline = None
        self.quiet = bool(quiet)
        self.default_format = default_format
        self.transcoder = transcoder
        self.data_passthrough = bool(data_passthrough)

    # -- properties ----------------------------------------------------------
    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def timeout(self) -> float:
        """The operation timeout in seconds (default 2.5)."""
        return self._live().timeout

    @timeout.setter
    def timeout(self, value: float) -> None:
        self._live().timeout = check_timeout(value)

    @property
    def server_nodes(self) -> list[str]:
        """``host:port`` of every KV node in the cluster map."""
        return [f"{h}:{p}" for h, p in self._live().router.addresses()]

    def _replica_count(self) -> int:
        return self._live().router.replica_count()

    @property
    def default_format(self) -> int:
        return self._default_format

    @default_format.setter
    def default_format(self, fmt: int) -> None:
        if fmt not in _FORMATS:
            raise ArgumentError(f"unknown format {fmt!r}", objextra=fmt)
        self._default_format = fmt

    @property
    def transcoder(self) -> Optional[Transcoder]:
        """The :class:`~couchbase.transcoder.Transcoder` in use (None: the built-in one)."""
        return self._transcoder

    @transcoder.setter
    def transcoder(self, transcoder: Any) -> None:
        if isinstance(transcoder, type):
            transcoder = transcoder()
        if transcoder is None:
            self._encode_value: _kv.Encoder = encode_value
            self._decode_value: _kv.Decoder = decode_value
        elif callable(getattr(transcoder, "encode_value", None)) and \
                callable(getattr(transcoder, "decode_value", None)):
            self._encode_value = transcoder.encode_value
            self._decode_value = transcoder.decode_value
        else:
            raise ArgumentError("a transcoder needs encode_value and decode_value methods",
                                objextra=transcoder)
        self._transcoder = transcoder

    def _fmt(self, fmt: Optional[int]) -> int:
        if fmt is None:
            return self._default_format
        if fmt not in _FORMATS and self._transcoder is None:
            # a custom transcoder may define formats of its own (the guide's FMT_ZLIB)
            raise ArgumentError(f"unknown format {fmt!r}", objextra=fmt)
        return fmt

    def _mutate(self, req: Request, finish: Callable[..., Any], key: Any, args: tuple[Any, ...],
                persist_to: int, replicate_to: int, removed: bool = False) -> Any:
        if (persist_to or replicate_to) and self._pipeline is None:
            return self._drive(self._durable_flow(req, finish, key, args, persist_to,
                                                  replicate_to, removed))
        return self._run(req, finish, key, *args)

    # -- storing -----------------------------------------------------------------
    def upsert(self, key: Any, value: Any, cas: int = 0, ttl: int = 0,
               format: Optional[int] = None, persist_to: int = 0,
               replicate_to: int = 0) -> Any:
        """Store ``value`` under ``key`` whether or not it exists."""
        req = _kv.store_request(Opcode.SET, key, value, cas, ttl, self._fmt(format),
                                self._encode_value)
        return self._mutate(req, _kv.mutation_result, key, (), persist_to, replicate_to)

    def insert(self, key: Any, value: Any, ttl: int = 0, format: Optional[int] = None,
               persist_to: int = 0, replicate_to: int = 0) -> Any:
        """Store ``value`` only if ``key`` does not exist (else :class:`KeyExistsError`)."""
        req = _kv.store_request(Opcode.ADD, key, value, 0, ttl, self._fmt(format),
                                self._encode_value)
        return self._mutate(req, _kv.mutation_result, key, (), persist_to, replicate_to)

    def replace(self, key: Any, value: Any, cas: int = 0, ttl: int = 0,
                format: Optional[int] = None, persist_to: int = 0,
                replicate_to: int = 0) -> Any:
        """Store ``value`` only if ``key`` exists (else :class:`NotFoundError`)."""
        req = _kv.store_request(Opcode.REPLACE, key, value, cas, ttl, self._fmt(format),
                                self._encode_value)
        return self._mutate(req, _kv.mutation_result, key, (), persist_to, replicate_to)

    def append(self, key: Any, value: Any, cas: int = 0, format: Optional[int] = None,
               persist_to: int = 0, replicate_to: int = 0) -> Any:
        """Add ``value`` at the end of a stored FMT_UTF8 or FMT_BYTES value."""
        req = _kv.concat_request(Opcode.APPEND, key, value, cas, format)
        return self._mutate(req, _kv.mutation_result, key, (), persist_to, replicate_to)

    def prepend(self, key: Any, value: Any, cas: int = 0, format: Optional[int] = None,
                persist_to: int = 0, replicate_to: int = 0) -> Any:
        """Add ``value`` at the start of a stored FMT_UTF8 or FMT_BYTES value."""
        req = _kv.concat_request(Opcode.PREPEND, key, value, cas, format)
        return self._mutate(req, _kv.mutation_result, key, (), persist_to, replicate_to)

    # -- retrieving --------------------------------------------------------------
    def get(self, key: Any, ttl: int = 0, quiet: Optional[bool] = None,
            replica: bool = False, no_format: bool = False) -> Any:
        """Fetch ``key``; ``ttl`` also touches it, ``replica`` reads from a replica."""
        if quiet is None:
            quiet = self.quiet
        if replica:
            return self.rget(key, quiet=quiet, no_format=no_format)
        return self._run(_kv.get_request(key, ttl), _kv.value_result, key, quiet,
                         no_format or self.data_passthrough, self._decode_value)

    def _replica_indexes(self, key: Any, replica_index: Optional[int]) -> list[int]:
        replicas = self._replica_count()
        if replica_index is not None:
            if isinstance(replica_index, bool) or not isinstance(replica_index, int) or \
                    not 0 <= replica_index < replicas:
                raise ArgumentError(
                    f"replica_index must be between 0 and {replicas - 1}", key=key)
            return [replica_index + 1]
        if not replicas:
            raise ArgumentError("this bucket has no replicas to read from", key=key)
        return list(range(1, replicas + 1))

    def rget(self, key: Any, replica_index: Optional[int] = None,
             quiet: Optional[bool] = None, no_format: bool = False) -> Any:
        """Fetch ``key`` from a replica: the given one, or the first that has it."""
        if quiet is None:
            quiet = self.quiet
        _kv.encode_key(key)
        indexes = self._replica_indexes(key, replica_index)
        return self._drive(self._rget_flow(key, indexes, quiet,
                                           no_format or self.data_passthrough))

    def _rget_flow(self, key: Any, indexes: list[int], quiet: bool, no_format: bool) -> Flow:
        last: Optional[CouchbaseError] = None
        for index in indexes:
            try:
                pkt = yield _kv.get_request(key, replica=index)
                return _kv.value_result(key, pkt, False, no_format, self._decode_value)
            except CouchbaseError as exc:
                last = exc
        assert last is not None
        if quiet and isinstance(last, NotFoundError):
            return ValueResult(key, last.rc)
        raise last

    def lock(self, key: Any, ttl: int = 0) -> Any:
        """Fetch and lock ``key`` for ``ttl`` seconds (0: the server default, 15 s)."""
        return self._run(_kv.lock_request(key, ttl), _kv.value_result, key, False,
                         self.data_passthrough, self._decode_value)

    def unlock(self, key: Any, cas: int) -> Any:
        """Release a lock taken by :meth:`lock`, with the CAS it returned."""
        return self._run(_kv.unlock_request(key, cas), _kv.mutation_result, key)

    def touch(self, key: Any, ttl: int = 0) -> Any:
        """Set a new expiry on ``key`` (0: never expire)."""
        return self._run(_kv.touch_request(key, ttl), _kv.mutation_result, key)

    def exists(self, key: Any) -> Any:
        """True if ``key`` holds a document."""
        return self._drive(self._exists_flow(_kv.get_request(key)))

    def _exists_flow(self, req: Request) -> Flow:
        pkt = yield req
        if pkt.status and pkt.status != Status.KEY_ENOENT:
            raise _kv.error_for(req.key, pkt)
        return not pkt.status

    # -- removing ----------------------------------------------------------------
    def remove(self, key: Any, cas: int = 0, quiet: Optional[bool] = None,
               persist_to: int = 0, replicate_to: int = 0) -> Any:
        """Remove ``key`` (only at ``cas`` if given); ``quiet`` ignores a missing key."""
        if quiet is None:
            quiet = self.quiet
        return self._mutate(_kv.remove_request(key, cas), _kv.removal_result, key, (quiet,),
                            persist_to, replicate_to, removed=True)

    # -- counters ------------------------------------------------------------------
    def counter(self, key: Any, delta: int = 1, initial: Optional[int] = None,
                ttl: int = 0) -> Any:
        """Add ``delta`` (negative to subtract) to a counter, creating it with ``initial``."""
        return self._run(_kv.counter_request(key, delta, initial, ttl), _kv.counter_result, key)

    def incr(self, key: Any, amount: int = 1, initial: Optional[int] = None,
             ttl: int = 0) -> Any:
        """Increment a counter by ``amount`` (1.x name)."""
        return self.counter(key, amount, initial, ttl)

    def decr(self, key: Any, amount: int = 1, initial: Optional[int] = None,
             ttl: int = 0) -> Any:
        """Decrement a counter by ``amount``; it never goes below zero (1.x name)."""
        if isinstance(amount, int) and not isinstance(amount, bool):
            amount = -amount
        return self.counter(key, amount, initial, ttl)

    # -- durability and observation -------------------------------------------------
    def _observe_entries(self, key: Any, nodes: int) -> list[Any]:
        return [(key, observe_request(key, i), _observe_finish, (i == 0,), None)
                for i in range(nodes)]

    def observe(self, key: Any, master_only: bool = False) -> Any:
        """What each node holding ``key`` knows of it: a ValueResult of ObserveInfo."""
        _kv.encode_key(key)
        return self._drive(self._observe_flow(key, master_only))

    def _observe_flow(self, key: Any, master_only: bool) -> Flow:
        replicas = 0 if master_only else self._replica_count()
        results, error = yield self._observe_entries(key, replicas + 1)
        infos = [r for r in results if isinstance(r, ObserveInfo)]
        if not infos:
            raise error if error is not None else CouchbaseError("observe failed", key=key)
        master = next((i for i in infos if i.from_master), infos[0])
        return ValueResult(key, 0, master.cas, infos, 0)

    def endure(self, key: Any, persist_to: int = -1, replicate_to: int = -1, cas: int = 0,
               check_removed: bool = False, timeout: float = 5.0,
               interval: float = 0.010) -> Any:
        """Wait until ``key`` is persisted/replicated as asked, polling with OBSERVE."""
        _kv.encode_key(key)
        check_requirements(persist_to, replicate_to, self._replica_count())
        return self._drive(self._endure_flow(key, persist_to, replicate_to, cas, check_removed,
                                             timeout, interval))

    def _endure_flow(self, key: Any, persist_to: int, replicate_to: int, cas: int,
                     check_removed: bool, timeout: float, interval: float) -> Flow:
        replicas = self._replica_count()
        persist_to, replicate_to = check_requirements(persist_to, replicate_to, replicas)
        check = DurabilityCheck(cas, persist_to, replicate_to, check_removed)
        deadline = time.monotonic() + timeout
        while True:
            check.reset()
            results, _ = yield self._observe_entries(key, replicas + 1)
            for result in results:
                check.add(result if isinstance(result, ObserveInfo) else None)
            if check.satisfied:
                return OperationResult(key, 0, cas)
            if time.monotonic() + interval > deadline:
                raise DurabilityError(
                    f"durability not reached in {timeout}s: persisted on {check.persisted}/"
                    f"{persist_to}, replicated to {check.replicated}/{replicate_to}", key=key)
            yield Sleep(interval)

    def _durable_flow(self, req: Request, finish: Callable[..., Any], key: Any,
                      args: tuple[Any, ...], persist_to: int, replicate_to: int,
                      removed: bool) -> Flow:
        check_requirements(persist_to, replicate_to, self._replica_count())
        pkt = yield req
        result = finish(key, pkt, *args)
        if result.success:
            yield from self._endure_flow(key, persist_to, replicate_to, result.cas, removed,
                                         5.0, 0.010)
        return result

    # -- statistics ------------------------------------------------------------------
    def stats(self, keys: Any = None) -> Any:
        """Server statistics: ``{stat name: {"host:port": value}}`` over every node."""
        groups = [""] if keys is None else [keys] if isinstance(keys, str) else list(keys)
        return self._drive(self._stats_flow(groups))

    def _stats_flow(self, groups: list[str]) -> Flow:
        out: dict[str, dict[str, Any]] = {}
        for group in groups:
            per_node = yield Stats(group.encode())
            for (host, port), pairs in per_node.items():
                server = f"{host}:{port}"
                for name, value in pairs:
                    out.setdefault(name, {})[server] = _stat_value(value)
        return out

    # -- scopes and collections (3.x) -------------------------------------------------
    def _collection_id_flow(self, scope: str, name: str) -> Flow:
        path = f"{scope}.{name}"
        pkt = yield Request(Opcode.GET_COLLECTION_ID, b"", value=path.encode("utf-8"))
        if pkt.status == Status.UNKNOWN_SCOPE:
            raise ScopeNotFoundError(f"scope {scope!r} does not exist",
                                     server_status=pkt.status)
        if pkt.status == Status.UNKNOWN_COLLECTION:
            raise CollectionNotFoundError(f"collection {path!r} does not exist",
                                          server_status=pkt.status)
        if pkt.status or len(pkt.extras) < 12:
            raise _kv.error_for(path, pkt, f"GET_COLLECTION_ID {path!r} failed")
        return int.from_bytes(pkt.extras[8:12], "big")

    # -- multi flows ------------------------------------------------------------------
    def _durable_multi(self, entries: list[Any], quiet: bool, persist_to: int,
                       replicate_to: int, removed: bool = False) -> Any:
        if (persist_to or replicate_to) and self._pipeline is None:
            check_requirements(persist_to, replicate_to, self._replica_count())
            return self._drive(self._durable_multi_flow(entries, quiet, persist_to,
                                                        replicate_to, removed))
        return self._run_multi(entries, quiet)

    def _durable_multi_flow(self, entries: list[Any], quiet: bool, persist_to: int,
                            replicate_to: int, removed: bool) -> Flow:
        results, error = yield entries
        out = multi_result(entries, results, error)
        for key, result in out.items():
            if result.success:
                yield from self._endure_flow(key, persist_to, replicate_to, result.cas,
                                             removed, 5.0, 0.010)
        return out

    def _each_flow(self, keys: list[tuple[Any, Any]], make: Callable[..., Flow]) -> Flow:
        out = MultiResult()
        for key, arg in keys:
            out._add(key, (yield from make(key, arg)))
        return out

    # 1.x names for the same operations
    set = upsert
    add = insert
    delete = remove
