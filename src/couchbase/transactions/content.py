"""A transaction's document content: how it is encoded, staged, read and committed.

A transaction writes through a transcoder (``TransactionInsertOptions(transcoder=...)``,
default JSON). What the protocol stages depends on the format the transcoder's flags
name (the other SDKs do the same, so each reads the other's staging):

- JSON: the value in ``txn.op.stgd`` (an xattr holds JSON);
- binary (``RawBinaryTranscoder``): the bytes in ``txn.op.bin``, written and read with
  the sub-document BINARY_VALUE path flag (Couchbase Server 7.6.2+);

and both record the flags the committed document must get in ``txn.aux.uf``. The
commit writes the staged content as the body together with those flags (a
MULTI_MUTATION's extras carry them): JSON with a whole-body set, binary by
REPLACE_BODY_WITH_XATTR from ``txn.op.bin``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from .. import formats
from .. import subdocument as SD
from . import fields as F

TXN_BINARY = "txn.op.bin"
TXN_USER_FLAGS = "txn.aux.uf"
JSON_FLAGS = formats.FMT_JSON
_BINARY = SD.PathFlags.XATTR | SD.PathFlags.BINARY_VALUE
_REPLACE_BODY = SD.SubDocOp.REPLACE_BODY_WITH_XATTR


@dataclass
class Content:
    """A value ready to stage: ``value`` (JSON-able) or ``raw`` (binary), and ``flags``."""

    value: Any
    raw: Optional[bytes]
    flags: int

    @property
    def binary(self) -> bool:
        return self.raw is not None


def encode(value: Any, transcoder: Any) -> Content:
    """``value`` through ``transcoder`` (None: JSON as is). ValueFormatException if the
    transcoder refuses it; InvalidArgumentException for a format transactions cannot
    stage (only JSON and binary can)."""
    if transcoder is None:
        return Content(value, None, JSON_FLAGS)
    data, flags = transcoder.encode_value(value)
    fmt = formats.format_of_flags(flags)
    if fmt == formats.FMT_BYTES:
        return Content(None, bytes(data), flags)
    if fmt == formats.FMT_JSON:
        return Content(formats._json_decode(bytes(data).decode("utf-8")), None, flags)
    from .._errors4x import InvalidArgumentException

    raise InvalidArgumentException(message="a transaction stages JSON or binary documents "
                                   f"only, not flags 0x{flags:x}")


def decode(raw: Optional[bytes], flags: int, transcoder: Any) -> Any:
    """A stored body (``raw``, ``flags``) as ``transcoder`` reads it; with no transcoder,
    JSON (None when the body is not JSON, as before transcoders)."""
    if raw is None:
        return None
    if transcoder is not None:
        return transcoder.decode_value(raw, flags)
    try:
        return formats._json_decode(raw.decode("utf-8"))
    except Exception:  # noqa: BLE001 (not JSON: a binary document read as JSON)
        return None


def staging_specs(content: Content) -> list[Any]:
    """The specs that stage ``content`` in a document's ``txn`` xattr."""
    x = {"xattr": True, "create_parents": True}
    if content.binary:
        specs = [SD.Spec(SD.SubDocOp.DICT_UPSERT, TXN_BINARY, _BINARY, content.raw)]
    else:
        specs = [SD.upsert(F.TXN_STAGED, content.value, **x)]
    return specs + [SD.upsert(TXN_USER_FLAGS, content.flags, **x)]


def commit_specs(content: Content) -> list[Any]:
    """The specs that make ``content`` (staged in the ``txn`` xattr) the document's body
    and drop the xattr; send them with ``_user_flags=content.flags``."""
    if content.binary:
        return [SD.Spec(_REPLACE_BODY, TXN_BINARY, _BINARY), SD.remove(F.TXN, xattr=True)]
    return [SD.remove(F.TXN, xattr=True), SD.Spec(SD.SubDocOp.SET_DOC, "", 0, content.value)]


# -- reading a document with its staging --------------------------------------------------
READ_SPECS = [SD.get(F.TXN, xattr=True), SD.get("$document", xattr=True), SD.get_full(),
              SD.Spec(SD.SubDocOp.GET, TXN_BINARY, _BINARY)]
"""What a transaction reads of a document: its ``txn`` xattr, ``$document``, the body,
the staged binary content (indexes 0-3; see :func:`raw_field`)."""


def raw_field(result: Any, index: int) -> Optional[bytes]:
    """The bytes spec ``index`` of a lookup answered, or None if its path is missing."""
    status, raw = result._spec(index)
    return None if status else bytes(raw)


def staged_content(txn: dict[str, Any], binary: Optional[bytes]) -> Optional[Content]:
    """The content a ``txn`` xattr stages (``binary``: what ``txn.op.bin`` held)."""
    op = txn.get("op") or {}
    aux = txn.get("aux") or {}
    flags = aux.get("uf") if isinstance(aux.get("uf"), int) else None
    if binary is not None:
        return Content(None, binary, flags if flags is not None else formats.FMT_BYTES)
    if "stgd" in op:
        return Content(op["stgd"], None, flags if flags is not None else JSON_FLAGS)
    return None


def encoded(content: Content) -> bytes:
    """``content`` as the body bytes the commit makes."""
    if content.raw is not None:
        return content.raw
    text = formats._json_encode(content.value)
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)
