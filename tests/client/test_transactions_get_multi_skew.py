"""``ctx.get_multi`` and read skew (TransactionGetMultiMode, TransactionGetMultiOptions):
a get_multi racing a committing transaction T1 never returns some documents as they
were before T1 and others as T1 left them, unless the mode is
DISABLE_READ_SKEW_DETECTION. The race is made deterministic: T1 stages its writes
(PENDING), the get_multi reads the first document, and just before it reads the
second T1 reaches its commit point and unstages that second document only (or
commits completely)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Callable, Iterator

import pytest

from cluster4x import options  # tests/, shared
from couchbase.exceptions import InvalidArgumentException, TransactionExpired
from couchbase.transactions import (
    TransactionGetMultiMode,
    TransactionGetMultiOptions,
    TransactionGetMultiSpec,
)
from couchbase.transactions.attempt import Attempt
from couchbase.transactions.steps import run_blocking
from couchbase_mock import MockCluster

BEFORE, AFTER = {"v": "before"}, {"v": "after"}


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=0) as made:
        yield made


@pytest.fixture(scope="module")
def cluster(mock: MockCluster) -> Iterator[Any]:
    from couchbase.cluster import Cluster

    made = Cluster(mock.connstr, options())
    yield made
    made.close()


@pytest.fixture
def coll(cluster: Any) -> Any:
    return cluster.bucket("default").default_collection()


@pytest.fixture
def ids(coll: Any) -> list[str]:
    tag = uuid.uuid4().hex[:8]
    keys = [f"skew-{tag}-a", f"skew-{tag}-b"]
    for key in keys:
        coll.upsert(key, BEFORE)
    return keys


def staged_writer(cluster: Any, coll: Any, keys: list[str], value: Any = AFTER) -> Attempt:
    """A transaction T1 that staged ``value`` over ``keys`` and is PENDING."""
    writer = Attempt(f"t1-{uuid.uuid4().hex[:6]}", time.monotonic() + 30, 30000, 1, None,
                     cluster.transactions._resolve)
    for key in keys:
        run_blocking(writer.replace(run_blocking(writer.get(coll, key)), value))
    return writer


def commit_unstaging_only(writer: Attempt, key: str) -> Callable[[], None]:
    """T1's commit point, then the unstaging of ``key`` alone (the rest stays staged)."""
    def go() -> None:
        run_blocking(writer._commit_point())
        (staged,) = [s for s in writer.staged.values() if s.key == key]
        run_blocking(writer._unstage(staged))
    return go


class Racing:
    """A collection whose first read of ``key`` runs ``before_read`` first; it counts reads."""

    def __init__(self, coll: Any, key: str, before_read: Callable[[], None]) -> None:
        self._coll, self._key, self._before = coll, key, before_read
        self.reads: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._coll, name)

    def lookup_in(self, key: str, *args: Any, **kwargs: Any) -> Any:
        self.reads.append(key)
        if key == self._key and self._before is not None:
            before, self._before = self._before, None  # type: ignore[assignment]
            before()
        return self._coll.lookup_in(key, *args, **kwargs)


def get_both(cluster: Any, racing: Racing, ids: list[str], *opts: Any,
             **kwargs: Any) -> list[Any]:
    seen: list[Any] = []

    def logic(ctx: Any) -> None:
        res = ctx.get_multi([TransactionGetMultiSpec(racing, k) for k in ids], *opts, **kwargs)
        seen[:] = [res.content_as[dict](i) for i in range(len(ids))]

    cluster.transactions.run(logic)
    return seen


def test_without_detection_the_race_shows_a_mix(cluster: Any, coll: Any,
                                                ids: list[str]) -> None:
    writer = staged_writer(cluster, coll, ids)
    racing = Racing(coll, ids[1], commit_unstaging_only(writer, ids[1]))
    got = get_both(cluster, racing, ids, TransactionGetMultiOptions(
        mode=TransactionGetMultiMode.DISABLE_READ_SKEW_DETECTION))
    assert got == [BEFORE, AFTER]  # (the skew the other modes prevent)
    assert racing.reads == ids


@pytest.mark.parametrize("mode", [None, TransactionGetMultiMode.PRIORITISE_LATENCY,
                                  TransactionGetMultiMode.PRIORITISE_READ_SKEW_DETECTION])
def test_committed_mid_read_gives_t1s_state(cluster: Any, coll: Any, ids: list[str],
                                            mode: Any) -> None:
    writer = staged_writer(cluster, coll, ids)
    racing = Racing(coll, ids[1], commit_unstaging_only(writer, ids[1]))
    opts = [] if mode is None else [TransactionGetMultiOptions(mode=mode)]
    assert get_both(cluster, racing, ids, *opts) == [AFTER, AFTER]
    assert racing.reads[:2] == ids and ids[0] in racing.reads[2:]  # read again


def test_t1_finished_mid_read(cluster: Any, coll: Any, ids: list[str]) -> None:
    """T1 commits completely (its ATR entry is gone) between the two reads."""
    writer = staged_writer(cluster, coll, ids)
    racing = Racing(coll, ids[1], lambda: run_blocking(writer.commit()))
    assert get_both(cluster, racing, ids) == [AFTER, AFTER]


def test_pending_t1_is_invisible_and_read_once(cluster: Any, coll: Any,
                                               ids: list[str]) -> None:
    staged_writer(cluster, coll, ids)
    racing = Racing(coll, ids[1], lambda: None)
    assert get_both(cluster, racing, ids) == [BEFORE, BEFORE]
    assert racing.reads == ids


def test_two_pending_writers_past_the_latency_budget_expire(cluster: Any, coll: Any,
                                                            ids: list[str]) -> None:
    """Documents staged by two other attempts cannot be settled: read again until the
    mode's time is up (PRIORITISE_LATENCY: 100 ms), then the attempt expires."""
    staged_writer(cluster, coll, ids[:1])
    staged_writer(cluster, coll, ids[1:])
    racing = Racing(coll, ids[1], lambda: None)
    start = time.monotonic()
    with pytest.raises(TransactionExpired):
        get_both(cluster, racing, ids, mode=TransactionGetMultiMode.PRIORITISE_LATENCY)
    assert time.monotonic() - start < 5 and len(racing.reads) > 2


def test_bad_mode(cluster: Any, coll: Any, ids: list[str]) -> None:
    def logic(ctx: Any) -> None:
        with pytest.raises(InvalidArgumentException):
            ctx.get_multi([TransactionGetMultiSpec(coll, ids[0])], mode="fastest")
        with pytest.raises(InvalidArgumentException):
            ctx.get_multi([TransactionGetMultiSpec(coll, ids[0])], object())

    cluster.transactions.run(logic)


def test_asyncio_reads_together_and_detects_skew(mock: MockCluster, ids: list[str],
                                                 cluster: Any, coll: Any) -> None:
    from acouchbase.cluster import Cluster

    writer = staged_writer(cluster, coll, ids)
    hook = commit_unstaging_only(writer, ids[1])

    class AsyncRacing:
        def __init__(self, inner: Any) -> None:
            self._inner, self.in_flight, self.most = inner, 0, 0

        def __getattr__(self, name: str) -> Any:
            return getattr(self._inner, name)

        async def lookup_in(self, key: str, *args: Any, **kwargs: Any) -> Any:
            nonlocal hook
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            try:
                await asyncio.sleep(0.01)  # (both reads are issued before either answers)
                if key == ids[1] and hook is not None:
                    go, hook = hook, None  # type: ignore[assignment]
                    await asyncio.get_running_loop().run_in_executor(None, go)
                return await self._inner.lookup_in(key, *args, **kwargs)
            finally:
                self.in_flight -= 1

    async def main() -> tuple[list[Any], int]:
        acluster = await Cluster.connect(mock.connstr, options())
        try:
            racing = AsyncRacing(acluster.bucket("default").default_collection())
            seen: list[Any] = []

            async def logic(ctx: Any) -> None:
                res = await ctx.get_multi([TransactionGetMultiSpec(racing, k) for k in ids])
                seen[:] = [res.content_as[dict](i) for i in range(len(ids))]

            await acluster.transactions.run(logic)
            return seen, racing.most
        finally:
            await acluster.close()

    seen, most = asyncio.run(main())
    assert most == 2 and seen == [AFTER, AFTER]
