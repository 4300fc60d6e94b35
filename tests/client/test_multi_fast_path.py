"""The sync API's batch fast path (get_multi of a list, upsert_multi of a plain dict):
the same outcomes as the general path, at its edges."""

from __future__ import annotations

import pytest

from couchbase import FMT_BYTES, FMT_PICKLE, FMT_UTF8
from couchbase._core.packet import GetAnswers, PacketReader, encode_packet
from couchbase._io.blocking import BlockingNode
from couchbase.bucket import Bucket
from couchbase.exceptions import (
    ArgumentError,
    DuplicateCommandsError,
    NotFoundError,
    ValueFormatError,
)
from couchbase.exceptions import TimeoutError as CouchbaseTimeoutError
from couchbase.transcoder import Transcoder
from couchbase_mock.mock import MockCluster


def test_a_batch_mixing_present_and_missing_keys(cb, key):
    here = {f"{key}-here-{i}": {"i": i} for i in range(20)}
    cb.upsert_multi(here)
    keys = [f"{key}-missing-{i}" if i % 3 == 0 else f"{key}-here-{i}" for i in range(20)]
    quiet = cb.get_multi(keys, quiet=True)
    assert not quiet.all_ok
    for i, k in enumerate(keys):
        if i % 3 == 0:
            assert quiet[k].rc == 0xD and not quiet[k].success and quiet[k].value is None
        else:
            assert quiet[k].success and quiet[k].value == {"i": i}
    with pytest.raises(NotFoundError) as info:
        cb.get_multi(keys, quiet=False)
    assert info.value.key == keys[0]  # the first failure in the caller's order
    results = info.value.all_results
    assert set(results) == set(keys)
    assert results[keys[1]].value == {"i": 1} and results[keys[3]].rc == 0xD


def test_a_batch_spanning_every_node(cb, key):
    docs = {f"{key}-{i}": [i, str(i)] for i in range(200)}
    router = cb._live().router
    nodes = {router.route_index(k.encode())[1] for k in docs}
    assert nodes == set(range(len(router.addresses())))  # (4 nodes: all of them)
    stored = cb.upsert_multi(docs)
    assert stored.all_ok and all(r.cas for r in stored.values())
    got = cb.get_multi(list(docs))
    assert {k: r.value for k, r in got.items()} == docs
    assert all(got[k].cas == stored[k].cas for k in docs)
    assert list(cb.get_multi(tuple(docs))) == list(docs)  # a tuple too, order kept


def test_values_stored_in_other_formats_come_back_in_theirs(cb, key):
    cb.upsert(f"{key}-text", "plain text", format=FMT_UTF8)
    cb.upsert(f"{key}-bytes", b"\x00\xffraw", format=FMT_BYTES)
    cb.upsert(f"{key}-pickle", {1, 2, 3}, format=FMT_PICKLE)
    cb.upsert(f"{key}-json", {"a": [1]})
    got = cb.get_multi([f"{key}-text", f"{key}-bytes", f"{key}-pickle", f"{key}-json"])
    assert got[f"{key}-text"].value == "plain text"
    assert got[f"{key}-bytes"].value == b"\x00\xffraw"
    assert got[f"{key}-pickle"].value == {1, 2, 3}
    assert got[f"{key}-json"].value == {"a": [1]}
    raw = cb.get_multi([f"{key}-json"], no_format=True)
    assert raw[f"{key}-json"].value == b'{"a":[1]}'


def test_upsert_multi_with_a_format_for_the_whole_batch(cb, key):
    docs = {f"{key}-{i}": f"text {i}" for i in range(10)}
    cb.upsert_multi(docs, format=FMT_UTF8)
    got = cb.get_multi(list(docs))
    assert {k: (r.value, r.flags) for k, r in got.items()} == \
        {k: (v, FMT_UTF8) for k, v in docs.items()}


def test_a_key_too_long_fails_the_batch_before_anything_is_sent(cb, key):
    long_key = "k" * 251  # the server takes at most 250 bytes
    with pytest.raises(ArgumentError):
        cb.upsert_multi({f"{key}-first": 1, long_key: 2})
    with pytest.raises(NotFoundError):
        cb.get(f"{key}-first")  # (nothing was written)
    with pytest.raises(ArgumentError):
        cb.get_multi([f"{key}-first", long_key])
    # 250 characters, 500 bytes of UTF-8: too long as well
    with pytest.raises(ArgumentError):
        cb.get_multi([f"{key}-first", "é" * 250])
    cb.upsert("k" * 250, "fits")  # 250 bytes is allowed
    assert cb.get_multi(["k" * 250])["k" * 250].value == "fits"


def test_keys_that_are_not_plain_ascii_take_the_general_checks(cb, key):
    docs = {f"{key}-clé": 1, f"{key}-键": 2}
    cb.upsert_multi(docs)
    got = cb.get_multi([*docs, f"{key}-ascii"], quiet=True)
    assert got[f"{key}-clé"].value == 1 and got[f"{key}-键"].value == 2
    with pytest.raises(ArgumentError):
        cb.get_multi([f"{key}-a", ""])  # an empty key
    with pytest.raises(ValueFormatError):
        cb.get_multi([f"{key}-a", 12])  # not a str
    with pytest.raises(ValueFormatError):
        cb.get_multi([f"{key}-a", "\ud800"])  # a lone surrogate has no UTF-8
    with pytest.raises(DuplicateCommandsError):
        cb.get_multi([f"{key}-a", f"{key}-a"])


def test_a_batch_follows_a_failover_through_not_my_vbucket(monkeypatch):
    from couchbase._io.blocking_cluster import BlockingCluster

    seen = []
    original = BlockingCluster._not_my_vbucket

    def spy(self, pkt, *args):
        seen.append(pkt.status)
        return original(self, pkt, *args)

    monkeypatch.setattr(BlockingCluster, "_not_my_vbucket", spy)
    with MockCluster(nodes=3, replicas=1) as mock:
        cb = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
        try:
            docs = {f"nmvb-{i}": {"i": i} for i in range(300)}
            cb.upsert_multi(docs)
            assert cb.get_multi(list(docs)).all_ok  # connections to every node are open
            old = cb._live().router.config
            mock.failover(1)  # node 1 stays up, answering NOT_MY_VBUCKET for what it had
            got = cb.get_multi(list(docs))
            assert {k: r.value for k, r in got.items()} == docs
            assert seen and cb._live().router.config is not old  # it took the new map
            again = {k: {"i": -v["i"]} for k, v in docs.items()}
            assert cb.upsert_multi(again).all_ok
            assert {k: r.value for k, r in cb.get_multi(list(docs)).items()} == again
        finally:
            cb.close()


# -- the sync get_multi's batch path: BlockingCluster.get_many ---------------------------

def _get_answer(opaque: int, value: bytes, flags: int, cas: int, status: int = 0,
                extras: bytes = b"") -> bytes:
    return encode_packet(0x81, 0x00, b"", value, extras or flags.to_bytes(4, "big"), b"",
                         0, status, opaque, cas)


def test_the_batch_reader_takes_answers_split_anywhere():
    """Answers cut at every byte (inside headers, flags, values): the same outcome as
    in one piece. SUCCESS answers land in the lists; others come back as packets;
    an opaque outside the batch is returned for the general rules."""
    stream = b"".join([
        _get_answer(100, b'{"a":1}', 0x02000000, 7),
        _get_answer(101, b"Not found", 0, 0, status=0x01, extras=b"\x00"),  # (odd: 1 byte)
        encode_packet(0x81, 0x00, b"", b"", b"", b"", 0, 0x01, 102, 0),  # 24 bytes only
        _get_answer(103, b"", 0x01, 9),  # an empty value
        _get_answer(999, b"orphan", 0, 1),  # not one of the batch's
        _get_answer(104, b"x" * 300, 0x04000000, 11),
    ])
    for cut in [None, *range(1, len(stream))]:
        for step in ([len(stream)] if cut is None else [cut]):
            n = 5
            values, flags, cas = [None] * n, [None] * n, [None] * n
            where = [4, 3, 2, 1, 0]  # (positions in the caller's order: reversed)
            reader = GetAnswers(PacketReader(), 100, where, values, flags, cas)
            others = []
            for start in range(0, len(stream), step):
                others += reader.feed(stream[start:start + step])
            assert reader.pending == 0
            assert values == [b"x" * 300, b"", None, None, b'{"a":1}'], cut
            assert flags[4] == 0x02000000 and cas[4] == 7 and flags[0] == 0x04000000
            assert [(p.opaque, p.status) for p in others] == [(101, 1), (102, 1), (999, 0)]
            assert reader.answered == 3


def test_the_batch_reader_keeps_what_the_connection_had_buffered():
    first = _get_answer(5, b"late", 0, 1)
    old = PacketReader()
    assert old.feed(first[:10]) == []
    values, flags, cas = [None], [None], [None]
    reader = GetAnswers(old, 6, [0], values, flags, cas)
    others = reader.feed(first[10:] + _get_answer(6, b"1", 0x02000000, 3))
    assert [p.opaque for p in others] == [5] and values == [b"1"]


def test_a_value_that_does_not_decode_fails_its_key_only(mock_cluster, key):
    class Picky(Transcoder):
        def decode_value(self, value: bytes, flags: int) -> object:
            if value == b'"bad"':
                raise ValueError("not this one")
            return super().decode_value(value, flags)

    cb = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                password="password", transcoder=Picky())
    try:
        cb.upsert_multi({f"{key}-ok": "good", f"{key}-bad": "bad"})
        with pytest.raises(ValueFormatError) as info:
            cb.get_multi([f"{key}-ok", f"{key}-bad"])
        assert info.value.key == f"{key}-bad"
        results = info.value.all_results
        assert results[f"{key}-ok"].value == "good" and not results[f"{key}-bad"].success
    finally:
        cb.close()


def test_missing_keys_only(cb, key):
    keys = [f"{key}-{i}" for i in range(30)]
    got = cb.get_multi(keys, quiet=True)
    assert list(got) == keys and not got.all_ok
    assert all(r.rc == 0xD and r.value is None for r in got.values())
    with pytest.raises(NotFoundError):
        cb.get_multi(keys)
    assert cb.get_multi([]) == {}


def test_a_connection_lost_mid_batch_is_read_again_over_a_new_one(cb, key, monkeypatch):
    """GETs are safe to repeat: the keys of a node whose connection dropped after the
    batch was written are fetched again (a new connection), the others kept."""
    docs = {f"{key}-{i}": i for i in range(100)}
    cb.upsert_multi(docs)
    original = BlockingNode.send
    dropped = []

    def send(self, data, deadline):
        original(self, data, deadline)
        if not dropped and len(data) > 500:  # (the batch's write to the first node)
            dropped.append(self)
            self.sock.shutdown(2)  # the stream ends before any answer is read

    monkeypatch.setattr(BlockingNode, "send", send)
    got = cb.get_multi(list(docs))
    assert dropped and got.all_ok and {k: r.value for k, r in got.items()} == docs


def test_a_node_that_never_answers_times_its_keys_out(mock_cluster, key, monkeypatch):
    cb = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                password="password", timeout=0.3)
    try:
        docs = {f"{key}-{i}": i for i in range(100)}
        cb.upsert_multi(docs)
        original = BlockingNode.send
        silent = []

        def send(self, data, deadline):
            if not silent and len(data) > 500:
                silent.append(self)  # this node's batch is never written: no answers
                return
            original(self, data, deadline)

        monkeypatch.setattr(BlockingNode, "send", send)
        with pytest.raises(CouchbaseTimeoutError) as info:
            cb.get_multi(list(docs))
        results = info.value.all_results
        late = {k for k, r in results.items() if not r.success}
        assert late and len(late) < len(docs)  # that node's keys only
        assert all(results[k].value == docs[k] for k in docs if k not in late)
        monkeypatch.setattr(BlockingNode, "send", original)
        assert cb.get_multi(list(docs)).all_ok  # the connection still serves
    finally:
        cb.close()


# -- the 4.x Collection.get_multi on the same path -----------------------------------------

def test_encode_gets_puts_the_collection_prefix_in_front_of_each_key():
    from couchbase._core.leb128 import split_key
    from couchbase._core.request import encode_gets

    for cid, collections in ((0, True), (9, True), (200, True), (0, False)):
        data = encode_gets([b"a", b"bcd"], [3, 1000], 40, collections, cid)
        pkts = PacketReader().feed(data)
        assert [(p.opcode, p.vbucket, p.opaque) for p in pkts] == [(0, 3, 40), (0, 1000, 41)]
        if collections:
            assert [split_key(p.key) for p in pkts] == [(cid, b"a"), (cid, b"bcd")]
        else:
            assert [p.key for p in pkts] == [b"a", b"bcd"]


def _spy_get_many(monkeypatch):
    from couchbase._io.blocking_cluster import BlockingCluster

    calls = []
    original = BlockingCluster.get_many

    def spy(self, keys, cid=0):
        calls.append(cid)
        return original(self, keys, cid)

    monkeypatch.setattr(BlockingCluster, "get_many", spy)
    return calls


def test_collection_get_multi_takes_get_many_unless_options_say_otherwise(cb, key,
                                                                         monkeypatch):
    from datetime import timedelta

    from couchbase.transcoder import RawJSONTranscoder

    calls = _spy_get_many(monkeypatch)
    coll = cb.default_collection()
    docs = {f"{key}-{i}": {"i": i} for i in range(5)}
    coll.upsert_multi(docs)
    assert coll.get_multi(list(docs)).all_ok and calls == [0]
    assert coll.get_multi(list(docs), return_exceptions=False).all_ok and calls == [0, 0]
    for kwargs in ({"timeout": timedelta(seconds=3)}, {"transcoder": RawJSONTranscoder()},
                   {"per_key_options": {f"{key}-0": {"timeout": timedelta(seconds=3)}}}):
        got = coll.get_multi(list(docs), **kwargs)  # (each key built by the single get's rules)
        assert got.all_ok and calls == [0, 0]
    raw = coll.get_multi(list(docs), transcoder=RawJSONTranscoder())
    assert raw.results[f"{key}-0"].content_as[bytes] == b'{"i":0}'
    with pytest.raises(Exception) as info:  # a bad key: the 4.x class, before anything is sent
        coll.get_multi([f"{key}-0", "k" * 251])
    assert type(info.value).__name__ == "InvalidArgumentException" and calls == [0, 0]


def test_collection_get_multi_follows_a_failover_through_not_my_vbucket():
    with MockCluster(nodes=3, replicas=1) as mock:
        mock.create_scope("default", "app")
        mock.create_collection("default", "app", "users")
        cb = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
        try:
            coll = cb.scope("app").collection("users")
            docs = {f"nmvb-{i}": {"i": i} for i in range(300)}
            assert coll.upsert_multi(docs).all_ok
            assert coll.get_multi(list(docs)).all_ok  # connections to every node are open
            old = cb._live().router.config
            mock.failover(1)
            got = coll.get_multi(list(docs))
            assert got.all_ok and {k: r.content_as[dict] for k, r in got.results.items()} == docs
            assert cb._live().router.config is not old
        finally:
            cb.close()


def test_collection_get_multi_times_out_a_silent_node_as_the_general_path(
        mock_cluster, key, monkeypatch):
    from couchbase import _multi4x

    cb = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                password="password", timeout=0.3)
    try:
        coll = cb.default_collection()
        docs = {f"{key}-{i}": i for i in range(100)}
        coll.upsert_multi(docs)
        original = BlockingNode.send
        for general in (False, True):
            if general:
                monkeypatch.setattr(_multi4x, "batch_gets", lambda bucket: None)
            silent = []

            def send(self, data, deadline, silent=silent):
                if not silent and len(data) > 500:
                    silent.append(self)  # this node's batch is never written
                    return
                original(self, data, deadline)

            monkeypatch.setattr(BlockingNode, "send", send)
            got = coll.get_multi(list(docs))
            monkeypatch.setattr(BlockingNode, "send", original)
            late = {k: type(e).__name__ for k, e in got.exceptions.items()}
            assert late and len(late) < len(docs)  # that node's keys only
            assert set(late.values()) == {"UnAmbiguousTimeoutException"}
            assert all(got.results[k].content_as[int] == docs[k] for k in docs if k not in late)
            assert coll.get_multi(list(docs)).all_ok  # the connection still serves
    finally:
        cb.close()
