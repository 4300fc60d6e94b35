from __future__ import annotations

from typing import Iterator

import pytest

from couchbase.bucket import Bucket
from scripted import MemoryCluster


@pytest.fixture
def cb(mock_cluster) -> Iterator[Bucket]:
    bucket = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                    password="password")
    yield bucket
    bucket.close()


@pytest.fixture
def memory() -> MemoryCluster:
    """A 2-node local cluster reachable over bytes only (tests/scripted.py)."""
    return MemoryCluster(nodes=2, replicas=1)
