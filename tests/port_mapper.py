"""A cluster reached only through a port mapper, as behind NAT (tests/, shared by the
client and front-end alternate-address tests).

The local cluster listens on 127.0.0.1. A TCP proxy listens on 127.0.0.2 (Linux
routes all of 127/8 to loopback), one port per node service, and forwards each
to the node's real port; the cluster advertises the proxy's address and ports
as every node's ``external`` alternate address.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from typing import Iterator

from couchbase_mock import MockCluster
from loop_thread import LoopThread

EXTERNAL = "127.0.0.2"
SERVICES = ("kv", "mgmt", "capi", "n1ql")
Mapped = dict[int, dict[str, int]]  # node index -> service -> the mapper's port


def can_bind(host: str) -> bool:
    try:
        with socket.socket() as s:
            s.bind((host, 0))
        return True
    except OSError:
        return False


class PortMapper:
    """Listens on ``host`` (ephemeral ports) and forwards each port to a target;
    counts the connections each listening port accepted."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.loop = LoopThread()
        self.accepted: dict[int, int] = {}
        self._servers: list[asyncio.AbstractServer] = []
        self._lock = threading.Lock()

    def forward(self, target_host: str, target_port: int, port: int = 0) -> int:
        """A new listening port (``port``, or any) forwarding to ``target_host:target_port``."""
        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    data = await reader.read(65536)
                    if not data:
                        break
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            port = writer.get_extra_info("sockname")[1]
            with self._lock:
                self.accepted[port] = self.accepted.get(port, 0) + 1
            try:
                up_reader, up_writer = await asyncio.open_connection(target_host, target_port)
            except OSError:
                writer.close()
                return
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

        async def start() -> int:
            server = await asyncio.start_server(accept, self.host, port)
            self._servers.append(server)
            return server.sockets[0].getsockname()[1]

        bound: int = self.loop.run(start)
        self.accepted[bound] = 0
        return bound

    def total(self) -> int:
        with self._lock:
            return sum(self.accepted.values())

    def snapshot(self) -> dict[int, int]:
        with self._lock:
            return dict(self.accepted)

    def close(self) -> None:
        async def stop() -> None:
            for server in self._servers:
                server.close()

        self.loop.run(stop)
        self.loop.close()


@contextlib.contextmanager
def natted_cluster() -> Iterator[tuple[MockCluster, PortMapper, Mapped]]:
    """A 2-node cluster whose nodes advertise the port mapper as their external address."""
    with MockCluster(nodes=2, replicas=1) as mock:
        mapper = PortMapper(EXTERNAL)
        mapped: Mapped = {}
        try:
            for node in mock.nodes:
                mapped[node.index] = {
                    service: mapper.forward(mock.host, node.ports[service])
                    for service in SERVICES if node.ports.get(service)
                }
                mock.set_external(node.index, EXTERNAL, mapped[node.index])
            yield mock, mapper, mapped
        finally:
            mapper.close()


def external_seed(mapped: Mapped) -> str:
    """The connection string's hosts: every node's mapped KV address."""
    return ",".join(f"{EXTERNAL}:{ports['kv']}" for ports in mapped.values())
