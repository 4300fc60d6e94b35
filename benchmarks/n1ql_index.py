"""N1QL through our client: a selective query on a secondary index vs a primary scan.

One in-process local cluster (2 nodes, bucket ``beer-sample``) is loaded with
``--docs`` beer documents (50,000) through the key-value API; a primary index
and a secondary index on ``brewery_id`` are created through the bucket
manager. Then the same selective query (one brewery's beers, 0.2% of the
bucket) runs through ``Bucket.n1ql_query``, answered from the secondary index,
and forced to a primary scan with ``USE INDEX (`#primary`)``. Prints the
median time of each (client side: request, service, response, row decoding)
and their ratio; the target is at least 20x. Usage::

    PYTHONPATH=src python3 benchmarks/n1ql_index.py [--docs 50000] [--runs 15] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from couchbase.bucket import Bucket  # noqa: E402
from couchbase.n1ql import REQUEST_PLUS, N1QLQuery  # noqa: E402
from couchbase_mock.mock import MockCluster  # noqa: E402

STYLES = ["Pale Ale", "Stout", "Porter", "Lager", "Pilsner", "IPA", "Wheat", "Saison"]
TARGET = 20.0


def load(cb: Bucket, docs: int) -> tuple[int, float]:
    """Beers of docs // 100 breweries (100 each) -> (breweries, seconds)."""
    breweries = max(1, docs // 100)
    start = time.perf_counter()
    batch: dict[str, Any] = {}
    for i in range(docs):
        brewery = f"brewery_{i % breweries:04d}"
        batch[f"{brewery}-beer_{i:06d}"] = {
            "name": f"Beer {i}", "abv": round(3 + (i * 7919 % 1000) / 100, 2), "ibu": i % 90,
            "srm": i % 40, "upc": 0, "type": "beer", "brewery_id": brewery,
            "updated": "2010-07-22 20:00:20", "style": STYLES[i % len(STYLES)],
            "category": "North American Ale", "description": f"A beer from {brewery}."}
        if len(batch) == 1000:
            cb.upsert_multi(batch)
            batch = {}
    if batch:
        cb.upsert_multi(batch)
    return breweries, time.perf_counter() - start


def timed(cb: Bucket, statement: str, brewery: str, runs: int) -> tuple[float, list[Any]]:
    times = []
    rows: list[Any] = []
    for _ in range(runs):
        query = N1QLQuery(statement, brewery)
        start = time.perf_counter()
        rows = list(cb.n1ql_query(query))
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=15, help="runs of the indexed query")
    parser.add_argument("--primary-runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    with MockCluster(nodes=2, replicas=0, buckets={"beer-sample": {}}) as mock:
        cb = Bucket(f"{mock.connstr}/beer-sample", username=mock.username,
                    password=mock.password)
        breweries, load_s = load(cb, args.docs)
        mgr = cb.bucket_manager()
        start = time.perf_counter()
        mgr.n1ql_index_create_primary()
        mgr.n1ql_index_create("beer_brewery", fields=["brewery_id"])
        index_s = time.perf_counter() - start
        count = N1QLQuery("SELECT RAW COUNT(*) FROM `beer-sample`")
        count.consistency = REQUEST_PLUS
        assert list(cb.n1ql_query(count)) == [args.docs]

        stmt = "SELECT name, abv FROM `beer-sample` {}WHERE brewery_id = $1"
        brewery = f"brewery_{breweries // 2:04d}"
        plan = list(cb.n1ql_query("EXPLAIN " + stmt.format(""), brewery))[0]
        assert "beer_brewery" in json.dumps(plan), "the secondary index is not used"
        timed(cb, stmt.format(""), brewery, 2)  # warm up
        indexed, rows_ix = timed(cb, stmt.format(""), brewery, args.runs)
        primary, rows_pr = timed(cb, stmt.format("USE INDEX (`#primary`) "), brewery,
                                 args.primary_runs)
        cb.close()
    key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
    assert sorted(rows_ix, key=key) == sorted(rows_pr, key=key) and rows_ix
    ratio = primary / indexed
    figures = {"documents": args.docs, "matching": len(rows_ix), "load_s": round(load_s, 2),
               "index_build_s": round(index_s, 2), "indexed_ms": round(indexed * 1000, 2),
               "primary_ms": round(primary * 1000, 2), "ratio": round(ratio, 1),
               "target": TARGET}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{args.docs} documents loaded in {load_s:.1f} s, indexes built in "
              f"{index_s:.1f} s; {len(rows_ix)} rows match")
        print(f"secondary index: {indexed * 1000:8.2f} ms (median of {args.runs})")
        print(f"primary scan:    {primary * 1000:8.2f} ms (median of {args.primary_runs})")
        print(f"ratio:           {ratio:8.1f}x (target >= {TARGET:.0f}x: "
              f"{'met' if ratio >= TARGET else 'NOT met'})")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
