"""``txcouchbase.management.queries``: the :mod:`couchbase.management.queries` classes. A
manager reached from a Twisted cluster or bucket (``cluster.query_indexes()``) returns
Deferreds: one class for every front end."""

from __future__ import annotations

from couchbase.management.queries import (
    CollectionQueryIndexManager,
    QueryIndex,
    QueryIndexManager,
)

__all__ = ["CollectionQueryIndexManager", "QueryIndex", "QueryIndexManager"]
