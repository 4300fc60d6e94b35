"""What a flow asks its driver for: the one command vocabulary of every front end.

A flow is a generator. It yields a command, the driver carries it out the
front end's way (blocking the thread, awaiting, or from reactor callbacks)
and sends the reply back in, or throws in the error that kept it from
completing. The flow's return value is the operation's result.

==========================  ====================================================
command                     reply
==========================  ====================================================
an ``Operation``            its result (the operation's finish applied), or its
                            error thrown in (:mod:`couchbase._operation`)
a list of ``Operation``     ``(results, first error)``: run as one pipelined batch
:class:`EachNode`           ``{(host, port): probe}``: a probe's request went to
                            every KV node and it read the answers
:class:`Sleep`              ``None``, after ``seconds``
:class:`Connect`            ``None``: the flow's connection (a new one, replacing
                            any earlier) is open and ``data`` written on it
:data:`RECEIVE`             the next bytes of that connection; ``b""`` once the
                            server closed it; TimeoutError after ``timeout``
                            seconds without any
:class:`Emit`               ``None``: ``rows`` went to the application (the sync
                            iterator yields them, asyncio's ``async for``,
                            Twisted's ``on_rows``)
:class:`OpenNode`           the :class:`~couchbase._core.bootstrap.Session` of a
                            new KV connection to the node, bootstrapped by
                            ``deadline``; the driver keeps it as that node's
==========================  ====================================================

Operations and batches are defined by the API layer; everything here is
plain data, so flows can be tested by answering their commands by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, NamedTuple, Optional, Protocol

if TYPE_CHECKING:
    from .packet import Packet


class Endpoint(NamedTuple):
    """An HTTP service of a node and the credentials to use on it."""

    host: str
    port: int
    tls: Any  # the ssl.SSLContext of the bucket's connections, or None
    username: str
    password: str
    timeout: float  # seconds without any bytes from the server before giving up


class Connect:
    __slots__ = ("endpoint", "data")

    def __init__(self, endpoint: Endpoint, data: bytes) -> None:
        self.endpoint = endpoint
        self.data = data

    def __repr__(self) -> str:
        return f"Connect({self.endpoint.host}:{self.endpoint.port}, {len(self.data)} bytes)"


class Receive:
    __slots__ = ()

    def __repr__(self) -> str:
        return "RECEIVE"


RECEIVE = Receive()


class Emit:
    __slots__ = ("rows",)

    def __init__(self, rows: Iterable[Any]) -> None:
        self.rows = rows


class Sleep:
    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __repr__(self) -> str:
        return f"Sleep({self.seconds})"


class NodeProbe(Protocol):
    """A request to one KV node and the reading of its answer (sans-IO): STAT
    (:class:`~couchbase._core.stats.StatsCollector`), a ping's NOOP."""

    error: Optional[BaseException]  # set by the driver when the node failed (tolerant)

    def request(self, opaque: int) -> bytes: ...

    def feed(self, pkt: Packet) -> bool:
        """Take one response with the request's opaque; True once it has all."""


class EachNode:
    """Run a probe on every KV node of the cluster map, at once. ``make("host:port")``
    makes each node's probe, or None to leave that node out (the reply has no entry
    for it). Unless ``tolerant``, the first node that fails fails the command;
    tolerant, a failed node's probe gets the error in ``error``. ``timeout``: seconds
    to wait for the answers (None: the bucket's timeout)."""

    __slots__ = ("make", "tolerant", "timeout")

    def __init__(self, make: Callable[[str], Optional[NodeProbe]], tolerant: bool = False,
                 timeout: Optional[float] = None) -> None:
        self.make = make
        self.tolerant = tolerant
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"EachNode({self.make!r}, tolerant={self.tolerant})"


class OpenNode:
    __slots__ = ("host", "port", "deadline")

    def __init__(self, host: str, port: int, deadline: float) -> None:
        self.host = host
        self.port = port
        self.deadline = deadline  # on the driver's clock (time.monotonic)

    def __repr__(self) -> str:
        return f"OpenNode({self.host}:{self.port})"


__all__ = ["RECEIVE", "Connect", "EachNode", "Emit", "Endpoint", "NodeProbe", "OpenNode",
           "Receive", "Sleep"]
