"""``cbcp pillowfight``'s load through the official SDK (4.x), for ``pillowfight.py``.

Runs under the official SDK's virtualenv (its package is also named
``couchbase``), as ``python _pillowfight_official.py '<json config>'``, and
prints one ``BENCH-RESULT {json}`` line shaped like ``cbcp pillowfight --json``'s
result. The load is the one ``src/couchbase/cli/pillowfight.py`` documents:
each thread has its own connection and loops over batches of ``batch``
distinct random keys of ``num_items``, ``set_pct`` percent of them stored
(one ``upsert_multi``) and the rest read (one ``get_multi``); a batch's
latency is send to last answer; every item is stored once before the clock
starts. Values are the same three JSON sizes (min, middle, max).
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from typing import Any

RESULT_MARK = "BENCH-RESULT "


def percentile(ordered: list[float], pct: float) -> float:
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def main(cfg: dict[str, Any]) -> dict[str, Any]:
    from couchbase.auth import PasswordAuthenticator
    from couchbase.cluster import Cluster
    from couchbase.options import ClusterOptions

    def connect() -> Any:
        cluster = Cluster(cfg["connstr"], ClusterOptions(
            PasswordAuthenticator(cfg["username"], cfg["password"])))
        return cluster, cluster.bucket(cfg["bucket"]).default_collection()

    batch, items, set_pct = cfg["batch"], cfg["num_items"], cfg["set_pct"]
    sizes = sorted({cfg["min_size"], cfg["max_size"], (cfg["min_size"] + cfg["max_size"]) // 2})
    values = [{"data": "x" * max(0, size - 11)} for size in sizes]
    key = cfg["key_prefix"] + "{}"
    stop = threading.Event()
    threads = cfg["threads"]
    conns = [connect() for _ in range(threads)]
    stats = [{"ops": 0, "errors": 0, "samples": []} for _ in range(threads)]

    share = -(-items // threads)
    for n, (_, coll) in enumerate(conns):
        rng = random.Random(n)
        for start in range(n * share, min((n + 1) * share, items), batch):
            chunk = range(start, min(start + batch, (n + 1) * share, items))
            coll.upsert_multi({key.format(i): rng.choice(values) for i in chunk})

    def work(n: int) -> None:
        rng, coll, mine = random.Random(n), conns[n][1], stats[n]
        while not stop.is_set():
            picked = rng.sample(range(items), min(batch, items))
            keys = [key.format(i) for i in picked]
            sets = sum(1 for _ in keys if rng.randrange(100) < set_pct)
            stores, reads = keys[:sets], keys[sets:]
            started = time.perf_counter()
            failed = 0
            try:
                if stores:
                    res = coll.upsert_multi({k: rng.choice(values) for k in stores})
                    failed += len(res.exceptions)
                if reads:
                    res = coll.get_multi(reads, return_exceptions=True)
                    failed += len(res.exceptions)
            except Exception:
                failed = len(keys)
            mine["samples"].append(time.perf_counter() - started)
            mine["ops"] += len(keys)
            mine["errors"] += failed

    workers = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    time.sleep(cfg["duration"])
    stop.set()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    for cluster, _ in conns:
        cluster.close()
    ordered = sorted(s for st in stats for s in st["samples"])
    ops = sum(st["ops"] for st in stats)
    return {"ops": ops, "errors": sum(st["errors"] for st in stats),
            "seconds": round(elapsed, 3), "ops_per_sec": round(ops / elapsed, 1),
            "threads": threads, "batch": batch,
            "batch_latency_us": {"count": len(ordered),
                                 **{f"p{p}": percentile(ordered, p) * 1e6
                                    for p in (50, 95, 99)}}}


if __name__ == "__main__":
    print(RESULT_MARK + json.dumps(main(json.loads(sys.argv[1]))), flush=True)
