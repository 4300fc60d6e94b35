"""4.x data structures: a JSON document used as a list, map, set or queue.

``collection.couchbase_list("key")`` (``couchbase_map``, ``couchbase_set``,
``couchbase_queue``) returns one; each call is one sub-document operation on the
document (created on first write). They wait the synchronous way (sync API and
gevent); asyncio and Twisted applications use the collection's
``list_*``/``map_*``/``set_*``/``queue_*`` helpers, which return their front
end's awaitable or Deferred.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

from ._errors4x import DocumentNotFoundException, InvalidArgumentException
from .exceptions import NotFoundError, QueueEmpty

if TYPE_CHECKING:
    from .collection import Collection


class _Structure:
    _default: Any = list

    def __init__(self, key: str, collection: Collection) -> None:
        self._key = key
        self._collection = collection

    def _all(self) -> Any:
        try:
            return self._collection.get(self._key).content_as[type(self._default())]
        except DocumentNotFoundException:
            return self._default()

    def size(self) -> int:
        try:
            return int(getattr(self._collection, self._size)(self._key))
        except NotFoundError:
            return 0

    _size = "list_size"

    def clear(self) -> None:
        """Remove the whole structure (its document)."""
        try:
            self._collection.remove(self._key)
        except DocumentNotFoundException:
            pass

    def __len__(self) -> int:
        return self.size()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._key!r})"


class CouchbaseList(_Structure):
    """A JSON array: ``append``, ``prepend``, ``set_at``, ``get_at``, ``remove_at``,
    ``index_of``, ``get_all``, ``size``, ``clear``, iteration."""

    def append(self, value: Any) -> None:
        self._collection.list_append(self._key, value, create=True)

    def prepend(self, value: Any) -> None:
        self._collection.list_prepend(self._key, value, create=True)

    def set_at(self, index: int, value: Any) -> None:
        self._collection.list_set(self._key, index, value)

    def get_at(self, index: int) -> Any:
        return self._collection.list_get(self._key, index).value

    def remove_at(self, index: int) -> None:
        self._collection.list_remove(self._key, index)

    def index_of(self, value: Any) -> int:
        items = self._all()
        return items.index(value) if value in items else -1

    def get_all(self) -> list[Any]:
        return list(self._all())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._all())


class CouchbaseMap(_Structure):
    """A JSON object: ``add``, ``get``, ``remove``, ``exists``, ``keys``, ``values``,
    ``items``, ``get_all``, ``size``, ``clear``."""

    _default = dict
    _size = "map_size"

    def add(self, mapkey: str, value: Any) -> None:
        self._collection.map_add(self._key, mapkey, value, create=True)

    def get(self, mapkey: str) -> Any:
        return self._collection.map_get(self._key, mapkey).value

    def remove(self, mapkey: str) -> None:
        self._collection.map_remove(self._key, mapkey)

    def exists(self, mapkey: str) -> bool:
        return mapkey in self._all()

    def keys(self) -> list[str]:
        return list(self._all().keys())

    def values(self) -> list[Any]:
        return list(self._all().values())

    def items(self) -> Iterator[tuple[str, Any]]:
        return iter(self._all().items())

    def get_all(self) -> dict[str, Any]:
        return dict(self._all())


class CouchbaseSet(_Structure):
    """A JSON array of unique scalars: ``add``, ``remove``, ``contains``, ``values``,
    ``size``, ``clear``."""

    _size = "set_size"

    def add(self, value: Any) -> bool:
        """Add ``value``; False if it was there already."""
        result = self._collection.set_add(self._key, value, create=True)
        return result is not None and getattr(result, "success", True)

    def remove(self, value: Any) -> None:
        self._collection.set_remove(self._key, value)

    def contains(self, value: Any) -> bool:
        found = self._collection.set_contains(self._key, value)
        return bool(getattr(found, "value", found))

    def values(self) -> list[Any]:
        return list(self._all())


class CouchbaseQueue(_Structure):
    """A FIFO queue in a JSON array: ``push``, ``pop`` (QueueEmpty when empty),
    ``size``, ``clear``."""

    _size = "queue_size"

    def push(self, value: Any) -> None:
        self._collection.queue_push(self._key, value, create=True)

    def pop(self) -> Any:
        try:
            return self._collection.queue_pop(self._key).value
        except (NotFoundError, QueueEmpty):
            raise QueueEmpty("the queue is empty") from None

    def __iter__(self) -> Iterator[Any]:
        while True:
            try:
                yield self.pop()
            except QueueEmpty:
                return


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not key:
        raise InvalidArgumentException(message=f"a data structure needs a key, not {key!r}")
    return key


__all__ = ["CouchbaseList", "CouchbaseMap", "CouchbaseQueue", "CouchbaseSet"]
