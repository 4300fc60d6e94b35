"""The asyncio backend of the multiplexing core: connections and timers."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Optional

from couchbase._io.mux import StreamProtocol


class _Corked:
    """The transport the core writes to: writes made while the loop runs callbacks are
    sent together at its next turn. An asyncio transport sends each ``write`` at once
    (a ``send`` syscall each, and a read each on the server): with 100 gets in flight,
    the 100 requests the lanes resumed by one read issue go out in one ``send``."""

    def __init__(self, transport: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self.loop = loop
        self.pending: list[bytes] = []
        self.pause_reading: Callable[[], None] = transport.pause_reading
        self.resume_reading: Callable[[], None] = transport.resume_reading

    def write(self, data: bytes) -> None:
        if not self.pending:
            self.loop.call_soon(self.flush)
        self.pending.append(data)

    def flush(self) -> None:
        if self.pending:
            data = b"".join(self.pending)
            self.pending.clear()
            if not self.transport.is_closing():
                self.transport.write(data)

    def close(self) -> None:
        self.flush()  # (a transport sends what it buffered before it closes)
        self.transport.close()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """The transport's (its socket's addresses for the tracing reports)."""
        return self.transport.get_extra_info(name, default)


class _Protocol(asyncio.Protocol):
    """Feeds a core protocol (a KV node or an HTTP link) from an asyncio connection."""

    __slots__ = ("target", "loop")

    def __init__(self, target: StreamProtocol, loop: asyncio.AbstractEventLoop) -> None:
        self.target = target
        self.loop = loop

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.target.connection_made(_Corked(transport, self.loop))

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
                    lambda: _Protocol(target, self.loop), host, port, ssl=tls,
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
