"""Fixtures for the Twisted front end (the session's reactor thread is the
``reactor`` fixture of tests/conftest.py). Objects of ``txcouchbase`` are made
and used in the reactor thread only, as in an application.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import pytest

pytest.importorskip("twisted")

from reactor_thread import ReactorThread  # noqa: E402  (tests/, shared with tests/frontends)
from txcouchbase.bucket import Bucket  # noqa: E402
from txcouchbase.connection import TxAsyncConnection  # noqa: E402


@pytest.fixture
def open_bucket(reactor: ReactorThread, mock_cluster: Any) -> Iterator[Callable[..., Any]]:
    """Make (in the reactor thread) and connect a txcouchbase class; closed after.

    2.x classes get the KV connection string, 1.x ones the host and management port."""
    opened: list[Any] = []

    def make(cls: Any = Bucket, *args: Any, **kwargs: Any) -> Any:
        if issubclass(cls, TxAsyncConnection):  # 1.x: host and management port
            url = urlsplit(mock_cluster.mgmt_url)
            kwargs.setdefault("host", url.hostname)
            kwargs.setdefault("port", url.port)
        elif not args:
            args = (f"{mock_cluster.connstr}/default",)
        kwargs.setdefault("username", mock_cluster.username)
        kwargs.setdefault("password", mock_cluster.password)
        bucket = reactor(cls, *args, **kwargs)
        opened.append(bucket)
        reactor(bucket.connect)
        return bucket

    yield make
    for bucket in opened:
        reactor(bucket.close)


@pytest.fixture
def cb(open_bucket: Callable[..., Any]) -> Any:
    """A connected Deferred ``Bucket`` on the session's mock cluster."""
    return open_bucket()


@pytest.fixture
def key() -> str:
    """A key no other test uses."""
    return f"tx-{uuid.uuid4().hex}"
