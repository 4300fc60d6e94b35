"""Fixtures of the local cluster's wire-level tests (tests/mock)."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from mock_kvclient import KV, connect


@pytest.fixture
def kv0(mock_cluster: Any) -> Iterator[KV]:
    """A connection to node 0 of the shared cluster (mock_kvclient.KV)."""
    with connect(mock_cluster, node=0) as kv:
        yield kv
