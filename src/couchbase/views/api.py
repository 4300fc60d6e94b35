"""The view and design document methods every bucket class has, written once.

The methods build flows (:mod:`couchbase._http.flows`); the front end's
hooks run them (``_rows`` for a view's rows, ``_drive`` for a design
document's result), its own way.
"""

from __future__ import annotations

from typing import Any, Callable, Generator

from .._core.commands import Endpoint
from .._http.flows import (
    design_create_flow,
    design_delete_flow,
    design_get_flow,
    design_name,
    design_publish_flow,
    raw_view_flow,
    view_flow,
)
from ..exceptions import ArgumentError, NotSupportedError, PipelineError
from .iterator import View
from .params import Query

Flow = Generator[Any, Any, Any]


def _check_syncwait(syncwait: Any) -> float:
    if isinstance(syncwait, bool) or not isinstance(syncwait, (int, float)) or syncwait < 0:
        raise ArgumentError(f"syncwait must be a number of seconds, not {syncwait!r}")
    return float(syncwait)


class ViewAPI:
    """View queries and design document management (mixed into ``BucketBase``)."""

    views_timeout: float = 75.0
    """Seconds to wait for bytes from the views service before giving up."""

    _view_class: Any = View
    _live: Callable[[], Any]
    _drive: Callable[[Flow], Any]
    _rows: Callable[[Flow], Any]
    _bucket: str  # the bucket's name (set by BucketBase)

    # -- querying ----------------------------------------------------------------------
    def query(self, design: str, view: str, use_devmode: bool = False, **params: Any) -> Any:
        """Query view ``view`` of design document ``design``: a :class:`~couchbase.views.
        iterator.View` to iterate over (the request goes out when iteration starts).

        Keywords: view options (``limit``, ``startkey``, ``mapkey_range``,
        ``stale``... see :class:`~couchbase.views.params.Query`) or
        ``query=`` a Query or a raw query string; ``include_docs``,
        ``streaming``, ``row_processor``; ``use_devmode`` for the ``dev_``
        design document.

        >>> for row in cb.query("beer", "by_name", limit=5):
        ...     print(row.key, row.docid)
        """
        if getattr(self, "_pipeline", None) is not None:  # (the blocking front ends')
            raise PipelineError("view queries cannot run inside a pipeline")
        return self._view_class(self, design, view, use_devmode=use_devmode, **params)

    def _view(self, ddoc: str, view: str, use_devmode: bool = False, params: Any = None,
              unrecognized_ok: bool = False, passthrough: bool = False) -> Any:
        """The raw view response in an :class:`~couchbase.result.HttpResult`
        (``value``: the service's JSON, ``{"total_rows": .., "rows": [..]}``),
        read whole; what :meth:`query` streams (the 2.x low-level method)."""
        if isinstance(params, Query):
            query = params
        else:
            query = Query(passthrough=passthrough, unrecognized_ok=unrecognized_ok,
                          **(params or {}))
        return self._drive(self._design_flow(raw_view_flow, design_name(ddoc, use_devmode),
                                             view, query))

    def _view_flow(self, view: View) -> Flow:
        # the endpoint is looked up when the flow starts: its errors leave through the driver
        return (yield from view_flow(view, self._views_endpoint()))

    def _views_endpoint(self) -> Endpoint:
        """A node's views service (round robin over the nodes that run one)."""
        cluster = self._live()
        config = cluster.router.config
        caps = config.bucket_capabilities if config is not None else None
        if caps and "couchapi" not in caps:
            raise NotSupportedError(f"bucket {self._bucket!r} has no views "
                                    f"(its capabilities lack couchapi)")
        return cluster.service_endpoint("views", self.views_timeout)

    def _design_flow(self, make: Callable[..., Flow], *args: Any) -> Flow:
        # the endpoint is looked up when the flow starts: after an async bootstrap
        return (yield from make(self._views_endpoint(), self._bucket, *args))

    # -- design documents ---------------------------------------------------------------------
    def design_create(self, name: str, design: Any, use_devmode: bool = True,
                      syncwait: float = 0) -> Any:
        """Store design document ``name`` (``dev_name`` with ``use_devmode``).

        ``design`` is a dict or its JSON text, e.g. ``{"views": {"by_name":
        {"map": "function (doc, meta) { emit(doc.name, null); }"}}}``.
        ``syncwait`` seconds: wait until its first view answers, else raise
        TimeoutError. Returns an :class:`~couchbase.result.HttpResult`.
        """
        return self._drive(self._design_flow(
            design_create_flow, design_name(name, use_devmode), design,
            _check_syncwait(syncwait)))

    def design_get(self, name: str, use_devmode: bool = True) -> Any:
        """The design document ``name`` (``dev_name`` with ``use_devmode``) in
        an HttpResult's ``value``; HTTPError (status 404) if there is none."""
        return self._drive(self._design_flow(design_get_flow,
                                                  design_name(name, use_devmode)))

    def design_publish(self, name: str, syncwait: float = 0) -> Any:
        """Copy development document ``dev_name`` to production ``name`` (the
        development document stays), as the web console's Publish button."""
        return self._drive(self._design_flow(design_publish_flow, name,
                                                  _check_syncwait(syncwait)))

    def design_delete(self, name: str, use_devmode: bool = True, syncwait: float = 0) -> Any:
        """Delete design document ``name`` (``dev_name`` with ``use_devmode``);
        ``syncwait`` seconds: wait until it is gone, else raise TimeoutError."""
        return self._drive(self._design_flow(
            design_delete_flow, design_name(name, use_devmode), _check_syncwait(syncwait)))
