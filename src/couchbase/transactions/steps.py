"""The vocabulary of transaction flows, and their drivers.

A transaction step (get, insert, commit...) is a generator that yields
:class:`Call` (a method of a Collection, e.g. ``lookup_in``) and :class:`Pause`
and returns its result. The sync front end answers a call by calling the
method; the asyncio one by awaiting it. So the protocol is written once, over
the public key-value API every front end already has.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import Any, Generator

Flow = Generator[Any, Any, Any]


class Call:
    """``target.<method>(*args, **kwargs)``; the flow receives its result or its
    exception."""

    __slots__ = ("target", "method", "args", "kwargs")

    def __init__(self, target: Any, method: str, *args: Any, **kwargs: Any) -> None:
        self.target = target
        self.method = method
        self.args = args
        self.kwargs = kwargs

    def __repr__(self) -> str:
        return f"Call({self.method}{self.args!r})"


class Pause:
    """Wait ``seconds`` (a backoff between retries)."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class Gather:
    """Run ``flows`` (each a flow of its own) and receive the list of their results: one
    after another in the caller's thread, concurrently on asyncio. The first failure
    is the step's."""

    __slots__ = ("flows",)

    def __init__(self, flows: list[Flow]) -> None:
        self.flows = flows


def run_blocking(flow: Flow) -> Any:
    """Run ``flow`` in the caller's thread."""
    reply: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = flow.throw(error) if error is not None else flow.send(reply)
        except StopIteration as stop:
            return stop.value
        reply, error = None, None
        try:
            if isinstance(step, Pause):
                time.sleep(step.seconds)
            elif isinstance(step, Gather):
                reply = [run_blocking(f) for f in step.flows]
            else:
                reply = getattr(step.target, step.method)(*step.args, **step.kwargs)
        except Exception as exc:  # noqa: BLE001 (handed to the flow, which decides)
            error = exc


async def run_async(flow: Flow) -> Any:
    """Run ``flow`` on the running asyncio loop."""
    reply: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = flow.throw(error) if error is not None else flow.send(reply)
        except StopIteration as stop:
            return stop.value
        reply, error = None, None
        try:
            if isinstance(step, Pause):
                await asyncio.sleep(step.seconds)
            elif isinstance(step, Gather):
                reply = list(await asyncio.gather(*(run_async(f) for f in step.flows)))
            else:
                reply = getattr(step.target, step.method)(*step.args, **step.kwargs)
                if inspect.isawaitable(reply):
                    reply = await reply
        except Exception as exc:  # noqa: BLE001
            error = exc
