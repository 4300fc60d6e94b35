"""Snappy compression over TLS (issue 14), on every front end.

HELLO SNAPPY is negotiated on a ``couchbases://`` connection as on a plain one:
a large compressible value upserted with ``compression=on`` arrives at the
server compressed (the local cluster counts what it received compressed; it
refuses compressed values from a connection that did not negotiate), and a
value the server answers compressed (bucket compression mode ``active``) is
inflated. With ``compression=off`` nothing travels compressed either way. The
values are large (a megabyte before compression), so a compressed body spans
many TLS records and arrives in pieces.
"""

from __future__ import annotations

import random
from typing import Any, Callable, Iterator

import pytest

from couchbase_mock.compression import counters
from couchbase_mock.mock import MockCluster
from frontends.conftest import connect, front_end, loop_thread  # noqa: F401 - fixtures

pytest.importorskip("trustme")  # the cluster's certificates ('mock-tls' extra)

_WORDS = ["couchbase", "snappy", "over", "tls", "record", "frame", "value", "again"]
# about 1 MB of JSON from a small vocabulary: compresses, but not to a single TLS record
BIG = {"rows": [{"id": i, "text": " ".join(random.Random(i).choices(_WORDS, k=12))}
                for i in range(12_000)]}


@pytest.fixture(scope="module")
def tls_mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=1, tls=True, tls_only=True) as mock:
        mock.call(lambda c: setattr(c.buckets["default"], "compression_mode", "active"))
        yield mock


@pytest.fixture
def open_tls(connect: Callable[..., Any], front_end: str,  # noqa: F811
             tls_mock: MockCluster) -> Callable[[str], Any]:
    if front_end == "twisted":
        pytest.importorskip("OpenSSL")  # Twisted's TLS ('twisted[tls]')

    def make(compression: str) -> Any:
        cb = connect(f"{tls_mock.tls_connstr}/default?cert_path={tls_mock.ca_path}"
                     f"&compression={compression}", username="Administrator",
                     password="password")
        assert cb.is_ssl
        return cb

    return make


def _counts(mock: MockCluster) -> tuple[int, int, int]:
    c = counters(mock.cluster.buckets["default"])
    return c.received, c.refused, c.sent


def test_compressed_both_ways_over_tls(open_tls: Callable[[str], Any], tls_mock: MockCluster,
                                       front_end: str) -> None:  # noqa: F811
    cb = open_tls("on")
    key = f"tls-snappy-{front_end}"
    received, refused, sent = _counts(tls_mock)
    cb.upsert(key, BIG)
    now_received, now_refused, _ = _counts(tls_mock)
    assert now_received == received + 1  # sent compressed, so SNAPPY was negotiated
    assert now_refused == refused
    stats = counters(tls_mock.cluster.buckets["default"])
    assert stats.received_bytes < stats.inflated_bytes
    assert cb.get(key).value == BIG  # answered compressed (active bucket), inflated here
    assert _counts(tls_mock)[2] == sent + 1


def test_compression_off_sends_and_receives_plain(open_tls: Callable[[str], Any],
                                                  tls_mock: MockCluster,
                                                  front_end: str) -> None:  # noqa: F811
    cb = open_tls("off")
    key = f"tls-plain-{front_end}"
    before = _counts(tls_mock)
    cb.upsert(key, BIG)
    assert cb.get(key).value == BIG
    assert _counts(tls_mock) == before  # nothing compressed in, nothing compressed out
