"""couchbase.transcoder's 2.x names work as transcoders of a bucket."""

from __future__ import annotations

from couchbase import FMT_UTF8
from couchbase.bucket import Bucket
from couchbase.transcoder import LegacyTranscoderPP, TranscoderPP


def test_the_pure_python_transcoder_names_store_and_read(mock_cluster, key):
    for transcoder, flags in ((TranscoderPP, FMT_UTF8), (LegacyTranscoderPP, 0x04)):
        cb = Bucket(f"{mock_cluster.connstr}/default", password="", transcoder=transcoder)
        cb.upsert(key, "text", format=FMT_UTF8)
        got = cb.get(key)
        assert got.value == "text" and got.flags == flags
        cb.close()
