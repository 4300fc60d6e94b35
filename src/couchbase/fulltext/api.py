"""The search method every bucket class has, written once (mixed into ``BucketBase``).

``search`` builds a request object of the front end's class
(``_search_class``); its flow (:mod:`.flow`) is driven as the N1QL flows
are: blocking for the sync API and gevent, ``async for`` on asyncio,
reactor callbacks on Twisted.
"""

from __future__ import annotations

from typing import Any, Callable, Generator, Optional

from .._core.commands import Endpoint
from .flow import search_flow
from .params import Params, make_search_body
from .request import SearchRequest

Flow = Generator[Any, Any, Any]

DEFAULT_TIMEOUT = 75.0
"""Seconds to wait for the search service when the search sets no timeout."""


class SearchAPI:
    """Full-text search."""

    _search_class: Any = SearchRequest
    _live: Callable[[], Any]

    def search(self, index: str, query: Any, *args: Any, **kwargs: Any) -> Any:
        """Search the full-text index ``index``: a
        :class:`~couchbase.fulltext.SearchRequest` to iterate over for the hits
        (the request goes out when iteration starts).

        :param index: the name of the search index
        :param query: a :class:`~couchbase.fulltext.SearchQuery`, or a string
            (a :class:`~couchbase.fulltext.QueryStringQuery`)
        :param kwargs: a ``params`` :class:`~couchbase.fulltext.Params`, or its
            attributes directly (``limit``, ``skip``, ``explain``, ``fields``,
            ``facets``, ``sort``, ``highlight_style``, ``highlight_fields``,
            ``consistent_with``, ``timeout``); ``row_factory`` (called on each
            hit) and ``itercls`` (the SearchRequest subclass to make)

        >>> for hit in cb.search('beers', MatchQuery('stout'), limit=10):
        ...     print(hit['id'])
        """
        if args:
            if len(args) > 1 or "params" in kwargs:
                raise TypeError("search() takes the index, the query and one Params")
            kwargs["params"] = args[0]
        itercls = kwargs.pop("itercls", None) or self._search_class
        request_options = itercls.mk_kwargs(kwargs)
        params = kwargs.pop("params", None)
        if params is None:
            params = Params(**kwargs)
        elif kwargs:
            raise TypeError(f"give either params or its attributes, not both: {sorted(kwargs)}")
        return itercls(make_search_body(index, query, params), self, **request_options)

    def _search_flow(self, request: SearchRequest) -> Flow:
        # the endpoint is looked up when the flow starts: its errors leave through the driver
        ms = (request.body.get("ctl") or {}).get("timeout")
        timeout = ms / 1000.0 if isinstance(ms, int) else None
        return (yield from search_flow(request, self._search_endpoint(timeout)))

    def _search_endpoint(self, timeout: Optional[float] = None) -> Endpoint:
        """A node's search service (round robin over the nodes that run one)."""
        wait = (timeout or DEFAULT_TIMEOUT) + 1.0
        return self._live().service_endpoint("search", wait)
