"""Measure the local cluster's memory under the network-edge abuses of issue 10.

Starts ``python -m couchbase_mock --nodes 1`` and reports the server process's
resident memory (``VmRSS``) and peak (``VmHWM``, reset before each case)
from ``/proc`` (Linux only):

- ``pipeline``: one authenticated KV connection sends 200,000 GETs of a 1 KiB
  document and reads nothing for ``--hold`` seconds, then reads every answer;
- ``preauth``: 10 connections each send the header of a 49 MB packet and
  49 MB of its body before authenticating;
- ``http``: 3 requests per port (management, query) with ``Content-Length``
  400 MB and no credentials, each sending up to 400 MB;
- ``http-auth``: 3 authenticated 60 MB bodies per port that the service
  refuses (bad form, bad JSON), and the memory left after each answer.

Usage::

    .venv/bin/python scripts/measure_mock_limits.py [--hold 5] [--cases pipeline,http-auth]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests" / "mock")]

from mock_kvclient import KV  # noqa: E402

from couchbase._core.opcode import Magic, Opcode  # noqa: E402
from couchbase._core.packet import encode_packet  # noqa: E402
from couchbase._core.vbucket import vbucket_for_key  # noqa: E402

MB = 1024 * 1024


def _status(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def _reset_peak(pid: int) -> None:
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


class Server:
    def __init__(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "couchbase_mock", "--nodes", "1", "--replicas", "0"],
            stdout=subprocess.PIPE, text=True, env=env,
        )
        assert self.proc.stdout is not None
        info = json.loads(self.proc.stdout.readline())
        self.kv_port = int(info["connstr"].rsplit(":", 1)[1])
        self.mgmt_port = int(info["mgmt"].rsplit(":", 1)[1])
        # ports: mgmt = base, kv, views, query follow in start order; ask REST instead
        self.query_port = self._query_port()

    def _query_port(self) -> int:
        import base64
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.mgmt_port, timeout=10)
        token = base64.b64encode(b"Administrator:password").decode()
        conn.request("GET", "/pools/default", headers={"Authorization": "Basic " + token})
        doc = json.loads(conn.getresponse().read())
        conn.close()
        return int(doc["nodesExt"][0]["services"]["n1ql"])

    def rss(self) -> int:
        return _status(self.proc.pid, "VmRSS")

    def peak(self) -> int:
        return _status(self.proc.pid, "VmHWM")

    def reset_peak(self) -> None:
        _reset_peak(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _report(name: str, server: Server, before: int, note: str = "") -> None:
    print(f"{name:10s} RSS before {before / MB:7.1f} MB, peak {server.peak() / MB:7.1f} MB, "
          f"now {server.rss() / MB:7.1f} MB {note}", flush=True)


def pipeline(server: Server, hold: float, count: int = 200_000, doc_size: int = 8192) -> None:
    kv = KV(server.kv_port, timeout=60)
    kv.hello()
    kv.auth("Administrator", "password")
    kv.select("default")
    kv.set(b"doc", b"x" * doc_size)
    vb = vbucket_for_key(b"doc", 1024)
    one = encode_packet(Magic.REQUEST, Opcode.GET, b"doc", b"", b"", b"", 0, vb, 7, 0)
    payload = one * count
    server.reset_peak()
    before = server.rss()
    sender = threading.Thread(target=kv.sock.sendall, args=(payload,), daemon=True)
    sender.start()
    time.sleep(hold)  # a script, not a test: give the server all the time it takes
    note = "(sender blocked)" if sender.is_alive() else "(all requests sent)"
    _report("pipeline", server, before, note)
    got = 0
    while got < count:
        kv.recv()
        got += 1
    sender.join()
    kv.close()
    print(f"           all {count} answers read", flush=True)


def preauth(server: Server, hold: float, conns: int = 10, size: int = 49 * MB) -> None:
    server.reset_peak()
    before = server.rss()
    header = struct.pack(">BBHBBHIIQ", Magic.REQUEST, Opcode.SET, 0, 0, 0, 0, size, 1, 0)
    socks = [socket.create_connection(("127.0.0.1", server.kv_port)) for _ in range(conns)]
    outcome: list[str] = []

    def send(sock: socket.socket) -> None:
        try:
            sock.sendall(header + b"\0" * (size - 1))
            outcome.append("sent")
        except OSError as exc:
            outcome.append(type(exc).__name__)

    threads = [threading.Thread(target=send, args=(s,), daemon=True) for s in socks]
    for t in threads:
        t.start()
    time.sleep(hold)
    _report("preauth", server, before, f"{sorted(set(outcome)) or ['blocked']}")
    for s in socks:
        s.close()


def http_unauth(server: Server, hold: float, size: int = 400 * MB, each: int = 3) -> None:
    for label, port in (("mgmt", server.mgmt_port), ("query", server.query_port)):
        server.reset_peak()
        before = server.rss()
        answers = []
        for _ in range(each):
            sock = socket.create_connection(("127.0.0.1", port), timeout=hold)
            head = (f"POST /query/service HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n"
                    "Content-Type: application/json\r\n\r\n").encode()
            sock.sendall(head)
            chunk = b"x" * MB
            sent = 0
            try:
                while sent < size:
                    sock.sendall(chunk)
                    sent += len(chunk)
            except OSError:
                pass
            try:
                answers.append(sock.recv(200).split(b"\r\n", 1)[0].decode() +
                               f" after {sent // MB} MB sent")
            except OSError as exc:
                answers.append(f"{type(exc).__name__} after {sent // MB} MB sent")
            sock.close()
        _report(f"http-{label}", server, before, f"{answers}")


def http_auth(server: Server, hold: float, size: int = 60 * MB, each: int = 3) -> None:
    """Authenticated bodies under the limit that the service refuses: is the
    memory given back once answered?"""
    import base64

    token = base64.b64encode(b"Administrator:password").decode()
    for label, port, path in (("mgmt", server.mgmt_port, "/pools/default/buckets"),
                              ("query", server.query_port, "/query/service")):
        server.reset_peak()
        before = server.rss()
        after = []
        for _ in range(each):
            sock = socket.create_connection(("127.0.0.1", port), timeout=60)
            head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n"
                    f"Authorization: Basic {token}\r\nConnection: close\r\n"
                    "Content-Type: application/json\r\n\r\n").encode()
            sock.sendall(head + b"{" * size)
            status = sock.recv(200).split(b"\r\n", 1)[0].decode()
            sock.close()
            time.sleep(0.5)  # the server frees the body after answering: measure after
            after.append(f"{status}: now {server.rss() / MB:.0f} MB")
        _report(f"auth-{label}", server, before, f"{after}")


CASES: dict[str, Callable[[Server, float], None]] = {
    "pipeline": pipeline, "preauth": preauth, "http": http_unauth, "http-auth": http_auth,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hold", type=float, default=5.0,
                        help="seconds the clients wait before reading (default 5)")
    parser.add_argument("--cases", default=",".join(CASES))
    args = parser.parse_args()
    for name in args.cases.split(","):
        server = Server()
        try:
            time.sleep(0.5)  # let start-up garbage settle
            CASES[name](server, args.hold)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
