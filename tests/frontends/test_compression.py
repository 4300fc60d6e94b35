"""Snappy compression (2.x ``Bucket.compression`` and its connection-string options),
on every front end, against the local cluster.

From the 2.x reference and libcouchbase's settings: ``compression=on|off|
inflate_only|deflate_only|force``; ``compression_min_size`` (32 bytes) and
``compression_min_ratio`` (0.83: compressed / original must not exceed it);
the COMPRESS_* constants of ``couchbase._libcouchbase``. Whether a value was
sent compressed is read from the local cluster's counters.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from couchbase import FMT_BYTES, FMT_UTF8
from couchbase._core.bootstrap import hello_features
from couchbase._core.compression import Compression
from couchbase._core.feature import Datatype, Feature
from couchbase._core.opcode import Magic, Opcode
from couchbase._core.packet import Packet, decode_packet
from couchbase._core.snappy import compress, decompress
from couchbase._kv import get_request, store_request, value_result
from couchbase._libcouchbase import (
    COMPRESS_FORCE,
    COMPRESS_IN,
    COMPRESS_INOUT,
    COMPRESS_NONE,
    COMPRESS_OUT,
)
from couchbase.exceptions import ArgumentError, ValueFormatError
from couchbase_mock.compression import counters

BIG = {"name": "compressible", "rows": [{"id": i, "text": "the same words again"}
                                        for i in range(2000)]}
SMALL = {"a": 1}


def _received(mock: Any) -> int:
    return counters(mock.cluster.buckets["default"]).received


def _open(connect: Any, mock: Any, options: str = "") -> Any:
    return connect(f"{mock.connstr}/default{options}", username="Administrator",
                   password="password")


# -- settings ------------------------------------------------------------------------
def test_constants_are_libcouchbases():
    assert (COMPRESS_NONE, COMPRESS_IN, COMPRESS_OUT, COMPRESS_INOUT, COMPRESS_FORCE) == \
        (0, 1, 2, 3, 4)


@pytest.mark.parametrize("option, mode", [
    ("on", COMPRESS_INOUT), ("off", COMPRESS_NONE), ("inflate_only", COMPRESS_IN),
    ("deflate_only", COMPRESS_OUT), ("force", COMPRESS_INOUT | COMPRESS_FORCE),
])
def test_connection_string_modes(option, mode):
    assert Compression.from_options({"compression": option}).mode == mode
    wants = Feature.SNAPPY in hello_features({"compression": option})
    assert wants == (mode != COMPRESS_NONE)


def test_defaults():
    c = Compression.from_options({})
    assert (c.min_size, c.min_ratio) == (32, 0.83)
    assert c.mode & COMPRESS_IN  # always ready to read compressed values
    assert Feature.SNAPPY in hello_features({})


def test_force_compresses_without_negotiation_and_only_force_does():
    value = b"abcdefgh" * 100
    assert Compression(COMPRESS_INOUT).deflater(frozenset())(value) is None
    packed = Compression(COMPRESS_INOUT | COMPRESS_FORCE).deflater(frozenset())(value)
    assert packed is not None and decompress(packed) == value
    negotiated = frozenset({Feature.SNAPPY})
    assert Compression(COMPRESS_IN).deflater(negotiated)(value) is None
    assert Compression(COMPRESS_OUT).deflater(negotiated)(value) is not None


def test_a_request_is_compressed_only_for_a_connection_that_negotiated():
    req = store_request(Opcode.SET, "k", BIG, 0, 0, 0x02000000)
    policy = Compression(COMPRESS_INOUT)
    sent = decode_packet(req.encode(5, 99, False, policy.deflater({Feature.SNAPPY})))
    assert sent.datatype & Datatype.SNAPPY and decompress(sent.value) == req.value
    plain = decode_packet(req.encode(5, 99, False, policy.deflater(frozenset())))
    assert plain.datatype == Datatype.JSON and plain.value == req.value
    get = decode_packet(get_request("k").encode(5, 99, False, policy.deflater({Feature.SNAPPY})))
    assert get.datatype == 0  # only mutations carry values to compress


def test_a_malformed_compressed_answer_is_a_value_format_error():
    extras = b"\x02\x00\x00\x00"  # FMT_JSON's flags
    good = Packet(Magic.RESPONSE, Opcode.GET, extras=extras, datatype=Datatype.SNAPPY,
                  value=compress(b'{"a": [1, 2, 3]}'))
    assert value_result("k", good).value == {"a": [1, 2, 3]}
    assert value_result("k", good, no_format=True).value == b'{"a": [1, 2, 3]}'
    bad = Packet(Magic.RESPONSE, Opcode.GET, extras=extras, datatype=Datatype.SNAPPY,
                 value=b"\x40\x00junk")
    with pytest.raises(ValueFormatError, match="decompress"):
        value_result("k", bad)


@pytest.mark.parametrize("option", [
    "compression=sometimes", "compression_min_size=-1", "compression_min_size=big",
    "compression_min_ratio=1.5", "compression_min_ratio=x",
])
def test_bad_connection_string_options_are_argument_errors(mock_cluster, option):
    from couchbase.bucket import Bucket

    with pytest.raises(ArgumentError):
        Bucket(f"{mock_cluster.connstr}/default?{option}", password="")


def test_settings_are_validated(cb):
    for bad in (99, -1, "on", True, None, 1.0):
        with pytest.raises(ArgumentError):
            cb.compression = bad
    for bad in (-1, 1.5, "32", None, 2**32):
        with pytest.raises(ArgumentError):
            cb.compression_min_size = bad
    for bad in (-0.1, 1.01, "0.5", None, True):
        with pytest.raises(ArgumentError):
            cb.compression_min_ratio = bad
    cb.compression = COMPRESS_OUT
    cb.compression_min_size = 100
    cb.compression_min_ratio = 0.5
    assert (cb.compression, cb.compression_min_size, cb.compression_min_ratio) == \
        (COMPRESS_OUT, 100, 0.5)


def test_connection_string_sets_the_attributes(connect, mock_cluster):
    cb = _open(connect, mock_cluster,
               "?compression=deflate_only&compression_min_size=64&compression_min_ratio=0.5")
    assert (cb.compression, cb.compression_min_size, cb.compression_min_ratio) == \
        (COMPRESS_OUT, 64, 0.5)


# -- on the wire -----------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["on", "off", "force", "inflate_only", "deflate_only"])
def test_values_round_trip_in_every_mode(connect, mock_cluster, key, mode):
    cb = _open(connect, mock_cluster, f"?compression={mode}")
    values = {f"{key}-big": BIG, f"{key}-small": SMALL, f"{key}-text": "hé" * 500,
              f"{key}-bytes": os.urandom(3000), f"{key}-empty": ""}
    for k, v in values.items():
        fmt = FMT_BYTES if isinstance(v, bytes) else None
        cb.upsert(k, v, format=fmt)
    for k, v in values.items():
        assert cb.get(k).value == v
    got = cb.get_multi(list(values))
    assert {k: r.value for k, r in got.items()} == values
    cb.upsert(f"{key}-log", "start|", format=FMT_UTF8)
    cb.append(f"{key}-log", "x" * 400)
    assert cb.get(f"{key}-log").value == "start|" + "x" * 400


def test_a_big_compressible_value_is_sent_compressed(connect, mock_cluster, key):
    cb = _open(connect, mock_cluster, "?compression=on")
    before = _received(mock_cluster)
    cb.upsert(key, BIG)
    assert _received(mock_cluster) == before + 1
    cb.upsert_multi({f"{key}-{i}": BIG for i in range(3)})
    assert _received(mock_cluster) == before + 4
    cb.upsert(key + "-small", SMALL)  # under compression_min_size
    cb.upsert(key + "-noise", os.urandom(5000), format=FMT_BYTES)  # does not compress
    assert _received(mock_cluster) == before + 4
    assert cb.get(key).value == BIG


def test_off_and_inflate_only_never_send_compressed(connect, mock_cluster, key):
    for mode in ("off", "inflate_only"):
        cb = _open(connect, mock_cluster, f"?compression={mode}")
        before = _received(mock_cluster)
        cb.upsert(key, BIG)
        assert _received(mock_cluster) == before
        assert cb.get(key).value == BIG


def test_min_size_and_min_ratio_are_honoured(connect, mock_cluster, key):
    cb = _open(connect, mock_cluster, "?compression=on&compression_min_size=1000000")
    before = _received(mock_cluster)
    cb.upsert(key, BIG)  # about 60 KB: under the minimum size
    assert _received(mock_cluster) == before
    cb.compression_min_size = 32
    cb.compression_min_ratio = 0.001  # no value compresses that well
    cb.upsert(key, BIG)
    assert _received(mock_cluster) == before
    cb.compression_min_ratio = 0.83
    cb.upsert(key, BIG)
    assert _received(mock_cluster) == before + 1


def test_changing_the_mode_applies_at_once(connect, mock_cluster, key):
    cb = _open(connect, mock_cluster, "?compression=on")
    before = _received(mock_cluster)
    cb.compression = COMPRESS_NONE
    cb.upsert(key, BIG)
    assert _received(mock_cluster) == before
    cb.compression = COMPRESS_INOUT
    cb.upsert(key, BIG)
    assert _received(mock_cluster) == before + 1


def test_values_the_server_sends_compressed_are_inflated(connect, fresh_mock, key):
    fresh_mock.call(lambda c: setattr(c.buckets["default"], "compression_mode", "active"))
    sent = counters(fresh_mock.cluster.buckets["default"])
    cb = _open(connect, fresh_mock, "?compression=inflate_only")
    cb.upsert(key, BIG)
    cb.upsert(key + "-raw", b"0123456789" * 100, format=FMT_BYTES)
    before = sent.sent
    assert cb.get(key).value == BIG
    assert cb.get(key + "-raw", no_format=True).value == b"0123456789" * 100
    assert cb.get_multi([key, key + "-raw"])[key].value == BIG
    assert sent.sent >= before + 4
