"""Snappy's raw (framing-less) format, in pure Python, with an optional fast codec.

A compressed value is the uncompressed length as a little-endian base-128
varint, then elements, each starting with a tag byte whose low two bits say
what it is:

- ``00`` literal: the upper six bits are ``length - 1`` if under 60; 60..63 say
  that the next 1..4 bytes hold ``length - 1`` (little-endian); the bytes follow.
- ``01`` copy, 1-byte offset: length ``4 + ((tag >> 2) & 7)``, offset
  ``(tag >> 5) << 8 | next byte``.
- ``10`` copy, 2-byte offset: length ``(tag >> 2) + 1``, offset a u16 LE.
- ``11`` copy, 4-byte offset: length ``(tag >> 2) + 1``, offset a u32 LE.

A copy repeats ``length`` bytes starting ``offset`` bytes back in the output;
it may overlap what it writes (offset < length repeats a pattern).

:func:`decompress` is strict: a malformed or truncated input, or a declared
length over ``limit``, raises :class:`SnappyError`; it never allocates more
than the declared length (itself limited) and every step consumes input.
:func:`compress` is the reference algorithm's shape (64 KiB blocks, a hash
table of 4-byte sequences, lookups that thin out over incompressible data),
with matches extended a 32-byte word at a time rather than byte by byte.

If ``cramjam`` is importable (the ``snappy`` extra) :data:`compress` and
:data:`decompress` use it; :func:`pure_compress` and :func:`pure_decompress`
are always the pure ones. Both produce and accept the same format.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from .document import MAX_VALUE_SIZE

DEFAULT_LIMIT = MAX_VALUE_SIZE
"""The largest uncompressed length :func:`decompress` accepts by default."""

_BLOCK = 1 << 16
_MIN_MATCH = 4
_WORD = 32  # bytes compared at once while extending a match
_MAX_VARINT_BYTES = 5  # a u32


class SnappyError(ValueError):
    """Compressed data that is not valid Snappy, or would decompress past the limit."""


# -- varint ------------------------------------------------------------------------
def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def uncompressed_length(data: Any) -> tuple[int, int]:
    """``(length, header size)`` of a compressed value's varint preamble."""
    result = shift = 0
    for i in range(min(len(data), _MAX_VARINT_BYTES)):
        byte = data[i]
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            if result > 0xFFFFFFFF:
                raise SnappyError("uncompressed length does not fit in 32 bits")
            return result, i + 1
        shift += 7
    raise SnappyError("truncated or overlong uncompressed-length header")


# -- decompression -------------------------------------------------------------------
def pure_decompress(data: Any, limit: int = DEFAULT_LIMIT) -> bytes:
    """The bytes ``data`` encodes; :class:`SnappyError` if it is malformed or too big."""
    src = bytes(data)
    length, pos = uncompressed_length(src)
    if length > limit:
        raise SnappyError(f"uncompressed length {length} exceeds the limit of {limit} bytes")
    end = len(src)
    out = bytearray()
    n = 0  # len(out)
    while pos < end:
        tag = src[pos]
        kind = tag & 3
        if kind == 0:
            size = tag >> 2
            if size >= 60:
                extra = size - 59
                if pos + 1 + extra > end:
                    raise SnappyError("truncated literal length")
                size = int.from_bytes(src[pos + 1 : pos + 1 + extra], "little")
                pos += extra
            size += 1
            pos += 1
            if pos + size > end:
                raise SnappyError("literal runs past the end of the input")
            if n + size > length:
                raise SnappyError("output longer than the declared length")
            out += src[pos : pos + size]
            pos += size
            n += size
            continue
        if kind == 1:
            if pos + 2 > end:
                raise SnappyError("truncated copy")
            size = 4 + ((tag >> 2) & 7)
            offset = ((tag >> 5) << 8) | src[pos + 1]
            pos += 2
        elif kind == 2:
            if pos + 3 > end:
                raise SnappyError("truncated copy")
            size = (tag >> 2) + 1
            offset = src[pos + 1] | (src[pos + 2] << 8)
            pos += 3
        else:
            if pos + 5 > end:
                raise SnappyError("truncated copy")
            size = (tag >> 2) + 1
            offset = int.from_bytes(src[pos + 1 : pos + 5], "little")
            pos += 5
        if offset == 0 or offset > n:
            raise SnappyError(f"copy offset {offset} outside the {n} bytes written")
        if n + size > length:
            raise SnappyError("output longer than the declared length")
        start = n - offset
        if offset >= size:
            out += out[start : start + size]
        else:  # overlapping: the last ``offset`` bytes repeat
            out += (out[start:] * (size // offset + 1))[:size]
        n += size
    if n != length:
        raise SnappyError(f"output is {n} bytes, the header declared {length}")
    return bytes(out)


# -- compression ---------------------------------------------------------------------
def _literal(out: bytearray, chunk: bytes) -> None:
    n = len(chunk) - 1
    if n < 60:
        out.append(n << 2)
    elif n < 0x100:
        out += bytes((60 << 2, n))
    elif n < 0x10000:
        out += bytes((61 << 2, n & 0xFF, n >> 8))
    elif n < 0x1000000:
        out += bytes((62 << 2, n & 0xFF, (n >> 8) & 0xFF, n >> 16))
    else:
        out.append(63 << 2)
        out += n.to_bytes(4, "little")
    out += chunk


def _copy(out: bytearray, offset: int, size: int) -> None:
    # offset < 64 KiB (one block): copy-1 when it fits, else copy-2 pieces of <= 64
    while size >= 68:
        out += bytes((63 << 2 | 2, offset & 0xFF, offset >> 8))
        size -= 64
    if size > 64:
        out += bytes((59 << 2 | 2, offset & 0xFF, offset >> 8))
        size -= 60
    if size < 12 and offset < 2048:
        out += bytes(((offset >> 8) << 5 | (size - 4) << 2 | 1, offset & 0xFF))
    else:
        out += bytes(((size - 1) << 2 | 2, offset & 0xFF, offset >> 8))


def _compress_block(src: bytes, start: int, end: int, out: bytearray,
                    budget: Optional[int] = None) -> bool:
    """Append ``src[start:end]`` compressed to ``out``; False (and stop) as soon as
    ``out`` grows past ``budget`` bytes, when one is given."""
    if budget is None:
        budget = 0xFFFFFFFFFFFF  # (nothing reaches this: Snappy values are < 4 GiB)
    table: dict[bytes, int] = {}
    get = table.get
    from_bytes = int.from_bytes
    literal_start = start
    pos = start
    last = end - _MIN_MATCH  # the last position a match can start at
    skip = 32
    give_up = literal_start + budget - len(out)
    while pos <= last:
        key = src[pos : pos + 4]
        cand = get(key)
        table[key] = pos
        if cand is None:
            if pos > give_up:  # the literal pending from literal_start alone is too long
                return False
            pos += skip >> 5
            skip += 1
            continue
        # extend the match (4 bytes known equal) a word at a time: the lowest
        # differing bit of two little-endian words gives the first differing byte
        size = _MIN_MATCH
        while True:
            width = end - pos - size
            if width > _WORD:
                width = _WORD
            elif width <= 0:
                break
            diff = from_bytes(src[cand + size : cand + size + width], "little") ^ \
                from_bytes(src[pos + size : pos + size + width], "little")
            if diff:
                size += ((diff & -diff).bit_length() - 1) >> 3
                break
            size += width
        if literal_start < pos:
            _literal(out, src[literal_start:pos])
        offset = pos - cand
        if size < 12 and offset < 2048:
            out += bytes(((offset >> 8) << 5 | (size - 4) << 2 | 1, offset & 0xFF))
        else:
            _copy(out, offset, size)
        pos += size
        literal_start = pos
        skip = 32
        give_up = pos + budget - len(out)
        if pos <= last:  # let the next search find the bytes just before it
            table[src[pos - 1 : pos + 3]] = pos - 1
    if literal_start < end:
        _literal(out, src[literal_start:end])
    return len(out) <= budget


def pure_compress(data: Any) -> bytes:
    """``data`` in Snappy's raw format."""
    packed = pure_compress_within(data, None)
    assert packed is not None  # (no budget: never given up)
    return packed


def pure_compress_within(data: Any, budget: Optional[int]) -> Optional[bytes]:
    """``data`` in Snappy's raw format if that takes at most ``budget`` bytes, else
    None, given up as soon as the output passes the budget (a value that does not
    compress costs only the part of the work that shows it)."""
    src = bytes(data)
    size = len(src)
    if size > 0xFFFFFFFF:
        raise SnappyError("Snappy values are at most 4 GiB")
    out = bytearray(_varint(size))
    for start in range(0, size, _BLOCK):
        if not _compress_block(src, start, min(start + _BLOCK, size), out, budget):
            return None
    if budget is not None and len(out) > budget:  # (an empty value: no block)
        return None
    return bytes(out)


# -- the codec in use --------------------------------------------------------------------
Within = Callable[[Any, Optional[int]], Optional[bytes]]


def _fast_codec() -> Optional[tuple[Callable[[Any], bytes], Callable[[Any, int], bytes], Within,
                                    Callable[[bytes], Any]]]:
    try:
        from cramjam import snappy as fast
    except ImportError:
        return None

    compress_raw = fast.compress_raw

    def fast_compress(data: Any) -> bytes:
        return bytes(compress_raw(bytes(data)))

    def fast_compress_within(data: Any, budget: Optional[int]) -> Optional[bytes]:
        # cramjam's own buffer is measured first: the copy into bytes is made only for
        # output that is sent (most small values do not compress within the budget)
        packed = compress_raw(data if type(data) is bytes else bytes(data))
        if budget is not None and len(packed) > budget:
            return None
        return bytes(packed)

    def fast_decompress(data: Any, limit: int = DEFAULT_LIMIT) -> bytes:
        src = bytes(data)
        length, _ = uncompressed_length(src)  # checked before anything is allocated
        if length > limit:
            raise SnappyError(
                f"uncompressed length {length} exceeds the limit of {limit} bytes")
        try:
            out = bytes(fast.decompress_raw(src))
        except Exception as exc:  # cramjam raises its own DecompressionError
            raise SnappyError(f"malformed Snappy data: {exc}") from None
        if len(out) != length:
            raise SnappyError(f"output is {len(out)} bytes, the header declared {length}")
        return out

    return fast_compress, fast_decompress, fast_compress_within, compress_raw


_FAST = _fast_codec()
FAST = _FAST is not None
"""Whether the fast codec (cramjam) is in use."""

compress: Callable[[Any], bytes] = _FAST[0] if _FAST else pure_compress
decompress: Callable[..., bytes] = _FAST[1] if _FAST else pure_decompress
compress_within: Within = _FAST[2] if _FAST else pure_compress_within
"""``compress_within(data, budget)``: :data:`compress`'s output if it is at most
``budget`` bytes (None: any size), else None."""
compress_buffer: Optional[Callable[[bytes], Any]] = _FAST[3] if _FAST else None
"""The fast codec's own call (``cramjam.snappy.compress_raw``): ``data`` compressed
into cramjam's buffer (``len()`` is its size, ``bytes()`` copies it out); None
without cramjam. For a caller that measures before it copies (the deflater)."""

__all__ = ["DEFAULT_LIMIT", "FAST", "SnappyError", "compress", "compress_buffer",
           "compress_within", "decompress",
           "pure_compress", "pure_compress_within", "pure_decompress", "uncompressed_length"]
