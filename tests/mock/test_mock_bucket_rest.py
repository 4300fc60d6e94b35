"""Bucket management over REST (couchbase_mock.bucket_rest): create with every parameter,
the server's validation errors, edit, flush, delete, and who may do each."""

from __future__ import annotations

import itertools
from typing import Any, Iterator
from urllib.parse import urlencode

import pytest
from mock_http import basic_auth, fetch

from couchbase.bucket import Bucket
from couchbase.exceptions import NotFoundError
from couchbase_mock import MockCluster

_names = (f"brest{i}" for i in itertools.count())
BASE = {"bucketType": "couchbase", "ramQuota": "100", "replicaNumber": "0"}


def _create(mock: Any, name: str, **fields: str) -> tuple[int, Any]:
    form = {"name": name, **BASE, **fields}
    return fetch(mock, "/pools/default/buckets", method="POST", body=urlencode(form))


def _info(mock: Any, name: str) -> dict[str, Any]:
    status, doc = fetch(mock, f"/pools/default/buckets/{name}")
    assert status == 200
    return doc


@pytest.fixture
def name(mock_cluster: MockCluster) -> Iterator[str]:
    """A fresh bucket name, deleted after the test if it was created."""
    made = next(_names)
    yield made
    if made in mock_cluster.bucket_names:
        mock_cluster.delete_bucket(made)


def test_create_answers_202_with_location_and_info_reflects_every_setting(mock_cluster, name):
    status, _ = _create(mock_cluster, name, ramQuotaMB="256", ramQuota="300", replicaNumber="2",
                        flushEnabled="1", evictionPolicy="fullEviction",
                        durabilityMinLevel="majority", maxTTL="3600", compressionMode="active",
                        conflictResolutionType="lww", storageBackend="couchstore",
                        threadsNumber="8", replicaIndex="1")
    assert status == 202
    info = _info(mock_cluster, name)
    assert info["quota"] == {"ram": 300 * 2**20 * 4, "rawRAM": 300 * 2**20}  # ramQuota wins
    assert info["bucketType"] == "membase"
    assert (info["replicaNumber"], info["threadsNumber"], info["replicaIndex"]) == (2, 8, True)
    assert info["evictionPolicy"] == "fullEviction"
    assert info["durabilityMinLevel"] == "majority"
    assert (info["maxTTL"], info["compressionMode"]) == (3600, "active")
    assert info["conflictResolutionType"] == "lww"
    assert info["storageBackend"] == "couchstore"
    assert info["controllers"]["flush"] == f"/pools/default/buckets/{name}/controller/doFlush"
    assert info["vBucketServerMap"]["numReplicas"] == 2


def test_location_header_and_defaults(mock_cluster, name):
    import http.client

    from mock_http import ADMIN

    conn = http.client.HTTPConnection(mock_cluster.host, mock_cluster.nodes[0].mgmt_port,
                                      timeout=5)
    try:
        conn.request("POST", "/pools/default/buckets", body=f"name={name}&ramQuotaMB=100",
                     headers={**ADMIN, "Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 202
        assert resp.getheader("Location") == f"/pools/default/buckets/{name}"
    finally:
        conn.close()
    info = _info(mock_cluster, name)
    assert "flush" not in info["controllers"]  # flushEnabled defaults to 0
    assert (info["evictionPolicy"], info["compressionMode"]) == ("valueOnly", "passive")
    assert (info["durabilityMinLevel"], info["maxTTL"], info["threadsNumber"]) == ("none", 0, 3)
    assert info["conflictResolutionType"] == "seqno"


def test_ephemeral_and_memcached_buckets(mock_cluster, name):
    assert _create(mock_cluster, name, bucketType="ephemeral",
                   evictionPolicy="nruEviction")[0] == 202
    info = _info(mock_cluster, name)
    assert (info["bucketType"], info["evictionPolicy"]) == ("ephemeral", "nruEviction")
    mock_cluster.delete_bucket(name)
    form = {"name": name, "bucketType": "memcached", "ramQuota": "64", "flushEnabled": "1"}
    status, _ = fetch(mock_cluster, "/pools/default/buckets", method="POST",
                      body=urlencode(form))
    assert status == 202
    info = _info(mock_cluster, name)
    assert (info["bucketType"], info["nodeLocator"]) == ("memcached", "ketama")


BAD = [
    ({"ramQuota": "abc"}, "ramQuota",
     "The RAM Quota must be specified and must be a positive integer."),
    ({"ramQuota": "-5"}, "ramQuota", "The RAM Quota cannot be negative."),
    ({"ramQuota": "99"}, "ramQuota", "RAM quota cannot be less than 100 MiB"),
    ({"ramQuota": str(10**9)}, "ramQuota",
     "RAM quota specified is too large to be provisioned into this cluster."),
    ({"bucketType": "nosql"}, "bucketType", "invalid bucket type"),
    ({"replicaNumber": "x"}, "replicaNumber",
     "The replica number must be specified and must be a non-negative integer."),
    ({"replicaNumber": "-1"}, "replicaNumber", "The replica number cannot be negative."),
    ({"replicaNumber": "4"}, "replicaNumber", "Replica number larger than 3 is not supported."),
    ({"flushEnabled": "yes"}, "flushEnabled", "flushEnabled can only be 1 or 0"),
    ({"replicaIndex": "2"}, "replicaIndex", "replicaIndex can only be 1 or 0"),
    ({"evictionPolicy": "noEviction"}, "evictionPolicy",
     "Eviction policy must be either 'valueOnly' or 'fullEviction' for couchbase buckets"),
    ({"bucketType": "ephemeral", "evictionPolicy": "valueOnly"}, "evictionPolicy",
     "Eviction policy must be either 'noEviction' or 'nruEviction' for ephemeral buckets"),
    ({"bucketType": "ephemeral", "replicaIndex": "1"}, "replicaIndex",
     "replicaIndex not supported for ephemeral buckets"),
    ({"durabilityMinLevel": "always"}, "durability_min_level",
     "Durability minimum level must be one of 'none', 'majority', "
     "'majorityAndPersistActive', or 'persistToMajority'"),
    ({"bucketType": "ephemeral", "durabilityMinLevel": "persistToMajority"},
     "durability_min_level",
     "Durability minimum level must be either 'none' or 'majority' for ephemeral buckets"),
    ({"replicaNumber": "3", "durabilityMinLevel": "majority"}, "durability_min_level",
     "Durability minimum level cannot be specified with 3 replicas"),
    ({"maxTTL": "-1"}, "maxTTL", "Max TTL must be an integer between 0 and 2147483647"),
    ({"maxTTL": str(2**31)}, "maxTTL", "Max TTL must be an integer between 0 and 2147483647"),
    ({"compressionMode": "zip"}, "compressionMode",
     "compressionMode can be set to 'off', 'passive' or 'active'"),
    ({"conflictResolutionType": "newest"}, "conflictResolutionType",
     "Conflict resolution type must be 'seqno' or 'lww' or 'custom'"),
    ({"conflictResolutionType": "custom"}, "conflictResolutionType",
     "Conflict resolution type 'custom' is supported only with developer preview enabled"),
    ({"storageBackend": "rocks"}, "storage_mode", "storage backend must be couchstore or magma"),
    ({"storageBackend": "magma", "ramQuota": "512"}, "ramQuota",
     "Ram quota for magma must be at least 1024 MiB"),
    ({"threadsNumber": "1"}, "threadsNumber", "The number of threads can't be less than 2"),
    ({"threadsNumber": "9"}, "threadsNumber", "The number of threads can't be greater than 8"),
    ({"threadsNumber": "many"}, "threadsNumber",
     "The number of threads must be an integer between 2 and 8, inclusive"),
    ({"bucketType": "memcached", "replicaNumber": "1", "ramQuota": "64"}, "replicaNumber",
     "replicaNumber is not valid for memcached buckets"),
    ({"bucketType": "memcached", "ramQuota": "63"}, "ramQuota",
     "RAM quota cannot be less than 64 MiB"),
]


@pytest.mark.parametrize("fields, field, message", BAD)
def test_each_bad_parameter_gets_the_servers_error(mock_cluster, name, fields, field, message):
    status, doc = _create(mock_cluster, name, **fields)
    assert status == 400
    assert doc["errors"][field] == message
    assert set(doc["summaries"]) == {"ramSummary", "hddSummary"}
    assert name not in mock_cluster.bucket_names


def test_missing_quota_and_every_error_at_once(mock_cluster):
    form = {"name": ".bad", "flushEnabled": "2", "maxTTL": "x"}
    status, doc = fetch(mock_cluster, "/pools/default/buckets", method="POST",
                        body=urlencode(form))
    assert status == 400
    assert set(doc["errors"]) == {"name", "flushEnabled", "maxTTL", "ramQuota"}
    ram = doc["summaries"]["ramSummary"]
    assert set(ram) == {"total", "otherBuckets", "nodesCount", "perNodeMegs", "thisAlloc",
                        "thisUsed", "free"}
    assert ram["nodesCount"] == 4


def test_replica_warnings_come_with_other_errors_and_with_just_validate(fresh_mock):
    # fresh_mock has 2 nodes: 2 replicas cannot be placed
    status, doc = _create(fresh_mock, "w", replicaNumber="2", maxTTL="bad")
    assert status == 400
    assert doc["errors"]["replicaNumber"] == (
        "Warning: you do not have enough data servers or server groups to support this "
        "number of replicas.")
    form = urlencode({"name": "w", **BASE, "replicaNumber": "2"})
    status, doc = fetch(fresh_mock, "/pools/default/buckets?just_validate=1", method="POST",
                        body=form)
    assert status == 400 and "replicaNumber" in doc["errors"]
    status, doc = fetch(fresh_mock, "/pools/default/buckets?just_validate=1&ignore_warnings=1",
                        method="POST", body=form)
    assert (status, doc["errors"]) == (200, {})
    assert "w" not in fresh_mock.bucket_names  # validated only
    assert _create(fresh_mock, "w", replicaNumber="2")[0] == 202  # warnings do not refuse


def test_at_most_30_buckets(fresh_mock):
    for i in range(29):  # fresh_mock has "default"
        assert _create(fresh_mock, f"b{i}")[0] == 202
    assert _create(fresh_mock, "one-too-many") == (
        400, {"_": "Cannot create more than 30 buckets"})


def test_edit_changes_only_the_fields_given(mock_cluster, name):
    assert _create(mock_cluster, name, maxTTL="60")[0] == 202
    path = f"/pools/default/buckets/{name}"
    body = urlencode({"ramQuota": "200", "flushEnabled": "1", "replicaNumber": "1"})
    assert fetch(mock_cluster, path, method="POST", body=body)[0] == 200
    info = _info(mock_cluster, name)
    assert info["quota"]["rawRAM"] == 200 * 2**20
    assert "flush" in info["controllers"]
    assert info["maxTTL"] == 60  # kept
    assert info["replicaNumber"] == 1
    assert info["vBucketServerMap"]["numReplicas"] == 0  # moves at the next rebalance


@pytest.mark.parametrize("fields, field, message", [
    ({"bucketType": "memcached"}, "bucketType", "Cannot change bucket type."),
    ({"conflictResolutionType": "lww"}, "conflictResolutionType",
     "Conflict resolution type not allowed in update bucket"),
    ({"ramQuota": "10"}, "ramQuota", "RAM quota cannot be less than 100 MiB"),
])
def test_edit_refusals(mock_cluster, name, fields, field, message):
    assert _create(mock_cluster, name)[0] == 202
    status, doc = fetch(mock_cluster, f"/pools/default/buckets/{name}", method="POST",
                        body=urlencode(fields))
    assert status == 400 and doc["errors"][field] == message


def test_edit_of_a_missing_bucket_is_404(mock_cluster):
    assert fetch(mock_cluster, "/pools/default/buckets/nope", method="POST",
                 body="ramQuota=100")[0] == 404


def test_flush_empties_the_bucket_only_when_enabled(mock_cluster, name):
    assert _create(mock_cluster, name)[0] == 202
    cb = Bucket(f"{mock_cluster.connstr}/{name}", username=mock_cluster.username,
                password=mock_cluster.password)
    try:
        cb.upsert("k", 1)
        path = f"/pools/default/buckets/{name}/controller/doFlush"
        assert fetch(mock_cluster, path, method="POST", body="") == (
            400, {"_": "Flush is disabled for the bucket"})
        assert cb.get("k").value == 1
        assert fetch(mock_cluster, f"/pools/default/buckets/{name}", method="POST",
                     body="flushEnabled=1")[0] == 200
        assert fetch(mock_cluster, path, method="POST", body="")[0] == 200
        with pytest.raises(NotFoundError):
            cb.get("k")
        cb.upsert("k", 2)  # the bucket works on
        assert cb.get("k").value == 2
    finally:
        cb.close()


def test_flush_drops_persisted_data_and_settings_survive_a_restart(tmp_path):
    with MockCluster(nodes=1, data_dir=str(tmp_path)) as mock:
        assert _create(mock, "kept", flushEnabled="1", maxTTL="77")[0] == 202
        cb = Bucket(f"{mock.connstr}/kept", username=mock.username, password=mock.password)
        cb.upsert("before", 1, persist_to=1)
        assert fetch(mock, "/pools/default/buckets/kept/controller/doFlush",
                     method="POST", body="")[0] == 200
        cb.upsert("after", 2, persist_to=1)
        cb.close()
    with MockCluster(nodes=1, data_dir=str(tmp_path)) as mock:
        cb = Bucket(f"{mock.connstr}/kept", username=mock.username, password=mock.password)
        try:
            with pytest.raises(NotFoundError):
                cb.get("before")
            assert cb.get("after").value == 2
        finally:
            cb.close()
        info = _info(mock, "kept")
        assert info["maxTTL"] == 77 and "flush" in info["controllers"]


def test_delete(mock_cluster, name):
    assert _create(mock_cluster, name)[0] == 202
    assert fetch(mock_cluster, f"/pools/default/buckets/{name}", method="DELETE")[0] == 200
    assert name not in mock_cluster.bucket_names
    status, body = fetch(mock_cluster, f"/pools/default/buckets/{name}", method="DELETE")
    assert (status, body) == (404, b"The bucket to be deleted was not found.\r\n")


def test_python_made_buckets_keep_flush_enabled(mock_cluster):
    assert "flush" in _info(mock_cluster, "default")["controllers"]


def test_who_may_manage_buckets(mock_cluster, name):
    nobody = basic_auth("Administrator", "wrong")
    assert fetch(mock_cluster, "/pools/default/buckets", nobody, method="POST",
                 body=f"name={name}&ramQuota=100")[0] == 401
    bucket_user = basic_auth("protected", "secret")
    status, doc = fetch(mock_cluster, "/pools/default/buckets", bucket_user, method="POST",
                        body=f"name={name}&ramQuota=100")
    assert (status, doc) == (403, {"message": "Forbidden. User needs the following permissions",
                                   "permissions": ["cluster.buckets!create"]})
    status, doc = fetch(mock_cluster, "/pools/default/buckets/default", bucket_user,
                        method="DELETE")
    assert status == 403 and doc["permissions"] == ["cluster.bucket[default]!delete"]
    status, doc = fetch(mock_cluster, "/pools/default/buckets/default/controller/doFlush",
                        bucket_user, method="POST", body="")
    assert status == 403 and doc["permissions"] == ["cluster.bucket[default]!flush"]
    assert "default" in mock_cluster.bucket_names


def test_compression_mode_set_over_rest_is_what_the_data_service_does(mock_cluster, name):
    """An active bucket sends values compressed to a client that negotiated Snappy."""
    from couchbase.bucket import Bucket
    from couchbase_mock.compression import counters

    assert _create(mock_cluster, name, ramQuotaMB="100", compressionMode="active")[0] == 202
    bucket = mock_cluster.cluster.buckets[name]
    assert bucket.compression_mode == "active"
    cb = Bucket(f"{mock_cluster.connstr}/{name}?compression=on", username="Administrator",
                password="password")
    try:
        value = {"text": "couchbase " * 2000}
        cb.upsert("big", value)
        sent = counters(bucket).sent
        assert cb.get("big").value == value
        assert counters(bucket).sent == sent + 1
    finally:
        cb.close()
