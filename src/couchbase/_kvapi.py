"""Key-value API semantics, written once for buckets and collections of every front end.

:class:`KeyValueAPI` turns arguments into :class:`~couchbase._operation.Operation`
objects and multi-step work into flows; it never waits. Its owner says how:
a front end's Bucket supplies the hooks of
:class:`~couchbase._bucketbase.FrontEnd` (``_run``, ``_run_multi``, ``_drive``,
``_live``), and a :class:`~couchbase.collection.Collection` hands them on to
its bucket. Settings (``quiet``, formats, the transcoder...) live in one
:class:`ApiOptions` object that a bucket shares with its collections, so a
change on either is seen by both.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any, Callable, Generator, Optional

from . import _kv
from ._core.commands import EachNode, Sleep
from ._core.compression import check_min_ratio, check_min_size, check_mode
from ._core.opcode import Opcode
from ._core.stats import StatsCollector
from ._core.status import Status
from ._datastructures import DataStructures
from ._durability import (
    DEFAULT_TIMEOUT,
    Durability,
    DurabilityCheck,
    DurabilityContext,
    check_requirements,
    observe_request,
    parse_observe,
)
from ._multi import MultiOperations
from ._operation import Operation, multi_result
from ._settings import Settings
from ._subdoc_ops import SubdocOperations
from .exceptions import (
    ArgumentError,
    CouchbaseError,
    DurabilityError,
    NoMatchingServerError,
    NotFoundError,
)
from .formats import FMT_AUTO, FMT_BYTES, FMT_JSON, FMT_PICKLE, FMT_UTF8, decode_value, encode_value
from .result import MultiResult, ObserveInfo, OperationResult, Result, ValueResult
from .transcoder import Transcoder

_FORMATS = frozenset((FMT_JSON, FMT_PICKLE, FMT_BYTES, FMT_UTF8, FMT_AUTO, 0x0, 0x1, 0x2, 0x4))

Flow = Generator[Any, Any, Any]


class ApiOptions:
    """How values are stored and read, and what a missing key means: shared by a
    bucket and its collections (validated by :class:`KeyValueAPI`'s properties)."""

    __slots__ = ("quiet", "default_format", "transcoder", "data_passthrough",
                 "encode_value", "decode_value", "durability")

    def __init__(self) -> None:
        self.quiet = False
        self.default_format = FMT_JSON
        self.transcoder: Optional[Transcoder] = None
        self.data_passthrough = False
        self.encode_value: _kv.Encoder = encode_value
        self.decode_value: _kv.Decoder = decode_value
        self.durability: Optional[Durability] = None  # set by ``with cb.durability()``


def _checked(check: Callable[[Any], Any], value: Any) -> Any:
    try:
        return check(value)
    except ValueError as exc:
        raise ArgumentError(str(exc), objextra=value) from None


def check_timeout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ArgumentError(f"timeout must be a positive number of seconds, not {value!r}")
    return float(value)


_NO_MATCHING_SERVER = NoMatchingServerError.CODE
_ADD, _REPLACE = int(Opcode.ADD), int(Opcode.REPLACE)  # (plain ints, as _kv.SET)


def _observe_finish(key: Any, pkt: Any, from_master: bool) -> Result:
    info = parse_observe(key, pkt, from_master)
    if info is None:
        raise _kv.error_for(key, pkt)
    return info


def _stat_value(raw: str) -> Any:
    try:
        return int(raw)
    except ValueError:
        return raw


class KeyValueAPI(SubdocOperations, DataStructures, MultiOperations):
    """The key-value methods of a bucket or a collection (see the module docstring)."""

    _opts: ApiOptions
    _settings: Settings
    # the owner's hooks (couchbase._bucketbase.FrontEnd)
    _run: Callable[[Operation], Any]
    _run_multi: Callable[[list[Operation], bool], Any]
    _drive: Callable[[Flow], Any]
    _live: Callable[[], Any]

    # -- options, shared with the bucket ---------------------------------------------
    @property
    def quiet(self) -> bool:
        """Whether a missing key gives a result with ``success`` False instead of raising."""
        return self._opts.quiet

    @quiet.setter
    def quiet(self, value: bool) -> None:
        if value not in (True, False):  # (1 and 0 too, as the bools they equal)
            raise ArgumentError(f"quiet must be True or False, not {value!r}", objextra=value)
        self._opts.quiet = bool(value)

    @property
    def default_format(self) -> int:
        return self._opts.default_format

    @default_format.setter
    def default_format(self, fmt: int) -> None:
        if isinstance(fmt, bool) or fmt not in _FORMATS:
            raise ArgumentError(f"unknown format {fmt!r}", objextra=fmt)
        self._opts.default_format = fmt

    @property
    def data_passthrough(self) -> bool:
        """Whether values are returned as the stored bytes, whatever their flags."""
        return self._opts.data_passthrough

    @data_passthrough.setter
    def data_passthrough(self, value: bool) -> None:
        self._opts.data_passthrough = bool(value)

    @property
    def transcoder(self) -> Optional[Transcoder]:
        """The :class:`~couchbase.transcoder.Transcoder` in use (None: the built-in one)."""
        return self._opts.transcoder

    @transcoder.setter
    def transcoder(self, transcoder: Any) -> None:
        opts = self._opts
        if isinstance(transcoder, type):
            transcoder = transcoder()
        if transcoder is None:
            opts.encode_value, opts.decode_value = encode_value, decode_value
        elif callable(getattr(transcoder, "encode_value", None)) and \
                callable(getattr(transcoder, "decode_value", None)):
            opts.encode_value = transcoder.encode_value
            opts.decode_value = transcoder.decode_value
        else:
            raise ArgumentError("a transcoder needs encode_value and decode_value methods",
                                objextra=transcoder)
        opts.transcoder = transcoder

    @property
    def _encode_value(self) -> _kv.Encoder:
        return self._opts.encode_value

    @property
    def _decode_value(self) -> _kv.Decoder:
        return self._opts.decode_value

    @property
    def timeout(self) -> float:
        """The operation timeout in seconds (default 2.5)."""
        return self._settings.timeout

    @timeout.setter
    def timeout(self, value: float) -> None:
        self._settings.timeout = check_timeout(value)

    # -- Snappy compression (2.x; see couchbase._core.compression) ----------------------
    @property
    def compression(self) -> int:
        """How values travel: ``COMPRESS_NONE``, ``COMPRESS_IN`` (inflate what the
        server sends compressed), ``COMPRESS_OUT`` (compress mutations),
        ``COMPRESS_INOUT``, plus ``COMPRESS_FORCE`` (compress even where HELLO did not
        negotiate Snappy), from :mod:`couchbase._libcouchbase`. Values that arrive
        compressed are always inflated."""
        return self._settings.compression.mode

    @compression.setter
    def compression(self, value: int) -> None:
        self._settings.compression.mode = _checked(check_mode, value)

    @property
    def compression_min_size(self) -> int:
        """Values shorter than this many bytes (default 32) are sent as they are."""
        return self._settings.compression.min_size

    @compression_min_size.setter
    def compression_min_size(self, value: int) -> None:
        self._settings.compression.min_size = _checked(check_min_size, value)

    @property
    def compression_min_ratio(self) -> float:
        """A value is sent compressed only if compressed / original <= this (default 0.83)."""
        return self._settings.compression.min_ratio

    @compression_min_ratio.setter
    def compression_min_ratio(self, value: float) -> None:
        self._settings.compression.min_ratio = _checked(check_min_ratio, value)

    @property
    def server_nodes(self) -> list[str]:
        """``host:port`` of every KV node in the cluster map."""
        return [f"{h}:{p}" for h, p in self._live().router.addresses()]

    def _replica_count(self) -> int:
        return self._live().router.replica_count()

    def _fmt(self, fmt: Optional[int]) -> int:
        if fmt is None:
            return self._opts.default_format
        if fmt not in _FORMATS and self._opts.transcoder is None:
            # a custom transcoder may define formats of its own (the guide's FMT_ZLIB)
            raise ArgumentError(f"unknown format {fmt!r}", objextra=fmt)
        return fmt

    # -- operations ------------------------------------------------------------------
    # _op(key, request, finish, *args): every operation is made here. A bucket's go to
    # the default collection, which is what a request names unless told otherwise
    # (Request.cid 0), so they are plain Operations; a Collection's _op gives each
    # request its collection id.
    _op: Callable[..., Operation] = Operation

    def _mutate(self, op: Operation, persist_to: int, replicate_to: int,
                removed: bool = False) -> Any:
        if not (persist_to or replicate_to):
            durability = self._opts.durability  # (inside ``with cb.durability(...)``)
            if durability is None:
                return self._run(op)
            persist_to, replicate_to = durability.persist_to, durability.replicate_to
        return self._drive(self._durable_flow(op, persist_to, replicate_to, removed))

    def durability(self, persist_to: int = -1, replicate_to: int = -1,
                   timeout: float = 0.0) -> DurabilityContext:
        """A context manager: mutations in its block that name no durability of their
        own wait for ``persist_to`` / ``replicate_to`` (-1: all the bucket has) for up
        to ``timeout`` seconds (0: the default, 5 s)::

            with cb.durability(persist_to=1, replicate_to=1):
                cb.upsert("key", "value")   # returns once on disk and on a replica
        """
        return DurabilityContext(self._opts, Durability(persist_to, replicate_to, timeout))

    def _durability_timeout(self) -> float:
        durability = self._opts.durability
        return durability.timeout if durability is not None else DEFAULT_TIMEOUT

    # -- storing -----------------------------------------------------------------
    def _store(self, opcode: int, key: Any, value: Any, cas: Any, ttl: Any,
               format: Optional[int], persist_to: int, replicate_to: int) -> Any:
        """upsert, insert and replace (SET, ADD, REPLACE): the request, then the
        common case (no durability to wait for) straight to ``_run``; the same as
        ``self._fmt(format)`` and ``self._mutate(op, ...)``, two calls fewer."""
        opts = self._opts
        fmt = opts.default_format if format is None else self._fmt(format)
        op = self._op(key, _kv.store_request(opcode, key, value, cas, ttl, fmt,
                                             opts.encode_value), _kv.mutation_result)
        if not (persist_to or replicate_to or opts.durability is not None):
            return self._run(op)
        return self._mutate(op, persist_to, replicate_to)

    def upsert(self, key: Any, value: Any, cas: int = 0, ttl: int = 0,
               format: Optional[int] = None, persist_to: int = 0,
               replicate_to: int = 0) -> Any:
        """Store ``value`` under ``key`` whether or not it exists."""
        return self._store(_kv.SET, key, value, cas, ttl, format, persist_to, replicate_to)

    def insert(self, key: Any, value: Any, ttl: int = 0, format: Optional[int] = None,
               persist_to: int = 0, replicate_to: int = 0) -> Any:
        """Store ``value`` only if ``key`` does not exist (else :class:`KeyExistsError`)."""
        return self._store(_ADD, key, value, 0, ttl, format, persist_to, replicate_to)

    def replace(self, key: Any, value: Any, cas: int = 0, ttl: int = 0,
                format: Optional[int] = None, persist_to: int = 0,
                replicate_to: int = 0) -> Any:
        """Store ``value`` only if ``key`` exists (else :class:`NotFoundError`)."""
        return self._store(_REPLACE, key, value, cas, ttl, format, persist_to, replicate_to)

    def append(self, key: Any, value: Any, cas: int = 0, format: Optional[int] = None,
               persist_to: int = 0, replicate_to: int = 0) -> Any:
        """Add ``value`` at the end of a stored FMT_UTF8 or FMT_BYTES value."""
        req = _kv.concat_request(Opcode.APPEND, key, value, cas, format)
        return self._mutate(self._op(key, req, _kv.mutation_result), persist_to, replicate_to)

    def prepend(self, key: Any, value: Any, cas: int = 0, format: Optional[int] = None,
                persist_to: int = 0, replicate_to: int = 0) -> Any:
        """Add ``value`` at the start of a stored FMT_UTF8 or FMT_BYTES value."""
        req = _kv.concat_request(Opcode.PREPEND, key, value, cas, format)
        return self._mutate(self._op(key, req, _kv.mutation_result), persist_to, replicate_to)

    # -- retrieving --------------------------------------------------------------
    def get(self, key: Any, ttl: int = 0, quiet: Optional[bool] = None,
            replica: bool = False, no_format: bool = False) -> Any:
        """Fetch ``key``; ``ttl`` also touches it, ``replica`` reads from a replica."""
        opts = self._opts
        if quiet is None:
            quiet = opts.quiet
        if replica:
            return self.rget(key, quiet=quiet, no_format=no_format)
        return self._run(self._op(key, _kv.get_request(key, ttl), _kv.value_result, quiet,
                                  no_format or opts.data_passthrough, opts.decode_value))

    def rget(self, key: Any, replica_index: Optional[int] = None,
             quiet: Optional[bool] = None, no_format: bool = False) -> Any:
        """Fetch ``key`` from a replica: the given one, or the first that has it."""
        if quiet is None:
            quiet = self._opts.quiet
        _kv.encode_key(key)
        return self._drive(self._rget_flow(key, replica_index, quiet,
                                           no_format or self._opts.data_passthrough))

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

    def _rget_flow(self, key: Any, replica_index: Optional[int], quiet: bool,
                   no_format: bool) -> Flow:
        last: Optional[CouchbaseError] = None
        for index in self._replica_indexes(key, replica_index):
            try:
                return (yield self._op(key, _kv.get_request(key, replica=index),
                                       _kv.value_result, False, no_format,
                                       self._opts.decode_value))
            except CouchbaseError as exc:
                last = exc
        assert last is not None
        if quiet and isinstance(last, NotFoundError):
            return ValueResult(key, last.rc)
        raise last

    # 2.x refuses a lock without ttl; the 1.x Connection (0: the server's 15 s) does not
    _lock_ttl_required = True

    def lock(self, key: Any, ttl: int = 0) -> Any:
        """Fetch and lock ``key`` for ``ttl`` seconds (required; at most 30)."""
        opts = self._opts
        req = _kv.lock_request(key, ttl, self._lock_ttl_required)
        return self._run(self._op(key, req, _kv.value_result, False,
                                  opts.data_passthrough, opts.decode_value))

    def unlock(self, key: Any, cas: int) -> Any:
        """Release a lock taken by :meth:`lock`, with the CAS it returned."""
        return self._run(self._op(key, _kv.unlock_request(key, cas), _kv.mutation_result))

    def touch(self, key: Any, ttl: int = 0) -> Any:
        """Set a new expiry on ``key`` (0: never expire)."""
        return self._run(self._op(key, _kv.touch_request(key, ttl), _kv.mutation_result))

    def exists(self, key: Any) -> Any:
        """True if ``key`` holds a document."""
        return self._run(self._op(key, _kv.get_request(key), _kv.exists_result))

    # -- removing ----------------------------------------------------------------
    def remove(self, key: Any, cas: int = 0, quiet: Optional[bool] = None,
               persist_to: int = 0, replicate_to: int = 0) -> Any:
        """Remove ``key`` (only at ``cas`` if given); ``quiet`` ignores a missing key."""
        if quiet is None:
            quiet = self._opts.quiet
        op = self._op(key, _kv.remove_request(key, cas), _kv.removal_result, quiet)
        return self._mutate(op, persist_to, replicate_to, removed=True)

    # -- counters ------------------------------------------------------------------
    def counter(self, key: Any, delta: int = 1, initial: Optional[int] = None,
                ttl: int = 0) -> Any:
        """Add ``delta`` (negative to subtract) to a counter, creating it with ``initial``."""
        return self._run(self._op(key, _kv.counter_request(key, delta, initial, ttl),
                                  _kv.counter_result))

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
    def _observe_ops(self, key: Any, nodes: int) -> list[Operation]:
        return [self._op(key, observe_request(key, i), _observe_finish, i == 0)
                for i in range(nodes)]

    def observe(self, key: Any, master_only: bool = False) -> Any:
        """What each node holding ``key`` knows of it: a ValueResult of ObserveInfo."""
        _kv.encode_key(key)
        return self._drive(self._observe_flow(key, master_only))

    def _observe_flow(self, key: Any, master_only: bool) -> Flow:
        replicas = 0 if master_only else self._replica_count()
        results, error = yield self._observe_ops(key, replicas + 1)
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
            results, _ = yield self._observe_ops(key, replicas + 1)
            for result in results:
                check.add(result if isinstance(result, ObserveInfo) else None)
            if check.satisfied:
                return OperationResult(key, 0, cas)
            # A copy the map places on no node (failed over, not rebalanced yet)
            # will not appear by waiting: say so now, as other SDKs do.
            missing = sum(1 for r in results if getattr(r, "rc", 0) == _NO_MATCHING_SERVER)
            if replicas + 1 - missing < persist_to or replicas - missing < replicate_to:
                raise DurabilityError(
                    f"durability impossible: {missing} of the {replicas} replica(s) of this "
                    f"key's vbucket are on no node (failed over?)", key=key)
            if time.monotonic() + interval > deadline:
                raise DurabilityError(
                    f"durability not reached in {timeout}s: persisted on {check.persisted}/"
                    f"{persist_to}, replicated to {check.replicated}/{replicate_to}", key=key)
            yield Sleep(interval)

    def _durable_flow(self, op: Operation, persist_to: int, replicate_to: int,
                      removed: bool) -> Flow:
        check_requirements(persist_to, replicate_to, self._replica_count())
        result = yield op
        if result.success:
            yield from self._endure_flow(op.key, persist_to, replicate_to, result.cas, removed,
                                         self._durability_timeout(), 0.010)
        return result

    # -- statistics ------------------------------------------------------------------
    def stats(self, keys: Any = None, keystats: bool = False) -> Any:
        """Server statistics: ``{stat name: {"host:port": value}}`` over every node.

        ``keys``: stat groups (``"memory"``...); with ``keystats=True``, document
        keys instead: each one's metadata (``key_cas``, ``key_flags``,
        ``key_exptime``...) from the node holding it (NotFoundError if it is missing).
        """
        names = [""] if keys is None else [keys] if isinstance(keys, (str, bytes)) else \
            list(keys)
        if keystats:
            if keys is None:
                raise ArgumentError("keystats=True needs the document keys in keys")
            return self._drive(self._key_stats_flow(names))
        return self._drive(self._stats_flow([(str(g), False) for g in names]))

    def _key_stats_flow(self, keys: list[Any]) -> Flow:
        router = self._live().router
        groups = []
        for key in keys:
            vb, _ = router.route_index(_kv.encode_key(key))
            raw_key = key.decode("utf-8") if isinstance(key, bytes) else key
            groups.append((f"key {raw_key} {vb}", True))
        return (yield from self._stats_flow(groups))

    def _stats_flow(self, groups: list[tuple[str, bool]]) -> Flow:
        """``(group, on_one_node)``: a document key's group is answered by its node only."""
        out: dict[str, dict[str, Any]] = {}
        for group, on_one_node in groups:
            raw = group.encode()
            per_node = yield EachNode(partial(StatsCollector, raw), tolerant=on_one_node)
            answered = [(a, p) for a, p in per_node.items() if p.error is None]
            if not answered:
                errors = [p.error for p in per_node.values() if p.error is not None]
                owner = [e for e in errors
                         if getattr(e, "server_status", None) != Status.NOT_MY_VBUCKET]
                error = (owner or errors or [None])[0]
                if error is None or getattr(error, "server_status", None) == Status.KEY_ENOENT:
                    raise NotFoundError(f"STAT {group!r}: no such document", inner_cause=error)
                raise error
            for (host, port), probe in answered:
                server = f"{host}:{port}"
                for name, value in probe.pairs:
                    out.setdefault(name, {})[server] = _stat_value(value)
        return out

    # -- multi flows ------------------------------------------------------------------
    def _durable_multi(self, ops: list[Operation], quiet: bool, persist_to: int,
                       replicate_to: int, removed: bool = False) -> Any:
        if not (persist_to or replicate_to):
            durability = self._opts.durability
            if durability is None:
                return self._run_multi(ops, quiet)
            persist_to, replicate_to = durability.persist_to, durability.replicate_to
        return self._drive(self._durable_multi_flow(ops, persist_to, replicate_to, removed))

    def _durable_multi_flow(self, ops: list[Operation], persist_to: int, replicate_to: int,
                            removed: bool) -> Flow:
        check_requirements(persist_to, replicate_to, self._replica_count())
        results, error = yield ops
        out = multi_result(ops, results, error)
        for key, result in out.items():
            if result.success:
                yield from self._endure_flow(key, persist_to, replicate_to, result.cas,
                                             removed, self._durability_timeout(), 0.010)
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


__all__ = ["ApiOptions", "KeyValueAPI", "check_timeout"]
