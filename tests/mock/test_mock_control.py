"""The CouchbaseMock control commands, from Python (MockCluster.control)."""

from __future__ import annotations

import struct

import pytest
from mock_kvclient import connect, key_with_active

from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase._core.vbucket import vbucket_for_key
from couchbase.bucket import Bucket
from couchbase_mock import MockCluster


@pytest.fixture
def mock():
    with MockCluster(nodes=3, replicas=1) as m:
        yield m


def _observe_state(mock: MockCluster, node: int, key: bytes) -> int:
    entry = struct.pack(">HH", vbucket_for_key(key, 1024), len(key)) + key
    with connect(mock, node=node) as kv:
        resp = kv.request(Opcode.OBSERVE, value=entry)
    assert resp.status == Status.SUCCESS
    return resp.value[-9]


def test_unknown_and_unsupported_commands_fail_with_a_reason(mock):
    assert mock.control("no_such_thing") == {"status": "fail", "error": "No such command"}
    reply = mock.control("start_cmdlog")
    assert reply["status"] == "fail" and "not supported" in reply["error"]
    assert mock.control("failover")["error"] == "missing required field 'idx'"
    assert mock.control("failover", idx=9)["error"] == "there is no server 9"
    assert mock.control("hiccup", msecs="soon", offset=0)["status"] == "fail"
    assert "FAILOVER" in mock.control("help")["payload"]


def test_get_mcports_lists_the_kv_ports_in_config_order(mock):
    reply = mock.control("GET_MCPORTS")
    assert reply == {"status": "ok", "payload": [n.kv_port for n in mock.nodes]}


def test_failover_and_respawn_by_command(mock):
    cb = Bucket(f"{mock.connstr}/default", password="")
    for i in range(100):
        cb.upsert(f"k{i}", i)
    assert mock.control("failover", idx=1, bucket="default")["status"] == "ok"
    assert all(cb.get(f"k{i}").value == i for i in range(100))
    assert mock.control("respawn", idx=1)["status"] == "ok"
    assert {mock.locate("default", f"k{i}")[1] for i in range(100)} == {0, 1, 2}
    assert all(cb.get(f"k{i}").value == i for i in range(100))


def test_time_travel_expires_documents(mock):
    cb = Bucket(f"{mock.connstr}/default", password="")
    cb.upsert("brief", 1, ttl=10)
    assert mock.control("time_travel", Offset=11)["status"] == "ok"
    assert cb.get("brief", quiet=True).value is None


def test_key_commands_drive_keyinfo_and_observe(mock):
    key = b"instrumented"
    vb, active, replicas = mock.locate("default", key)
    reply = mock.control("endure", Key="instrumented", OnMaster=True, OnReplicas=1,
                         Value="v1", CAS=1234)
    assert reply["status"] == "ok"
    info = mock.control("keyinfo", key="instrumented")["payload"]
    assert len(info) == 3
    master = info[active]
    assert master["Conf"] == {"Index": 0, "Type": "master"}
    assert master["Cache"] == {"CAS": 1234, "Value": "v1"} == master["Disk"]
    assert info[replicas[0]]["Conf"] == {"Index": 1, "Type": "replica"}
    third = ({0, 1, 2} - {active, *replicas}).pop()
    assert info[third] is None
    assert _observe_state(mock, active, key) == 0x01  # in memory and on disk
    mock.control("unpersist", Key="instrumented", OnMaster=True)
    assert _observe_state(mock, active, key) == 0x00  # in memory only
    mock.control("purge", Key="instrumented", OnMaster=True, OnReplicas=1)
    assert _observe_state(mock, active, key) == 0x80
    mock.control("persist", Key="instrumented", OnMaster=True, CAS=99)
    assert _observe_state(mock, active, key) == 0x81  # on disk, gone from memory
    # A real write replaces what the commands set.
    with connect(mock, node=active) as kv:
        kv.set(key, b"real")
    assert _observe_state(mock, active, key) == 0x00  # memory-only cluster


def test_key_commands_check_their_arguments(mock):
    assert mock.control("cache", Key="k")["error"].startswith("no node chosen")
    assert "no bucket" in mock.control("cache", Key="k", OnMaster=True, Bucket="nope")["error"]
    assert "no such replicas" in mock.control("cache", Key="k", OnReplicas=[5])["error"]


def test_regen_vbcoords_gives_new_vbucket_uuids(mock):
    vb, node, _replicas = mock.locate("default", b"x")
    with connect(mock, node=node) as kv:
        before = struct.unpack(">QQ", kv.set(b"x", b"1").extras)[0]
    mock.control("regen_vbcoords")
    with connect(mock, node=node) as kv:
        after = kv.request(Opcode.OBSERVE_SEQNO, value=struct.pack(">Q", 0), vbucket=vb)
    assert struct.unpack(">BHQQQ", after.value)[2] != before


def _recv_exactly(kv, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = kv.sock.recv(count - len(data))
        assert chunk, "the server closed the connection"
        data += chunk
    return data


def test_opfail_fails_the_next_commands_with_the_given_status(mock):
    key = key_with_active(mock, 0, "opfail")
    with connect(mock, node=0) as kv:
        kv.set(key, b"v")
        reply = mock.control("opfail", code=int(Status.ETMPFAIL), count=2, servers=[0])
        assert reply["status"] == "ok"
        assert [kv.get(key).status for _ in range(3)] == [
            Status.ETMPFAIL, Status.ETMPFAIL, Status.SUCCESS]
        mock.control("opfail", code=int(Status.ETMPFAIL), count=-1, servers=[0])
        assert kv.get(key).status == Status.ETMPFAIL
        assert kv.request(Opcode.NOOP).status == Status.SUCCESS  # not a document command
        mock.control("opfail", code=0, count=0)
        assert kv.get(key).status == Status.SUCCESS


def test_truncate_cuts_every_write_until_reset(mock):
    key = key_with_active(mock, 0, "truncate")
    with connect(mock, node=0) as kv:
        kv.set(key, b"a value longer than ten bytes")
        mock.control("truncate", limit=10, servers=[0])
        kv.send(Opcode.GET, kv.wire_key(key), vbucket=vbucket_for_key(key, 1024))
        kv.send(Opcode.GET, kv.wire_key(key), vbucket=vbucket_for_key(key, 1024))
        first_two = _recv_exactly(kv, 20)
        mock.control("truncate", limit=0)
        opaque = kv.send(Opcode.NOOP)
        noop = _recv_exactly(kv, 24)
    assert first_two[0] == first_two[10] == 0x81  # each a response header's start, cut
    assert noop[0] == 0x81 and noop[1] == Opcode.NOOP
    assert struct.unpack(">I", noop[12:16])[0] == opaque


def test_hiccup_holds_each_response_back_after_offset_bytes(mock):
    key = key_with_active(mock, 0, "hiccup")
    with connect(mock, node=0) as kv:
        kv.set(key, b"value")
        mock.control("hiccup", msecs=300, offset=5, servers=[0])
        kv.send(Opcode.GET, kv.wire_key(key), vbucket=vbucket_for_key(key, 1024))
        head = kv.sock.recv(1024)
        assert head == head[:5] and len(head) == 5  # the rest is held back
        kv.pending.extend(kv.reader.feed(head))
        resp = kv.recv()
        assert resp.status == Status.SUCCESS and resp.value == b"value"
        mock.control("hiccup", msecs=0, offset=0)
        assert kv.get(key).value == b"value"


def test_set_cccp_off_refuses_config_requests_and_clients_still_bootstrap(mock):
    assert mock.control("set_cccp", enabled=False)["status"] == "ok"
    with connect(mock, node=1) as kv:
        assert kv.request(Opcode.GET_CLUSTER_CONFIG).status == Status.NOT_SUPPORTED
    hosts = ",".join(f"{mock.host}:{n.mgmt_port}" for n in mock.nodes)
    cb = Bucket(f"http://{hosts}/default", password="")  # configs over HTTP instead
    cb.upsert("after-cccp", 1)
    assert cb.get("after-cccp").value == 1
    mock.control("set_cccp", enabled=True)
    with connect(mock, node=1) as kv:
        assert kv.request(Opcode.GET_CLUSTER_CONFIG).status == Status.SUCCESS


def test_the_http_control_api_on_the_management_port(mock):
    import json
    import urllib.error
    import urllib.request

    def get(path: str) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"{mock.mgmt_url}{path}", timeout=30) as resp:
                return resp.status, json.load(resp)
        except urllib.error.HTTPError as err:
            return err.code, json.load(err)

    assert get("/mock/get_mcports") == (200, {"status": "ok",
                                              "payload": [n.kv_port for n in mock.nodes]})
    assert get("/mock/failover?idx=2&bucket=default")[1]["status"] == "ok"
    assert 2 not in {mock.locate("default", f"k{i}")[1] for i in range(50)}
    status, reply = get("/mock/hiccup?msecs=x&offset=0")
    assert status == 400 and reply["status"] == "fail"
    assert get("/mock/nonsense") == (400, {"status": "fail", "error": "No such command"})
    status, reply = get("/mock/respawn?idx=2")
    assert (status, reply["status"]) == (200, "ok")
    assert {mock.locate("default", f"k{i}")[1] for i in range(50)} == {0, 1, 2}
