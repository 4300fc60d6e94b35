"""Views: querying map/reduce indexes (:mod:`.iterator`, :mod:`.params`) and the
design document API every bucket class has (:mod:`.api`)."""

from typing import Any

_4X = ("ViewErrorMode", "ViewMetaData", "ViewOrdering", "ViewQuery", "ViewRequest",
       "ViewResult", "ViewRow", "ViewScanConsistency")


def __getattr__(name: str) -> Any:
    # the 4.x names (bucket.view_query), from couchbase._views4x, which imports this package
    if name in _4X:
        from .. import _views4x

        return getattr(_views4x, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = list(_4X)
