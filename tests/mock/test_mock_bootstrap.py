"""The bootstrap sequence the official SDK runs: HELLO, SASL, error map, bucket, config."""

from __future__ import annotations

import json
import struct

import pytest
from mock_kvclient import KV, connect

from couchbase._core.feature import Datatype, Feature, encode_features
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status


def test_hello_accepts_only_honoured_features_in_client_order(mock_cluster):
    with KV(mock_cluster.nodes[0].kv_port) as kv:
        asked = [Feature.SNAPPY, Feature.COLLECTIONS, Feature.XERROR, Feature.DUPLEX,
                 Feature.UNORDERED_EXECUTION, Feature.TCPNODELAY, Feature.XATTR,
                 Feature.CLUSTERMAP_CHANGE_NOTIFICATION, Feature.MUTATION_SEQNO,
                 Feature.ALT_REQUEST_SUPPORT, Feature.TRACING, Feature.SELECT_BUCKET]
        got = kv.hello(*asked)
        assert got == [Feature.SNAPPY, Feature.COLLECTIONS, Feature.XERROR, Feature.TCPNODELAY,
                       Feature.XATTR, Feature.MUTATION_SEQNO, Feature.ALT_REQUEST_SUPPORT,
                       Feature.TRACING, Feature.SELECT_BUCKET]


def test_stage_a_in_one_write_like_the_cxx_client(mock_cluster):
    """HELLO, SASL_LIST_MECHS and SASL_AUTH sent together, answered in order."""
    from couchbase._core.scram import ScramClient

    with KV(mock_cluster.nodes[1].kv_port) as kv:
        client = ScramClient("SCRAM-SHA512", "Administrator", "password")
        h = kv.send(Opcode.HELLO, b"agent", encode_features([Feature.XERROR]))
        m = kv.send(Opcode.SASL_LIST_MECHS)
        a = kv.send(Opcode.SASL_AUTH, b"SCRAM-SHA512", client.client_first())
        hello, mechs, auth = kv.recv(), kv.recv(), kv.recv()
        assert [hello.opaque, mechs.opaque, auth.opaque] == [h, m, a]
        assert mechs.value == b"SCRAM-SHA512 SCRAM-SHA256 SCRAM-SHA1 PLAIN"
        assert auth.status == Status.AUTH_CONTINUE
        assert auth.value.startswith(b"r=") and b",s=" in auth.value and b",i=" in auth.value
        step = kv.request(Opcode.SASL_STEP, b"SCRAM-SHA512", client.client_final(auth.value))
        assert step.status == Status.SUCCESS
        client.verify_server_final(step.value)


@pytest.mark.parametrize("mech", ["SCRAM-SHA512", "SCRAM-SHA256", "SCRAM-SHA1", "PLAIN"])
def test_every_mechanism_authenticates(mock_cluster, mech):
    with KV(mock_cluster.nodes[0].kv_port) as kv:
        assert kv.auth("Administrator", "password", mech) == Status.SUCCESS
        assert kv.select("default") == Status.SUCCESS


@pytest.mark.parametrize("mech", ["SCRAM-SHA512", "PLAIN"])
def test_wrong_password_is_auth_error(mock_cluster, mech):
    with KV(mock_cluster.nodes[0].kv_port) as kv:
        assert kv.auth("Administrator", "nope", mech) == Status.AUTH_ERROR
        assert kv.auth("nobody", "password", mech) == Status.AUTH_ERROR


def test_commands_before_auth_are_refused(mock_cluster):
    with KV(mock_cluster.nodes[0].kv_port) as kv:
        kv.hello(Feature.XERROR)
        assert kv.request(Opcode.SELECT_BUCKET, b"default").status == Status.AUTH_ERROR
        assert kv.request(Opcode.GET, b"k").status == Status.AUTH_ERROR
        assert kv.request(Opcode.GET_CLUSTER_CONFIG).status == Status.AUTH_ERROR
        assert kv.request(Opcode.NOOP).status == Status.SUCCESS


def test_error_map_v2_covers_statuses(mock_cluster):
    kv = connect(mock_cluster, bucket=None)
    with kv:
        resp = kv.request(Opcode.GET_ERROR_MAP, value=struct.pack(">H", 2))
        assert resp.status == Status.SUCCESS
        assert resp.datatype == Datatype.JSON
        emap = json.loads(resp.value)
        assert emap["version"] == 2 and emap["revision"] >= 1
        for code in ("0", "1", "2", "7", "9", "e", "20", "24", "81", "86", "88", "8c"):
            entry = emap["errors"][code]
            assert entry["name"] and entry["desc"] and entry["attrs"]
        assert "item-locked" in emap["errors"]["9"]["attrs"]
        assert "fetch-config" in emap["errors"]["7"]["attrs"]


def test_select_bucket_missing_or_forbidden_is_eaccess(mock_cluster):
    with connect(mock_cluster, bucket=None) as kv:
        assert kv.select("no-such-bucket") == Status.EACCESS
        assert kv.select("protected") == Status.SUCCESS
    with KV(mock_cluster.nodes[0].kv_port) as kv:
        kv.hello(Feature.XERROR)
        assert kv.auth("protected", "secret") == Status.SUCCESS
        assert kv.select("default") == Status.EACCESS
        assert kv.select("protected") == Status.SUCCESS
        assert kv.auth("protected", "wrong") == Status.AUTH_ERROR


def test_data_ops_before_select_bucket_are_no_bucket(mock_cluster):
    with connect(mock_cluster, bucket=None) as kv:
        assert kv.get(b"k").status == Status.NO_BUCKET
        assert kv.request(Opcode.GET_COLLECTIONS_MANIFEST).status == Status.NO_BUCKET


def test_cluster_config_before_select_bucket_has_no_map(mock_cluster):
    with connect(mock_cluster, node=2, bucket=None) as kv:
        cfg = kv.config()
        assert "vBucketServerMap" not in cfg and "name" not in cfg
        assert cfg["rev"] >= 1 and "revEpoch" in cfg
        assert len(cfg["nodesExt"]) == 4
        this = [i for i, n in enumerate(cfg["nodesExt"]) if n.get("thisNode")]
        assert this == [2]


def test_bucket_config_is_7x_format(mock_cluster):
    with connect(mock_cluster, node=1) as kv:
        resp = kv.request(Opcode.GET_CLUSTER_CONFIG)
        assert resp.datatype == Datatype.JSON
        cfg = json.loads(resp.value)
    assert cfg["name"] == "default" and cfg["nodeLocator"] == "vbucket"
    assert {"rev", "revEpoch", "uuid", "uri", "streamingUri", "bucketCapabilities",
            "clusterCapabilities", "clusterCapabilitiesVer", "bucketCapabilitiesVer"} <= set(cfg)
    assert "cccp" in cfg["bucketCapabilities"] and "collections" in cfg["bucketCapabilities"]
    vbsm = cfg["vBucketServerMap"]
    assert vbsm["hashAlgorithm"] == "CRC" and vbsm["numReplicas"] == 1
    ports = [n.kv_port for n in mock_cluster.nodes]
    assert vbsm["serverList"] == [f"$HOST:{p}" for p in ports]
    assert len(vbsm["vBucketMap"]) == 1024
    assert vbsm["vBucketMap"][5] == [1, 2]
    ext = cfg["nodesExt"]
    assert [n["services"]["kv"] for n in ext] == ports
    assert [n["services"]["mgmt"] for n in ext] == [n.mgmt_port for n in mock_cluster.nodes]
    assert all(n["hostname"] == "$HOST" for n in ext)
    assert [bool(n.get("thisNode")) for n in ext] == [False, True, False, False]
    assert cfg["nodes"][0]["hostname"] == f"$HOST:{mock_cluster.nodes[0].mgmt_port}"
    assert cfg["nodes"][0]["ports"]["direct"] == ports[0]


def test_config_without_json_feature_has_no_json_datatype(mock_cluster):
    with connect(mock_cluster, features=(Feature.XERROR,)) as kv:
        resp = kv.request(Opcode.GET_CLUSTER_CONFIG)
        assert resp.datatype == 0
        assert json.loads(resp.value)["name"] == "default"


def test_rev_bumps_when_a_bucket_is_created(fresh_mock):
    with connect(fresh_mock) as kv:
        before = kv.config()["rev"]
        fresh_mock.create_bucket("extra", replicas=0)
        after = kv.config()
        assert after["rev"] > before
        assert kv.select("extra") == Status.SUCCESS
        assert kv.config()["vBucketServerMap"]["numReplicas"] == 0
    assert "extra" in fresh_mock.bucket_names


def test_unknown_opcode(mock_cluster):
    with connect(mock_cluster) as kv:
        assert kv.request(0xF0).status == Status.UNKNOWN_COMMAND


def test_tracing_adds_server_duration_frame(mock_cluster):
    from couchbase._core.frameinfo import ResponseFrame, decode_frames
    from couchbase._core.opcode import Magic

    feats = (Feature.XERROR, Feature.ALT_REQUEST_SUPPORT, Feature.TRACING)
    with connect(mock_cluster, features=feats) as kv:
        resp = kv.request(Opcode.NOOP)
        assert resp.magic == Magic.ALT_RESPONSE
        assert [f for f, _ in decode_frames(resp.framing)] == [ResponseFrame.SERVER_DURATION]


def test_version_and_quit(mock_cluster):
    with connect(mock_cluster) as kv:
        assert kv.request(Opcode.VERSION).value.startswith(b"7.")
        assert kv.request(Opcode.QUIT).status == Status.SUCCESS
        with pytest.raises(ConnectionError):
            kv.recv()


def test_stalled_connections_read_and_never_answer(fresh_mock):
    """The fault a hung node shows: TCP is accepted, HELLO is swallowed; only the
    number of connections asked for stall, the ones after answer again."""
    import socket

    fresh_mock.stall_kv_connections(1, count=1)
    port = fresh_mock.nodes[1].kv_port
    with KV(port, timeout=0.3) as silent:
        silent.send(Opcode.HELLO, b'{"a":"stall"}')
        with pytest.raises(socket.timeout):
            silent.recv()
    with KV(port) as kv, KV(fresh_mock.nodes[0].kv_port) as other:
        assert kv.hello(Feature.XERROR) == [Feature.XERROR]
        assert other.hello(Feature.XERROR) == [Feature.XERROR]
    with pytest.raises(ValueError):
        fresh_mock.stall_kv_connections(7)
