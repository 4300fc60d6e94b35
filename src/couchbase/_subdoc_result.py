"""What a sub-document operation returns (2.x :class:`SubdocResult`) or raises.

:func:`lookup_result` and :func:`mutation_result` are an
:class:`~couchbase._operation.Operation`'s ``finish``: they decode the
response with the command that made the request
(:class:`~couchbase._core.subdoc.SubdocCommand`) and build the result.

As in 2.x: a lookup whose document exists returns a result even when paths
failed (``rc`` is :class:`~couchbase.exceptions.SubdocMultipleErrors`'
code, ``access_ok`` is true, and reading a failed path raises its error); a
mutation that fails on a path raises that path's error
(:class:`~couchbase.exceptions.SubdocPathExistsError`...), with the result in
``exc.result``. A document-level failure raises as ``get``/``replace`` do
(:class:`~couchbase.exceptions.NotFoundError`, ``KeyExistsError`` on a CAS
mismatch).
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

from . import _kv
from ._core.packet import Packet
from ._core.status import Status
from ._core.subdoc import SubdocCommand, SubdocReply
from .exceptions import (
    CouchbaseError,
    SubdocMultipleErrors,
    SubdocPathNotFoundError,
    ValueFormatError,
)
from .formats import json_loads
from .result import OperationResult

# server status -> libcouchbase code (Result.rc, and the exception class)
SUBDOC_STATUS_TO_RC = {
    Status.SUBDOC_PATH_ENOENT: 0x3F,
    Status.SUBDOC_PATH_MISMATCH: 0x40,
    Status.SUBDOC_PATH_EINVAL: 0x41,
    Status.SUBDOC_PATH_E2BIG: 0x42,
    Status.SUBDOC_DOC_E2DEEP: 0x43,
    Status.SUBDOC_VALUE_CANTINSERT: 0x44,
    Status.SUBDOC_DOC_NOTJSON: 0x45,
    Status.SUBDOC_NUM_ERANGE: 0x46,
    Status.SUBDOC_DELTA_EINVAL: 0x47,
    Status.SUBDOC_PATH_EEXISTS: 0x48,
    Status.SUBDOC_MULTI_PATH_FAILURE: 0x49,
    Status.SUBDOC_VALUE_ETOODEEP: 0x4A,
    Status.SUBDOC_INVALID_COMBO: 0x55,
    Status.SUBDOC_MULTI_PATH_FAILURE_DELETED: 0x49,
    Status.SUBDOC_XATTR_INVALID_FLAG_COMBO: 0x58,
    Status.SUBDOC_XATTR_INVALID_KEY_COMBO: 0x59,
    Status.SUBDOC_XATTR_UNKNOWN_MACRO: 0x5A,
    Status.SUBDOC_XATTR_UNKNOWN_VATTR: 0x5B,
    Status.SUBDOC_XATTR_CANT_MODIFY_VATTR: 0x5C,
    Status.SUBDOC_INVALID_XATTR_ORDER: 0x5E,
}
_MULTI_FAILURE = SubdocMultipleErrors.CODE


def rc_of(status: int) -> int:
    return SUBDOC_STATUS_TO_RC.get(status) or _kv.rc_of(status)  # type: ignore[call-overload]


class SubdocResult(OperationResult):
    """The result of ``lookup_in``/``mutate_in``: one entry per spec.

    Read values by position or path (``rv[0]``, ``rv['some.path']``), by
    iteration (``email, name = rv``), or with :meth:`get`, which returns
    ``(rc, value)`` and never raises for a failed path. Indexing and
    iteration raise the failed path's exception. For a mutation, entries hold
    values only where the operation returns one (:func:`~couchbase.subdocument.counter`).
    """

    __slots__ = ("_paths", "_results", "result_count")

    def __init__(self, key: Any, rc: int, cas: int, paths: Sequence[str],
                 results: Sequence[tuple[int, Any]], result_count: int = 0) -> None:
        self.key = key
        self.rc = rc
        self.cas = cas
        self._paths = list(paths)
        self._results = list(results)
        self.result_count = result_count  # how many entries the server answered with

    @property
    def command_count(self) -> int:
        """How many specs the operation had."""
        return len(self._paths)

    @property
    def access_ok(self) -> bool:
        """Whether the document was reached (so each entry says how its path went)."""
        return self.rc in (0, _MULTI_FAILURE)

    def _index(self, path_or_index: Any) -> int:
        if isinstance(path_or_index, int) and not isinstance(path_or_index, bool):
            if not -len(self._results) <= path_or_index < len(self._results):
                raise IndexError(f"this result has {len(self._results)} entries, "
                                 f"not {path_or_index}")
            return path_or_index % len(self._results)
        try:
            return self._paths.index(path_or_index)
        except ValueError:
            raise KeyError(path_or_index) from None

    def get(self, path_or_index: Any, default: Any = None) -> tuple[int, Any]:
        """``(rc, value)`` for one spec; ``(rc, default)`` if it failed.
        IndexError or KeyError if no spec had that index or path."""
        rc, value = self._results[self._index(path_or_index)]
        return rc, default if rc else value

    def __getitem__(self, path_or_index: Any) -> Any:
        index = self._index(path_or_index)
        rc, value = self._results[index]
        if rc:
            raise _path_error(self.key, rc, index, self._paths[index])
        return value

    def __iter__(self) -> Iterator[Any]:
        for index in range(len(self._results)):
            yield self[index]

    def exists(self, path_or_index: Any) -> bool:
        """Whether the path exists: False if its lookup found nothing; its error
        raised if it failed otherwise."""
        index = self._index(path_or_index)
        rc = self._results[index][0]
        if rc and not SubdocPathNotFoundError._can_derive(rc):
            raise _path_error(self.key, rc, index, self._paths[index])
        return not rc

    def __contains__(self, path: Any) -> bool:
        return self.exists(path)

    def __repr__(self) -> str:
        return (f"SubdocResult<RC=0x{self.rc:X}, Key={self.key}, CAS=0x{self.cas:x}, "
                f"specs={self._paths!r}, results={self._results!r}>")

    __str__ = __repr__


def _path_error(key: Any, rc: int, index: int, path: str) -> CouchbaseError:
    cls = CouchbaseError.rc_to_exctype(rc)
    return cls(f"spec {index} (path {path!r}) failed", key=key, rc=rc, objextra=path)


def _decode(key: Any, raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json_loads(raw.decode("utf-8"))
    except Exception as exc:
        raise ValueFormatError(f"the server sent a fragment that is not JSON: {exc}",
                               key=key, inner_cause=exc, objextra=raw) from exc


def _document_error(key: Any, reply: SubdocReply, paths: Sequence[str]) -> CouchbaseError:
    rc = rc_of(reply.status)
    exc = CouchbaseError.rc_to_exctype(rc)(
        f"sub-document operation failed (server status 0x{reply.status:02x})", key=key, rc=rc,
        server_status=reply.status)
    exc.result = SubdocResult(key, rc, 0, paths, [(rc, None)] * len(paths))
    return exc


def lookup_result(key: Any, pkt: Packet, command: SubdocCommand,
                  paths: Sequence[str]) -> SubdocResult:
    """``lookup_in``'s result (see the module docstring)."""
    reply = command.decode(pkt)
    if not reply.accessed:
        raise _document_error(key, reply, paths)
    results = []
    for field in reply.fields:
        assert field is not None  # a lookup answers every spec
        if field.status:
            results.append((rc_of(field.status), None))
        else:
            results.append((0, _decode(key, field.value)))
    rc = _MULTI_FAILURE if any(rc for rc, _ in results) else 0
    return SubdocResult(key, rc, reply.cas, paths, results, len(results))


def mutation_result(key: Any, pkt: Packet, command: SubdocCommand,
                    paths: Sequence[str]) -> SubdocResult:
    """``mutate_in``'s result, or the failed path's exception (module docstring)."""
    reply = command.decode(pkt)
    if not reply.accessed:
        raise _document_error(key, reply, paths)
    if reply.failed is not None:
        failed = reply.fields[reply.failed]
        assert failed is not None
        rc = rc_of(failed.status)
        results: list[tuple[int, Any]] = [(0, None)] * len(paths)
        results[reply.failed] = (rc, None)
        exc = _path_error(key, rc, reply.failed, paths[reply.failed])
        exc.server_status = failed.status
        exc.result = SubdocResult(key, rc, 0, paths, results, 1)
        raise exc
    results = [(0, _decode(key, f.value) if f is not None else None) for f in reply.fields]
    answered = sum(1 for f in reply.fields if f is not None and f.value)
    return SubdocResult(key, 0, reply.cas, paths, results, answered)


__all__ = ["SUBDOC_STATUS_TO_RC", "SubdocResult", "lookup_result", "mutation_result"]
