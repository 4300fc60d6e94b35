"""Views on Twisted: ``queryAll`` (a Deferred of every row), ``queryEx`` (rows streamed
into an :class:`~couchbase.asynchronous.view.AsyncViewBase`) and the design
document methods, returning Deferreds.

The flows are the sync API's; :class:`FlowRunner` answers their commands
from reactor callbacks.
"""

from __future__ import annotations

from typing import Any, Callable, Generator, Optional

from twisted.internet import defer
from twisted.internet import error as twisted_errors
from twisted.internet.protocol import ClientFactory, Protocol
from twisted.python.failure import Failure

from couchbase._http.commands import Connect, Emit, Endpoint, Receive, Wait
from couchbase.exceptions import ConnectError, NetworkError
from couchbase.exceptions import TimeoutError as CBTimeoutError
from couchbase.views.iterator import View

Flow = Generator[Any, Any, Any]
_PAUSE_ABOVE = 1 << 20  # stop reading while this much received data waits for the flow
_CLEAN = Failure(twisted_errors.ConnectionDone())


class _Conn(Protocol):
    """One HTTP connection: buffers what arrives until the flow asks for it."""

    def __init__(self, runner: FlowRunner, data: bytes, where: str) -> None:
        self.runner = runner
        self.data = data
        self.where = where
        self.chunks: list[bytes] = []
        self.buffered = 0
        self.paused = False
        self.closed = False
        self.error: Optional[BaseException] = None

    def connectionMade(self) -> None:
        transport: Any = self.transport
        transport.write(self.data)
        self.data = b""

    def dataReceived(self, data: bytes) -> None:
        self.chunks.append(data)
        self.buffered += len(data)
        if self.buffered > _PAUSE_ABOVE and not self.paused:
            self.paused = True
            transport: Any = self.transport
            transport.pauseProducing()
        self.runner._ready(self)

    def connectionLost(self, reason: Failure = _CLEAN) -> None:
        self.closed = True
        if reason.check(twisted_errors.ConnectionDone) is None:
            self.error = NetworkError(f"HTTP connection to {self.where} lost: "
                                      f"{reason.getErrorMessage()}")
        self.runner._ready(self)

    def failed(self, reason: Failure) -> None:
        self.closed = True
        self.error = ConnectError(f"could not connect to {self.where}: "
                                  f"{reason.getErrorMessage()}")
        self.runner._ready(self)

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        self.buffered = 0
        transport: Any = self.transport
        if self.paused and transport is not None:
            self.paused = False
            transport.resumeProducing()
        return data

    def close(self) -> None:
        transport: Any = self.transport
        if transport is not None and not self.closed:
            transport.loseConnection()


class _Factory(ClientFactory):
    def __init__(self, conn: _Conn) -> None:
        self.conn = conn

    def buildProtocol(self, addr: Any) -> _Conn:
        return self.conn

    def clientConnectionFailed(self, connector: Any, reason: Failure) -> None:
        self.conn.failed(reason)


class FlowRunner:
    """Runs one HTTP flow on the reactor: ``on_rows(rows)`` for each Emit, then
    ``ok(result)`` or ``fail(exception)``."""

    def __init__(self, bucket: Any, flow: Flow, on_rows: Optional[Callable[[Any], Any]],
                 ok: Callable[[Any], Any], fail: Callable[[BaseException], Any]) -> None:
        self.bucket = bucket
        self.reactor = bucket._reactor
        self.flow = flow
        self.on_rows = on_rows
        self.ok = ok
        self.fail = fail
        self.conn: Optional[_Conn] = None
        self.timeout = 75.0
        self.waiting = False
        self.timer: Any = None
        self.finished = False

    def start(self) -> None:
        self._step(None, None)

    def _step(self, reply: Any, error: Optional[BaseException]) -> None:
        """Send the flow its answer, then answer what it asks while answers are at hand."""
        flow = self.flow
        while True:
            try:
                command = flow.throw(error) if error is not None else flow.send(reply)
            except StopIteration as stop:
                self._end()
                self.ok(stop.value)
                return
            except Exception as exc:
                self._end()
                self.fail(exc)
                return
            reply = error = None
            if isinstance(command, Receive):
                conn = self.conn
                assert conn is not None
                if conn.chunks:
                    reply = conn.take()
                elif conn.error is not None:
                    error, conn.error = conn.error, None
                elif conn.closed:
                    reply = b""
                else:
                    self.waiting = True
                    self.timer = self.reactor.callLater(self.timeout, self._expired, conn)
                    return
            elif isinstance(command, Emit):
                if self.on_rows is not None:
                    try:
                        self.on_rows(command.rows)
                    except Exception as exc:
                        error = exc
            elif isinstance(command, Connect):
                try:
                    self._connect(command.endpoint, command.data)
                except Exception as exc:
                    error = exc
            elif isinstance(command, list):
                self.bucket._submit_batch(command, lambda out: self._step(out, None))
                return
            elif isinstance(command, Wait):
                self.reactor.callLater(command.seconds, self._step, None, None)
                return
            else:
                error = TypeError(f"unknown HTTP flow command {command!r}")

    def _connect(self, endpoint: Endpoint, data: bytes) -> None:
        if self.conn is not None:
            self.conn.close()
        where = f"{endpoint.host}:{endpoint.port}"
        self.conn = conn = _Conn(self, data, where)
        self.timeout = endpoint.timeout
        factory = _Factory(conn)
        if endpoint.tls is None:
            self.reactor.connectTCP(endpoint.host, endpoint.port, factory,
                                    timeout=endpoint.timeout)
        else:
            options = self.bucket._cluster.backend._tls_options(endpoint.host)
            self.reactor.connectSSL(endpoint.host, endpoint.port, factory, options,
                                    timeout=endpoint.timeout)

    def _ready(self, conn: _Conn) -> None:
        """Data, an error or the end arrived on ``conn``."""
        if conn is not self.conn or not self.waiting:
            return
        self.waiting = False
        self.timer.cancel()
        if conn.chunks:
            self._step(conn.take(), None)
        elif conn.error is not None:
            error, conn.error = conn.error, None
            self._step(None, error)
        else:
            self._step(b"", None)

    def _expired(self, conn: _Conn) -> None:
        if conn is self.conn and self.waiting:
            self.waiting = False
            self._step(None, CBTimeoutError(f"no response from {conn.where} in "
                                            f"{self.timeout}s"))

    def _end(self) -> None:
        self.finished = True
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class TxViews:
    """The view methods of the Twisted buckets (mixed in before ``BucketBase``)."""

    _when_up: Callable[..., Any]

    def _http_deferred(self, start: Callable[[Callable[[Any], Any],
                                              Callable[[BaseException], Any]], None]) -> Any:
        d: defer.Deferred[Any] = defer.Deferred()

        def run() -> None:
            try:
                start(d.callback, d.errback)
            except Exception:
                d.errback()

        self._when_up(run, d.errback)
        return d

    def _http_drive(self, flow: Flow) -> Any:
        """Design documents: a Deferred firing with the HttpResult."""
        return self._http_deferred(
            lambda ok, fail: FlowRunner(self, flow, None, ok, fail).start())

    def queryAll(self, design: str, view: str, use_devmode: bool = False,
                 **params: Any) -> Any:
        """A Deferred firing with a list of every row of the view query (options as
        for the sync ``query``)."""
        try:
            query = View(self, design, view, use_devmode=use_devmode, **params)
        except Exception:
            return defer.fail()
        rows: list[Any] = []
        return self._http_deferred(lambda ok, fail: FlowRunner(
            self, query._start(), rows.extend, lambda _: ok(rows), fail).start())

    def query(self, design: str, view: str, use_devmode: bool = False, **params: Any) -> Any:
        """As :meth:`queryAll`: on Twisted a query gives its rows at once, in a Deferred."""
        return self.queryAll(design, view, use_devmode, **params)

    def queryEx(self, cls: Any, design: str, view: str, **params: Any) -> Any:
        """Stream the rows of a view query into a new ``cls(self, design, view,
        **params)`` (an :class:`~couchbase.asynchronous.view.AsyncViewBase`
        subclass): its on_rows, then on_done or on_error. Returns that object."""
        handler = cls(self, design, view, **params)
        handler.start()
        return handler

    def _start_async_view(self, handler: Any) -> None:
        def run() -> None:
            try:
                flow = handler._start()
            except Exception as exc:
                handler.on_error(exc)
                return
            FlowRunner(self, flow, handler.on_rows, lambda _: handler.on_done(),
                       handler.on_error).start()

        self._when_up(run, handler.on_error)
