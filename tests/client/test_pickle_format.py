"""FMT_PICKLE: written as 2.x wrote it, read whatever protocol wrote it."""

from __future__ import annotations

import pickle

from couchbase import FMT_PICKLE, formats


def test_values_are_pickled_with_a_protocol_older_readers_know(cb, key):
    cb.upsert(key, {"beer": "Juleøl"}, format=FMT_PICKLE)
    raw = cb.get(key, no_format=True).value
    assert raw[:2] == b"\x80\x04"  # PROTO 4, not 5
    assert pickle.loads(raw) == {"beer": "Juleøl"}


def test_every_protocol_reads_back(cb, key, monkeypatch):
    for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
        # as another application (another SDK, another Python) wrote it
        monkeypatch.setattr(formats, "_pickle_encode",
                            lambda obj, p=protocol: pickle.dumps(obj, p))
        cb.upsert(key, ["x", protocol], format=FMT_PICKLE)
        monkeypatch.undo()
        raw = cb.get(key, no_format=True).value
        assert (raw[:2] == bytes([0x80, protocol])) == (protocol >= 2)  # written so
        assert cb.get(key).value == ["x", protocol]
