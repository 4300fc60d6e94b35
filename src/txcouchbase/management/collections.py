"""``txcouchbase.management.collections``: the :mod:`couchbase.management.collections`
classes. A manager reached from a Twisted cluster or bucket (``bucket.collections()``)
returns Deferreds: one class for every front end."""

from __future__ import annotations

from couchbase.management.collections import (
    CollectionManager,
    CollectionSpec,
    CreateCollectionSettings,
    ScopeSpec,
    UpdateCollectionSettings,
)

__all__ = ["CollectionManager", "CollectionSpec", "CreateCollectionSettings",
           "ScopeSpec", "UpdateCollectionSettings"]
