"""Extended attributes: their keys, the virtual ones and the mutation macros.

From kv_engine's ``docs/ExtendedAttributes.md`` and the virtual XATTR
documentation:

- an X-Key is 1 to 16 bytes of UTF-8, not starting with a control or a
  punctuation character other than ``_`` (system XATTRs, kept in a deleted
  document's tombstone) and ``$`` (virtual, read only);
- virtual attributes: ``$document`` (the document's metadata), ``$XTOC`` (the
  document's XATTR keys) and ``$vbucket`` (the vbucket's hybrid logical clock);
- with the EXPAND_MACROS path flag a value's strings ``${Mutation.CAS}``,
  ``${Mutation.seqno}`` and ``${Mutation.value_crc32c}`` become the new
  revision's values, and ``${$document...}`` strings the metadata of the
  revision being replaced.
"""

from __future__ import annotations

import struct
from typing import Any, Optional

from couchbase._core.feature import Datatype
from couchbase._core.status import Status

from ..storage import Document
from .crc32c import value_crc32c
from .errors import SubdocError
from .operations import lookup
from .path import parse_path

MAX_KEY_LENGTH = 16
VIRTUAL = frozenset({"$document", "$XTOC", "$vbucket"})

MACRO_CAS = "${Mutation.CAS}"
MACRO_SEQNO = "${Mutation.seqno}"
MACRO_CRC32C = "${Mutation.value_crc32c}"
_MUTATION_MACROS = frozenset({MACRO_CAS, MACRO_SEQNO, MACRO_CRC32C})
UNKNOWN_VATTR_MACRO = 0xD5
"""kv_engine's SubdocXattrUnknownVattrMacro: ``${$document.nosuchfield}``."""

_PUNCT = frozenset(b"!\"#%&'()*+,-./:;<=>?@[\\]^`{|}~")


def split_key(raw: bytes) -> tuple[str, bytes]:
    """An XATTR path's key and the rest of the path (``b""`` or starting
    with ``.`` or ``[``); XATTR_EINVAL if the key is not a valid X-Key."""
    end = len(raw)
    for i, byte in enumerate(raw):
        if byte in b".[":
            end = i
            break
    key_bytes = raw[:end]
    if not key_bytes or len(key_bytes) > MAX_KEY_LENGTH:
        raise SubdocError(Status.XATTR_EINVAL)
    first = key_bytes[0]
    if first < 0x20 or first == 0x7F or first in _PUNCT:
        raise SubdocError(Status.XATTR_EINVAL)
    try:
        key = key_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise SubdocError(Status.XATTR_EINVAL) from None
    rest = raw[end:]
    if rest.startswith(b"."):
        rest = rest[1:]
        if not rest:
            raise SubdocError(Status.SUBDOC_PATH_EINVAL)
    return key, rest


def is_system(key: str) -> bool:
    return key.startswith("_")


def system_only(xattrs: Optional[dict[str, bytes]]) -> Optional[dict[str, bytes]]:
    """What a tombstone keeps: the system XATTRs (``None`` if there are none)."""
    if not xattrs:
        return None
    kept = {k: v for k, v in xattrs.items() if k.startswith("_")}
    return kept or None


def _hex64(number: int) -> str:
    return f"0x{number:016x}"


def _crc(value: bytes) -> str:
    return f"0x{value_crc32c(value):08x}"


def _datatype_names(datatype: int) -> list[str]:
    names = []
    if datatype & Datatype.SNAPPY:
        names.append("snappy")
    if datatype & Datatype.JSON:
        names.append("json")
    if datatype & Datatype.XATTR:
        names.append("xattr")
    return names or ["raw"]


def document_vattr(doc: Document, vbucket_uuid: int, with_crc: bool = True) -> dict[str, Any]:
    """``$document``: the metadata of a document (or tombstone); the CRC of the
    value (costly for a large one) only ``with_crc``."""
    datatype = doc.datatype | (Datatype.XATTR if doc.xattrs else 0)
    meta: dict[str, Any] = {
        "CAS": _hex64(doc.cas),
        "vbucket_uuid": _hex64(vbucket_uuid),
        "seqno": _hex64(doc.seqno),
        "revid": str(doc.revno),
        "exptime": doc.expiry,
        "value_bytes": len(doc.value),
        "datatype": _datatype_names(datatype),
        "deleted": doc.deleted,
        "flags": doc.flags,
        "last_modified": str(doc.cas // 1_000_000_000),
    }
    if with_crc:
        meta["value_crc32c"] = _crc(doc.value)
    return meta


def virtual_root(path: list[Any], doc: Document, vbucket_uuid: int, now: float
                 ) -> dict[str, Any]:
    """``{key: value}`` of the virtual attribute a lookup's path starts with
    (the caller checked that it is one of :data:`VIRTUAL`)."""
    key = path[0]
    if key == "$document":
        with_crc = len(path) == 1 or path[1] == "value_crc32c"
        return {key: document_vattr(doc, vbucket_uuid, with_crc)}
    if key == "$XTOC":
        return {key: list(doc.xattrs or ())}
    return {key: {"HLC": {"now": str(int(now)), "mode": "real"}}}


# -- macros ------------------------------------------------------------------


def check_macros(value: Any, doc: Optional[Document], vbucket_uuid: int) -> Any:
    """``value`` with its ``${$document...}`` strings replaced by the metadata of
    ``doc`` (the revision being replaced); mutation macros stay, for
    :func:`expand_macros`; any other ``${...}`` is XATTR_UNKNOWN_MACRO."""
    if isinstance(value, str):
        if value in _MUTATION_MACROS:
            return value
        if value.startswith("${$") and value.endswith("}"):
            return _document_macro(value[2:-1], doc, vbucket_uuid)
        if value.startswith("${"):
            raise SubdocError(Status.SUBDOC_XATTR_UNKNOWN_MACRO)
        return value
    if isinstance(value, dict):
        return {k: check_macros(v, doc, vbucket_uuid) for k, v in value.items()}
    if isinstance(value, list):
        return [check_macros(v, doc, vbucket_uuid) for v in value]
    return value


def _document_macro(path: str, doc: Optional[Document], vbucket_uuid: int) -> Any:
    try:
        parts = parse_path(path.encode())
    except SubdocError:
        raise SubdocError(UNKNOWN_VATTR_MACRO) from None
    if not parts or parts[0] != "$document":
        raise SubdocError(UNKNOWN_VATTR_MACRO)
    meta = document_vattr(doc if doc is not None else Document(), vbucket_uuid)
    try:
        return lookup({"$document": meta}, parts)
    except SubdocError:
        raise SubdocError(UNKNOWN_VATTR_MACRO) from None


def expand_macros(value: Any, doc: Document) -> Any:
    """``value`` with every mutation macro string replaced by the new revision's figure.

    ``${Mutation.CAS}`` is written as the server writes it: the hex of the CAS's
    8 bytes in the order they sit in memory (little-endian), which is what
    clients that decode it (Sync Gateway, transactions) expect.
    """
    if isinstance(value, str):
        if value not in _MUTATION_MACROS:
            return value
        if value == MACRO_CAS:
            (swapped,) = struct.unpack("<Q", struct.pack(">Q", doc.cas))
            return _hex64(swapped)
        if value == MACRO_SEQNO:
            return _hex64(doc.seqno)
        return _crc(doc.value)
    if isinstance(value, dict):
        return {k: expand_macros(v, doc) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_macros(v, doc) for v in value]
    return value
