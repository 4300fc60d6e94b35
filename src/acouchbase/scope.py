"""The 4.x ``acouchbase.scope`` names: a scope of an asyncio bucket.

Its ``query``/``search_query``/``analytics_query`` return their results at once,
read with ``async for``; its collections' methods return awaitables.
"""

from __future__ import annotations

from couchbase.scope import Scope

AsyncScope = Scope

__all__ = ["AsyncScope", "Scope"]
