"""The 4.x result classes (re-exported by :mod:`couchbase.result`).

4.x finish functions (:mod:`couchbase._kv4x`) build them straight from the
response: no 2.x result is made first. A :class:`GetResult` keeps the stored
bytes and flags and decodes them with its transcoder when the value is first
asked for (``content_as[dict]``, ``.value``), so a get that only needs the CAS
decodes nothing, and a document the transcoder cannot read fails where it is
read, as in the official SDK.
"""

from __future__ import annotations

import struct
from datetime import datetime
from typing import Any, Callable, Optional

from .formats import json_loads
from .mutation_state import MutationToken

_UNSET: Any = object()
_TOKEN = struct.Struct(">QQ")  # MUTATION_SEQNO extras: vbucket uuid, sequence number


class ContentProxy:
    """``result.content_as[dict]``: the value converted by the type given
    (``content_as[str]`` is ``str(value)``)."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    def __getitem__(self, type_: Callable[[Any], Any]) -> Any:
        value = self._value
        if type(value) is type_:  # already that type: no copy
            return value
        return type_(value)


class ContentSubdocProxy:
    """``result.content_as[int](index)``: the value of spec ``index``, converted."""

    __slots__ = ("_result",)

    def __init__(self, result: Any) -> None:
        self._result = result

    def __getitem__(self, type_: Callable[[Any], Any]) -> Callable[[int], Any]:
        return lambda index: type_(self._result._value_at(index))


class Result:
    """Base of the 4.x key-value results: ``key`` (also ``id``), ``cas``, ``success``."""

    __slots__ = ("_key", "_cas")

    def __init__(self, key: Any, cas: int) -> None:
        self._key = key
        self._cas = cas

    @property
    def key(self) -> Any:
        return self._key

    @property
    def id(self) -> Any:
        return self._key

    @property
    def cas(self) -> int:
        return self._cas

    @property
    def success(self) -> bool:
        return True

    @property
    def flags(self) -> int:
        return 0

    def _fields(self) -> dict[str, Any]:
        return {"key": self._key, "cas": self._cas}

    def __repr__(self) -> str:
        return f"{type(self).__name__}:{self._fields()!r}"


class GetResult(Result):
    """A document: ``content_as[dict]`` / ``[str]``..., ``value``, ``cas``,
    ``expiry_time`` (a datetime, when asked for ``with_expiry``; None otherwise
    or when the document never expires), ``key``/``id``."""

    __slots__ = ("_raw", "_flags", "_decode", "_value", "_expiry")

    def __init__(self, key: Any, cas: int, raw: Any, flags: int,
                 decode: Optional[Callable[[bytes, int], Any]],
                 expiry: Optional[int] = None) -> None:
        self._key = key
        self._cas = cas
        self._raw = raw
        self._flags = flags
        self._decode = decode  # None: ``raw`` is the value already
        self._value = _UNSET
        self._expiry = expiry

    @property
    def value(self) -> Any:
        value = self._value
        if value is _UNSET:
            decode = self._decode
            value = self._value = self._raw if decode is None else decode(self._raw,
                                                                           self._flags)
        return value

    @property
    def content_as(self) -> ContentProxy:
        return ContentProxy(self.value)

    @property
    def flags(self) -> int:
        return self._flags

    @property
    def expiry_time(self) -> Optional[datetime]:
        expiry = self._expiry
        return datetime.fromtimestamp(expiry) if expiry else None

    @property
    def expiryTime(self) -> Optional[datetime]:  # noqa: N802 - the official deprecated name
        return self.expiry_time

    def _fields(self) -> dict[str, Any]:
        return {"key": self._key, "cas": self._cas, "value": self.value,
                "flags": self._flags, "expiry": self._expiry}


class GetReplicaResult(GetResult):
    """A document read from the active copy or a replica (``is_replica``)."""

    __slots__ = ("_is_replica",)

    def __init__(self, key: Any, cas: int, raw: Any, flags: int,
                 decode: Optional[Callable[[bytes, int], Any]], is_replica: bool) -> None:
        super().__init__(key, cas, raw, flags, decode)
        self._is_replica = is_replica

    @property
    def is_replica(self) -> bool:
        return self._is_replica

    @property
    def is_active(self) -> bool:
        return not self._is_replica


class ExistsResult(Result):
    """``exists``: whether the document exists (``cas`` is its CAS when it does)."""

    __slots__ = ("_exists",)

    def __init__(self, key: Any, cas: int, exists: bool) -> None:
        self._key = key
        self._cas = cas
        self._exists = exists

    @property
    def exists(self) -> bool:
        return self._exists

    def _fields(self) -> dict[str, Any]:
        return {"key": self._key, "cas": self._cas, "exists": self._exists}


class MutationResult(Result):
    """A mutation's outcome: ``cas`` and ``mutation_token()`` (None when the server
    sends none)."""

    __slots__ = ("_token", "_where")

    def __init__(self, key: Any, cas: int, token: Any = None, where: Any = None) -> None:
        self._key = key
        self._cas = cas
        # The token, or (``where`` given: the collection, for its bucket's name) the
        # response it is made from on first use: most applications never read it.
        self._token = token
        self._where = where

    def mutation_token(self) -> Any:
        """The :class:`~couchbase.mutation_state.MutationToken`, or None."""
        where = self._where
        if where is None:
            return self._token
        pkt = self._token
        uuid, seqno = _TOKEN.unpack(pkt.extras)
        token = MutationToken(pkt.vbucket, uuid, seqno, where.bucket_name)
        self._token, self._where = token, None
        return token


class CounterResult(MutationResult):
    """An increment or decrement: ``content`` is the counter's new value."""

    __slots__ = ("_content",)

    def __init__(self, key: Any, cas: int, content: int, token: Any = None) -> None:
        super().__init__(key, cas, token)
        self._content = content

    @property
    def content(self) -> int:
        return self._content

    @property
    def value(self) -> int:
        return self._content

    def _fields(self) -> dict[str, Any]:
        return {"key": self._key, "cas": self._cas, "content": self._content}


class _SubdocFields:
    """Per-spec outcomes (status, raw JSON) of a lookup_in / mutate_in; errors for a
    failed spec come from ``error_for(index)``."""

    __slots__ = ()
    _key: Any
    _specs: list[tuple[int, bytes]]
    _error_for: Callable[[int], BaseException]

    def _value_at(self, index: int) -> Any:
        status, raw = self._spec(index)
        if status:
            raise self._error_for(index)
        return json_loads(raw.decode("utf-8")) if raw else None

    def _spec(self, index: int) -> tuple[int, bytes]:
        if isinstance(index, bool) or not isinstance(index, int) or \
                not 0 <= index < len(self._specs):
            from ._errors4x import InvalidIndexException

            raise InvalidIndexException(message=f"no spec at index {index!r} "
                                        f"({len(self._specs)} specs)")
        return self._specs[index]

    @property
    def content_as(self) -> ContentSubdocProxy:
        return ContentSubdocProxy(self)

    @property
    def value(self) -> list[Any]:
        """Each spec's value (None for a failed or valueless spec)."""
        out = []
        for status, raw in self._specs:
            out.append(json_loads(raw.decode("utf-8")) if raw and not status else None)
        return out


class LookupInResult(_SubdocFields, Result):
    """``content_as[T](index)`` (the value of spec ``index``; its exception if it
    failed) and ``exists(index)``."""

    __slots__ = ("_specs", "_error_for", "_exists_ops", "_deleted")

    def __init__(self, key: Any, cas: int, specs: list[tuple[int, bytes]],
                 error_for: Callable[[int], BaseException], exists_ops: frozenset[int],
                 deleted: bool = False) -> None:
        self._key = key
        self._cas = cas
        self._specs = specs
        self._error_for = error_for
        self._exists_ops = exists_ops  # indexes of exists() specs
        self._deleted = deleted

    def exists(self, index: int) -> bool:
        """Whether the path of spec ``index`` exists."""
        status, raw = self._spec(index)
        if status:
            from ._core.status import Status

            if status == Status.SUBDOC_PATH_ENOENT:
                return False
            raise self._error_for(index)
        return True

    def _value_at(self, index: int) -> Any:
        if index in self._exists_ops:  # an exists spec's value is whether it exists
            return self.exists(index)
        return super()._value_at(index)


class LookupInReplicaResult(LookupInResult):
    """A lookup served by the active copy or a replica (``is_replica``)."""

    __slots__ = ("_is_replica",)

    def __init__(self, key: Any, cas: int, specs: list[tuple[int, bytes]],
                 error_for: Callable[[int], BaseException], exists_ops: frozenset[int],
                 is_replica: bool) -> None:
        super().__init__(key, cas, specs, error_for, exists_ops)
        self._is_replica = is_replica

    @property
    def is_replica(self) -> bool:
        return self._is_replica


class MutateInResult(_SubdocFields, MutationResult):
    """A mutate_in's outcome: ``cas``, ``mutation_token()``, and
    ``content_as[int](index)`` for counter specs."""

    __slots__ = ("_specs", "_error_for")

    def __init__(self, key: Any, cas: int, specs: list[tuple[int, bytes]],
                 error_for: Callable[[int], BaseException], token: Any = None) -> None:
        MutationResult.__init__(self, key, cas, token)
        self._specs = specs
        self._error_for = error_for


# -- *_multi -------------------------------------------------------------------------------
class MultiResult:
    """Results of a ``*_multi`` call: ``results`` ({key: result} of the keys that
    succeeded), ``exceptions`` ({key: exception} of those that failed), ``all_ok``."""

    __slots__ = ("_results", "_exceptions")

    def __init__(self, results: dict[Any, Any], exceptions: dict[Any, BaseException]) -> None:
        self._results = results
        self._exceptions = exceptions

    @property
    def all_ok(self) -> bool:
        return not self._exceptions

    @property
    def results(self) -> dict[Any, Any]:
        return self._results

    @property
    def exceptions(self) -> dict[Any, BaseException]:
        return self._exceptions

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(all_ok={self.all_ok}, results={self._results!r}, "
                f"exceptions={self._exceptions!r})")


class MultiGetResult(MultiResult):
    """{key: :class:`GetResult`}"""


class MultiGetReplicaResult(MultiResult):
    """{key: :class:`GetReplicaResult`} (``get_any_replica_multi``) or
    {key: [GetReplicaResult, ...]} (``get_all_replicas_multi``)."""


class MultiExistsResult(MultiResult):
    """{key: :class:`ExistsResult`}"""


class MultiMutationResult(MultiResult):
    """{key: :class:`MutationResult`}"""


class MultiCounterResult(MultiResult):
    """{key: :class:`CounterResult`}"""


class ScanResult(Result):
    """One document of a range scan: ``id``, ``ids_only``, ``cas``, ``expiry_time``,
    ``content_as`` (not with ``ids_only``)."""

    __slots__ = ("_get", "_ids_only")

    def __init__(self, key: Any, ids_only: bool, get: Optional[GetResult] = None) -> None:
        self._key = key
        self._cas = get.cas if get is not None else 0
        self._get = get
        self._ids_only = ids_only

    @property
    def ids_only(self) -> bool:
        return self._ids_only

    @property
    def expiry_time(self) -> Optional[datetime]:
        return self._get.expiry_time if self._get is not None else None

    @property
    def content_as(self) -> ContentProxy:
        if self._get is None:
            from ._errors4x import InvalidArgumentException

            raise InvalidArgumentException(message="an ids_only scan returns no content")
        return self._get.content_as


__all__ = [
    "ContentProxy", "ContentSubdocProxy", "CounterResult", "ExistsResult", "GetReplicaResult",
    "GetResult", "LookupInReplicaResult", "LookupInResult", "MultiCounterResult",
    "MultiExistsResult", "MultiGetReplicaResult", "MultiGetResult", "MultiMutationResult",
    "MutateInResult", "MutationResult", "ScanResult",
]
