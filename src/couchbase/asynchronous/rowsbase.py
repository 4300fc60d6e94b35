"""``AsyncRowsBase``: what every callback-driven row request is (SDK 2.x).

A row request of a callback-driven front end (a view, N1QL, search or
analytics handler for Twisted's ``queryEx``, ``n1qlQueryEx``,
``searchQueryEx``, ``analyticsQueryEx``) is started with ``start()``, gets
its rows in ``on_rows(rows)`` and ends with ``on_done()`` or
``on_error(exc)``; it is not iterable. Each of those classes is an
``AsyncRowsBase``, so ``isinstance(handler, AsyncRowsBase)`` holds, and a
class of one's own may derive from it to state the contract.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Iterable

from .analytics import AsyncAnalyticsRequest, AsyncDeferredAnalyticsRequest
from .fulltext import AsyncSearchRequest
from .n1ql import AsyncN1QLRequest
from .view import AsyncViewBase


class AsyncRowsBase(ABC):
    """The contract of a callback-driven row request: a class deriving from it
    cannot be made until it supplies all four methods."""

    @abstractmethod
    def start(self) -> Any:
        """Send the request; rows arrive in :meth:`on_rows` calls."""

    @abstractmethod
    def on_rows(self, rows: Iterable[Any]) -> None:
        """Called with each batch of rows."""

    @abstractmethod
    def on_error(self, ex: BaseException) -> None:
        """Called once if the request fails, with the exception."""

    @abstractmethod
    def on_done(self) -> None:
        """Called once every row was delivered; no other method is called after it."""

    def __iter__(self) -> Any:
        raise TypeError("a callback-driven row request delivers its rows to on_rows(); "
                        "it is not iterable")


for _cls in (AsyncViewBase, AsyncN1QLRequest, AsyncSearchRequest, AsyncAnalyticsRequest,
             AsyncDeferredAnalyticsRequest):
    AsyncRowsBase.register(_cls)
del _cls

__all__ = ["AsyncRowsBase"]
