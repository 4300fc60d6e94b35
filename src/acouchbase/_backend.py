"""The asyncio backend of the multiplexing core: connections and timers."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Optional

from couchbase._io.mux import StreamProtocol


class _Protocol(asyncio.Protocol):
    """Feeds a core protocol (a KV node or an HTTP link) from an asyncio connection."""

    __slots__ = ("target",)

    def __init__(self, target: StreamProtocol) -> None:
        self.target = target

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.target.connection_made(transport)  # type: ignore[arg-type]

    def data_received(self, data: bytes) -> None:
        self.target.data_received(data)

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self.target.connection_lost(exc)


class AsyncioBackend:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._tasks: set[asyncio.Future[Any]] = set()

    def connect(self, host: str, port: int, tls: Any, target: StreamProtocol) -> None:
        async def open_connection() -> None:
            try:
                await self.loop.create_connection(
                    lambda: _Protocol(target), host, port, ssl=tls,
                    server_hostname=host if tls is not None else None)
            except OSError as exc:
                target.connection_lost(exc)

        task = self.loop.create_task(open_connection())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def call_later(self, delay: float, fn: Callable[[], None]) -> asyncio.TimerHandle:
        return self.loop.call_later(delay, fn)

    def run_blocking(self, fn: Callable[[], Any],
                     done: Callable[[Any, Optional[BaseException]], None]) -> None:
        """``fn`` in the loop's default executor (a thread); ``done`` back on the loop."""
        future = self.loop.run_in_executor(None, fn)
        self._tasks.add(future)

        def finished(f: asyncio.Future[Any]) -> None:
            self._tasks.discard(f)
            error = asyncio.CancelledError() if f.cancelled() else f.exception()
            done(None, error) if error is not None else done(f.result(), None)

        future.add_done_callback(finished)
