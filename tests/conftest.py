from __future__ import annotations

import uuid

import pytest

pytest_plugins = ["couchbase_mock.pytest_plugin"]


@pytest.fixture
def key() -> str:
    """A key no other test uses."""
    return f"k-{uuid.uuid4().hex}"
