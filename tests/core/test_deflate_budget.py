"""Which mutation values a connection sends Snappy-compressed, with bytes alone.

The documented rule (libcouchbase's settings, the 2.x ``Bucket.compression*``
attributes, the SDKs' CompressionConfig): values of at least
``compression_min_size`` bytes (32) are compressed, and sent compressed only if
``compressed / original <= compression_min_ratio`` (0.83); the datatype then
carries the SNAPPY bit. ``off`` and ``inflate_only`` never send compressed.
The codec may give up early on a value that cannot meet the ratio: these
tests pin that giving up never changes what is sent.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from couchbase._core import snappy
from couchbase._core.compression import (
    COMPRESS_IN,
    COMPRESS_INOUT,
    COMPRESS_NONE,
    Compression,
    budget,
)
from couchbase._core.feature import Datatype, Feature
from couchbase._core.packet import decode_packet
from couchbase._kv import SET, store_request
from couchbase.formats import FMT_BYTES, FMT_JSON, FMT_PICKLE, FMT_UTF8, decode_value

NEGOTIATED = {Feature.SNAPPY}
COMPRESSIBLE_4K = b"the same words again, " * 186  # 4,092 bytes
NOISE_4K = os.urandom(4096)


def _sent(value: bytes, compression: Compression, features: set = NEGOTIATED) -> tuple:
    """(datatype, value) of the SET packet a connection sends for ``value``."""
    req = store_request(SET, "k", value, 0, 0, FMT_BYTES)
    pkt = decode_packet(req.encode(7, 1, False, compression.deflater(features)))
    return pkt.datatype, pkt.value


def test_a_value_under_min_size_goes_plain():
    value = b"a" * 31  # compresses to a few bytes, but is under the 32-byte minimum
    assert _sent(value, Compression()) == (0, value)
    datatype, sent = _sent(b"a" * 32, Compression(COMPRESS_INOUT))
    assert datatype & Datatype.SNAPPY and snappy.decompress(sent) == b"a" * 32


def test_a_compressible_4k_value_goes_compressed_with_the_datatype_bit():
    datatype, sent = _sent(COMPRESSIBLE_4K, Compression(COMPRESS_INOUT))
    assert datatype == Datatype.SNAPPY
    assert len(sent) <= len(COMPRESSIBLE_4K) * 0.83
    assert snappy.decompress(sent) == COMPRESSIBLE_4K


def test_an_incompressible_value_goes_plain():
    assert _sent(NOISE_4K, Compression(COMPRESS_INOUT)) == (0, NOISE_4K)


@pytest.mark.parametrize("mode", [COMPRESS_NONE, COMPRESS_IN])
def test_off_and_inflate_only_send_plain(mode):
    assert _sent(COMPRESSIBLE_4K, Compression(mode)) == (0, COMPRESSIBLE_4K)


def test_nothing_is_compressed_where_hello_did_not_negotiate_snappy():
    assert _sent(COMPRESSIBLE_4K, Compression(COMPRESS_INOUT), set()) == (0, COMPRESSIBLE_4K)


def test_json_keeps_its_datatype_bit_beside_snappy():
    req = store_request(SET, "k", {"rows": ["the same words again"] * 200}, 0, 0, FMT_JSON)
    pkt = decode_packet(req.encode(7, 1, False, Compression(COMPRESS_INOUT).deflater(NEGOTIATED)))
    assert pkt.datatype == Datatype.JSON | Datatype.SNAPPY


def test_the_ratio_boundary_is_inclusive():
    value = COMPRESSIBLE_4K
    packed = snappy.compress(value)
    exact = len(packed) / len(value)  # the ratio this value compresses to
    assert _sent(value, Compression(COMPRESS_INOUT, 32, exact))[0] == Datatype.SNAPPY
    assert _sent(value, Compression(COMPRESS_INOUT, 32, exact * 0.999)) == (0, value)


def test_budget_is_the_documented_ratio_in_whole_bytes():
    assert budget(100, 0.83) == 83
    assert budget(1000, 0.5) == 500
    assert budget(100, 1.0) == 99  # compressed must also be smaller
    assert budget(40, 0.0) == 0


def test_settings_changed_after_bootstrap_apply_to_the_next_value():
    compression = Compression(COMPRESS_INOUT)
    deflate = compression.deflater(NEGOTIATED)
    assert deflate(COMPRESSIBLE_4K) is not None
    compression.min_size = 5000
    assert deflate(COMPRESSIBLE_4K) is None
    compression.min_size, compression.min_ratio = 32, 0.001
    assert deflate(COMPRESSIBLE_4K) is None


_values = st.one_of(
    st.binary(max_size=400),
    st.builds(lambda b, n: b * n, st.binary(min_size=1, max_size=30), st.integers(1, 300)),
    st.builds(lambda a, b: a + b, st.binary(min_size=50, max_size=200),
              st.binary(max_size=40).map(lambda b: b * 10)),
)


@settings(max_examples=400, deadline=None)
@given(_values, st.integers(0, 500))
def test_giving_up_early_never_changes_the_outcome(data, limit):
    """compress_within(data, budget) is compress(data) when that fits, else None,
    for the pure codec and the one in use."""
    for full, within in ((snappy.pure_compress, snappy.pure_compress_within),
                         (snappy.compress, snappy.compress_within)):
        packed = full(data)
        assert within(data, limit) == (packed if len(packed) <= limit else None)
        assert within(data, None) == packed


def test_the_pure_codec_gives_up_on_noise_and_finishes_compressible_values():
    assert snappy.pure_compress_within(NOISE_4K, budget(4096, 0.83)) is None
    packed = snappy.pure_compress_within(COMPRESSIBLE_4K, budget(4092, 0.83))
    assert packed is not None and snappy.pure_decompress(packed) == COMPRESSIBLE_4K


@pytest.mark.parametrize("fmt, value", [
    (FMT_JSON, {"a": [1, 2.5, None, True, "é"]}), (FMT_UTF8, "hé" * 300),
    (FMT_BYTES, bytes(range(256)) * 4), (FMT_PICKLE, {1, 2, 3}),
])
def test_values_of_every_format_round_trip_through_the_deflater(fmt, value):
    req = store_request(SET, "k", value, 0, 0, fmt)
    pkt = decode_packet(req.encode(7, 1, False, Compression(COMPRESS_INOUT).deflater(NEGOTIATED)))
    raw = snappy.decompress(pkt.value) if pkt.datatype & Datatype.SNAPPY else pkt.value
    flags = int.from_bytes(pkt.extras[:4], "big")
    assert decode_value(raw, flags) == value
