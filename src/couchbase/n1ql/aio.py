"""N1QL on asyncio: ``async for row in bucket.n1ql_query(...)``."""

from __future__ import annotations

from typing import Any, AsyncIterator

from .request import N1QLRequest


class AsyncioN1QLRequest(N1QLRequest):
    """The rows of a N1QL request for asyncio, iterated with ``async for``.

    The request goes out when iteration starts; :attr:`meta` and the other
    metadata are set once the last row arrived.
    """

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._parent._rows(self._start())

    def __iter__(self) -> Any:
        raise TypeError("an asyncio N1QL request is iterated with 'async for'")

    @property
    def meta(self) -> dict[str, Any]:
        """Everything in the response but the rows (empty until the rows were read)."""
        return self._meta or {}

    async def all(self) -> list[Any]:
        """Every row, in a list."""
        return [row async for row in self]

    async def execute(self) -> AsyncioN1QLRequest:  # type: ignore[override]
        """Run the query, discarding its rows."""
        async for _ in self:
            pass
        return self

    async def get_single_result(self) -> Any:
        """The first row (None if there is none)."""
        rows = await self.all()
        return rows[0] if rows else None

    def rows(self) -> AsyncIterator[Any]:  # type: ignore[override]
        return self.__aiter__()
