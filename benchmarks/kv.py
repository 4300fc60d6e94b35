"""Key-value benchmark: this SDK vs the official SDK vs a raw-socket floor.

One run starts one ``couchbase_mock`` process (4 nodes, 1 replica, ephemeral
ports) and then, one after another (never in parallel), three worker processes
(``_worker.py``) against it:

- ``ours``: this SDK's sync ``Bucket`` (upsert, get, upsert_multi, get_multi),
  under this interpreter with ``src/`` first on the path;
- ``official``: the official SDK 4.x (C++ core) under its own virtualenv
  ``.cache/official-sdk`` (created on first use), environment free of PYTHON*;
- ``raw``: NOOP ping-pongs on one plain socket with our packet codec: the least
  a Python client can spend on one request/response round trip.

With ``--tls`` the mock serves TLS only (``--tls --tls-only``, a CA made at
start) and every worker goes over it with the CA, verifying the certificate:
ours and the official SDK over ``couchbases://`` (``cert_path``), the raw floor
on an ``ssl``-wrapped socket.

Each worker reports wall time and its own CPU time (``time.process_time()``,
all threads) per phase. Usage::

    .venv/bin/python benchmarks/kv.py [--ops 20000] [--multi-keys 1000] [--tls] [--json]

See benchmarks/README.md for what the columns mean.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import _official_sdk

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SRC = ROOT / "src"
WORKER = HERE / "_worker.py"
RESULT_MARK = "BENCH-RESULT "


# -- where processes run ---------------------------------------------------------------

LAYOUTS = ("same", "split", "free")


def cpu_layout(layout: str) -> tuple[str, Optional[set[int]], Optional[set[int]]]:
    """``(description, mock CPUs, worker CPUs)`` for a --cpus choice (None: unpinned).

    "same" puts the mock and each worker on one CPU: a ping-pong is then a plain
    context switch, and per-op CPU is steady from run to run. "split" gives each
    its own CPU, like a server on another machine; on small VMs every blocking
    wait then pays for idling and waking a CPU, which is costly and noisy.
    """
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return "free (CPU pinning unsupported here)", None, None
    if layout == "same" and allowed:
        cpu = {allowed[-1]}
        return f"same: mock and worker pinned to CPU {allowed[-1]}", cpu, cpu
    if layout == "split" and len(allowed) >= 2:
        return (f"split: mock on CPU {allowed[-1]}, worker on CPU {allowed[0]}",
                {allowed[-1]}, {allowed[0]})
    return "free: no pinning", None, None


def _pin(cpus: Optional[set[int]]) -> Optional[Callable[[], None]]:
    if cpus is None:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


# -- the mock cluster ---------------------------------------------------------------

def _our_env(src: Path = SRC) -> dict[str, str]:
    """Our environment with src/ first on the path, so the working tree is measured."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH")) if p)
    return env


class ServerProcess:
    """What a benchmarked server process keeps: ``proc`` and its ``stderr`` (a
    temporary file), for errors that quote the end of what it printed."""

    proc: subprocess.Popen
    stderr: Any

    def _stderr_tail(self) -> str:
        self.stderr.seek(0)
        tail = self.stderr.read()[-2000:].decode("utf-8", "replace").strip()
        return f":\n{tail}" if tail else ""

    @property
    def pid(self) -> int:
        return self.proc.pid


class Mock(ServerProcess):
    """A ``python -m couchbase_mock`` process, stopped on exit whatever happens.

    ``python`` runs it (default: this interpreter), with ``src`` first on its
    path (default: this tree's); ``wrapper`` is put in front of the command
    (``mock_instructions.py`` runs the mock under callgrind that way).
    """

    def __init__(self, nodes: int = 4, replicas: int = 1, timeout: float = 30,
                 cpus: Optional[set[int]] = None, python: str = sys.executable,
                 src: Path = SRC, wrapper: Sequence[str] = (),
                 env: Optional[dict[str, str]] = None, tls: bool = False) -> None:
        self.stderr = tempfile.TemporaryFile()
        run_env = _our_env(src)
        run_env.update(env or {})
        self.proc = subprocess.Popen(
            [*wrapper, python, "-m", "couchbase_mock", "--nodes", str(nodes),
             "--replicas", str(replicas), *(("--tls", "--tls-only") if tls else ())],
            stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL,
            env=run_env, cwd=ROOT, preexec_fn=_pin(cpus),
        )
        try:
            self.info = json.loads(self._ready_line(timeout))
        except BaseException:
            self.stop()
            raise

    def _ready_line(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        buf = b""
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while b"\n" not in buf:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not sel.select(remaining):
                    raise RuntimeError(f"couchbase_mock not ready after {timeout}s"
                                       f"{self._stderr_tail()}")
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    raise RuntimeError(f"couchbase_mock exited with {self.proc.wait()}"
                                       f"{self._stderr_tail()}")
                buf += chunk
        return buf.split(b"\n", 1)[0].decode()

    def kv_address(self) -> tuple[str, int]:
        first = self.info["connstr"].split("://", 1)[1].split(",")[0]
        host, _, port = first.rpartition(":")
        return host, int(port)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.stderr.close()

    def __enter__(self) -> Mock:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


# -- workers ------------------------------------------------------------------------

def run_worker(python: str, client: str, cfg: dict[str, Any], env: dict[str, str],
               timeout: float, cpus: Optional[set[int]] = None) -> dict[str, Any]:
    """Run one worker to completion; its result dict, or ``{"error": ...}``."""
    cfg = dict(cfg, client=client)
    try:
        out = subprocess.run([python, str(WORKER), json.dumps(cfg)], capture_output=True,
                             text=True, timeout=timeout, env=env, cwd=HERE,
                             stdin=subprocess.DEVNULL, preexec_fn=_pin(cpus))
    except subprocess.TimeoutExpired:
        return {"error": f"{client} worker timed out after {timeout:.0f}s"}
    except OSError as exc:
        return {"error": f"could not start the {client} worker: {exc}"}
    for line in out.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            result: dict[str, Any] = json.loads(line[len(RESULT_MARK):])
            return result
    tail = (out.stderr or out.stdout)[-3000:].strip()
    last = tail.splitlines()[-1] if tail else "no output"
    return {"error": f"{client} worker exited with {out.returncode}: {last}", "detail": tail}


def server_python(name: str) -> str:
    """The interpreter a --server-python value names: a path, a command on the
    PATH, or ``pypy3``/``pypy``, which mean ``.venv-pypy/bin/python`` when it
    exists (scripts/test-pypy.sh makes it: PyPy with the project installed)."""
    pypy_venv = ROOT / ".venv-pypy" / "bin" / "python"
    if name in ("pypy3", "pypy") and pypy_venv.exists():
        return str(pypy_venv)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"--server-python {name}: no such interpreter")
    return found


def pypy_python() -> Optional[str]:
    """PyPy for the PyPy column: the project's PyPy virtualenv, else ``pypy3``; None
    when neither exists. Our worker runs under it with ``src/`` first on the path."""
    try:
        return server_python("pypy3")
    except RuntimeError:
        return None


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    layout, mock_cpus, worker_cpus = cpu_layout(args.cpus)
    mock_python = server_python(args.server_python)
    pypy = pypy_python() if "pypy" in args.clients else None
    report: dict[str, Any] = {
        "config": {"ops": args.ops, "warmup": args.warmup, "pypy_warmup": args.pypy_warmup,
                   "multi_keys": args.multi_keys,
                   "multi_rounds": args.multi_rounds, "repeat": args.repeat, "nodes": 4,
                   "replicas": 1, "python": sys.version.split()[0], "cpus": os.cpu_count(),
                   "layout": layout, "server_python": _version_of(mock_python),
                   "pypy": _version_of(pypy) if pypy else None,
                   "clients": list(args.clients), "tls": args.tls,
                   "mem_buckets": args.mem_buckets, "mem_docs": args.mem_docs},
    }
    if "pypy" in args.clients and pypy is None:
        report["pypy"] = {"error": "no PyPy: neither .venv-pypy (scripts/test-pypy.sh) "
                                   "nor pypy3 on the PATH"}
    official: Optional[str] = None
    if "official" in args.clients:
        _progress("checking the official SDK virtualenv")
        try:
            official = str(_official_sdk.official_python())
        except (OSError, subprocess.SubprocessError) as exc:
            report["official"] = {"error": f"no official SDK virtualenv: {exc}"}
    with Mock(nodes=4, replicas=1, cpus=mock_cpus, python=mock_python,
              tls=args.tls) as mock:
        info = mock.info
        cfg = {
            "connstr": info["connstr"], "kv": list(mock.kv_address()),
            "username": info["username"], "password": info["password"],
            "bucket": info["buckets"][0], "ops": args.ops, "warmup": args.warmup,
            "multi_keys": args.multi_keys, "multi_rounds": args.multi_rounds,
            "repeat": args.repeat, "mock_pid": mock.pid,
            "ca": info.get("ca"),  # --tls: connstr is couchbases://, kv a TLS port
            "mem_buckets": args.mem_buckets, "mem_clusters": args.mem_clusters,
            "mem_docs": args.mem_docs,
        }
        ours_env = _our_env()
        # (report key, worker client, interpreter, environment): one after another
        plan: list[tuple[str, str, str, dict[str, str]]] = []
        if "ours" in args.clients:
            plan.append(("ours", "ours", sys.executable, ours_env))
        # PyPy's JIT is still compiling the client's path after 1,000 operations: its
        # workers warm up for --pypy-warmup operations instead
        pypy_cfg = dict(cfg, warmup=args.pypy_warmup)
        if pypy is not None:
            plan.append(("pypy", "ours", pypy, ours_env))
        if official is not None:
            plan.append(("official", "official", official, _official_sdk.clean_env()))
        if "raw" in args.clients:
            plan.append(("raw", "raw", sys.executable, ours_env))
            if pypy is not None:
                plan.append(("raw-pypy", "raw", pypy, ours_env))
        for key, client, python, env in plan:
            _progress(f"running {key}")
            report[key] = run_worker(python, client, pypy_cfg if python == pypy else cfg,
                                     env, args.timeout, worker_cpus)
        if "memory" in args.clients:
            # last: it loads mem_docs documents into the mock and holds idle connections
            _progress("measuring memory")
            report["memory"] = run_worker(sys.executable, "memory", cfg, ours_env,
                                          args.timeout, worker_cpus)
            if pypy is not None:
                report["memory-pypy"] = run_worker(pypy, "memory", dict(cfg, mem_docs=0),
                                                   ours_env, args.timeout, worker_cpus)
            if official is not None:
                report["memory-official"] = run_worker(
                    official, "official-memory", cfg, _official_sdk.clean_env(),
                    args.timeout, worker_cpus)
        if args.profile:
            _progress("running profile")
            report["profile"] = run_worker(sys.executable, "ours-profile", cfg, ours_env,
                                           args.timeout, worker_cpus)
    return report


def _version_of(python: str) -> str:
    """``"CPython 3.11.7"``, ``"PyPy 7.3.11 (Python 3.9.16)"``: what runs the mock."""
    code = ("import platform, sys; v = sys.implementation.version; "
            "print(platform.python_implementation(), "
            "f'{v.major}.{v.minor}.{v.micro}' if sys.implementation.name != 'cpython' "
            "else '', platform.python_version())")
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return python
    words = out.stdout.split()
    if len(words) == 3:
        return f"{words[0]} {words[1]} (Python {words[2]})"
    return " ".join(words) or python


def _progress(what: str) -> None:
    print(f"[kv.py] {what} ...", file=sys.stderr, flush=True)


# -- the report -----------------------------------------------------------------------

def _phase(report: dict[str, Any], client: str, phase: str) -> dict[str, Any]:
    worker = report.get(client) or {}
    if "error" in worker and not isinstance(worker.get(phase), dict):
        return {"error": worker["error"]}
    return worker.get(phase) or {"error": "not run"}


def _rates(p: dict[str, Any]) -> tuple[Optional[float], Optional[float], Optional[float]]:
    """ops/s (wall), client CPU µs/op, mock CPU µs/op; None where unknown."""
    if "error" in p or not p.get("ops"):
        return None, None, None
    ops = p["ops"]
    mock = p.get("mock_cpu_s")
    return (ops / p["wall_s"] if p["wall_s"] > 0 else None, p["cpu_s"] / ops * 1e6,
            None if mock is None else mock / ops * 1e6)


CLIENTS = ("ours", "pypy", "official", "raw", "memory")
# table columns: (label, report key of the timed worker, report key of its floors)
COLUMNS = (("CPython", "ours", "raw"), ("PyPy", "pypy", "raw-pypy"),
           ("official", "official", None))

ROWS = [
    ("get", "get ({ops})"),
    ("upsert", "upsert ({ops})"),
    ("get_multi", "get_multi {m} keys"),
    ("upsert_multi", "upsert_multi {m} keys"),
    # our 4.x Collection; the official column is the same official run as above
    ("get_4x", "4.x get ({ops})"),
    ("upsert_4x", "4.x upsert ({ops})"),
    ("get_multi_4x", "4.x get_multi {m} keys"),
]
FLOORS = [
    ("noop", "floor: NOOP 1 at a time"),
    ("pipelined_get", "floor: {m} GETQ+NOOP"),
    ("pipelined_set", "floor: {m} SETQ+NOOP"),
]
MEMORY = [  # (report key, phase, label, unit divisor)
    ("idle_bucket", "idle Bucket (4 KV conns)", 1),
    ("mock_docs", "local cluster, 1,000 docs", 1000),
]


def summarize(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per operation, floor and memory figure, every derived number (None: n/a)."""
    conf = report["config"]
    tls = " (TLS)" if conf.get("tls") else ""
    rows = []
    for phase, label in ROWS + FLOORS:
        is_floor = (phase, label) in FLOORS
        row: dict[str, Any] = {
            "operation": label.format(ops=conf["ops"], m=conf["multi_keys"])
            + (tls if is_floor else ""),
            "phase": phase, "kind": "floor" if is_floor else "client",
            "unit": "keys" if "multi" in phase or "pipelined" in phase else "ops",
        }
        for _, ours_key, floor_key in COLUMNS:
            key = floor_key if is_floor else ours_key
            src_phase = phase.replace("_4x", "") if ours_key == "official" else phase
            p = _phase(report, key, src_phase) if key else {"error": None}
            ops_s, cpu, mock = _rates(p)
            row[f"{ours_key}_ops_s"], row[f"{ours_key}_cpu_us"] = ops_s, cpu
            row[f"{ours_key}_mock_cpu_us"] = mock
            row[f"{ours_key}_error"] = p.get("error") if key else None
        row["ratio_ops_s"] = _ratio(row["ours_ops_s"], row["official_ops_s"])
        row["ratio_cpu"] = _ratio(row["ours_cpu_us"], row["official_cpu_us"])
        rows.append(row)
    for phase, label, per in MEMORY:
        row = {"operation": label, "phase": phase, "kind": "memory", "unit": "bytes"}
        for _, key, _ in COLUMNS:
            mem_key = {"ours": "memory", "pypy": "memory-pypy",
                       "official": "memory-official"}[key]
            m = (report.get(mem_key) or {}).get(phase) or {}
            for view in ("tracemalloc", "rss"):
                v = m.get(f"{view}_bytes")
                row[f"{key}_{view}_bytes"] = None if v is None else v * per
            row[f"{key}_error"] = (report.get(mem_key) or {}).get("error")
        rows.append(row)
    return rows


def _ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a is not None and b else None


def _num(x: Optional[float], fmt: str) -> str:
    return "-" if x is None else format(x, fmt)


def _kb(x: Optional[float]) -> str:
    return "-" if x is None else f"{x / 1024:,.1f}"


def render(report: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    conf = report["config"]
    cols = "".join(f"{label:>24}" for label, _, _ in COLUMNS)
    sub = "".join(f"{'ops/s':>10}{'CPU us/op':>14}" for _ in COLUMNS)
    head = f"{'':<30}{cols}{'server CPU us/op':>20}"
    head2 = f"{'operation':<30}{sub}{'(CPy/PyPy/off)':>20}"
    lines = [
        f"couchbase_mock 4 nodes, 1 replica; ~100-byte JSON docs; {conf['ops']} ops, "
        f"warm-up {conf['warmup']} (PyPy: {conf.get('pypy_warmup', conf['warmup'])}); "
        f"multi: {conf['multi_rounds']} x {conf['multi_keys']} keys; "
        f"{conf['cpus']} CPUs; mock on {conf['server_python']}",
        f"CPython {conf['python']}; PyPy: {conf.get('pypy') or 'not run'}; "
        f"CPU layout {conf['layout']}; median of {conf['repeat']} runs per row; "
        "multi and pipelined rows: keys/s and CPU us per key",
        "over TLS only: ours and official over couchbases:// with the CA (verified), "
        "floors on an ssl-wrapped socket" if conf.get("tls") else
        "plain TCP (couchbase://); --tls measures over TLS",
        "",
        head,
        head2,
        "-" * len(head2),
    ]
    for r in rows:
        if r["kind"] == "memory":
            continue
        cells = "".join(f"{_num(r[f'{k}_ops_s'], ',.0f'):>10}{_num(r[f'{k}_cpu_us'], '.1f'):>14}"
                        for _, k, _ in COLUMNS)
        mocks = "/".join(_num(r[f"{k}_mock_cpu_us"], ".0f") for _, k, _ in COLUMNS)
        lines.append(f"{r['operation']:<30}{cells}{mocks:>20}")
    lines.append("")
    sub = "".join(f"{'tracemalloc':>12}{'RSS':>12}" for _ in COLUMNS)
    lines.append(f"{'memory, KiB':<30}{sub}")
    lines.append("-" * len(head2))
    for r in rows:
        if r["kind"] == "memory":
            cells = "".join(f"{_kb(r[f'{k}_tracemalloc_bytes']):>12}{_kb(r[f'{k}_rss_bytes']):>12}"
                            for _, k, _ in COLUMNS)
            lines.append(f"{r['operation']:<30}{cells}")
    lines.append("")
    lines.extend(_floor_lines(rows))
    lines.extend(_notes(report, rows))
    return "\n".join(lines)


def _floor_lines(rows: list[dict[str, Any]]) -> list[str]:
    """Our CPU per op against the floor of the same interpreter, and the official's."""
    by = {r["phase"]: r for r in rows}
    out = []
    for phase, floor in (("get", "noop"), ("upsert", "noop"),
                         ("get_multi", "pipelined_get"), ("upsert_multi", "pipelined_set")):
        bits = []
        for label, key, _ in COLUMNS:
            base_key = "ours" if key == "official" else key  # official: the CPython floor
            ours, base = by[phase][f"{key}_cpu_us"], by[floor][f"{base_key}_cpu_us"]
            if ours is not None and base:
                bits.append(f"{label} {ours / base:.1f}x")
        if bits:
            out.append(f"{phase} CPU / {floor} floor: " + ", ".join(bits))
    # issue 18's multi target is in keys/s: a share of the pipelined floor's throughput
    for phase, floor in (("get_multi", "pipelined_get"), ("get_multi_4x", "pipelined_get"),
                         ("upsert_multi", "pipelined_set")):
        bits = []
        for label, key, _ in COLUMNS:
            base_key = "ours" if key == "official" else key
            ours = by.get(phase, {}).get(f"{key}_ops_s")
            base = by.get(floor, {}).get(f"{base_key}_ops_s")
            if ours is not None and base:
                bits.append(f"{label} {ours / base:.0%}")
        if bits:
            out.append(f"{phase} keys/s / {floor} floor keys/s: " + ", ".join(bits))
    ratio = by["get"]["ratio_cpu"], by["get_multi"]["ratio_cpu"]
    if ratio[0] is not None:
        out.append(f"ours (CPython) / official CPU per op: get {ratio[0]:.2f}x"
                   + (f", get_multi {ratio[1]:.2f}x" if ratio[1] is not None else ""))
    return out


def _notes(report: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    notes = []
    for client in ("ours", "pypy", "official", "raw"):
        note = (report.get(client) or {}).get("note")
        if note:
            notes.append(f"{client}: {note['error']}")
    for key in ("memory", "memory-pypy", "memory-official", "pypy"):
        err = (report.get(key) or {}).get("error")
        if err:
            notes.append(f"{key}: {err.splitlines()[0][:300]}")
    ran = report["config"].get("clients", CLIENTS)
    for r in rows:
        if r["kind"] == "memory":
            continue
        for _, key, floor_key in COLUMNS:
            err = r[f"{key}_error"]
            who = floor_key if r["kind"] == "floor" else key
            if err and who and who.split("-")[0] in ran and err != "not run":
                notes.append(f"{r['phase']} ({who}): {err.splitlines()[0][:300]}")
    return (["", "notes:"] + [f"  {n}" for n in notes]) if notes else []


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=20000,
                        help="single-document operations per measured phase (default 20000)")
    parser.add_argument("--multi-keys", type=int, default=1000,
                        help="keys per upsert_multi/get_multi call (default 1000)")
    parser.add_argument("--multi-rounds", type=int, default=10,
                        help="multi calls per measured phase (default 10)")
    parser.add_argument("--warmup", type=int, default=1000,
                        help="untimed operations before measuring (default 1000)")
    parser.add_argument("--pypy-warmup", type=int, default=20_000,
                        help="untimed operations before measuring in the PyPy workers, whose "
                        "JIT compiles the client's path meanwhile (default 20000)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="measured runs per row, the median is shown (default 5)")
    parser.add_argument("--cpus", choices=LAYOUTS, default="same",
                        help="same: mock and worker share one CPU (default, steadiest); "
                        "split: one CPU each; free: no pinning")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds each worker may take (default 600)")
    parser.add_argument("--clients", default=",".join(CLIENTS),
                        help="comma-separated workers to run (default: "
                        "ours,pypy,official,raw,memory; pypy runs ours and raw under PyPy)")
    parser.add_argument("--mem-buckets", type=int, default=20,
                        help="idle Buckets opened to measure memory per connection (20)")
    parser.add_argument("--mem-clusters", type=int, default=10,
                        help="idle official Clusters opened for the same (10)")
    parser.add_argument("--mem-docs", type=int, default=100_000,
                        help="documents loaded to measure the local cluster's memory (100000)")
    parser.add_argument("--server-python", default=sys.executable,
                        help="interpreter running the mock (default: this one); pypy3 means "
                        ".venv-pypy/bin/python (see scripts/test-pypy.sh)")
    parser.add_argument("--tls", action="store_true",
                        help="the mock serves TLS only (--tls --tls-only); every client goes "
                        "over it with the cluster CA (needs trustme: the mock-tls extra)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead")
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile our single get loop (top 25 by tottime)")
    args = parser.parse_args(argv)
    for name in ("ops", "multi_keys", "multi_rounds", "warmup", "pypy_warmup", "repeat",
                 "mem_buckets",
                 "mem_clusters", "mem_docs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    args.clients = [c for c in args.clients.split(",") if c]
    unknown = set(args.clients) - set(CLIENTS)
    if unknown or not args.clients:
        parser.error(f"--clients: choose from {', '.join(CLIENTS)}")
    return args


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the mock and a running worker are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        report = run_all(args)
    except RuntimeError as exc:  # the mock did not start
        print(f"kv.py: {exc}", file=sys.stderr)
        return 2
    rows = summarize(report)
    if args.json:
        print(json.dumps({"config": report["config"], "rows": rows, "raw": {
            k: v for k, v in report.items() if k != "config"}}, indent=2))
    else:
        print(render(report, rows))
        prof = report.get("profile")
        if prof:
            print()
            print(f"cProfile of our get loop ({prof.get('ops', '?')} gets), top 25 by tottime:")
            print(prof.get("profile") or prof.get("error"))
    # (memory rows have no ops/s; a run of other clients alone has no ours to fail)
    failed = "ours" in args.clients and all(r.get("ours_ops_s") is None for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
