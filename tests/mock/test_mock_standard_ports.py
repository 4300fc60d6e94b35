"""The standard-ports layout: the first node on Couchbase Server's own ports
(8091 management, 8092 views, 8093 query, 8094 search, 11210 KV), in Python
and on the command line. Skipped where any of those ports is taken."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from mock_http import fetch
from mock_kvclient import connect

from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase_mock import MockCluster
from couchbase_mock.server import STANDARD_PORTS


def _taken(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


@pytest.fixture
def free_standard_ports() -> None:
    taken = [p for p in STANDARD_PORTS.values() if _taken(p)]
    if taken:
        pytest.skip(f"standard ports in use here: {taken}")


def test_first_node_on_standard_ports(free_standard_ports):
    with MockCluster(nodes=2, standard_ports=True) as mock:
        first, second = mock.nodes
        assert first.ports == {"mgmt": 8091, "kv": 11210, "capi": 8092, "n1ql": 8093,
                               "fts": 8094, "cbas": 8095}
        assert not set(second.ports.values()) & set(STANDARD_PORTS.values())
        assert mock.mgmt_url.endswith(":8091")
        status, doc = fetch(mock, "/pools/default")
        assert status == 200 and doc["nodesExt"][0]["services"]["kv"] == 11210
        with connect(mock, 0) as kv:
            assert kv.request(Opcode.NOOP).status == Status.SUCCESS


def test_taken_standard_port_is_an_error(free_standard_ports):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 8093))
        blocker.listen(1)
        with pytest.raises(OSError):
            MockCluster(nodes=1, standard_ports=True).start()
    assert not _taken(8091)  # what was bound before the failure was let go


def test_command_line_standard_ports(free_standard_ports):
    proc = subprocess.Popen(
        [sys.executable, "-m", "couchbase_mock", "--nodes", "2", "--standard-ports"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["mgmt"] == "http://127.0.0.1:8091"
        assert info["connstr"].startswith("couchbase://127.0.0.1:11210,")
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
