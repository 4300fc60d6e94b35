"""The 4.x ``acouchbase.collection`` names: a collection of an asyncio bucket, whose
methods return awaitables (``scan`` returns its items to read with ``async for``)."""

from __future__ import annotations

from couchbase.collection import Collection

AsyncCollection = Collection

__all__ = ["AsyncCollection", "Collection"]
