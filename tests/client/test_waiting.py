"""The waiting drivers of couchbase._waiting, over fake I/O.

One scripted fake (:class:`Script`) decides every answer; it is the
BlockingIO itself, and :class:`CallbackFake` hands the same answers to
callbacks, either at once (inside the call), later (from a queue the test
drains) or alternating. Every behaviour shared by the drivers is checked on
each of them through a :class:`Driver` adapter: the blocking driver (directly
and over callbacks through BlockingOverCallbacks), the callback driver (answers
now, later, mixed) and the asyncio driver (answers now, or on the loop's next turn).
"""

from __future__ import annotations

import abc
import asyncio
import gc
import struct
import sys
from collections import deque
from typing import Any, Callable, Optional

import pytest

from couchbase._core import errors as core
from couchbase._core.commands import (
    RECEIVE,
    Connect,
    EachNode,
    Emit,
    Endpoint,
    OpenNode,
    Sleep,
)
from couchbase._core.opcode import Magic, Opcode
from couchbase._core.packet import Packet
from couchbase._core.request import Request
from couchbase._core.stats import StatsCollector
from couchbase._operation import Operation
from couchbase._waiting import (
    BlockingOverCallbacks,
    drive_async,
    drive_blocking,
    drive_callbacks,
    wait_async,
    wait_blocking,
)
from couchbase.exceptions import (
    AuthError,
    CouchbaseNetworkError,
    HTTPError,
    InternalError,
    LibcouchbaseError,
    NetworkError,
    NoMatchingServerError,
    NotFoundError,
    ProtocolError,
    TimeoutError,
)
from couchbase.result import ValueResult

EP1 = Endpoint("h1", 8092, None, "user", "pw", 2.5)
EP2 = Endpoint("h2", 8093, None, "user", "pw", 2.5)


# -- answers ---------------------------------------------------------------------------
def pkt(value: bytes = b"", status: int = 0, flags: int = 0, cas: int = 0) -> Packet:
    return Packet(Magic.RESPONSE, Opcode.GET, status=status, value=value,
                  extras=struct.pack(">I", flags), cas=cas)


def finish(key: Any, packet: Packet) -> ValueResult:
    """An operation's finish: status 1 is 'not found', anything else a value."""
    if packet.status == 1:
        raise NotFoundError("no such key", key=key, server_status=1)
    if packet.status == 2:
        raise ValueError("undecodable")
    (flags,) = struct.unpack(">I", packet.extras)
    return ValueResult(key, 0, cas=packet.cas, value=packet.value, flags=flags)


def get(key: str) -> Operation:
    return Operation(key, Request(Opcode.GET, key.encode()), finish)


class ScriptLink:
    """An HTTP link answering its chunks in order (b"" when none is left)."""

    def __init__(self, script: Script, index: int, chunks: list[Any]) -> None:
        self.script = script
        self.index = index
        self.chunks = deque(chunks)
        self.closed = 0

    def receive(self) -> bytes:
        self.script.log.append(("receive", self.index))
        chunk = self.chunks.popleft() if self.chunks else b""
        if isinstance(chunk, BaseException):
            raise chunk
        return chunk

    def close(self) -> None:
        self.script.log.append(("close", self.index))
        self.closed += 1


class Script:
    """What the fake IOs answer; also the BlockingIO itself.

    ``packets``: per execute, a Packet or an exception; ``batches``: per
    execute_multi, the answers or an exception; ``links``: per open_http, the
    link's chunks or an exception; ``raises``: method name -> exception its next
    call raises (sleep, each_node, open_node).
    """

    def __init__(self, packets: tuple[Any, ...] = (), batches: tuple[Any, ...] = (),
                 links: tuple[Any, ...] = (), raises: Optional[dict[str, Any]] = None,
                 stats: Any = None) -> None:
        self.packets = deque(packets)
        self.batches = deque(batches)
        self.link_chunks = deque(links)
        self.raises = dict(raises or {})
        self.stats_reply = stats if stats is not None else {("h1", 11210): [("pid", "7")]}
        self.session = object()
        self.log: list[tuple[Any, ...]] = []
        self.links: list[ScriptLink] = []
        self.on_call: Optional[Callable[[], None]] = None

    def _maybe_raise(self, name: str) -> None:
        if self.on_call is not None:
            self.on_call()
        exc = self.raises.pop(name, None)
        if exc is not None:
            raise exc

    def execute(self, req: Request) -> Packet:
        self.log.append(("execute", req.key))
        answer = self.packets.popleft()
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def execute_multi(self, reqs: list[Request]) -> list[Any]:
        self.log.append(("execute_multi", [req.key for req in reqs]))
        answers = self.batches.popleft()
        if isinstance(answers, BaseException):
            raise answers
        return answers

    def each_node(self, command: EachNode) -> Any:
        self.log.append(("each_node", command))
        self._maybe_raise("each_node")
        return self.stats_reply

    def sleep(self, seconds: float) -> None:
        self.log.append(("sleep", seconds))
        self._maybe_raise("sleep")

    def open_node(self, host: str, port: int, deadline: float) -> Any:
        self.log.append(("open_node", host, port, deadline))
        self._maybe_raise("open_node")
        return self.session

    def open_http(self, endpoint: Endpoint, data: bytes) -> ScriptLink:
        self.log.append(("open_http", endpoint.host, data))
        chunks = self.link_chunks.popleft() if self.link_chunks else []
        if isinstance(chunks, BaseException):
            raise chunks
        link = ScriptLink(self, len(self.links), chunks)
        self.links.append(link)
        return link


class CallbackLinkFake:
    def __init__(self, io: CallbackFake, link: ScriptLink) -> None:
        self.io = io
        self.link = link

    def receive(self, done: Callable[[Any, Any], None]) -> None:
        self.io._answer(self.link.receive, (), done)

    def close(self) -> None:
        self.link.close()


class CallbackFake:
    """A CallbackIO over a Script: ``mode`` "now" answers inside the call, "later"
    through ``schedule`` (default: a queue that :meth:`drain` empties), "mixed"
    alternates (the first answer at once)."""

    def __init__(self, script: Script, mode: str,
                 schedule: Optional[Callable[[Callable[[], None]], Any]] = None) -> None:
        self.script = script
        self.mode = mode
        self.queue: deque[Callable[[], None]] = deque()
        self.schedule = schedule if schedule is not None else self.queue.append
        self.calls = 0

    def _deliver(self, call: Callable[[], None]) -> None:
        self.calls += 1
        if self.mode == "now" or (self.mode == "mixed" and self.calls % 2):
            call()
        else:
            self.schedule(call)

    def _answer(self, fn: Callable[..., Any], args: tuple[Any, ...],
                done: Callable[[Any, Any], None]) -> None:
        try:
            reply, error = fn(*args), None
        except Exception as exc:
            reply, error = None, exc
        self._deliver(lambda: done(reply, error))

    def execute(self, req: Request, done: Callable[[Any, Any], None]) -> None:
        self._answer(self.script.execute, (req,), done)

    def execute_multi(self, reqs: list[Request], done: Callable[[list[Any]], None]) -> None:
        answers = self.script.execute_multi(reqs)
        self._deliver(lambda: done(answers))

    def each_node(self, command: EachNode, done: Callable[[Any, Any], None]) -> None:
        self._answer(self.script.each_node, (command,), done)

    def sleep(self, seconds: float, done: Callable[[Any, Any], None]) -> None:
        self._answer(self.script.sleep, (seconds,), done)

    def open_node(self, host: str, port: int, deadline: float,
                  done: Callable[[Any, Any], None]) -> None:
        self._answer(self.script.open_node, (host, port, deadline), done)

    def open_http(self, endpoint: Endpoint, data: bytes,
                  done: Callable[[Any, Any], None]) -> None:
        self._answer(lambda: CallbackLinkFake(self, self.script.open_http(endpoint, data)),
                     (), done)

    def step(self) -> None:
        self.queue.popleft()()

    def drain(self) -> None:
        while self.queue:
            self.step()


def queue_wait(io: CallbackFake) -> Callable[[Callable[..., None]], Any]:
    """BlockingOverCallbacks' ``wait``: start, then drain ``io``'s queue until done came."""

    def wait(start: Callable[..., None]) -> Any:
        box: list[tuple[Any, Any]] = []
        start(lambda reply, error: box.append((reply, error)))
        while not box:
            assert io.queue, "waiting for an answer that never comes"
            io.step()
        assert len(box) == 1
        reply, error = box[0]
        if error is not None:
            raise error
        return reply

    return wait


# -- one test body per driver --------------------------------------------------------------
class Driver(abc.ABC):
    name = ""
    iterates = False  # the consumer can stop early (blocking, async)

    @abc.abstractmethod
    def result(self, flow: Any, script: Script) -> Any:
        """Run ``flow`` to its result (rows dropped), raising its exception."""

    @abc.abstractmethod
    def rows(self, flow: Any, script: Script) -> list[Any]:
        """Run ``flow``, collecting the rows it emits, in order."""

    def first_rows(self, flow: Any, script: Script, count: int) -> list[Any]:
        """Take ``count`` rows, then stop iterating (drivers that iterate say how)."""
        raise TypeError(f"{self.name} pushes its rows: it cannot stop early")


class Blocking(Driver):
    name = "blocking"
    iterates = True

    def io(self, script: Script) -> Any:
        return script

    def result(self, flow: Any, script: Script) -> Any:
        return wait_blocking(flow, self.io(script))

    def rows(self, flow: Any, script: Script) -> list[Any]:
        return list(drive_blocking(flow, self.io(script)))

    def first_rows(self, flow: Any, script: Script, count: int) -> list[Any]:
        out = []
        rows = drive_blocking(flow, self.io(script))
        for row in rows:
            out.append(row)
            if len(out) == count:
                break
        del rows  # abandoned: CPython closes it now, PyPy when its GC runs
        gc.collect()
        return out


class BlockingOver(Blocking):
    name = "blocking-over-callbacks"

    def io(self, script: Script) -> Any:
        fake = CallbackFake(script, "later")
        return BlockingOverCallbacks(fake, queue_wait(fake))


class Callbacks(Driver):
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.name = f"callbacks-{mode}"

    def run(self, flow: Any, script: Script) -> tuple[list[list[Any]], Any]:
        io = CallbackFake(script, self.mode)
        outcomes: list[tuple[str, Any]] = []
        batches: list[list[Any]] = []
        drive_callbacks(flow, io, lambda result: outcomes.append(("ok", result)),
                        lambda exc: outcomes.append(("fail", exc)),
                        lambda rows: batches.append(list(rows)))
        io.drain()
        assert len(outcomes) == 1, outcomes  # ok or fail, exactly once
        kind, value = outcomes[0]
        if kind == "fail":
            assert isinstance(value, BaseException)
            raise value
        return batches, value

    def result(self, flow: Any, script: Script) -> Any:
        return self.run(flow, script)[1]

    def rows(self, flow: Any, script: Script) -> list[Any]:
        return [row for batch in self.run(flow, script)[0] for row in batch]


class Async(Driver):
    iterates = True

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.name = f"async-{mode}"

    def io(self, script: Script) -> CallbackFake:
        loop = asyncio.get_running_loop()
        return CallbackFake(script, self.mode, schedule=loop.call_soon)

    def result(self, flow: Any, script: Script) -> Any:
        async def main() -> Any:
            return await wait_async(flow, self.io(script))

        return asyncio.run(main())

    def rows(self, flow: Any, script: Script) -> list[Any]:
        async def main() -> list[Any]:
            return [row async for row in drive_async(flow, self.io(script))]

        return asyncio.run(main())

    def first_rows(self, flow: Any, script: Script, count: int) -> list[Any]:
        async def main() -> list[Any]:
            out = []
            async for row in drive_async(flow, self.io(script)):
                out.append(row)
                if len(out) == count:
                    break
            # (Python closes an async generator left by ``break`` a few loop turns later)
            for _ in range(20):
                if all(link.closed for link in script.links):
                    break
                await asyncio.sleep(0)
            return out

        return asyncio.run(main())


DRIVERS = [Blocking(), BlockingOver(), Callbacks("now"), Callbacks("later"),
           Callbacks("mixed"), Async("now"), Async("later")]


@pytest.fixture(params=DRIVERS, ids=lambda d: d.name)
def driver(request: pytest.FixtureRequest) -> Driver:
    return request.param


@pytest.fixture(params=[d for d in DRIVERS if d.iterates], ids=lambda d: d.name)
def iterating(request: pytest.FixtureRequest) -> Driver:
    return request.param


# -- results -------------------------------------------------------------------------------
def test_a_flow_without_commands_returns_its_result(driver: Driver) -> None:
    def flow():
        return {"answer": 42}
        yield  # unreachable: makes this a generator

    assert driver.result(flow(), Script()) == {"answer": 42}


def test_rows_are_dropped_by_the_result_runners(driver: Driver) -> None:
    def flow():
        yield Emit([1, 2])
        yield Sleep(0.1)
        return "done"

    assert driver.result(flow(), Script()) == "done"


def test_an_operation_is_answered_with_its_result(driver: Driver) -> None:
    seen = []

    def flow():
        first = yield get("a")
        seen.append(first)
        second = yield get("b")
        return first, second

    script = Script(packets=(pkt(b"va", flags=3, cas=11), pkt(b"vb", cas=12)))
    first, second = driver.result(flow(), script)
    assert isinstance(first, ValueResult)
    assert (first.key, first.value, first.flags, first.cas) == ("a", b"va", 3, 11)
    assert (second.key, second.value, second.cas) == ("b", b"vb", 12)
    assert seen == [first]
    assert script.log == [("execute", b"a"), ("execute", b"b")]


def test_an_operation_whose_finish_raises_throws_into_the_flow(driver: Driver) -> None:
    def flow():
        try:
            yield get("gone")
        except NotFoundError as exc:
            caught = exc
        try:
            yield get("bad")
        except ValueError as exc:
            return caught, exc, (yield get("ok"))

    script = Script(packets=(pkt(status=1), pkt(status=2), pkt(b"fine")))
    caught, bad, ok = driver.result(flow(), script)
    assert caught.key == "gone" and caught.server_status == 1
    assert str(bad) == "undecodable"
    assert ok.value == b"fine"


def test_a_batch_is_answered_with_results_and_the_first_error(driver: Driver) -> None:
    def flow():
        return (yield [get("k1"), get("k2"), get("k3"), get("k4")])

    slow = TimeoutError("slow", key="k3")
    script = Script(batches=([pkt(b"v1", flags=5), pkt(status=1), slow, pkt(status=2)],))
    results, first = driver.result(flow(), script)
    assert script.log == [("execute_multi", [b"k1", b"k2", b"k3", b"k4"])]
    assert [r.key for r in results] == ["k1", "k2", "k3", "k4"]
    assert (results[0].rc, results[0].value, results[0].flags) == (0, b"v1", 5)
    assert results[1].rc == NotFoundError.CODE
    assert results[2].rc == TimeoutError.CODE
    assert results[3].rc == InternalError.CODE  # a non-Couchbase error is wrapped
    assert type(first) is NotFoundError  # the first failure, not the later ones
    assert first.key == "k2" and first.server_status == 1


def test_a_batch_that_all_succeeds_has_no_error(driver: Driver) -> None:
    def flow():
        ok = yield [get("x"), get("y")]
        empty = yield []
        return ok, empty

    script = Script(batches=([pkt(b"1"), pkt(b"2")], []))
    (results, first), empty = driver.result(flow(), script)
    assert [r.value for r in results] == [b"1", b"2"] and first is None
    assert empty == ([], None)


# -- errors -----------------------------------------------------------------------------------
def _failing(kind: str) -> tuple[Any, Script]:
    """A command of ``kind`` and a script whose IO fails it with NetworkError."""
    error = NetworkError(f"{kind} failed")
    if kind == "operation":
        return get("k"), Script(packets=(error,))
    if kind == "connect":
        return Connect(EP1, b"GET /"), Script(links=(error,))
    if kind == "receive":
        return RECEIVE, Script(links=([error],))
    if kind == "sleep":
        return Sleep(1.5), Script(raises={"sleep": error})
    if kind == "each_node":
        return EachNode(StatsCollector), Script(raises={"each_node": error})
    assert kind == "open_node"
    return OpenNode("h9", 11210, 1.0), Script(raises={"open_node": error})


KINDS = ["operation", "connect", "receive", "sleep", "each_node", "open_node"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_io_error_is_thrown_into_the_flow_which_can_go_on(driver: Driver, kind: str) -> None:
    command, script = _failing(kind)
    script.packets.append(pkt(b"after"))

    def flow():
        if kind == "receive":
            yield Connect(EP1, b"")
        try:
            yield command
        except NetworkError as exc:
            caught = exc
        else:
            raise AssertionError("no error thrown in")
        return caught.message, (yield get("next")).value

    assert driver.result(flow(), script) == (f"{kind} failed", b"after")


@pytest.mark.parametrize("kind", KINDS)
def test_an_uncaught_io_error_leaves_the_driver_as_is(driver: Driver, kind: str) -> None:
    command, script = _failing(kind)
    closed = []

    def flow():
        try:
            if kind == "receive":
                yield Connect(EP1, b"")
            yield command
            yield Sleep(99)  # never reached
        finally:
            closed.append(True)

    with pytest.raises(NetworkError, match=f"{kind} failed"):
        driver.result(flow(), script)
    assert closed == [True]
    assert ("sleep", 99) not in script.log
    assert all(link.closed == 1 for link in script.links)


CORE_ERRORS = [
    (core.RemoteProtocolError("bad frame"), ProtocolError),
    (core.ConnectionClosed("peer went away"), NetworkError),
    (core.AuthenticationFailed("wrong password"), AuthError),
    (core.Timeout("bootstrap too slow"), TimeoutError),
    (core.NoRoute("no node for the key", key=b"kk"), NoMatchingServerError),
    (core.ServerError("STAT refused", status=0x20), LibcouchbaseError),
    (core.HttpStatusError("500 from the server", http_status=500), HTTPError),
]


@pytest.mark.parametrize("early", [True, False], ids=["first-step", "after-a-command"])
@pytest.mark.parametrize("error,public", CORE_ERRORS, ids=lambda v: type(v).__name__
                         if isinstance(v, BaseException) else v.__name__)
def test_a_core_error_leaves_as_the_documented_exception(
        driver: Driver, error: core.CoreError, public: type, early: bool) -> None:
    def flow():
        if not early:
            yield Sleep(0.5)
        raise error

    with pytest.raises(public) as info:
        driver.result(flow(), Script())
    exc = info.value
    assert type(exc) is public and not isinstance(exc, core.CoreError)
    assert exc.message == error.message and exc.inner_cause is error
    assert exc.server_status == error.status and exc.status == error.http_status
    if isinstance(error, core.NoRoute):
        assert exc.key == b"kk"


def test_a_core_error_from_the_io_left_uncaught_is_translated(driver: Driver) -> None:
    refused = core.ServerError("no such stat group", status=1)

    def flow():
        yield EachNode(StatsCollector)

    with pytest.raises(LibcouchbaseError) as info:
        driver.result(flow(), Script(raises={"each_node": refused}))
    assert info.value.inner_cause is refused and info.value.server_status == 1


@pytest.mark.parametrize("errors,public", [
    ([core.AuthenticationFailed("bad pw"), core.ConnectionClosed("eof")], AuthError),
    ([core.Timeout("slow"), core.AuthenticationFailed("bad pw")], TimeoutError),
    ([NetworkError("refused")], NetworkError),
    ([OSError("unreachable")], CouchbaseNetworkError),
    ([], CouchbaseNetworkError),
], ids=["auth-first", "timeout-first", "public-first", "oserror-first", "no-seeds"])
def test_bootstrap_failed_leaves_as_the_first_errors_class(
        driver: Driver, errors: list[BaseException], public: type) -> None:
    failure = core.BootstrapFailed("no seed answered: ...", errors)

    def flow():
        yield OpenNode("seed", 11210, 5.0)
        raise failure

    with pytest.raises(public) as info:
        driver.result(flow(), Script())
    exc = info.value
    assert type(exc) is public
    assert exc.message == "no seed answered: ..."  # every seed's reason, not the first one's
    # the cause is the first seed's error itself
    assert exc.inner_cause is (errors[0] if errors else None)


def test_an_exception_of_the_flow_leaves_unchanged(driver: Driver) -> None:
    boom = KeyError("boom")

    def flow():
        yield Sleep(0)
        raise boom

    with pytest.raises(KeyError) as info:
        driver.result(flow(), Script())
    assert info.value is boom


def test_an_unknown_command_is_a_type_error_thrown_into_the_flow(driver: Driver) -> None:
    class Strange:
        def __repr__(self) -> str:
            return "<strange>"

    def flow():
        try:
            yield Strange()
        except TypeError as exc:
            first = str(exc)
        try:
            yield (get("a"), get("b"))  # a tuple is not a batch
        except TypeError as exc:
            return first, str(exc), (yield Sleep(0.25))

    script = Script()
    first, second, slept = driver.result(flow(), script)
    assert "unknown flow command" in first and "<strange>" in first
    assert "unknown flow command" in second
    assert slept is None and script.log == [("sleep", 0.25)]


def test_an_unknown_command_left_uncaught_fails_the_driver(driver: Driver) -> None:
    def flow():
        yield 12345

    with pytest.raises(TypeError, match="12345"):
        driver.result(flow(), Script())


# -- the other commands -----------------------------------------------------------------------
def test_sleep_each_node_and_open_node_are_answered_by_their_methods(driver: Driver) -> None:
    probe = EachNode(StatsCollector)

    def flow():
        slept = yield Sleep(0.75)
        stats = yield probe
        session = yield OpenNode("node2", 11207, 123.5)
        return slept, stats, session

    script = Script(stats={("h1", 11210): [("mem_used", "10")], ("h2", 11210): []})
    slept, stats, session = driver.result(flow(), script)
    assert slept is None
    assert stats == {("h1", 11210): [("mem_used", "10")], ("h2", 11210): []}
    assert session is script.session
    assert script.log == [("sleep", 0.75), ("each_node", probe),
                          ("open_node", "node2", 11207, 123.5)]


# -- rows --------------------------------------------------------------------------------------
def test_rows_come_out_in_order(driver: Driver) -> None:
    def flow():
        yield Emit([1, 2])
        yield Sleep(0.1)
        yield Emit(iter([3]))
        yield Emit([])
        yield get("k")
        yield Emit(("four", {"five": 5}))
        return "end"

    assert driver.rows(flow(), Script(packets=(pkt(),))) == [1, 2, 3, "four", {"five": 5}]


def test_drive_blocking_returns_the_flows_result() -> None:
    def flow():
        yield Emit(["r"])
        return "the result"

    steps = drive_blocking(flow(), Script())
    assert next(steps) == "r"
    with pytest.raises(StopIteration) as info:
        next(steps)
    assert info.value.value == "the result"


def test_rows_are_streamed_before_the_next_command(iterating: Driver) -> None:
    script = Script()
    seen = []

    def flow():
        yield Emit(["a"])
        yield Sleep(1)
        yield Emit(["b"])
        yield Sleep(2)

    if isinstance(iterating, Async):
        async def main() -> None:
            async for row in drive_async(flow(), iterating.io(script)):
                seen.append((row, list(script.log)))

        asyncio.run(main())
    else:
        for row in drive_blocking(flow(), iterating.io(script)):
            seen.append((row, list(script.log)))
    assert seen == [("a", []), ("b", [("sleep", 1)])]
    assert script.log == [("sleep", 1), ("sleep", 2)]


def test_callbacks_hand_each_batch_to_on_rows_before_ok() -> None:
    events: list[Any] = []

    def flow():
        yield Emit([1, 2])
        yield Sleep(0)
        yield Emit([3])
        events.append("flow resumed")
        return "end"

    io = CallbackFake(Script(), "later")
    drive_callbacks(flow(), io, lambda result: events.append(("ok", result)),
                    lambda exc: events.append(("fail", exc)),
                    lambda rows: events.append(("rows", list(rows))))
    assert events == [("rows", [1, 2])]  # then waits for the sleep
    io.drain()
    assert events == [("rows", [1, 2]), ("rows", [3]), "flow resumed", ("ok", "end")]


def test_callbacks_without_on_rows_drop_the_rows() -> None:
    outcomes: list[Any] = []

    def flow():
        yield Emit([1])
        return "end"

    drive_callbacks(flow(), CallbackFake(Script(), "now"), outcomes.append, outcomes.append)
    assert outcomes == ["end"]


def test_an_error_of_on_rows_is_thrown_into_the_flow() -> None:
    outcomes: list[Any] = []
    refused = ValueError("the application refused the rows")

    def on_rows(rows: Any) -> None:
        if 2 in rows:
            raise refused

    def flow():
        yield Emit([1])
        try:
            yield Emit([2])
        except ValueError as exc:
            assert exc is refused
        yield Emit([2])  # not caught this time

    drive_callbacks(flow(), CallbackFake(Script(), "now"),
                    lambda result: outcomes.append(("ok", result)),
                    lambda exc: outcomes.append(("fail", exc)), on_rows)
    assert outcomes == [("fail", refused)]


# -- the HTTP link -----------------------------------------------------------------------------
def test_an_http_flow_connects_receives_and_closes_its_link(driver: Driver) -> None:
    def flow():
        connected = yield Connect(EP1, b"GET /query")
        chunks = []
        while True:
            chunk = yield RECEIVE
            if not chunk:
                break
            chunks.append(chunk)
            yield Emit([chunk.decode()])
        return connected, chunks

    script = Script(links=([b"one", b"two"],))
    assert driver.rows(flow(), script) == ["one", "two"]
    assert script.log == [("open_http", "h1", b"GET /query"), ("receive", 0), ("receive", 0),
                          ("receive", 0), ("close", 0)]
    script = Script(links=([b"one", b"two"],))
    assert driver.result(flow(), script) == (None, [b"one", b"two"])
    assert [link.closed for link in script.links] == [1]


def test_a_second_connect_closes_the_first_link(driver: Driver) -> None:
    def flow():
        first = yield Connect(EP1, b"first")
        a = yield RECEIVE
        second = yield Connect(EP2, b"second")
        b = yield RECEIVE
        return first, a, second, b

    script = Script(links=([b"from-1"], [b"from-2"]))
    assert driver.result(flow(), script) == (None, b"from-1", None, b"from-2")
    assert script.log == [("open_http", "h1", b"first"), ("receive", 0), ("close", 0),
                          ("open_http", "h2", b"second"), ("receive", 1), ("close", 1)]
    assert [link.closed for link in script.links] == [1, 1]


def test_a_failed_second_connect_leaves_no_link_open(driver: Driver) -> None:
    def flow():
        yield Connect(EP1, b"")
        try:
            yield Connect(EP2, b"")
        except NetworkError:
            pass
        try:
            yield RECEIVE  # the first link is gone, the second never came
        except Exception as exc:
            return str(exc)

    script = Script(links=([], NetworkError("refused")))
    assert "RECEIVE before CONNECT" in driver.result(flow(), script)
    assert [link.closed for link in script.links] == [1]


def test_receive_before_connect_is_an_error_thrown_into_the_flow(driver: Driver) -> None:
    def flow():
        try:
            yield RECEIVE
        except Exception as exc:
            return str(exc)

    script = Script()
    assert "RECEIVE before CONNECT" in driver.result(flow(), script)
    assert script.log == []


def test_the_link_is_closed_when_the_flow_fails(driver: Driver) -> None:
    def flow():
        yield Connect(EP1, b"")
        yield RECEIVE
        raise core.RemoteProtocolError("not HTTP")

    script = Script(links=([b"garbage"],))
    with pytest.raises(ProtocolError, match="not HTTP"):
        driver.result(flow(), script)
    assert [link.closed for link in script.links] == [1]
    assert script.log[-1] == ("close", 0)


def test_stopping_early_closes_the_link_and_the_flow(iterating: Driver) -> None:
    events = []

    def flow():
        try:
            yield Connect(EP1, b"")
            yield Emit([1, 2, 3])
            events.append("after the first rows")
            yield Emit([4])
        finally:
            events.append("flow closed")

    script = Script()
    running = flow()  # held here: the driver must close it, not garbage collection
    assert iterating.first_rows(running, script, 2) == [1, 2]
    assert events == ["flow closed"]
    assert [link.closed for link in script.links] == [1]


def _connect_then_rows(events: list[str]) -> Any:
    """A flow that opens a link and emits two rows, noting when it is closed."""
    try:
        yield Connect(EP1, b"")
        yield Emit([1, 2])
    finally:
        events.append("flow closed")


def test_closing_drive_blocking_closes_the_link_and_the_flow() -> None:
    events: list[str] = []
    script = Script()
    running = _connect_then_rows(events)
    steps = drive_blocking(running, script)
    assert next(steps) == 1
    steps.close()
    assert events == ["flow closed"] and script.links[0].closed == 1
    with pytest.raises(StopIteration):
        next(running)  # closed


def test_aclose_of_drive_async_closes_the_link_and_the_flow() -> None:
    events: list[str] = []
    script = Script()

    async def main() -> None:
        rows = drive_async(_connect_then_rows(events), CallbackFake(script, "now"))
        assert await rows.__anext__() == 1
        await rows.aclose()
        assert events == ["flow closed"]
        assert script.links[0].closed == 1

    asyncio.run(main())


def test_cancelling_wait_async_closes_the_link_and_the_flow() -> None:
    events = []

    def flow():
        try:
            yield Connect(EP1, b"")
            yield RECEIVE  # never answered before the cancel
        finally:
            events.append("flow closed")

    script = Script(links=([b"late"],))

    async def main() -> None:
        io = CallbackFake(script, "later")  # answers only when the test drains
        task = asyncio.ensure_future(wait_async(flow(), io))
        await asyncio.sleep(0)
        io.drain()  # connected; now waiting for RECEIVE
        for _ in range(3):
            await asyncio.sleep(0)
        assert script.log[-1] == ("receive", 0) and io.queue
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert events == ["flow closed"] and script.links[0].closed == 1
        io.drain()  # the answer arriving after the cancel is ignored

    asyncio.run(main())


def test_a_link_that_arrives_after_cancelling_is_closed() -> None:
    def flow():
        yield Connect(EP1, b"")

    script = Script()

    async def main() -> None:
        io = CallbackFake(script, "later")
        task = asyncio.ensure_future(wait_async(flow(), io))
        await asyncio.sleep(0)
        assert io.queue  # the connection is being opened
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        io.drain()  # now it is open
        assert script.links[0].closed == 1

    asyncio.run(main())


# -- the callback trampoline ------------------------------------------------------------------
def _frames() -> int:
    frame: Any = sys._getframe()
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def test_many_answers_in_a_row_do_not_grow_the_stack(driver: Driver) -> None:
    depths: list[int] = []
    count = 5000

    def flow():
        total = 0
        for i in range(count):
            if i % 2:
                yield Sleep(0)
            else:
                total += len((yield get("k")).value)
            yield Emit([])
        return total

    script = Script(packets=tuple(pkt(b"x") for _ in range(count // 2)))
    script.on_call = lambda: depths.append(_frames())
    assert driver.result(flow(), script) == count // 2
    assert len(depths) == count // 2
    assert max(depths) - min(depths) <= 3, (min(depths), max(depths))


def test_synchronous_answers_keep_one_callback_depth() -> None:
    depths: list[int] = []

    def flow():
        for _ in range(5000):
            yield Sleep(0)
        return "done"

    script = Script()
    script.on_call = lambda: depths.append(_frames())
    outcomes: list[Any] = []
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # nesting one call per answer would hit this at once
    try:
        drive_callbacks(flow(), CallbackFake(script, "now"), outcomes.append, outcomes.append)
    finally:
        sys.setrecursionlimit(limit)
    assert outcomes == ["done"]
    assert len(depths) == 5000 and len(set(depths)) == 1


def test_answers_arriving_later_resume_the_flow() -> None:
    progress: list[Any] = []
    outcomes: list[Any] = []

    def flow():
        progress.append("started")
        a = yield get("a")
        progress.append(a.value)
        yield Sleep(1)
        progress.append("slept")
        b = yield get("b")
        progress.append(b.value)
        return "finished"

    io = CallbackFake(Script(packets=(pkt(b"A"), pkt(b"B"))), "later")
    drive_callbacks(flow(), io, lambda r: outcomes.append(("ok", r)),
                    lambda e: outcomes.append(("fail", e)))
    assert progress == ["started"] and outcomes == [] and len(io.queue) == 1
    io.step()
    assert progress == ["started", b"A"] and outcomes == [] and len(io.queue) == 1
    io.step()
    assert progress == ["started", b"A", "slept"] and outcomes == []
    io.step()
    assert progress == ["started", b"A", "slept", b"B"]
    assert outcomes == [("ok", "finished")] and not io.queue


@pytest.mark.parametrize("mode", ["now", "later", "mixed"])
def test_fail_is_called_once_and_ok_never_after_a_failure(mode: str) -> None:
    calls: list[Any] = []
    boom = NetworkError("lost")

    def flow():
        for _ in range(3):
            try:
                yield Sleep(0)
            except NetworkError:
                pass
        yield get("k")
        yield Sleep(0)

    script = Script(packets=(boom,), raises={"sleep": NetworkError("first sleep")})
    io = CallbackFake(script, mode)
    drive_callbacks(flow(), io, lambda r: calls.append(("ok", r)),
                    lambda e: calls.append(("fail", e)))
    io.drain()
    assert calls == [("fail", boom)]
    assert script.log.count(("sleep", 0)) == 3  # the one after the failed get never ran


# -- BlockingOverCallbacks ---------------------------------------------------------------------
@pytest.fixture
def over() -> tuple[BlockingOverCallbacks, CallbackFake, Script]:
    script = Script(
        packets=(pkt(b"v"), NetworkError("kv down")),
        batches=([pkt(b"1"), TimeoutError("late")],),
        links=([b"chunk", NetworkError("reset")],),
        raises={"sleep": TimeoutError("no sleep"), "each_node": NetworkError("stats down")},
    )
    fake = CallbackFake(script, "later")
    return BlockingOverCallbacks(fake, queue_wait(fake)), fake, script


def test_blocking_over_callbacks_answers_each_method(over: Any) -> None:
    io, fake, script = over
    req = Request(Opcode.GET, b"k")
    assert io.execute(req).value == b"v"
    with pytest.raises(NetworkError, match="kv down"):
        io.execute(req)
    answers = io.execute_multi([req, Request(Opcode.GET, b"k2")])
    assert answers[0].value == b"1" and isinstance(answers[1], TimeoutError)
    probe = EachNode(StatsCollector)
    with pytest.raises(NetworkError, match="stats down"):
        io.each_node(probe)
    assert io.each_node(probe) == script.stats_reply
    with pytest.raises(TimeoutError, match="no sleep"):
        io.sleep(1)
    assert io.sleep(2) is None
    assert io.open_node("n", 1, 2.0) is script.session
    assert not fake.queue  # every answer was waited for
    assert script.log == [("execute", b"k"), ("execute", b"k"),
                          ("execute_multi", [b"k", b"k2"]), ("each_node", probe),
                          ("each_node", probe),
                          ("sleep", 1), ("sleep", 2), ("open_node", "n", 1, 2.0)]


def test_blocking_over_callbacks_http_link(over: Any) -> None:
    io, fake, script = over
    link = io.open_http(EP1, b"POST /")
    assert script.log == [("open_http", "h1", b"POST /")]
    assert link.receive() == b"chunk"
    with pytest.raises(NetworkError, match="reset"):
        link.receive()
    assert link.receive() == b""
    assert script.links[0].closed == 0
    link.close()
    assert script.links[0].closed == 1 and not fake.queue


def test_blocking_over_callbacks_raises_a_failed_connect() -> None:
    script = Script(links=(NetworkError("refused"),))
    fake = CallbackFake(script, "now")
    io = BlockingOverCallbacks(fake, queue_wait(fake))
    with pytest.raises(NetworkError, match="refused"):
        io.open_http(EP1, b"")
    assert script.links == []
