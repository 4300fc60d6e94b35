"""Connecting a gevent Bucket / GConnection: success, errors, lifetime, threads."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit

import gevent
import pytest

from couchbase.exceptions import (
    ArgumentError,
    AuthError,
    BucketNotFoundError,
    ConnectError,
    ObjectDestroyedError,
    ObjectThreadError,
)
from couchbase.exceptions import TimeoutError as CBTimeoutError
from gcouchbase.bucket import Bucket
from gcouchbase.connection import GConnection


def _mgmt(mock_cluster) -> tuple[str, int]:
    url = urlsplit(mock_cluster.mgmt_url)
    return url.hostname, url.port


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gconnection_bootstraps_over_http_like_1x(mock_cluster, key):
    host, port = _mgmt(mock_cluster)
    with GConnection(bucket="default", host=host, port=port, username=mock_cluster.username,
                     password=mock_cluster.password) as cb:
        assert cb.bucket == "default" and not cb.closed
        assert len(cb.server_nodes) == 4
        assert cb.set(key, "bar").success
        assert cb.get(key).value == "bar"
    assert cb.closed


def test_gconnection_takes_a_connection_string(mock_cluster, key):
    cb = GConnection(bucket="default", connection_string=f"{mock_cluster.connstr}/default",
                     username=mock_cluster.username, password=mock_cluster.password)
    try:
        cb.set(key, 1)
        assert cb.get(key).value == 1
    finally:
        cb.close()


def test_bucket_with_bucket_password(mock_cluster, key):
    cb = Bucket(f"{mock_cluster.connstr}/protected", password="secret")
    try:
        cb.upsert(key, "guarded")
        assert cb.get(key).value == "guarded" and cb.bucket == "protected"
    finally:
        cb.close()


def test_wrong_password_is_auth_error(mock_cluster):
    start = time.monotonic()
    with pytest.raises(AuthError):
        Bucket(f"{mock_cluster.connstr}/default", username="Administrator", password="nope")
    host, port = _mgmt(mock_cluster)
    with pytest.raises(AuthError):
        GConnection(bucket="default", host=host, port=port, username="Administrator",
                    password="nope")
    assert time.monotonic() - start < 5


def test_missing_bucket_is_bucket_not_found(mock_cluster):
    with pytest.raises(BucketNotFoundError):
        Bucket(f"{mock_cluster.connstr}/no-such-bucket", username="Administrator",
               password="password")
    host, port = _mgmt(mock_cluster)
    with pytest.raises(BucketNotFoundError):
        GConnection(bucket="no-such-bucket", host=host, port=port,
                    username="Administrator", password="password")


def test_nothing_listening_is_connect_error_quickly():
    port = _unused_port()
    start = time.monotonic()
    with pytest.raises(ConnectError):
        Bucket(f"couchbase://127.0.0.1:{port}/default?config_total_timeout=2")
    with pytest.raises(ConnectError):
        GConnection(bucket="default", host="127.0.0.1", port=port)
    assert time.monotonic() - start < 3


def test_silent_server_times_out_within_bootstrap_timeout():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        start = time.monotonic()
        with pytest.raises(CBTimeoutError):
            Bucket(f"couchbase://127.0.0.1:{port}/default", bootstrap_timeout=0.5)
        assert time.monotonic() - start < 2


@pytest.mark.parametrize("kwargs", [
    {"lockmode": 99},
    {"no_such_option": 1},
    {"connection_string": "couchbase://127.0.0.1:1/default?network=nowhere"},
    {"connection_string": 42},
])
def test_bad_arguments_are_argument_errors_before_any_io(kwargs):
    kwargs.setdefault("connection_string", "couchbase://127.0.0.1:1/default")
    with pytest.raises(ArgumentError):
        Bucket(**kwargs)


def test_bad_1x_arguments(mock_cluster):
    with pytest.raises(ArgumentError):
        GConnection(bucket="")
    with pytest.raises(ArgumentError):
        GConnection(bucket="default", port=0)


@pytest.mark.parametrize("http", [False, True])
def test_connecting_blocks_only_the_calling_greenlet(http):
    """A bootstrap that waits (here on a server that never answers) lets others run."""
    ticks = []

    def ticker():
        while True:
            ticks.append(time.monotonic())
            gevent.sleep(0.001)

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        ticking = gevent.spawn(ticker)
        try:
            with pytest.raises(CBTimeoutError):
                if http:  # the HTTP fetch runs in the hub's thread pool
                    GConnection(bucket="default", host="127.0.0.1", port=port,
                                bootstrap_timeout=0.3)
                else:
                    Bucket(f"couchbase://127.0.0.1:{port}/default", bootstrap_timeout=0.3)
        finally:
            ticking.kill()
    assert len(ticks) >= 20, len(ticks)


def test_closed_bucket_raises_object_destroyed(gcb, key):
    gcb.upsert(key, 1)
    coll = gcb.default_collection()
    gcb.close()
    gcb.close()  # twice is fine
    assert gcb.closed
    with pytest.raises(ObjectDestroyedError):
        gcb.get(key)
    with pytest.raises(ObjectDestroyedError):
        coll.get(key)
    with pytest.raises(ObjectDestroyedError):
        gcb.upsert_multi({key: 2})


def test_close_fails_every_waiting_greenlet(gcb, key):
    gcb.upsert(key, 1)
    workers = [gevent.spawn(gcb.get, key) for _ in range(20)]
    gevent.sleep(0)  # each sends its request and waits
    gcb.close()
    gevent.joinall(workers, timeout=5)
    assert all(isinstance(w.exception, ObjectDestroyedError) for w in workers)


def test_a_bucket_belongs_to_the_thread_that_made_it(gcb, key):
    gcb.upsert(key, "mine")
    caught = []

    def other_thread():
        try:
            gcb.get(key)
        except Exception as exc:
            caught.append(exc)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join(10)
    assert len(caught) == 1 and isinstance(caught[0], ObjectThreadError)
    assert gcb.get(key).value == "mine"


def test_dropped_bucket_closes_its_connections(mock_cluster):
    cb = Bucket(f"{mock_cluster.connstr}/default", username=mock_cluster.username,
                password=mock_cluster.password)
    cluster = cb._cluster
    assert cluster is not None and not cluster.closed
    del cb
    assert cluster.closed


def test_repr(gcb):
    assert repr(gcb) == "<Bucket bucket='default' closed=False>"
