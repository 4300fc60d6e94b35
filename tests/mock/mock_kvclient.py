"""A tiny blocking KV client over raw sockets and the shared codec, for mock tests."""

from __future__ import annotations

import itertools
import json
import socket
import struct
import time
from typing import Any, Optional

from couchbase._core.feature import Feature, decode_features, encode_features
from couchbase._core.leb128 import prefix_key
from couchbase._core.opcode import Magic, Opcode
from couchbase._core.packet import Packet, PacketReader, encode_packet
from couchbase._core.scram import ScramClient, plain_payload
from couchbase._core.status import Status
from couchbase._core.vbucket import vbucket_for_key

DEFAULT_FEATURES = (
    Feature.TCPNODELAY,
    Feature.XERROR,
    Feature.SELECT_BUCKET,
    Feature.JSON,
    Feature.ALT_REQUEST_SUPPORT,
    Feature.MUTATION_SEQNO,
)


class KV:
    """One connection to one node's KV port."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 5.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.reader = PacketReader()
        self.pending: list[Packet] = []
        self._opaque = itertools.count(1)
        self.features: list[int] = []
        self.collections = False

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> KV:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- raw I/O ----------------------------------------------------------

    def send(self, opcode: int, key: bytes = b"", value: bytes = b"", extras: bytes = b"",
             vbucket: int = 0, cas: int = 0, datatype: int = 0, framing: bytes = b"",
             opaque: Optional[int] = None) -> int:
        opaque = next(self._opaque) if opaque is None else opaque
        self.sock.sendall(encode_packet(Magic.REQUEST, opcode, key, value, extras, framing,
                                        datatype, vbucket, opaque, cas))
        return opaque

    def recv(self) -> Packet:
        while not self.pending:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("server closed the connection")
            self.pending.extend(self.reader.feed(data))
        return self.pending.pop(0)

    def request(self, opcode: int, key: bytes = b"", value: bytes = b"", extras: bytes = b"",
                vbucket: int = 0, cas: int = 0, datatype: int = 0,
                framing: bytes = b"") -> Packet:
        opaque = self.send(opcode, key, value, extras, vbucket, cas, datatype, framing)
        resp = self.recv()
        assert resp.opaque == opaque, (resp, opaque)
        return resp

    # -- documents ----------------------------------------------------------

    def wire_key(self, key: bytes, cid: int = 0) -> bytes:
        return prefix_key(cid, key) if self.collections else key

    def doc(self, opcode: int, key: bytes, value: bytes = b"", extras: bytes = b"",
            cas: int = 0, datatype: int = 0, framing: bytes = b"", cid: int = 0,
            vbucket: Optional[int] = None) -> Packet:
        vb = vbucket_for_key(key, 1024) if vbucket is None else vbucket
        return self.request(opcode, self.wire_key(key, cid), value, extras, vb, cas, datatype,
                            framing)

    def set(self, key: bytes, value: bytes, flags: int = 0, exptime: int = 0, cas: int = 0,
            opcode: int = Opcode.SET, **kw: Any) -> Packet:
        return self.doc(opcode, key, value, struct.pack(">II", flags, exptime), cas=cas, **kw)

    def get(self, key: bytes, **kw: Any) -> Packet:
        return self.doc(Opcode.GET, key, **kw)

    def counter(self, key: bytes, delta: int, initial: int = 0, exptime: int = 0,
                incr: bool = True) -> Packet:
        op = Opcode.INCREMENT if incr else Opcode.DECREMENT
        return self.doc(op, key, extras=struct.pack(">QQI", delta, initial, exptime))

    # -- bootstrap ----------------------------------------------------------

    def hello(self, *features: int, agent: bytes = b'{"a":"mock-tests"}') -> list[int]:
        resp = self.request(Opcode.HELLO, agent, encode_features(features))
        assert resp.status == Status.SUCCESS
        self.features = decode_features(resp.value)
        self.collections = Feature.COLLECTIONS in self.features
        return self.features

    def auth(self, user: str, password: str, mechanism: str = "SCRAM-SHA512") -> int:
        if mechanism == "PLAIN":
            resp = self.request(Opcode.SASL_AUTH, b"PLAIN", plain_payload(user, password))
            return resp.status
        client = ScramClient(mechanism, user, password)
        resp = self.request(Opcode.SASL_AUTH, mechanism.encode(), client.client_first())
        if resp.status != Status.AUTH_CONTINUE:
            return resp.status
        resp = self.request(Opcode.SASL_STEP, mechanism.encode(),
                            client.client_final(resp.value))
        if resp.status == Status.SUCCESS:
            client.verify_server_final(resp.value)
        return resp.status

    def select(self, bucket: str) -> int:
        return self.request(Opcode.SELECT_BUCKET, bucket.encode()).status

    def config(self) -> dict[str, Any]:
        resp = self.request(Opcode.GET_CLUSTER_CONFIG)
        assert resp.status == Status.SUCCESS, resp
        return json.loads(resp.value)


def connect(mock: Any, node: int = 0, bucket: Optional[str] = "default",
            features: tuple[int, ...] = DEFAULT_FEATURES, user: Optional[str] = None,
            password: Optional[str] = None) -> KV:
    """A connection to ``node``, HELLO'd, authenticated and with ``bucket`` selected."""
    kv = KV(mock.nodes[node].kv_port, mock.host)
    kv.hello(*features)
    status = kv.auth(user or mock.username, password if password is not None else mock.password)
    assert status == Status.SUCCESS, hex(status)
    if bucket is not None:
        assert kv.select(bucket) == Status.SUCCESS
    return kv


def key_with_active(mock: Any, node: int, prefix: str, bucket: str = "default") -> bytes:
    """A fresh key whose vbucket is active on ``node``."""
    for i in itertools.count():
        key = f"{prefix}-{time.monotonic_ns()}-{i}"
        if mock.locate(bucket, key)[1] == node:
            return key.encode()
    raise AssertionError("unreachable")


class ClusterKV:
    """Connections to every node; document commands go to the key's active node."""

    def __init__(self, mock: Any, bucket: str = "default",
                 features: tuple[int, ...] = DEFAULT_FEATURES) -> None:
        self.conns = [connect(mock, i, bucket, features) for i in range(len(mock.nodes))]
        cfg = self.conns[0].config()
        self.vbmap = cfg["vBucketServerMap"]["vBucketMap"]

    def for_key(self, key: bytes) -> KV:
        return self.conns[self.vbmap[vbucket_for_key(key, len(self.vbmap))][0]]

    def doc(self, opcode: int, key: bytes, *args: Any, **kw: Any) -> Packet:
        return self.for_key(key).doc(opcode, key, *args, **kw)

    def set(self, key: bytes, *args: Any, **kw: Any) -> Packet:
        return self.for_key(key).set(key, *args, **kw)

    def get(self, key: bytes, **kw: Any) -> Packet:
        return self.for_key(key).get(key, **kw)

    def counter(self, key: bytes, *args: Any, **kw: Any) -> Packet:
        return self.for_key(key).counter(key, *args, **kw)

    def close(self) -> None:
        for conn in self.conns:
            conn.close()

    def __enter__(self) -> ClusterKV:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
