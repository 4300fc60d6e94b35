"""The 4.x asyncio data structures: ``collection.couchbase_list(key)`` (``_map``,
``_set``, ``_queue``) of an asyncio bucket's collection, every method a coroutine::

    items = collection.couchbase_list("tasks")
    await items.append("write")
    await items.get_all()            # ['write']
    async for task in items:
        ...

The logic is the blocking classes' (:mod:`couchbase.datastructures`): the same steps,
here awaiting what each collection call returned.
"""

from __future__ import annotations

import inspect
from typing import Any, AsyncIterator

from couchbase.datastructures import Step, Steps
from couchbase.exceptions import QueueEmpty


async def run_async(step: Step) -> Any:
    """Run a step, awaiting each collection call it yields (outcome or exception)."""
    try:
        pending = next(step)
        while True:
            if not inspect.isawaitable(pending):
                pending = step.send(pending)
                continue
            try:
                outcome = await pending
            except Exception as exc:  # the step decides (e.g. a missing document is empty)
                pending = step.throw(exc)
            else:
                pending = step.send(outcome)
    except StopIteration as stop:
        return stop.value


class _AsyncStructure(Steps):
    async def size(self) -> int:
        return int(await run_async(self._size_step()))

    async def clear(self) -> None:
        """Remove the whole structure (its document)."""
        await run_async(self._clear_step())


class CouchbaseList(_AsyncStructure):
    """A JSON array: ``append``, ``prepend``, ``set_at``, ``get_at``, ``remove_at``,
    ``index_of``, ``get_all``, ``size``, ``clear``, ``async for``."""

    async def append(self, value: Any) -> None:
        await run_async(self._call_step("list_append", value, create=True))

    async def prepend(self, value: Any) -> None:
        await run_async(self._call_step("list_prepend", value, create=True))

    async def set_at(self, index: int, value: Any) -> None:
        await run_async(self._call_step("list_set", index, value))

    async def get_at(self, index: int) -> Any:
        return await run_async(self._value_step("list_get", index))

    async def remove_at(self, index: int) -> None:
        await run_async(self._call_step("list_remove", index))

    async def index_of(self, value: Any) -> int:
        return int(await run_async(self._index_of_step(value)))

    async def get_all(self) -> list[Any]:
        return list(await run_async(self._list_step()))

    async def __aiter__(self) -> AsyncIterator[Any]:
        for value in await self.get_all():
            yield value


class CouchbaseMap(_AsyncStructure):
    """A JSON object: ``add``, ``get``, ``remove``, ``exists``, ``keys``, ``values``,
    ``items``, ``get_all``, ``size``, ``clear``."""

    _default = dict
    _size = "map_size"

    async def add(self, mapkey: str, value: Any) -> None:
        await run_async(self._call_step("map_add", mapkey, value, create=True))

    async def get(self, mapkey: str) -> Any:
        return await run_async(self._value_step("map_get", mapkey))

    async def remove(self, mapkey: str) -> None:
        await run_async(self._call_step("map_remove", mapkey))

    async def exists(self, key: str) -> bool:
        return bool(await run_async(self._exists_step(key)))

    async def keys(self) -> list[str]:
        return list(await run_async(self._keys_step()))

    async def values(self) -> list[Any]:
        return list(await run_async(self._values_step()))

    async def items(self) -> list[tuple[str, Any]]:
        return list(await run_async(self._items_step()))

    async def get_all(self) -> dict[str, Any]:
        return dict(await run_async(self._dict_step()))


class CouchbaseSet(_AsyncStructure):
    """A JSON array of unique scalars: ``add`` (False if it was there), ``remove``,
    ``contains``, ``values``, ``size``, ``clear``."""

    _size = "set_size"

    async def add(self, value: Any) -> bool:
        return bool(await run_async(self._add_step(value)))

    async def remove(self, value: Any) -> None:
        await run_async(self._call_step("set_remove", value))

    async def contains(self, value: Any) -> bool:
        return bool(await run_async(self._contains_step(value)))

    async def values(self) -> list[Any]:
        return list(await run_async(self._values_step()))


class CouchbaseQueue(_AsyncStructure):
    """A FIFO queue in a JSON array: ``push``, ``pop`` (QueueEmpty when empty), ``size``,
    ``clear``; ``async for`` pops until it is empty."""

    _size = "queue_size"

    async def push(self, value: Any) -> None:
        await run_async(self._call_step("queue_push", value, create=True))

    async def pop(self) -> Any:
        return await run_async(self._pop_step())

    async def __aiter__(self) -> AsyncIterator[Any]:
        while True:
            try:
                value = await self.pop()
            except QueueEmpty:
                return
            yield value


__all__ = ["CouchbaseList", "CouchbaseMap", "CouchbaseQueue", "CouchbaseSet", "run_async"]
