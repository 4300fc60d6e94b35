"""Packets of the memcached binary protocol with Couchbase's alternative framing.

Classic header (magic 0x80 request / 0x81 response), 24 bytes big-endian::

    magic opcode keylen:2 extlen datatype vbucket|status:2 bodylen:4 opaque:4 cas:8

Alternative framing (0x08 / 0x18) splits keylen into framing-extras length
(byte 2) and a one-byte key length (byte 3). The body is
``framing extras + extras + key + value``.
"""

from __future__ import annotations

import struct
from typing import Any

from .errors import RemoteProtocolError
from .opcode import Magic

HEADER_LEN = 24
MAX_BODY = 50 * 1024 * 1024

_CLASSIC = struct.Struct(">BBHBBHIIQ")
_ALT = struct.Struct(">BBBBBBHIIQ")
_ALT_MAGICS = frozenset((Magic.ALT_REQUEST, Magic.ALT_RESPONSE))
_KNOWN_MAGICS = frozenset(int(m) for m in Magic)
_RESPONSE = int(Magic.RESPONSE)
# Plain ints: testing an int against IntEnum members spelled out is much slower.
_RESPONSE_MAGICS = frozenset(int(m) for m in (Magic.RESPONSE, Magic.ALT_RESPONSE,
                                              Magic.SERVER_RESPONSE))
_CLASSIC_MAGICS = frozenset((int(Magic.REQUEST), _RESPONSE))

CLASSIC_HEADER = _CLASSIC
"""The classic 24-byte header as a :class:`struct.Struct`, for code that builds
packets on a hot path itself (the local cluster's common responses):
``magic opcode keylen extlen datatype vbucket|status bodylen opaque cas``."""
ALT_HEADER = _ALT
"""The alternative-framing header, the same way: ``magic opcode framinglen keylen
extlen datatype vbucket|status bodylen opaque cas`` (bodylen counts the framing)."""
_ALT_OF = {Magic.REQUEST: Magic.ALT_REQUEST, Magic.RESPONSE: Magic.ALT_RESPONSE}


class Packet:
    """One request or response.

    ``vbucket`` and ``status`` share the same header field: requests carry a
    vbucket id, responses a status. Both attributes hold the decoded value.
    """

    __slots__ = (
        "magic",
        "opcode",
        "datatype",
        "vbucket",
        "status",
        "opaque",
        "cas",
        "framing",
        "extras",
        "key",
        "value",
    )

    def __init__(
        self,
        magic: int,
        opcode: int,
        *,
        key: bytes = b"",
        value: bytes = b"",
        extras: bytes = b"",
        framing: bytes = b"",
        datatype: int = 0,
        vbucket: int = 0,
        status: int = 0,
        opaque: int = 0,
        cas: int = 0,
    ) -> None:
        self.magic = magic
        self.opcode = opcode
        self.key = key
        self.value = value
        self.extras = extras
        self.framing = framing
        self.datatype = datatype
        self.vbucket = vbucket
        self.status = status
        self.opaque = opaque
        self.cas = cas

    @property
    def is_response(self) -> bool:
        return self.magic in _RESPONSE_MAGICS

    def encode(self) -> bytes:
        field = self.status if self.is_response else self.vbucket
        return encode_packet(
            self.magic,
            self.opcode,
            self.key,
            self.value,
            self.extras,
            self.framing,
            self.datatype,
            field,
            self.opaque,
            self.cas,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Packet):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in self.__slots__)

    def __repr__(self) -> str:
        return (
            f"Packet(magic=0x{self.magic:02x}, opcode=0x{self.opcode:02x}, key={self.key!r}, "
            f"vbucket={self.vbucket}, status=0x{self.status:02x}, opaque={self.opaque}, "
            f"cas={self.cas}, datatype={self.datatype}, extras={self.extras!r}, "
            f"framing={self.framing!r}, value={self.value[:64]!r})"
        )


def encode_packet(
    magic: int,
    opcode: int,
    key: bytes = b"",
    value: bytes = b"",
    extras: bytes = b"",
    framing: bytes = b"",
    datatype: int = 0,
    vbucket_or_status: int = 0,
    opaque: int = 0,
    cas: int = 0,
) -> bytes:
    """Encode one packet. Framing extras switch the magic to alternative framing."""
    klen = len(key)
    elen = len(extras)
    body = elen + klen + len(value)
    if framing:
        flen = len(framing)
        if klen > 0xFF or flen > 0xFF:
            raise ValueError("key or framing extras too long for alternative framing")
        magic = _ALT_OF.get(magic, magic)  # type: ignore[call-overload]
        header = _ALT.pack(
            magic, opcode, flen, klen, elen, datatype, vbucket_or_status,
            body + flen, opaque, cas,
        )
        return b"".join((header, framing, extras, key, value))
    header = _CLASSIC.pack(
        magic, opcode, klen, elen, datatype, vbucket_or_status, body, opaque, cas
    )
    return b"".join((header, extras, key, value))


_new_packet = Packet.__new__
_unpack_classic = _CLASSIC.unpack_from


def decode_packet(data: bytes) -> Packet:
    """Decode exactly one whole packet."""
    reader = PacketReader()
    packets = reader.feed(data)
    if len(packets) != 1 or reader.pending:
        raise RemoteProtocolError("expected exactly one packet")
    return packets[0]


class PacketReader:
    """Reassembles packets from a byte stream delivered in arbitrary pieces.

    ``feed`` returns every packet the data completed, in order.
    """

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes received that do not yet form a whole packet."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Packet]:
        buf = self._buf
        size = len(data)
        if not buf and size >= 24 and type(data) is bytes and data[0] in _CLASSIC_MAGICS:
            # The common case: exactly one classic packet, nothing buffered (a
            # client's response, or the local cluster's request). Literal 24s
            # (HEADER_LEN) and module-level bound methods: no global or attribute
            # lookups on the path every answer takes.
            (magic, opcode, klen, elen, datatype, field, bodylen, opaque,
             cas) = _unpack_classic(data)
            if bodylen + 24 == size and elen + klen <= bodylen:
                pkt = _new_packet(Packet)
                pkt.magic = magic
                pkt.opcode = opcode
                pkt.datatype = datatype
                pkt.vbucket = field
                pkt.status = field
                pkt.opaque = opaque
                pkt.cas = cas
                pkt.framing = b""
                p = 24 + elen
                pkt.extras = data[24:p]
                pkt.key = data[p : p + klen]
                pkt.value = data[p + klen :]
                return [pkt]
        # Several packets (a batch's answers), or pieces of them. The bytes the
        # packets' fields are sliced from: ``data`` itself when nothing was buffered
        # (no copy), else the buffer as bytes, copied once when a packet in it is
        # whole (one object per field, not a bytearray slice and its bytes copy; a
        # value arriving in many reads is not copied until it is complete).
        fresh = not buf and type(data) is bytes
        if not fresh:
            buf += data
        source = data if fresh else buf
        out: list[Packet] = []
        pos = 0
        size = len(source)
        unpack_classic = _CLASSIC.unpack_from
        new_packet = Packet.__new__
        whole = data if fresh else b""
        while size - pos >= HEADER_LEN:
            magic = source[pos]
            if magic in _CLASSIC_MAGICS:  # (the common case first: classic framing)
                (magic, opcode, klen, elen, datatype, field, bodylen, opaque,
                 cas) = unpack_classic(source, pos)
                flen = 0
            elif magic in _ALT_MAGICS:
                (magic, opcode, flen, klen, elen, datatype, field, bodylen, opaque,
                 cas) = _ALT.unpack_from(source, pos)
            elif magic in _KNOWN_MAGICS:
                (magic, opcode, klen, elen, datatype, field, bodylen, opaque,
                 cas) = unpack_classic(source, pos)
                flen = 0
            else:
                raise RemoteProtocolError(f"unknown magic 0x{magic:02x}")
            if bodylen > MAX_BODY:
                raise RemoteProtocolError(f"body length {bodylen} exceeds the limit")
            if flen + elen + klen > bodylen:
                raise RemoteProtocolError("framing, extras and key are longer than the body")
            end = pos + HEADER_LEN + bodylen
            if end > size:
                break
            if not whole:
                whole = bytes(buf)
            p = pos + HEADER_LEN
            pkt = new_packet(Packet)
            pkt.magic = magic
            pkt.opcode = opcode
            pkt.datatype = datatype
            pkt.vbucket = field
            pkt.status = field
            pkt.opaque = opaque
            pkt.cas = cas
            if flen:
                pkt.framing = whole[p : p + flen]
                p += flen
            else:
                pkt.framing = b""
            pkt.extras = whole[p : p + elen]
            p += elen
            pkt.key = whole[p : p + klen]
            p += klen
            pkt.value = whole[p:end]
            out.append(pkt)
            pos = end
        if fresh:
            if pos < size:
                buf += data[pos:]  # (the start of a packet still coming)
            return out
        if pos:
            del buf[:pos]
        return out


def response_to(
    request: Packet,
    status: int = 0,
    *,
    key: bytes = b"",
    value: bytes = b"",
    extras: bytes = b"",
    framing: bytes = b"",
    datatype: int = 0,
    cas: int = 0,
) -> bytes:
    """Encode the response to ``request`` (same opcode and opaque)."""
    return encode_packet(
        _RESPONSE, request.opcode, key, value, extras, framing, datatype, status,
        request.opaque, cas,
    )


_GET_ANSWER = struct.Struct(">BBHBBHIIQI")
"""A classic header and the 4 bytes after it: a GET answer's flags (its extras)."""
_GET_OK = (_RESPONSE, 0x00, 0, 4)  # magic, opcode GET, key length 0, extras length 4
_SNAPPY_BIT = 0x02  # (feature.Datatype.SNAPPY: a compressed value goes the general way)


class GetAnswers(PacketReader):
    """A :class:`PacketReader` for one connection's batch of plain GETs (opaques
    ``base`` to ``base + len(where) - 1``), put in the connection's place while
    the batch is answered.

    The common answer (classic response, SUCCESS, 4 bytes of flags, an
    uncompressed value, one of the batch's opaques) becomes no
    :class:`Packet`: its value, flags and CAS go straight into the caller's
    lists at ``where[opaque - base]`` (one header unpack and one slice per key).
    :meth:`feed` returns every other packet whole (a missing key, NOT_MY_VBUCKET,
    a temporary failure, an orphan), for the general rules; ``answered`` counts
    the answers it kept.
    """

    __slots__ = ("base", "where", "values", "flags", "cas", "answered")

    def __init__(self, reader: PacketReader, base: int, where: list[int], values: list[Any],
                 flags: list[Any], cas: list[Any]) -> None:
        self._buf = reader._buf  # (the connection reader's own: bytes it buffered go on)
        self.base = base
        self.where = where
        self.values = values
        self.flags = flags
        self.cas = cas
        self.answered = 0

    def feed(self, data: bytes) -> list[Packet]:
        buf = self._buf
        if buf:  # (a packet split across reads: join it to its start)
            buf += data
            source = bytes(buf)
            buf.clear()
        else:
            source = data
        others: list[Packet] = []
        pos, size, answered = 0, len(source), 0
        base, where, count = self.base, self.where, len(self.where)
        values, flags, cas = self.values, self.flags, self.cas
        unpack = _GET_ANSWER.unpack_from
        while size - pos >= HEADER_LEN:
            if size - pos < 28:  # (too short for a value's flags: the general way)
                end = self._other(source, pos, others)
                if end < 0:
                    break
                pos = end
                continue
            (magic, opcode, klen, elen, datatype, status, bodylen, opaque, c,
             fl) = unpack(source, pos)
            end = pos + HEADER_LEN + bodylen
            i = opaque - base
            if (end <= size and not status and (magic, opcode, klen, elen) == _GET_OK
                    and not datatype & _SNAPPY_BIT and 0 <= i < count):
                g = where[i]
                values[g] = source[pos + 28 : end]
                flags[g] = fl
                cas[g] = c
                answered += 1
                pos = end
                continue
            end = self._other(source, pos, others)
            if end < 0:
                break
            pos = end
        self.answered += answered
        if pos < size:
            buf += source[pos:]  # (the start of a packet still coming)
        return others

    @staticmethod
    def _other(source: bytes, pos: int, out: list[Packet]) -> int:
        """The packet at ``pos`` through :meth:`PacketReader.feed` (its checks and
        framings) into ``out``; where it ends, or -1 if it is not whole yet."""
        end = pos + HEADER_LEN + _CLASSIC.unpack_from(source, pos)[6]
        if end > len(source):
            if end - pos - HEADER_LEN > MAX_BODY or source[pos] not in _KNOWN_MAGICS:
                PacketReader().feed(source[pos : pos + HEADER_LEN])  # (raises)
            return -1
        out.extend(PacketReader().feed(source[pos:end]))
        return end
