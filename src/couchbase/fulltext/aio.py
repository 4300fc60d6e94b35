"""Search on asyncio: ``async for hit in bucket.search(...)``."""

from __future__ import annotations

from .._rows_request import AsyncioRowsRequest
from .request import SearchRequest


class AsyncioSearchRequest(AsyncioRowsRequest, SearchRequest):
    """The hits of a search for asyncio, iterated with ``async for``.

    The request goes out when iteration starts; :attr:`meta`,
    :attr:`total_hits`, :attr:`facets`... are set once the last hit arrived.
    ``await all()`` gives every hit, ``await execute()`` runs the search and
    drops them (for the facets).
    """

    _not_iterable = "an asyncio search is iterated with 'async for'"
