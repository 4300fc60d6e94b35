"""The Snappy codec: round trips, the format's elements, malformed input, limits.

Facts from the format description (raw Snappy, no framing): a varint length,
then literals (tag 00) and copies with 1-, 2- and 4-byte offsets (tags 01, 10, 11).
"""

from __future__ import annotations

import json
import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from couchbase._core import snappy
from couchbase._core.snappy import SnappyError, pure_compress, pure_decompress

try:
    from cramjam import snappy as cramjam_snappy
except ImportError:  # the optional fast codec
    cramjam_snappy = None

needs_cramjam = pytest.mark.skipif(cramjam_snappy is None, reason="cramjam not installed")

# data with repeats at every distance and length, and without
_chunks = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda b, n: b * n, st.binary(min_size=1, max_size=20), st.integers(1, 400)),
    st.sampled_from([b'{"name": "x", "tags": ["a", "b"]}', b"\x00" * 70_000, b"abcd" * 9]),
)
inputs = st.lists(_chunks, max_size=8).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(inputs)
def test_round_trip(data: bytes) -> None:
    assert pure_decompress(pure_compress(data)) == data
    assert snappy.decompress(snappy.compress(data)) == data


@needs_cramjam
@settings(max_examples=300, deadline=None)
@given(inputs)
def test_interoperates_with_cramjam(data: bytes) -> None:
    assert bytes(cramjam_snappy.decompress_raw(pure_compress(data))) == data
    assert pure_decompress(bytes(cramjam_snappy.compress_raw(data))) == data


def test_large_values_cross_blocks_and_compress() -> None:
    doc = json.dumps([{"id": i, "name": f"user{i}", "active": i % 3 == 0}
                      for i in range(20_000)]).encode()
    packed = pure_compress(doc)
    assert len(packed) < len(doc) // 3
    assert pure_decompress(packed) == doc
    noise = os.urandom(200_000)
    packed = pure_compress(noise)
    assert len(packed) <= len(noise) + len(noise) // 6 + 32  # the format's worst case
    assert pure_decompress(packed) == noise


@pytest.mark.parametrize("encoded, expected", [
    (b"\x00", b""),
    (b"\x03\x08abc", b"abc"),                      # literal, length in the tag
    (b"\x08\x08abc" + bytes([0x01 | (1 << 2), 3]), b"abcabcab"),  # copy-1, overlapping
    (b"\x06\x08abc" + bytes([0x02 | (2 << 2), 3, 0]), b"abcabc"),  # copy-2
    (b"\x06\x08abc" + bytes([0x03 | (2 << 2), 3, 0, 0, 0]), b"abcabc"),  # copy-4
    (b"\x41" + bytes([60 << 2, 64]) + b"x" * 65, b"x" * 65),  # literal, 1-byte length
    (b"\x0a\x00a" + bytes([0x02 | (8 << 2), 1, 0]), b"a" * 10),  # run from one byte
])
def test_decodes_every_element(encoded: bytes, expected: bytes) -> None:
    assert pure_decompress(encoded) == expected
    assert snappy.decompress(encoded) == expected


@pytest.mark.parametrize("bad", [
    b"",                                   # no length
    b"\x80\x80",                           # truncated varint
    b"\xff\xff\xff\xff\xff\x01",           # varint over 32 bits / too long
    b"\x05\x10ab",                         # literal runs past the end
    b"\x03",                               # declared 3, nothing follows
    b"\x03\x08abcd",                       # trailing bytes beyond the declared length
    b"\x04\x08abc",                        # output shorter than declared
    b"\x04\x00a" + bytes([0x02 | (3 << 2), 0, 0]),  # offset 0
    b"\x08\x00a" + bytes([0x02 | (6 << 2), 5, 0]),  # offset before the start
    b"\x08\x00a" + bytes([0x01]),           # truncated copy-1
    b"\x08\x00a" + bytes([0x02, 1]),        # truncated copy-2
    b"\x08\x00a" + bytes([0x03, 1, 0, 0]),  # truncated copy-4
    b"\x41" + bytes([61 << 2, 64]),         # truncated literal length
    b"\x02\x00a" + bytes([0x02 | (9 << 2), 1, 0]),  # copy past the declared length
])
def test_malformed_input_raises(bad: bytes) -> None:
    with pytest.raises(SnappyError):
        pure_decompress(bad)
    with pytest.raises(SnappyError):
        snappy.decompress(bad)


def test_length_over_the_limit_is_refused_before_allocating() -> None:
    # a 7-byte value that claims 4 GiB: refused at once, nothing allocated
    bomb = b"\xff\xff\xff\xff\x0f" + bytes([0x02 | (63 << 2), 1, 0])
    for decompress in (pure_decompress, snappy.decompress):
        with pytest.raises(SnappyError, match="limit"):
            decompress(bomb)
        with pytest.raises(SnappyError, match="limit"):
            decompress(pure_compress(b"x" * 1001), limit=1000)
    assert snappy.DEFAULT_LIMIT == 20 * 1024 * 1024
    assert pure_decompress(pure_compress(b"x" * 1000), limit=1000) == b"x" * 1000


def test_a_copy_bomb_stops_at_the_declared_length() -> None:
    # the header says 100 bytes; 10,000 copies of 64 bytes follow: refused quickly
    bomb = b"\x64\x00a" + bytes([0x02 | (63 << 2), 1, 0]) * 10_000
    start = time.perf_counter()
    with pytest.raises(SnappyError):
        pure_decompress(bomb)
    assert time.perf_counter() - start < 1.0


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_crash_the_decoder(data: bytes) -> None:
    for decompress in (pure_decompress, snappy.decompress):
        try:
            out = decompress(data, limit=1 << 16)
        except SnappyError:
            continue
        assert len(out) == snappy.uncompressed_length(data)[0]


def test_accepts_bytearray_and_memoryview() -> None:
    data = b"hello hello hello hello"
    assert pure_decompress(memoryview(pure_compress(bytearray(data)))) == data
    assert snappy.decompress(bytearray(snappy.compress(memoryview(data)))) == data
