"""A bucket's connections for the blocking driver: bootstrap, routing, retries."""

from __future__ import annotations

import ssl
import time
from typing import Iterable, Optional
from urllib.parse import quote

from .._core.connstr import ConnectionString
from .._core.opcode import Magic, Opcode
from .._core.packet import Packet, encode_packet
from .._core.request import Request
from .._core.router import Router
from .._core.status import Status
from ..exceptions import (
    AuthError,
    BucketNotFoundError,
    CouchbaseError,
    CouchbaseNetworkError,
    LibcouchbaseError,
    NotMyVbucketError,
    TimeoutError,
)
from .blocking import BlockingNode, wait_readable
from .http_blocking import fetch_config

_OPAQUE_LIMIT = 0xFFFFFFF0


class BlockingCluster:
    """Connections to every KV node of one bucket, opened lazily after bootstrap."""

    def __init__(
        self,
        connstr: ConnectionString,
        username: str,
        password: str,
        bucket: Optional[str],
        timeout: float,
        bootstrap_timeout: float,
        tls: Optional[ssl.SSLContext] = None,
    ) -> None:
        self.connstr = connstr
        self.username = username
        self.password = password
        self.bucket = bucket
        self.timeout = timeout
        self.bootstrap_timeout = bootstrap_timeout
        self.tls = tls
        self.router = Router(tls=tls is not None,
                             network=connstr.options.get("network", "default"))
        self.nodes: dict[tuple[str, int], BlockingNode] = {}
        self._opaque = 16
        self._slots: list[Optional[BlockingNode]] = []
        self._slots_config: Optional[object] = None

    # -- bootstrap -------------------------------------------------------
    def connect(self) -> None:
        """Bootstrap over KV (CCCP), falling back to HTTP; raises the first decisive error."""
        deadline = time.monotonic() + self.bootstrap_timeout
        errors: list[CouchbaseError] = []
        for host, port in self.connstr.kv_hosts():
            try:
                self._open(host, port, deadline)
            except (AuthError, BucketNotFoundError):
                raise
            except CouchbaseError as exc:
                errors.append(exc)
                continue
            if self.router.config is not None:
                return
        for host, port in self.connstr.http_hosts():
            try:
                raw = fetch_config(
                    host, port, self._http_path(), self.username, self.password, deadline,
                    self.tls,
                )
            except (AuthError, BucketNotFoundError):
                raise
            except CouchbaseError as exc:
                errors.append(exc)
                continue
            if self.router.update(raw, host):
                return
        if errors:
            first = errors[0]
            raise type(first)(
                f"could not bootstrap from any node: {'; '.join(e.message for e in errors)}",
                inner_cause=first.inner_cause or first,
            )
        raise CouchbaseNetworkError("no node to bootstrap from in the connection string")

    def _http_path(self) -> str:
        if self.bucket:
            return f"/pools/default/bs/{quote(self.bucket, safe='')}"
        return "/pools/default/nodeServices"

    def _open(self, host: str, port: int, deadline: float) -> BlockingNode:
        node = BlockingNode(host, port)
        session = node.open(deadline, self.username, self.password, self.bucket, self.tls)
        self.nodes[(host, port)] = node
        if session.config:
            self.router.update(session.config, host)
        return node

    def node(self, address: tuple[str, int], deadline: float) -> BlockingNode:
        node = self.nodes.get(address)
        if node is not None and node.sock is not None:
            return node
        return self._open(address[0], address[1], deadline)

    def collections_enabled(self) -> bool:
        """Whether the bootstrap connection negotiated collections."""
        return any(n.session is not None and n.session.collections for n in self.nodes.values())

    def close(self) -> None:
        for node in self.nodes.values():
            node.close()
        self.nodes.clear()

    # -- operations ------------------------------------------------------
    def _next_opaque(self) -> int:
        self._opaque += 1
        if self._opaque > _OPAQUE_LIMIT:
            self._opaque = 17
        return self._opaque

    def _not_my_vbucket(self, pkt: Packet, node: BlockingNode, deadline: float,
                        attempt: int) -> None:
        """Take the config a NOT_MY_VBUCKET carries; back off if it told nothing new."""
        if pkt.value and self.router.update(pkt.value, node.host):
            return
        pause = min(0.001 * (2 ** attempt), 0.1, deadline - time.monotonic())
        if pause <= 0:
            raise TimeoutError("timed out while the cluster map was changing")
        time.sleep(pause)

    def _node_at(self, index: int, deadline: float) -> BlockingNode:
        """The connection to kv node ``index`` of the current config (cached per config)."""
        config = self.router.config
        if config is not self._slots_config:
            self._slots = [None] * len(config.kv_nodes) if config is not None else []
            self._slots_config = config
        node = self._slots[index]
        if node is None or node.sock is None:
            node = self.node(self.router.address(index), deadline)
            if self.router.config is config:  # opening it may have brought a new config
                self._slots[index] = node
        return node

    def execute(self, req: Request, timeout: Optional[float] = None) -> Packet:
        """Send one request and return its response (after NOT_MY_VBUCKET retries)."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        attempt = 0
        route = self.router.route_index
        while True:
            vb, index = route(req.key, req.replica)
            node = self._node_at(index, deadline)
            self._opaque = opaque = self._opaque + 1 if self._opaque < _OPAQUE_LIMIT else 17
            node.send(req.encode(vb, opaque, node.collections))
            pkt = node.wait_for(opaque, deadline)
            if pkt.status != Status.NOT_MY_VBUCKET:
                return pkt
            self._not_my_vbucket(pkt, node, deadline, attempt)
            attempt += 1

    def stats(self, group: bytes) -> dict[tuple[str, int], list[tuple[str, str]]]:
        """STAT ``group`` on every KV node: the name/value pairs each one answered."""
        deadline = time.monotonic() + self.timeout
        out: dict[tuple[str, int], list[tuple[str, str]]] = {}
        for address in self.router.addresses():
            node = self.node(address, deadline)
            opaque = self._next_opaque()
            node.send(encode_packet(Magic.REQUEST, Opcode.STAT, group, opaque=opaque))
            pairs: list[tuple[str, str]] = []
            while True:
                pkt = node.wait_for(opaque, deadline)
                if pkt.status:
                    raise LibcouchbaseError(
                        f"STAT {group.decode(errors='replace')!r} failed on "
                        f"{address[0]}:{address[1]} (status 0x{pkt.status:02x})",
                        server_status=pkt.status)
                if not pkt.key:
                    break
                pairs.append((pkt.key.decode("utf-8", "replace"),
                              pkt.value.decode("utf-8", "replace")))
            out[address] = pairs
        return out

    def execute_multi(
        self, reqs: Iterable[Request], timeout: Optional[float] = None
    ) -> list[Optional[Packet | CouchbaseError]]:
        """Send many requests, one write per node, and collect every response.

        Returns, per request in order, its response packet or the error that
        kept it from completing (network error, timeout).
        """
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        todo = list(enumerate(reqs))
        results: list[Optional[Packet | CouchbaseError]] = [None] * len(todo)
        attempt = 0
        while todo:
            retry: list[tuple[int, Request]] = []
            by_node: dict[BlockingNode, dict[int, tuple[int, Request]]] = {}
            batches: dict[BlockingNode, list[bytes]] = {}
            for index, req in todo:
                try:
                    vb, node_index = self.router.route_index(req.key, req.replica)
                    node = self._node_at(node_index, deadline)
                except CouchbaseError as exc:
                    results[index] = exc
                    continue
                opaque = self._next_opaque()
                batches.setdefault(node, []).append(req.encode(vb, opaque, node.collections))
                by_node.setdefault(node, {})[opaque] = (index, req)
            for node, chunks in batches.items():
                try:
                    node.send(b"".join(chunks))
                except CouchbaseError as exc:
                    for index, _ in by_node.pop(node).values():
                        results[index] = exc
            nmvb_from: Optional[tuple[Packet, BlockingNode]] = None
            while by_node:
                try:
                    ready = wait_readable(list(by_node), deadline)
                except TimeoutError as exc:
                    for waiting in by_node.values():
                        for index, _ in waiting.values():
                            results[index] = exc
                    break
                for node in ready:
                    waiting = by_node[node]
                    try:
                        packets = node.take_pending() or node.receive(deadline)
                    except CouchbaseError as exc:
                        for index, _ in by_node.pop(node).values():
                            results[index] = exc
                        continue
                    for pkt in packets:
                        entry = waiting.pop(pkt.opaque, None)
                        if entry is None:
                            continue  # the answer to an abandoned request
                        if pkt.status == Status.NOT_MY_VBUCKET:
                            retry.append(entry)
                            nmvb_from = (pkt, node)
                        else:
                            results[entry[0]] = pkt
                    if not waiting:
                        del by_node[node]
            if retry and nmvb_from is not None:
                try:
                    self._not_my_vbucket(nmvb_from[0], nmvb_from[1], deadline, attempt)
                except CouchbaseError as exc:
                    for index, _ in retry:
                        results[index] = exc
                    break
                attempt += 1
            todo = retry
        for i, res in enumerate(results):
            if res is None:
                results[i] = NotMyVbucketError("no response")
        return results
