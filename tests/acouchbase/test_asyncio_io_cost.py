"""What keeps many gets in flight cheap on asyncio: requests issued in one loop turn
leave in one write, and finished operations leave no garbage cycles behind."""

from __future__ import annotations

import asyncio

from acouchbase._backend import _Corked
from acouchbase.bucket import Bucket
from gc_probe import CPYTHON_ONLY, cycles_per_op  # tests/, shared


class _Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closing = False

    def write(self, data: bytes) -> None:
        assert not self.closing
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


def test_writes_of_one_loop_turn_are_sent_together():
    async def main():
        transport = _Transport()
        corked = _Corked(transport, asyncio.get_running_loop())
        corked.write(b"a")
        corked.write(b"b")
        assert transport.writes == []  # nothing yet: more may come in this turn
        await asyncio.sleep(0)
        corked.write(b"c")
        await asyncio.sleep(0)
        return transport.writes

    assert asyncio.run(main()) == [b"ab", b"c"]


def test_close_sends_what_was_written_first():
    async def main():
        transport = _Transport()
        corked = _Corked(transport, asyncio.get_running_loop())
        corked.write(b"last request")
        corked.close()
        await asyncio.sleep(0)  # the flush scheduled by write() finds nothing left
        return transport.writes, transport.closing

    assert asyncio.run(main()) == ([b"last request"], True)


def test_nothing_is_written_to_a_transport_already_closing():
    async def main():
        transport = _Transport()
        corked = _Corked(transport, asyncio.get_running_loop())
        corked.write(b"request")
        transport.closing = True  # the connection was lost meanwhile
        await asyncio.sleep(0)
        return transport.writes

    assert asyncio.run(main()) == []


@CPYTHON_ONLY
def test_gets_in_flight_create_no_garbage_cycles(mock_cluster):
    """Operations are freed by reference counting: the cyclic GC finds nothing to
    collect after gets 100 in flight (it would otherwise run far more often)."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # the Bucket is made on it
    cb = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                password="password")
    try:
        loop.run_until_complete(cb.connect())
        loop.run_until_complete(cb.upsert_multi({f"gc-{i}": {"i": i} for i in range(100)}))

        async def lane(i: int, rounds: int) -> None:
            for _ in range(rounds):
                assert (await cb.get(f"gc-{i}")).value == {"i": i}

        def gets(n: int) -> None:  # n gets, 100 in flight
            loop.run_until_complete(asyncio.gather(*(lane(i, n // 100) for i in range(100))))

        assert cycles_per_op(gets) < 0.5  # a cycle per get would be >= 1
    finally:
        cb.close()
        loop.close()
        asyncio.set_event_loop(None)
