"""Sub-document requests and answers in bytes, for the local cluster's tests
(layouts from kv_engine's docs/SubDocument.md), over mock_kvclient.KV."""

from __future__ import annotations

import struct
from typing import Any, Optional, Sequence

from couchbase._core.opcode import Opcode
from couchbase._core.packet import Packet

# Path flags
MKDIR_P = 0x01
XATTR = 0x04
MACROS = 0x10
# Doc flags
MKDOC = 0x01
ADD = 0x02
ACCESS_DELETED = 0x04
CREATE_AS_DELETED = 0x08
REVIVE = 0x10

LookupSpec = tuple  # (opcode, flags, path)
MutationSpec = tuple  # (opcode, flags, path, value)


def _b(text: Any) -> bytes:
    return text if isinstance(text, bytes) else str(text).encode()


def single_extras(path: bytes, flags: int = 0, expiry: Optional[int] = None,
                  doc_flags: Optional[int] = None) -> bytes:
    extras = struct.pack(">HB", len(path), flags)
    if expiry is not None:
        extras += struct.pack(">I", expiry)
    if doc_flags is not None:
        extras += bytes((doc_flags,))
    return extras


def single(kv: Any, opcode: int, key: bytes, path: Any, value: Any = b"", flags: int = 0,
           expiry: Optional[int] = None, doc_flags: Optional[int] = None, cas: int = 0,
           **kw: Any) -> Packet:
    """One single-path command."""
    raw_path = _b(path)
    return kv.doc(opcode, key, raw_path + _b(value),
                  single_extras(raw_path, flags, expiry, doc_flags), cas=cas, **kw)


def multi_extras(expiry: Optional[int], doc_flags: Optional[int]) -> bytes:
    extras = b"" if expiry is None else struct.pack(">I", expiry)
    return extras + (b"" if doc_flags is None else bytes((doc_flags,)))


def lookup_body(specs: Sequence[LookupSpec]) -> bytes:
    out = b""
    for opcode, flags, path in specs:
        raw = _b(path)
        out += struct.pack(">BBH", opcode, flags, len(raw)) + raw
    return out


def mutation_body(specs: Sequence[MutationSpec]) -> bytes:
    out = b""
    for opcode, flags, path, value in specs:
        raw, val = _b(path), _b(value)
        out += struct.pack(">BBHI", opcode, flags, len(raw), len(val)) + raw + val
    return out


def lookup_in(kv: Any, key: bytes, specs: Sequence[LookupSpec],
              doc_flags: Optional[int] = None, **kw: Any) -> Packet:
    return kv.doc(Opcode.SUBDOC_MULTI_LOOKUP, key, lookup_body(specs),
                  multi_extras(None, doc_flags), **kw)


def mutate_in(kv: Any, key: bytes, specs: Sequence[MutationSpec],
              doc_flags: Optional[int] = None, expiry: Optional[int] = None, cas: int = 0,
              **kw: Any) -> Packet:
    return kv.doc(Opcode.SUBDOC_MULTI_MUTATION, key, mutation_body(specs),
                  multi_extras(expiry, doc_flags), cas=cas, **kw)


def lookup_results(value: bytes) -> list[tuple[int, bytes]]:
    """``[(status, value)]`` of a MULTI_LOOKUP answer."""
    out = []
    pos = 0
    while pos < len(value):
        status, length = struct.unpack_from(">HI", value, pos)
        pos += 6
        out.append((status, value[pos : pos + length]))
        pos += length
    return out


def mutation_results(value: bytes) -> list[tuple[int, int, bytes]]:
    """``[(index, status, value)]`` of a successful MULTI_MUTATION answer."""
    out = []
    pos = 0
    while pos < len(value):
        index, status, length = struct.unpack_from(">BHI", value, pos)
        pos += 7
        out.append((index, status, value[pos : pos + length]))
        pos += length
    return out


def failed_spec(value: bytes) -> tuple[int, int]:
    """``(index, status)`` of a failed MULTI_MUTATION answer."""
    index, status = struct.unpack(">BH", value)
    return index, status
