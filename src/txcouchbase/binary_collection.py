"""``txcouchbase.binary_collection``: the 4.x binary collection (``collection.binary()``:
``append``, ``prepend``, ``increment``, ``decrement`` and their multi forms), whose
methods return Deferreds on a Twisted collection: the same class on every front end."""

from __future__ import annotations

from couchbase.binary_collection import BinaryCollection

__all__ = ["BinaryCollection"]
