"""``ctx.get_multi``: several documents read in one step of a transaction::

    res = ctx.get_multi([TransactionGetMultiSpec(coll, "a"), TransactionGetMultiSpec(coll, "b")],
                        TransactionGetMultiOptions(mode=TransactionGetMultiMode.PRIORITISE_LATENCY))
    res.exists(1); res.content_as[dict](0)

Each document is read as ``ctx.get`` reads it (its staged content if the attempt
that staged it has committed); the reads are issued together (concurrently on
asyncio, one after another on the blocking driver). Then, unless the mode is
DISABLE_READ_SKEW_DETECTION, read skew is detected as the transactions protocol
describes: a transaction T1 committing while the documents are read could leave
some read before T1 (staged, T1 PENDING at the time) and some after (already
unstaged). So:

- no document read carries another attempt's staging: the reads are consistent;
- more than one other attempt: too complex to settle, every document is read again;
- one attempt T1: its ATR entry decides. PENDING or ABORTED: T1's changes are not
  visible, the reads stand. COMMITTED: every document T1 staged (its entry's
  lists, and those read with T1's staging) is read again, which now gives T1's
  content, once; the reads then stand. The entry is gone: T1 finished (or was
  cleaned up), so the documents read with its staging are read again once, then
  the reads stand. An entry that cannot be read: everything is read again.

Each round checks the time: PRIORITISE_LATENCY allows 100 ms for it,
PRIORITISE_READ_SKEW_DETECTION (the default) the transaction's time left; past it the
attempt fails as expired.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Optional

from .._errors4x import (
    DocumentNotFoundException,
    InvalidArgumentException,
    InvalidIndexException,
)
from ..options import OptionsBase
from . import fields as F
from .steps import Flow, Gather, Pause

if TYPE_CHECKING:  # pragma: no cover
    from .attempt import Attempt


class TransactionGetMultiMode(Enum):
    PRIORITISE_LATENCY = "prioritise_latency"
    DISABLE_READ_SKEW_DETECTION = "disable_read_skew_detection"
    PRIORITISE_READ_SKEW_DETECTION = "prioritise_read_skew_detection"


LATENCY_BUDGET = 0.1
"""Seconds PRIORITISE_LATENCY gives read-skew detection."""


class TransactionGetMultiOptions(OptionsBase):
    """``mode``: a :class:`TransactionGetMultiMode` (default
    PRIORITISE_READ_SKEW_DETECTION)."""


def mode_of(options: Any, kwargs: dict[str, Any]) -> TransactionGetMultiMode:
    """The mode of TransactionGetMultiOptions or the ``mode`` keyword."""
    if options is not None and not isinstance(options, dict):
        raise InvalidArgumentException(message="expected TransactionGetMultiOptions, not "
                                       f"{options!r}")
    mode = kwargs.get("mode", (options or {}).get("mode"))
    if mode is None:
        return TransactionGetMultiMode.PRIORITISE_READ_SKEW_DETECTION
    try:
        return TransactionGetMultiMode(mode.value if isinstance(mode, Enum) else mode)
    except ValueError:
        raise InvalidArgumentException(message=f"not a TransactionGetMultiMode: {mode!r}") \
            from None


@dataclass
class _Read:
    """One document as read: ``content`` ((value,) or None if missing) and the ``txn``
    staging it carried (None: none, or this attempt's own write)."""

    content: Optional[tuple[Any]]
    txn: Optional[dict[str, Any]]


def _read_one(attempt: Attempt, spec: TransactionGetMultiSpec) -> Flow:
    try:
        doc = yield from attempt.get(spec.collection, spec.id, spec.transcoder)
    except DocumentNotFoundException:
        return _Read(None, None)
    return _Read((doc._content,), doc._txn)


def _read(attempt: Attempt, specs: list[TransactionGetMultiSpec], reads: list[Any],
          indexes: list[int]) -> Flow:
    """(Re)read the specs at ``indexes`` into ``reads``, together."""
    got = yield Gather([_read_one(attempt, specs[i]) for i in indexes])
    for i, read in zip(indexes, got):
        reads[i] = read


def _attempt_of(read: _Read) -> Optional[str]:
    txn = read.txn or {}
    ids = txn.get("id") or {}
    return ids.get("atmpt") if isinstance(ids, dict) else None


def _in_entry(entry: Any, spec: TransactionGetMultiSpec) -> bool:
    coll = spec.collection
    for records in entry.docs.values():
        for r in records:
            if isinstance(r, dict) and r.get(F.DOC_ID) == spec.id \
                    and r.get(F.DOC_BUCKET) == coll.bucket_name \
                    and r.get(F.DOC_SCOPE, "_default") == coll.scope_name \
                    and r.get(F.DOC_COLLECTION, "_default") == coll.name:
                return True
    return False


def get_multi(attempt: Attempt, specs: list[TransactionGetMultiSpec],
              mode: TransactionGetMultiMode) -> Flow:
    """The flow of ``ctx.get_multi``: a :class:`TransactionGetMultiResult`."""
    from .attempt import OperationFailed, backoff

    everything = list(range(len(specs)))
    reads: list[Any] = [None] * len(specs)
    yield from _read(attempt, specs, reads, everything)
    if mode is TransactionGetMultiMode.DISABLE_READ_SKEW_DETECTION or attempt.query is not None:
        return _result(reads)
    deadline = attempt.deadline if mode is TransactionGetMultiMode.PRIORITISE_READ_SKEW_DETECTION \
        else time.monotonic() + LATENCY_BUDGET
    settled: Optional[str] = None  # T1 whose documents were read again once
    rounds = 0
    while True:
        if time.monotonic() >= deadline:
            raise OperationFailed("timeout while settling the read skew of get_multi",
                                  expired=True)
        if rounds:
            yield Pause(backoff(rounds))
        rounds += 1
        others = {_attempt_of(r) for r in reads} - {None, attempt.id}
        if not others:
            return _result(reads)
        if len(others) > 1:
            settled = None
            yield from _read(attempt, specs, reads, everything)
            continue
        (t1,) = others
        staged_by_t1 = [i for i, r in enumerate(reads) if _attempt_of(r) == t1]
        try:
            entry, _ = yield from attempt.atr_entry(reads[staged_by_t1[0]].txn)
        except Exception:  # noqa: BLE001 (an ATR that cannot be read: read everything again)
            settled = None
            yield from _read(attempt, specs, reads, everything)
            continue
        if entry is not None and entry.state in (F.PENDING, F.ABORTED):
            return _result(reads)
        if settled == t1 and (entry is None or entry.state == F.COMMITTED):
            return _result(reads)  # T1's documents were read after its commit point
        if entry is not None and entry.state != F.COMMITTED:  # (completed, rolled back)
            settled = None
            yield from _read(attempt, specs, reads, everything)
            continue
        again = set(staged_by_t1)
        if entry is not None:
            again.update(i for i, spec in enumerate(specs) if _in_entry(entry, spec))
        settled = t1
        yield from _read(attempt, specs, reads, sorted(again))


def _result(reads: list[_Read]) -> TransactionGetMultiResult:
    return TransactionGetMultiResult([r.content for r in reads])


@dataclass
class TransactionGetMultiSpec:
    """One document of a ``get_multi``: its collection and id."""

    collection: Any
    id: str
    transcoder: Optional[Any] = None


class TransactionGetMultiResult:
    """``exists(index)``; ``content_as[T](index)`` (DocumentNotFoundException for a
    document that does not exist; InvalidIndexException outside the specs)."""

    def __init__(self, contents: list[Any]) -> None:
        self._contents = contents  # per spec: the content, or None when missing

    def exists(self, index: int) -> bool:
        if not 0 <= index < len(self._contents):
            raise InvalidIndexException(message=f"no spec at index {index}")
        return self._contents[index] is not None

    @property
    def content_as(self) -> _MultiContent:
        def at(index: int) -> Any:
            if not self.exists(index):
                raise DocumentNotFoundException(message=f"no document at index {index}")
            return copy.deepcopy(self._contents[index][0])
        return _MultiContent(at)

    def __repr__(self) -> str:
        return f"TransactionGetMultiResult(content_list={[c and c[0] for c in self._contents]})"


class _MultiContent:
    def __init__(self, at: Callable[[int], Any]) -> None:
        self._at = at

    def __getitem__(self, type_: Callable[[Any], Any]) -> Callable[[int], Any]:
        return lambda index: type_(self._at(index))


__all__ = ["TransactionGetMultiMode", "TransactionGetMultiOptions", "TransactionGetMultiResult",
           "TransactionGetMultiSpec", "get_multi", "mode_of"]
