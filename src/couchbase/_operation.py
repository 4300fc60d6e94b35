"""A key-value operation on its way: what to send, and how its answer becomes a result.

The API layer makes an :class:`Operation` for every key-value call (single,
multi, or a step of a flow); front ends and drivers carry it and never look
inside ``args``. The helpers here turn answers into results the same way for
every front end.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

from ._core.packet import Packet
from ._core.request import Request
from ._public_errors import to_public
from .exceptions import CouchbaseError, InternalError
from .items import Item
from .result import MultiResult, OperationResult, Result, ValueResult

Finish = Callable[..., Any]
Answer = Union[Packet, BaseException]  # what a batch gets per request: a response or an error


class Operation:
    """One request and the function that turns its response into the result.

    ``finish(key, packet, *args)`` returns the result or raises the
    operation's exception; ``item`` is the application's
    :class:`~couchbase.items.Item` the outcome is written into, if any.
    """

    __slots__ = ("key", "req", "finish", "args", "item")

    def __init__(self, key: Any, req: Request, finish: Finish, *args: Any) -> None:
        self.key = key
        self.req = req
        self.finish = finish
        self.args = args
        self.item: Optional[Item] = None

    def result(self, pkt: Packet) -> Any:
        """The result for response ``pkt`` (or the operation's exception, raised).

        A response carries a status where a request has its vbucket: the
        vbucket the request went to is put there, for the mutation token.
        """
        pkt.vbucket = self.req.vbucket
        return self.finish(self.key, pkt, *self.args)

    def __repr__(self) -> str:
        return f"Operation(key={self.key!r}, opcode=0x{self.req.opcode:02x})"


Done = Callable[[Any, Optional[BaseException]], Any]  # (result, None) or (None, error)


def failed(op: Operation, exc: BaseException) -> BaseException:
    """What ``op`` raises when it got no answer (timeout, lost connection): ``exc``,
    unless its finish function says otherwise (``finish.on_error(op, exc)``: the 4.x
    API's classes, see :mod:`couchbase._kv4x`)."""
    on_error = getattr(op.finish, "on_error", None)
    return exc if on_error is None else on_error(op, exc)


def complete(op: Operation, done: Done, pkt: Optional[Packet],
             error: Optional[BaseException]) -> None:
    """Deliver ``op``'s outcome to a callback: ``done(result, None)`` or
    ``done(None, exception)``. ``partial(complete, op, done)`` is what a cluster
    driver calls back with ``(packet, error)``.

    Whatever finishing the response raises fails this operation only: a
    response that cannot be decoded must not take its connection down.
    """
    if error is not None:
        done(None, failed(op, to_public(error)))
        return
    assert pkt is not None  # (there is a packet whenever there is no error)
    try:
        result = op.result(pkt)
    except Exception as exc:
        done(None, exc)
        return
    done(result, None)


def finish_batch(ops: list[Operation], answers: list[Answer],
                 ) -> tuple[list[Result], Optional[CouchbaseError]]:
    """Results of a batch, in order, and the first error a non-quiet operation raised.

    ``answers`` holds, per operation, its response or the error that kept it
    from completing. Results of failed operations carry their ``rc``; items
    get their outcome written in.
    """
    results: list[Result] = []
    first: Optional[CouchbaseError] = None
    for op, answer in zip(ops, answers):
        key = op.key
        exc: Optional[CouchbaseError] = None
        if isinstance(answer, BaseException):
            exc = _couchbase_error(failed(op, answer), key)
            result: Result = ValueResult(key, exc.rc)
        else:
            try:
                # op.result(answer), written out: this runs for every key of a batch
                answer.vbucket = op.req.vbucket
                result = op.finish(key, answer, *op.args)
            except Exception as err:
                exc = _couchbase_error(err, key)
                result = exc.result if exc.result is not None else ValueResult(key, exc.rc)
        if exc is not None and first is None:
            first = type(exc)(exc.message, key=key, rc=exc.rc, status=exc.status,
                              server_status=exc.server_status,
                              inner_cause=exc.inner_cause, objextra=exc.objextra)
        if op.item is not None:
            result = _into_item(op.item, result)
        results.append(result)
    return results, first


def _couchbase_error(exc: BaseException, key: Any) -> CouchbaseError:
    """A batch reports per key: anything else than a CouchbaseError is wrapped in one."""
    exc = to_public(exc)
    if isinstance(exc, CouchbaseError):
        return exc
    return InternalError(f"finishing the operation failed: {exc!r}", key=key, inner_cause=exc)


def multi_result(ops: list[Operation], results: list[Result],
                 error: Optional[CouchbaseError]) -> MultiResult:
    """Gather a batch's results by key; raise ``error`` carrying them as ``all_results``."""
    return keyed_result([op.key for op in ops], results, error)


def keyed_result(keys: Any, results: list[Result],
                 error: Optional[CouchbaseError]) -> MultiResult:
    """:func:`multi_result` for a batch given as its keys (in the results' order)."""
    # MultiResult._add for each result, in bulk (a repeated key: the last one stays)
    out = MultiResult(zip(keys, results))
    for result in results:
        if result.rc:
            out.all_ok = False
            break
    if error is not None:
        error.all_results = out
        raise error
    return out


def _into_item(item: Item, result: Result) -> Item:
    """Write an operation's outcome into the application's item."""
    item.rc = result.rc
    if isinstance(result, OperationResult) and result.cas:
        item.cas = result.cas
    if type(result) is ValueResult and result.rc == 0:  # a retrieval: the item gets the value
        item.value = result.value
        item.flags = result.flags
    return item


__all__ = ["Answer", "Done", "Operation", "complete", "failed", "finish_batch", "keyed_result",
           "multi_result"]
