"""``acouchbase.management.views``: the :mod:`couchbase.management.views` classes. A
manager reached from an asyncio cluster or bucket (``bucket.view_indexes()``) returns
awaitables: one class for every front end."""

from __future__ import annotations

from couchbase.management.views import (
    DesignDocument,
    DesignDocumentNamespace,
    View,
    ViewIndexManager,
)

__all__ = ["DesignDocument", "DesignDocumentNamespace", "View", "ViewIndexManager"]
