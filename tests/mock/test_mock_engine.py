"""The mock's building blocks without sockets: clock, CAS, expiry, map, manifest, engine."""

from __future__ import annotations

import pytest

from couchbase._core.status import Status
from couchbase_mock.bucket import Bucket, build_vbucket_map
from couchbase_mock.cluster import Cluster
from couchbase_mock.engine import absolute_expiry, parse_counter
from couchbase_mock.manifest import Manifest, ManifestError
from couchbase_mock.storage import CasSource, Clock


def test_clock_advances_without_sleeping():
    clock = Clock(lambda: 1000.0)
    assert clock() == 1000.0
    clock.advance(5)
    assert clock() == 1005.0


def test_cas_is_unique_and_increasing_even_when_time_stands_still():
    cas = CasSource(Clock(lambda: 1_700_000_000.0))
    values = [cas.next() for _ in range(100)]
    assert values == sorted(set(values))
    assert values[0] == int(1_700_000_000 * 1e9) & ~0xFFFF


@pytest.mark.parametrize(
    "exptime,expected",
    [(0, 0), (10, 3_000_010), (2_592_000, 3_000_000 + 2_592_000), (2_000_000_000, 2_000_000_000),
     (2_592_001, 3_000_000)],  # an absolute time in the past expires at once
)
def test_absolute_expiry(exptime, expected):
    assert absolute_expiry(exptime, 3_000_000.5) == expected


@pytest.mark.parametrize(
    "value,expected",
    [(b"0", 0), (b"42", 42), (b"18446744073709551615", 2**64 - 1), (b"18446744073709551616", None),
     (b"-1", None), (b"", None), (b"1.5", None), (b" 1", None)],
)
def test_parse_counter(value, expected):
    assert parse_counter(value) == expected


def test_vbucket_map_round_robin_with_replicas_on_next_nodes():
    vbmap = build_vbucket_map(1024, 4, 2)
    assert vbmap[0] == [0, 1, 2] and vbmap[3] == [3, 0, 1] and vbmap[1023] == [3, 0, 1]
    assert build_vbucket_map(2, 1, 1) == [[0, -1], [0, -1]]


def test_manifest_ids_and_errors():
    m = Manifest()
    assert m.collection_id("_default._default") == (0, 0)
    m.create_scope("inventory")
    coll = m.create_collection("inventory", "hotels", max_ttl=60)
    assert coll.uid == 9 and m.uid == 2
    assert m.collection_id("inventory.hotels") == (2, 9)
    with pytest.raises(ManifestError) as err:
        m.collection_id("nope.x")
    assert err.value.kind == "scope"
    with pytest.raises(ManifestError) as err:
        m.collection_id("inventory.nope")
    assert err.value.kind == "collection"
    doc = m.to_json()
    assert doc["uid"] == "2"
    assert doc["scopes"][1] == {"name": "inventory", "uid": "8",
                                "collections": [{"name": "hotels", "uid": "9", "maxTTL": 60}]}
    m.drop_collection("inventory", "hotels")
    assert not m.has_collection_id(9)


def _engine(replicas: int = 1):
    cluster = Cluster(3, clock=Clock(lambda: 1_700_000_000.0))
    cluster.create_bucket("b", replicas=replicas)
    return cluster, cluster.buckets["b"], cluster.engines["b"]


def test_writes_are_copied_to_replicas_with_the_same_seqno_and_cas():
    cluster, bucket, engine = _engine(replicas=2)
    vb = 7
    status, doc = engine.store(bucket.active_node(vb), vb, (0, b"k"), "set", b"v", 1, 0, 0, 0)
    assert status == Status.SUCCESS and doc is not None
    for node in bucket.replica_nodes(vb):
        copy = bucket.stores[node].vbuckets[vb].docs[(0, b"k")]
        assert (copy.value, copy.cas, copy.seqno, copy.flags) == (b"v", doc.cas, doc.seqno, 1)
        assert bucket.stores[node].vbuckets[vb].seqno == doc.seqno


def test_expiry_turns_a_document_into_a_tombstone_everywhere():
    cluster, bucket, engine = _engine()
    vb = 2
    active = bucket.active_node(vb)
    engine.store(active, vb, (0, b"k"), "set", b"v", 0, 10, 0, 0)
    cluster.clock.advance(10)
    assert engine.get(active, vb, (0, b"k")) == (Status.KEY_ENOENT, None)
    status, meta = engine.get_meta(active, vb, (0, b"k"))
    assert status == Status.SUCCESS and meta is not None and meta.deleted
    replica = bucket.replica_nodes(vb)[0]
    assert bucket.stores[replica].vbuckets[vb].docs[(0, b"k")].deleted


def test_memcached_bucket_has_one_store_per_node_and_no_map():
    b = Bucket("m", 3, "memcached")
    assert b.vbmap == [] and b.num_vbuckets == 0
    assert b.vbucket_of(b"anything") == 0
    assert b.node_role(2, 0) == "active"
