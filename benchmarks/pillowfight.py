"""cbc-pillowfight-style load: ours (``cbcp pillowfight``) vs the official SDK, side by side.

One local cluster (``python -m couchbase_mock``, 4 nodes, 1 replica, as
``kv.py`` starts it) serves both, one after the other, never together. Each
run is the same load, given the same options: ``--batch`` operations per batch
on distinct random keys of ``--num-items``, ``--set-pct`` percent stored, the
rest read, ``--threads`` threads each with its own connection, for
``--duration`` seconds after every item was stored once:

- ours: ``cbcp pillowfight --json`` (this tree's ``src/`` first on the path);
- official: ``_pillowfight_official.py``, the same loop over the 4.x
  Collection's ``upsert_multi``/``get_multi``, under the official SDK's own
  virtualenv (``_official_sdk.py``: it is also a package named ``couchbase``).

Printed: ops/s, errors and batch latency p50/p99 (send to last answer of a
batch) per client and thread count, then a JSON document with everything.

    python benchmarks/pillowfight.py -B 100 -t 1 -t 2 -I 1000 --duration 5
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import _official_sdk
from kv import Mock, _our_env

HERE = Path(__file__).resolve().parent
OFFICIAL_WORKER = HERE / "_pillowfight_official.py"
RESULT_MARK = "BENCH-RESULT "


def run_ours(info: dict[str, Any], args: argparse.Namespace, threads: int) -> dict[str, Any]:
    argv = ["pillowfight", "--json", "-U", f"{info['connstr']}/{info['buckets'][0]}",
            "-u", info["username"], "-P", info["password"], "-B", str(args.batch),
            "-t", str(threads), "-I", str(args.num_items), "-r", str(args.set_pct),
            "-m", str(args.min_size), "-M", str(args.max_size),
            "--duration", str(args.duration)]
    code = "import sys; from couchbase.cli.main import main; sys.exit(main(sys.argv[1:]))"
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                         env=_our_env(), timeout=args.duration + 120, stdin=subprocess.DEVNULL)
    try:
        result: dict[str, Any] = json.loads(out.stdout)["pillowfight"]
        return result
    except (ValueError, KeyError, TypeError):
        tail = (out.stderr or out.stdout).strip().splitlines()
        return {"error": f"cbcp exited with {out.returncode}: {tail[-1] if tail else ''}"}


def run_official(python: str, info: dict[str, Any], args: argparse.Namespace,
                 threads: int) -> dict[str, Any]:
    cfg = {"connstr": info["connstr"], "username": info["username"],
           "password": info["password"], "bucket": info["buckets"][0], "batch": args.batch,
           "threads": threads, "num_items": args.num_items, "set_pct": args.set_pct,
           "min_size": args.min_size, "max_size": args.max_size,
           "key_prefix": "pillowfight-", "duration": args.duration}
    out = subprocess.run([python, str(OFFICIAL_WORKER), json.dumps(cfg)], capture_output=True,
                         text=True, env=_official_sdk.clean_env(), cwd=HERE,
                         timeout=args.duration + 120, stdin=subprocess.DEVNULL)
    for line in out.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            result: dict[str, Any] = json.loads(line[len(RESULT_MARK):])
            return result
    tail = (out.stderr or out.stdout).strip().splitlines()
    return {"error": f"official worker exited with {out.returncode}: {tail[-1] if tail else ''}"}


def row(client: str, threads: int, result: dict[str, Any]) -> str:
    if "error" in result:
        return f"{client:9} -t {threads}  {result['error']}"
    lat = result["batch_latency_us"]
    return (f"{client:9} -t {threads}  {result['ops_per_sec']:>10,.0f} ops/s  "
            f"errors {result['errors']:<4} batch p50 {lat['p50'] / 1000:7.2f} ms  "
            f"p99 {lat['p99'] / 1000:7.2f} ms")


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-B", "--batch", type=int, default=100)
    p.add_argument("-t", "--threads", type=int, action="append",
                   help="thread count; repeat for several runs (default 1)")
    p.add_argument("-I", "--num-items", type=int, default=1000)
    p.add_argument("-r", "--set-pct", type=int, default=33)
    p.add_argument("-m", "--min-size", type=int, default=50)
    p.add_argument("-M", "--max-size", type=int, default=5120)
    p.add_argument("--duration", type=float, default=5.0)
    p.add_argument("--clients", default="ours,official")
    args = p.parse_args(argv)
    threads = args.threads or [1]
    clients = args.clients.split(",")
    official: Optional[str] = None
    report: dict[str, Any] = {"config": {k: v for k, v in vars(args).items()}, "runs": []}
    if "official" in clients:
        try:
            official = str(_official_sdk.official_python())
        except (OSError, subprocess.SubprocessError) as exc:
            print(f"official SDK unavailable: {exc}", file=sys.stderr)
    with Mock(nodes=4, replicas=1) as mock:
        for t in threads:
            for client in clients:
                if client == "ours":
                    result = run_ours(mock.info, args, t)
                elif client == "official" and official is not None:
                    result = run_official(official, mock.info, args, t)
                else:
                    continue
                print(row(client, t, result), flush=True)
                report["runs"].append({"client": client, "threads": t, **result})
    print(json.dumps(report))
    return 1 if any("error" in r or r.get("errors") for r in report["runs"]) else 0


if __name__ == "__main__":
    sys.exit(main())
