"""DNS SRV and alternate addresses on every front end (issue 14).

- ``couchbase://name`` with two SRV records, the first naming a node that is
  down: the bootstrap goes on to the second, on sync, asyncio, Twisted, gevent.
- The SRV lookup blocks (up to ``dns_srv_timeout``); on the event-loop front
  ends it runs in a worker thread, so other tasks on the loop keep running
  while it waits: a DNS server that answers after ~1 s must not freeze them.
- ``network=external`` through a port mapper (tests/port_mapper.py) on every
  front end: the client addresses nodes by their external address and every
  KV connection goes through the mapper.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterator

import pytest

from port_mapper import EXTERNAL, Mapped, PortMapper, can_bind, external_seed, natted_cluster

USER, PASSWORD = "Administrator", "password"
TICK = 0.05
DELAY = 1.0  # the DNS server's late answer


@pytest.fixture
def responder() -> Iterator[Any]:
    pytest.importorskip("dns.message")
    from dns_responder import Responder  # tests/ (needs dnspython)

    r = Responder()
    yield r
    r.close()


def _two_records(responder: Any, mock_cluster: Any) -> str:
    """``_couchbase._tcp.cb.test``: a dead node first (priority 0), a live one second."""
    from dns_responder import closed_port

    responder.records["_couchbase._tcp.cb.test"] = [
        (0, 0, closed_port(), mock_cluster.host),
        (1, 0, mock_cluster.cluster.members[1].kv_port, mock_cluster.host),
    ]
    return "couchbase://cb.test/default"


# -- DNS SRV -------------------------------------------------------------------------------
def test_srv_bootstrap_passes_over_a_dead_first_record(
        connect: Callable[..., Any], mock_cluster: Any, responder: Any, key: str) -> None:
    connstr = _two_records(responder, mock_cluster)
    cb = connect(f"{connstr}?{responder.options()}", username=USER, password=PASSWORD)
    cb.upsert(key, {"via": "srv"})
    assert cb.get(key).value == {"via": "srv"}
    assert responder.queries == ["_couchbase._tcp.cb.test"]


def _asyncio_ticks(request: pytest.FixtureRequest, connstr: str) -> tuple[int, float, Any]:
    import asyncio

    from acouchbase.bucket import Bucket

    loop_thread = request.getfixturevalue("loop_thread")

    async def scenario() -> tuple[int, float, Any]:
        ticks, running = 0, True

        async def ticker() -> None:
            nonlocal ticks
            while running:
                ticks += 1
                await asyncio.sleep(TICK)

        task = asyncio.ensure_future(ticker())
        start = time.monotonic()
        bucket = Bucket(connstr, username=USER, password=PASSWORD)
        await bucket.connect()
        elapsed = time.monotonic() - start
        running = False
        await task
        return ticks, elapsed, bucket

    ticks, elapsed, bucket = loop_thread.run(scenario)
    loop_thread.run(bucket.close)
    return ticks, elapsed, bucket


def _twisted_ticks(request: pytest.FixtureRequest, connstr: str) -> tuple[int, float, Any]:
    from twisted.internet.task import LoopingCall

    from txcouchbase.bucket import Bucket

    reactor = request.getfixturevalue("reactor")
    ticks = [0]
    start = time.monotonic()

    def scenario() -> Any:
        looping = LoopingCall(lambda: ticks.__setitem__(0, ticks[0] + 1))
        looping.start(TICK)
        bucket = Bucket(connstr, username=USER, password=PASSWORD)

        def stop(result: Any) -> Any:
            looping.stop()
            return result  # (a failure passes on)

        d = bucket.connect().addBoth(stop)
        return d.addCallback(lambda _: (bucket, time.monotonic() - start))

    bucket, elapsed = reactor(scenario)
    reactor(bucket.close)
    return ticks[0], elapsed, bucket


def _gevent_ticks(request: pytest.FixtureRequest, connstr: str) -> tuple[int, float, Any]:
    gevent = pytest.importorskip("gevent")
    from gcouchbase.bucket import Bucket

    ticks, running = [0], [True]

    def ticker() -> None:
        while running[0]:
            ticks[0] += 1
            gevent.sleep(TICK)

    greenlet = gevent.spawn(ticker)
    start = time.monotonic()
    try:
        bucket = Bucket(connstr, username=USER, password=PASSWORD)
    finally:
        elapsed = time.monotonic() - start
        running[0] = False
        greenlet.join()
    bucket.close()
    return ticks[0], elapsed, bucket


@pytest.mark.parametrize("loop", ["asyncio", "twisted", "gevent"])
def test_a_slow_srv_lookup_does_not_block_the_loop(
        request: pytest.FixtureRequest, mock_cluster: Any, responder: Any, loop: str) -> None:
    pytest.importorskip(loop)
    responder.delay = DELAY
    connstr = f"{_two_records(responder, mock_cluster)}?{responder.options(3.0)}"
    run = {"asyncio": _asyncio_ticks, "twisted": _twisted_ticks, "gevent": _gevent_ticks}[loop]
    ticks, elapsed, _ = run(request, connstr)
    assert responder.queries == ["_couchbase._tcp.cb.test"]
    assert elapsed >= DELAY * 0.9  # the bootstrap did wait for the late answer...
    assert ticks >= 0.5 * DELAY / TICK  # ...and the loop kept running meanwhile


# -- alternate addresses -------------------------------------------------------------------
@pytest.fixture(scope="module")
def natted() -> Iterator[tuple[Any, PortMapper, Mapped]]:
    if not can_bind(EXTERNAL):
        pytest.skip(f"{EXTERNAL} is not a loopback address here")
    with natted_cluster() as found:
        yield found


def test_network_external_goes_through_the_mapper(
        connect: Callable[..., Any], natted: tuple[Any, PortMapper, Mapped]) -> None:
    mock, mapper, mapped = natted
    before = mapper.snapshot()
    cb = connect(f"couchbase://{external_seed(mapped)}/default?network=external",
                 username=USER, password=PASSWORD)
    for i in range(20):  # keys on both nodes' vbuckets
        cb.upsert(f"ext-{i}", i)
        assert cb.get(f"ext-{i}").value == i
    assert sorted(cb.server_nodes) == sorted(
        f"{EXTERNAL}:{ports['kv']}" for ports in mapped.values())
    after = mapper.snapshot()
    used = {port for port, n in after.items() if n > before.get(port, 0)}
    assert {ports["kv"] for ports in mapped.values()} <= used  # both nodes' KV, mapped


def test_network_default_does_not_use_the_mapper(
        connect: Callable[..., Any], natted: tuple[Any, PortMapper, Mapped]) -> None:
    mock, mapper, mapped = natted
    before = mapper.total()
    cb = connect(f"{mock.connstr}/default?network=default", username=USER, password=PASSWORD)
    cb.upsert("direct", 1)
    assert cb.get("direct").value == 1
    assert mapper.total() == before
