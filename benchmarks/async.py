"""Async key-value benchmark: gets with 100 in flight, asyncio and Twisted front ends.

One run starts one ``couchbase_mock`` process (4 nodes, 1 replica, ephemeral
ports) and then, one after another, one worker process (``_async_worker.py``)
per row against it. Each worker loads ``--ops`` documents, warms up, then
times ``--repeat`` runs of ``--ops`` gets with ``--inflight`` requests
outstanding (``--inflight`` lanes, each issuing its next get as soon as its
previous one completed), decoding every document:

- ``asyncio-ours``: ``acouchbase.bucket.Bucket.get`` awaited by 100 coroutines;
- ``asyncio-official``: the official SDK 4.x's asyncio API (``acouchbase.cluster
  .Cluster``, ``default_collection().get``) in its own virtualenv
  ``.cache/official-sdk``, environment free of PYTHON*;
- ``twisted-deferred``: our ``txcouchbase.bucket.Bucket.get`` (or
  ``txcouchbase.connection.Connection``): one Deferred per get, chained with
  ``addCallbacks``;
- ``twisted-raw``: our ``txcouchbase.connection.TxAsyncConnection.get``: an
  ``AsyncResult`` whose ``.callback``/``.errback`` are set after the call.

A row whose module cannot be imported reads ``n/a (reason)``. The mock, CPU
pinning and the official SDK's virtualenv are ``kv.py``'s and
``_official_sdk.py``'s. Usage::

    .venv/bin/python benchmarks/async.py [--ops 10000] [--inflight 100] [--json]

See benchmarks/README.md for what the columns mean.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import _official_sdk
from kv import LAYOUTS, RESULT_MARK, Mock, _our_env, _pin, cpu_layout

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_async_worker.py"

# (client, label, uses the official SDK's interpreter)
ROWS = [
    ("asyncio-ours", "asyncio: ours (acouchbase)", False),
    ("asyncio-official", "asyncio: official 4.x (acouchbase)", True),
    ("twisted-deferred", "Twisted: ours, Deferreds", False),
    ("twisted-raw", "Twisted: ours, raw AsyncResult", False),
]


def run_worker(python: str, client: str, cfg: dict[str, Any], env: dict[str, str],
               timeout: float, cpus: Optional[set[int]]) -> dict[str, Any]:
    """Run one ``_async_worker.py`` to completion; its result dict, or ``{"error": ...}``."""
    cfg = dict(cfg, client=client)
    try:
        out = subprocess.run([python, str(WORKER), json.dumps(cfg)], capture_output=True,
                             text=True, timeout=timeout, env=env, cwd=HERE,
                             stdin=subprocess.DEVNULL, preexec_fn=_pin(cpus))
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f}s"}
    except OSError as exc:
        return {"error": f"could not start the worker: {exc}"}
    for line in out.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            result: dict[str, Any] = json.loads(line[len(RESULT_MARK):])
            return result
    tail = (out.stderr or out.stdout)[-3000:].strip()
    last = tail.splitlines()[-1] if tail else "no output"
    return {"error": f"worker exited with {out.returncode}: {last}", "detail": tail}


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    layout, mock_cpus, worker_cpus = cpu_layout(args.cpus)
    ours_python = args.python or sys.executable
    report: dict[str, Any] = {
        "config": {"ops": args.ops, "inflight": args.inflight, "warmup": args.warmup,
                   "repeat": args.repeat, "nodes": 4, "replicas": 1, "layout": layout,
                   "python": _version(ours_python)},
        "results": {},
    }
    official: Optional[str] = None
    if any(client in args.only for client, _, off in ROWS if off):
        _progress("checking the official SDK virtualenv")
        try:
            official = str(_official_sdk.official_python())
        except (OSError, subprocess.SubprocessError) as exc:
            report["results"]["asyncio-official"] = {
                "unavailable": f"no official SDK virtualenv: {exc}"}
    with Mock(nodes=4, replicas=1, cpus=mock_cpus) as mock:
        info = mock.info
        cfg = {"connstr": info["connstr"], "username": info["username"],
               "password": info["password"], "bucket": info["buckets"][0],
               "ops": args.ops, "inflight": args.inflight, "warmup": args.warmup,
               "repeat": args.repeat, "mock_pid": mock.pid}
        for client, _, uses_official in ROWS:
            if client not in args.only or client in report["results"]:
                continue
            _progress(f"running {client}")
            if uses_official:
                assert official is not None
                result = run_worker(official, client, cfg, _official_sdk.clean_env(),
                                    args.timeout, worker_cpus)
            else:
                result = run_worker(ours_python, client, cfg, _our_env(), args.timeout,
                                    worker_cpus)
            report["results"][client] = result
    return report


def _version(python: str) -> str:
    try:
        out = subprocess.run([python, "-c", "import platform; print("
                              "platform.python_implementation(), platform.python_version())"],
                             capture_output=True, text=True, timeout=60)
        return out.stdout.strip() or python
    except (OSError, subprocess.SubprocessError):
        return python


def _progress(what: str) -> None:
    print(f"[async.py] {what} ...", file=sys.stderr, flush=True)


# -- the report -----------------------------------------------------------------------

def summarize(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for client, label, _ in ROWS:
        r = report["results"].get(client)
        row: dict[str, Any] = {"client": client, "label": label, "ops_s": None,
                               "cpu_us_op": None, "mock_cpu_us_op": None, "api": None,
                               "na": None}
        if r is None:
            row["na"] = "not run"
        elif "unavailable" in r:
            row["na"] = r["unavailable"]
        elif "error" in r:
            row["na"] = f"failed: {r['error']}"
        else:
            ops = r["ops"]
            row["ops_s"] = ops / r["wall_s"] if r["wall_s"] > 0 else None
            row["cpu_us_op"] = r["cpu_s"] / ops * 1e6
            mock = r.get("mock_cpu_s")
            row["mock_cpu_us_op"] = None if mock is None else mock / ops * 1e6
            row["api"] = r.get("api")
        rows.append(row)
    return rows


def _num(x: Optional[float], fmt: str) -> str:
    return "-" if x is None else format(x, fmt)


def render(report: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    conf = report["config"]
    head = f"{'client':<38}{'ops/s':>10}{'client CPU us/op':>18}{'mock CPU us/op':>16}"
    lines = [
        f"couchbase_mock 4 nodes, 1 replica; {conf['ops']} gets of ~100-byte JSON docs, "
        f"{conf['inflight']} in flight; warm-up {conf['warmup']}; median of "
        f"{conf['repeat']} runs",
        f"ours under {conf['python']}; CPU layout {conf['layout']}",
        "",
        head,
        "-" * len(head),
    ]
    for r in rows:
        if r["na"] is not None:
            lines.append(f"{r['label']:<38}{'n/a':>10}  ({r['na']})")
            continue
        lines.append(f"{r['label']:<38}{_num(r['ops_s'], ',.0f'):>10}"
                     f"{_num(r['cpu_us_op'], '.1f'):>18}"
                     f"{_num(r['mock_cpu_us_op'], '.1f'):>16}")
    lines.append("")
    for r in rows:
        if r["api"]:
            lines.append(f"{r['label']}: {r['api']}")
    return "\n".join(lines)


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ops", type=int, default=10_000, help="gets per measured run")
    p.add_argument("--inflight", type=int, default=100, help="requests kept in flight")
    p.add_argument("--warmup", type=int, default=2_000, help="gets before the measured runs")
    p.add_argument("--repeat", type=int, default=3, help="measured runs (median reported)")
    p.add_argument("--cpus", choices=LAYOUTS, default="same",
                   help="where the mock and the workers run (see kv.py)")
    p.add_argument("--python", help="interpreter for our rows (default: this one), "
                                    "e.g. .venv-pypy/bin/python")
    p.add_argument("--only", nargs="+", choices=[c for c, _, _ in ROWS],
                   default=[c for c, _, _ in ROWS], help="rows to run")
    p.add_argument("--timeout", type=float, default=600, help="seconds per worker")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = p.parse_args(argv)
    if args.ops < 1 or args.inflight < 1 or args.repeat < 1 or args.warmup < 0:
        p.error("--ops, --inflight and --repeat must be positive, --warmup not negative")
    args.warmup = min(args.warmup, args.ops)
    if args.python:  # workers run in benchmarks/: make a relative path absolute
        found = shutil.which(args.python) if os.sep not in args.python else None
        args.python = found or os.path.abspath(args.python)
    return args


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the mock and a running worker are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        report = run_all(args)
    except RuntimeError as exc:  # the mock did not start
        print(f"async.py: {exc}", file=sys.stderr)
        return 2
    rows = summarize(report)
    if args.json:
        print(json.dumps({"config": report["config"], "rows": rows,
                          "raw": report["results"]}, indent=2))
    else:
        print(render(report, rows))
    ours = [r for r in rows if r["client"] == "asyncio-ours"]
    return 1 if ours and ours[0]["ops_s"] is None and "asyncio-ours" in args.only else 0


if __name__ == "__main__":
    sys.exit(main())
