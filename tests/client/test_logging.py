"""What the client logs through the standard logging module, and what it never logs.

Loggers: ``couchbase.bootstrap`` (seed walk, HELLO, SASL), ``couchbase.io``
(connections, timeouts, internal errors), ``couchbase.config`` (cluster map
changes). Passwords never appear; with redaction on, keys appear as
``<ud>key</ud>``; nothing is logged for an operation that succeeds.
"""

from __future__ import annotations

import logging
import socket
import time
from typing import Iterator

import pytest

from couchbase._io.mux import _safely
from couchbase._logging import redact
from couchbase.bucket import Bucket
from couchbase.exceptions import AuthError, CouchbaseError, TimeoutError
from couchbase_mock.mock import MockCluster
from couchbase_mock.pytest_plugin import PROTECTED_BUCKET, PROTECTED_PASSWORD

# the front ends' fixtures (tests/frontends/conftest.py): one test on every front end
from frontends.conftest import connect, front_end, loop_thread  # noqa: F401


def messages(caplog: pytest.LogCaptureFixture, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger]


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Each record's message, raw arguments and traceback, as one text."""
    parts = []
    for record in caplog.records:
        parts += [record.getMessage(), repr(record.args), str(record.msg)]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- redaction ------------------------------------------------------------------------------
def test_redact_wraps_user_data_only_when_on():
    assert redact("user::1") == "<ud>user::1</ud>"
    assert redact(b"user::1", on=True) == "<ud>user::1</ud>"
    assert redact(b"\xff", on=False) == "\\xff"
    assert redact("user::1", on=False) == "user::1"
    assert redact(42, on=True) == "<ud>42</ud>"


@pytest.mark.parametrize("redaction", [False, True])
def test_a_timeout_names_operation_node_and_key_redacted_when_asked(
        connect, mock_cluster, caplog, key, redaction, front_end):  # noqa: F811 (fixtures)
    caplog.set_level(logging.INFO, "couchbase.io")
    cb = connect(f"{mock_cluster.connstr}/default?log_redaction={'on' if redaction else 'off'}",
                 password="")
    cb.upsert(key, 1)
    cb.timeout = 0.05
    node = mock_cluster.locate("default", key)[1]
    mock_cluster.control("hiccup", msecs=300, offset=0, servers=[node])
    try:
        with pytest.raises(TimeoutError):
            cb.get(key)
    finally:
        mock_cluster.control("hiccup", msecs=0, offset=0)
    (line,) = [m for m in messages(caplog, "couchbase.io") if "timed out" in m]
    assert line.startswith("get of key ")
    assert f":{mock_cluster.nodes[node].kv_port}" in line
    assert (f"<ud>{key}</ud>" in line) is redaction and key in line
    # answers on a connection keep their order: once a new get is answered, the late
    # one has arrived too (it must not land in the next test)
    cb.timeout = 2.5
    assert cb.get(key).value == 1


# -- passwords ----------------------------------------------------------------------------
def test_no_password_in_any_record_of_a_full_bootstrap(mock_cluster, caplog):
    caplog.set_level(logging.DEBUG)
    cb = Bucket(f"{mock_cluster.connstr}/{PROTECTED_BUCKET}", password=PROTECTED_PASSWORD)
    cb.upsert("logged-doc", {"v": 1})
    cb.get("logged-doc")
    cb.close()
    with pytest.raises(AuthError):
        Bucket(f"{mock_cluster.connstr}/{PROTECTED_BUCKET}", password="Wr0ng-pa55word-x")
    text = everything_logged(caplog)
    assert "bootstrap: cluster map revision" in text  # (DEBUG was on, lines were written)
    assert "SASL" in text
    assert PROTECTED_PASSWORD not in text and "Wr0ng-pa55word-x" not in text


def test_no_password_over_http_bootstrap_either(mock_cluster, caplog):
    caplog.set_level(logging.DEBUG)
    hosts = ",".join(f"{mock_cluster.host}:{n.mgmt_port}" for n in mock_cluster.nodes)
    cb = Bucket(f"http://{hosts}/{PROTECTED_BUCKET}", password=PROTECTED_PASSWORD)
    cb.close()
    text = everything_logged(caplog)
    assert "(HTTP)" in text and PROTECTED_PASSWORD not in text


# -- bootstrap --------------------------------------------------------------------------------
def test_the_walk_says_which_seed_failed_and_which_gave_the_map(mock_cluster, caplog):
    caplog.set_level(logging.DEBUG, "couchbase.bootstrap")
    dead = unused_port()
    node = mock_cluster.nodes[0]
    cb = Bucket(f"couchbase://{mock_cluster.host}:{dead},{mock_cluster.host}:{node.kv_port}"
                "/default", password="")
    cb.close()
    lines = messages(caplog, "couchbase.bootstrap")
    tried = [m for m in lines if m.startswith("bootstrap: trying key-value seed")]
    assert [f":{dead} " in tried[0], f":{node.kv_port} " in tried[1]] == [True, True]
    (failed,) = [m for m in lines if "failed" in m]
    assert f"127.0.0.1:{dead}" in failed and "connect" in failed
    warning = [r for r in caplog.records if r.getMessage() == failed][0]
    assert warning.levelno == logging.WARNING
    (found,) = [m for m in lines if "cluster map revision" in m]
    assert f":{node.kv_port}" in found and "SCRAM-SHA" in found


def test_a_walk_that_fails_everywhere_is_an_error_record(caplog):
    caplog.set_level(logging.INFO, "couchbase.bootstrap")
    with pytest.raises(CouchbaseError):
        Bucket(f"couchbase://127.0.0.1:{unused_port()}/default", password="")
    assert [r.levelname for r in caplog.records if "no seed gave" in r.getMessage()] == ["ERROR"]


# -- connections, cluster map, success path ------------------------------------------------------
@pytest.fixture
def two_nodes() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock


def key_on(mock: MockCluster, node: int) -> str:
    for i in range(10000):
        key = f"logged-{time.monotonic_ns()}-{i}"
        if mock.locate("default", key)[1] == node:
            return key
    raise AssertionError("no key found")


def test_a_lost_connection_and_the_new_one(connect, two_nodes, caplog, front_end):  # noqa: F811
    caplog.set_level(logging.DEBUG, "couchbase.io")
    cb = connect(f"{two_nodes.connstr}/default", password="")
    key = key_on(two_nodes, 1)
    cb.upsert(key, 1)
    port = two_nodes.nodes[1].kv_port
    two_nodes.stop_node(1)
    with pytest.raises(CouchbaseError):
        cb.upsert(key, 2)
    (lost,) = [r for r in caplog.records if "lost" in r.getMessage()]
    assert lost.levelno == logging.WARNING and f":{port}" in lost.getMessage()
    two_nodes.start_node(1)
    caplog.clear()
    for _ in range(50):  # (the node may take a moment to listen again)
        try:
            cb.upsert(key, 3)
            break
        except CouchbaseError:
            time.sleep(0.05)
    assert any(f"connecting to 127.0.0.1:{port}" in m for m in messages(caplog, "couchbase.io"))


def test_not_my_vbucket_with_a_newer_map_is_logged(two_nodes, caplog):
    caplog.set_level(logging.INFO, "couchbase.config")
    cb = Bucket(f"{two_nodes.connstr}/default", password="")
    key = key_on(two_nodes, 1)
    cb.upsert(key, 1)
    two_nodes.failover(1)
    assert cb.get(key).value == 1  # the replica was promoted
    cb.close()
    (line,) = messages(caplog, "couchbase.config")
    assert line.startswith("NOT_MY_VBUCKET from ") and "cluster map revision" in line
    assert f":{two_nodes.nodes[1].kv_port}" in line


def test_nothing_is_logged_for_operations_that_succeed(
        connect, mock_cluster, caplog, key, front_end):  # noqa: F811 (fixtures)
    cb = connect(f"{mock_cluster.connstr}/default", password="")
    cb.upsert_multi({f"{key}-{i}": i for i in range(20)})  # (connections to every node)
    cb.upsert(key, 0)
    caplog.set_level(logging.DEBUG)
    for i in range(20):
        cb.upsert(key, i)
        cb.get(key)
    cb.upsert_multi({f"{key}-{i}": i for i in range(20)})
    cb.get_multi([f"{key}-{i}" for i in range(20)])
    assert [r for r in caplog.records if r.name.startswith("couchbase")] == []


def test_an_internal_error_in_a_callback_is_logged_not_swallowed(caplog):
    def broken() -> None:
        raise KeyError("bug")

    _safely(broken)
    (record,) = caplog.records
    assert record.name == "couchbase.io" and record.levelno == logging.ERROR
    assert record.exc_info is not None and "KeyError" in everything_logged(caplog)
