"""4.x data structures: a JSON document used as a list, map, set or queue.

``collection.couchbase_list("key")`` (``couchbase_map``, ``couchbase_set``,
``couchbase_queue``) returns one; each call is one sub-document operation on the
document (created on first write), through the collection's
``list_*``/``map_*``/``set_*``/``queue_*`` helpers.

Each method's logic is written once, as a *step*: a generator that yields what a
collection call returned and is sent back its outcome (or has its exception thrown
in). The classes here run steps the synchronous way (sync API and gevent: a call's
outcome is what it returned); :mod:`acouchbase.datastructures` awaits them instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generator, Iterator

from ._errors4x import DocumentNotFoundException, InvalidArgumentException
from .exceptions import NotFoundError, QueueEmpty

if TYPE_CHECKING:
    from .collection import Collection


Step = Generator[Any, Any, Any]


def run_sync(step: Step) -> Any:
    """Run a step whose collection calls have already happened (the blocking way)."""
    try:
        outcome = next(step)
        while True:
            outcome = step.send(outcome)
    except StopIteration as stop:
        return stop.value


class Steps:
    """A structure's key and collection, and its steps (the base of the blocking and
    the asyncio classes)."""

    _default: Any = list
    _size = "list_size"

    def __init__(self, key: str, collection: Collection) -> None:
        self._key = key
        self._collection = collection

    # -- steps (see the module docstring) ----------------------------------------------------
    def _all_step(self) -> Step:
        try:
            result = yield self._collection.get(self._key)
        except DocumentNotFoundException:
            return self._default()
        return result.content_as[type(self._default())]

    def _size_step(self) -> Step:
        try:
            return int((yield getattr(self._collection, self._size)(self._key)))
        except NotFoundError:
            return 0

    def _clear_step(self) -> Step:
        try:
            yield self._collection.remove(self._key)
        except DocumentNotFoundException:
            pass

    def _call_step(self, name: str, *args: Any, **kwargs: Any) -> Step:
        """One collection helper call, its outcome ignored."""
        yield getattr(self._collection, name)(self._key, *args, **kwargs)

    def _value_step(self, name: str, *args: Any) -> Step:
        """One collection helper call answering an Item: its value."""
        return (yield getattr(self._collection, name)(self._key, *args)).value

    def _list_step(self) -> Step:
        return list((yield from self._all_step()))

    # (list)
    def _index_of_step(self, value: Any) -> Step:
        items = yield from self._all_step()
        return items.index(value) if value in items else -1

    # (map)
    def _exists_step(self, mapkey: str) -> Step:
        return mapkey in (yield from self._all_step())

    def _keys_step(self) -> Step:
        return list((yield from self._all_step()).keys())

    def _values_step(self) -> Step:
        all_ = yield from self._all_step()
        return list(all_.values()) if isinstance(all_, dict) else list(all_)

    def _items_step(self) -> Step:
        return list((yield from self._all_step()).items())

    def _dict_step(self) -> Step:
        return dict((yield from self._all_step()))

    # (set)
    def _add_step(self, value: Any) -> Step:
        result = yield self._collection.set_add(self._key, value, create=True)
        return result is not None and getattr(result, "success", True)

    def _contains_step(self, value: Any) -> Step:
        found = yield self._collection.set_contains(self._key, value)
        return bool(getattr(found, "value", found))

    # (queue)
    def _pop_step(self) -> Step:
        try:
            return (yield self._collection.queue_pop(self._key)).value
        except (NotFoundError, QueueEmpty):
            raise QueueEmpty("the queue is empty") from None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._key!r})"


class _Structure(Steps):
    """The blocking way."""

    def size(self) -> int:
        return int(run_sync(self._size_step()))

    def clear(self) -> None:
        """Remove the whole structure (its document)."""
        run_sync(self._clear_step())

    def __len__(self) -> int:
        return self.size()


class CouchbaseList(_Structure):
    """A JSON array: ``append``, ``prepend``, ``set_at``, ``get_at``, ``remove_at``,
    ``index_of``, ``get_all``, ``size``, ``clear``, iteration."""

    def append(self, value: Any) -> None:
        run_sync(self._call_step("list_append", value, create=True))

    def prepend(self, value: Any) -> None:
        run_sync(self._call_step("list_prepend", value, create=True))

    def set_at(self, index: int, value: Any) -> None:
        run_sync(self._call_step("list_set", index, value))

    def get_at(self, index: int) -> Any:
        return run_sync(self._value_step("list_get", index))

    def remove_at(self, index: int) -> None:
        run_sync(self._call_step("list_remove", index))

    def index_of(self, value: Any) -> int:
        return int(run_sync(self._index_of_step(value)))

    def get_all(self) -> list[Any]:
        return list(run_sync(self._list_step()))

    def __iter__(self) -> Iterator[Any]:
        return iter(self.get_all())


class CouchbaseMap(_Structure):
    """A JSON object: ``add``, ``get``, ``remove``, ``exists``, ``keys``, ``values``,
    ``items``, ``get_all``, ``size``, ``clear``."""

    _default = dict
    _size = "map_size"

    def add(self, mapkey: str, value: Any) -> None:
        run_sync(self._call_step("map_add", mapkey, value, create=True))

    def get(self, mapkey: str) -> Any:
        return run_sync(self._value_step("map_get", mapkey))

    def remove(self, mapkey: str) -> None:
        run_sync(self._call_step("map_remove", mapkey))

    def exists(self, mapkey: str) -> bool:
        return bool(run_sync(self._exists_step(mapkey)))

    def keys(self) -> list[str]:
        return list(run_sync(self._keys_step()))

    def values(self) -> list[Any]:
        return list(run_sync(self._values_step()))

    def items(self) -> Iterator[tuple[str, Any]]:
        return iter(run_sync(self._items_step()))

    def get_all(self) -> dict[str, Any]:
        return dict(run_sync(self._dict_step()))


class CouchbaseSet(_Structure):
    """A JSON array of unique scalars: ``add``, ``remove``, ``contains``, ``values``,
    ``size``, ``clear``."""

    _size = "set_size"

    def add(self, value: Any) -> bool:
        """Add ``value``; False if it was there already."""
        return bool(run_sync(self._add_step(value)))

    def remove(self, value: Any) -> None:
        run_sync(self._call_step("set_remove", value))

    def contains(self, value: Any) -> bool:
        return bool(run_sync(self._contains_step(value)))

    def values(self) -> list[Any]:
        return list(run_sync(self._values_step()))


class CouchbaseQueue(_Structure):
    """A FIFO queue in a JSON array: ``push``, ``pop`` (QueueEmpty when empty),
    ``size``, ``clear``."""

    _size = "queue_size"

    def push(self, value: Any) -> None:
        run_sync(self._call_step("queue_push", value, create=True))

    def pop(self) -> Any:
        return run_sync(self._pop_step())

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


__all__ = ["CouchbaseList", "CouchbaseMap", "CouchbaseQueue", "CouchbaseSet", "Step", "Steps",
           "run_sync"]
