"""Running the JavaScript of design documents: V8 in a child process.

``mini-racer`` (the ``views`` extra) embeds V8 over ctypes: one wheel for
every CPython and PyPy from 3.10, no compiler, and V8's JIT makes map
functions cheap. V8 does not run in the cluster's process, though: when it
runs out of memory in some places (a ``JSON.stringify`` of a few hundred MB
fails with ``Fatal process out of memory: Zone``) it aborts the whole
process, and a mock cluster holds every node and all data in one. So the
engine lives in a worker process (:mod:`.jsworker`), one per event loop
(that is, per :class:`~couchbase_mock.MockCluster`), started on first use.
Its death fails the calls it was running, with :class:`JSEngineError`, and
the next call starts a new one; each design document's context is made
there again from the sources every call carries.

The event loop never waits for JavaScript: calls are written to the
worker's pipe and their replies awaited. The cost that matters is crossing
into JavaScript, so documents go in batches: one JSON text holding up to a
few thousand ``[doc, meta]`` pairs goes down the pipe as it is, the worker
runs every map function of the design document on each and sends back one
JSON text of the emitted rows. Reduces work the same way, one call for all
the groups of a query.

Limits, per call (module attributes, read at each call: tests lower them):

- :data:`CALL_TIMEOUT`: seconds from the request to the reply. The worker
  stops the JavaScript (:class:`JSTimeoutError`); if it has not answered
  :data:`KILL_GRACE` seconds later, it is killed and started again.
- :data:`MEMORY_LIMIT`: bytes of V8 heap per context; past it the call
  stops (:class:`JSMemoryError`).
- :data:`OUTPUT_LIMIT`: characters of emitted key and value JSON per map
  batch (the batch's result must fit in one string, in the pipe and in
  the cluster): :class:`JSMemoryError`.

A call that fails these ways fails the view query that needed it (the
service answers 500 with :attr:`JSError.error` and the reason); calls of
other design documents go on. A call that was in flight when its worker
died is tried once more on a new worker.

The environment map functions see is the one of Couchbase views: ``emit``,
``sum``, ``log``, ``isArray``, ``toJSON``, ``dateToArray``,
``decodeBase64``. A map function that throws for a document skips that
document in that view (the error is counted, as the server logs it).
"""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import json
import sys
import threading
import weakref
from pathlib import Path
from typing import Any, Optional

from .jsworker import FRAME, frame_head

CALL_TIMEOUT = 60.0
"""Seconds one call (a batch of documents, a reduce, a check) may take."""
MEMORY_LIMIT = 512 * 2**20
"""Bytes of V8 heap a design document's context may use during a call."""
OUTPUT_LIMIT = 128 * 2**20
"""Characters of key and value JSON the maps may emit for one batch."""
KILL_GRACE = 5.0
"""Seconds past :data:`CALL_TIMEOUT` before an unanswering worker is killed."""

CRASH_RETRIES = 2
"""How many times a call whose worker died is sent to a new one."""

WORKER_SCRIPT = Path(__file__).with_name("jsworker.py")
_READ_BUFFER = 2**20
_STDERR_KEPT = 8192
_AVAILABLE = importlib.util.find_spec("py_mini_racer") is not None


class JSError(Exception):
    """A JavaScript call that failed as a whole, with the engine's text.

    ``error`` is the server's error name for the view query it fails.
    """

    error = "error"


class JSTimeoutError(JSError):
    """The call ran past :data:`CALL_TIMEOUT`."""

    error = "timeout"


class JSMemoryError(JSError):
    """The call passed :data:`MEMORY_LIMIT` or :data:`OUTPUT_LIMIT`."""


class JSEngineError(JSError):
    """The worker process could not start, or died during the call."""


_KINDS: dict[str, type[JSError]] = {"timeout": JSTimeoutError, "memory": JSMemoryError}


class _Collateral(Exception):
    """The call's worker was killed because another call overran it."""


def available() -> bool:
    """Whether the JavaScript engine is installed."""
    return _AVAILABLE


class CallCounter:
    """How many calls went to a worker, to wait on (tests: "the map is running")."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.sent = 0

    def bump(self) -> None:
        with self._changed:
            self.sent += 1
            self._changed.notify_all()

    def wait_beyond(self, count: int, timeout: float) -> bool:
        """Wait until more than ``count`` calls were sent; ``False`` on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self.sent > count, timeout)


CALLS = CallCounter()


# -- the worker ---------------------------------------------------------------


class _Channel:
    """One worker process and the calls in flight on it."""

    def __init__(self, proc: asyncio.subprocess.Process, owner: _Worker) -> None:
        self.proc = proc
        self.owner = owner
        self.pending: dict[int, asyncio.Future[tuple[dict[str, Any], bytes]]] = {}
        self.closed = False
        self.overrun = False
        self._seq = itertools.count(1)
        self._stderr_head = b""  # a V8 fatal error says why near the start
        self._stderr_tail = b""  # a Python traceback at the end
        self._write_lock = asyncio.Lock()
        self.reader = asyncio.ensure_future(self._run())

    @property
    def usable(self) -> bool:
        return not self.closed and not self.overrun

    def send_nowait(self, header: dict[str, Any]) -> None:
        if self.usable and self.proc.stdin is not None:
            self.proc.stdin.write(frame_head(header))

    async def call(self, header: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
        seq = header["seq"] = next(self._seq)
        reply: asyncio.Future[tuple[dict[str, Any], bytes]] = (
            asyncio.get_running_loop().create_future()
        )
        self.pending[seq] = reply
        try:
            async with self._write_lock:  # one drain at a time (Python 3.9)
                assert self.proc.stdin is not None
                self.proc.stdin.write(frame_head(header, len(payload)))
                self.proc.stdin.write(payload)
                try:
                    await self.proc.stdin.drain()
                except (ConnectionError, OSError):
                    pass  # the reader fails the call when it sees the end
            CALLS.bump()
            limit = header["timeout"]
            done, _ = await asyncio.wait({reply}, timeout=limit + KILL_GRACE)
            if not done:
                self.pending.pop(seq, None)
                self.kill()
                raise JSTimeoutError(f"the JavaScript ran for more than {limit:g} s")
            return reply.result()
        finally:
            self.pending.pop(seq, None)

    def kill(self) -> None:
        """Stop a worker that does not answer: its other calls are retried."""
        self.overrun = True
        if self.proc.returncode is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass

    async def _run(self) -> None:
        errors = asyncio.ensure_future(self._read_stderr())
        try:
            await self._read_replies()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, KeyError):
            pass
        finally:
            self.closed = True
            if self.owner.channel is self:
                self.owner.channel = None
            if self.proc.returncode is None:
                try:
                    self.proc.kill()
                except ProcessLookupError:
                    pass
            await self.proc.wait()
            try:  # its last words, for the error
                await asyncio.wait_for(errors, 2.0)
            except (Exception, asyncio.CancelledError):
                pass
            self._fail_pending()

    async def _read_replies(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        while True:
            prefix = await stdout.readexactly(FRAME.size)
            head_len, payload_len = FRAME.unpack(prefix)
            header = json.loads(await stdout.readexactly(head_len))
            payload = await stdout.readexactly(payload_len) if payload_len else b""
            reply = self.pending.pop(header["seq"], None)
            if reply is not None and not reply.done():
                reply.set_result((header, payload))

    async def _read_stderr(self) -> None:
        stderr = self.proc.stderr
        assert stderr is not None
        while True:
            chunk = await stderr.read(_STDERR_KEPT)
            if not chunk:
                return
            if len(self._stderr_head) < _STDERR_KEPT:
                self._stderr_head += chunk[:_STDERR_KEPT - len(self._stderr_head)]
            self._stderr_tail = (self._stderr_tail + chunk)[-_STDERR_KEPT:]

    def _fail_pending(self) -> None:
        pending, self.pending = self.pending, {}
        error: Exception
        if self.overrun:
            error = _Collateral()
        else:
            error = JSEngineError(self.death())
        for reply in pending.values():
            if not reply.done():
                reply.set_exception(error)

    def death(self) -> str:
        """Why the worker stopped, from its exit status and its last words."""
        code = self.proc.returncode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        head, tail = (
            [line.strip(" #\r") for line in part.decode("utf-8", "replace").splitlines()]
            for part in (self._stderr_head, self._stderr_tail)
        )
        said = next((line for line in head if line.startswith("Fatal")), "")
        if not said:
            said = next((line for line in reversed(tail) if "Error" in line),
                        next((line for line in reversed(tail) if line), ""))
        return f"the JavaScript engine stopped ({how})" + (f": {said}" if said else "")


class _Worker:
    """The worker process of one event loop, started again when it dies."""

    def __init__(self) -> None:
        self.channel: Optional[_Channel] = None
        self.started = 0
        self._starting: Optional[asyncio.Future[_Channel]] = None

    async def current(self) -> _Channel:
        channel = self.channel
        if channel is not None and channel.usable:
            return channel
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._start())
        starting = self._starting
        try:
            return await asyncio.shield(starting)
        finally:
            if self._starting is starting and starting.done():
                self._starting = None

    async def _start(self) -> _Channel:
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, str(WORKER_SCRIPT),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, limit=_READ_BUFFER,
            )
        except OSError as exc:
            raise JSEngineError(f"the JavaScript engine did not start: {exc}") from None
        self.channel = _Channel(proc, self)
        self.started += 1
        return self.channel

    async def call(self, header: dict[str, Any], payload: bytes = b"") -> tuple[dict[str, Any],
                                                                               bytes]:
        """Send one call; a call whose worker died is tried again, up to
        :data:`CRASH_RETRIES` times. A worker's death fails every call it was
        running, and which of them killed it cannot be told: on a loaded machine
        a replacement can die of another design document's call too."""
        for attempt in range(CRASH_RETRIES + 1):
            last = attempt == CRASH_RETRIES
            channel = await self.current()
            try:
                reply, out = await channel.call(dict(header), payload)
            except _Collateral:
                if last:
                    raise JSEngineError(
                        f"the JavaScript engine was restarted {attempt} times") from None
                continue
            except JSEngineError:
                if last:
                    raise
                continue
            if "error" in reply:
                raise _KINDS.get(reply.get("kind", ""), JSError)(reply["error"])
            return reply, out
        raise AssertionError("unreachable")

    @property
    def pid(self) -> Optional[int]:
        channel = self.channel
        return None if channel is None or not channel.usable else channel.proc.pid


_WORKERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Worker] = (
    weakref.WeakKeyDictionary()
)
_WORKERS_LOCK = threading.Lock()


def _worker(create: bool = True) -> Optional[_Worker]:
    """The running loop's worker (its process is started by its first call)."""
    loop = asyncio.get_running_loop()
    with _WORKERS_LOCK:
        worker = _WORKERS.get(loop)
        if worker is None and create:
            if not _AVAILABLE:
                raise JSError("views need a JavaScript engine: "
                              "pip install 'couchbase-pure[views]' (mini-racer)")
            worker = _WORKERS[loop] = _Worker()
        return worker


def worker_pid() -> Optional[int]:
    """The pid of the running loop's worker process (``None``: not running)."""
    worker = _worker(create=False)
    return None if worker is None else worker.pid


# -- the API --------------------------------------------------------------------

_IDS = itertools.count(1)


class Runtime:
    """A V8 context with the views environment, in the worker process.

    The context is made there by its first call and again after the worker
    is started again; :meth:`close` frees it.
    """

    def __init__(self, maps: Optional[list[str]] = None,
                 reduces: Optional[dict[str, str]] = None) -> None:
        self.id = next(_IDS)
        self._sources = {"maps": list(maps or ()), "reduces": dict(reduces or {})}
        self._worker: Optional[_Worker] = None

    async def _call(self, op: str, payload: bytes = b"", **fields: Any) -> tuple[dict[str, Any],
                                                                                bytes]:
        worker = _worker()
        assert worker is not None
        self._worker = worker
        header = {"op": op, "id": self.id, **self._sources, "timeout": CALL_TIMEOUT,
                  "memory": MEMORY_LIMIT, **fields}
        return await worker.call(header, payload)

    async def check(self, source: Any) -> Optional[str]:
        """``None`` if ``source`` is a function expression, else the error."""
        return (await check_functions([source]))[0]

    def close(self) -> None:
        """Free the context in the worker (call it on the worker's loop)."""
        worker, self._worker = self._worker, None
        if worker is None or worker.channel is None:
            return
        try:
            if _worker(create=False) is not worker:
                return
        except RuntimeError:  # no running loop: the worker's context stays
            return
        worker.channel.send_nowait({"op": "drop", "id": self.id})


class MapRunner(Runtime):
    """The map functions of one design document (and its custom reduces)."""

    def __init__(self, maps: list[str], reduces: dict[str, str]) -> None:
        super().__init__(maps, reduces)

    async def map_batch(self, items_json: str) -> str:
        """Run every map on each ``[doc, meta]`` of a JSON array.

        ``doc`` is the document's text; when ``meta.type`` is ``"json"`` the
        engine parses it, and if it is not JSON passes it in base64 with
        type ``"base64"`` (a value that is not UTF-8 comes in base64 already).
        Returns JSON: one entry per document, one per view in it: the emitted rows as
        ``[key, value, key as JSON, value as JSON]``, or a string, the error
        the map function threw. Raises :class:`JSError` when the batch fails
        as a whole (a limit, the engine's death).
        """
        _reply, out = await self._call("map", items_json.encode(), output=OUTPUT_LIMIT)
        return out.decode()

    async def reduce_batch(self, view: str, groups_json: str, chunk: int) -> list[Any]:
        """Reduce each group of ``[key, docid, value]`` rows: the function runs
        on chunks of ``chunk`` rows, then re-reduces the partial results."""
        _reply, out = await self._call("reduce", groups_json.encode(), view=view, chunk=chunk)
        values: list[Any] = json.loads(out)
        return values


async def check_functions(sources: list[Any]) -> list[Optional[str]]:
    """Compile each source alone: ``None`` for a JavaScript function, else the
    error. One call for all; raises :class:`JSError` if the call fails."""
    texts = [s for s in sources if isinstance(s, str)]
    errors: list[str] = []
    if texts:
        worker = _worker()
        assert worker is not None
        reply, _out = await worker.call({"op": "check", "sources": texts,
                                         "timeout": CALL_TIMEOUT, "memory": MEMORY_LIMIT})
        errors = reply["errors"]
    found = iter(errors)
    return [(next(found) or None) if isinstance(s, str) else "not a string" for s in sources]


async def check_function(source: Any) -> Optional[str]:
    """Compile ``source`` alone: ``None`` if it is a JavaScript function."""
    return (await check_functions([source]))[0]
