"""The bucket manager (SDK 2.x): N1QL index management, and the design document methods.

>>> mgr = cb.bucket_manager()
>>> mgr.n1ql_index_create_primary(ignore_exists=True)
>>> mgr.n1ql_index_create("beers_by_abv", fields=["type", "abv"], defer=True)
>>> mgr.n1ql_index_watch(mgr.n1ql_index_build_deferred())

On asyncio every method returns an awaitable, on Twisted a Deferred.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

from .exceptions import ArgumentError
from .n1ql.indexes import (
    N1qlIndex,
    build_deferred_flow,
    create_flow,
    drop_flow,
    list_flow,
    watch_flow,
)


class BucketManager:
    """Management of one bucket, over its connection's credentials."""

    def __init__(self, bucket: Any) -> None:
        self._cb = bucket

    def _run(self, make: Callable[..., Any], *args: Any) -> Any:
        cb = self._cb

        def flow() -> Any:
            # the endpoint is looked up when the flow starts (after an async bootstrap)
            return (yield from make(cb._query_endpoint(), cb.bucket, *args))

        return cb._drive(flow())

    # -- N1QL indexes -------------------------------------------------------------------
    def n1ql_index_create(self, ix: str, fields: Optional[Iterable[str]] = None,
                          primary: bool = False, ignore_exists: bool = False,
                          defer: bool = False, condition: Optional[str] = None) -> Any:
        """Create index ``ix`` on ``fields`` (names, or N1QL expressions).

        :param primary: a primary index (no fields) named ``ix``
        :param ignore_exists: no error if an index of that name exists
        :param defer: only define it; :meth:`n1ql_index_build_deferred` builds it
        :param condition: a N1QL condition: index only documents that meet it
        :raise: :exc:`~couchbase.exceptions.N1QLIndexExistsError` (a KeyExistsError)
        """
        if fields is not None and isinstance(fields, str):
            fields = [fields]
        return self._run(create_flow, ix, list(fields or ()), bool(primary),
                         bool(ignore_exists), bool(defer), condition)

    def n1ql_index_create_primary(self, defer: bool = False, ignore_exists: bool = False) -> Any:
        """Create the bucket's primary index (``#primary``)."""
        return self._run(create_flow, None, [], True, bool(ignore_exists), bool(defer), None)

    def n1ql_index_drop(self, ix: Optional[str], primary: bool = False,
                        ignore_missing: bool = False) -> Any:
        """Drop index ``ix`` (the primary index with ``primary=True``).

        :raise: :exc:`~couchbase.exceptions.N1QLIndexNotFoundError` (a NotFoundError)
            unless ``ignore_missing``
        """
        return self._run(drop_flow, ix, bool(primary), bool(ignore_missing))

    def n1ql_index_drop_primary(self, ignore_missing: bool = False) -> Any:
        return self._run(drop_flow, None, True, bool(ignore_missing))

    def n1ql_index_list(self, other_buckets: bool = False) -> Any:
        """The bucket's indexes, as :class:`~couchbase.n1ql.indexes.N1qlIndex` objects."""
        return self._run(list_flow, bool(other_buckets))

    def n1ql_index_build_deferred(self, other_buckets: bool = False) -> Any:
        """Start building every deferred index: the names of those being built."""
        return self._run(build_deferred_flow, bool(other_buckets))

    def n1ql_index_watch(self, indexes: Iterable[Any], timeout: float = 30,
                         interval: float = 0.2, watch_primary: bool = False) -> Any:
        """Wait until every index of ``indexes`` (names or N1qlIndex) is online;
        :exc:`~couchbase.exceptions.TimeoutError` after ``timeout`` seconds."""
        for name, value in (("timeout", timeout), ("interval", interval)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ArgumentError(f"{name} must be a positive number, not {value!r}")
        return self._run(watch_flow, list(indexes), float(timeout), float(interval),
                         bool(watch_primary))

    # -- design documents (the bucket's methods) --------------------------------------------
    def design_create(self, *args: Any, **kwargs: Any) -> Any:
        return self._cb.design_create(*args, **kwargs)

    def design_get(self, *args: Any, **kwargs: Any) -> Any:
        return self._cb.design_get(*args, **kwargs)

    def design_publish(self, *args: Any, **kwargs: Any) -> Any:
        return self._cb.design_publish(*args, **kwargs)

    def design_delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._cb.design_delete(*args, **kwargs)

    def __repr__(self) -> str:
        return f"BucketManager({self._cb.bucket!r})"


__all__ = ["BucketManager", "N1qlIndex"]
