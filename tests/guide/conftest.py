"""Fixtures for running the SDK 1.2 developer guide's examples verbatim.

The guide connects with ``Couchbase.connect(bucket='default', host='localhost')``
to a server whose management port is 8091. Here the management port of the
local mock cluster stands in for 8091: ``connect(...)`` adds ``host=`` and
``port=`` and otherwise passes the example's arguments through unchanged.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import pytest

from couchbase import Couchbase


def _connector(cluster: Any) -> tuple[Callable[..., Any], list[Any]]:
    mgmt = urlsplit(cluster.mgmt_url)
    opened: list[Any] = []

    def connect(**kwargs: Any) -> Any:
        kwargs.setdefault("host", mgmt.hostname)
        kwargs.setdefault("port", mgmt.port)
        conn = Couchbase.connect(**kwargs)
        opened.append(conn)
        return conn

    return connect, opened


@pytest.fixture
def connect(mock_cluster) -> Iterator[Callable[..., Any]]:
    """``Couchbase.connect`` bound to the shared session cluster."""
    fn, opened = _connector(mock_cluster)
    yield fn
    for conn in opened:
        conn.close()


@pytest.fixture
def fresh_connect(fresh_mock) -> Iterator[Callable[..., Any]]:
    """``Couchbase.connect`` bound to a private cluster whose clock a test may move."""
    fn, opened = _connector(fresh_mock)
    yield fn
    for conn in opened:
        conn.close()


@pytest.fixture
def c(connect) -> Any:
    """The guide's ``c`` / ``client`` / ``cb``: a connection to ``default``."""
    return connect(bucket="default")


@pytest.fixture
def forget(c) -> Callable[..., None]:
    """Remove the guide's fixed keys so an example starts from an empty slate."""

    def remove(*keys: str) -> None:
        for key in keys:
            c.delete(key, quiet=True)

    return remove


@pytest.fixture
def key_prefix() -> str:
    """A prefix no other test uses, for keys the guide leaves unnamed."""
    return f"guide-{uuid.uuid4().hex[:12]}-"
