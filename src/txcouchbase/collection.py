"""The 4.x ``txcouchbase.collection`` names: a collection of a Twisted bucket, whose
methods return Deferreds (``scan``: a Deferred of the list of items)."""

from __future__ import annotations

from couchbase.collection import Collection

TxCollection = Collection

__all__ = ["Collection", "TxCollection"]
