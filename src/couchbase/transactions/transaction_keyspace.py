"""Where a transaction's metadata (its ATRs) lives."""

from __future__ import annotations

from typing import Any, Optional


class TransactionKeyspace:
    """A collection for the ATRs: ``TransactionKeyspace(coll=collection)`` or
    ``TransactionKeyspace(bucket=..., scope=..., collection=...)``."""

    def __init__(self, coll: Any = None, bucket: Optional[str] = None,
                 scope: Optional[str] = None, collection: Optional[str] = None) -> None:
        if coll is not None:
            bucket, scope, collection = coll.bucket_name, coll.scope_name, coll.name
        if not bucket:
            from .._errors4x import InvalidArgumentException

            raise InvalidArgumentException(message="a TransactionKeyspace needs a collection "
                                           "or a bucket name")
        self._bucket = bucket
        self._scope = scope or "_default"
        self._collection = collection or "_default"

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def scope(self) -> str:
        return self._scope

    @property
    def collection(self) -> str:
        return self._collection

    def __repr__(self) -> str:
        return f"TransactionKeyspace({self._bucket}.{self._scope}.{self._collection})"
