"""Client instructions per operation, counted by callgrind: repeatable to the instruction.

CPU-time benchmarks (``kv.py``, ``async.py``) swing by 10-20 % between runs
on a small shared VM; instruction counts do not. This counts the user-space
instructions the client process executes per operation (the kernel's work
in send/recv is not in them) for the working tree and, with ``--rev``, for
a git revision of this repository checked out in a temporary worktree, side
by side, against one local cluster process::

    .venv/bin/python benchmarks/instructions.py --rev HEAD~3
    .venv/bin/python benchmarks/instructions.py --phases get,asyncio --ops 500

Each phase runs ``_instr_worker.py`` under ``valgrind --tool=callgrind``
twice (``--ops`` and three times as many operations) after a warm-up run
that compiles the bytecode, and reports the difference per operation, so
start-up and connecting cancel out. PYTHONHASHSEED is fixed. A phase takes
about 10 s per tree. The sync phases repeat to within 0.5 %; the event-loop
ones move by up to 10 % with how answers happen to batch per read, so take
the median of ``--rounds 3`` or more for them. Phases: get, upsert, get_multi, upsert_multi (sync
API; multi: per key), asyncio (100 gets in flight), twisted (Deferreds),
twisted-raw (AsyncResult), and get-4x, upsert-4x, get_multi-4x (the 4.x API's
default collection). Needs valgrind; exits 2 without it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

from kv import Mock

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKER = HERE / "_instr_worker.py"
PHASES = ("get", "upsert", "get_multi", "upsert_multi", "asyncio", "twisted", "twisted-raw",
          "get-4x", "upsert-4x", "get_multi-4x")


def instructions(src: Path, phase: str, ops: int, connstr: str) -> int:
    """What callgrind counted for one worker run (the whole process)."""
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=str(src))
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
         str(WORKER), phase, str(ops), connstr],
        capture_output=True, text=True, env=env, cwd=HERE, stdin=subprocess.DEVNULL)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or found is None:
        raise RuntimeError(f"{phase} worker failed ({src}):\n{out.stderr[-2000:]}")
    return int(found.group(1))


def per_operation(src: Path, phase: str, ops: int, connstr: str, rounds: int) -> float:
    """The median over ``rounds`` of (count at 3*ops - count at ops) / (2*ops)."""
    instructions(src, phase, 100, connstr)  # compile the .pyc files first
    found = []
    for _ in range(rounds):
        low = instructions(src, phase, ops, connstr)
        high = instructions(src, phase, 3 * ops, connstr)
        found.append((high - low) / (2 * ops))
    return statistics.median(found)


def checkout(rev: str, into: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(into), rev],
                   check=True, capture_output=True)
    return into / "src"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", help="also measure this git revision (e.g. HEAD~3, main)")
    parser.add_argument("--phases", default=",".join(PHASES),
                        help=f"comma-separated, of: {', '.join(PHASES)}")
    parser.add_argument("--ops", type=int, default=1000,
                        help="operations of the smaller run (multi: a multiple of 1000)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="median of this many measurements per phase (event-loop "
                             "phases vary with how answers batch up: use 3 or more)")
    args = parser.parse_args(argv)
    phases = [p for p in args.phases.split(",") if p]
    unknown = set(phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    if shutil.which("valgrind") is None:
        print("instructions.py needs valgrind (Debian: apt-get install valgrind)",
              file=sys.stderr)
        return 2
    trees = {"working tree": ROOT / "src"}
    scratch = Path(tempfile.mkdtemp(prefix="instr-"))
    try:
        if args.rev:
            trees[args.rev] = checkout(args.rev, scratch / "rev")
        with Mock(nodes=4, replicas=1) as mock:
            connstr = mock.info["connstr"]
            names = list(trees)
            header = f"{'phase':14s}" + "".join(f"{n:>16s}" for n in names)
            if args.rev:
                header += f"{'ratio':>9s}"
            print("client instructions per operation (callgrind; multi: per key)")
            print(header)
            print("-" * len(header))
            for phase in phases:
                counts = [per_operation(trees[n], phase, args.ops, connstr, args.rounds)
                          for n in names]
                line = f"{phase:14s}" + "".join(f"{c:16,.0f}" for c in counts)
                if args.rev:
                    line += f"{counts[0] / counts[1]:9.3f}"
                print(line, flush=True)
    finally:
        if args.rev:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(scratch / "rev")], capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
