"""The names 2.x code imports from ``couchbase.asynchronous.bucket``.

``AsyncResult`` is the pending-outcome handle (``callback`` / ``errback``
fields) of the raw callback API, which here is Twisted's
:class:`txcouchbase.bucket.RawBucket`; it is
:class:`txcouchbase.asyncresult.AsyncResult`, imported on first use so that
this module needs no Twisted. 2.x's ``AsyncBucket`` (a bucket wired to an
``IOPS`` event-loop adapter for libcouchbase) has no counterpart: every front
end here drives its own sockets (see docs/api-2x.md).
"""

from __future__ import annotations

from typing import Any

from .view import AsyncViewBase


def __getattr__(name: str) -> Any:
    if name == "AsyncResult":
        from txcouchbase.asyncresult import AsyncResult  # needs Twisted

        return AsyncResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AsyncViewBase"]  # (AsyncResult: by name only, it imports Twisted)
