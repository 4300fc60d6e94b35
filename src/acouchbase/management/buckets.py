"""``acouchbase.management.buckets``: the :mod:`couchbase.management.buckets` classes. A
manager reached from an asyncio cluster or bucket (``cluster.buckets()``) returns
awaitables: one class for every front end."""

from __future__ import annotations

from couchbase.management.buckets import (
    BucketDescribeResult,
    BucketManager,
    BucketSettings,
    BucketType,
    CompressionMode,
    ConflictResolutionType,
    CreateBucketSettings,
    EjectionMethod,
    EvictionPolicyType,
    StorageBackend,
)

__all__ = ["BucketDescribeResult", "BucketManager", "BucketSettings", "BucketType",
           "CompressionMode", "ConflictResolutionType", "CreateBucketSettings",
           "EjectionMethod", "EvictionPolicyType", "StorageBackend"]
