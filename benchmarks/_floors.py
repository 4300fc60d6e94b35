"""The floors: what a Python process spends on KV traffic with nothing else around.

Used by ``_worker.py``'s ``raw`` client (under CPython, and under PyPy for the
PyPy column). Only the standard library at module level; our packet codec is
imported by the functions that need it, from ``src/`` on the path.

- single-request floor: NOOPs one at a time (encode one packet, one send, one
  recv, decode one packet);
- pipelined floors: on one socket, ``n`` quiet GETs (GETQ, 0x09) or quiet SETs
  (SETQ, 0x11) written at once followed by a NOOP, then reading until the NOOP's
  answer: per key, one packet encoded and (GETQ: one hit) decoded, the syscalls
  shared by the batch. That is the least a multi-get / multi-upsert of ``n``
  keys can cost per key in Python with our codec. Values are sent and received
  as bytes: JSON encoding/decoding of documents is not in the floor.

Keys are chosen so that the node this socket talks to is their vbucket's active
node (from the bucket's cluster map, GET_CLUSTER_CONFIG), as a smart client's
would be.
"""

from __future__ import annotations

import json
import socket
import ssl
import zlib
from typing import Any, Callable

NOOP = 0x0A
GETQ = 0x09
SETQ = 0x11
SASL_AUTH = 0x21
SELECT_BUCKET = 0x89
GET_CLUSTER_CONFIG = 0xB5
JSON_FLAGS = b"\x02\x00\x00\x06\x00\x00\x00\x00"  # SET extras: common flags (JSON), no expiry


class KVSocket:
    """One authenticated KV connection with bucket selected: a plain or TLS socket."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        from couchbase._core.packet import PacketReader
        from couchbase._core.scram import plain_payload

        host, port = cfg["kv"]
        self.port = port
        sock = socket.create_connection((host, port), timeout=10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if cfg.get("ca"):
            sock = ssl.create_default_context(cafile=cfg["ca"]).wrap_socket(
                sock, server_hostname=host)
        self.sock = sock
        self.reader = PacketReader()
        # A real session, as a client would have (NOOP itself needs no authentication).
        pkt = self.call(SASL_AUTH, b"PLAIN", plain_payload(cfg["username"], cfg["password"]))
        _check(pkt.status == 0, f"SASL PLAIN failed: status 0x{pkt.status:02x}")
        pkt = self.call(SELECT_BUCKET, cfg["bucket"].encode())
        _check(pkt.status == 0, f"SELECT_BUCKET failed: status 0x{pkt.status:02x}")

    def call(self, opcode: int, key: bytes = b"", value: bytes = b"") -> Any:
        from couchbase._core.packet import encode_packet

        self.sock.sendall(encode_packet(0x80, opcode, key, value, opaque=1))
        return self.read_one()

    def read_one(self) -> Any:
        pkts = self.reader.feed(self.sock.recv(65536))
        while not pkts:
            pkts = self.reader.feed(self.sock.recv(65536))
        return pkts[0]

    def close(self) -> None:
        self.sock.close()


def noop_loop(kv: KVSocket) -> Callable[[int, int], None]:
    """``run(start, n)``: n NOOPs one at a time, opaques start..start+n-1."""
    from couchbase._core.packet import encode_packet

    recv, feed, sendall = kv.sock.recv, kv.reader.feed, kv.sock.sendall

    def run(start: int, n: int) -> None:
        last = None
        for opaque in range(start, start + n):
            sendall(encode_packet(0x80, NOOP, opaque=opaque))
            pkts = feed(recv(65536))
            while not pkts:
                pkts = feed(recv(65536))
            last = pkts[0]
        _check(last is not None and last.opaque == start + n - 1 and last.status == 0,
               "NOOP answered out of order")

    return run


def local_keys(kv: KVSocket, prefix: str, n: int) -> list[tuple[bytes, int]]:
    """``n`` (key, vbucket) pairs whose active copy lives on ``kv``'s node."""
    pkt = kv.call(GET_CLUSTER_CONFIG)
    _check(pkt.status == 0, f"GET_CLUSTER_CONFIG failed: status 0x{pkt.status:02x}")
    vbmap = json.loads(pkt.value)["vBucketServerMap"]
    ports = [int(s.rpartition(":")[2]) for s in vbmap["serverList"]]
    # Over TLS the server list names plain ports; the socket is then connstr's first node.
    me = ports.index(kv.port) if kv.port in ports else 0
    table = vbmap["vBucketMap"]
    out: list[tuple[bytes, int]] = []
    i = 0
    while len(out) < n:
        key = f"{prefix}{i:07d}".encode()
        vb = ((zlib.crc32(key) >> 16) & 0x7FFF) % len(table)
        if table[vb][0] == me:
            out.append((key, vb))
        i += 1
    return out


def pipelined(kv: KVSocket, opcode: int, keys: list[tuple[bytes, int]], value: bytes,
              expect: int) -> Callable[[], None]:
    """One batch: every key's quiet request and a NOOP in one write, then read to the NOOP.

    ``expect`` answers must come before the NOOP's (GETQ: one per hit; SETQ: none,
    quiet mutations answer only on failure).
    """
    from couchbase._core.packet import encode_packet

    sock, feed = kv.sock, kv.reader.feed
    extras = JSON_FLAGS if opcode == SETQ else b""
    noop_opaque = len(keys) + 1

    def batch() -> None:
        # the fast path of a multi-get: encode every request, one write, read answers
        out = [encode_packet(0x80, opcode, key, value, extras, vbucket_or_status=vb,
                             opaque=i)
               for i, (key, vb) in enumerate(keys, 1)]
        out.append(encode_packet(0x80, NOOP, opaque=noop_opaque))
        sock.sendall(b"".join(out))
        got = 0
        while True:
            for pkt in feed(sock.recv(65536)):
                if pkt.opaque == noop_opaque:
                    _check(got == expect, f"{got} answers before the NOOP, expected {expect}")
                    return
                _check(pkt.status == 0, f"status 0x{pkt.status:02x} for opaque {pkt.opaque}")
                got += 1

    return batch


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise AssertionError(what)
