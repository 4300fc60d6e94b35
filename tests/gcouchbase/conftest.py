"""Fixtures for the gevent front end. Nothing here monkey-patches: the tests run
in the main greenlet, which yields to this thread's hub while it waits, and the
shared mock cluster keeps serving from its own OS thread."""

from __future__ import annotations

import uuid
from typing import Any, Iterator

import pytest

pytest.importorskip("gevent")

from gcouchbase.bucket import Bucket  # noqa: E402


@pytest.fixture
def gcb(mock_cluster: Any) -> Iterator[Bucket]:
    """A gevent Bucket on the shared cluster's ``default`` bucket."""
    bucket = Bucket(f"{mock_cluster.connstr}/default", username=mock_cluster.username,
                    password=mock_cluster.password)
    yield bucket
    bucket.close()


@pytest.fixture
def key() -> str:
    """A key no other test uses."""
    return f"g-{uuid.uuid4().hex}"
