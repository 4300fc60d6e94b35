"""Cluster management (SDK 4.x): buckets, scopes and collections, users and groups,
query, view and search indexes.

Managers come from the objects they manage: ``cluster.buckets()``,
``cluster.users()``, ``cluster.query_indexes()``, ``cluster.search_indexes()``,
``bucket.collections()``, ``bucket.view_indexes()``,
``collection.query_indexes()``. Their options are in
:mod:`couchbase.management.options`.
"""
