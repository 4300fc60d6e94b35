"""Where N1QL work runs: worker threads, and the way back to the event loop.

Every node of a local cluster is served by one asyncio loop in one thread, so
a query that computed on the loop froze KV, views and management on every
node until it was done. The query service therefore parses and runs requests
on a :class:`WorkerPool` of threads, and the loop only receives requests and
sends answers.

Why threads and not processes: the documents live in this process, in
dictionaries the loop changes; a process would need every keyspace a query
reads copied to it (pickled) per request, which costs more than most queries.
Threads read the documents in place. They share the GIL with the loop, so a
CPU-bound query slows the loop down without stopping it: CPython hands the
GIL to a waiting thread every ``sys.getswitchinterval()`` (5 ms), so a KV
request waits a few milliseconds at most (measured: see the tests in
``tests/mock/n1ql/test_n1ql_isolation.py``).

Only one worker computes at a time (:class:`Turns`): every runnable thread
competes with the loop for the GIL, so with four busy workers a KV request
waited for four threads' switch intervals (measured: p99 262 ms, against
9 ms with one). Requests take turns instead: one that has run for
:data:`SLICE` passes the turn on at its next check (see
:meth:`~.n1ql.cancel.Cancel.pause_every`), so a short query still gets
through while a long one runs.

The rule that makes this safe: a worker reads the cluster's state only by
single lookups (a document by key, a bucket by name: one dictionary
operation, atomic under the GIL of CPython and PyPy), and runs everything
else on the loop through a :class:`LoopBridge`: snapshots of a keyspace and
of index ranges, index definitions, and every write. The loop is the only
thread that changes documents and indexes, as before.

Threads are daemons that end after :data:`IDLE_SECONDS` without work, so a
pool leaves nothing behind when its cluster is gone, and a request stuck on a
stopped loop cannot keep the interpreter from exiting.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import threading
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")

WORKERS = 4
"""Requests one cluster runs at once (more wait their turn, their timeouts running)."""

IDLE_SECONDS = 30.0
"""A worker with nothing to do for this long ends (a new one starts on demand)."""

BRIDGE_POLL = 1.0
"""How often a worker waiting on the loop checks that the loop still runs."""

SLICE = 0.01
"""Seconds a request computes before it lets the others waiting have a turn."""


class Turns:
    """A fair lock: threads compute one at a time, in the order they asked.

    >>> turns = Turns()
    >>> with turns:
    ...     turns.pass_turn()  # nobody waiting: keeps the turn
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next = 0  # the ticket the next thread gets
        self._serving = 0  # the ticket whose turn it is
        self._owner: Optional[int] = None  # the thread whose turn it is

    def __enter__(self) -> Turns:
        with self._cond:
            self._wait_for(self._ticket())
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._owner = None
            self._serving += 1
            self._cond.notify_all()

    def pass_turn(self) -> None:
        """Let every thread already waiting have its turn, then go on. Only the
        thread whose turn it is passes it: called elsewhere (on the loop, in a
        write the turn's holder is waiting for), it does nothing."""
        with self._cond:
            if self._owner != threading.get_ident() or self._next == self._serving + 1:
                return  # not ours to pass, or nobody is waiting
            ticket = self._ticket()
            self._owner = None
            self._serving += 1
            self._cond.notify_all()
            self._wait_for(ticket)

    def _ticket(self) -> int:
        ticket = self._next
        self._next += 1
        return ticket

    def _wait_for(self, ticket: int) -> None:
        while self._serving != ticket:
            self._cond.wait()
        self._owner = threading.get_ident()


class WorkerPool:
    """Up to ``size`` daemon threads running submitted calls, started on demand."""

    def __init__(self, size: int = WORKERS, name: str = "n1ql-worker",
                 idle: float = IDLE_SECONDS) -> None:
        self.size = size
        self.name = name
        self.idle = idle
        self._queue: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0  # threads waiting for work
        self._backlog = 0  # calls submitted and not yet taken
        self.turns = Turns()
        """Held by the call that computes (see :meth:`run`)."""

    def submit(self, fn: Callable[[], None]) -> None:
        """Run ``fn()`` on a worker thread (exceptions are the caller's to catch)."""
        with self._lock:
            self._queue.put(fn)
            self._backlog += 1
            if self._backlog > self._idle and self._threads < self.size:
                self._threads += 1
                threading.Thread(target=self._work, name=self.name, daemon=True).start()

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            try:
                fn = self._queue.get(timeout=self.idle)
            except queue.Empty:
                with self._lock:
                    self._idle -= 1
                    if self._backlog == 0:  # nothing came (submit counts under the lock)
                        self._threads -= 1
                        return
                continue
            with self._lock:
                self._idle -= 1
                self._backlog -= 1
            fn()

    def run(self, loop: asyncio.AbstractEventLoop, fn: Callable[[], T]) -> asyncio.Future[T]:
        """``fn()`` on a worker, in its turn (:attr:`turns`), as a future of
        ``loop`` (call on the loop). ``fn`` may pass its turn on by calling
        ``turns.pass_turn()``."""
        future: asyncio.Future[T] = loop.create_future()

        def settle(ok: bool, value: Any) -> None:
            if not future.done():
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

        def job() -> None:
            try:
                with self.turns:
                    result: Any = fn()
                ok = True
            except BaseException as exc:  # handed to the loop, never lost
                result, ok = exc, False
            try:
                loop.call_soon_threadsafe(settle, ok, result)
            except RuntimeError:  # the loop is closed: nobody waits any more
                pass

        self.submit(job)
        return future


class LoopBridge:
    """Runs calls on an event loop's thread for other threads, and waits.

    Made on the loop (it remembers the loop's thread); called on the loop
    itself, it just calls.
    """

    def __init__(self, loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        self.loop = loop if loop is not None else asyncio.get_running_loop()
        self.thread = threading.get_ident()

    def __call__(self, fn: Callable[[], T]) -> T:
        if threading.get_ident() == self.thread:
            return fn()
        done: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                done.set_result(fn())
            except BaseException as exc:  # raised again in the waiting thread
                done.set_exception(exc)

        loop = self.loop
        self.loop.call_soon_threadsafe(run)  # RuntimeError once the loop is closed
        while True:
            try:
                return done.result(timeout=BRIDGE_POLL)
            except concurrent.futures.TimeoutError:
                if loop.is_closed() or not loop.is_running():
                    raise RuntimeError("the cluster's event loop has stopped") from None
