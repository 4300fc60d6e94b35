"""Search on asyncio: ``async for hit in bucket.search(...)``."""

from __future__ import annotations

from typing import Any, AsyncIterator

from .request import SearchRequest


class AsyncioSearchRequest(SearchRequest):
    """The hits of a search for asyncio, iterated with ``async for``.

    The request goes out when iteration starts; :attr:`meta`,
    :attr:`total_hits`, :attr:`facets`... are set once the last hit arrived.
    """

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._parent._rows(self._start())

    def __iter__(self) -> Any:
        raise TypeError("an asyncio search is iterated with 'async for'")

    @property
    def meta(self) -> dict[str, Any]:
        """Everything in the response but the hits (empty until the hits were read)."""
        return self._meta or {}

    async def all(self) -> list[Any]:
        """Every hit, in a list."""
        return [hit async for hit in self]

    async def execute(self) -> AsyncioSearchRequest:  # type: ignore[override]
        """Run the search, discarding the hits (for the facets)."""
        async for _ in self:
            pass
        return self
