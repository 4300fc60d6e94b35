"""pytest fixtures for tests that need a cluster.

Load with ``pytest_plugins = ["couchbase_mock.pytest_plugin"]``.

``mock_cluster`` (session scope): 4 nodes, 1 replica, buckets ``default``
and ``protected`` (bucket password ``secret``), kept in a temporary data
directory so that ``persist_to`` works. Share it; do not change its
topology. ``fresh_mock`` (function scope): 2 nodes, bucket ``default``, for
tests that change state (time, buckets).
"""

from __future__ import annotations

from typing import Iterator

import pytest

from .mock import MockCluster

PROTECTED_BUCKET = "protected"
PROTECTED_PASSWORD = "secret"


@pytest.fixture(scope="session")
def mock_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockCluster]:
    """A running 4-node mock cluster shared by the whole session."""
    buckets = {"default": {}, PROTECTED_BUCKET: {"password": PROTECTED_PASSWORD}}
    data_dir = str(tmp_path_factory.mktemp("mock-data"))
    with MockCluster(nodes=4, replicas=1, buckets=buckets, data_dir=data_dir) as mock:
        yield mock


@pytest.fixture
def fresh_mock() -> Iterator[MockCluster]:
    """A new 2-node mock cluster for one test."""
    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock
