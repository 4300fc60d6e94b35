"""benchmarks/async.py's table: every column gets its number or a reason (no cluster run
here: a report as the workers return it is rendered), and the workers' warm-up."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> Any:
    sys.path.insert(0, str(BENCH))  # (async.py imports kv.py and _official_sdk.py)
    try:
        yield importlib.import_module("async"), importlib.import_module("_async_worker")
    finally:
        sys.path.remove(str(BENCH))


def _run(ops: int, cpu_us: float) -> dict[str, Any]:
    return {"ops": ops, "wall_s": ops / 50_000, "cpu_s": ops * cpu_us / 1e6,
            "mock_cpu_s": ops * 5e-6, "api": "x.get"}


def _report(bench: Any, memory_pypy: dict[str, Any]) -> dict[str, Any]:
    async_py, _ = bench
    args = async_py.parse_args([])
    conf = {"ops": 10_000, "inflight": 100, "warmup": args.warmup,
            "pypy_warmup": args.pypy_warmup, "repeat": 3, "layout": "same",
            "python": "CPython 3.11", "pypy": "PyPy 7.3", "server_python": "CPython 3.11",
            "tls": False, "mem_inflight": 10_000, "multi_keys": 1000}
    results: dict[str, Any] = {}
    for client, _, official in async_py.ROWS:
        results[client] = _run(10_000, 10.0)
        if not official:
            results[client + "@pypy"] = _run(10_000, 8.0)
    results["memory"] = {"n": 10_000, "tracemalloc_bytes": 781.0, "rss_bytes": 1880.0,
                         "gc_heap_bytes": None, "issue_s": 0.3, "answer_s": 0.2}
    results["memory@pypy"] = memory_pypy
    results["memory@official"] = {"n": 10_000, "tracemalloc_bytes": None,
                                  "rss_bytes": 6020.0, "issue_s": 0.5, "answer_s": 1.5}
    return {"config": conf, "results": results}


def test_every_column_has_a_number(bench: Any) -> None:
    async_py, _ = bench
    report = _report(bench, {"n": 10_000, "tracemalloc_bytes": None, "rss_bytes": 24.0,
                             "gc_heap_bytes": 639.0, "issue_s": 0.1, "answer_s": 0.1})
    text = async_py.render(report, async_py.summarize(report))
    assert "PyPy GC heap" in text and "639" in text and "6,020" in text
    assert "warm-up 2000 (PyPy: 50000)" in text
    assert "PyPy 0.10 s + 0.10 s" in text and "official 0.50 s + 1.50 s" in text
    assert "notes:" not in text  # nothing failed


def test_a_failed_memory_run_says_why(bench: Any) -> None:
    async_py, _ = bench
    report = _report(bench, {"error": "TimeoutError: operation timed out"})
    text = async_py.render(report, async_py.summarize(report))
    assert "memory (PyPy): TimeoutError: operation timed out" in text


def test_pypy_warmup_is_an_option(bench: Any) -> None:
    async_py, _ = bench
    assert async_py.parse_args(["--pypy-warmup", "7"]).pypy_warmup == 7
    with pytest.raises(SystemExit):
        async_py.parse_args(["--pypy-warmup", "-1"])


def test_warm_up_goes_round_the_keys(bench: Any) -> None:
    _, worker = bench
    assert worker._warm_keys(["a", "b", "c"], 7) == ["a", "b", "c", "a", "b", "c", "a"]
    assert worker._warm_keys(["a", "b", "c"], 2) == ["a", "b"]
    assert worker._warm_keys(["a"], 0) == [] and worker._warm_keys([], 5) == []


def test_gc_share_of_client_cpu_is_a_column(bench: Any) -> None:
    """The cyclic GC's share of the client's CPU (issue 18 asks for it measured): the
    CPython column's gc_s over its cpu_s; '-' where a worker measured none."""
    async_py, _ = bench
    report = _report(bench, {"error": "not measured"})
    report["results"]["asyncio-ours"]["gc_s"] = 10_000 * 4e-6  # 4 of 10 us per op
    text = async_py.render(report, async_py.summarize(report))
    assert "GC share" in text
    ours = next(line for line in text.splitlines() if line.startswith("asyncio: ours"))
    assert ours.rstrip().endswith("40%")
    twisted = next(line for line in text.splitlines() if line.startswith("Twisted: ours, D"))
    assert twisted.rstrip().endswith("-")


def test_kv_benchmark_warms_pypy_longer() -> None:
    """kv.py's PyPy workers warm up for --pypy-warmup operations (the JIT compiles the
    client's path meanwhile), and the multi warm-up goes through every warm key."""
    sys.path.insert(0, str(BENCH))
    try:
        kv, worker = importlib.import_module("kv"), importlib.import_module("_worker")
    finally:
        sys.path.remove(str(BENCH))
    assert kv.parse_args([]).pypy_warmup == 20_000
    assert kv.parse_args(["--pypy-warmup", "5"]).pypy_warmup == 5
    with pytest.raises(SystemExit):
        kv.parse_args(["--pypy-warmup", "0"])
    assert worker._chunks(["a", "b", "c"], 2) == [["a", "b"], ["c"]]
    assert worker._chunks([], 2) == [[]]


def test_kv_benchmark_prints_multi_throughput_as_a_share_of_the_floor() -> None:
    """Issue 18's multi target is keys/s against the pipelined floor's keys/s: kv.py
    prints that share per column (each interpreter against its own floor; the
    official SDK against CPython's), beside the CPU ratios."""
    sys.path.insert(0, str(BENCH))
    try:
        kv = importlib.import_module("kv")
    finally:
        sys.path.remove(str(BENCH))
    ops = {"get": (1, 1, 1), "upsert": (1, 1, 1), "get_multi": (100, 300, 20),
           "get_multi_4x": (150, None, 20), "upsert_multi": (50, 40, 10),
           "noop": (1, 1, None), "pipelined_get": (200, 400, None),
           "pipelined_set": (100, 100, None)}
    rows = [{"phase": p, **{f"{k}_ops_s": v for k, v in zip(("ours", "pypy", "official"), o)},
             **{f"{k}_cpu_us": 1.0 for k in ("ours", "pypy", "official")}, "ratio_cpu": None}
            for p, o in ops.items()]
    lines = kv._floor_lines(rows)
    assert "get_multi keys/s / pipelined_get floor keys/s: CPython 50%, PyPy 75%, official 10%" \
        in lines
    assert "get_multi_4x keys/s / pipelined_get floor keys/s: CPython 75%, official 10%" in lines
    assert "upsert_multi keys/s / pipelined_set floor keys/s: CPython 50%, PyPy 40%, " \
        "official 10%" in lines
