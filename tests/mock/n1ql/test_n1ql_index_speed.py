"""A selective query through a secondary index reads only what it returns."""

from __future__ import annotations

import importlib.util
import pathlib

spec = importlib.util.spec_from_file_location(
    "bench_index_scan", pathlib.Path(__file__).with_name("bench_index_scan.py"))
assert spec is not None and spec.loader is not None
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_index_scan_fetches_only_matches() -> None:
    # (how much faster it is: benchmarks/n1ql_index.py, not a timed assertion)
    engine = bench.build(10_000)
    where = "WHERE brewery_id = 'brewery_7'"
    fetches = engine.stats["fetches"]
    rows = engine.query(f"SELECT RAW name FROM beer {where}").results
    assert len(rows) == 100
    assert engine.stats["fetches"] - fetches == 100
    full = engine.query(f"SELECT RAW name FROM beer USE INDEX (`#primary`) {where}").results
    assert sorted(full) == sorted(rows)
    assert engine.stats["fetches"] - fetches == 100 + 10_000
