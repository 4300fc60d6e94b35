"""The local cluster's instructions per KV operation, counted by callgrind.

``kv.py`` reads the mock's CPU time from ``/proc``: 10 ms ticks, and on a
small shared VM it moves by 10-20 % between runs. This counts what the mock
process executes in user space (everything: the event loop, the KV session,
the engine) per request, the same to within a fraction of a percent from run
to run, so a change to the server can be judged by one run::

    .venv/bin/python benchmarks/mock_instructions.py                 # working tree
    .venv/bin/python benchmarks/mock_instructions.py --rev HEAD~1    # and a revision
    .venv/bin/python benchmarks/mock_instructions.py --phases get --ops 5000

The mock (4 nodes, 1 replica, as in ``kv.py``) runs under ``valgrind
--tool=callgrind --instr-atstart=no``; this process is the client (our SDK
from the working tree, whatever tree the mock comes from). For each phase it
warms up, switches counting on with ``callgrind_control -i on``, runs
``--ops`` requests one at a time, switches it off and dumps the counts; the
number shown is the dump's total divided by the requests. Phases: ``get`` and
``upsert`` (``Bucket.get``/``upsert`` of ~100-byte JSON documents, default
collection) and ``noop`` (NOOPs on one plain socket: the cost of a request
that does nothing). The kernel's work in send/recv is not counted. With
``--rev REV`` the revision's ``src/`` is checked out in a temporary git
worktree and measured the same way, and the table shows the ratio (below 1:
the working tree's mock executes fewer instructions). Needs valgrind; exits 2
without it.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Optional

from kv import ROOT, SRC, Mock

PHASES = ("get", "upsert", "noop")
DOC = {"name": "user-0000001", "email": "user0000001@example.com", "age": 21, "active": True,
       "tags": ["bench", "kv"]}
KEYS = [f"mock-instr-{i}" for i in range(1000)]


def _noop_loop(host: str, port: int, username: str, password: str
               ) -> Callable[[int], None]:
    """A function sending ``n`` NOOPs one at a time on an authenticated socket."""
    from couchbase._core.opcode import Opcode
    from couchbase._core.packet import PacketReader, encode_packet
    from couchbase._core.scram import plain_payload

    sock = socket.create_connection((host, port), timeout=60)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    reader = PacketReader()

    def call(opcode: int, key: bytes = b"", value: bytes = b"") -> Any:
        sock.sendall(encode_packet(0x80, opcode, key, value, opaque=1))
        pkts = reader.feed(sock.recv(65536))
        while not pkts:
            pkts = reader.feed(sock.recv(65536))
        return pkts[0]

    call(Opcode.SASL_AUTH, b"PLAIN", plain_payload(username, password))
    call(Opcode.SELECT_BUCKET, b"default")
    return lambda n: [call(Opcode.NOOP) for _ in range(n)] and None


def measure(src: Path, phases: list[str], ops: int) -> dict[str, float]:
    """Instructions per request of each phase, for the mock in ``src``."""
    sys.path.insert(0, str(SRC))  # the client is always the working tree's
    from couchbase.bucket import Bucket

    out_dir = Path(tempfile.mkdtemp(prefix="mock-instr-"))
    wrapper = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
               f"--callgrind-out-file={out_dir}/cg.%p"]
    results: dict[str, float] = {}
    try:
        with Mock(src=src, wrapper=wrapper, timeout=300, env={"PYTHONHASHSEED": "0"}) as mock:
            info = mock.info
            cb = Bucket(f"{info['connstr']}/{info['buckets'][0]}", username=info["username"],
                        password=info["password"], timeout=60, bootstrap_timeout=120)
            cb.upsert_multi({k: DOC for k in KEYS})
            noop = _noop_loop(*mock.kv_address(), info["username"], info["password"])
            bodies: dict[str, Callable[[int], None]] = {
                "get": lambda n: [cb.get(KEYS[i % 1000]).value for i in range(n)] and None,
                "upsert": lambda n: [cb.upsert(KEYS[i % 1000], DOC) for i in range(n)] and None,
                "noop": noop,
            }
            for phase in phases:
                bodies[phase](200)  # warm-up, not counted
                _control(mock.pid, "-z")
                _control(mock.pid, "-i", "on")
                bodies[phase](ops)
                _control(mock.pid, "-i", "off")
                _control(mock.pid, f"--dump={phase}")
                results[phase] = _dumped(out_dir, mock.pid, phase) / ops
            cb.close()
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return results


def _control(pid: int, *args: str) -> None:
    subprocess.run(["callgrind_control", *args, str(pid)], check=True,
                   capture_output=True, timeout=120)


def _dumped(out_dir: Path, pid: int, phase: str) -> int:
    """The instruction total of the dump made for ``phase``."""
    for path in out_dir.glob(f"cg.{pid}.*"):
        text = path.read_text(errors="replace")
        if f"Trigger: Client Request: {phase}" in text or f"Trigger: dump {phase}" in text:
            found = re.search(r"^totals: (\d+)", text, re.M)
            if found:
                return int(found.group(1))
    raise RuntimeError(f"no callgrind dump for {phase} in {out_dir}")


def _worktree(rev: str, into: Path) -> Path:
    subprocess.run(["git", "worktree", "add", "--detach", str(into), rev], cwd=ROOT,
                   check=True, capture_output=True)
    return into / "src"


def render(rows: dict[str, dict[str, float]], ops: int, rev: Optional[str]) -> str:
    head = f"{'phase':<10}{'this tree':>14}"
    if rev:
        head += f"{rev:>18}{'ratio':>10}"
    lines = [f"mock (4 nodes, 1 replica) user-space instructions per request, {ops} requests",
             "", head, "-" * len(head)]
    for phase, by_tree in rows.items():
        line = f"{phase:<10}{by_tree['tree']:>14,.0f}"
        if rev:
            line += f"{by_tree['rev']:>18,.0f}{by_tree['tree'] / by_tree['rev']:>10.2f}"
        lines.append(line)
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=2000, help="requests counted per phase")
    parser.add_argument("--phases", default=",".join(PHASES),
                        help=f"comma-separated, from {', '.join(PHASES)}")
    parser.add_argument("--rev", help="also measure this git revision's mock")
    args = parser.parse_args(argv)
    phases = [p for p in args.phases.split(",") if p]
    unknown = set(phases) - set(PHASES)
    if unknown or args.ops < 1:
        parser.error(f"unknown phases {sorted(unknown)}" if unknown else "--ops must be >= 1")
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("mock_instructions.py: needs valgrind (callgrind)", file=sys.stderr)
        return 2
    tree = measure(SRC, phases, args.ops)
    rows = {p: {"tree": tree[p]} for p in phases}
    if args.rev:
        with tempfile.TemporaryDirectory(prefix="mock-instr-rev-") as tmp:
            where = Path(tmp) / "tree"
            try:
                old = measure(_worktree(args.rev, where), phases, args.ops)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=ROOT,
                               capture_output=True)
        for p in phases:
            rows[p]["rev"] = old[p]
    print(render(rows, args.ops, args.rev))
    return 0


if __name__ == "__main__":
    sys.exit(main())
