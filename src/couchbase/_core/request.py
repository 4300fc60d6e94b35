"""A key-value request as the API layer describes it, before routing.

The driver adds what depends on where the request goes: the vbucket, the
opaque, and the collection prefix the connection negotiated.
"""

from __future__ import annotations

import struct
from typing import Optional

from .compression import COMPRESSIBLE, Deflate
from .feature import Datatype
from .leb128 import prefix_key
from .opcode import Magic, Opcode
from .packet import encode_packet

_OBSERVE_HEAD = struct.Struct(">HH")
SNAPPY = Datatype.SNAPPY


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
        # document keys are never empty; an empty key (GET_COLLECTION_ID...) gets no prefix
        key = prefix_key(self.cid, self.key) if collections and self.key else self.key
        if self.opcode == Opcode.OBSERVE:  # the key travels in the value, with its vbucket
            return encode_packet(
                Magic.REQUEST, self.opcode, b"", _OBSERVE_HEAD.pack(vbucket, len(key)) + key,
                opaque=opaque,
            )
        value, datatype = self.value, self.datatype
        if deflate is not None and self.opcode in COMPRESSIBLE and not datatype & SNAPPY:
            packed = deflate(value)
            if packed is not None:
                value, datatype = packed, datatype | SNAPPY
        return encode_packet(
            Magic.REQUEST, self.opcode, key, value, self.extras, self.framing,
            datatype, vbucket, opaque, self.cas,
        )
