"""``txcouchbase.management.views``: the :mod:`couchbase.management.views` classes. A
manager reached from a Twisted cluster or bucket (``bucket.view_indexes()``) returns
Deferreds: one class for every front end."""

from __future__ import annotations

from couchbase.management.views import (
    DesignDocument,
    DesignDocumentNamespace,
    View,
    ViewIndexManager,
)

__all__ = ["DesignDocument", "DesignDocumentNamespace", "View", "ViewIndexManager"]
