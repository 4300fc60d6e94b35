"""Driving HTTP flows on asyncio, and the View that ``async for`` iterates."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Generator, Optional

from ..exceptions import ConnectError, CouchbaseError, NetworkError
from ..exceptions import TimeoutError as CBTimeoutError
from ..views.iterator import View
from .commands import Connect, Emit, Endpoint, Receive, Wait

_READ_SIZE = 65536


class _Link:
    """The flow's current connection."""

    def __init__(self) -> None:
        self.reader: Optional[asyncio.StreamReader] = None
        self.writer: Optional[asyncio.StreamWriter] = None
        self.where = ""
        self.timeout = 75.0

    async def answer(self, command: Any, bucket: Any) -> Any:
        """The reply to any command but Emit."""
        if isinstance(command, Receive):
            assert self.reader is not None
            try:
                return await asyncio.wait_for(self.reader.read(_READ_SIZE), self.timeout)
            except asyncio.TimeoutError:
                raise CBTimeoutError(f"no response from {self.where} in time") from None
            except OSError as exc:
                raise NetworkError(f"HTTP connection to {self.where} failed: {exc}",
                                   inner_cause=exc) from None
        if isinstance(command, Connect):
            await self.open(command.endpoint)
            assert self.writer is not None
            self.writer.write(command.data)
            return None
        if isinstance(command, list):
            return await bucket._complete(command)
        if isinstance(command, Wait):
            await asyncio.sleep(command.seconds)
            return None
        raise TypeError(f"unknown HTTP flow command {command!r}")

    async def open(self, endpoint: Endpoint) -> None:
        self.close()
        host, port = endpoint.host, endpoint.port
        self.where = f"{host}:{port}"
        self.timeout = endpoint.timeout
        tls = endpoint.tls
        try:
            self.reader, self.writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, ssl=tls,
                                        server_hostname=host if tls is not None else None),
                endpoint.timeout)
        except asyncio.TimeoutError:
            raise CBTimeoutError(f"timed out connecting to {self.where}") from None
        except OSError as exc:
            raise ConnectError(f"could not connect to {self.where}: {exc}",
                               inner_cause=exc) from None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def drive_rows(flow: Generator[Any, Any, Any], bucket: Any) -> AsyncIterator[Any]:
    """Run ``flow`` on the running loop, yielding the rows it emits."""
    link = _Link()
    reply: Any = None
    error: Optional[BaseException] = None
    try:
        while True:
            try:
                command = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration:
                return
            reply = error = None
            if isinstance(command, Emit):
                for row in command.rows:
                    yield row
                continue
            try:
                reply = await link.answer(command, bucket)
            except CouchbaseError as exc:
                error = exc
    finally:
        link.close()
        flow.close()


async def drive(flow: Generator[Any, Any, Any], bucket: Any) -> Any:
    """Run a flow that emits no rows (design documents) to its result."""
    link = _Link()
    reply: Any = None
    error: Optional[BaseException] = None
    try:
        while True:
            try:
                command = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration as stop:
                return stop.value
            reply = error = None
            if isinstance(command, Emit):
                continue
            try:
                reply = await link.answer(command, bucket)
            except CouchbaseError as exc:
                error = exc
    finally:
        link.close()
        flow.close()


class AsyncioView(View):
    """The rows of a view query for asyncio: ``async for row in bucket.query(...)``.

    The request goes out when iteration starts; options as for
    :class:`~couchbase.views.iterator.View`.
    """

    def __aiter__(self) -> AsyncIterator[Any]:
        return drive_rows(self._start(), self._parent)

    def __iter__(self) -> Any:
        raise TypeError("an asyncio view is iterated with 'async for'")

    async def all(self) -> list[Any]:
        """Every row, in a list."""
        return [row async for row in self]
