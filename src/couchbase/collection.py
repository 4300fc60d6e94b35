"""Scopes and collections (SDK 3.x) over the Bucket's key-value methods.

A :class:`Collection` holds its bucket and a collection id, nothing else of
its own: it reads the bucket's settings (``quiet``, formats, ``timeout``...)
and uses its connections, so a change made on either is seen by both, and a
closed bucket's collections raise ObjectDestroyedError. The same class
serves every front end: its methods return what the bucket's would (values,
awaitables, Deferreds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._core.request import Request
from ._kvapi import KeyValueAPI
from ._operation import Finish, Operation
from .exceptions import ArgumentError

if TYPE_CHECKING:
    from ._bucketbase import BucketBase, Flow
    from ._core.cluster import ClusterBase

DEFAULT = "_default"


def _check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name or len(name) > 251:
        raise ArgumentError(f"{what} name must be a non-empty string, not {name!r}")
    return name


class Scope:
    """A scope of a bucket: ``bucket.scope("inventory").collection("airline")``."""

    def __init__(self, bucket: BucketBase, name: str) -> None:
        self._bucket = bucket
        self.name = _check_name(name, "scope")

    @property
    def bucket_name(self) -> str:
        return self._bucket.bucket

    def collection(self, name: str) -> Any:
        """The collection ``name`` of this scope (on asyncio: an awaitable of it)."""
        return self._bucket.collection(_check_name(name, "collection"), self.name)

    def __repr__(self) -> str:
        return f"Scope({self._bucket.bucket!r}, {self.name!r})"


class Collection(KeyValueAPI):
    """A collection: the bucket's key-value methods, with keys in this collection."""

    def __init__(self, bucket: BucketBase, scope: str, name: str, cid: int) -> None:
        self._parent = bucket  # keeps the bucket, which owns the connections, alive
        self._opts = bucket._opts  # shared, not copied
        self._settings = bucket._settings
        self._cid = cid
        self.scope_name = scope
        self.name = name

    def _op(self, key: Any, req: Request, finish: Finish, *args: Any) -> Operation:
        """The one place a request gets the collection id (see KeyValueAPI._op)."""
        req.cid = self._cid
        return Operation(key, req, finish, *args)

    # -- the bucket's hooks: collections wait the bucket's way ----------------------------
    def _run(self, op: Operation) -> Any:
        return self._parent._run(op)

    def _run_multi(self, ops: list[Operation], quiet: bool) -> Any:
        return self._parent._run_multi(ops, quiet)

    def _drive(self, flow: Flow) -> Any:
        return self._parent._drive(flow)

    def _live(self) -> ClusterBase[Any]:
        return self._parent._live()

    # -- what it is -------------------------------------------------------------------------
    @property
    def bucket(self) -> str:
        """The bucket's name."""
        return self._parent.bucket

    @property
    def closed(self) -> bool:
        return self._parent.closed

    def close(self) -> None:
        """Collections own no connections: close the bucket instead."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.bucket!r}, {self.scope_name!r}, {self.name!r})"


__all__ = ["Collection", "Scope"]
