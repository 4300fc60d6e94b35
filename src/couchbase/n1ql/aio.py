"""N1QL on asyncio: ``async for row in bucket.n1ql_query(...)``."""

from __future__ import annotations

from typing import Any, AsyncIterator

from .._rows_request import AsyncioRowsRequest
from .request import N1QLRequest


class AsyncioN1QLRequest(AsyncioRowsRequest, N1QLRequest):
    """The rows of a N1QL request for asyncio, iterated with ``async for``.

    The request goes out when iteration starts; :attr:`meta` and the other
    metadata are set once the last row arrived. ``await all()`` gives every
    row, ``await execute()`` runs the query and drops them.
    """

    _not_iterable = "an asyncio N1QL request is iterated with 'async for'"

    async def get_single_result(self) -> Any:
        """The first row (None if there is none)."""
        rows = await self.all()
        return rows[0] if rows else None

    def rows(self) -> AsyncIterator[Any]:  # type: ignore[override]
        return self.__aiter__()
