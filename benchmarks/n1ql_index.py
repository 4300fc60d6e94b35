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

Two more cases run in-process on the query engine (no HTTP, so the figures
are the engine's own), each before/after in the same run:

- array index: ``--array-docs`` (20,000) documents with 1-6 tags each out
  of 2,000; ``ANY t IN tags SATISFIES t = $tag END`` on the primary index
  (before) and on ``DISTINCT ARRAY t FOR t IN tags END`` (after).
- covering index: ``SELECT category, price ... WHERE category = $c`` on an
  index ``(category, price)``, fetching every row's document (before,
  covering scans switched off) and answered from the index alone (after).

``--cases`` picks which run (``secondary,array,covering``).
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
from couchbase_mock.n1ql import MemoryDatastore, QueryEngine, planner  # noqa: E402

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


def engine_timed(engine: QueryEngine, statement: str, named: dict, runs: int
                 ) -> tuple[float, list[Any], float]:
    """Median seconds, the rows, and the documents fetched per run."""
    times = []
    rows: list[Any] = []
    fetches = engine.stats["fetches"]
    for _ in range(runs):
        start = time.perf_counter()
        rows = engine.query(statement, named=named).results
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows, (engine.stats["fetches"] - fetches) / runs


def engine_cases(docs: int, runs: int, cases: set) -> dict[str, Any]:
    """The array-index and covering-index cases, before and after, in-process."""
    import random

    rnd = random.Random(13)
    ds = MemoryDatastore()
    ds.create_bucket("bench")
    path = ("bench", "_default", "_default")
    for i in range(docs):
        doc = {"type": "item", "tags": [f"tag_{rnd.randrange(2000):04d}"
                                        for _ in range(rnd.randrange(1, 7))],
               "category": f"c{rnd.randrange(200):03d}", "price": rnd.randrange(10_000) / 100,
               "name": f"item {i}", "description": "x" * rnd.randrange(50, 400)}
        ds.upsert(path, f"item_{i:06d}", json.dumps(doc).encode())
    engine = QueryEngine(ds)
    engine.query("CREATE PRIMARY INDEX ON bench")
    out: dict[str, Any] = {}
    key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
    if "array" in cases:
        engine.query("CREATE INDEX by_tag ON bench(DISTINCT ARRAY t FOR t IN tags END)")
        stmt = "SELECT META().id, name FROM bench {}WHERE ANY t IN tags SATISFIES t = $tag END"
        named = {"tag": "tag_0042"}
        plan = engine.query("EXPLAIN " + stmt.format(""), named=named).results[0]["plan"]
        assert "by_tag" in json.dumps(plan), "the array index is not used"
        before, rows_b, _ = engine_timed(engine, stmt.format("USE INDEX (`#primary`) "), named,
                                         max(3, runs // 3))
        after, rows_a, _ = engine_timed(engine, stmt.format(""), named, runs)
        assert sorted(rows_a, key=key) == sorted(rows_b, key=key) and rows_a
        out["array"] = {"documents": docs, "matching": len(rows_a),
                        "primary_ms": round(before * 1000, 2),
                        "array_index_ms": round(after * 1000, 2),
                        "ratio": round(before / after, 1)}
    if "covering" in cases:
        engine.query("CREATE INDEX by_cat ON bench(category, price)")
        stmt = "SELECT category, price FROM bench WHERE category = $c"
        named = {"c": "c042"}
        planner.COVERING_SCANS = False
        try:
            plan = engine.query("EXPLAIN " + stmt, named=named).results[0]["plan"]
            assert "Fetch" in json.dumps(plan)
            before, rows_b, fetch_b = engine_timed(engine, stmt, named, runs)
        finally:
            planner.COVERING_SCANS = True
        plan = engine.query("EXPLAIN " + stmt, named=named).results[0]["plan"]
        assert "covers" in json.dumps(plan) and "Fetch" not in json.dumps(plan)
        after, rows_a, fetch_a = engine_timed(engine, stmt, named, runs)
        assert sorted(rows_a, key=key) == sorted(rows_b, key=key) and rows_a
        out["covering"] = {"documents": docs, "matching": len(rows_a),
                           "fetch_ms": round(before * 1000, 2),
                           "covering_ms": round(after * 1000, 2),
                           "ratio": round(before / after, 1),
                           "fetches_per_query": [fetch_b, fetch_a]}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=15, help="runs of the indexed query")
    parser.add_argument("--primary-runs", type=int, default=5)
    parser.add_argument("--array-docs", type=int, default=20_000)
    parser.add_argument("--cases", default="secondary,array,covering")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    cases = set(args.cases.split(","))
    extra = engine_cases(args.array_docs, args.runs, cases) if cases & {"array", "covering"} \
        else {}
    if extra and not args.json:
        if "array" in extra:
            a = extra["array"]
            print(f"array index, {a['documents']} documents, {a['matching']} rows: primary scan "
                  f"{a['primary_ms']:.2f} ms, array index {a['array_index_ms']:.2f} ms "
                  f"({a['ratio']:.1f}x)")
        if "covering" in extra:
            c = extra["covering"]
            print(f"covering index, {c['documents']} documents, {c['matching']} rows: with fetch "
                  f"{c['fetch_ms']:.2f} ms, covered {c['covering_ms']:.2f} ms ({c['ratio']:.1f}x;"
                  f" fetches per query {c['fetches_per_query'][0]:.0f} -> "
                  f"{c['fetches_per_query'][1]:.0f})")
    if "secondary" not in cases:
        if args.json:
            print(json.dumps(extra))
        return 0

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
    figures.update(extra)
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
