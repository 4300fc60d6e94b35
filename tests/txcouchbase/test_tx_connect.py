"""Connecting: the bootstrap Deferred, its errors, and operations issued before it fires."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import pytest
from twisted.internet import defer

from couchbase.exceptions import (
    AuthError,
    BucketNotFoundError,
    ConnectError,
    ObjectDestroyedError,
)
from couchbase.result import OperationResult, ValueResult
from txcouchbase.bucket import Bucket, RawBucket
from txcouchbase.connection import Connection, TxAsyncConnection


def _mgmt(mock_cluster: Any) -> tuple[str, int]:
    url = urlsplit(mock_cluster.mgmt_url)
    assert url.hostname and url.port
    return url.hostname, url.port


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connect_fires_with_the_bucket(reactor, mock_cluster):
    cb = reactor(Bucket, f"{mock_cluster.connstr}/default", username=mock_cluster.username,
                 password=mock_cluster.password)
    try:
        assert reactor(cb.connect) is cb
        assert cb.connected and not cb.closed
        assert reactor(cb.connect) is cb  # again, once connected: fires at once
        assert len(cb.server_nodes) == 4
        assert "connected=True" in repr(cb)
    finally:
        reactor(cb.close)
    assert cb.closed and not cb.connected


def test_1x_connection_bootstraps_over_http(reactor, mock_cluster):
    host, port = _mgmt(mock_cluster)
    conn = reactor(Connection, bucket="default", host=host, port=port)
    try:
        assert reactor(conn.connect) is conn
        assert isinstance(conn, TxAsyncConnection)
        assert isinstance(reactor(conn.set, "tx-http", "bar"), OperationResult)
    finally:
        reactor(conn._close)
    assert conn.closed


def test_1x_connection_takes_a_connection_string(reactor, mock_cluster):
    conn = reactor(Connection, connection_string=f"{mock_cluster.connstr}/default",
                   username=mock_cluster.username, password=mock_cluster.password)
    try:
        assert reactor(conn.connect) is conn
    finally:
        reactor(conn.close)


def test_wrong_password_fails_with_auth_error(reactor, mock_cluster):
    cb = reactor(Bucket, f"{mock_cluster.connstr}/default", username=mock_cluster.username,
                 password="wrong")
    failure = reactor.failure(cb.connect)
    assert failure.check(AuthError)
    assert cb.closed
    with pytest.raises(AuthError):  # later operations fail with the same reason
        reactor(cb.get, "k")


def test_missing_bucket_fails_with_bucket_not_found(reactor, mock_cluster):
    cb = reactor(Bucket, f"{mock_cluster.connstr}/no-such-bucket",
                 username=mock_cluster.username, password=mock_cluster.password)
    assert reactor.failure(cb.connect).check(BucketNotFoundError)


def test_missing_bucket_over_http(reactor, mock_cluster):
    host, port = _mgmt(mock_cluster)
    conn = reactor(Connection, bucket="no-such-bucket", host=host, port=port,
                   username=mock_cluster.username, password=mock_cluster.password)
    assert reactor.failure(conn.connect).check(BucketNotFoundError)


def test_nothing_listening_fails_with_connect_error(reactor):
    port = _free_port()
    cb = reactor(Bucket, f"couchbase://127.0.0.1:{port}/default", bootstrap_timeout=5)
    assert reactor.failure(cb.connect).check(ConnectError)
    conn = reactor(Connection, bucket="default", host="127.0.0.1", port=port,
                   bootstrap_timeout=5)
    assert reactor.failure(conn.connect).check(ConnectError)


def test_operations_before_connect_wait_for_it(reactor, mock_cluster, cb, key):
    """The guide calls ``client.set(...)`` right after constructing the client."""
    replicated = f"{key}-replicated"
    reactor(cb.upsert, replicated, "bar", replicate_to=1)

    def scenario() -> defer.Deferred[Any]:
        fresh = Bucket(f"{mock_cluster.connstr}/default", username=mock_cluster.username,
                       password=mock_cluster.password)
        assert not fresh.connected
        stored = fresh.set(key, "bar")
        fetched = fresh.get(key)
        replica = fresh.rget(replicated)
        observed = fresh.observe(key)
        many = fresh.getMulti([key])
        d = defer.gatherResults([stored, fetched, replica, observed, many, fresh.connect()])
        d.addBoth(lambda out: (fresh.close(), out)[1])
        return d

    stored, fetched, replica, observed, many, connected = reactor(scenario)
    assert isinstance(stored, OperationResult) and stored.success
    assert isinstance(fetched, ValueResult) and fetched.value == "bar"
    assert replica.value == "bar"
    assert observed.value and observed.cas == stored.cas
    assert many[key].value == "bar"
    assert isinstance(connected, Bucket)


def test_operations_before_a_failed_connect_fail_with_its_error(reactor, mock_cluster):
    def scenario() -> defer.Deferred[Any]:
        cb = Bucket(f"{mock_cluster.connstr}/default", username=mock_cluster.username,
                    password="wrong")
        ops = [cb.get("a"), cb.upsert_multi({"a": 1}), cb.endure("a", persist_to=1)]
        return defer.DeferredList(ops, consumeErrors=True)

    outcomes = reactor(scenario)
    assert [ok for ok, _ in outcomes] == [False, False, False]
    assert all(failure.check(AuthError) for _, failure in outcomes)


def test_raw_operations_before_connect_wait_for_it(reactor, mock_cluster, key):
    host, port = _mgmt(mock_cluster)
    conn = reactor(TxAsyncConnection, bucket="default", host=host, port=port)
    try:
        kind, (result,) = reactor.raw(conn.set, key, "early")
        assert kind == "callback" and result.success
        kind, (result,) = reactor.raw(conn.get, key)
        assert result.value == "early"
    finally:
        reactor(conn.close)


def test_close_while_connecting_fails_waiting_operations(reactor, mock_cluster):
    def scenario() -> defer.Deferred[Any]:
        cb = Bucket(f"{mock_cluster.connstr}/default", username=mock_cluster.username,
                    password=mock_cluster.password)
        d = cb.get("a")
        cb.close()
        return d

    with pytest.raises(ObjectDestroyedError):
        reactor(scenario)


def test_operations_after_close_fail(reactor, open_bucket):
    cb = open_bucket()
    reactor(cb.close)
    with pytest.raises(ObjectDestroyedError):
        reactor(cb.get, "k")
    with pytest.raises(ObjectDestroyedError):
        reactor(cb.rget, "k")
    assert reactor.failure(cb.connect).check(ObjectDestroyedError)
    raw = open_bucket(RawBucket)
    reactor(raw.close)
    kind, (opres, exc_type, exc, _tb) = reactor.raw(raw.get, "k")
    assert kind == "errback" and exc_type is ObjectDestroyedError and opres.key == "k"


def test_experimental_enable_is_a_no_op():
    from couchbase import experimental
    from couchbase.experimental import enable as enable_experimental

    assert enable_experimental() is None
    experimental.enable()
    assert experimental.enabled()


def test_tls_connection_failure_is_reported(reactor):
    """``couchbases://`` goes through connectSSL (pyOpenSSL); either way a failed
    connection is a ConnectError, not a hang."""
    port = _free_port()
    cb = reactor(Bucket, f"couchbases://127.0.0.1:{port}/default", bootstrap_timeout=5)
    failure = reactor.failure(cb.connect)
    assert failure.check(ConnectError)
    try:
        import OpenSSL  # noqa: F401
    except ImportError:
        assert "pyOpenSSL" in str(failure.value)


def test_register_deferred_for_connect_fires_with_the_bucket(reactor, mock_cluster):
    """2.x: ``registerDeferred('connect', d)``, before or after the bootstrap finished."""
    cb = reactor(Bucket, f"{mock_cluster.connstr}/default", username=mock_cluster.username,
                 password=mock_cluster.password)
    try:
        early: defer.Deferred[Any] = defer.Deferred()
        reactor(lambda: cb.registerDeferred("connect", early))
        assert reactor(lambda: early) is cb
        late: defer.Deferred[Any] = defer.Deferred()
        reactor(lambda: cb.registerDeferred("connect", late))
        assert reactor(lambda: late) is cb
        with pytest.raises(ValueError):
            cb.registerDeferred("disconnect", defer.Deferred())
    finally:
        reactor(cb.close)


def test_register_deferred_errs_back_when_the_bucket_is_missing(reactor, mock_cluster):
    cb = reactor(Bucket, f"{mock_cluster.connstr}/no_such_bucket",
                 username=mock_cluster.username, password=mock_cluster.password)
    try:
        d: defer.Deferred[Any] = defer.Deferred()
        reactor(lambda: cb.registerDeferred("connect", d))
        with pytest.raises(BucketNotFoundError):
            reactor(lambda: d)
    finally:
        reactor(cb.close)
