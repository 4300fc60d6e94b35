"""The management REST endpoints on every node's management port."""

from __future__ import annotations

import http.client
import json
import socket
from typing import Any

import h11
import pytest
from mock_http import ADMIN, fetch
from mock_http import basic_auth as _auth


class Stream:
    """A streaming config request read with h11 as the client."""

    def __init__(self, mock: Any, path: str, headers: dict[str, str] = ADMIN) -> None:
        self.sock = socket.create_connection((mock.host, mock.nodes[0].mgmt_port), timeout=5)
        self.conn = h11.Connection(h11.CLIENT)
        hdrs = [("Host", "localhost"), *headers.items()]
        self.sock.sendall(self.conn.send(h11.Request(method="GET", target=path, headers=hdrs)))
        self.sock.sendall(self.conn.send(h11.EndOfMessage()))
        self.buf = b""
        self.response = self._next_event()
        self.ended = False

    def _next_event(self) -> Any:
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                self.conn.receive_data(self.sock.recv(65536))
                continue
            return event

    def next_config(self) -> dict[str, Any]:
        """Block (with the socket timeout) until one whole config has arrived."""
        while b"\n\n\n\n" not in self.buf:
            event = self._next_event()
            if isinstance(event, h11.Data):
                self.buf += event.data
            elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                self.ended = True
                raise EOFError("stream ended")
        doc, _, self.buf = self.buf.partition(b"\n\n\n\n")
        return json.loads(doc)

    def wait_end(self) -> None:
        while not self.ended:
            event = self._next_event()
            if isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                self.ended = True

    def close(self) -> None:
        self.sock.close()


def test_pools(mock_cluster):
    status, doc = fetch(mock_cluster, "/pools")
    assert status == 200 and doc["pools"][0]["name"] == "default"
    status, doc = fetch(mock_cluster, "/pools/default", node=3)
    assert status == 200
    assert len(doc["nodes"]) == 4
    assert doc["nodes"][3]["thisNode"] is True
    assert doc["nodes"][0]["hostname"] == f"127.0.0.1:{mock_cluster.nodes[0].mgmt_port}"
    assert doc["buckets"]["terseStreamingBucketsBase"] == "/pools/default/bs/"


def test_buckets_listing_and_detail(mock_cluster):
    status, doc = fetch(mock_cluster, "/pools/default/buckets")
    assert status == 200
    assert {b["name"] for b in doc} >= {"default", "protected"}
    status, doc = fetch(mock_cluster, "/pools/default/buckets/default")
    assert status == 200
    assert doc["bucketType"] == "membase" and doc["replicaNumber"] == 1
    assert len(doc["vBucketServerMap"]["vBucketMap"]) == 1024
    assert doc["vBucketServerMap"]["serverList"][0] == f"127.0.0.1:{mock_cluster.nodes[0].kv_port}"


def test_terse_config_uses_real_hostnames(mock_cluster):
    status, doc = fetch(mock_cluster, "/pools/default/b/default", node=1)
    assert status == 200
    assert all(n["hostname"] == "127.0.0.1" for n in doc["nodesExt"])
    assert doc["nodesExt"][1]["thisNode"] is True
    assert "$HOST" not in json.dumps(doc)


def test_auth(mock_cluster):
    assert fetch(mock_cluster, "/pools/default/b/default", headers={})[0] == 401
    wrong = _auth("Administrator", "wrong")
    assert fetch(mock_cluster, "/pools/default/b/default", headers=wrong)[0] == 401
    bucket_creds = _auth("protected", "secret")
    assert fetch(mock_cluster, "/pools/default/b/protected", headers=bucket_creds)[0] == 200
    assert fetch(mock_cluster, "/pools/default/b/default", headers=bucket_creds)[0] == 401
    status, doc = fetch(mock_cluster, "/pools/default/buckets", headers=bucket_creds)
    assert status == 200 and [b["name"] for b in doc] == ["protected"]


def test_unknown_bucket_is_404_text(mock_cluster):
    # ns_server answers plain text (the 4.x bucket manager reads it): issue 12.
    status, doc = fetch(mock_cluster, "/pools/default/buckets/nope")
    assert (status, doc) == (404, b"Requested resource not found.\r\n")
    assert fetch(mock_cluster, "/pools/default/b/nope")[0] == 404
    assert fetch(mock_cluster, "/nothing/here")[0] == 404


@pytest.mark.parametrize("path", ["/pools/default/bs/default",
                                  "/pools/default/bucketsStreaming/default"])
def test_streaming_sends_config_then_updates(fresh_mock, path):
    stream = Stream(fresh_mock, path)
    try:
        assert stream.response.status_code == 200
        first = stream.next_config()
        assert first["name"] == "default"
        fresh_mock.create_bucket("another")
        second = stream.next_config()
        assert second["rev"] > first["rev"]
    finally:
        stream.close()


def test_stream_ends_when_bucket_is_deleted(fresh_mock):
    fresh_mock.create_bucket("doomed")
    stream = Stream(fresh_mock, "/pools/default/bs/doomed")
    try:
        stream.next_config()
        fresh_mock.delete_bucket("doomed")
        stream.wait_end()
    finally:
        stream.close()


def test_create_and_delete_bucket_over_rest(fresh_mock):
    body = "name=made&bucketType=couchbase&ramQuotaMB=100&replicaNumber=0&saslPassword=pw"
    status, _ = fetch(fresh_mock, "/pools/default/buckets", method="POST", body=body)
    assert status == 202
    assert "made" in fresh_mock.bucket_names
    status, doc = fetch(fresh_mock, "/pools/default/buckets", method="POST", body=body)
    assert status == 400 and "name" in doc["errors"]
    assert fetch(fresh_mock, "/pools/default/b/made", headers=_auth("made", "pw"))[0] == 200
    assert fetch(fresh_mock, "/pools/default/buckets/made", method="DELETE")[0] == 200
    assert "made" not in fresh_mock.bucket_names


def test_keep_alive_serves_several_requests(mock_cluster):
    conn = http.client.HTTPConnection(mock_cluster.host, mock_cluster.nodes[0].mgmt_port,
                                      timeout=5)
    try:
        for _ in range(3):
            conn.request("GET", "/pools/default/b/default", headers=ADMIN)
            resp = conn.getresponse()
            assert resp.status == 200
            assert json.loads(resp.read())["name"] == "default"
    finally:
        conn.close()
