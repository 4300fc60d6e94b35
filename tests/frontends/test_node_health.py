"""Node health, on every front end: a hung seed is skipped, a hung node is replaced,
and an answer that cannot be finished fails its own operation only.

The per-node deadline is the connection string's ``config_node_timeout``
(libcouchbase's name, in seconds; 2 by default): connect, HELLO,
authentication, bucket selection and the first config must be done within
it, else the connection is closed and the next seed (bootstrap) or a new
connection (operations) is tried. These tests set it to 1 s.
"""

from __future__ import annotations

import socket
import time
from typing import Any, Callable, Iterator

import pytest

from couchbase._core.opcode import Opcode
from couchbase._core.request import Request
from couchbase._operation import Operation
from couchbase.exceptions import CouchbaseError, TimeoutError

NODE_TIMEOUT = 1.0
SLACK = 1.0  # what the acceptance allows above the deadline


@pytest.fixture
def silent_seed() -> Iterator[int]:
    """A port that accepts TCP (the kernel's backlog does) and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock.getsockname()[1]
    sock.close()


def _key_on(mock: Any, node: int, prefix: str) -> str:
    for i in range(10_000):
        key = f"{prefix}-{i}"
        if mock.locate("default", key)[1] == node:
            return key
    raise AssertionError(f"no key maps to node {node}")


def test_a_hung_first_seed_is_skipped(connect: Callable[..., Any], fresh_mock: Any,
                                      silent_seed: int, key: str) -> None:
    good = fresh_mock.nodes[0].kv_port
    connstr = (f"couchbase://127.0.0.1:{silent_seed},127.0.0.1:{good}/default"
               f"?config_node_timeout={NODE_TIMEOUT}")
    start = time.monotonic()
    cb = connect(connstr, username=fresh_mock.username, password=fresh_mock.password)
    took = time.monotonic() - start
    assert NODE_TIMEOUT * 0.9 <= took < NODE_TIMEOUT + SLACK
    cb.upsert(key, "through the second seed")
    assert cb.get(key).value == "through the second seed"


def test_the_default_node_deadline_is_two_seconds(connect: Callable[..., Any],
                                                  fresh_mock: Any, silent_seed: int,
                                                  front_end: str) -> None:
    if front_end != "sync":
        pytest.skip("the default is the same setting on every front end; once is enough")
    good = fresh_mock.nodes[0].kv_port
    start = time.monotonic()
    connect(f"couchbase://127.0.0.1:{silent_seed},127.0.0.1:{good}/default",
            username=fresh_mock.username, password=fresh_mock.password)
    assert 1.8 <= time.monotonic() - start < 2.0 + SLACK


def test_every_seed_hung_fails_with_the_timeout(connect: Callable[..., Any],
                                               silent_seed: int) -> None:
    start = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        connect(f"couchbase://127.0.0.1:{silent_seed}/default?config_node_timeout=0.5"
                f"&config_total_timeout=0.8", username="u", password="p")
    assert time.monotonic() - start < 0.8 + SLACK
    assert "could not bootstrap" in str(info.value)


def test_a_node_that_swallows_hello_is_replaced(connect: Callable[..., Any],
                                                fresh_mock: Any) -> None:
    # a generous operation timeout: what ends the first attempt must be the node deadline
    cb = connect(f"{fresh_mock.connstr}/default?config_node_timeout={NODE_TIMEOUT}",
                 username=fresh_mock.username, password=fresh_mock.password, timeout=10)
    on_node_1 = _key_on(fresh_mock, 1, "hung")
    fresh_mock.stall_kv_connections(1)  # the bootstrap used node 0: node 1 is not open yet
    start = time.monotonic()
    with pytest.raises(CouchbaseError):
        cb.upsert(on_node_1, "first try")
    assert time.monotonic() - start < NODE_TIMEOUT + SLACK
    cb.upsert(on_node_1, "on a new connection")
    assert cb.get(on_node_1).value == "on a new connection"
    for i in range(20):  # and the node keeps working for every key it holds
        other = _key_on(fresh_mock, 1, f"after-{i}")
        cb.upsert(other, i)
        assert cb.get(other).value == i


def _failing_finish(key: Any, pkt: Any) -> Any:
    raise ValueError(f"cannot finish the answer for {key!r}")


def test_an_answer_that_cannot_be_finished_fails_only_its_operation(
        cb: Any, key: str) -> None:
    cb.upsert(key, "kept")
    before = dict(cb._cluster.nodes)
    bad = Operation(key, Request(Opcode.GET, key.encode()), _failing_finish)
    with pytest.raises(ValueError, match="cannot finish"):
        cb._run(bad)
    assert cb.get(key).value == "kept"  # same node, same connection
    assert all(cb._cluster.nodes.get(a) is n and n.usable for a, n in before.items())
