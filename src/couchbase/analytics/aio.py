"""Analytics on asyncio: ``async for row in bucket.analytics_query(...)``.

The classes are the analytics requests with the asyncio N1QL request's
iteration (``async for``, ``await all()``, ``await execute()``...).
"""

from __future__ import annotations

from ..n1ql.aio import AsyncioN1QLRequest
from .request import AnalyticsRequest, DeferredAnalyticsRequest


class AsyncioAnalyticsRequest(AnalyticsRequest, AsyncioN1QLRequest):
    """The rows of an analytics request for asyncio, iterated with ``async for``."""


class AsyncioDeferredAnalyticsRequest(DeferredAnalyticsRequest, AsyncioN1QLRequest):
    """The rows of a deferred analytics request for asyncio (``async for``)."""


__all__ = ["AsyncioAnalyticsRequest", "AsyncioDeferredAnalyticsRequest"]
