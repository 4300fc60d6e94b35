"""``acouchbase.management.search``: the :mod:`couchbase.management.search` classes. A
manager reached from an asyncio cluster or bucket (``cluster.search_indexes()``) returns
awaitables: one class for every front end."""

from __future__ import annotations

from couchbase.management.search import (
    ScopeSearchIndexManager,
    SearchIndex,
    SearchIndexManager,
)

__all__ = ["ScopeSearchIndexManager", "SearchIndex", "SearchIndexManager"]
