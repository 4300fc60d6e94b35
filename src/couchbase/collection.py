"""Scopes and collections (SDK 3.x) over the Bucket's key-value methods."""

from __future__ import annotations

from typing import Any

from .bucket import Bucket
from .exceptions import ArgumentError

DEFAULT = "_default"


def _check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name or len(name) > 251:
        raise ArgumentError(f"{what} name must be a non-empty string, not {name!r}")
    return name


class Scope:
    """A scope of a bucket: ``bucket.scope("inventory").collection("airline")``."""

    def __init__(self, bucket: Any, name: str) -> None:
        self._bucket = bucket
        self.name = _check_name(name, "scope")

    @property
    def bucket_name(self) -> str:
        return self._bucket.bucket

    def collection(self, name: str) -> Any:
        """The collection ``name`` of this scope (front ends may return an awaitable)."""
        return self._bucket.collection(_check_name(name, "collection"), self.name)

    def __repr__(self) -> str:
        return f"Scope({self._bucket.bucket!r}, {self.name!r})"



class CollectionMixin:
    """A collection: a bucket's key-value methods, with keys in this collection.

    It shares the bucket's connections (front ends mix this into their Bucket
    class); closing the bucket closes it.
    """

    _cid: int
    _pipeline: Any
    bucket: str

    def __init__(self, bucket: Any, scope: str, name: str, cid: int) -> None:
        self.__dict__.update(bucket.__dict__)
        self._parent = bucket  # keeps the bucket, which owns the connections, alive
        self._cid = cid
        self._pipeline = None
        self.scope_name = scope
        self.name = name

    def close(self) -> None:
        """Collections own no connections: close the bucket instead."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.bucket!r}, {self.scope_name!r}, {self.name!r})"


class Collection(CollectionMixin, Bucket):
    """A collection of a synchronous :class:`~couchbase.bucket.Bucket`."""
