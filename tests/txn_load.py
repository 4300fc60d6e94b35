"""Random 2-document transfers from many threads, and what they must leave behind:
the one loop of tests/client/test_transactions_load.py and scripts/txn-soak.py."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import couchbase.subdocument as SD
from couchbase.transactions.atr import atr_id_for_key


def transfers(cluster: Any, keys: list[str], threads: int,
              total: int) -> tuple[int, list[BaseException], float]:
    """``total`` random transfers between ``keys`` over ``threads`` threads; returns
    (committed, the exceptions of those that failed, seconds)."""
    coll = cluster.bucket("default").default_collection()
    errors: list[BaseException] = []
    done = [0] * threads

    def worker(n: int) -> None:
        rng = random.Random(n)
        for _ in range(total // threads + (n < total % threads)):
            src, dst = rng.sample(keys, 2)
            amount = rng.randint(1, 20)

            def transfer(ctx: Any, src: str = src, dst: str = dst, amount: int = amount) -> None:
                a, b = ctx.get(coll, src), ctx.get(coll, dst)
                ctx.replace(a, {"balance": a.content_as[dict]["balance"] - amount})
                ctx.replace(b, {"balance": b.content_as[dict]["balance"] + amount})

            try:
                cluster.transactions.run(transfer)
                done[n] += 1
            except Exception as exc:  # noqa: BLE001 (counted and reported)
                errors.append(exc)

    began = time.monotonic()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return sum(done), errors, time.monotonic() - began


def leftovers(coll: Any, keys: list[str]) -> tuple[list[str], int]:
    """(documents still staged, attempt entries left in their ATRs): both empty once
    every transaction finished."""
    staged = [k for k in keys if coll.lookup_in(k, [SD.exists("txn", xattr=True)]).exists(0)]
    entries = sum(len(coll.lookup_in(a, [SD.get("attempts", xattr=True)]).content_as[dict](0))
                  for a in {atr_id_for_key(k) for k in keys})
    return staged, entries
