"""``acouchbase.management.analytics``: the :mod:`couchbase.management.analytics` classes. The
manager of a asyncio cluster returns awaitables (one class for every front end)."""

from __future__ import annotations

from couchbase.management.analytics import (
    AnalyticsDataset,
    AnalyticsDataType,
    AnalyticsIndex,
    AnalyticsIndexManager,
    AnalyticsLink,
    AnalyticsLinkType,
)

__all__ = ["AnalyticsDataType", "AnalyticsDataset", "AnalyticsIndex", "AnalyticsIndexManager",
           "AnalyticsLink", "AnalyticsLinkType"]
