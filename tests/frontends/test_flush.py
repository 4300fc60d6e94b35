"""Bucket.flush() (SDK 2.x) on every front end, on buckets these tests create: every
document goes, and a bucket whose flush is disabled refuses with HTTPError."""

from __future__ import annotations

import itertools
from typing import Any, Iterator

import pytest

from couchbase.admin import Admin
from couchbase.exceptions import HTTPError, NotFoundError
from couchbase.result import HttpResult

_names = (f"flush{i}" for i in itertools.count())


@pytest.fixture
def bucket_name(mock_cluster: Any) -> Iterator[str]:
    """A new bucket (created from Python: flush enabled), deleted afterwards."""
    name = next(_names)
    mock_cluster.create_bucket(name, replicas=1)
    yield name
    mock_cluster.delete_bucket(name)


def test_flush_removes_every_document(connect, mock_cluster, bucket_name):
    cb = connect(f"{mock_cluster.connstr}/{bucket_name}", username="Administrator",
                 password="password")
    keys = [f"doc{i}" for i in range(20)]
    cb.upsert_multi({k: {"i": i} for i, k in enumerate(keys)})
    result = cb.flush()
    assert isinstance(result, HttpResult) and result.success
    for key in keys:
        with pytest.raises(NotFoundError):
            cb.get(key)
    cb.upsert("after", 1)  # the bucket is usable at once
    assert cb.get("after").value == 1


def test_flush_disabled_raises_http_error(connect, mock_cluster, bucket_name):
    adm = Admin(mock_cluster.username, mock_cluster.password, mock_cluster.host,
                mock_cluster.nodes[0].mgmt_port)
    adm.bucket_update(bucket_name, flush_enabled=False)
    cb = connect(f"{mock_cluster.connstr}/{bucket_name}", username="Administrator",
                 password="password")
    cb.upsert("kept", 1)
    with pytest.raises(HTTPError) as caught:
        cb.flush()
    assert caught.value.status == 400
    assert "Flush is disabled for the bucket" in str(caught.value)
    assert cb.get("kept").value == 1
