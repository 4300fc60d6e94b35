"""The synchronous ``Bucket`` (SDK 2.x names, with the 1.x names as aliases)."""

from __future__ import annotations

import ssl
import time
from typing import TYPE_CHECKING, Any, Callable, Optional

from . import _kv
from ._core.connstr import ConnectionString, parse_connection_string, parse_duration
from ._core.opcode import Opcode
from ._core.packet import Packet
from ._core.request import Request
from ._core.status import Status
from ._durability import (
    DurabilityCheck,
    check_requirements,
    observe_request,
    parse_observe,
)
from ._io.blocking_cluster import BlockingCluster
from ._locking import LOCKMODE_EXC, LOCKMODE_NONE, LOCKMODE_WAIT, make_guard
from ._multi import MultiOperations
from ._pipeline import Pipeline
from .exceptions import (
    ArgumentError,
    CollectionNotFoundError,
    CouchbaseError,
    DurabilityError,
    NotFoundError,
    NotSupportedError,
    ObjectDestroyedError,
    ScopeNotFoundError,
)
from .formats import (
    FMT_AUTO,
    FMT_BYTES,
    FMT_JSON,
    FMT_PICKLE,
    FMT_UTF8,
    decode_value,
    encode_value,
    format_of_flags,
)
from .items import Item
from .result import MultiResult, ObserveInfo, OperationResult, Result, ValueResult
from .transcoder import Transcoder

if TYPE_CHECKING:
    from .collection import Collection, Scope

DEFAULT = "_default"
DEFAULT_TIMEOUT = 2.5
DEFAULT_BOOTSTRAP_TIMEOUT = 5.0
_FORMATS = frozenset((FMT_JSON, FMT_PICKLE, FMT_BYTES, FMT_UTF8, FMT_AUTO, 0x0, 0x1, 0x2, 0x4))


def _parse(connstr: str) -> ConnectionString:
    if not isinstance(connstr, str):
        raise ArgumentError(f"the connection string must be a str, not {type(connstr).__name__}")
    try:
        return parse_connection_string(connstr)
    except ValueError as exc:
        raise ArgumentError(f"bad connection string {connstr!r}: {exc}", inner_cause=exc) from None


def _seconds(options: dict[str, str], name: str, default: float) -> float:
    raw = options.get(name)
    if raw is None:
        return default
    try:
        return parse_duration(raw)
    except ValueError as exc:
        raise ArgumentError(f"bad value for {name}: {raw!r}", inner_cause=exc) from None


class Bucket(MultiOperations):
    """A connection to one bucket of a cluster.

    >>> cb = Bucket("couchbase://127.0.0.1/default")
    >>> cb.upsert("key", {"a": 1})
    OperationResult<RC=0x0, Key=key, CAS=0x...>
    """

    def __init__(
        self,
        connection_string: Optional[str] = None,
        connstr: Optional[str] = None,
        password: Optional[str] = None,
        username: Optional[str] = None,
        quiet: bool = False,
        default_format: int = FMT_JSON,
        lockmode: int = LOCKMODE_WAIT,
        unlock_gil: bool = True,
        timeout: Optional[float] = None,
        transcoder: Any = None,
        data_passthrough: bool = False,
        bootstrap_timeout: Optional[float] = None,
        **kwargs: Any,
    ) -> None:
        text = connection_string or connstr or kwargs.pop("connection_string", None) \
            or "couchbase://localhost/default"
        cs = _parse(text)
        if cs.options.get("network", "default") not in ("default", "external", "auto"):
            raise ArgumentError(f"network must be default, external or auto, "
                                f"not {cs.options['network']!r}")
        bucket = kwargs.pop("bucket", None) or cs.bucket or "default"
        if kwargs:
            raise ArgumentError(f"unknown arguments: {', '.join(sorted(kwargs))}")
        self._connstr = cs
        self._bucket = bucket
        if lockmode not in (LOCKMODE_NONE, LOCKMODE_EXC, LOCKMODE_WAIT):
            raise ArgumentError(f"unknown lockmode {lockmode!r}", objextra=lockmode)
        self._guard = make_guard(lockmode)
        self._cid = 0  # collection id: 0 is the default collection
        self._pipeline: Optional[Pipeline] = None
        self.quiet = bool(quiet)
        self.unlock_gil = unlock_gil
        self.default_format = default_format
        self.transcoder = transcoder
        self.data_passthrough = bool(data_passthrough)
        op_timeout = _seconds(cs.options, "operation_timeout", DEFAULT_TIMEOUT)
        op_timeout = _seconds(cs.options, "kv_timeout", op_timeout)
        if timeout is not None:
            op_timeout = float(timeout)
        boot_timeout = _seconds(cs.options, "config_total_timeout", DEFAULT_BOOTSTRAP_TIMEOUT)
        boot_timeout = _seconds(cs.options, "bootstrap_timeout", boot_timeout)
        boot_timeout = _seconds(cs.options, "connect_timeout", boot_timeout)
        if bootstrap_timeout is not None:
            boot_timeout = float(bootstrap_timeout)
        tls = None
        if cs.tls:
            cafile = cs.options.get("cert_path") or cs.options.get("certpath") or \
                cs.options.get("truststorepath")
            tls = ssl.create_default_context(cafile=cafile)
            if cs.options.get("ssl") == "no_verify" or cs.options.get("tls_verify") == "none":
                tls.check_hostname = False
                tls.verify_mode = ssl.CERT_NONE
        self._cluster: Optional[BlockingCluster] = BlockingCluster(
            cs,
            username if username is not None else bucket,
            password or "",
            bucket,
            op_timeout,
            boot_timeout,
            tls,
        )
        self._cluster.connect()

    # -- properties ----------------------------------------------------------
    @property
    def bucket(self) -> str:
        return self._bucket

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

    @property
    def timeout(self) -> float:
        """The operation timeout in seconds (default 2.5)."""
        return self._live().timeout

    @timeout.setter
    def timeout(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ArgumentError(f"timeout must be a positive number of seconds, not {value!r}")
        self._live().timeout = float(value)

    @property
    def closed(self) -> bool:
        return self._cluster is None

    @property
    def server_nodes(self) -> list[str]:
        return [f"{h}:{p}" for h, p in self._live().router.addresses()]

    def _live(self) -> BlockingCluster:
        cluster = self._cluster
        if cluster is None:
            raise ObjectDestroyedError("this connection is closed")
        return cluster

    def close(self) -> None:
        cluster, self._cluster = self._cluster, None
        if cluster is not None:
            cluster.close()

    def __enter__(self) -> Bucket:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    # -- the one way to the wire -----------------------------------------------
    def _run(self, req: Request, finish: Callable[..., Any], key: Any, *args: Any) -> Any:
        """Execute one request and turn its response into a result (or defer it)."""
        if self._cid:
            req.cid = self._cid
        pipeline = self._pipeline
        if pipeline is not None:
            return pipeline.add(req, finish, key, args)
        with self._guard:
            pkt = self._live().execute(req)
        return finish(key, pkt, *args)

    def _complete(self, entries: list[Any]) -> tuple[list[Result], Optional[CouchbaseError]]:
        """Execute ``(key, request, finish, args, item)`` entries in one pipelined batch.

        Returns every result in order and the first error a non-quiet
        operation raised (results of failed operations carry their ``rc``).
        """
        cid = self._cid
        reqs = []
        for entry in entries:
            req = entry[1]
            if cid:
                req.cid = cid
            reqs.append(req)
        with self._guard:
            packets = self._live().execute_multi(reqs)
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

    def _run_multi(self, entries: list[Any], quiet: bool = False) -> MultiResult:
        pipeline = self._pipeline
        if pipeline is not None:
            return pipeline.add_multi(entries, quiet)
        results, error = self._complete(entries)
        out = MultiResult()
        for entry, result in zip(entries, results):
            out._add(entry[0], result)
        if error is not None:
            error.all_results = out
            raise error
        return out

    def pipeline(self) -> Pipeline:
        """Batch the operations of a ``with`` block into one round of writes.

        >>> with cb.pipeline() as pipe:
        ...     cb.upsert("a", 1)
        ...     cb.get("b")
        >>> pipe.results
        """
        return Pipeline(self)

    def _fmt(self, fmt: Optional[int]) -> int:
        if fmt is None:
            return self._default_format
        if fmt not in _FORMATS and self._transcoder is None:
            # a custom transcoder may define formats of its own (the guide's FMT_ZLIB)
            raise ArgumentError(f"unknown format {fmt!r}", objextra=fmt)
        return fmt

    def _durable(self, result: Any, persist_to: int, replicate_to: int,
                 check_removed: bool = False) -> Any:
        if (persist_to or replicate_to) and self._pipeline is None:
            self.endure(result.key, persist_to, replicate_to, cas=result.cas,
                        check_removed=check_removed)
        return result

    # -- storing -----------------------------------------------------------------
    def upsert(self, key: Any, value: Any, cas: int = 0, ttl: int = 0,
               format: Optional[int] = None, persist_to: int = 0,
               replicate_to: int = 0) -> OperationResult:
        """Store ``value`` under ``key`` whether or not it exists."""
        req = _kv.store_request(Opcode.SET, key, value, cas, ttl, self._fmt(format),
                                self._encode_value)
        return self._durable(self._run(req, _kv.mutation_result, key), persist_to, replicate_to)

    def insert(self, key: Any, value: Any, ttl: int = 0, format: Optional[int] = None,
               persist_to: int = 0, replicate_to: int = 0) -> OperationResult:
        """Store ``value`` only if ``key`` does not exist (else :class:`KeyExistsError`)."""
        req = _kv.store_request(Opcode.ADD, key, value, 0, ttl, self._fmt(format),
                                self._encode_value)
        return self._durable(self._run(req, _kv.mutation_result, key), persist_to, replicate_to)

    def replace(self, key: Any, value: Any, cas: int = 0, ttl: int = 0,
                format: Optional[int] = None, persist_to: int = 0,
                replicate_to: int = 0) -> OperationResult:
        """Store ``value`` only if ``key`` exists (else :class:`NotFoundError`)."""
        req = _kv.store_request(Opcode.REPLACE, key, value, cas, ttl, self._fmt(format),
                                self._encode_value)
        return self._durable(self._run(req, _kv.mutation_result, key), persist_to, replicate_to)

    def append(self, key: Any, value: Any, cas: int = 0, format: Optional[int] = None,
               persist_to: int = 0, replicate_to: int = 0) -> OperationResult:
        """Add ``value`` at the end of a stored FMT_UTF8 or FMT_BYTES value."""
        req = _kv.concat_request(Opcode.APPEND, key, value, cas, format)
        return self._durable(self._run(req, _kv.mutation_result, key), persist_to, replicate_to)

    def prepend(self, key: Any, value: Any, cas: int = 0, format: Optional[int] = None,
                persist_to: int = 0, replicate_to: int = 0) -> OperationResult:
        """Add ``value`` at the start of a stored FMT_UTF8 or FMT_BYTES value."""
        req = _kv.concat_request(Opcode.PREPEND, key, value, cas, format)
        return self._durable(self._run(req, _kv.mutation_result, key), persist_to, replicate_to)

    # -- retrieving --------------------------------------------------------------
    def get(self, key: Any, ttl: int = 0, quiet: Optional[bool] = None,
            replica: bool = False, no_format: bool = False) -> ValueResult:
        """Fetch ``key``; ``ttl`` also touches it, ``replica`` reads from a replica."""
        if quiet is None:
            quiet = self.quiet
        if replica:
            return self.rget(key, quiet=quiet, no_format=no_format)
        return self._run(_kv.get_request(key, ttl), _kv.value_result, key, quiet,
                         no_format or self.data_passthrough, self._decode_value)

    def _replica_indexes(self, key: Any, replica_index: Optional[int]) -> list[int]:
        replicas = self._live().router.replica_count()
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
             quiet: Optional[bool] = None, no_format: bool = False) -> ValueResult:
        """Fetch ``key`` from a replica: the given one, or the first that has it."""
        if quiet is None:
            quiet = self.quiet
        last: Optional[CouchbaseError] = None
        for index in self._replica_indexes(key, replica_index):
            try:
                pkt = self._execute(_kv.get_request(key, replica=index))
                return _kv.value_result(key, pkt, False, no_format or self.data_passthrough,
                                        self._decode_value)
            except CouchbaseError as exc:
                last = exc
        assert last is not None
        if quiet and isinstance(last, NotFoundError):
            return ValueResult(key, last.rc)
        raise last

    def _execute(self, req: Request) -> Packet:
        if self._cid:
            req.cid = self._cid
        with self._guard:
            return self._live().execute(req)

    def lock(self, key: Any, ttl: int = 0) -> ValueResult:
        """Fetch and lock ``key`` for ``ttl`` seconds (0: the server default, 15 s)."""
        return self._run(_kv.lock_request(key, ttl), _kv.value_result, key, False,
                         self.data_passthrough, self._decode_value)

    def unlock(self, key: Any, cas: int) -> OperationResult:
        """Release a lock taken by :meth:`lock`, with the CAS it returned."""
        return self._run(_kv.unlock_request(key, cas), _kv.mutation_result, key)

    def touch(self, key: Any, ttl: int = 0) -> OperationResult:
        """Set a new expiry on ``key`` (0: never expire)."""
        return self._run(_kv.touch_request(key, ttl), _kv.mutation_result, key)

    def exists(self, key: Any) -> bool:
        """True if ``key`` holds a document."""
        return self.get(key, quiet=True, no_format=True).success

    # -- removing ----------------------------------------------------------------
    def remove(self, key: Any, cas: int = 0, quiet: Optional[bool] = None,
               persist_to: int = 0, replicate_to: int = 0) -> OperationResult:
        """Remove ``key`` (only at ``cas`` if given); ``quiet`` ignores a missing key."""
        if quiet is None:
            quiet = self.quiet
        result = self._run(_kv.remove_request(key, cas), _kv.removal_result, key, quiet)
        if result.success:
            self._durable(result, persist_to, replicate_to, check_removed=True)
        return result

    # -- counters ------------------------------------------------------------------
    def counter(self, key: Any, delta: int = 1, initial: Optional[int] = None,
                ttl: int = 0) -> ValueResult:
        """Add ``delta`` (negative to subtract) to a counter, creating it with ``initial``."""
        return self._run(_kv.counter_request(key, delta, initial, ttl), _kv.counter_result, key)

    def incr(self, key: Any, amount: int = 1, initial: Optional[int] = None,
             ttl: int = 0) -> ValueResult:
        """Increment a counter by ``amount`` (1.x name)."""
        return self.counter(key, amount, initial, ttl)

    def decr(self, key: Any, amount: int = 1, initial: Optional[int] = None,
             ttl: int = 0) -> ValueResult:
        """Decrement a counter by ``amount``; it never goes below zero (1.x name)."""
        if isinstance(amount, int) and not isinstance(amount, bool):
            amount = -amount
        return self.counter(key, amount, initial, ttl)

    # -- durability and observation -------------------------------------------------
    def observe(self, key: Any, master_only: bool = False) -> ValueResult:
        """What each node holding ``key`` knows of it: a ValueResult of ObserveInfo."""
        replicas = 0 if master_only else self._live().router.replica_count()
        entries = [
            (key, observe_request(key, i), _observe_finish, (i == 0,), None)
            for i in range(replicas + 1)
        ]
        results, _ = self._complete(entries)
        infos = [r for r in results if isinstance(r, ObserveInfo)]
        if not infos:
            raise results[0] if isinstance(results[0], CouchbaseError) else \
                CouchbaseError.rc_to_exctype(results[0].rc)("observe failed", key=key)
        master = next((i for i in infos if i.from_master), infos[0])
        return ValueResult(key, 0, master.cas, infos, 0)

    def endure(self, key: Any, persist_to: int = -1, replicate_to: int = -1, cas: int = 0,
               check_removed: bool = False, timeout: float = 5.0,
               interval: float = 0.010) -> OperationResult:
        """Wait until ``key`` is persisted/replicated as asked, polling with OBSERVE."""
        replicas = self._live().router.replica_count()
        persist_to, replicate_to = check_requirements(persist_to, replicate_to, replicas)
        check = DurabilityCheck(cas, persist_to, replicate_to, check_removed)
        deadline = time.monotonic() + timeout
        while True:
            check.reset()
            entries = [
                (key, observe_request(key, i), _observe_finish, (i == 0,), None)
                for i in range(replicas + 1)
            ]
            results, _ = self._complete(entries)
            for result in results:
                check.add(result if isinstance(result, ObserveInfo) else None)
            if check.satisfied:
                return OperationResult(key, 0, cas)
            if time.monotonic() + interval > deadline:
                raise DurabilityError(
                    f"durability not reached in {timeout}s: persisted on {check.persisted}/"
                    f"{persist_to}, replicated to {check.replicated}/{replicate_to}", key=key)
            time.sleep(interval)

    # -- statistics ------------------------------------------------------------------
    def stats(self, keys: Any = None) -> dict[str, dict[str, Any]]:
        """Server statistics: ``{stat name: {"host:port": value}}`` over every node."""
        groups = [""] if keys is None else [keys] if isinstance(keys, str) else list(keys)
        out: dict[str, dict[str, Any]] = {}
        with self._guard:
            cluster = self._live()
            for group in groups:
                for (host, port), pairs in cluster.stats(group.encode()).items():
                    server = f"{host}:{port}"
                    for name, value in pairs:
                        out.setdefault(name, {})[server] = _stat_value(value)
        return out

    # -- scopes and collections (3.x) -------------------------------------------------
    def default_collection(self) -> Collection:
        """The default collection: the same documents the Bucket methods reach."""
        return self.collection(DEFAULT, DEFAULT)

    def scope(self, name: str) -> Scope:
        from .collection import Scope

        return Scope(self, name)

    def collection(self, name: str, scope: str = DEFAULT) -> Collection:
        """Collection ``name`` of ``scope``; its key-value methods use the collection id."""
        from .collection import Collection

        cid = 0 if name == DEFAULT and scope == DEFAULT else self._collection_id(scope, name)
        return Collection(self, scope, name, cid)

    def _collection_id(self, scope: str, name: str) -> int:
        path = f"{scope}.{name}"
        req = Request(Opcode.GET_COLLECTION_ID, b"", value=path.encode("utf-8"))
        with self._guard:
            cluster = self._live()
            if not cluster.collections_enabled():
                raise NotSupportedError(
                    "the server does not support collections; only the default one exists")
            pkt = cluster.execute(req)
        if pkt.status == Status.UNKNOWN_SCOPE:
            raise ScopeNotFoundError(f"scope {scope!r} does not exist", server_status=pkt.status)
        if pkt.status == Status.UNKNOWN_COLLECTION:
            raise CollectionNotFoundError(f"collection {path!r} does not exist",
                                          server_status=pkt.status)
        if pkt.status or len(pkt.extras) < 12:
            raise _kv.error_for(path, pkt, f"GET_COLLECTION_ID {path!r} failed")
        return int.from_bytes(pkt.extras[8:12], "big")

    # 1.x names for the same operations
    set = upsert
    add = insert
    delete = remove

    def __repr__(self) -> str:
        return f"<{type(self).__name__} bucket={self._bucket!r} closed={self.closed}>"


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


def _into_item(item: Item, result: Result) -> Item:
    """Write an operation's outcome into the application's item."""
    item.rc = result.rc
    if isinstance(result, OperationResult) and result.cas:
        item.cas = result.cas
    if type(result) is ValueResult and result.rc == 0:  # a retrieval: the item gets the value
        item.value = result.value
        item.flags = result.flags
    return item


__all__ = ["Bucket", "format_of_flags"]
