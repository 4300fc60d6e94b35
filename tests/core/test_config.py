"""Cluster configuration parsing and key routing."""

from __future__ import annotations

import hashlib
import json
import platform
import zlib
from collections import Counter
from typing import Any

import pytest

from couchbase._core.config import ClusterConfig, ConfigError, NodeInfo, parse_server_list
from couchbase._core.vbucket import vbucket_for_key

# A 7.x-style terse bucket config as GET_CLUSTER_CONFIG returns it (vBucketMap filled below).
CONFIG_7X = r"""
{
  "rev": 1073,
  "revEpoch": 2,
  "name": "travel-sample",
  "nodeLocator": "vbucket",
  "uuid": "0c57a7fd7e1b3e1b0e5a5fda8fd1c0d4",
  "ddocs": {"uri": "/pools/default/buckets/travel-sample/ddocs"},
  "collectionsManifestUid": "1a",
  "vBucketServerMap": {
    "hashAlgorithm": "CRC",
    "numReplicas": 1,
    "serverList": ["$HOST:11210", "10.0.0.2:11210"],
    "vBucketMap": []
  },
  "nodes": [
    {"couchApiBase": "http://$HOST:8092/travel-sample%2B0c57a7fd", "hostname": "$HOST:8091",
     "ports": {"direct": 11210}},
    {"couchApiBase": "http://10.0.0.2:8092/travel-sample%2B0c57a7fd",
     "hostname": "10.0.0.2:8091", "ports": {"direct": 11210}}
  ],
  "nodesExt": [
    {"services": {"mgmt": 8091, "mgmtSSL": 18091, "kv": 11210, "kvSSL": 11207, "capi": 8092,
                  "capiSSL": 18092, "projector": 9999, "indexAdmin": 9100},
     "thisNode": true},
    {"services": {"mgmt": 8091, "mgmtSSL": 18091, "kv": 11210, "kvSSL": 11207, "capi": 8092,
                  "capiSSL": 18092, "n1ql": 8093, "n1qlSSL": 18093},
     "hostname": "10.0.0.2", "serverGroup": "Group 1",
     "alternateAddresses": {"external": {"hostname": "ext-2", "ports": {"kv": 31210}}}},
    {"services": {"mgmt": 8091, "mgmtSSL": 18091, "n1ql": 8093, "n1qlSSL": 18093},
     "hostname": "10.0.0.3"}
  ],
  "clusterCapabilitiesVer": [1, 0],
  "clusterCapabilities": {"n1ql": ["enhancedPreparedStatements", "readFromReplica"]},
  "bucketCapabilitiesVer": "",
  "bucketCapabilities": ["collections", "durableWrite", "tombstonedUserXAttrs", "couchapi",
                         "subdoc.ReplaceBodyWithXattr", "subdoc.DocumentMacroSupport",
                         "dcp", "cbhello", "touch", "cccp", "xdcrCheckpointing", "nodesExt",
                         "xattr"],
  "someFutureField": {"ignored": true}
}
"""


def config_7x(origin: str = "10.0.0.1", **overrides: Any) -> dict[str, Any]:
    data = json.loads(CONFIG_7X)
    # active alternates between the two KV nodes, replica on the other one; vb 7 has no replica
    data["vBucketServerMap"]["vBucketMap"] = [
        [vb % 2, (vb + 1) % 2] if vb != 7 else [1, -1] for vb in range(1024)
    ]
    data.update(overrides)
    return data


@pytest.fixture
def cfg() -> ClusterConfig:
    return ClusterConfig.from_json(json.dumps(config_7x()).encode(), "10.0.0.1")


def test_fields(cfg: ClusterConfig) -> None:
    assert (cfg.rev, cfg.rev_epoch) == (1073, 2)
    assert cfg.bucket == "travel-sample"
    assert cfg.uuid == "0c57a7fd7e1b3e1b0e5a5fda8fd1c0d4"
    assert cfg.node_locator == "vbucket"
    assert cfg.num_replicas == 1
    assert cfg.num_vbuckets == len(cfg.vbucket_map) == 1024
    assert cfg.vbucket_map_forward is None
    assert cfg.collections_manifest_uid == 0x1A
    assert {"collections", "durableWrite", "xattr"} <= cfg.bucket_capabilities
    assert cfg.cluster_capabilities["n1ql"] == ["enhancedPreparedStatements", "readFromReplica"]


def test_nodes_from_nodes_ext(cfg: ClusterConfig) -> None:
    assert len(cfg.nodes) == 3
    assert cfg.nodes[0] == NodeInfo(
        "10.0.0.1", kv_port=11210, kv_tls_port=11207, mgmt_port=8091, mgmt_tls_port=18091,
        views_port=8092, views_tls_port=18092, this_node=True,
    )
    assert cfg.nodes[1].query_port == 8093 and cfg.nodes[1].query_tls_port == 18093
    assert not cfg.nodes[1].this_node
    query_only = cfg.nodes[2]
    assert query_only.hostname == "10.0.0.3" and query_only.kv_port is None
    assert [n.hostname for n in cfg.kv_nodes] == ["10.0.0.1", "10.0.0.2"]
    assert [n.authority() for n in cfg.kv_nodes] == ["10.0.0.1:11210", "10.0.0.2:11210"]


@pytest.mark.parametrize("data_type", [bytes, str, dict])
def test_input_types(data_type: type) -> None:
    data = config_7x()
    raw: Any = {bytes: json.dumps(data).encode(), str: json.dumps(data), dict: data}[data_type]
    cfg = ClusterConfig.from_json(raw, "origin.example")
    assert cfg.kv_nodes[0].hostname == "origin.example"


def test_host_substitution_ipv6() -> None:
    cfg = ClusterConfig.from_json(config_7x(), "::1")
    assert cfg.nodes[0].hostname == "::1"
    assert cfg.kv_nodes[0].authority() == "[::1]:11210"
    cfg = ClusterConfig.from_json(config_7x(), "[::1]")
    assert cfg.nodes[0].hostname == "::1"


def test_explicit_host_placeholder_in_nodes_ext() -> None:
    data = config_7x()
    data["nodesExt"][0]["hostname"] = "$HOST"
    assert ClusterConfig.from_json(data, "h0").nodes[0].hostname == "h0"


KNOWN_VBUCKETS = [(b"foo", 1024, 115), (b"foo", 64, 51), (b"bar", 1024, 767), (b"bar", 64, 63),
                  (b"hello", 1024, 528), (b"", 1024, 0), (b"user::1234", 1024, 495)]


@pytest.mark.parametrize("key,n,vb", KNOWN_VBUCKETS)
def test_vbucket_for_key_known(key: bytes, n: int, vb: int) -> None:
    assert vbucket_for_key(key, n) == vb
    assert vb == ((zlib.crc32(key) >> 16) & 0x7FFF) % n


def test_routing(cfg: ClusterConfig) -> None:
    for i in range(200):
        key = b"key-%d" % i
        vb = ((zlib.crc32(key) >> 16) & 0x7FFF) % 1024
        assert cfg.vbucket_for(key) == vb
        expected = (1, None) if vb == 7 else (vb % 2, (vb + 1) % 2)
        assert cfg.node_for_key(key) == (vb, expected[0])
        assert cfg.node_for_key(key, replica=1) == (vb, expected[1])
        assert cfg.node_for_key(key, replica=2) == (vb, None)
    assert cfg.node_for_key(b"foo") == (115, 1)


def test_node_for_vbucket_edges(cfg: ClusterConfig) -> None:
    assert cfg.node_for_vbucket(0) == 0
    assert cfg.node_for_vbucket(7, 1) is None
    assert cfg.node_for_vbucket(1024) is None
    assert cfg.node_for_vbucket(-1) is None
    assert cfg.node_for_vbucket(0, -1) is None


def test_forward_map() -> None:
    data = config_7x()
    data["vBucketServerMap"]["vBucketMapForward"] = [[1, 0]] * 1024
    assert ClusterConfig.from_json(data, "h").vbucket_map_forward == [[1, 0]] * 1024


def test_newer_than() -> None:
    def make(epoch: int | None, rev: int) -> ClusterConfig:
        data = config_7x(rev=rev)
        if epoch is None:
            del data["revEpoch"]
        else:
            data["revEpoch"] = epoch
        return ClusterConfig.from_json(data, "h")

    assert make(2, 10).newer_than(make(2, 9))
    assert not make(2, 9).newer_than(make(2, 9))
    assert make(3, 1).newer_than(make(2, 9000))
    assert not make(None, 50).newer_than(make(1, 1))
    assert make(1, 1).newer_than(make(None, 50))
    assert make(1, 1).newer_than(None)


def test_cluster_level_config_without_bucket() -> None:
    data = {"rev": 5, "nodesExt": [{"services": {"mgmt": 8091, "kv": 11210}, "thisNode": True}],
            "clusterCapabilities": {"n1ql": []}}
    cfg = ClusterConfig.from_json(data, "h")
    assert cfg.bucket is None and cfg.vbucket_map == []
    assert cfg.kv_nodes[0].hostname == "h"
    with pytest.raises(ConfigError):
        cfg.vbucket_for(b"k")


def test_legacy_nodes_follow_server_list() -> None:
    data = {
        "rev": 1, "name": "default", "nodeLocator": "vbucket",
        "nodes": [
            {"hostname": "b:8091", "couchApiBase": "http://b:8092/default",
             "ports": {"direct": 11210, "proxy": 11211}},
            {"hostname": "$HOST:8091", "couchApiBase": "http://$HOST:8092/default",
             "ports": {"direct": 11210}, "thisNode": True},
        ],
        "vBucketServerMap": {"numReplicas": 0, "serverList": ["$HOST:11210", "b:11210"],
                             "vBucketMap": [[0], [1]]},
    }
    cfg = ClusterConfig.from_json(data, "a")
    assert [n.hostname for n in cfg.kv_nodes] == ["a", "b"]
    assert cfg.kv_nodes[0] == NodeInfo("a", kv_port=11210, mgmt_port=8091, views_port=8092,
                                       this_node=True)
    assert [n.hostname for n in cfg.nodes] == ["b", "a"]


def test_parse_server_list_is_robust() -> None:
    entries = ["$HOST:11210", "[::1]:12000", 42, None, "bad:port", "c:11210"]
    assert parse_server_list(entries, "o") == [("o", 11210), ("::1", 12000), ("c", 11210)]
    assert parse_server_list(None, "o") == []


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[1, 2]",
        json.dumps(config_7x(rev="12")),
        json.dumps(config_7x(vBucketServerMap={"numReplicas": 0, "vBucketMap": [[5]]})),
        json.dumps(config_7x(vBucketServerMap={"numReplicas": 0, "vBucketMap": [["x"]]})),
        json.dumps(config_7x(vBucketServerMap={"numReplicas": 0, "vBucketMap": {}})),
        json.dumps(config_7x(collectionsManifestUid="zz")),
        json.dumps(config_7x(nodesExt=[{"hostname": "x"}])),
    ],
)
def test_malformed(raw: str | bytes) -> None:
    with pytest.raises(ConfigError):
        ClusterConfig.from_json(raw, "h")


# --- memcached buckets (ketama) -------------------------------------------------


def ketama_config(hosts: list[str]) -> ClusterConfig:
    nodes = []
    for h in hosts:
        name, port = h.rsplit(":", 1)
        nodes.append({"hostname": name, "services": {"kv": int(port), "mgmt": 8091}})
    return ClusterConfig.from_json(
        {"rev": 1, "name": "cache", "nodeLocator": "ketama", "nodesExt": nodes}, "h"
    )


RFC26_HOSTS = ["192.168.1.101:11210", "192.168.1.102:11210", "192.168.1.103:11210",
               "192.168.1.104:11210"]


def test_ketama_distribution() -> None:
    cfg = ketama_config(RFC26_HOSTS)
    assert cfg.node_locator == "ketama"
    counts = Counter(cfg.node_for_key(b"key-%d" % i)[1] for i in range(20000))
    assert set(counts) == {0, 1, 2, 3}
    for n in counts.values():
        assert 0.15 < n / 20000 < 0.35
    assert all(cfg.node_for_key(b"k%d" % i)[0] == 0 for i in range(10))
    assert cfg.node_for_key(b"k", replica=1) == (0, None)


def test_ketama_is_stable_when_a_node_is_added() -> None:
    before = ketama_config(RFC26_HOSTS)
    after = ketama_config(RFC26_HOSTS + ["192.168.1.105:11210"])
    keys = [b"key-%d" % i for i in range(5000)]
    moved = sum(before.node_for_key(k) != after.node_for_key(k) for k in keys)
    assert moved < len(keys) * 0.35  # about 1/5 should move; mod-N hashing would move 4/5


def test_ketama_ring_facts() -> None:
    cfg = ketama_config(RFC26_HOSTS)
    assert len(cfg._ring) == 4 * 160
    # SDK RFC 26 (as the Java SDK checks it): the top of the ring wraps to 192.168.1.104
    assert cfg.ketama_node_for_hash(0xFFFFFFFF) == 3
    first, last = cfg._ring[0], cfg._ring[-1]
    assert cfg.ketama_node_for_hash(0) == cfg.ketama_node_for_hash(first)
    assert cfg.ketama_node_for_hash(last + 1) == cfg.ketama_node_for_hash(0)
    assert cfg.ketama_node_for_hash(last) == cfg._ring_nodes[-1]


def test_ketama_points_are_md5_little_endian() -> None:
    cfg = ketama_config(RFC26_HOSTS)
    digest = hashlib.md5(b"192.168.1.102:11210-0").digest()
    for n in range(4):
        point = int.from_bytes(digest[n * 4 : n * 4 + 4], "little")
        assert cfg.ketama_node_for_hash(point) == 1
    key_point = int.from_bytes(hashlib.md5(b"some-key").digest()[:4], "little")
    assert cfg.node_for_key(b"some-key") == (0, cfg.ketama_node_for_hash(key_point))


def test_ketama_collision_later_node_wins() -> None:
    # Known collision from the Java SDK's ring test: both hash a point to 1723476360.
    cfg = ketama_config(["example.com:11210", "example137723.com:11210"])
    assert len(set(cfg._ring)) == 2 * 160 - 1
    assert cfg.ketama_node_for_hash(1723476360) == 1


def test_ketama_without_nodes() -> None:
    cfg = ClusterConfig.from_json({"name": "c", "nodeLocator": "ketama", "nodesExt": []}, "h")
    assert cfg.node_for_key(b"k") == (0, None)


# -- alternate addresses (network=default|external|auto) -------------------------

# Three nodes as a server behind NAT reports them: node 0 maps every port, node 1
# gives only a hostname (no ports object), node 2 has no alternate address.
ALT_CONFIG = {
    "rev": 20, "name": "b", "nodeLocator": "vbucket",
    "nodesExt": [
        {"services": {"mgmt": 8091, "mgmtSSL": 18091, "kv": 11210, "kvSSL": 11207},
         "hostname": "10.0.0.1", "thisNode": True,
         "alternateAddresses": {"external": {"hostname": "db1.example.com",
                                             "ports": {"mgmt": 30091, "kv": 30210}}}},
        {"services": {"mgmt": 8091, "kv": 11210}, "hostname": "10.0.0.2",
         "alternateAddresses": {"external": {"hostname": "db2.example.com"}}},
        {"services": {"mgmt": 8091, "kv": 11210}, "hostname": "10.0.0.3"},
    ],
    "vBucketServerMap": {"numReplicas": 0, "vBucketMap": [[0], [1], [2], [0]]},
}


def _addresses(cfg: ClusterConfig) -> list[tuple[str, int | None, int | None]]:
    return [(n.hostname, n.kv_port, n.mgmt_port) for n in cfg.kv_nodes]


def test_default_network_ignores_alternate_addresses():
    cfg = ClusterConfig.from_json(ALT_CONFIG, "10.0.0.1")
    assert cfg.network == "default"
    assert _addresses(cfg) == [("10.0.0.1", 11210, 8091), ("10.0.0.2", 11210, 8091),
                               ("10.0.0.3", 11210, 8091)]


def test_external_network_uses_alternate_hostnames_and_ports():
    cfg = ClusterConfig.from_json(ALT_CONFIG, "db1.example.com", network="external")
    assert cfg.network == "external"
    assert _addresses(cfg) == [
        ("db1.example.com", 30210, 30091),  # the mapped ports
        ("db2.example.com", 11210, 8091),   # no ports object: the node's own ports
        ("10.0.0.3", 11210, 8091),          # no external address: the default one
    ]
    # A ports object replaces the ports whole: TLS ports it does not map are gone.
    assert cfg.kv_nodes[0].kv_tls_port is None and cfg.kv_nodes[0].mgmt_tls_port is None
    assert cfg.kv_nodes[0].this_node
    # Routing indices are unchanged.
    assert [cfg.node_for_vbucket(vb) for vb in range(4)] == [0, 1, 2, 0]


def test_a_node_whose_external_ports_lack_kv_stays_in_the_map_without_a_port():
    data = json.loads(json.dumps(ALT_CONFIG))
    data["nodesExt"][0]["alternateAddresses"]["external"]["ports"] = {"mgmt": 30091}
    cfg = ClusterConfig.from_json(data, "x", network="external")
    assert len(cfg.kv_nodes) == 3 and cfg.kv_nodes[0].kv_port is None
    assert cfg.kv_nodes[1].hostname == "db2.example.com"


@pytest.mark.parametrize("origin, expected", [
    ("10.0.0.2", "default"),          # a node's own hostname
    ("db1.example.com", "external"),  # only an external hostname
    ("db2.example.com", "external"),
    ("elsewhere", "default"),         # neither
])
def test_auto_network(origin, expected):
    cfg = ClusterConfig.from_json(ALT_CONFIG, origin, network="auto")
    assert cfg.network == expected
    assert cfg.kv_nodes[1].hostname == ("db2.example.com" if expected == "external"
                                        else "10.0.0.2")


def test_auto_prefers_default_when_a_hostname_is_both():
    data = json.loads(json.dumps(ALT_CONFIG))
    data["nodesExt"][2]["hostname"] = "db1.example.com"  # node 2's own name is node 0's external
    assert ClusterConfig.from_json(data, "db1.example.com", network="auto").network == "default"


def test_auto_on_a_kv_config_with_host_placeholder_is_default():
    data = json.loads(json.dumps(ALT_CONFIG))
    data["nodesExt"][0]["hostname"] = "$HOST"
    cfg = ClusterConfig.from_json(data, "db1.example.com", network="auto")
    assert cfg.network == "default" and cfg.kv_nodes[0].hostname == "db1.example.com"


def test_alternate_ipv6_hostnames_lose_their_brackets():
    data = {"rev": 1, "nodesExt": [{"services": {"kv": 11210}, "hostname": "fd00::1",
                                    "alternateAddresses": {"external": {"hostname": "[2001:db8::7]",
                                                                        "ports": {"kv": 31210}}}}]}
    cfg = ClusterConfig.from_json(data, "2001:db8::7", network="auto")
    assert cfg.network == "external"
    assert cfg.kv_nodes[0].authority() == "[2001:db8::7]:31210"


def test_malformed_alternate_addresses_are_ignored():
    data = {"rev": 1, "nodesExt": [
        {"services": {"kv": 1}, "hostname": "a", "alternateAddresses": ["external"]},
        {"services": {"kv": 2}, "hostname": "b", "alternateAddresses": {"external": {"ports": {}}}},
        {"services": {"kv": 3}, "hostname": "c",
         "alternateAddresses": {"external": {"hostname": "C", "ports": "kv"}}},
    ]}
    cfg = ClusterConfig.from_json(data, "x", network="external")
    assert _addresses(cfg) == [("a", 1, None), ("b", 2, None), ("C", 3, None)]


def test_other_network_names_and_legacy_configs():
    data = json.loads(json.dumps(ALT_CONFIG))
    data["nodesExt"][0]["alternateAddresses"]["internal2"] = {"hostname": "n1.internal2"}
    cfg = ClusterConfig.from_json(data, "n1.internal2", network="auto")
    assert cfg.network == "internal2" and cfg.kv_nodes[0].hostname == "n1.internal2"
    legacy = {"rev": 1, "nodes": [{"hostname": "10.0.0.1:8091", "ports": {"direct": 11210}}],
              "vBucketServerMap": {"serverList": ["10.0.0.1:11210"], "vBucketMap": [[0]]}}
    cfg = ClusterConfig.from_json(legacy, "db1.example.com", network="external")
    assert cfg.network == "default" and _addresses(cfg) == [("10.0.0.1", 11210, 8091)]


@pytest.mark.parametrize("network", ["", None, 3])
def test_bad_network_is_a_config_error(network):
    with pytest.raises(ConfigError):
        ClusterConfig.from_json(ALT_CONFIG, "h", network=network)


# -- memory: a client keeps one parsed map per bucket, and it is small ------------------------

def test_equal_vbucket_map_rows_are_one_shared_list(cfg: ClusterConfig) -> None:
    assert cfg.vbucket_map[0] == [0, 1] and cfg.vbucket_map[1] == [1, 0]
    assert cfg.vbucket_map[7] == [1, -1]
    assert len({id(row) for row in cfg.vbucket_map}) == 3
    assert cfg.vbucket_map[0] is cfg.vbucket_map[2]
    # raw holds those rows, not a second copy of the map
    assert cfg.raw["vBucketServerMap"]["vBucketMap"] is cfg.vbucket_map
    assert cfg.raw["nodesExt"][0]["services"]["kv"] == 11210


def test_a_dict_passed_in_is_left_as_it_was() -> None:
    data = config_7x()
    data["vBucketServerMap"]["vBucketMapForward"] = [[1, 0]] * 1024
    before = json.dumps(data)
    rows = data["vBucketServerMap"]["vBucketMap"]
    cfg = ClusterConfig.from_json(data, "h")
    assert json.dumps(data) == before
    assert data["vBucketServerMap"]["vBucketMap"] is rows
    assert cfg.vbucket_map is not rows and cfg.vbucket_map == rows
    assert cfg.raw["vBucketServerMap"]["vBucketMapForward"] is cfg.vbucket_map_forward


def test_a_bad_row_is_still_refused_with_shared_rows() -> None:
    data = config_7x()
    data["vBucketServerMap"]["vBucketMap"][5] = [0, "x"]
    with pytest.raises(ConfigError, match="non-integer"):
        ClusterConfig.from_json(data, "h")


@pytest.mark.skipif(platform.python_implementation() != "CPython",
                    reason="tracemalloc is CPython's")
def test_a_parsed_1024_vbucket_config_keeps_under_24_kib() -> None:
    import tracemalloc

    text = json.dumps(config_7x()).encode()
    ClusterConfig.from_json(text, "h")  # first-use caches are not the config's
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cfg = ClusterConfig.from_json(text, "h")
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert cfg.num_vbuckets == 1024
    assert kept < 24 * 1024  # the outer list (8 KiB) and the rest of the JSON; ~200 KiB before
