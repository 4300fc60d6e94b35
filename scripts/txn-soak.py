#!/usr/bin/env python3
"""Transaction soak: threads running random 2-document transfers over shared
accounts, then the invariants checked (sum of balances kept, nothing staged, no
ATR entry left). Against the local cluster (started in process) or --connstr.

    .venv/bin/python scripts/txn-soak.py --threads 8 --transactions 10000 --accounts 20

Prints transactions/s. Exit status 1 if an invariant broke or a transaction failed.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import threading
import time
import uuid
from typing import Any, Iterator

import couchbase.subdocument as SD
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions
from couchbase.transactions.atr import atr_id_for_key

START = 1000


@contextlib.contextmanager
def target(connstr: str | None) -> Iterator[str]:
    if connstr:
        yield connstr
        return
    from couchbase_mock import MockCluster

    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock.connstr


def soak(cluster: Any, keys: list[str], threads: int, total: int) -> tuple[int, list[str], float]:
    coll = cluster.bucket("default").default_collection()
    errors: list[str] = []
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
                errors.append(f"{type(exc).__name__}: {exc}")

    began = time.monotonic()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return sum(done), errors, time.monotonic() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connstr", help="a cluster to use (default: a local one)")
    parser.add_argument("--password", default="password")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--transactions", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=20)
    args = parser.parse_args()
    with target(args.connstr) as connstr:
        cluster = Cluster.connect(connstr, ClusterOptions(
            PasswordAuthenticator("Administrator", args.password)))
        try:
            coll = cluster.bucket("default").default_collection()
            tag = uuid.uuid4().hex[:6]
            keys = [f"soak-{tag}-{i}" for i in range(args.accounts)]
            for key in keys:
                coll.upsert(key, {"balance": START})
            done, errors, seconds = soak(cluster, keys, args.threads, args.transactions)
            total = sum(coll.get(k).content_as[dict]["balance"] for k in keys)
            staged = [k for k in keys
                      if coll.lookup_in(k, [SD.exists("txn", xattr=True)]).exists(0)]
            entries = sum(len(coll.lookup_in(a, [SD.get("attempts", xattr=True)])
                              .content_as[dict](0)) for a in {atr_id_for_key(k) for k in keys})
        finally:
            cluster.close()
    print(f"{done} transactions ({args.threads} threads, {args.accounts} accounts) in "
          f"{seconds:.1f} s: {done / seconds:.0f}/s; {len(errors)} failed")
    for error in sorted(set(errors))[:5]:
        print("  ", error)
    print(f"sum {total} (expected {START * args.accounts}); staged documents {len(staged)}; "
          f"ATR entries left {entries}")
    ok = not errors and total == START * args.accounts and not staged and not entries
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
