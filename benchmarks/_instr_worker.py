"""One instruction-count worker: ``count`` operations of one phase, run under callgrind.

``instructions.py`` runs it twice per phase (``count`` and three times
that) and takes the difference, so start-up, connecting and the warm-up
cancel out. Arguments: ``phase count connstr``; the client under test is
whatever ``couchbase`` is first on the path.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

DOC = {"name": "user-0000001", "email": "user0000001@example.com", "age": 21, "active": True,
       "tags": ["bench", "kv"]}
KEYS = [f"instr-{i}" for i in range(1000)]
AUTH = {"username": "Administrator", "password": "password"}
# Under callgrind a 1,000-key batch takes longer than the default 0.5 s threshold of
# the slow-operation reports, which then run for every key: counts of work a real
# run never does, varying with the machine's load. So no threshold in reach.
NO_SLOW_REPORTS = "?tracing_threshold_kv=3600"
LANES = 100


def sync(phase: str, count: int, connstr: str) -> None:
    from couchbase.bucket import Bucket

    cb = Bucket(f"{connstr}/default{NO_SLOW_REPORTS}", **AUTH)
    docs = {k: DOC for k in KEYS}
    cb.upsert_multi(docs)
    for i in range(200):
        _ = cb.get(KEYS[i % 1000]).value
    if phase == "get":
        for i in range(count):
            _ = cb.get(KEYS[i % 1000]).value  # (decoding the value is part of a get)
    elif phase == "upsert":
        for i in range(count):
            cb.upsert(KEYS[i % 1000], DOC)
    elif phase == "get_multi":
        for _ in range(count // 1000):
            [r.value for r in cb.get_multi(KEYS).values()]
    elif phase == "upsert_multi":
        for _ in range(count // 1000):
            cb.upsert_multi(docs)
    elif phase.endswith("-4x"):  # the same through the 4.x API's default collection
        coll = cb.default_collection()
        if phase == "get-4x":
            for i in range(count):
                _ = coll.get(KEYS[i % 1000]).content_as[dict]
        elif phase == "upsert-4x":
            for i in range(count):
                coll.upsert(KEYS[i % 1000], DOC)
        elif phase == "get_multi-4x":
            for _ in range(count // 1000):
                [r.content_as[dict] for r in coll.get_multi(KEYS).results.values()]
    cb.close()


def asyncio_gets(count: int, connstr: str) -> None:
    from acouchbase.bucket import Bucket

    async def main() -> None:
        cb = await Bucket(f"{connstr}/default", **AUTH).connect()
        await cb.upsert_multi({k: DOC for k in KEYS})

        async def lane(j: int, n: int) -> None:
            for i in range(n):
                _ = (await cb.get(KEYS[(j * 7 + i) % 1000])).value

        await asyncio.gather(*(lane(j, 2) for j in range(LANES)))
        await asyncio.gather(*(lane(j, count // LANES) for j in range(LANES)))
        cb.close()

    asyncio.run(main())


def twisted_gets(raw: bool, count: int, connstr: str) -> None:
    from twisted.internet import defer, task

    from txcouchbase.bucket import Bucket, RawBucket

    def main(reactor: Any) -> Any:
        cb = (RawBucket if raw else Bucket)(f"{connstr}/default", **AUTH)
        done: defer.Deferred[None] = defer.Deferred()
        left = [LANES]

        def lane(j: int, n: int) -> None:
            if n == 0:
                left[0] -= 1
                if not left[0]:
                    cb.close()
                    done.callback(None)
                return
            key = KEYS[(j * 7 + n) % 1000]
            if raw:
                res = cb.get(key)
                res.callback = lambda r: (r.value, lane(j, n - 1))
            else:
                cb.get(key).addCallback(lambda r: (r.value, lane(j, n - 1)))

        def start(_: Any) -> None:
            for j in range(LANES):
                lane(j, count // LANES)

        connected: defer.Deferred[Any] = defer.Deferred()
        cb._when_up(lambda: connected.callback(None), connected.errback)
        connected.addCallback(start)
        connected.addErrback(done.errback)
        return done

    task.react(main)


def load(connstr: str) -> None:
    from couchbase.bucket import Bucket

    cb = Bucket(f"{connstr}/default", **AUTH)
    cb.upsert_multi({k: DOC for k in KEYS})
    cb.close()


def main() -> None:
    phase, count, connstr = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    load(connstr)
    if phase == "asyncio":
        asyncio_gets(count, connstr)
    elif phase in ("twisted", "twisted-raw"):
        twisted_gets(phase == "twisted-raw", count, connstr)
    else:
        sync(phase, count, connstr)


if __name__ == "__main__":
    main()
