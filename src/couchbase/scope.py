"""The 4.x ``Scope``: its collections, and queries and searches in its context.

>>> scope = cluster.bucket("travel-sample").scope("inventory")
>>> rows = scope.query("SELECT name FROM airline LIMIT 2").rows()  # `airline` of this scope
>>> scope.collection("airline").get("airline_10").content_as[dict]

``query`` sends the scope as the request's ``query_context``
(``default:`bucket`.`scope```), so one-word keyspaces are its collections;
``search_query`` and ``search`` run a scope's search index (Server 7.6's
``/api/bucket/{bucket}/scope/{scope}/index/{index}/query``; its full name is
``bucket.scope.index``), ``search_indexes()`` manages them. Everything goes
through the bucket's connection, the front end's way (sync, asyncio, Twisted,
gevent; on Twisted the results come in Deferreds, once their rows arrived).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._cluster4x import delivered
from .collection import DEFAULT
from .collection import Scope as _CollectionScope

if TYPE_CHECKING:
    from ._query4x import AnalyticsResult, QueryResult
    from .management.search import ScopeSearchIndexManager
    from .search import SearchResult


class Scope(_CollectionScope):
    """A scope of a bucket (``bucket.scope(name)``)."""

    @staticmethod
    def default_name() -> str:
        """The default scope's name, ``"_default"``."""
        return DEFAULT

    @property
    def bucket_name(self) -> str:
        return str(self._bucket.bucket)

    @property
    def query_context(self) -> str:
        return f"default:`{self.bucket_name}`.`{self.name}`"

    def query(self, statement: str, *options: Any, **kwargs: Any) -> QueryResult:
        """Run a SQL++ statement with this scope as its query context (a
        :class:`~couchbase._query4x.QueryResult`; arguments as ``Cluster.query``)."""
        from ._query4x import query_request

        return delivered(self._bucket, query_request(self._bucket, statement, options, kwargs,
                                                     self.query_context))

    def analytics_query(self, statement: str, *options: Any, **kwargs: Any
                        ) -> AnalyticsResult:
        """Run an analytics statement with this scope as its query context."""
        from ._query4x import analytics_request

        return delivered(self._bucket, analytics_request(self._bucket, statement, options,
                                                         kwargs, self.query_context))

    def search_query(self, index: str, query: Any, *options: Any, **kwargs: Any
                     ) -> SearchResult:
        """Search this scope's index ``index`` (``SearchOptions`` or keywords)."""
        from .search import search_request

        return delivered(self._bucket, search_request(self._bucket, index, query, options,
                                                      kwargs, (self.bucket_name, self.name)))

    def search_indexes(self) -> ScopeSearchIndexManager:
        """The :class:`~couchbase.management.search.ScopeSearchIndexManager` of this
        scope's search indexes."""
        from .management.search import ScopeSearchIndexManager

        return ScopeSearchIndexManager(self._bucket, self.bucket_name, self.name)

    def search(self, index: str, request: Any, *options: Any, **kwargs: Any) -> SearchResult:
        """Search this scope's index ``index`` with a :class:`~couchbase.search.SearchRequest`."""
        return self.search_query(index, request, *options, **kwargs)


__all__ = ["Scope"]
