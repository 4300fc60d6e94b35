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
from kv import (
    LAYOUTS,
    RESULT_MARK,
    Mock,
    _our_env,
    _pin,
    _version_of,
    cpu_layout,
    pypy_python,
    server_python,
)
from kv import run_worker as kv_run_worker

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_async_worker.py"

# (client, label, uses the official SDK's interpreter)
ROWS = [
    ("asyncio-ours", "asyncio: ours (acouchbase)", False),
    ("asyncio-official", "asyncio: official 4.x (acouchbase)", True),
    ("twisted-deferred", "Twisted: ours, Deferreds", False),
    ("twisted-raw", "Twisted: ours, raw AsyncResult", False),
]
# the floors (kv.py's raw worker): (phase, label)
FLOORS = [("noop", "floor: NOOP 1 at a time"), ("pipelined_get", "floor: {m} GETQ+NOOP")]
# the table's interpreter columns: (label, suffix of the result keys)
COLUMNS = (("CPython", ""), ("PyPy", "@pypy"))
# the memory workers' operation timeout (seconds): all --mem-inflight gets start at
# once and wait while the measurement collects garbage twice, so the default KV
# timeout (2.5 s) can expire on a loaded machine without anything being slow
MEM_TIMEOUT = 60.0


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
    pypy = None if args.pypy == "none" else (args.pypy or pypy_python())
    mock_python = server_python(args.server_python)
    report: dict[str, Any] = {
        "config": {"ops": args.ops, "inflight": args.inflight, "warmup": args.warmup,
                   "pypy_warmup": args.pypy_warmup,
                   "repeat": args.repeat, "nodes": 4, "replicas": 1, "layout": layout,
                   "python": _version_of(ours_python),
                   "pypy": _version_of(pypy) if pypy else None,
                   "server_python": _version_of(mock_python), "tls": args.tls,
                   "mem_inflight": args.mem_inflight, "multi_keys": args.multi_keys},
        "results": {},
    }
    official: Optional[str] = None
    if any(client in args.only for client, _, off in ROWS if off) or args.memory:
        _progress("checking the official SDK virtualenv")
        try:
            official = str(_official_sdk.official_python())
        except (OSError, subprocess.SubprocessError) as exc:
            report["results"]["asyncio-official"] = {
                "unavailable": f"no official SDK virtualenv: {exc}"}
    with Mock(nodes=4, replicas=1, cpus=mock_cpus, python=mock_python, tls=args.tls) as mock:
        info = mock.info
        cfg = {"connstr": info["connstr"], "username": info["username"],
               "password": info["password"], "bucket": info["buckets"][0],
               "ops": args.ops, "inflight": args.inflight, "warmup": args.warmup,
               "repeat": args.repeat, "mock_pid": mock.pid, "ca": info.get("ca"),
               "mem_inflight": args.mem_inflight, "mem_timeout": MEM_TIMEOUT,
               # the floors (kv.py's raw worker): one node's KV port, 10 batches
               "kv": list(mock.kv_address()), "multi_keys": args.multi_keys,
               "multi_rounds": 10}
        results = report["results"]
        pythons = [("", ours_python)] + ([("@pypy", pypy)] if pypy else [])
        for client, _, uses_official in ROWS:
            if client not in args.only or client in results:
                continue
            if uses_official:
                _progress(f"running {client}")
                assert official is not None
                results[client] = run_worker(official, client, cfg,
                                             _official_sdk.clean_env(), args.timeout,
                                             worker_cpus)
                continue
            for suffix, python in pythons:
                _progress(f"running {client}{suffix}")
                # PyPy's JIT compiles the event-loop path for ~50,000 gets (0.5 s of
                # tracing and compiling): measured after that, like a long-lived server
                warm = dict(cfg, warmup=args.pypy_warmup) if suffix == "@pypy" else cfg
                results[client + suffix] = run_worker(python, client, warm, _our_env(),
                                                      args.timeout, worker_cpus)
        if args.floors:
            for suffix, python in pythons:
                _progress(f"running the floors{suffix}")
                results["raw" + suffix] = kv_run_worker(python, "raw", cfg, _our_env(),
                                                        args.timeout, worker_cpus)
        if args.memory:
            for suffix, python in pythons:
                _progress(f"measuring memory in flight{suffix}")
                results["memory" + suffix] = run_worker(
                    python, "asyncio-ours-memory", cfg, _our_env(), args.timeout, worker_cpus)
            if official is not None:
                _progress("measuring memory in flight (official)")
                results["memory@official"] = run_worker(
                    official, "asyncio-official-memory", cfg, _official_sdk.clean_env(),
                    args.timeout, worker_cpus)
    return report


def _progress(what: str) -> None:
    print(f"[async.py] {what} ...", file=sys.stderr, flush=True)


# -- the report -----------------------------------------------------------------------

def _cell(r: Optional[dict[str, Any]], phase: Optional[str] = None) -> dict[str, Any]:
    """ops/s, client CPU us/op, mock CPU us/op of one result (or of one of its phases)."""
    out: dict[str, Any] = {"ops_s": None, "cpu_us_op": None, "mock_cpu_us_op": None,
                           "gc_share": None, "na": None}
    if r is not None and phase is not None and "error" not in r:
        r = r.get(phase) or {"error": "not run"}
    if r is None:
        out["na"] = "not run"
    elif "unavailable" in r:
        out["na"] = r["unavailable"]
    elif "error" in r:
        out["na"] = f"failed: {r['error']}"
    else:
        ops = r["ops"]
        out["ops_s"] = ops / r["wall_s"] if r["wall_s"] > 0 else None
        out["cpu_us_op"] = r["cpu_s"] / ops * 1e6
        mock = r.get("mock_cpu_s")
        out["mock_cpu_us_op"] = None if mock is None else mock / ops * 1e6
        # the cyclic GC's share of the client's CPU (gc.callbacks; PyPy has none)
        gc_s = r.get("gc_s")
        out["gc_share"] = gc_s / r["cpu_s"] if gc_s is not None and r["cpu_s"] > 0 else None
    return out


def summarize(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows: each client and floor with a cell per interpreter column, then memory."""
    results, conf = report["results"], report["config"]
    rows: list[dict[str, Any]] = []
    for client, label, uses_official in ROWS:
        row: dict[str, Any] = {"client": client, "label": label, "kind": "client"}
        for _, suffix in COLUMNS:
            # the official SDK runs on CPython only (its own virtualenv): first column
            key = client if uses_official and not suffix else (
                None if uses_official else client + suffix)
            row["cells" + suffix] = _cell(results.get(key)) if key else None
        r = results.get(client) or {}
        row["api"] = r.get("api")
        # the earlier flat fields (CPython column), for --json readers
        row.update({k: v for k, v in (row["cells"] or {}).items()})
        rows.append(row)
    tls = " (TLS)" if conf.get("tls") else ""
    for phase, label in FLOORS:
        row = {"client": f"raw-{phase}", "kind": "floor", "api": None,
               "label": label.format(m=conf.get("multi_keys", 1000)) + tls}
        for _, suffix in COLUMNS:
            found = results.get("raw" + suffix)
            row["cells" + suffix] = _cell(found, phase) if found else None
        rows.append(row)
    mem = {"client": "memory", "kind": "memory", "api": None,
           "label": f"get in flight ({conf.get('mem_inflight')} at once)"}
    for suffix in ("", "@pypy", "@official"):
        r = results.get("memory" + suffix) or {}
        mem["memory" + suffix] = {k: r.get(k) for k in (
            "tracemalloc_bytes", "rss_bytes", "gc_heap_bytes", "issue_s", "answer_s",
            "error", "unavailable")}
    rows.append(mem)
    return rows


def _num(x: Optional[float], fmt: str) -> str:
    return "-" if x is None else format(x, fmt)


def render(report: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    conf = report["config"]
    head = (f"{'':<38}" + "".join(f"{label:>24}" for label, _ in COLUMNS)
            + f"{'server CPU us/op':>18}{'GC share':>10}")
    head2 = (f"{'client':<38}" + f"{'ops/s':>10}{'CPU us/op':>14}" * len(COLUMNS)
             + f"{'(CPy/PyPy)':>18}{'(CPy)':>10}")
    lines = [
        f"couchbase_mock 4 nodes, 1 replica, on {conf.get('server_python')}; {conf['ops']} "
        f"gets of ~100-byte JSON docs, {conf['inflight']} in flight; warm-up "
        f"{conf['warmup']} (PyPy: {conf.get('pypy_warmup')}); median of {conf['repeat']} runs",
        f"ours under {conf['python']} and {conf.get('pypy') or 'no PyPy'} (the official SDK "
        f"under CPython, its own virtualenv); CPU layout {conf['layout']}",
        "over TLS only (couchbases://, CA verified; floors on an ssl-wrapped socket)"
        if conf.get("tls") else "plain TCP (couchbase://); --tls measures over TLS",
        "",
        head,
        head2,
        "-" * len(head2),
    ]
    notes = []
    for r in rows:
        if r["kind"] == "memory":
            continue
        cells, mocks = "", []
        for label, suffix in COLUMNS:
            c = r["cells" + suffix]
            if c is None:
                cells += f"{'-':>10}{'-':>14}"
            elif c["na"] is not None:
                cells += f"{'n/a':>10}{'':>14}"
                if c["na"] != "not run":
                    notes.append(f"{r['label']} ({label}): {c['na'].splitlines()[0][:300]}")
            else:
                cells += f"{_num(c['ops_s'], ',.0f'):>10}{_num(c['cpu_us_op'], '.1f'):>14}"
            mocks.append("-" if c is None else _num(c["mock_cpu_us_op"], ".0f"))
        first = r["cells"]
        share = "-" if not first or first["gc_share"] is None else f"{first['gc_share']:.0%}"
        lines.append(f"{r['label']:<38}{cells}{'/'.join(mocks):>18}{share:>10}")
    lines.append("")
    mem_head = (f"{'memory, bytes per op':<38}{'CPy tracemalloc':>16}{'CPy RSS':>12}"
                f"{'PyPy GC heap':>14}{'PyPy RSS':>12}{'official RSS':>14}")
    lines += [mem_head, "-" * len(head2)]
    for r in rows:
        if r["kind"] != "memory":
            continue
        cpy, pypy, off = r["memory"], r["memory@pypy"], r["memory@official"]
        lines.append(f"{r['label']:<38}{_num(cpy['tracemalloc_bytes'], ',.0f'):>16}"
                     f"{_num(cpy['rss_bytes'], ',.0f'):>12}"
                     f"{_num(pypy['gc_heap_bytes'], ',.0f'):>14}"
                     f"{_num(pypy['rss_bytes'], ',.0f'):>12}"
                     f"{_num(off['rss_bytes'], ',.0f'):>14}")
        took = [f"{who} {m['issue_s']:.2f} s + {m['answer_s']:.2f} s"
                for who, m in (("CPython", cpy), ("PyPy", pypy), ("official", off))
                if m.get("issue_s") is not None and m.get("answer_s") is not None]
        if took:
            lines.append(f"  (issuing all, then answering all: {'; '.join(took)}; "
                         f"operation timeout {MEM_TIMEOUT:.0f} s)")
        for who, m in (("CPython", cpy), ("PyPy", pypy), ("official", off)):
            why = m.get("error") or m.get("unavailable")
            if why:
                notes.append(f"memory ({who}): {why.splitlines()[0][:300]}")
    lines.append("")
    for r in rows:
        if r["api"]:
            lines.append(f"{r['label']}: {r['api']}")
    if notes:
        lines += ["", "notes:"] + [f"  {n}" for n in notes]
    return "\n".join(lines)


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ops", type=int, default=10_000, help="gets per measured run")
    p.add_argument("--inflight", type=int, default=100, help="requests kept in flight")
    p.add_argument("--warmup", type=int, default=2_000, help="gets before the measured runs")
    p.add_argument("--pypy-warmup", type=int, default=50_000,
                   help="gets before the measured runs of the PyPy column (its JIT "
                        "is still compiling the event-loop path after 10,000)")
    p.add_argument("--repeat", type=int, default=3, help="measured runs (median reported)")
    p.add_argument("--cpus", choices=LAYOUTS, default="same",
                   help="where the mock and the workers run (see kv.py)")
    p.add_argument("--python", help="interpreter for our rows (default: this one), "
                                    "e.g. .venv-pypy/bin/python")
    p.add_argument("--pypy", help="PyPy for the PyPy column (default: .venv-pypy, else "
                                  "pypy3 on the PATH; 'none': no PyPy column)")
    p.add_argument("--server-python", default=sys.executable,
                   help="interpreter running the mock; pypy3 means .venv-pypy/bin/python")
    p.add_argument("--tls", action="store_true",
                   help="the mock serves TLS only; every client verifies its CA")
    p.add_argument("--multi-keys", type=int, default=1000,
                   help="keys per batch of the pipelined GETQ floor (1000)")
    p.add_argument("--mem-inflight", type=int, default=10_000,
                   help="gets issued at once to measure memory per in-flight get (10000)")
    p.add_argument("--no-floors", dest="floors", action="store_false",
                   help="skip the raw floors")
    p.add_argument("--no-memory", dest="memory", action="store_false",
                   help="skip the in-flight memory measurement")
    p.add_argument("--only", nargs="+", choices=[c for c, _, _ in ROWS],
                   default=[c for c, _, _ in ROWS], help="rows to run")
    p.add_argument("--timeout", type=float, default=600, help="seconds per worker")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = p.parse_args(argv)
    if (args.ops < 1 or args.inflight < 1 or args.repeat < 1 or args.warmup < 0
            or args.pypy_warmup < 0
            or args.multi_keys < 1 or args.mem_inflight < 1):
        p.error("--ops, --inflight and --repeat must be positive, --warmup not negative")
    for name in ("python", "pypy"):  # workers run in benchmarks/: make paths absolute
        value = getattr(args, name)
        if value and value != "none":
            found = shutil.which(value) if os.sep not in value else None
            setattr(args, name, found or os.path.abspath(value))
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
