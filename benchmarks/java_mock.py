"""Local cluster vs Couchbase's Java mock (CouchbaseMock), with the same client.

Issue 18's target: with the same client, ``couchbase_mock`` serves >= 2x the
operations of the Java mock. This starts each server in turn with the same
layout (4 nodes, 1 replica) and runs OUR sync client against it: the ``ours``
worker of ``kv.py`` (``_worker.py``), so phases, warm-up, repeats and medians
are exactly kv.py's. One table: ops/s, client CPU and server CPU per op for
get, upsert, get_multi and upsert_multi on each server, and the ratios.

The Java mock is a released jar (``com.couchbase.mock:CouchbaseMock``), never
committed: put it in ``.cache/java-mock/`` (the newest ``CouchbaseMock*.jar``
there is used) or pass ``--jar``. Without ``java`` or the jar the Java columns
read ``n/a`` with the reason, and our server's columns are still measured.

The Java mock is started with ``--port 0 --harakiri-monitor 127.0.0.1:P``: it
connects to our control port P, writes its REST port there (ASCII digits, NUL
terminated) and exits when we close that connection. Our client bootstraps
over its REST port (``couchbase://127.0.0.1:PORT=http``, HTTP config like a
2.x server), bucket ``default`` with an empty password. Usage::

    .venv/bin/python benchmarks/java_mock.py [--ops 20000] [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

import kv

JAR_DIR = kv.ROOT / ".cache" / "java-mock"
OPS = [("get", "get ({ops})"), ("upsert", "upsert ({ops})"),
       ("get_multi", "get_multi {m} keys"), ("upsert_multi", "upsert_multi {m} keys")]
SERVERS = (("couchbase_mock", "ours"), ("CouchbaseMock (Java)", "java"))


def find_jar(explicit: Optional[str]) -> Optional[Path]:
    """The jar to run: ``--jar``, else the newest CouchbaseMock*.jar in .cache/java-mock."""
    if explicit:
        return Path(explicit)
    jars = sorted(JAR_DIR.glob("CouchbaseMock*.jar"), key=lambda p: p.stat().st_mtime)
    return jars[-1] if jars else None


class JavaMock(kv.ServerProcess):
    """A ``java -jar CouchbaseMock.jar`` process on an ephemeral REST port, stopped
    (control connection closed, then SIGTERM/SIGKILL) on exit whatever happens."""

    def __init__(self, java: str, jar: Path, nodes: int = 4, replicas: int = 1,
                 timeout: float = 60, cpus: Optional[set[int]] = None) -> None:
        self.stderr = tempfile.TemporaryFile()
        self.control: Optional[socket.socket] = None
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(timeout)
        self.proc = subprocess.Popen(
            [java, "-jar", str(jar), "--port", "0", "--nodes", str(nodes),
             "--replicas", str(replicas),
             "--harakiri-monitor", f"127.0.0.1:{listener.getsockname()[1]}"],
            stdout=subprocess.DEVNULL, stderr=self.stderr, stdin=subprocess.DEVNULL,
            preexec_fn=kv._pin(cpus))
        try:
            self.rest_port = self._handshake(listener, timeout)
        except BaseException:
            self.stop()
            raise
        finally:
            listener.close()

    def _handshake(self, listener: socket.socket, timeout: float) -> int:
        try:
            self.control, _ = listener.accept()
        except socket.timeout:
            raise RuntimeError(f"Java mock did not connect back in {timeout:.0f}s"
                               f"{self._stderr_tail()}") from None
        self.control.settimeout(timeout)
        buf = b""
        deadline = time.monotonic() + timeout
        while b"\0" not in buf and time.monotonic() < deadline:
            chunk = self.control.recv(64)
            if not chunk:
                break
            buf += chunk
        port = buf.split(b"\0", 1)[0].strip()
        if not port.isdigit():
            raise RuntimeError(f"Java mock sent no REST port ({buf!r}){self._stderr_tail()}")
        return int(port)

    def stop(self) -> None:
        if self.control is not None:
            self.control.close()  # harakiri: the mock exits when this closes
            self.control = None
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
        self.stderr.close()

    def __enter__(self) -> JavaMock:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _base_cfg(args: argparse.Namespace) -> dict[str, Any]:
    return {"ops": args.ops, "warmup": args.warmup, "multi_keys": args.multi_keys,
            "multi_rounds": args.multi_rounds, "repeat": args.repeat}


def _run_ours_worker(cfg: dict[str, Any], args: argparse.Namespace,
                     cpus: Optional[set[int]]) -> dict[str, Any]:
    return kv.run_worker(sys.executable, "ours", cfg, kv._our_env(), args.timeout, cpus)


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    layout, server_cpus, worker_cpus = kv.cpu_layout(args.cpus)
    report: dict[str, Any] = {"config": dict(_base_cfg(args), nodes=4, replicas=1,
                                             layout=layout, python=sys.version.split()[0])}
    kv._progress("running ours against couchbase_mock")
    with kv.Mock(nodes=4, replicas=1, cpus=server_cpus) as mock:
        info = mock.info
        cfg = dict(_base_cfg(args), connstr=info["connstr"], kv=list(mock.kv_address()),
                   username=info["username"], password=info["password"],
                   bucket=info["buckets"][0], mock_pid=mock.pid)
        report["ours"] = _run_ours_worker(cfg, args, worker_cpus)
    java = shutil.which(args.java)
    jar = find_jar(args.jar)
    if java is None:
        report["java"] = {"error": f"skipped: no `{args.java}` on the PATH"}
    elif jar is None or not jar.exists():
        report["java"] = {"error": f"skipped: no CouchbaseMock jar ({jar or JAR_DIR}/"
                                   "CouchbaseMock*.jar: `mvn dependency:copy -Dartifact="
                                   "com.couchbase.mock:CouchbaseMock:1.5.27 "
                                   "-DoutputDirectory=.cache/java-mock`)"}
    else:
        report["config"]["jar"] = jar.name
        kv._progress(f"running ours against {jar.name}")
        try:
            with JavaMock(java, jar, cpus=server_cpus) as jm:
                cfg = dict(_base_cfg(args),
                           connstr=f"couchbase://127.0.0.1:{jm.rest_port}=http",
                           kv=None, username="default", password="", bucket="default",
                           mock_pid=jm.pid)
                report["java"] = _run_ours_worker(cfg, args, worker_cpus)
        except (OSError, RuntimeError) as exc:
            report["java"] = {"error": f"Java mock did not start: {exc}"}
    return report


def summarize(report: dict[str, Any]) -> list[dict[str, Any]]:
    conf = report["config"]
    rows = []
    for phase, label in OPS:
        row: dict[str, Any] = {"operation": label.format(ops=conf["ops"],
                                                          m=conf["multi_keys"]),
                               "phase": phase}
        for _, key in SERVERS:
            p = kv._phase(report, key, phase)
            row[f"{key}_ops_s"], row[f"{key}_cpu_us"], row[f"{key}_server_cpu_us"] = \
                kv._rates(p)
            row[f"{key}_error"] = p.get("error")
        row["ratio_ops_s"] = kv._ratio(row["ours_ops_s"], row["java_ops_s"])
        row["ratio_server_cpu"] = kv._ratio(row["java_server_cpu_us"],
                                            row["ours_server_cpu_us"])
        rows.append(row)
    return rows


def render(report: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    conf = report["config"]
    out = [f"Same client (ours, sync Bucket, CPython {conf['python']}) against each "
           f"server: 4 nodes, 1 replica; {conf['layout']}; median of {conf['repeat']}.",
           f"Java mock: {conf.get('jar', 'n/a')}. CPU in us per op (multi rows: per key);"
           " server CPU from /proc/<pid>/stat (10 ms ticks).", ""]
    head = ["operation", "cb_mock ops/s", "client CPU", "server CPU",
            "Java ops/s", "client CPU", "server CPU", "ops/s ratio", "srv CPU ratio"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|")
    for r in rows:
        cells = [r["operation"]]
        for _, key in SERVERS:
            cells += [kv._num(r[f"{key}_ops_s"], ",.0f"), kv._num(r[f"{key}_cpu_us"], ".1f"),
                      kv._num(r[f"{key}_server_cpu_us"], ".1f")]
        cells += [kv._num(r["ratio_ops_s"], ".2f") + ("x" if r["ratio_ops_s"] else ""),
                  kv._num(r["ratio_server_cpu"], ".2f") + ("x" if r["ratio_server_cpu"] else "")]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    out.append("ops/s ratio: couchbase_mock / Java mock (target >= 2x). srv CPU ratio: "
               "Java mock's server CPU per op / couchbase_mock's (above 1: ours uses less).")
    notes = []
    for label, key in SERVERS:
        err = (report.get(key) or {}).get("error")
        if err:
            notes.append(f"- {label}: {err}")
        for phase, _ in OPS:
            perr = ((report.get(key) or {}).get(phase) or {}).get("error")
            if perr and not err:
                notes.append(f"- {label} {phase}: {perr}")
    if notes:
        out += ["", "notes:", *notes]
    return "\n".join(out)


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=20000, help="single ops per phase")
    parser.add_argument("--multi-keys", type=int, default=1000, help="keys per multi call")
    parser.add_argument("--multi-rounds", type=int, default=10, help="multi calls per phase")
    parser.add_argument("--warmup", type=int, default=1000, help="warm-up ops per phase")
    parser.add_argument("--repeat", type=int, default=5, help="runs per phase (median)")
    parser.add_argument("--cpus", choices=kv.LAYOUTS, default="same",
                        help="pinning of server and worker, as in kv.py")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per worker")
    parser.add_argument("--java", default="java", help="the java command")
    parser.add_argument("--jar", help="CouchbaseMock jar (default: newest in .cache/java-mock)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead")
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    report = run_all(args)
    rows = summarize(report)
    if args.json:
        print(json.dumps({"config": report["config"], "rows": rows}, indent=1))
    else:
        print(render(report, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
