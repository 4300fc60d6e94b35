"""A request's memory quota: ``memory_quota`` (MB) as the query service takes it.

settings/query-settings.adoc lists ``memory_quota`` as a request-level
parameter whose node-level twin is ``memory-quota`` (and cluster-level
``queryMemoryQuota``): the node's value is the default and the upper bound of
the request's, and 0 means no quota, the server's default. A request over
its quota fails with 5500 "Request has exceeded memory quota" (the query
service's error for it).

What is counted is an approximation of what the request *holds*: the
documents it fetches (each while it is in flight), and the rows it keeps in
its buffers: sort buffers, GROUP BY tables, window partitions, WITH (CTE)
results, set-operation and DISTINCT buffers, the inner side of a join kept
for reuse, and the result rows themselves. A value's size is about its JSON
text's length (:func:`size_of`). Buffers are not released before the request
ends: the engine builds most of them for the rest of the request anyway, so
the count is close to its peak.

The engine reaches the quota through its request context (:func:`quota_of`);
without one, or with quota 0, nothing is measured, so unlimited requests pay
nothing.
"""

from __future__ import annotations

from typing import Any, Optional

from .errors import N1QLError

E_MEMORY_QUOTA = 5500
MB = 1024 * 1024


def quota_error() -> N1QLError:
    """The service's 5500 for a request over its ``memory_quota``."""
    return N1QLError(E_MEMORY_QUOTA, "Request has exceeded memory quota")


def effective_quota(request_mb: Optional[float], node_mb: Optional[float]) -> Optional[float]:
    """The quota in MB a request runs with (``None``: none): the request's
    ``memory_quota`` capped by the node's ``memory-quota``, or the node's when
    the request gives none (query-settings.adoc: a node-level setting is the
    default and upper bound of its request-level twin; 0 is no quota).

    >>> effective_quota(None, 0), effective_quota(10, 0), effective_quota(None, 5)
    (None, 10, 5)
    >>> effective_quota(10, 5), effective_quota(0, 5)
    (5, 5)
    """
    node = node_mb if node_mb and node_mb > 0 else None
    req = request_mb if request_mb and request_mb > 0 else None
    if req is None:
        return node
    return req if node is None else min(req, node)


def size_of(value: Any) -> int:
    """About how many bytes ``value`` takes as JSON text (iterative: any depth)."""
    total = 0
    stack = [value]
    pop, push = stack.pop, stack.append
    while stack:
        v = pop()
        t = type(v)
        if t is str:
            total += len(v) + 2
        elif t is dict:
            total += 2 + len(v)
            for k, x in v.items():
                total += len(k) + 3
                push(x)
        elif t is list or t is tuple:
            total += 2 + len(v)
            stack.extend(v)
        elif t is bool or v is None:
            total += 4
        elif t is int or t is float:
            total += 8
        elif isinstance(v, (bytes, bytearray)):
            total += len(v)
        else:
            data = getattr(v, "data", None)  # Binary documents
            total += len(data) if isinstance(data, (bytes, bytearray)) else 8
    return total


class Quota:
    """One request's memory account: ``limit`` bytes (``None``: no quota)."""

    __slots__ = ("limit", "used", "active")

    def __init__(self, limit_mb: Optional[float] = None) -> None:
        self.limit = int(limit_mb * MB) if limit_mb else None
        self.used = 0
        self.active = self.limit is not None
        """Whether anything is measured: sites test it before sizing a value."""

    def charge(self, value: Any) -> None:
        """Count ``value`` as held for the rest of the request (5500 when over)."""
        if self.active:
            self.add(size_of(value))

    def add(self, nbytes: int) -> None:
        """Count ``nbytes`` as held (5500 when over the quota)."""
        self.used += nbytes
        if self.limit is not None and self.used > self.limit:
            raise quota_error()

    def passing(self, value: Any) -> None:
        """A value held only while it passes (a fetched document): it alone must
        fit in what is left."""
        if self.active:
            assert self.limit is not None
            if self.used + size_of(value) > self.limit:
                raise quota_error()


NO_QUOTA = Quota(None)
"""The account of a request without a quota: measures nothing."""


def quota_of(ctx: Any) -> Quota:
    """The request's :class:`Quota` (set by :meth:`~.engine.QueryEngine.query`)."""
    return getattr(ctx, "quota", None) or NO_QUOTA
