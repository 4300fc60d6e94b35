"""Sub-document operations (the 2.x ``couchbase.subdocument`` module, known as ``SD``).

Each function here describes one operation on a path inside a JSON document;
:meth:`~couchbase.bucket.Bucket.lookup_in` and
:meth:`~couchbase.bucket.Bucket.mutate_in` run several of them atomically::

    import couchbase.subdocument as SD

    cb.upsert('user', {'name': 'Mark', 'tags': []})
    cb.mutate_in('user', SD.array_addunique('tags', 'dog'), SD.counter('updates', 1))
    rv = cb.lookup_in('user', SD.get('name'), SD.exists('friends.therock'))
    rv[0]              # 'Mark'
    rv.exists(1)       # False

Paths use N1QL syntax: ``a.b``, ``list[0]``, ``list[-1]`` (the last element),
and backticks around names holding ``.`` or ``[]``. Lookups (:func:`get`,
:func:`exists`, :func:`get_count`) are valid only in ``lookup_in``; the others
only in ``mutate_in``. ``xattr=True`` makes a path name an extended attribute
rather than a part of the document body.

A spec is a tuple ``(opcode, path, flags[, value])`` (:class:`Spec`); values
are encoded as JSON when the operation is sent.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag
from typing import Any, Sequence

from ._core.opcode import Opcode
from ._core.subdoc import EMPTY_PATH_OPCODES, PathFlag, PathSpec, spec_problem
from .exceptions import ArgumentError, SubdocEmptyPathError, ValueFormatError
from .formats import json_dumps
from .options import MutateInOptions  # noqa: F401 - the 4.x SDK exports it here too

_NAMES = {
    Opcode.SUBDOC_GET: "GET", Opcode.SUBDOC_EXISTS: "EXISTS",
    Opcode.SUBDOC_GET_COUNT: "GET_COUNT", Opcode.SUBDOC_DICT_ADD: "DICT_ADD",
    Opcode.SUBDOC_DICT_UPSERT: "DICT_UPSERT", Opcode.SUBDOC_REPLACE: "REPLACE",
    Opcode.SUBDOC_DELETE: "REMOVE", Opcode.SUBDOC_ARRAY_PUSH_LAST: "ARRAY_ADD_LAST",
    Opcode.SUBDOC_ARRAY_PUSH_FIRST: "ARRAY_ADD_FIRST",
    Opcode.SUBDOC_ARRAY_INSERT: "ARRAY_INSERT",
    Opcode.SUBDOC_ARRAY_ADD_UNIQUE: "ARRAY_ADD_UNIQUE", Opcode.SUBDOC_COUNTER: "COUNTER",
}
_MAX_DELTA = 0x7FFFFFFFFFFFFFFF


class Spec(tuple):
    """One operation: ``(opcode, path, flags)`` or ``(opcode, path, flags, value)``."""

    def __new__(cls, *args: Any) -> Spec:
        return super().__new__(cls, args)

    def __repr__(self) -> str:
        details = [_NAMES.get(self[0], hex(self[0]))] + [repr(x) for x in self[1:]]
        return f"Spec<{', '.join(details)}>"


class MultiValue(tuple):
    """Several values inserted as one unit by the array operations."""

    def __new__(cls, *args: Any) -> MultiValue:
        return super().__new__(cls, args)

    def __repr__(self) -> str:
        return f"MultiValue({tuple.__repr__(self)})"


def _flags(create_parents: bool = False, xattr: bool = False,
           _expand_macros: bool = False) -> int:
    return (PathFlag.MKDIR_P if create_parents else 0) | (PathFlag.XATTR if xattr else 0) \
        | (PathFlag.EXPAND_MACROS if _expand_macros else 0)


def _macro(value: Any, flags: int) -> tuple[Any, int]:
    """A :class:`MutationMacro` value (4.x): its text, expanded by the server in an xattr."""
    if isinstance(value, MutationMacro):
        return value.value, flags | PathFlag.EXPAND_MACROS | PathFlag.XATTR
    return value, flags


# -- lookups --------------------------------------------------------------------
def get(path: str, xattr: bool = False) -> Spec:
    """Retrieve the value at ``path``. Valid only in ``lookup_in``."""
    return Spec(Opcode.SUBDOC_GET, path, _flags(xattr=xattr))


def exists(path: str, xattr: bool = False) -> Spec:
    """Check that ``path`` exists (like :func:`get`, without the value). ``lookup_in`` only."""
    return Spec(Opcode.SUBDOC_EXISTS, path, _flags(xattr=xattr))


def get_count(path: str, xattr: bool = False) -> Spec:
    """The number of items in the array or dictionary at ``path`` (``''``: the document).
    Valid only in ``lookup_in``."""
    return Spec(Opcode.SUBDOC_GET_COUNT, path, _flags(xattr=xattr))


# -- mutations ------------------------------------------------------------------
def upsert(path: str, value: Any, create_parents: bool = False, xattr: bool = False,
           _expand_macros: bool = False) -> Spec:
    """Create or replace the dictionary entry at ``path``. With ``create_parents``
    missing intermediate dictionaries are created (``{'foo': {}}`` and path
    ``foo.bar.baz`` make ``foo.bar``); without, that fails with
    :exc:`~couchbase.exceptions.SubdocPathNotFoundError`."""
    value, flags = _macro(value, _flags(create_parents, xattr, _expand_macros))
    return Spec(Opcode.SUBDOC_DICT_UPSERT, path, flags, value)


def insert(path: str, value: Any, create_parents: bool = False, xattr: bool = False,
           _expand_macros: bool = False) -> Spec:
    """Create the dictionary entry at ``path``; it must not exist
    (:exc:`~couchbase.exceptions.SubdocPathExistsError`)."""
    value, flags = _macro(value, _flags(create_parents, xattr, _expand_macros))
    return Spec(Opcode.SUBDOC_DICT_ADD, path, flags, value)


def replace(path: str, value: Any, xattr: bool = False, _expand_macros: bool = False) -> Spec:
    """Replace the value at ``path``, which must exist (dictionary entry or array element)."""
    value, flags = _macro(value, _flags(False, xattr, _expand_macros))
    return Spec(Opcode.SUBDOC_REPLACE, path, flags, value)


def remove(path: str, xattr: bool = False) -> Spec:
    """Remove the entry or element at ``path``."""
    return Spec(Opcode.SUBDOC_DELETE, path, _flags(xattr=xattr))


def array_append(path: str, *values: Any, create_parents: bool = False, xattr: bool = False,
                 _expand_macros: bool = False) -> Spec:
    """Add ``values`` at the end of the array at ``path`` (``''``: the document is
    the array). Several values go in as one unit; ``create_parents`` creates
    the array if it does not exist."""
    return Spec(Opcode.SUBDOC_ARRAY_PUSH_LAST, path,
                _flags(create_parents, xattr, _expand_macros), MultiValue(*values))


def array_prepend(path: str, *values: Any, create_parents: bool = False, xattr: bool = False,
                  _expand_macros: bool = False) -> Spec:
    """Add ``values`` at the start of the array at ``path`` (see :func:`array_append`)."""
    return Spec(Opcode.SUBDOC_ARRAY_PUSH_FIRST, path,
                _flags(create_parents, xattr, _expand_macros), MultiValue(*values))


def array_insert(path: str, *values: Any, xattr: bool = False,
                 _expand_macros: bool = False) -> Spec:
    """Insert ``values`` at the position the path ends with (``list[2]``)."""
    return Spec(Opcode.SUBDOC_ARRAY_INSERT, path, _flags(False, xattr, _expand_macros),
                MultiValue(*values))


def array_addunique(path: str, value: Any, create_parents: bool = False, xattr: bool = False,
                    _expand_macros: bool = False) -> Spec:
    """Add ``value`` (a string, number, boolean or None) to the array at ``path``
    unless it is there already
    (:exc:`~couchbase.exceptions.SubdocPathExistsError` then)."""
    return Spec(Opcode.SUBDOC_ARRAY_ADD_UNIQUE, path,
                _flags(create_parents, xattr, _expand_macros), value)


def counter(path: str, delta: int, create_parents: bool = False, xattr: bool = False) -> Spec:
    """Add ``delta`` (a non-zero integer, negative to subtract) to the number at
    ``path``; a missing number starts at 0. The result holds the new value."""
    if isinstance(delta, bool) or not isinstance(delta, int) or not delta \
            or not -_MAX_DELTA <= delta <= _MAX_DELTA:
        raise ArgumentError(f"delta must be a non-zero 64-bit integer, not {delta!r}",
                            objextra=delta)
    return Spec(Opcode.SUBDOC_COUNTER, path, _flags(create_parents, xattr), delta)


# -- the 4.x additions (the functions above serve both generations: same names,
# same arguments, the same specs; 4.x's counter() takes xattr before create_parents
# positionally, so pass them by name) ----------------------------------------------
def count(path: str, xattr: bool = False) -> Spec:
    """The number of items in the array or dictionary at ``path`` (4.x name of
    :func:`get_count`)."""
    return get_count(path, xattr)


def get_full() -> Spec:
    """The whole document (a lookup_in spec)."""
    return Spec(Opcode.GET, "", 0)


def with_expiry() -> Spec:
    """The document's expiry time, as a Unix time (a lookup_in spec)."""
    return Spec(Opcode.SUBDOC_GET, LookupInMacro.expiry_time(), PathFlag.XATTR)


def increment(path: str, delta: int, xattr: bool = False, create_parents: bool = False) -> Spec:
    """Add ``delta`` (positive) to the number at ``path`` (4.x)."""
    if isinstance(delta, bool) or not isinstance(delta, int) or delta <= 0:
        from ._errors4x import InvalidArgumentException

        raise InvalidArgumentException(message=f"delta must be a positive integer, not "
                                       f"{delta!r}")
    return counter(path, delta, create_parents=create_parents, xattr=xattr)


def decrement(path: str, delta: int, xattr: bool = False, create_parents: bool = False) -> Spec:
    """Subtract ``delta`` (positive) from the number at ``path`` (4.x)."""
    if isinstance(delta, bool) or not isinstance(delta, int) or delta <= 0:
        from ._errors4x import InvalidArgumentException

        raise InvalidArgumentException(message=f"delta must be a positive integer, not "
                                       f"{delta!r}")
    return counter(path, -delta, create_parents=create_parents, xattr=xattr)


ArrayValues = MultiValue  # the 4.x name: values the array specs insert as one unit


class PathFlags(IntFlag):
    """A spec's path flags (4.x names, the protocol's bits)."""

    CREATE_PARENTS = PathFlag.MKDIR_P
    XATTR = PathFlag.XATTR
    EXPAND_MACROS = PathFlag.EXPAND_MACROS
    BINARY_VALUE = 0x20


class SubDocOp(IntEnum):
    """The operation of a spec (its first item): the protocol's opcodes."""

    GET_DOC = Opcode.GET
    SET_DOC = Opcode.SET
    REMOVE_DOC = Opcode.DELETE
    GET = Opcode.SUBDOC_GET
    EXISTS = Opcode.SUBDOC_EXISTS
    DICT_ADD = Opcode.SUBDOC_DICT_ADD
    DICT_UPSERT = Opcode.SUBDOC_DICT_UPSERT
    REMOVE = Opcode.SUBDOC_DELETE
    REPLACE = Opcode.SUBDOC_REPLACE
    ARRAY_PUSH_LAST = Opcode.SUBDOC_ARRAY_PUSH_LAST
    ARRAY_PUSH_FIRST = Opcode.SUBDOC_ARRAY_PUSH_FIRST
    ARRAY_INSERT = Opcode.SUBDOC_ARRAY_INSERT
    ARRAY_ADD_UNIQUE = Opcode.SUBDOC_ARRAY_ADD_UNIQUE
    COUNTER = Opcode.SUBDOC_COUNTER
    GET_COUNT = Opcode.SUBDOC_GET_COUNT
    REPLACE_BODY_WITH_XATTR = 0xD3


class SubDocStatus(IntEnum):
    """A path's status in a sub-document response (the protocol's status codes)."""

    PathNotFound = 0xC0
    PathMismatch = 0xC1
    PathInvalid = 0xC2
    PathTooBig = 0xC3
    TooDeep = 0xC4
    ValueCannotInsert = 0xC5
    DocNotJson = 0xC6
    NumRangeError = 0xC7
    DeltaInvalid = 0xC8
    PathExists = 0xC9
    ValueTooDeep = 0xCA


class StoreSemantics(IntEnum):
    """What ``mutate_in`` does with the document itself: ``REPLACE`` (it must exist,
    the default), ``UPSERT`` (create it if missing), ``INSERT`` (create it; fail with
    DocumentExistsException if it exists)."""

    REPLACE = 0
    UPSERT = 1
    INSERT = 2


class LookupInMacro:
    """Virtual xattr paths of a document's metadata: ``get(LookupInMacro.cas(), xattr=True)``."""

    @staticmethod
    def document() -> str:
        return "$document"

    @staticmethod
    def expiry_time() -> str:
        return "$document.exptime"

    @staticmethod
    def cas() -> str:
        return "$document.CAS"

    @staticmethod
    def seq_no() -> str:
        return "$document.seqno"

    @staticmethod
    def last_modified() -> str:
        return "$document.last_modified"

    @staticmethod
    def is_deleted() -> str:
        return "$document.deleted"

    @staticmethod
    def value_size_bytes() -> str:
        return "$document.value_bytes"

    @staticmethod
    def rev_id() -> str:
        return "$document.revid"

    @staticmethod
    def flags() -> str:
        return "$document.flags"

    @staticmethod
    def value_crc32c() -> str:
        return "$document.value_crc32c"


class MutationMacro:
    """Values the server fills in when it applies the mutation, stored in an xattr:
    ``upsert("meta.cas", MutationMacro.cas(), xattr=True)``."""

    def __init__(self, value: str) -> None:
        self._value = value

    @property
    def value(self) -> str:
        return self._value

    @classmethod
    def cas(cls) -> MutationMacro:
        return cls("${Mutation.CAS}")

    @classmethod
    def seq_no(cls) -> MutationMacro:
        return cls("${Mutation.seqno}")

    @classmethod
    def value_crc32c(cls) -> MutationMacro:
        return cls("${Mutation.value_crc32c}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MutationMacro) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return f"MutationMacro({self._value!r})"


def convert_macro_cas_to_cas(cas: str) -> int:
    """The CAS a ``${Mutation.CAS}`` xattr holds (``"0x...``", little-endian hex) as an int."""
    text = cas[2:] if cas.startswith("0x") else cas
    return int.from_bytes(bytes.fromhex(text), "little")


# -- what the API layer sends ----------------------------------------------------
def _encode_value(spec: tuple[Any, ...]) -> bytes:
    value = spec[3]
    if spec[2] & 0x20 and isinstance(value, (bytes, bytearray)):  # PathFlags.BINARY_VALUE
        return bytes(value)
    try:
        if spec[0] == Opcode.SUBDOC_COUNTER:
            return str(value).encode()
        if isinstance(value, MultiValue):
            if not value:
                raise ArgumentError("an array operation needs at least one value")
            return ",".join(json_dumps(v) for v in value).encode("utf-8")
        return json_dumps(value).encode("utf-8")
    except ArgumentError:
        raise
    except Exception as exc:  # (TypeError, ValueError, RecursionError...)
        raise ValueFormatError(f"couldn't encode the value for path {spec[1]!r} as JSON: "
                               f"{exc}", inner_cause=exc, objextra=value) from None


def path_specs(specs: Sequence[Any], lookup: bool) -> list[PathSpec]:
    """The core's specs for ``specs`` (:class:`Spec` tuples) of a ``lookup_in`` or
    ``mutate_in``; argument errors raised before anything is sent."""
    out = []
    for spec in specs:
        if not isinstance(spec, tuple) or len(spec) not in (3, 4) or \
                not isinstance(spec[0], int) or not isinstance(spec[2], int):
            raise ArgumentError(f"not a sub-document spec: {spec!r} (use the functions of "
                                "couchbase.subdocument)", objextra=spec)
        path = spec[1]
        if not isinstance(path, str):
            raise ArgumentError(f"a path must be a str, not {type(path).__name__}",
                                objextra=spec)
        if not path and spec[0] not in EMPTY_PATH_OPCODES:
            raise SubdocEmptyPathError(f"{spec!r} needs a path", objextra=spec)
        try:
            raw_path = path.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ArgumentError(f"the path {path!r} is not valid Unicode", objextra=spec,
                                inner_cause=exc) from None
        out.append(PathSpec(spec[0], raw_path, spec[2],
                            _encode_value(spec) if len(spec) == 4 else b""))
    problem = spec_problem(out, lookup)
    if problem:
        raise ArgumentError(problem)
    return out


__all__ = [
    "ArrayValues", "LookupInMacro", "MultiValue", "MutateInOptions", "MutationMacro",
    "PathFlags", "Spec", "StoreSemantics", "SubDocOp", "SubDocStatus", "array_addunique",
    "array_append", "array_insert", "array_prepend", "convert_macro_cas_to_cas", "count",
    "counter", "decrement", "exists", "get", "get_count", "get_full", "increment", "insert",
    "remove", "replace", "upsert", "with_expiry",
]
