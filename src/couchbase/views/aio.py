"""Views on asyncio: ``async for row in bucket.query(...)``."""

from __future__ import annotations

from typing import Any, AsyncIterator

from .iterator import View


class AsyncioView(View):
    """The rows of a view query for asyncio: ``async for row in bucket.query(...)``.

    The request goes out when iteration starts; options as for
    :class:`~couchbase.views.iterator.View`.
    """

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._parent._rows(self._start())

    def __iter__(self) -> Any:
        raise TypeError("an asyncio view is iterated with 'async for'")

    async def all(self) -> list[Any]:
        """Every row, in a list."""
        return [row async for row in self]


__all__ = ["AsyncioView"]
