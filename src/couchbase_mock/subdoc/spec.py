"""Sub-document requests decoded and checked, before any document is read.

Layouts (kv_engine ``docs/SubDocument.md``):

- single path: extras ``pathlen:2 pathflags:1 [expiry:4] [docflags:1]``
  (3, 4, 7 or 8 bytes; lookups take no expiry), value ``path`` then the
  operation's value;
- multi path: extras ``[expiry:4] [docflags:1]`` (0, 1, 4 or 5 bytes), value a
  run of specs: lookups ``opcode flags pathlen:2 path``, mutations
  ``opcode flags pathlen:2 valuelen:4 path value``; at most 16.

Everything that can be told from the request alone is checked here and fails
the whole request: a malformed layout is ``EINVAL``, too many specs or an
opcode of the wrong kind ``SUBDOC_INVALID_COMBO``, XATTR specs after body
specs ``SUBDOC_INVALID_XATTR_ORDER``, and the XATTR rules (key syntax, virtual
attributes, macros, one key per request) their ``XATTR`` statuses.
"""

from __future__ import annotations

import struct
from typing import Callable, Optional

from couchbase._core.opcode import Opcode
from couchbase._core.status import Status

from . import operations as ops
from .binary import BINARY_VALUE
from .errors import SubdocError
from .path import MAX_PATH_LENGTH, Component, parse_path
from .xattrs import VIRTUAL, split_key

# Path flags
MKDIR_P = 0x01
XATTR_PATH = 0x04
EXPAND_MACROS = 0x10
# Doc flags
MKDOC = 0x01
ADD = 0x02
ACCESS_DELETED = 0x04
CREATE_AS_DELETED = 0x08
REVIVE_DOCUMENT = 0x10
REPLICA_READ = 0x20  # a lookup a replica vbucket may answer (HELLO SUBDOC_REPLICA_READ)
_DOC_FLAGS = MKDOC | ADD | ACCESS_DELETED | CREATE_AS_DELETED | REVIVE_DOCUMENT | REPLICA_READ

MAX_SPECS = 16

Operation = Callable[..., bytes]


class Traits:
    """What an opcode is: a lookup or a mutation, whether its path may (or
    must) be empty, whether it takes a value, and the function that runs it."""

    __slots__ = ("mutation", "empty_path", "value", "run", "whole_doc")

    def __init__(self, mutation: bool, empty_path: str, value: bool,
                 run: Optional[Operation], whole_doc: bool = False) -> None:
        self.mutation = mutation
        self.empty_path = empty_path  # "never", "allowed" or "required"
        self.value = value
        self.run = run
        self.whole_doc = whole_doc


TRAITS: dict[int, Traits] = {
    Opcode.SUBDOC_GET: Traits(False, "never", False, ops.get),
    Opcode.SUBDOC_EXISTS: Traits(False, "never", False, ops.exists),
    Opcode.SUBDOC_GET_COUNT: Traits(False, "allowed", False, ops.get_count),
    Opcode.SUBDOC_DICT_ADD: Traits(True, "never", True, ops.dict_add),
    Opcode.SUBDOC_DICT_UPSERT: Traits(True, "never", True, ops.dict_upsert),
    Opcode.SUBDOC_DELETE: Traits(True, "never", False, ops.delete),
    Opcode.SUBDOC_REPLACE: Traits(True, "never", True, ops.replace),
    Opcode.SUBDOC_ARRAY_PUSH_LAST: Traits(True, "allowed", True, ops.array_push_last),
    Opcode.SUBDOC_ARRAY_PUSH_FIRST: Traits(True, "allowed", True, ops.array_push_first),
    Opcode.SUBDOC_ARRAY_INSERT: Traits(True, "never", True, ops.array_insert),
    Opcode.SUBDOC_ARRAY_ADD_UNIQUE: Traits(True, "allowed", True, ops.array_add_unique),
    Opcode.SUBDOC_COUNTER: Traits(True, "never", True, ops.counter),
    # Only in MULTI_MUTATION, with XATTR_PATH: the body becomes that XATTR's value.
    Opcode.SUBDOC_REPLACE_BODY_WITH_XATTR: Traits(True, "never", False, None),
}
# Whole-document operations, only inside multi-path requests.
WHOLE_DOC: dict[int, Traits] = {
    Opcode.GET: Traits(False, "required", False, None, whole_doc=True),
    Opcode.SET: Traits(True, "required", True, None, whole_doc=True),
    Opcode.DELETE: Traits(True, "required", False, None, whole_doc=True),
}


class Spec:
    """One path operation of a request."""

    __slots__ = ("opcode", "traits", "flags", "path", "value", "xattr_key", "error")

    def __init__(self, opcode: int, traits: Traits, flags: int, path: list[Component],
                 value: bytes, xattr_key: Optional[str], error: int = 0) -> None:
        self.opcode = opcode
        self.traits = traits
        self.flags = flags
        self.path = path  # for an XATTR spec, starts with the X-Key
        self.value = value
        self.xattr_key = xattr_key
        # A path that does not parse fails its spec only (when it runs).
        self.error = error

    @property
    def mkdir(self) -> bool:
        return bool(self.flags & MKDIR_P)


class Request:
    """A decoded sub-document request."""

    __slots__ = ("specs", "doc_flags", "expiry", "mutation", "user_flags")

    def __init__(self, specs: list[Spec], doc_flags: int, expiry: int, mutation: bool,
                 user_flags: Optional[int] = None) -> None:
        self.specs = specs
        self.doc_flags = doc_flags
        self.expiry = expiry
        self.mutation = mutation
        self.user_flags = user_flags  # the document's new flags, if the request set them


def _spec(opcode: int, traits: Traits, flags: int, raw_path: bytes, value: bytes) -> Spec:
    allowed = (MKDIR_P | XATTR_PATH | EXPAND_MACROS) if traits.mutation else XATTR_PATH
    if flags & ~(allowed | BINARY_VALUE):
        raise SubdocError(Status.EINVAL)
    if flags & (EXPAND_MACROS | BINARY_VALUE) and not flags & XATTR_PATH:
        raise SubdocError(Status.SUBDOC_XATTR_INVALID_FLAG_COMBO)
    if flags & BINARY_VALUE and flags & EXPAND_MACROS:
        raise SubdocError(Status.SUBDOC_XATTR_INVALID_FLAG_COMBO)
    if traits.value != bool(value):
        raise SubdocError(Status.EINVAL)
    if opcode == Opcode.SUBDOC_REPLACE_BODY_WITH_XATTR and not flags & XATTR_PATH:
        raise SubdocError(Status.EINVAL)
    if traits.whole_doc:
        if raw_path or flags & XATTR_PATH:
            raise SubdocError(Status.EINVAL)
        return Spec(opcode, traits, flags, [], value, None)
    if len(raw_path) > MAX_PATH_LENGTH:
        raise SubdocError(Status.SUBDOC_PATH_E2BIG)
    xattr_key = None
    if flags & XATTR_PATH:
        xattr_key, raw_path = split_key(raw_path)
        if xattr_key.startswith("$"):
            if traits.mutation:
                raise SubdocError(Status.SUBDOC_XATTR_CANT_MODIFY_VATTR)
            if xattr_key not in VIRTUAL:
                raise SubdocError(Status.SUBDOC_XATTR_UNKNOWN_VATTR)
    elif not raw_path and traits.empty_path == "never":
        raise SubdocError(Status.EINVAL)
    try:
        path = parse_path(raw_path)
    except SubdocError as exc:
        return Spec(opcode, traits, flags, [], value, xattr_key, exc.status)
    if xattr_key is not None:
        path.insert(0, xattr_key)
    return Spec(opcode, traits, flags, path, value, xattr_key)


def _doc_flags(doc_flags: int, mutation: bool, cas: int) -> None:
    """The doc-flag rules kv_engine checks for single- and multi-path requests alike.
    CREATE_AS_DELETED alone (or with ACCESS_DELETED and a CAS) is a valid multi-path
    mutation: it changes the tombstone that CAS names and leaves it deleted (what a
    transaction sends to re-stage its own insert); only a single-path request needs
    MKDOC or ADD with it (see ``decode_single``)."""
    if doc_flags & ~_DOC_FLAGS:
        raise SubdocError(Status.EINVAL)
    if not mutation and doc_flags & ~(ACCESS_DELETED | REPLICA_READ):
        raise SubdocError(Status.EINVAL)
    if mutation and doc_flags & REPLICA_READ:
        raise SubdocError(Status.EINVAL)
    if doc_flags & MKDOC and doc_flags & ADD:
        raise SubdocError(Status.EINVAL)
    if doc_flags & ADD and cas:
        raise SubdocError(Status.EINVAL)
    if doc_flags & REPLICA_READ and doc_flags & ACCESS_DELETED:
        raise SubdocError(Status.EINVAL)  # a replica never answers for a tombstone
    if doc_flags & REVIVE_DOCUMENT and (
            not doc_flags & ACCESS_DELETED or doc_flags & CREATE_AS_DELETED):
        raise SubdocError(Status.EINVAL)


def decode_single(opcode: int, extras: bytes, value: bytes, cas: int) -> Request:
    """A single-path request (opcodes 0xC5-0xCF, 0xD2)."""
    traits = TRAITS[opcode]
    size = len(extras)
    if size not in ((3, 4, 7, 8) if traits.mutation else (3, 4)):
        raise SubdocError(Status.EINVAL)
    pathlen, flags = struct.unpack_from(">HB", extras)
    expiry = struct.unpack_from(">I", extras, 3)[0] if size >= 7 else 0
    doc_flags = extras[-1] if size in (4, 8) else 0
    _doc_flags(doc_flags, traits.mutation, cas)
    if pathlen > len(value):
        raise SubdocError(Status.EINVAL)
    if doc_flags & CREATE_AS_DELETED and (
            not doc_flags & (MKDOC | ADD) or not flags & XATTR_PATH):
        raise SubdocError(Status.EINVAL)  # kv_engine: only with MKDOC/ADD, on an XATTR
    spec = _spec(opcode, traits, flags, value[:pathlen], value[pathlen:])
    return Request([spec], doc_flags, expiry, traits.mutation)


def decode_multi(mutation: bool, extras: bytes, value: bytes, cas: int,
                 multiple_xattr_keys: bool) -> Request:
    """A MULTI_LOOKUP (``mutation`` false) or MULTI_MUTATION request."""
    size = len(extras)
    # A mutation's extras may also carry the document's user flags after the expiry
    # (8 or 9 bytes; Server 7.6.2+, what the official SDK sends to stage a binary
    # document in a transaction: the staged insert's flags).
    if size not in ((0, 1, 4, 5, 8, 9) if mutation else (0, 1)):
        raise SubdocError(Status.EINVAL)
    expiry = struct.unpack_from(">I", extras)[0] if size >= 4 else 0
    user_flags = struct.unpack_from(">I", extras, 4)[0] if size >= 8 else None
    doc_flags = extras[-1] if size in (1, 5, 9) else 0
    _doc_flags(doc_flags, mutation, cas)
    specs: list[Spec] = []
    pos = 0
    header = 8 if mutation else 4
    while pos < len(value):
        if len(specs) == MAX_SPECS:
            raise SubdocError(Status.SUBDOC_INVALID_COMBO)
        if pos + header > len(value):
            raise SubdocError(Status.EINVAL)
        opcode, flags, pathlen = struct.unpack_from(">BBH", value, pos)
        vallen = struct.unpack_from(">I", value, pos + 4)[0] if mutation else 0
        pos += header
        end = pos + pathlen + vallen
        if end > len(value):
            raise SubdocError(Status.EINVAL)
        traits = TRAITS.get(opcode) or WHOLE_DOC.get(opcode)
        if traits is None or traits.mutation != mutation:
            raise SubdocError(Status.SUBDOC_INVALID_COMBO)
        specs.append(_spec(opcode, traits, flags, value[pos : pos + pathlen],
                           value[pos + pathlen : end]))
        pos = end
    if not specs:
        raise SubdocError(Status.EINVAL)
    _check_xattr_rules(specs, multiple_xattr_keys)
    return Request(specs, doc_flags, expiry, mutation, user_flags)


def _check_xattr_rules(specs: list[Spec], multiple_keys: bool) -> None:
    """XATTR specs first; one (non-virtual) X-Key per request unless the
    client negotiated SUBDOC_ALLOWS_ACCESS_ON_MULTIPLE_XATTR_KEYS."""
    seen_body = False
    keys: set[str] = set()
    for spec in specs:
        if spec.xattr_key is None:
            seen_body = True
            continue
        if seen_body:
            raise SubdocError(Status.SUBDOC_INVALID_XATTR_ORDER)
        if not spec.xattr_key.startswith("$"):
            keys.add(spec.xattr_key)
    if len(keys) > 1 and not multiple_keys:
        raise SubdocError(Status.SUBDOC_XATTR_INVALID_KEY_COMBO)
