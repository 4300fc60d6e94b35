"""Many greenlets, one connection: their operations are in flight at once on one hub."""

from __future__ import annotations

from urllib.parse import urlsplit

import gevent
import pytest

from couchbase.exceptions import KeyExistsError, NotFoundError
from gcouchbase.connection import GConnection

GREENLETS = 100
OPS = 20


@pytest.fixture
def shared(mock_cluster):
    url = urlsplit(mock_cluster.mgmt_url)
    conn = GConnection(bucket="default", host=url.hostname, port=url.port,
                       username=mock_cluster.username, password=mock_cluster.password)
    yield conn
    conn.close()


def _count_inflight(conn) -> list[int]:
    """Record, after every request is sent, how many wait on the cluster's connections."""
    cluster = conn._cluster
    peak = [0]
    send = cluster.execute

    def counting(req, done, timeout=None):
        send(req, done, timeout)
        waiting = sum(len(node.inflight) for node in cluster.nodes.values())
        peak[0] = max(peak[0], waiting)

    cluster.execute = counting
    return peak


def test_100_greenlets_share_one_gconnection_concurrently(shared, key):
    keys = [f"{key}-{i}" for i in range(GREENLETS)]
    shared.upsert_multi({k: 0 for k in keys})
    peak = _count_inflight(shared)
    events: list[tuple[int, int]] = []  # (greenlet, op) in completion order

    def work(index: int) -> int:
        k = keys[index]
        for op in range(OPS):
            shared.set(k, {"op": op, "by": index})
            assert shared.get(k).value == {"op": op, "by": index}
            events.append((index, op))
        return index

    workers = [gevent.spawn(work, i) for i in range(GREENLETS)]
    gevent.joinall(workers, timeout=60, raise_error=True)
    assert [w.value for w in workers] == list(range(GREENLETS))
    assert len(events) == GREENLETS * OPS
    # many requests were waiting on the connections at the same time...
    assert peak[0] >= GREENLETS // 2, peak[0]
    # ...and every greenlet had made progress before any of them finished
    first_done = next(i for i, (_, op) in enumerate(events) if op == OPS - 1)
    started = {g for g, _ in events[:first_done]}
    assert len(started) == GREENLETS
    assert all(r.value["op"] == OPS - 1 for r in shared.get_multi(keys).values())


def test_a_waiting_greenlet_does_not_hold_up_the_others(shared, key):
    """One greenlet polls for durability that never comes; the rest carry on meanwhile."""
    progress = []

    def stuck() -> None:
        try:
            shared.endure(key + "-never", persist_to=1, cas=1, timeout=0.3, interval=0.01)
        except Exception as exc:
            progress.append(("stuck", type(exc).__name__))

    def busy(index: int) -> None:
        for op in range(10):
            shared.upsert(f"{key}-{index}", op)
            progress.append(("busy", index))

    slow = gevent.spawn(stuck)
    gevent.joinall([gevent.spawn(busy, i) for i in range(10)], raise_error=True)
    assert not slow.ready() and len(progress) == 100
    slow.join(5)
    assert progress[-1] == ("stuck", "DurabilityError")


def test_errors_reach_only_the_greenlet_that_caused_them(shared, key):
    shared.upsert(key, "exists")

    def conflicting() -> str:
        try:
            shared.insert(key, "again")
        except KeyExistsError:
            return "exists"
        return "inserted"

    def missing(index: int) -> str:
        try:
            shared.get(f"{key}-missing-{index}")
        except NotFoundError:
            return "missing"
        return "found"

    def fine(index: int) -> str:
        shared.upsert(f"{key}-{index}", index)
        return "ok"

    workers = [gevent.spawn(conflicting) for _ in range(10)]
    workers += [gevent.spawn(missing, i) for i in range(10)]
    workers += [gevent.spawn(fine, i) for i in range(10)]
    gevent.joinall(workers, raise_error=True)
    assert [w.value for w in workers] == ["exists"] * 10 + ["missing"] * 10 + ["ok"] * 10


def test_multi_operations_from_many_greenlets(shared, key):
    def batch(index: int) -> int:
        docs = {f"{key}-{index}-{i}": i for i in range(50)}
        shared.upsert_multi(docs)
        got = shared.get_multi(list(docs))
        return sum(r.value for r in got.values())

    workers = [gevent.spawn(batch, i) for i in range(20)]
    gevent.joinall(workers, raise_error=True)
    assert [w.value for w in workers] == [sum(range(50))] * 20
