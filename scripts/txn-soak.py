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
import sys
import uuid
from pathlib import Path
from typing import Iterator

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from txn_load import leftovers, transfers  # noqa: E402 (the load test's loop)

START = 1000


@contextlib.contextmanager
def target(connstr: str | None) -> Iterator[str]:
    if connstr:
        yield connstr
        return
    from couchbase_mock import MockCluster

    with MockCluster(nodes=2, replicas=1) as mock:
        yield mock.connstr


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
            done, errors, seconds = transfers(cluster, keys, args.threads, args.transactions)
            total = sum(coll.get(k).content_as[dict]["balance"] for k in keys)
            staged, entries = leftovers(coll, keys)
        finally:
            cluster.close()
    print(f"{done} transactions ({args.threads} threads, {args.accounts} accounts) in "
          f"{seconds:.1f} s: {done / seconds:.0f}/s; {len(errors)} failed")
    for error in sorted({f"{type(e).__name__}: {e}" for e in errors})[:5]:
        print("  ", error)
    print(f"sum {total} (expected {START * args.accounts}); staged documents {len(staged)}; "
          f"ATR entries left {entries}")
    ok = not errors and total == START * args.accounts and not staged and not entries
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
