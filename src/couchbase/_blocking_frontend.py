"""The hooks of the front ends that wait by blocking: the sync Bucket (its thread
blocks) and gevent's (only its greenlet does).

They differ in what answers their requests (``BlockingFrontEnd._io``: the
sync cluster itself, or gevent's event-loop cluster behind a hub waiter)
and in their guard (a lock for the sync API's ``lockmode``; none for
greenlets, which share a bucket by design). Everything else, pipelines
included, is here once.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from ._core.bootstrap import Session
from ._core.commands import EachNode, Endpoint
from ._core.packet import Packet
from ._core.request import Request
from ._operation import Answer, Operation, failed, finish_batch, multi_result
from ._pipeline import Pipeline
from ._waiting import BlockingIO, BlockingLink, Flow, NodeReply, drive_blocking, wait_blocking
from .exceptions import CouchbaseError, ObjectDestroyedError
from .result import MultiResult, Result


class _NotConnected:
    """The ``_io`` of a bucket whose constructor did not get as far as connecting."""

    def __getattr__(self, name: str) -> Any:
        raise ObjectDestroyedError("not connected")


NOT_CONNECTED: Any = _NotConnected()


class GuardedIO:
    """A :class:`~couchbase._waiting.BlockingIO` whose key-value commands each hold the
    bucket's guard: a flow's steps interleave with other threads' operations."""

    __slots__ = ("io", "guard")

    def __init__(self, io: BlockingIO, guard: Any) -> None:
        self.io = io
        self.guard = guard

    def execute(self, req: Request) -> Packet:
        with self.guard:
            return self.io.execute(req)

    def execute_multi(self, reqs: list[Request]) -> list[Answer]:
        with self.guard:
            return self.io.execute_multi(reqs)

    def each_node(self, command: EachNode) -> NodeReply:
        with self.guard:
            return self.io.each_node(command)

    def sleep(self, seconds: float) -> None:
        self.io.sleep(seconds)

    def open_node(self, host: str, port: int, deadline: float) -> Session:
        with self.guard:
            return self.io.open_node(host, port, deadline)

    def open_http(self, endpoint: Endpoint, data: bytes) -> BlockingLink:
        return self.io.open_http(endpoint, data)


class BlockingFrontEnd:
    """``_run``, ``_run_multi``, ``_drive``, ``_rows`` and ``pipeline()`` for the
    blocking front ends (mixed in before :class:`~couchbase._bucketbase.BucketBase`)."""

    _pipeline: Optional[Pipeline]
    _guard: Any  # entered around every key-value request
    # What answers requests (set by the front end's _open); it refuses them with
    # ObjectDestroyedError once closed, so the fast path needs no check of its own.
    _io: BlockingIO = NOT_CONNECTED
    close: Any  # BucketBase's (or the front end's own)

    # -- the hooks (couchbase._bucketbase.FrontEnd) -----------------------------------
    def _run(self, op: Operation) -> Any:
        """Execute one operation (or queue it in the active pipeline)."""
        pipeline = self._pipeline
        if pipeline is not None:
            return pipeline.add(op)
        with self._guard:
            try:
                pkt = self._io.execute(op.req)
            except CouchbaseError as exc:
                error = failed(op, exc)
                if error is exc:
                    raise
                raise error from exc
        # op.result(pkt), written out (one frame fewer on every sync call)
        pkt.vbucket = op.req.vbucket
        return op.finish(op.key, pkt, *op.args)

    def _complete(self, ops: list[Operation]) -> tuple[list[Result], Optional[CouchbaseError]]:
        """Execute operations in one pipelined batch: their results and the first error."""
        reqs = [op.req for op in ops]
        with self._guard:
            answers = self._io.execute_multi(reqs)
        return finish_batch(ops, answers)

    def _run_multi(self, ops: list[Operation], quiet: bool = False) -> MultiResult:
        pipeline = self._pipeline
        if pipeline is not None:
            return pipeline.add_multi(ops)
        results, error = self._complete(ops)
        return multi_result(ops, results, error)

    def _drive(self, flow: Flow) -> Any:
        """Run a flow to its result, blocking for each command (even inside a pipeline)."""
        return wait_blocking(flow, GuardedIO(self._io, self._guard))

    def _rows(self, flow: Flow) -> Iterator[Any]:
        return drive_blocking(flow, GuardedIO(self._io, self._guard))

    # -- the sync API's extras -----------------------------------------------------------
    def pipeline(self) -> Pipeline:
        """Batch the operations of a ``with`` block into one round of writes.

        >>> with cb.pipeline() as pipe:
        ...     cb.upsert("a", 1)
        ...     cb.get("b")
        >>> pipe.results
        """
        return Pipeline(self)

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


__all__ = ["BlockingFrontEnd", "GuardedIO"]
