"""What a transaction hands back: :class:`TransactionResult` from ``run`` and
:class:`TransactionGetResult` from ``ctx.get`` / ``ctx.insert`` / ``ctx.replace``."""

from __future__ import annotations

import copy
from typing import Any, Optional

from .._results4x import ContentProxy


class TransactionResult:
    """A transaction that committed: ``transaction_id``, and ``unstaging_complete``
    (False when the commit point was passed but some staged writes are left for the
    cleanup to finish; the transaction is committed either way)."""

    __slots__ = ("transaction_id", "unstaging_complete")

    def __init__(self, transaction_id: str, unstaging_complete: bool) -> None:
        self.transaction_id = transaction_id
        self.unstaging_complete = unstaging_complete

    def __repr__(self) -> str:
        return (f"TransactionResult(transaction_id={self.transaction_id!r}, "
                f"unstaging_complete={self.unstaging_complete})")


class TransactionGetResult:
    """A document as the transaction sees it: ``id``, ``cas``, ``content_as[dict]``.
    Pass it to ``ctx.replace`` / ``ctx.remove``."""

    __slots__ = ("_collection", "_key", "_cas", "_content", "_txn", "_flags")

    def __init__(self, collection: Any, key: str, cas: int, content: Any,
                 txn: Optional[dict[str, Any]] = None, flags: Optional[int] = None) -> None:
        self._collection = collection
        self._key = key
        self._cas = cas
        self._content = content  # decoded by the get's transcoder (JSON by default)
        self._txn = txn  # the document's "txn" xattr when it was read
        self._flags = flags  # the flags of the content read or written

    @property
    def id(self) -> str:
        return self._key

    key = id

    @property
    def cas(self) -> int:
        return self._cas

    @property
    def content_as(self) -> ContentProxy:
        """``content_as[dict]`` (``content_as[bytes]`` for a document read with
        ``TransactionGetOptions(transcoder=RawBinaryTranscoder())``): the content,
        converted; a copy, so changing it changes nothing staged."""
        return ContentProxy(copy.deepcopy(self._content))

    @property
    def value(self) -> Any:
        return copy.deepcopy(self._content)

    @property
    def collection(self) -> Any:
        return self._collection

    def __repr__(self) -> str:
        return f"TransactionGetResult(id={self._key!r}, cas={self._cas})"


__all__ = ["TransactionGetResult", "TransactionResult"]
