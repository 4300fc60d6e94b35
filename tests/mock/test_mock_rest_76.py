"""The management REST answers of a 7.6 server that 4.x SDKs rely on: the
version in /pools and the nodes, /pools/nodes, plain-text 404s for a missing
bucket, bucket capabilities, history retention settings and collection
history flags."""

from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import urlencode

import pytest
from mock_http import fetch
from mock_kvclient import connect

from couchbase._core.opcode import Opcode
from couchbase_mock import MockCluster

NOT_FOUND = b"Requested resource not found.\r\n"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1) as m:
        yield m


def _create(mock: MockCluster, name: str, **fields: str) -> tuple[int, Any]:
    form = {"name": name, "bucketType": "couchbase", "ramQuota": "1024", "replicaNumber": "1",
            **fields}
    return fetch(mock, "/pools/default/buckets", method="POST", body=urlencode(form))


def test_version_is_7_6(mock):
    status, pools = fetch(mock, "/pools")
    assert status == 200 and pools["implementationVersion"].startswith("7.6.")
    status, default = fetch(mock, "/pools/default")
    assert all(n["version"].startswith("7.6.") for n in default["nodes"])
    assert {n["clusterCompatibility"] for n in default["nodes"]} == {7 * 65536 + 6}
    with connect(mock, 0, bucket=None) as kv:
        assert kv.request(Opcode.VERSION).value.startswith(b"7.6.")


def test_pools_nodes(mock):
    status, doc = fetch(mock, "/pools/nodes")
    assert status == 200
    assert doc["name"] == "nodes" and len(doc["nodes"]) == 2
    _status, default = fetch(mock, "/pools/default")
    assert [n["hostname"] for n in doc["nodes"]] == [n["hostname"] for n in default["nodes"]]
    assert {"ram", "hdd"} <= set(doc["storageTotals"])
    status, _ = fetch(mock, "/pools/nodes", headers={})
    assert status == 401


@pytest.mark.parametrize("method,path", [
    ("GET", "/pools/default/buckets/nosuch"),
    ("GET", "/pools/default/buckets/nosuch/scopes"),
    ("POST", "/pools/default/buckets/nosuch/scopes"),
    ("POST", "/pools/default/buckets/nosuch/controller/doFlush"),
    ("POST", "/pools/default/buckets/nosuch"),
    ("GET", "/pools/default/nosuch"),
])
def test_missing_resources_are_plain_text_404(mock, method, path):
    status, body = fetch(mock, path, method=method, body="" if method == "POST" else None)
    assert (status, body) == (404, NOT_FOUND)


def test_delete_missing_bucket(mock):
    status, body = fetch(mock, "/pools/default/buckets/nosuch", method="DELETE")
    assert status == 404 and b"not found" in body


def test_bucket_capabilities_of_7_6(mock):
    _status, doc = fetch(mock, "/pools/default/b/default")
    caps = set(doc["bucketCapabilities"])
    assert {"rangeScan", "durableWrite", "xattr", "subdoc.ReviveDocument",
            "subdoc.ReplaceBodyWithXattr", "subdoc.DocumentMacroSupport", "collections",
            "preserve_expiry"} <= caps
    assert "enhancedPreparedStatements" in doc["clusterCapabilities"]["n1ql"]


def test_history_retention_on_magma(mock):
    status, body = _create(mock, "hist", storageBackend="magma",
                           historyRetentionCollectionDefault="false",
                           historyRetentionBytes="2147483648", historyRetentionSeconds="600")
    assert status == 202, body
    try:
        _status, info = fetch(mock, "/pools/default/buckets/hist")
        assert (info["historyRetentionCollectionDefault"], info["historyRetentionBytes"],
                info["historyRetentionSeconds"]) == (False, 2147483648, 600)
        status, _ = fetch(mock, "/pools/default/buckets/hist", method="POST",
                          body=urlencode({"historyRetentionSeconds": "60"}))
        assert status == 200
        _status, info = fetch(mock, "/pools/default/buckets/hist")
        assert info["historyRetentionSeconds"] == 60
        status, body = fetch(mock, "/pools/default/buckets/hist", method="POST",
                             body=urlencode({"historyRetentionBytes": "-1"}))
        assert status == 400 and "historyRetentionBytes" in body["errors"]
    finally:
        mock.delete_bucket("hist")


def test_history_retention_needs_magma(mock):
    status, body = _create(mock, "nohist", historyRetentionSeconds="600")
    assert status == 400
    assert body["errors"]["historyRetentionSeconds"] == "History Retention can only used with Magma"
    status, _ = _create(mock, "nohist2")
    assert status == 202
    _status, info = fetch(mock, "/pools/default/buckets/nohist2")
    assert "historyRetentionSeconds" not in info
    mock.delete_bucket("nohist2")


def _collection(mock: MockCluster, bucket: str, name: str) -> dict[str, Any]:
    _status, manifest = fetch(mock, f"/pools/default/buckets/{bucket}/scopes")
    for scope in manifest["scopes"]:
        for coll in scope["collections"]:
            if coll["name"] == name:
                return coll
    raise AssertionError(name)


def test_collection_history_flag(mock):
    assert _create(mock, "mag", storageBackend="magma")[0] == 202
    try:
        base = "/pools/default/buckets/mag/scopes/_default/collections"
        assert fetch(mock, base, method="POST", body="name=kept")[0] == 200
        assert _collection(mock, "mag", "kept").get("history") is True  # the bucket default
        assert fetch(mock, base, method="POST", body="name=plain&history=false")[0] == 200
        assert "history" not in _collection(mock, "mag", "plain")
        status, answer = fetch(mock, base + "/plain", method="PATCH",
                               body="history=true&maxTTL=30")
        assert status == 200 and "uid" in answer
        coll = _collection(mock, "mag", "plain")
        assert (coll.get("history"), coll.get("maxTTL")) == (True, 30)
        status, answer = fetch(mock, base, method="POST", body="name=bad&history=maybe")
        assert status == 400 and "history" in answer["errors"]
    finally:
        mock.delete_bucket("mag")


def test_collection_history_refused_on_couchstore(mock):
    base = "/pools/default/buckets/default/scopes/_default/collections"
    status, answer = fetch(mock, base, method="POST", body="name=h&history=true")
    assert status == 400 and "history" in answer["errors"]
    assert fetch(mock, base + "/nosuch", method="PATCH", body="maxTTL=5")[0] == 404
