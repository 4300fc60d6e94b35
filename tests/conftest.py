from __future__ import annotations

import uuid
from typing import Any, Iterator

import pytest

pytest_plugins = ["couchbase_mock.pytest_plugin"]

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    pass
else:
    # Property tests check values, not speed: on a loaded 2-core machine (CI, PyPy
    # warming up) generating examples can be slow without anything being wrong.
    settings.register_profile(
        "suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile("suite")


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
