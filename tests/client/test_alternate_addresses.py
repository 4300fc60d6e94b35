"""Alternate addresses end to end: a cluster reached only through a port mapper.

The cluster and its port mapper are tests/port_mapper.py's (the front-end
tests in tests/frontends/test_frontend_srv_altaddr.py use them too): the
nodes advertise the mapper's 127.0.0.2 ports as their ``external`` alternate
address, as a server behind NAT does. ``network=external`` must then send all
traffic (KV and HTTP services) through the proxy, ``network=auto`` must do so
when the seed is an external hostname, and ``network=default`` must not use
the proxy at all.
"""

from __future__ import annotations

import base64
import json
from typing import Iterator
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from couchbase.auth import PasswordAuthenticator
from couchbase.bucket import Bucket
from couchbase.cluster import Cluster
from couchbase.exceptions import ArgumentError
from couchbase.options import ClusterOptions
from couchbase_mock import MockCluster
from couchbase_mock.__main__ import build_cluster, parse_args
from port_mapper import EXTERNAL, Mapped, PortMapper, can_bind, natted_cluster  # tests/
from port_mapper import external_seed as _seed

USER, PASSWORD = "Administrator", "password"

pytestmark = pytest.mark.skipif(not can_bind(EXTERNAL),
                                reason=f"{EXTERNAL} is not a loopback address here")


@pytest.fixture(scope="module")
def natted() -> Iterator[tuple[MockCluster, PortMapper, Mapped]]:
    """A 2-node cluster whose nodes advertise the port mapper as their external address."""
    with natted_cluster() as found:
        yield found


def _cluster(connstr: str) -> Cluster:
    return Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator(USER, PASSWORD)))


def _kv_and_query(cluster: Cluster, key: str) -> None:
    collection = cluster.bucket("default").default_collection()
    collection.upsert(key, {"via": key})
    assert collection.get(key).content_as[dict] == {"via": key}
    rows = list(cluster.query("SELECT 1 AS one").rows())
    assert rows == [{"one": 1}]


@pytest.mark.parametrize("network", ["external", "auto"])
def test_external_network_sends_everything_through_the_mapper(natted, network):
    mock, mapper, mapped = natted
    before = dict(mapper.accepted)
    cluster = _cluster(f"couchbase://{_seed(mapped)}?network={network}")
    try:
        for i in range(20):  # keys on both nodes' vbuckets
            _kv_and_query(cluster, f"{network}-{i}")
    finally:
        cluster.close()
    used = {port for port, n in mapper.accepted.items() if n > before.get(port, 0)}
    kv_ports = {ports["kv"] for ports in mapped.values()}
    assert kv_ports <= used  # both nodes' KV through the mapper
    assert {ports["n1ql"] for ports in mapped.values()} & used  # query too


@pytest.mark.parametrize("option", ["?network=external", "?network=auto", ""])
def test_the_client_addresses_nodes_by_their_external_address(natted, option):
    mock, mapper, mapped = natted
    cb = Bucket(f"couchbase://{_seed(mapped)}/default{option}",
                username=USER, password=PASSWORD)
    try:
        cb.upsert("where", 1)
        assert sorted(cb.server_nodes) == sorted(
            f"{EXTERNAL}:{ports['kv']}" for ports in mapped.values())
    finally:
        cb.close()


def test_default_network_goes_direct(natted):
    mock, mapper, mapped = natted
    before = mapper.total()
    cluster = _cluster(f"{mock.connstr}?network=default")
    try:
        _kv_and_query(cluster, "direct")
    finally:
        cluster.close()
    assert mapper.total() == before


def test_auto_with_the_internal_seed_goes_direct(natted):
    mock, mapper, mapped = natted
    before = mapper.total()
    cluster = _cluster(mock.connstr)  # network=auto is the default
    try:
        _kv_and_query(cluster, "auto-internal")
    finally:
        cluster.close()
    assert mapper.total() == before


def test_auto_is_the_default_network(natted):
    mock, mapper, mapped = natted
    query_ports = {ports["n1ql"] for ports in mapped.values()}
    before = sum(mapper.accepted[p] for p in query_ports)
    cluster = _cluster(f"couchbase://{_seed(mapped)}")
    try:
        _kv_and_query(cluster, "auto-default")
    finally:
        cluster.close()
    # The query address comes from the config alone: the mapped one was used.
    assert sum(mapper.accepted[p] for p in query_ports) > before


def test_a_network_name_we_do_not_know_is_refused():
    with pytest.raises(ArgumentError):
        Bucket("couchbase://127.0.0.1/default?network=moon")


# -- the local cluster's side: the REST endpoint, the Python option, the CLI flag --------

def _request(url: str, method: str = "GET", body: bytes = b"",
             user: str = USER, password: str = PASSWORD) -> Request:
    req = Request(url, data=body if method == "PUT" else None, method=method)
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    req.add_header("Authorization", f"Basic {token}")
    return req


def _rest(mock: MockCluster, method: str, body: bytes = b"",
          user: str = USER, password: str = PASSWORD) -> int:
    url = f"{mock.mgmt_url}/node/controller/setupAlternateAddresses/external"
    req = _request(url, method, body, user, password)
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urlopen(req, timeout=10) as resp:
            return int(resp.status)
    except HTTPError as exc:
        return exc.code


def _alternates(mock: MockCluster) -> list:
    with urlopen(_request(f"{mock.mgmt_url}/pools/default/nodeServices"), timeout=10) as resp:
        doc = json.loads(resp.read())
    return [entry.get("alternateAddresses") for entry in doc["nodesExt"]]


def test_rest_sets_and_removes_the_node_address():
    with MockCluster(nodes=2) as mock:
        assert _rest(mock, "PUT", b"hostname=db.example.com&kv=31210&mgmt=38091") == 200
        assert _alternates(mock) == [
            {"external": {"hostname": "db.example.com", "ports": {"kv": 31210, "mgmt": 38091}}},
            None]
        assert _rest(mock, "PUT", b"hostname=only.example.com") == 200
        assert _alternates(mock)[0] == {"external": {"hostname": "only.example.com"}}
        assert _rest(mock, "DELETE") == 200
        assert _alternates(mock) == [None, None]


@pytest.mark.parametrize("body", [b"kv=31210", b"hostname=h&kv=70000", b"hostname=h&kv=x",
                                  b"hostname=h&nosuch=1"])
def test_rest_refuses_bad_fields(body):
    with MockCluster(nodes=1) as mock:
        assert _rest(mock, "PUT", body) == 400
        assert _alternates(mock) == [None]


def test_rest_is_for_the_administrator_only():
    with MockCluster(nodes=1) as mock:
        assert _rest(mock, "PUT", b"hostname=h", password="wrong") == 401
        assert _alternates(mock) == [None]


def test_python_option_and_bad_values():
    with MockCluster(nodes=2, external={1: {"hostname": "n1.example", "ports": {"kv": 1}}}) as m:
        assert _alternates(m) == [None, {"external": {"hostname": "n1.example",
                                                      "ports": {"kv": 1}}}]
        with pytest.raises(ValueError):
            m.set_external(0, "")
        with pytest.raises(ValueError):
            m.set_external(0, "h", {"kv": 0})
        with pytest.raises(IndexError):
            m.set_external(5, "h")
        m.clear_external(1)
        assert _alternates(m) == [None, None]


def test_cli_flag():
    cluster = build_cluster(parse_args(["--nodes", "2", "--external", "1=ext.local,kv=31210"]))
    assert cluster.nodes[1].alternate == {"hostname": "ext.local", "ports": {"kv": 31210}}
    assert cluster.nodes[0].alternate is None
    for bad in ("2=ext.local", "x=h", "0=", "0=h,kv=abc", "0=h,nosuch=1"):
        with pytest.raises(SystemExit):
            parse_args(["--nodes", "2", "--external", bad])
