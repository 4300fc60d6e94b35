"""``ctx.get_multi``: several documents read in one step of a transaction::

    res = ctx.get_multi([TransactionGetMultiSpec(coll, "a"), TransactionGetMultiSpec(coll, "b")])
    res.exists(1); res.content_as[dict](0)

Each document is read as ``ctx.get`` reads it (its staged content if the attempt
that staged it has committed). The read-skew detection modes are accepted and
not applied: the documents are read one after another.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Optional

from .._errors4x import DocumentNotFoundException, InvalidIndexException


class TransactionGetMultiMode(Enum):
    PRIORITISE_LATENCY = "prioritise_latency"
    DISABLE_READ_SKEW_DETECTION = "disable_read_skew_detection"
    PRIORITISE_READ_SKEW_DETECTION = "prioritise_read_skew_detection"


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


__all__ = ["TransactionGetMultiMode", "TransactionGetMultiResult", "TransactionGetMultiSpec"]
