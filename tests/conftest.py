from __future__ import annotations

import uuid
from typing import Any, Iterator

import pytest

pytest_plugins = ["couchbase_mock.pytest_plugin"]


@pytest.fixture
def key() -> str:
    """A key no other test uses."""
    return f"k-{uuid.uuid4().hex}"


@pytest.fixture(scope="session")
def reactor() -> Iterator[Any]:
    """The session's Twisted reactor, running in its own thread (see reactor_thread.py)."""
    pytest.importorskip("twisted")
    from reactor_thread import run_reactor

    yield from run_reactor()
