"""KV command semantics, checked over the wire against the real server's status codes."""

from __future__ import annotations

import json
import struct

import pytest
from mock_kvclient import ClusterKV, connect, key_with_active

from couchbase._core.feature import Datatype, Feature
from couchbase._core.frameinfo import RequestFrame, durability_frame, encode_frame
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase._core.vbucket import vbucket_for_key

LOCKED_CAS = 0xFFFFFFFFFFFFFFFF


@pytest.fixture
def key(mock_cluster, request):
    """A fresh key active on node 0."""
    return key_with_active(mock_cluster, 0, request.node.name)


def test_not_my_vbucket_carries_the_config(mock_cluster, kv0):
    other = key_with_active(mock_cluster, 1, "nmvb")
    resp = kv0.get(other)
    assert resp.status == Status.NOT_MY_VBUCKET
    assert resp.datatype == Datatype.JSON
    cfg = json.loads(resp.value)
    vb = vbucket_for_key(other, 1024)
    assert cfg["vBucketServerMap"]["vBucketMap"][vb][0] == 1
    assert cfg["nodesExt"][0].get("thisNode") is True
    assert kv0.set(other, b"v").status == Status.NOT_MY_VBUCKET


def test_set_get_with_flags_datatype_and_mutation_token(kv0, key):
    resp = kv0.set(key, b'{"a":1}', flags=0x02000006, datatype=Datatype.JSON)
    assert resp.status == Status.SUCCESS and resp.cas
    vbuuid, seqno = struct.unpack(">QQ", resp.extras)
    assert vbuuid and seqno >= 1
    got = kv0.get(key)
    assert got.status == Status.SUCCESS
    assert got.value == b'{"a":1}' and got.cas == resp.cas
    assert struct.unpack(">I", got.extras)[0] == 0x02000006
    assert got.datatype == Datatype.JSON
    again = kv0.set(key, b"raw bytes")
    assert again.cas > resp.cas
    assert struct.unpack(">QQ", again.extras) == (vbuuid, seqno + 1)
    assert kv0.get(key).datatype == 0


def test_a_value_nested_deeper_than_a_decoder_follows_is_stored_as_raw_bytes(kv0, key):
    deep = b"[" * 100_000 + b"]" * 100_000
    assert kv0.set(key, deep).status == Status.SUCCESS  # not EINTERNAL
    got = kv0.get(key)
    assert got.value == deep and got.datatype == 0


def test_add_replace_cas_and_delete(kv0, key):
    assert kv0.set(key, b"x", opcode=Opcode.REPLACE).status == Status.KEY_ENOENT
    first = kv0.set(key, b"1", opcode=Opcode.ADD)
    assert first.status == Status.SUCCESS
    assert kv0.set(key, b"2", opcode=Opcode.ADD).status == Status.KEY_EEXISTS
    assert kv0.set(key, b"2", cas=first.cas + 1).status == Status.KEY_EEXISTS
    second = kv0.set(key, b"2", cas=first.cas, opcode=Opcode.REPLACE)
    assert second.status == Status.SUCCESS
    assert kv0.doc(Opcode.DELETE, key, cas=first.cas).status == Status.KEY_EEXISTS
    deleted = kv0.doc(Opcode.DELETE, key, cas=second.cas)
    assert deleted.status == Status.SUCCESS and len(deleted.extras) == 16
    assert kv0.get(key).status == Status.KEY_ENOENT
    assert kv0.doc(Opcode.DELETE, key).status == Status.KEY_ENOENT
    assert kv0.set(key, b"3", cas=second.cas, opcode=Opcode.REPLACE).status == Status.KEY_ENOENT
    assert kv0.set(key, b"again", opcode=Opcode.ADD).status == Status.SUCCESS


def test_getk_and_quiet_variants(kv0, key):
    missing = kv0.doc(Opcode.GETK, key)
    assert missing.status == Status.KEY_ENOENT
    kv0.send(Opcode.GETQ, key, vbucket=vbucket_for_key(key, 1024))
    kv0.send(Opcode.SETQ, key, b"q", struct.pack(">II", 0, 0), vbucket=vbucket_for_key(key, 1024))
    kv0.send(Opcode.GETKQ, key, vbucket=vbucket_for_key(key, 1024))
    noop = kv0.send(Opcode.NOOP)
    got = kv0.recv()
    assert got.opcode == Opcode.GETKQ and got.key == key and got.value == b"q"
    assert kv0.recv().opaque == noop


def test_append_prepend(kv0, key):
    assert kv0.doc(Opcode.APPEND, key, b"x").status == Status.NOT_STORED
    kv0.set(key, b"mid")
    assert kv0.doc(Opcode.APPEND, key, b">").status == Status.SUCCESS
    assert kv0.doc(Opcode.PREPEND, key, b"<").status == Status.SUCCESS
    assert kv0.get(key).value == b"<mid>"


def test_counters(mock_cluster, kv0, key):
    resp = kv0.counter(key, 5, initial=10)
    assert resp.status == Status.SUCCESS and struct.unpack(">Q", resp.value)[0] == 10
    assert struct.unpack(">Q", kv0.counter(key, 5).value)[0] == 15
    assert struct.unpack(">Q", kv0.counter(key, 100, incr=False).value)[0] == 0
    assert kv0.get(key).value == b"0"
    kv0.set(key, str(2**64 - 1).encode())
    assert struct.unpack(">Q", kv0.counter(key, 2).value)[0] == 1
    kv0.set(key, b"not a number")
    assert kv0.counter(key, 1).status == Status.DELTA_BADVAL
    missing = key_with_active(mock_cluster, 0, "ctr-missing")
    assert kv0.counter(missing, 1, exptime=0xFFFFFFFF).status == Status.KEY_ENOENT


def test_expiry_relative_and_absolute(fresh_mock):
    with ClusterKV(fresh_mock) as kv:
        now = int(fresh_mock.call(lambda c: c.clock()))
        kv.set(b"rel", b"v", exptime=10)
        kv.set(b"abs", b"v", exptime=now + 100)
        kv.set(b"past", b"v", exptime=now - 100)
        kv.set(b"never", b"v")
        assert kv.get(b"past").status == Status.KEY_ENOENT
        fresh_mock.advance_time(11)
        assert kv.get(b"rel").status == Status.KEY_ENOENT
        assert kv.get(b"abs").status == Status.SUCCESS
        fresh_mock.advance_time(100)
        assert kv.get(b"abs").status == Status.KEY_ENOENT
        assert kv.get(b"never").status == Status.SUCCESS
        # An expired document can be added again.
        assert kv.set(b"rel", b"new", opcode=Opcode.ADD).status == Status.SUCCESS


def test_touch_and_gat(fresh_mock):
    with ClusterKV(fresh_mock) as kv:
        assert kv.doc(Opcode.TOUCH, b"t", extras=struct.pack(">I", 5)).status == Status.KEY_ENOENT
        first = kv.set(b"t", b"v", flags=7, exptime=5)
        touched = kv.doc(Opcode.TOUCH, b"t", extras=struct.pack(">I", 100))
        assert touched.status == Status.SUCCESS and touched.cas != first.cas
        fresh_mock.advance_time(50)
        gat = kv.doc(Opcode.GAT, b"t", extras=struct.pack(">I", 10))
        assert gat.value == b"v" and struct.unpack(">I", gat.extras)[0] == 7
        fresh_mock.advance_time(11)
        assert kv.get(b"t").status == Status.KEY_ENOENT


def test_locking(fresh_mock):
    lock = struct.pack(">I", 10)
    with ClusterKV(fresh_mock) as kv:
        kv.set(b"l", b"v")
        locked = kv.doc(Opcode.GET_LOCKED, b"l", extras=lock)
        assert locked.status == Status.SUCCESS and locked.value == b"v"
        assert kv.get(b"l").cas == LOCKED_CAS
        assert kv.doc(Opcode.GET_LOCKED, b"l", extras=lock).status == Status.LOCKED
        assert kv.set(b"l", b"w").status == Status.LOCKED
        assert kv.set(b"l", b"w", cas=locked.cas + 1).status == Status.LOCKED
        assert kv.doc(Opcode.DELETE, b"l").status == Status.LOCKED
        assert kv.doc(Opcode.UNLOCK_KEY, b"l", cas=locked.cas + 1).status == Status.LOCKED
        assert kv.doc(Opcode.UNLOCK_KEY, b"l", cas=locked.cas).status == Status.SUCCESS
        assert kv.doc(Opcode.UNLOCK_KEY, b"l", cas=locked.cas).status == Status.NOT_LOCKED
        assert kv.get(b"l").cas == locked.cas
        # Mutating with the lock's CAS succeeds and unlocks.
        relocked = kv.doc(Opcode.GET_LOCKED, b"l", extras=lock)
        assert kv.set(b"l", b"w", cas=relocked.cas).status == Status.SUCCESS
        assert kv.get(b"l").cas != LOCKED_CAS
        # Locks time out (default 15 s, at most 30 s).
        kv.doc(Opcode.GET_LOCKED, b"l", extras=struct.pack(">I", 0))
        fresh_mock.advance_time(14)
        assert kv.set(b"l", b"x").status == Status.LOCKED
        fresh_mock.advance_time(2)
        assert kv.set(b"l", b"x").status == Status.SUCCESS
        kv.doc(Opcode.GET_LOCKED, b"l", extras=struct.pack(">I", 3600))
        fresh_mock.advance_time(31)
        assert kv.set(b"l", b"y").status == Status.SUCCESS


def test_locked_without_xerror_uses_legacy_statuses(fresh_mock):
    with ClusterKV(fresh_mock, features=(Feature.SELECT_BUCKET,)) as kv:
        kv.set(b"l", b"v")
        kv.doc(Opcode.GET_LOCKED, b"l")
        assert kv.set(b"l", b"w").status == Status.KEY_EEXISTS
        assert kv.doc(Opcode.GET_LOCKED, b"l").status == Status.ETMPFAIL


def test_replica_read_only_on_replica_node(mock_cluster, key):
    vb, active, replicas = mock_cluster.locate("default", key)
    assert active == 0 and replicas == [1]
    with connect(mock_cluster, node=0) as kv:
        kv.set(key, b"replicated", flags=3)
        assert kv.doc(Opcode.GET_REPLICA, key).status == Status.NOT_MY_VBUCKET
    assert mock_cluster.stored_on("default", key) == {0: "active", 1: "replica"}
    with connect(mock_cluster, node=1) as kv:
        resp = kv.doc(Opcode.GET_REPLICA, key)
        assert resp.status == Status.SUCCESS and resp.value == b"replicated"
        assert struct.unpack(">I", resp.extras)[0] == 3
        missing = key_with_active(mock_cluster, 0, "replica-missing")
        assert kv.doc(Opcode.GET_REPLICA, missing).status == Status.KEY_ENOENT
    with connect(mock_cluster, node=2) as kv:
        assert kv.doc(Opcode.GET_REPLICA, key).status == Status.NOT_MY_VBUCKET


def test_observe(mock_cluster, kv0, key):
    missing = key_with_active(mock_cluster, 0, "obs-missing")
    stored = kv0.set(key, b"v")

    def entry(k: bytes) -> bytes:
        return struct.pack(">HH", vbucket_for_key(k, 1024), len(k)) + k

    resp = kv0.request(Opcode.OBSERVE, value=entry(key))
    assert resp.status == Status.SUCCESS
    assert resp.value[:-9] == entry(key) and resp.value[-9] in (0x00, 0x01)
    mock_cluster.flush_to_disk()
    resp = kv0.request(Opcode.OBSERVE, value=entry(key))
    assert resp.value == entry(key) + struct.pack(">BQ", 0x01, stored.cas)  # on disk
    kv0.doc(Opcode.DELETE, key)
    resp = kv0.request(Opcode.OBSERVE, value=entry(key))
    assert resp.value[-9] in (0x81, 0x80)  # deleted; on disk or not yet
    mock_cluster.flush_to_disk()
    resp = kv0.request(Opcode.OBSERVE, value=entry(missing) + entry(key))
    assert resp.value == (entry(missing) + struct.pack(">BQ", 0x80, 0) + entry(key)
                          + resp.value[-9:])
    assert resp.value[-9] == 0x80  # the deletion is on disk
    elsewhere = key_with_active(mock_cluster, 2, "obs-elsewhere")
    assert kv0.request(Opcode.OBSERVE, value=entry(elsewhere)).status == Status.NOT_MY_VBUCKET


def test_observe_seqno(mock_cluster, kv0, key):
    resp = kv0.set(key, b"v")
    vbuuid, seqno = struct.unpack(">QQ", resp.extras)
    vb = vbucket_for_key(key, 1024)
    mock_cluster.flush_to_disk()
    obs = kv0.request(Opcode.OBSERVE_SEQNO, value=struct.pack(">Q", vbuuid), vbucket=vb)
    fmt, rvb, ruuid, persisted, current = struct.unpack(">BHQQQ", obs.value)
    assert (fmt, rvb, ruuid) == (0, vb, vbuuid)
    assert current >= persisted >= seqno


def test_get_meta(kv0, key):
    assert kv0.doc(Opcode.GET_META, key).status == Status.KEY_ENOENT
    stored = kv0.set(key, b"{}", flags=9, datatype=Datatype.JSON)
    meta = kv0.doc(Opcode.GET_META, key, extras=b"\x02")
    deleted, flags, exptime, revno, datatype = struct.unpack(">IIIQB", meta.extras)
    assert (deleted, flags, exptime, datatype) == (0, 9, 0, Datatype.JSON)
    assert meta.cas == stored.cas and revno >= 1
    kv0.doc(Opcode.DELETE, key)
    meta = kv0.doc(Opcode.GET_META, key)
    assert struct.unpack(">IIIQ", meta.extras)[0] == 1


def test_value_too_big(kv0, key):
    assert kv0.set(key, b"x" * (20 * 1024 * 1024 + 1)).status == Status.E2BIG


def test_collections(fresh_mock):
    """On a cluster of its own: other tests add collections to the session's buckets."""
    mock_cluster = fresh_mock
    feats = (Feature.XERROR, Feature.SELECT_BUCKET, Feature.COLLECTIONS, Feature.JSON)
    with connect(mock_cluster, features=feats) as kv:
        manifest = json.loads(kv.request(Opcode.GET_COLLECTIONS_MANIFEST).value)
        assert manifest["uid"] == "0"
        assert manifest["scopes"][0]["name"] == "_default"
        assert manifest["scopes"][0]["collections"][0] == {"name": "_default", "uid": "0"}
        resp = kv.request(Opcode.GET_COLLECTION_ID, value=b"_default._default")
        assert resp.status == Status.SUCCESS and struct.unpack(">QI", resp.extras) == (0, 0)
        resp = kv.request(Opcode.GET_COLLECTION_ID, key=b"_default._default")
        assert resp.status == Status.SUCCESS
        missing = kv.request(Opcode.GET_COLLECTION_ID, value=b"_default.nope")
        assert missing.status == Status.UNKNOWN_COLLECTION
        assert kv.request(Opcode.GET_COLLECTION_ID, value=b"nope.x").status == Status.UNKNOWN_SCOPE
        key = key_with_active(mock_cluster, 0, "coll")
        assert kv.set(key, b"v").status == Status.SUCCESS  # cid 0 prefix
        assert kv.get(key).value == b"v"
        assert kv.get(key, cid=8).status == Status.UNKNOWN_COLLECTION
    # The same document without collections: same key, default collection.
    with connect(mock_cluster) as kv:
        assert kv.get(key).value == b"v"


def test_alt_framing_durability_and_preserve_ttl(fresh_mock):
    with ClusterKV(fresh_mock) as kv:
        frames = durability_frame(1, 1500)
        assert kv.set(b"d", b"v", exptime=100, framing=frames).status == Status.SUCCESS
        keep = encode_frame(RequestFrame.PRESERVE_TTL)
        assert kv.set(b"d", b"w", framing=keep).status == Status.SUCCESS
        fresh_mock.advance_time(101)
        assert kv.get(b"d").status == Status.KEY_ENOENT
        bad = encode_frame(RequestFrame.DURABILITY, b"\x09")
        assert kv.set(b"d", b"v", framing=bad).status == Status.DURABILITY_INVALID_LEVEL
        unknown = encode_frame(12, b"")
        assert kv.set(b"d", b"v", framing=unknown).status == Status.UNKNOWN_FRAME_INFO


def test_stats(kv0, key):
    kv0.set(key, b"v")
    opaque = kv0.send(Opcode.STAT)
    stats = {}
    while True:
        resp = kv0.recv()
        assert resp.opaque == opaque and resp.status == Status.SUCCESS
        if not resp.key:
            break
        stats[resp.key.decode()] = resp.value.decode()
    assert {"pid", "uptime", "curr_items", "mem_used", "ep_num_vbuckets"} <= set(stats)
    assert int(stats["curr_items"]) >= 1
    assert kv0.request(Opcode.STAT, key=b"no-such-group").status == Status.KEY_ENOENT


def test_memcached_bucket(fresh_mock):
    fresh_mock.create_bucket("cache", bucket_type="memcached")
    with connect(fresh_mock, node=1, bucket="cache") as kv:
        cfg = kv.config()
        assert cfg["nodeLocator"] == "ketama" and "vBucketServerMap" not in cfg
        assert kv.set(b"m", b"v", vbucket=0).status == Status.SUCCESS
        assert kv.get(b"m", vbucket=0).value == b"v"
