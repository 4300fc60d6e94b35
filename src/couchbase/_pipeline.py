"""``Bucket.pipeline()``: batch operations of different kinds into one round of writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Optional, Union

from ._operation import Operation
from .exceptions import CouchbaseError, PipelineError
from .result import MultiResult, Result

if TYPE_CHECKING:
    from ._blocking_frontend import BlockingFrontEnd


class PendingResult:
    """Stands for a result until the pipeline has run, then behaves like it."""

    __slots__ = ("_result",)

    def __init__(self) -> None:
        self._result: Optional[Result] = None

    def __getattr__(self, name: str) -> Any:
        result = object.__getattribute__(self, "_result")
        if result is None:
            raise PipelineError(f"the pipeline has not run yet: {name} is not known")
        return getattr(result, name)

    def __repr__(self) -> str:
        return repr(self._result) if self._result is not None else "PendingResult<not run>"


Target = Union[PendingResult, MultiResult]


class Pipeline:
    """Collects operations issued inside ``with bucket.pipeline():`` and runs them at exit.

    Operations inside the block return placeholders that become their results
    when the block ends; ``results`` lists them in order. At exit the first
    failure is raised (its ``all_results`` is this pipeline's results), unless
    the operation was quiet. If the block raises, what it queued before still
    runs, and the block's exception is the one that propagates. View queries
    are refused inside the block (:class:`PipelineError`). Multi-step
    operations (durability, replica reads, observe, stats) are not batched:
    they run at once.
    """

    def __init__(self, bucket: BlockingFrontEnd) -> None:
        self._bucket = bucket
        self._queued: list[tuple[Operation, Target]] = []
        self.results: list[Any] = []

    def add(self, op: Operation) -> PendingResult:
        pending = PendingResult()
        self._queued.append((op, pending))
        return pending

    def add_multi(self, ops: list[Operation]) -> MultiResult:
        out = MultiResult()
        self._queued.extend((op, out) for op in ops)
        return out

    def __enter__(self) -> Pipeline:
        if self._bucket._pipeline is not None:
            raise PipelineError("a pipeline is already active on this bucket")
        self._bucket._pipeline = self
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self._bucket._pipeline = None
        if not self._queued:
            return
        # What was queued before an exception in the block still runs (as 2.x
        # had already scheduled it); then that exception goes on, not ours.
        queued, self._queued = self._queued, []
        results, error = self._bucket._complete([op for op, _ in queued])
        for (op, target), result in zip(queued, results):
            if isinstance(target, PendingResult):
                target._result = result
                self.results.append(result)
            else:
                target._add(op.key, result)
                if target not in self.results:
                    self.results.append(target)
        if error is not None and exc_type is None:
            error.all_results = self.results
            raise error

    def __iter__(self) -> Iterator[Any]:
        return iter(self.results)


__all__ = ["Pipeline", "PendingResult", "CouchbaseError"]
