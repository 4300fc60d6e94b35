"""The asyncio backend of the multiplexing core: connections, timers, HTTP bootstrap."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable, Optional

from couchbase._io.http_blocking import fetch_config
from couchbase._io.mux import MuxNode
from couchbase.exceptions import CouchbaseError, NetworkError


class _NodeProtocol(asyncio.Protocol):
    __slots__ = ("node",)

    def __init__(self, node: MuxNode) -> None:
        self.node = node

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.node.connection_made(transport)  # type: ignore[arg-type]

    def data_received(self, data: bytes) -> None:
        self.node.data_received(data)

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self.node.connection_lost(exc)


class AsyncioBackend:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._tasks: set[asyncio.Future[Any]] = set()

    def _keep(self, task: asyncio.Future[Any]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def connect(self, host: str, port: int, tls: Any, node: MuxNode) -> None:
        async def open_connection() -> None:
            try:
                await self.loop.create_connection(
                    lambda: _NodeProtocol(node), host, port, ssl=tls,
                    server_hostname=host if tls is not None else None)
            except OSError as exc:
                node.connection_lost(exc)

        self._keep(self.loop.create_task(open_connection()))

    def call_later(self, delay: float, fn: Callable[[], None]) -> asyncio.TimerHandle:
        return self.loop.call_later(delay, fn)

    def fetch_config(self, host: str, port: int, path: str, username: str, password: str,
                     timeout: float, tls: Any,
                     done: Callable[[Optional[bytes], Optional[CouchbaseError]], None]) -> None:
        # HTTP bootstrap is rare (1.x-style connections): a worker thread keeps it simple
        future = self.loop.run_in_executor(
            None, fetch_config, host, port, path, username, password,
            time.monotonic() + timeout, tls)

        def finished(fut: asyncio.Future[bytes]) -> None:
            exc = fut.exception()
            if exc is None:
                done(fut.result(), None)
            elif isinstance(exc, CouchbaseError):
                done(None, exc)
            else:
                done(None, NetworkError(str(exc), inner_cause=exc))

        future.add_done_callback(finished)
        self._keep(future)
