"""benchmarks/n1ql_index.py runs (on a small data set: the ratio is not checked here)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from couchbase.exceptions import NotSupportedError

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "n1ql_index.py"


def test_benchmark_runs(capsys: Any) -> None:
    spec = importlib.util.spec_from_file_location("n1ql_index_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        module.main(["--docs", "3000", "--runs", "2", "--primary-runs", "1", "--json"])
    except NotSupportedError as exc:  # no query service in the local cluster
        pytest.skip(str(exc))
    figures = json.loads(capsys.readouterr().out)
    assert figures["documents"] == 3000 and figures["matching"] == 100
    assert figures["indexed_ms"] > 0 and figures["primary_ms"] > 0
