"""Views on Twisted: ``queryAll`` (a Deferred of every row), ``queryEx`` (rows streamed
into an :class:`~couchbase.asynchronous.view.AsyncViewBase`) and the design
document methods (Deferreds, through the bucket's ``_drive``).

The flows are the sync API's, driven by reactor callbacks
(:func:`couchbase._waiting.drive_callbacks`).
"""

from __future__ import annotations

from typing import Any, Callable

from twisted.internet import defer

from couchbase.views.iterator import View


class TxViews:
    """The view methods of the Twisted buckets (mixed in before ``BucketBase``)."""

    _push_rows: Callable[..., None]

    def queryAll(self, design: str, view: str, use_devmode: bool = False,
                 **params: Any) -> Any:
        """A Deferred firing with a list of every row of the view query (options as
        for the sync ``query``)."""
        try:
            query = View(self, design, view, use_devmode=use_devmode, **params)
        except Exception:
            return defer.fail()
        rows: list[Any] = []
        d: defer.Deferred[Any] = defer.Deferred()
        self._push_rows(query._start, rows.extend, lambda _: d.callback(rows), d.errback)
        return d

    def query(self, design: str, view: str, use_devmode: bool = False, **params: Any) -> Any:
        """As :meth:`queryAll`: on Twisted a query gives its rows at once, in a Deferred."""
        return self.queryAll(design, view, use_devmode, **params)

    def queryEx(self, cls: Any, design: str, view: str, **params: Any) -> Any:
        """Stream the rows of a view query into a new ``cls(self, design, view,
        **params)`` (an :class:`~couchbase.asynchronous.view.AsyncViewBase`
        subclass): its on_rows, then on_done or on_error. Returns that object."""
        handler = cls(self, design, view, **params)
        handler.start()
        return handler

    def _start_async_view(self, handler: Any) -> None:
        self._push_rows(handler._start, handler.on_rows, lambda _: handler.on_done(),
                        handler.on_error)
