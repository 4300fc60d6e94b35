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


class Mock:
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

    def _stderr_tail(self) -> str:
        self.stderr.seek(0)
        tail = self.stderr.read()[-2000:].decode("utf-8", "replace").strip()
        return f":\n{tail}" if tail else ""

    @property
    def pid(self) -> int:
        return self.proc.pid

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


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    layout, mock_cpus, worker_cpus = cpu_layout(args.cpus)
    mock_python = server_python(args.server_python)
    report: dict[str, Any] = {
        "config": {"ops": args.ops, "warmup": args.warmup, "multi_keys": args.multi_keys,
                   "multi_rounds": args.multi_rounds, "repeat": args.repeat, "nodes": 4,
                   "replicas": 1, "python": sys.version.split()[0], "cpus": os.cpu_count(),
                   "layout": layout, "server_python": _version_of(mock_python),
                   "clients": list(args.clients), "tls": args.tls},
    }
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
        }
        ours_env = _our_env()
        if "ours" in args.clients:
            _progress("running ours")
            report["ours"] = run_worker(sys.executable, "ours", cfg, ours_env, args.timeout,
                                        worker_cpus)
        if official is not None:
            _progress("running official")
            report["official"] = run_worker(official, "official", cfg,
                                            _official_sdk.clean_env(), args.timeout,
                                            worker_cpus)
        if "raw" in args.clients:
            _progress("running raw")
            report["raw"] = run_worker(sys.executable, "raw", cfg, ours_env, args.timeout,
                                       worker_cpus)
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


CLIENTS = ("ours", "official", "raw")

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


def summarize(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per operation with every derived number (None: n/a)."""
    conf = report["config"]
    rows = []
    for phase, label in ROWS:
        ours = _rates(_phase(report, "ours", phase))
        off = _rates(_phase(report, "official", phase.replace("_4x", "")))
        rows.append({
            "operation": label.format(ops=conf["ops"], m=conf["multi_keys"]),
            "phase": phase,
            "unit": "keys" if "multi" in phase else "ops",
            "ours_ops_s": ours[0], "ours_cpu_us": ours[1], "ours_mock_cpu_us": ours[2],
            "official_ops_s": off[0], "official_cpu_us": off[1],
            "official_mock_cpu_us": off[2],
            "ratio_ops_s": _ratio(ours[0], off[0]), "ratio_cpu": _ratio(ours[1], off[1]),
            "ours_error": _phase(report, "ours", phase).get("error"),
            "official_error": _phase(report, "official", phase.replace("_4x", "")).get("error"),
        })
    raw = _rates(_phase(report, "raw", "noop"))
    rows.append({
        "operation": "raw NOOP floor" + (" (TLS)" if conf.get("tls") else ""),
        "phase": "noop", "unit": "ops",
        "ours_ops_s": raw[0], "ours_cpu_us": raw[1], "ours_mock_cpu_us": raw[2],
        "official_ops_s": None, "official_cpu_us": None, "official_mock_cpu_us": None,
        "ratio_ops_s": None, "ratio_cpu": None,
        "ours_error": _phase(report, "raw", "noop").get("error"), "official_error": None,
    })
    return rows


def _ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a / b if a is not None and b else None


def _num(x: Optional[float], fmt: str) -> str:
    return "n/a" if x is None else format(x, fmt)


def _times(x: Optional[float]) -> str:
    return "n/a" if x is None else f"{x:.2f}x"


def render(report: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    conf = report["config"]
    head = (f"{'operation':<24}{'ours ops/s':>12}{'ours CPU us/op':>16}"
            f"{'official ops/s':>16}{'official CPU us/op':>20}"
            f"{'ours/off ops/s':>16}{'ours/off CPU':>14}")
    lines = [
        f"couchbase_mock 4 nodes, 1 replica; ~100-byte JSON docs; {conf['ops']} ops, "
        f"warm-up {conf['warmup']}; multi: {conf['multi_rounds']} x {conf['multi_keys']} keys; "
        f"Python {conf['python']}, {conf['cpus']} CPUs; mock on {conf['server_python']}",
        f"CPU layout {conf['layout']}; median of {conf['repeat']} runs per row; "
        "multi rows: keys/s and CPU us per key",
        "over TLS only: ours and official over couchbases:// with the CA (verified), "
        "raw floor on an ssl-wrapped socket" if conf.get("tls") else
        "plain TCP (couchbase://); --tls measures over TLS",
        "",
        head,
        "-" * len(head),
    ]
    for r in rows:
        is_raw = r["phase"] == "noop"
        lines.append(
            f"{r['operation']:<24}{_num(r['ours_ops_s'], ',.0f'):>12}"
            f"{_num(r['ours_cpu_us'], '.1f'):>16}"
            f"{'-' if is_raw else _num(r['official_ops_s'], ',.0f'):>16}"
            f"{'-' if is_raw else _num(r['official_cpu_us'], '.1f'):>20}"
            f"{'-' if is_raw else _times(r['ratio_ops_s']):>16}"
            f"{'-' if is_raw else _times(r['ratio_cpu']):>14}"
        )
    lines.append("")
    floor = rows[-1]["ours_cpu_us"]
    for r in rows[:2]:
        ours, off = r["ours_cpu_us"], r["official_cpu_us"]
        if floor and ours is not None:
            text = (f"{r['phase']}: ours {ours:.1f} us/op = {ours / floor:.1f}x the raw NOOP "
                    f"floor ({floor:.1f} us/op), {ours - floor:.1f} us/op above it")
            if off is not None:
                text += f"; official {off:.1f} us/op = {off / floor:.1f}x"
            lines.append(text)
    mock_bits = []
    for r in rows:
        if r["ours_mock_cpu_us"] is not None:
            bit = f"{r['phase']} {r['ours_mock_cpu_us']:.0f}"
            if r["official_mock_cpu_us"] is not None:
                bit += f"/{r['official_mock_cpu_us']:.0f}"
            mock_bits.append(bit)
    if mock_bits:
        lines.append("mock server CPU us/op (ours/official): " + ", ".join(mock_bits))
    notes = []
    for client in ("ours", "official", "raw"):
        note = (report.get(client) or {}).get("note")
        if note:
            notes.append(f"{client}: {note['error']}")
    ran = conf.get("clients", CLIENTS)
    for r in rows:
        for who in ("ours", "official"):
            err = r[f"{who}_error"]
            if err and (who if r["phase"] != "noop" else "raw") in ran:
                notes.append(f"{r['phase']} ({'raw' if r['phase'] == 'noop' else who}): "
                             f"{err.splitlines()[0][:300]}")
    if notes:
        lines.append("")
        lines.append("notes:")
        lines.extend(f"  {n}" for n in notes)
    return "\n".join(lines)


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
    parser.add_argument("--repeat", type=int, default=5,
                        help="measured runs per row, the median is shown (default 5)")
    parser.add_argument("--cpus", choices=LAYOUTS, default="same",
                        help="same: mock and worker share one CPU (default, steadiest); "
                        "split: one CPU each; free: no pinning")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds each worker may take (default 600)")
    parser.add_argument("--clients", default=",".join(CLIENTS),
                        help="comma-separated workers to run (default: ours,official,raw)")
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
    for name in ("ops", "multi_keys", "multi_rounds", "warmup", "repeat"):
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
            k: report[k] for k in ("ours", "official", "raw", "profile") if k in report}},
            indent=2))
    else:
        print(render(report, rows))
        prof = report.get("profile")
        if prof:
            print()
            print(f"cProfile of our get loop ({prof.get('ops', '?')} gets), top 25 by tottime:")
            print(prof.get("profile") or prof.get("error"))
    failed = all(r["ours_ops_s"] is None for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
