"""The synchronous ``Bucket`` (SDK 2.x names, with the 1.x names as aliases)."""

from __future__ import annotations

import ssl
from typing import Any, Optional

from . import _kv
from ._core.connstr import ConnectionString, parse_connection_string, parse_duration
from ._core.opcode import Opcode
from ._core.packet import Packet
from ._core.request import Request
from ._io.blocking_cluster import BlockingCluster
from ._locking import LOCKMODE_WAIT, Guard
from .exceptions import ArgumentError, CouchbaseError, NotFoundError, ObjectDestroyedError
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
from .result import OperationResult, ValueResult
from .transcoder import Transcoder

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


class Bucket:
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
        **kwargs: Any,
    ) -> None:
        text = connection_string or connstr or kwargs.pop("connection_string", None) \
            or "couchbase://localhost/default"
        cs = _parse(text)
        bucket = kwargs.pop("bucket", None) or cs.bucket or "default"
        if kwargs:
            raise ArgumentError(f"unknown arguments: {', '.join(sorted(kwargs))}")
        self._connstr = cs
        self._bucket = bucket
        self._guard = Guard(lockmode)
        self.quiet = bool(quiet)
        self.unlock_gil = unlock_gil
        self.default_format = default_format
        self.transcoder = transcoder
        self.data_passthrough = bool(data_passthrough)
        op_timeout = _seconds(cs.options, "operation_timeout", DEFAULT_TIMEOUT)
        if timeout is not None:
            op_timeout = float(timeout)
        boot_timeout = _seconds(cs.options, "config_total_timeout", DEFAULT_BOOTSTRAP_TIMEOUT)
        boot_timeout = _seconds(cs.options, "bootstrap_timeout", boot_timeout)
        tls = None
        if cs.tls:
            tls = ssl.create_default_context(cafile=cs.options.get("certpath"))
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
    def _execute(self, req: Request) -> Packet:
        with self._guard:
            return self._live().execute(req)

    def _fmt(self, fmt: Optional[int]) -> int:
        if fmt is None:
            return self._default_format
        if fmt not in _FORMATS:
            raise ArgumentError(f"unknown format {fmt!r}", objextra=fmt)
        return fmt

    # -- storing -----------------------------------------------------------------
    def upsert(self, key: Any, value: Any, cas: int = 0, ttl: int = 0,
               format: Optional[int] = None, persist_to: int = 0,
               replicate_to: int = 0) -> OperationResult:
        """Store ``value`` under ``key`` whether or not it exists."""
        req = _kv.store_request(Opcode.SET, key, value, cas, ttl, self._fmt(format),
                                  self._encode_value)
        return _kv.mutation_result(key, self._execute(req))

    def insert(self, key: Any, value: Any, ttl: int = 0, format: Optional[int] = None,
               persist_to: int = 0, replicate_to: int = 0) -> OperationResult:
        """Store ``value`` only if ``key`` does not exist (else :class:`KeyExistsError`)."""
        req = _kv.store_request(Opcode.ADD, key, value, 0, ttl, self._fmt(format),
                                  self._encode_value)
        return _kv.mutation_result(key, self._execute(req))

    def replace(self, key: Any, value: Any, cas: int = 0, ttl: int = 0,
                format: Optional[int] = None, persist_to: int = 0,
                replicate_to: int = 0) -> OperationResult:
        """Store ``value`` only if ``key`` exists (else :class:`NotFoundError`)."""
        req = _kv.store_request(Opcode.REPLACE, key, value, cas, ttl, self._fmt(format),
                                  self._encode_value)
        return _kv.mutation_result(key, self._execute(req))

    def append(self, key: Any, value: Any, cas: int = 0, format: Optional[int] = None,
               persist_to: int = 0, replicate_to: int = 0) -> OperationResult:
        req = _kv.concat_request(Opcode.APPEND, key, value, cas, format)
        return _kv.mutation_result(key, self._execute(req))

    def prepend(self, key: Any, value: Any, cas: int = 0, format: Optional[int] = None,
                persist_to: int = 0, replicate_to: int = 0) -> OperationResult:
        req = _kv.concat_request(Opcode.PREPEND, key, value, cas, format)
        return _kv.mutation_result(key, self._execute(req))

    # -- retrieving --------------------------------------------------------------
    def get(self, key: Any, ttl: int = 0, quiet: Optional[bool] = None,
            replica: bool = False, no_format: bool = False) -> ValueResult:
        """Fetch ``key``; ``ttl`` also touches it, ``replica`` reads from a replica."""
        if quiet is None:
            quiet = self.quiet
        if replica:
            return self.rget(key, quiet=quiet, no_format=no_format)
        pkt = self._execute(_kv.get_request(key, ttl))
        return _kv.value_result(key, pkt, quiet, no_format or self.data_passthrough,
                                self._decode_value)

    def rget(self, key: Any, replica_index: Optional[int] = None,
             quiet: Optional[bool] = None, no_format: bool = False) -> ValueResult:
        """Fetch ``key`` from a replica: the given one, or the first that has it."""
        if quiet is None:
            quiet = self.quiet
        replicas = self._live().router.replica_count()
        if replica_index is not None:
            if not isinstance(replica_index, int) or not 0 <= replica_index < replicas:
                raise ArgumentError(
                    f"replica_index must be between 0 and {replicas - 1}", key=key)
            indexes = [replica_index + 1]
        else:
            indexes = list(range(1, replicas + 1))
        if not indexes:
            raise ArgumentError("this bucket has no replicas to read from", key=key)
        last: Optional[CouchbaseError] = None
        for index in indexes:
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

    def lock(self, key: Any, ttl: int = 0) -> ValueResult:
        """Fetch and lock ``key`` for ``ttl`` seconds (0: the server default, 15 s)."""
        pkt = self._execute(_kv.lock_request(key, ttl))
        return _kv.value_result(key, pkt, False, self.data_passthrough, self._decode_value)

    def unlock(self, key: Any, cas: int) -> OperationResult:
        pkt = self._execute(_kv.unlock_request(key, cas))
        return _kv.mutation_result(key, pkt)

    def touch(self, key: Any, ttl: int = 0) -> OperationResult:
        pkt = self._execute(_kv.touch_request(key, ttl))
        return _kv.mutation_result(key, pkt)

    def exists(self, key: Any) -> bool:
        return self.get(key, quiet=True, no_format=True).success

    # -- removing ----------------------------------------------------------------
    def remove(self, key: Any, cas: int = 0, quiet: Optional[bool] = None,
               persist_to: int = 0, replicate_to: int = 0) -> OperationResult:
        if quiet is None:
            quiet = self.quiet
        pkt = self._execute(_kv.remove_request(key, cas))
        return _kv.mutation_result(key, pkt, quiet=quiet and pkt.status == 0x01)

    # -- counters ------------------------------------------------------------------
    def counter(self, key: Any, delta: int = 1, initial: Optional[int] = None,
                ttl: int = 0) -> ValueResult:
        """Add ``delta`` (negative to subtract) to a counter, creating it with ``initial``."""
        pkt = self._execute(_kv.counter_request(key, delta, initial, ttl))
        return _kv.counter_result(key, pkt)

    def incr(self, key: Any, amount: int = 1, initial: Optional[int] = None,
             ttl: int = 0) -> ValueResult:
        return self.counter(key, amount, initial, ttl)

    def decr(self, key: Any, amount: int = 1, initial: Optional[int] = None,
             ttl: int = 0) -> ValueResult:
        if isinstance(amount, int) and not isinstance(amount, bool):
            amount = -amount
        return self.counter(key, amount, initial, ttl)

    # 1.x names for the same operations
    set = upsert
    add = insert
    delete = remove

    def __repr__(self) -> str:
        return f"<{type(self).__name__} bucket={self._bucket!r} closed={self.closed}>"


__all__ = ["Bucket", "format_of_flags"]
