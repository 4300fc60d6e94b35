"""Waiting for flows: one driver per I/O style over one command vocabulary.

Multi-step work (durability polling, replica reads, view and N1QL requests,
the bootstrap walk) is written once, as flows: generators that yield the
commands of :mod:`couchbase._core.commands` (plus key-value
:class:`~couchbase._operation.Operation` objects and batches of them) and
return the result. What differs between front ends is only how a command is
waited for, so there is one driver per way of waiting:

- :func:`drive_blocking` / :func:`wait_blocking`: the caller's thread blocks
  for each answer (the sync API; gevent, whose blocking only blocks a
  greenlet, through :class:`BlockingOverCallbacks`);
- :func:`drive_async` / :func:`wait_async`: each answer is awaited (asyncio);
- :func:`drive_callbacks`: each answer arrives in a callback that resumes the
  flow (Twisted's reactor).

A front end supplies the answers: a :class:`BlockingIO` (the sync cluster)
or a :class:`CallbackIO` (the event-loop cluster), each with a link type for
the flow's HTTP connection. Errors leave the drivers as documented
exceptions (:func:`~couchbase._public_errors.to_public`).
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any, AsyncIterator, Callable, Generator, Optional, Protocol

from ._core.bootstrap import Session
from ._core.commands import Connect, EachNode, Emit, Endpoint, NodeProbe, OpenNode, Receive, Sleep
from ._core.errors import CoreError
from ._core.packet import Packet
from ._core.request import Request
from ._operation import Answer, Operation, complete, finish_batch
from ._public_errors import to_public

Flow = Generator[Any, Any, Any]
Done = Callable[[Any, Optional[BaseException]], None]  # (reply, None) or (None, error)
NodeReply = dict[tuple[str, int], NodeProbe]


# -- what a front end answers commands with -------------------------------------------
class BlockingLink(Protocol):
    """A flow's HTTP connection, read by blocking."""

    def receive(self) -> bytes:
        """The next bytes (``b""`` once the peer closed); TimeoutError after the
        endpoint's timeout without any."""

    def close(self) -> None: ...


class BlockingIO(Protocol):
    """Answers commands by blocking the caller until the answer is there."""

    def execute(self, req: Request) -> Packet:
        """Send one key-value request; its response (errors raised)."""

    def execute_multi(self, reqs: list[Request]) -> list[Answer]:
        """Send every request at once; per request its response or its error."""

    def each_node(self, command: EachNode) -> NodeReply: ...

    def sleep(self, seconds: float) -> None: ...

    def open_node(self, host: str, port: int, deadline: float) -> Session:
        """Open and bootstrap a KV connection by ``deadline``; the cluster keeps it."""

    def open_http(self, endpoint: Endpoint, data: bytes) -> BlockingLink:
        """Open an HTTP connection and write ``data``."""


class CallbackLink(Protocol):
    """A flow's HTTP connection on an event loop."""

    def receive(self, done: Done) -> None:
        """``done(bytes, None)`` with the next bytes (``b""`` once the peer closed),
        or ``done(None, error)``."""

    def close(self) -> None: ...


class CallbackIO(Protocol):
    """Answers commands from an event loop: each ``done`` is called once, later or
    at once, in the loop's thread."""

    def execute(self, req: Request, done: Callable[[Optional[Packet],
                                                     Optional[BaseException]], None]) -> None:
        """Send one key-value request: ``done(packet, None)`` or ``done(None, error)``."""

    def execute_multi(self, reqs: list[Request], done: Callable[[list[Answer]], None]) -> None:
        """Send every request at once: ``done(answers)``, per request its response or
        its error, in order."""

    def each_node(self, command: EachNode, done: Done) -> None: ...

    def sleep(self, seconds: float, done: Done) -> None: ...

    def open_node(self, host: str, port: int, deadline: float, done: Done) -> None: ...

    def open_http(self, endpoint: Endpoint, data: bytes, done: Done) -> None:
        """``done(link, None)`` once connected and ``data`` written, else ``done(None, error)``."""


def _unknown(command: Any) -> TypeError:
    return TypeError(f"unknown flow command {command!r}")


# -- blocking ----------------------------------------------------------------------
def drive_blocking(flow: Flow, io: BlockingIO) -> Generator[Any, None, Any]:
    """Run ``flow``, yielding the rows it emits; returns the flow's result.

    Stopping the iteration early closes the flow and its connection.
    """
    link: Optional[BlockingLink] = None
    reply: Any = None
    error: Optional[BaseException] = None
    try:
        while True:
            try:
                command = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration as stop:
                return stop.value
            except CoreError as exc:
                raise to_public(exc) from None
            reply = error = None
            kind = type(command)
            if kind is Emit:
                yield from command.rows
                continue
            try:
                if kind is Operation:
                    reply = command.result(io.execute(command.req))
                elif kind is list:
                    reply = finish_batch(command, io.execute_multi([op.req for op in command]))
                elif kind is Receive:
                    if link is None:
                        raise RuntimeError("RECEIVE before CONNECT")
                    reply = link.receive()
                elif kind is Connect:
                    if link is not None:
                        link.close()
                        link = None
                    link = io.open_http(command.endpoint, command.data)
                elif kind is Sleep:
                    io.sleep(command.seconds)
                elif kind is EachNode:
                    reply = io.each_node(command)
                elif kind is OpenNode:
                    reply = io.open_node(command.host, command.port, command.deadline)
                else:
                    raise _unknown(command)
            except Exception as exc:
                error = exc
    finally:
        if link is not None:
            link.close()
        flow.close()


def wait_blocking(flow: Flow, io: BlockingIO) -> Any:
    """Run a flow that emits no rows to its result."""
    steps = drive_blocking(flow, io)
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


# -- callbacks -----------------------------------------------------------------------
_NOTHING: Any = object()


class _LinkHolder:
    """The flow's current HTTP connection (callback styles). Once the flow is over,
    a connection that was still being opened is closed as soon as it arrives."""

    __slots__ = ("link", "over")

    def __init__(self) -> None:
        self.link: Optional[CallbackLink] = None
        self.over = False

    def take(self, link: CallbackLink) -> None:
        if self.over:
            link.close()
        else:
            self.link = link

    def release(self) -> None:
        """Close the current connection (a new Connect replaces it)."""
        link, self.link = self.link, None
        if link is not None:
            link.close()

    def close(self) -> None:
        self.over = True
        self.release()


def answer(io: CallbackIO, holder: _LinkHolder, command: Any, done: Done) -> None:
    """Carry out one command (not Emit) on a callback IO; ``done(reply, error)`` once."""
    kind = type(command)
    if kind is Operation:
        op = command
        io.execute(op.req, partial(complete, op, done))
    elif kind is list:
        ops = command
        io.execute_multi([op.req for op in ops],
                         lambda answers: _finish_batch(ops, answers, done))
    elif kind is Receive:
        if holder.link is None:
            done(None, RuntimeError("RECEIVE before CONNECT"))
        else:
            holder.link.receive(done)
    elif kind is Connect:
        holder.release()

        def connected(link: Any, error: Optional[BaseException]) -> None:
            if error is None:
                holder.take(link)
            done(None, error)

        io.open_http(command.endpoint, command.data, connected)
    elif kind is Sleep:
        io.sleep(command.seconds, done)
    elif kind is EachNode:
        io.each_node(command, done)
    elif kind is OpenNode:
        io.open_node(command.host, command.port, command.deadline, done)
    else:
        done(None, _unknown(command))


def _finish_batch(ops: list[Operation], answers: list[Answer], done: Done) -> None:
    try:
        outcome = finish_batch(ops, answers)
    except Exception as exc:
        done(None, exc)
        return
    done(outcome, None)


class _CallbackRun:
    """One flow driven by callbacks (a trampoline: answers that arrive at once
    continue the loop instead of nesting calls)."""

    __slots__ = ("flow", "io", "ok", "fail", "on_rows", "holder", "_running", "_arrived")

    def __init__(self, flow: Flow, io: CallbackIO, ok: Callable[[Any], Any],
                 fail: Callable[[BaseException], Any],
                 on_rows: Optional[Callable[[Any], Any]]) -> None:
        self.flow = flow
        self.io = io
        self.ok = ok
        self.fail = fail
        self.on_rows = on_rows
        self.holder = _LinkHolder()
        self._running = False
        self._arrived: Any = _NOTHING

    def resume(self, reply: Any, error: Optional[BaseException]) -> None:
        if self._running:  # answered while the command was being issued
            self._arrived = (reply, error)
            return
        self._running = True
        try:
            self._loop(reply, error)
        finally:
            self._running = False

    def _loop(self, reply: Any, error: Optional[BaseException]) -> None:
        flow = self.flow
        while True:
            try:
                command = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration as stop:
                self.holder.close()
                self.ok(stop.value)
                return
            except Exception as exc:
                self.holder.close()
                self.fail(to_public(exc))
                return
            if type(command) is Emit:
                reply, error = None, None
                if self.on_rows is not None:
                    try:
                        self.on_rows(command.rows)
                    except Exception as exc:
                        error = exc
                continue
            self._arrived = _NOTHING
            answer(self.io, self.holder, command, self.resume)
            if self._arrived is _NOTHING:
                return  # resume() continues when the answer comes
            reply, error = self._arrived


def drive_callbacks(flow: Flow, io: CallbackIO, ok: Callable[[Any], Any],
                    fail: Callable[[BaseException], Any],
                    on_rows: Optional[Callable[[Any], Any]] = None) -> None:
    """Run ``flow``: ``on_rows(rows)`` for each batch it emits, then ``ok(result)``
    or ``fail(exception)``, each from the callbacks that answer its commands."""
    _CallbackRun(flow, io, ok, fail, on_rows).resume(None, None)


# -- asyncio ------------------------------------------------------------------------------
_ROWS = 0
_RESULT = 1


class _AsyncRun:
    """One flow on the running loop: :meth:`next` runs it to its next rows or its end."""

    __slots__ = ("flow", "io", "holder", "loop", "reply", "error")

    def __init__(self, flow: Flow, io: CallbackIO) -> None:
        self.flow = flow
        self.io = io
        self.holder = _LinkHolder()
        self.loop = asyncio.get_running_loop()
        self.reply: Any = None
        self.error: Optional[BaseException] = None

    async def next(self) -> tuple[int, Any]:
        """``(_ROWS, rows)`` for an Emit, ``(_RESULT, value)`` at the end."""
        flow = self.flow
        while True:
            reply, error = self.reply, self.error
            self.reply = self.error = None
            try:
                command = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration as stop:
                return _RESULT, stop.value
            except CoreError as exc:
                raise to_public(exc) from None
            if type(command) is Emit:
                return _ROWS, command.rows
            future: asyncio.Future[Any] = self.loop.create_future()
            answer(self.io, self.holder, command, partial(settle, future))
            try:
                self.reply = await future
            except Exception as exc:
                self.error = exc

    def close(self) -> None:
        """The flow is over (or abandoned): close its connection and the flow itself."""
        self.holder.close()
        self.flow.close()


def settle(future: asyncio.Future[Any], reply: Any, error: Optional[BaseException]) -> None:
    """Resolve ``future`` with a ``done(reply, error)`` outcome (unless it was cancelled)."""
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(reply)


async def drive_async(flow: Flow, io: CallbackIO) -> AsyncIterator[Any]:
    """Run ``flow`` on the running loop, yielding the rows it emits. Stopping the
    iteration early (``break``, ``aclose()``) closes the flow and its connection."""
    run = _AsyncRun(flow, io)
    try:
        while True:
            kind, value = await run.next()
            if kind == _RESULT:
                return
            for row in value:
                yield row
    finally:
        run.close()


async def wait_async(flow: Flow, io: CallbackIO) -> Any:
    """Run a flow to its result on the running loop (rows it emits are dropped)."""
    run = _AsyncRun(flow, io)
    try:
        while True:
            kind, value = await run.next()
            if kind == _RESULT:
                return value
    finally:
        run.close()


# -- blocking over callbacks (gevent) --------------------------------------------------------
Wait = Callable[[Callable[[Done], None]], Any]
"""``wait(start)``: call ``start(done)`` and block until ``done(reply, error)`` was
called; return the reply or raise the error."""


class _BlockingLinkOver:
    __slots__ = ("link", "wait")

    def __init__(self, link: CallbackLink, wait: Wait) -> None:
        self.link = link
        self.wait = wait

    def receive(self) -> bytes:
        return self.wait(self.link.receive)

    def close(self) -> None:
        self.link.close()


class BlockingOverCallbacks:
    """A :class:`BlockingIO` made of a :class:`CallbackIO` and a way to block until a
    callback came (gevent: a hub Waiter, so only the calling greenlet waits)."""

    __slots__ = ("io", "wait")

    def __init__(self, io: CallbackIO, wait: Wait) -> None:
        self.io = io
        self.wait = wait

    def execute(self, req: Request) -> Packet:
        return self.wait(lambda done: self.io.execute(req, done))

    def execute_multi(self, reqs: list[Request]) -> list[Answer]:
        return self.wait(lambda done: self.io.execute_multi(
            reqs, lambda answers: done(answers, None)))

    def each_node(self, command: EachNode) -> NodeReply:
        return self.wait(lambda done: self.io.each_node(command, done))

    def sleep(self, seconds: float) -> None:
        self.wait(lambda done: self.io.sleep(seconds, done))

    def open_node(self, host: str, port: int, deadline: float) -> Session:
        return self.wait(
            lambda done: self.io.open_node(host, port, deadline, done))

    def open_http(self, endpoint: Endpoint, data: bytes) -> BlockingLink:
        link = self.wait(lambda done: self.io.open_http(endpoint, data, done))
        return _BlockingLinkOver(link, self.wait)


__all__ = [
    "BlockingIO",
    "BlockingLink",
    "BlockingOverCallbacks",
    "CallbackIO",
    "CallbackLink",
    "Flow",
    "answer",
    "drive_async",
    "drive_blocking",
    "drive_callbacks",
    "settle",
    "wait_async",
    "wait_blocking",
]
