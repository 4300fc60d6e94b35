"""A key-value request as the API layer describes it, before routing.

The driver adds what depends on where the request goes: the vbucket, the
opaque, and the collection prefix the connection negotiated.
"""

from __future__ import annotations

import struct
from typing import Iterable, Optional

from .compression import COMPRESSIBLE, Deflate
from .feature import Datatype
from .leb128 import prefix_key
from .opcode import Magic, Opcode
from .packet import CLASSIC_HEADER, encode_packet

_OBSERVE_HEAD = struct.Struct(">HH")
SNAPPY = Datatype.SNAPPY
_SNAPPY = int(SNAPPY)
_OBSERVE = int(Opcode.OBSERVE)  # (plain ints: comparing with an IntEnum member is slower)
_REQUEST = int(Magic.REQUEST)


class Request:
    __slots__ = ("opcode", "key", "extras", "value", "cas", "datatype", "replica", "cid", "framing",
                 "vbucket", "timeout")

    def __init__(
        self,
        opcode: int,
        key: bytes,
        extras: bytes = b"",
        value: bytes = b"",
        cas: int = 0,
        datatype: int = 0,
        replica: int = 0,
        cid: int = 0,
        framing: bytes = b"",
    ) -> None:
        self.opcode = opcode
        self.key = key
        self.extras = extras
        self.value = value
        self.cas = cas
        self.datatype = datatype
        self.replica = replica  # 0: the active copy; n: the n-th replica
        self.cid = cid  # collection id
        self.framing = framing
        self.vbucket = 0  # where it was last sent (a mutation token names its vbucket)
        # seconds this request may take (a 4.x per-call ``timeout``); None: the bucket's
        self.timeout: Optional[float] = None

    def encode(self, vbucket: int, opaque: int, collections: bool,
               deflate: Optional[Deflate] = None) -> bytes:
        """The packet for one connection: ``collections`` if it negotiated them,
        ``deflate`` its compression (:meth:`Compression.deflater`)."""
        self.vbucket = vbucket
        key = self.key
        opcode = self.opcode
        if opcode == _OBSERVE:  # the key travels in the value, with its vbucket
            if collections and key:
                key = prefix_key(self.cid, key)
            return encode_packet(
                Magic.REQUEST, opcode, b"", _OBSERVE_HEAD.pack(vbucket, len(key)) + key,
                opaque=opaque,
            )
        value, datatype, extras = self.value, self.datatype, self.extras
        if deflate is not None and opcode in COMPRESSIBLE and not datatype & _SNAPPY:
            packed = deflate(value)  # (_deflated, written out)
            if packed is not None:
                value, datatype = packed, datatype | _SNAPPY
        # document keys are never empty; an empty key (GET_COLLECTION_ID...) gets no
        # prefix; the default collection's is one zero byte, joined in below
        prefix = b""
        if collections and key:
            cid = self.cid
            if cid:
                key = prefix_key(cid, key)
            else:
                prefix = b"\x00"
        if self.framing:
            return encode_packet(
                Magic.REQUEST, opcode, prefix + key, value, extras, self.framing,
                datatype, vbucket, opaque, self.cas,
            )
        # The common case (every request, for every key-value call), encode_packet's
        # classic framing written out: one header pack and one join.
        klen, elen = len(key) + len(prefix), len(extras)
        return b"".join((
            CLASSIC_HEADER.pack(_REQUEST, opcode, klen, elen, datatype, vbucket,
                                elen + klen + len(value), opaque, self.cas),
            extras, prefix, key, value))


def _deflated(value: bytes, datatype: int, deflate: Deflate) -> tuple[bytes, int]:
    """A mutation's value and datatype as sent: compressed if ``deflate`` says so
    (and it was not compressed already)."""
    if not datatype & _SNAPPY:
        packed = deflate(value)
        if packed is not None:
            return packed, datatype | _SNAPPY
    return value, datatype


def encode_many(reqs: list[Request], vbuckets: list[int], opaques: Iterable[int],
                collections: bool, deflate: Optional[Deflate] = None) -> bytes:
    """:meth:`Request.encode` for a batch going to one connection, as one string.

    The fast path (classic framing, the default collection: a multi-get or a
    multi-store) packs the header and lists it with the body's pieces (the
    key after its one-byte collection prefix, 0 for the default collection)
    for one join at the end; any other request is encoded by
    :meth:`Request.encode`.
    """
    parts: list[bytes] = []
    add = parts.append
    put = parts.extend
    pack = CLASSIC_HEADER.pack
    prefix = b"\x00" if collections else b""
    plen = len(prefix)
    for req, vb, opaque in zip(reqs, vbuckets, opaques):
        opcode, key = req.opcode, req.key
        if req.framing or req.cid or not key or opcode == _OBSERVE:
            add(req.encode(vb, opaque, collections, deflate))
            continue
        req.vbucket = vb
        extras, value, datatype = req.extras, req.value, req.datatype
        if deflate is not None and opcode in COMPRESSIBLE:
            value, datatype = _deflated(value, datatype, deflate)
        klen, elen = len(key) + plen, len(extras)
        put((pack(_REQUEST, opcode, klen, elen, datatype, vb, elen + klen + len(value),
                  opaque, req.cas), extras, prefix, key, value))
    return b"".join(parts)


_GET_HEAD = struct.Struct(">2sH2xHII8x")
"""A GET request's header: magic and opcode (given as 2 bytes), key length,
vbucket, body length (the key's), opaque; no extras, datatype or CAS."""
_GET_MAGIC_OPCODE = bytes((_REQUEST, int(Opcode.GET)))


def encode_gets(keys: list[bytes], vbuckets: list[int], base: int, collections: bool,
                cid: int = 0) -> bytes:
    """Plain GETs of ``keys`` (in collection ``cid``, the active copy) for one
    connection, as one string: the i-th with opaque ``base + i``. What
    :func:`encode_many` sends for them, without a :class:`Request` per key."""
    pack = _GET_HEAD.pack
    head = _GET_MAGIC_OPCODE
    parts: list[bytes] = []
    put = parts.extend
    if collections:  # the key after its collection prefix (LEB128; 0: the default collection)
        prefix = prefix_key(cid, b"")
        plen = len(prefix)
        for opaque, key, vb in zip(range(base, base + len(keys)), keys, vbuckets):
            klen = len(key) + plen
            put((pack(head, klen, vb, klen, opaque), prefix, key))
    else:
        for opaque, key, vb in zip(range(base, base + len(keys)), keys, vbuckets):
            klen = len(key)
            put((pack(head, klen, vb, klen, opaque), key))
    return b"".join(parts)
