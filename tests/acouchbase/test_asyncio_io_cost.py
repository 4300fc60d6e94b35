"""What keeps many gets in flight cheap on asyncio: requests issued in one loop turn
leave in one write, and finished operations leave no garbage cycles behind."""

from __future__ import annotations

import asyncio
import gc
import platform

import pytest

from acouchbase._backend import _Corked
from acouchbase.bucket import Bucket

# reference counting frees what has no cycle; PyPy has neither it nor a count
_CPYTHON = pytest.mark.skipif(platform.python_implementation() != "CPython",
                              reason="CPython's reference counting and gc.collect() count")


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


@_CPYTHON
def test_gets_in_flight_create_no_garbage_cycles(mock_cluster):
    """Operations are freed by reference counting: the cyclic GC finds nothing to
    collect after 500 gets, 100 in flight (it would otherwise run far more often)."""
    async def main():
        cb = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                    password="password")
        await cb.connect()
        await cb.upsert_multi({f"gc-{i}": {"i": i} for i in range(100)})
        await asyncio.gather(*(cb.get(f"gc-{i}") for i in range(100)))  # warm up

        async def lane(i: int) -> None:
            for _ in range(5):
                assert (await cb.get(f"gc-{i}")).value == {"i": i}

        gc.collect()
        gc.disable()
        try:
            await asyncio.gather(*(lane(i) for i in range(100)))
            found = gc.collect()
        finally:
            gc.enable()
        cb.close()
        return found

    assert asyncio.run(main()) < 50  # (the loop's own bookkeeping, not one per get)
