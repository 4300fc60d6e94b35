"""Twisted's two ways to read a streamed result (N1QL, search, analytics).

``*QueryAll``: :func:`whole_result`, a Deferred firing once every row arrived
with the batched request (iterate it for the rows). ``*QueryEx``:
:func:`pushed`, the caller's handler started, its ``on_rows`` called as rows
arrive. Either way the request object is made by the sync API's method, with
the front end's class as its ``itercls``.
"""

from __future__ import annotations

from typing import Any, Callable

from twisted.internet import defer


def whole_result(make: Callable[[], Any]) -> Any:
    """A Deferred of the request ``make()`` returns (a BatchedRowsRequest), firing
    when its last row arrived; its failure (or ``make``'s) fails the Deferred."""
    try:
        request = make()
    except Exception:
        return defer.fail()
    d: defer.Deferred[Any] = defer.Deferred()
    request.on_done = lambda: d.callback(request)
    request.on_error = d.errback
    request.start()
    return d


def pushed(handler: Any) -> Any:
    """``handler`` (a PushedRowsRequest), started: its rows go to its on_rows."""
    handler.start()
    return handler
