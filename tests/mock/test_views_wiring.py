"""The views (capi) port in the cluster config and the REST listing of design
documents; none of this needs the JavaScript engine."""

from __future__ import annotations

from mock_http import basic_auth, fetch
from mock_kvclient import connect
from mock_views import capi


def test_every_node_advertises_its_capi_port(mock_cluster):
    ports = [n.capi_port for n in mock_cluster.nodes]
    assert all(ports) and len(set(ports)) == len(ports)
    terse = fetch(mock_cluster, "/pools/default/b/default")[1]
    assert [n["services"]["capi"] for n in terse["nodesExt"]] == ports
    assert [n["couchApiBase"] for n in terse["nodes"]] == [
        f"http://127.0.0.1:{p}/default" for p in ports]
    assert "couchapi" in terse["bucketCapabilities"]
    with connect(mock_cluster, node=2) as kv:
        cfg = kv.config()
    assert cfg["nodes"][2]["couchApiBase"] == f"http://$HOST:{ports[2]}/default"
    assert cfg["nodesExt"][2]["services"]["capi"] == ports[2]


def test_ddocs_listing_is_empty_at_first(fresh_mock):
    status, doc = fetch(fresh_mock, "/pools/default/buckets/default/ddocs")
    assert (status, doc) == (200, {"rows": []})
    status, _ = fetch(fresh_mock, "/pools/default/buckets/nope/ddocs")
    assert status == 404


def test_capi_port_wants_credentials(mock_cluster):
    status, body, headers = capi(mock_cluster, "GET", "/default/_design/x", headers={})
    assert status == 401 and "www-authenticate" in headers
    status, _, _ = capi(mock_cluster, "GET", "/default/_design/x",
                        headers=basic_auth("Administrator", "wrong"))
    assert status == 401
    # A bucket's own credentials open that bucket only.
    status, body, _ = capi(mock_cluster, "GET", "/protected/_design/x",
                           headers=basic_auth("protected", "secret"))
    assert (status, body) == (404, {"error": "not_found", "reason": "missing"})
    status, _, _ = capi(mock_cluster, "GET", "/default/_design/x",
                        headers=basic_auth("protected", "secret"))
    assert status == 401


def test_unknown_bucket_and_paths(mock_cluster):
    status, body, _ = capi(mock_cluster, "GET", "/nope/_design/x")
    assert status == 404 and body["error"] == "not_found"
    status, body, _ = capi(mock_cluster, "GET", "/default/_all_docs")
    assert status == 404 and body["error"] == "not_found"
