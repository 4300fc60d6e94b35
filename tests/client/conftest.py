from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from couchbase.bucket import Bucket


@pytest.fixture
def cb(mock_cluster) -> Iterator[Bucket]:
    bucket = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                    password="password")
    yield bucket
    bucket.close()


@pytest.fixture
def key() -> str:
    """A key no other test uses."""
    return f"k-{uuid.uuid4().hex}"
