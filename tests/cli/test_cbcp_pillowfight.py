"""cbcp pillowfight: a short run reports a positive rate, latency percentiles, no errors."""

from __future__ import annotations

import json
from typing import Any

import pytest


def test_duration_run_reports_rate_and_no_errors(cbcp: Any, key: str) -> None:
    code, out, err = cbcp("pillowfight", "--duration", "5", "-B", "20", "-I", "200",
                          "-p", key, "--interval", "0.5")
    assert code == 0, err
    assert " ops/s, 0 errors; batch latency p50 " in out
    status = [line for line in err.splitlines() if "ops/s" in line]
    assert status and all("errors 0" in line for line in status)  # live status lines


def test_cycles_json_summary(cbcp: Any, key: str) -> None:
    code, out, _ = cbcp("pillowfight", "-c", "5", "-B", "10", "-t", "2", "-I", "50",
                        "-r", "50", "-m", "10", "-M", "100", "-p", key, "--json")
    assert code == 0
    result = json.loads(out)["pillowfight"]
    assert result["ops"] == 2 * 5 * 10 and result["errors"] == 0 and result["threads"] == 2
    assert result["ops_per_sec"] > 0
    latency = result["batch_latency_us"]
    assert latency["count"] == 10 and 0 < latency["p50"] <= latency["p95"] <= latency["p99"]


def test_without_population_gets_of_missing_items_are_errors(cbcp: Any, key: str) -> None:
    code, out, err = cbcp("pillowfight", "-c", "2", "-B", "5", "-I", "5", "-r", "0",
                          "--no-population", "-p", key, "--json")
    assert code == 1 and json.loads(out)["pillowfight"]["errors"] == 10


@pytest.mark.parametrize("argv", [["-B", "0"], ["-r", "101"], ["-m", "10", "-M", "5"],
                                  ["-c", "1", "--duration", "1"]])
def test_bad_options_are_usage_errors(cbcp: Any, argv: list[str]) -> None:
    assert cbcp("pillowfight", *argv)[0] == 2


def test_unreachable_exit_3(run_cli: Any) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = run_cli(["pillowfight", "-U", f"couchbase://127.0.0.1:{port}/default",
                            "--timeout", "1", "--duration", "1"])
    assert code == 3 and len(err.splitlines()) == 1
