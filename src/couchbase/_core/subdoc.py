"""Sub-document requests and responses (kv_engine ``docs/SubDocument.md``), sans-IO.

A :class:`SubdocCommand` is a list of :class:`PathSpec` (opcode, path, flags,
value bytes), all lookups or all mutations. It makes the
:class:`~couchbase._core.request.Request` and turns the response packet into a
:class:`SubdocReply`: the overall status, the CAS, and per spec a
:class:`Field` (status, value bytes), in the order the specs were given. The
API layers (2.x ``lookup_in``/``mutate_in``, later 3.x ``LookupInSpec``) only
build specs and read replies; every wire fact lives here.

Rules the command follows, so its callers need not:

- One spec goes out as its single-path opcode (as libcouchbase did); several
  as MULTI_LOOKUP / MULTI_MUTATION. Whole-document specs (opcodes GET, SET,
  DELETE with an empty path) exist only in the multi forms.
- The server wants extended-attribute specs before body specs
  (SUBDOC_INVALID_XATTR_ORDER otherwise): they are sent first and the answers
  mapped back to the caller's order.
- A single-path command that fails on its path answers with that path's
  status in the header; the reply reports it as a multi-path failure of its one
  spec, so a caller reads one shape whatever went on the wire.
"""

from __future__ import annotations

import struct
from typing import Optional, Sequence

from .errors import RemoteProtocolError
from .opcode import Opcode
from .packet import Packet
from .request import Request
from .status import Status

MAX_SPECS = 16
"""Paths in one multi-path command (the server's SUBDOC_MULTI_MAX_PATHS)."""

MAX_PATH_LENGTH = 1024
"""Bytes in one path (the server's SUBDOC_MAX_PATH_LENGTH)."""


class PathFlag:
    """Per-spec flags."""

    MKDIR_P = 0x01  # create missing parents (mutations)
    XATTR = 0x04  # the path names an extended attribute
    EXPAND_MACROS = 0x10  # expand ${Mutation.CAS} and friends (xattrs only)


class DocFlag:
    """Flags for the document as a whole (an optional extras byte)."""

    MKDOC = 0x01  # create the document if missing (upsert semantics)
    ADD = 0x02  # create the document; fail if it exists (insert semantics)
    ACCESS_DELETED = 0x04  # reach the xattrs of a deleted document
    CREATE_AS_DELETED = 0x08
    REVIVE = 0x10


LOOKUP_OPCODES = frozenset((Opcode.GET, Opcode.SUBDOC_GET, Opcode.SUBDOC_EXISTS,
                            Opcode.SUBDOC_GET_COUNT))
MUTATION_OPCODES = frozenset((
    Opcode.SET, Opcode.DELETE, Opcode.SUBDOC_DICT_ADD, Opcode.SUBDOC_DICT_UPSERT,
    Opcode.SUBDOC_DELETE, Opcode.SUBDOC_REPLACE, Opcode.SUBDOC_ARRAY_PUSH_LAST,
    Opcode.SUBDOC_ARRAY_PUSH_FIRST, Opcode.SUBDOC_ARRAY_INSERT,
    Opcode.SUBDOC_ARRAY_ADD_UNIQUE, Opcode.SUBDOC_COUNTER,
    Opcode.SUBDOC_REPLACE_BODY_WITH_XATTR,  # (transactions: commit a staged body)
))
WHOLE_DOCUMENT_OPCODES = frozenset((Opcode.GET, Opcode.SET, Opcode.DELETE))
EMPTY_PATH_OPCODES = WHOLE_DOCUMENT_OPCODES | {
    # these address the root itself: the document is the array, or what is counted
    Opcode.SUBDOC_ARRAY_PUSH_LAST, Opcode.SUBDOC_ARRAY_PUSH_FIRST,
    Opcode.SUBDOC_ARRAY_ADD_UNIQUE, Opcode.SUBDOC_GET_COUNT,
}
NO_VALUE_OPCODES = LOOKUP_OPCODES | {Opcode.SUBDOC_DELETE, Opcode.DELETE}

# Statuses a single-path command answers for its path (the document was read).
PATH_STATUSES = frozenset(range(Status.SUBDOC_PATH_ENOENT, Status.SUBDOC_VALUE_ETOODEEP + 1)) \
    | {Status.SUBDOC_XATTR_UNKNOWN_MACRO, Status.SUBDOC_XATTR_UNKNOWN_VATTR,
       Status.SUBDOC_XATTR_CANT_MODIFY_VATTR}
# Header statuses that mean "the document was accessed; read the fields".
ACCESSED = frozenset((Status.SUCCESS, Status.SUBDOC_SUCCESS_DELETED,
                      Status.SUBDOC_MULTI_PATH_FAILURE,
                      Status.SUBDOC_MULTI_PATH_FAILURE_DELETED))
_DELETED = frozenset((Status.SUBDOC_SUCCESS_DELETED, Status.SUBDOC_MULTI_PATH_FAILURE_DELETED))

_SINGLE_EXTRAS = struct.Struct(">HB")
_U32 = struct.Struct(">I")
_LOOKUP_SPEC = struct.Struct(">BBH")
_MUTATION_SPEC = struct.Struct(">BBHI")
_LOOKUP_FIELD = struct.Struct(">HI")
_MUTATION_FIELD = struct.Struct(">BH")


class PathSpec:
    """One operation of a command: ``opcode`` (an :class:`Opcode`), ``path`` (UTF-8),
    ``flags`` (:class:`PathFlag` bits) and ``value`` (JSON text, for mutations)."""

    __slots__ = ("opcode", "path", "flags", "value")

    def __init__(self, opcode: int, path: bytes, flags: int = 0, value: bytes = b"") -> None:
        self.opcode = opcode
        self.path = path
        self.flags = flags
        self.value = value

    @property
    def xattr(self) -> bool:
        return bool(self.flags & PathFlag.XATTR)

    def __repr__(self) -> str:
        return (f"PathSpec(opcode=0x{self.opcode:02x}, path={self.path!r}, "
                f"flags=0x{self.flags:02x}, value={self.value[:32]!r})")


def spec_problem(specs: Sequence[PathSpec], lookup: bool) -> Optional[str]:
    """Why ``specs`` cannot make one command (None if they can): what a client
    checks before sending, so that a bad call fails without a round trip."""
    if not specs:
        return "at least one spec is needed"
    if len(specs) > MAX_SPECS:
        return f"{len(specs)} specs given; a command takes at most {MAX_SPECS}"
    allowed = LOOKUP_OPCODES if lookup else MUTATION_OPCODES
    for index, spec in enumerate(specs):
        if spec.opcode not in allowed:
            kind = "lookup_in" if lookup else "mutate_in"
            return f"spec {index} (opcode 0x{spec.opcode:02x}) is not valid in {kind}"
        if not spec.path and spec.opcode not in EMPTY_PATH_OPCODES:
            return f"spec {index} has an empty path"
        if len(spec.path) > MAX_PATH_LENGTH:
            return f"spec {index}'s path is {len(spec.path)} bytes; at most {MAX_PATH_LENGTH}"
    return None


class Field:
    """One spec's outcome: ``status`` and ``value`` (JSON bytes, empty if none)."""

    __slots__ = ("status", "value")

    def __init__(self, status: int, value: bytes = b"") -> None:
        self.status = status
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Field) and (self.status, self.value) == \
            (other.status, other.value)

    def __repr__(self) -> str:
        return f"Field(status=0x{self.status:02x}, value={self.value[:32]!r})"


class SubdocReply:
    """A decoded response.

    ``status``: SUCCESS, SUBDOC_MULTI_PATH_FAILURE (or their ``_DELETED``
    forms, see ``deleted``) when the document was accessed, else the
    document-level error (KEY_ENOENT, KEY_EEXISTS...) with no fields.
    ``fields``: per spec, in the caller's order; a failed mutation has only
    the failing spec's field (index ``failed``), the others are None.
    """

    __slots__ = ("status", "cas", "fields", "failed", "deleted")

    def __init__(self, status: int, cas: int, fields: list[Optional[Field]],
                 failed: Optional[int] = None) -> None:
        self.status = Status.SUBDOC_MULTI_PATH_FAILURE if status in PATH_STATUSES else status
        self.cas = cas
        self.fields = fields
        self.failed = failed
        self.deleted = status in _DELETED

    @property
    def accessed(self) -> bool:
        """Whether the document was reached (the fields say how each spec went)."""
        return self.status in ACCESSED

    def __repr__(self) -> str:
        return (f"SubdocReply(status=0x{self.status:02x}, cas={self.cas}, "
                f"fields={self.fields!r}, failed={self.failed})")


class SubdocCommand:
    """Specs that go to the server together (see the module docstring)."""

    __slots__ = ("specs", "lookup", "order", "multi")

    def __init__(self, specs: Sequence[PathSpec], lookup: bool) -> None:
        problem = spec_problem(specs, lookup)
        if problem:
            raise ValueError(problem)
        self.specs = list(specs)
        self.lookup = lookup
        # wire position -> caller's index: xattr specs first, otherwise as given
        self.order = sorted(range(len(specs)), key=lambda i: not specs[i].xattr)
        self.multi = len(specs) > 1 or specs[0].opcode in WHOLE_DOCUMENT_OPCODES

    @property
    def opcode(self) -> int:
        if self.multi:
            return Opcode.SUBDOC_MULTI_LOOKUP if self.lookup else Opcode.SUBDOC_MULTI_MUTATION
        return self.specs[0].opcode

    def request(self, key: bytes, cas: int = 0, expiry: int = 0, doc_flags: int = 0,
                user_flags: Optional[int] = None) -> Request:
        """The request for document ``key``; ``cas``/``expiry`` only make sense for mutations.
        ``user_flags``: the document's new flags, after the expiry in a MULTI_MUTATION's
        extras (Server 7.6.2+; transactions set them when they stage or commit a body)."""
        tail = (_U32.pack(expiry) if expiry or user_flags is not None else b"") + \
            (_U32.pack(user_flags) if user_flags is not None else b"") + \
            (bytes((doc_flags,)) if doc_flags else b"")
        if not self.multi:
            spec = self.specs[0]
            extras = _SINGLE_EXTRAS.pack(len(spec.path), spec.flags) + tail
            return Request(spec.opcode, key, extras, spec.path + spec.value, cas)
        parts = []
        for index in self.order:
            spec = self.specs[index]
            if self.lookup:
                parts.append(_LOOKUP_SPEC.pack(spec.opcode, spec.flags, len(spec.path)))
                parts.append(spec.path)
            else:
                parts.append(_MUTATION_SPEC.pack(spec.opcode, spec.flags, len(spec.path),
                                                 len(spec.value)))
                parts.append(spec.path)
                parts.append(spec.value)
        return Request(self.opcode, key, tail, b"".join(parts), cas)

    def decode(self, pkt: Packet) -> SubdocReply:
        """The reply in ``pkt``; RemoteProtocolError if its body does not parse."""
        status = pkt.status
        if status not in ACCESSED:
            if self.multi or status not in PATH_STATUSES:
                return SubdocReply(status, pkt.cas, [])
            # a single path failed: report it as the one failed spec
            return SubdocReply(status, pkt.cas, [Field(status)], None if self.lookup else 0)
        if not self.multi:
            return SubdocReply(status, pkt.cas, [Field(Status.SUCCESS, bytes(pkt.value))])
        if self.lookup:
            return SubdocReply(status, pkt.cas, self._lookup_fields(pkt.value))
        return self._mutation_reply(pkt)

    def _lookup_fields(self, body: bytes) -> list[Optional[Field]]:
        fields: list[Optional[Field]] = [None] * len(self.specs)
        pos = 0
        for index in self.order:
            if pos + 6 > len(body):
                raise RemoteProtocolError(
                    f"MULTI_LOOKUP response has {index} of {len(self.specs)} results")
            field_status, length = _LOOKUP_FIELD.unpack_from(body, pos)
            pos += 6
            if pos + length > len(body):
                raise RemoteProtocolError("MULTI_LOOKUP result runs past the body")
            fields[index] = Field(field_status, bytes(body[pos:pos + length]))
            pos += length
        if pos != len(body):
            raise RemoteProtocolError(f"MULTI_LOOKUP response has {len(body) - pos} extra bytes")
        return fields

    def _mutation_reply(self, pkt: Packet) -> SubdocReply:
        body = pkt.value
        count = len(self.specs)
        failure = pkt.status not in (Status.SUCCESS, Status.SUBDOC_SUCCESS_DELETED)
        fields: list[Optional[Field]] = [None] * count if failure else \
            [Field(Status.SUCCESS) for _ in range(count)]
        failed: Optional[int] = None
        pos = 0
        while pos < len(body):
            if pos + 3 > len(body):
                raise RemoteProtocolError("MULTI_MUTATION result is cut short")
            wire_index, field_status = _MUTATION_FIELD.unpack_from(body, pos)
            pos += 3
            if wire_index >= count:
                raise RemoteProtocolError(
                    f"MULTI_MUTATION result for spec {wire_index} of {count}")
            index = self.order[wire_index]
            if field_status != Status.SUCCESS:
                fields[index] = Field(field_status)
                failed = index
                continue
            if pos + 4 > len(body):
                raise RemoteProtocolError("MULTI_MUTATION result is cut short")
            (length,) = _U32.unpack_from(body, pos)
            pos += 4
            if pos + length > len(body):
                raise RemoteProtocolError("MULTI_MUTATION result runs past the body")
            fields[index] = Field(Status.SUCCESS, bytes(body[pos:pos + length]))
            pos += length
        if failure and failed is None:
            raise RemoteProtocolError("MULTI_MUTATION failed without saying which spec")
        return SubdocReply(pkt.status, pkt.cas, fields, failed)


__all__ = [
    "DocFlag", "EMPTY_PATH_OPCODES", "Field", "LOOKUP_OPCODES", "MAX_PATH_LENGTH", "MAX_SPECS",
    "MUTATION_OPCODES", "PathFlag", "PathSpec", "SubdocCommand", "SubdocReply", "spec_problem",
]
