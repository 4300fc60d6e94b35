"""Index scan versus primary scan on 50,000 documents.

    PYTHONPATH=src python3 tests/mock/n1ql/bench_index_scan.py [documents]

Prints the median time of a selective query (one brewery's beers, 0.2% of
the bucket) answered through a secondary index and the same query forced to a
primary scan with ``USE INDEX (`#primary`)``, and their ratio.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from couchbase_mock.n1ql import MemoryDatastore, QueryEngine

PATH = ("beer", "_default", "_default")
STYLES = ["Pale Ale", "Stout", "Porter", "Lager", "Pilsner", "IPA", "Wheat", "Saison"]


def build(n: int) -> QueryEngine:
    ds = MemoryDatastore()
    ds.create_bucket("beer")
    breweries = max(1, n // 100)
    for i in range(n):
        brewery = f"brewery_{i % breweries}"
        doc = {
            "name": f"Beer {i}", "abv": round(3 + (i * 7919 % 1000) / 100, 2), "ibu": i % 90,
            "srm": i % 40, "upc": 0, "type": "beer", "brewery_id": brewery,
            "updated": "2010-07-22 20:00:20", "style": STYLES[i % len(STYLES)],
            "category": "North American Ale", "description": f"A beer from {brewery}.",
        }
        ds.upsert(PATH, f"{brewery}-beer_{i}", json.dumps(doc).encode())
    engine = QueryEngine(ds)
    engine.query("CREATE PRIMARY INDEX ON beer")
    engine.query("CREATE INDEX beer_brewery ON beer(brewery_id)")
    return engine


def timed(engine: QueryEngine, statement: str, runs: int) -> tuple[float, list]:
    times = []
    rows: list = []
    for _ in range(runs):
        start = time.perf_counter()
        rows = engine.query(statement).results
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def main(n: int = 50_000) -> float:
    engine = build(n)
    where = "WHERE brewery_id = 'brewery_42'"
    indexed, rows_ix = timed(engine, f"SELECT name, abv FROM beer {where}", 15)
    primary, rows_pr = timed(
        engine, f"SELECT name, abv FROM beer USE INDEX (`#primary`) {where}", 5)
    assert sorted(map(json.dumps, rows_ix)) == sorted(map(json.dumps, rows_pr))
    ratio = primary / indexed
    print(f"{n} documents, {len(rows_ix)} matching")
    print(f"secondary index scan: {indexed * 1000:8.2f} ms (median of 15)")
    print(f"primary scan:         {primary * 1000:8.2f} ms (median of 5)")
    print(f"ratio:                {ratio:8.1f}x")
    return ratio


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
