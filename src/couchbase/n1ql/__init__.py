"""N1QL (SQL for JSON) queries: :class:`N1QLQuery`, :class:`N1QLRequest` and the options.

>>> from couchbase.n1ql import N1QLQuery, REQUEST_PLUS
>>> q = N1QLQuery("SELECT name FROM `beer-sample` WHERE type = $1 LIMIT 5", "brewery")
>>> q.consistency = REQUEST_PLUS
>>> for row in cb.n1ql_query(q):
...     print(row["name"])

Errors are :class:`~couchbase.exceptions.N1QLError` (with the service's
``code`` and ``msg``) or its subclass for the code.
"""

from ..exceptions import N1QLError
from ..mutation_state import MissingTokenError, MutationState  # (2.x defined them here)
from .query import (
    CONSISTENCY_NONE,
    CONSISTENCY_REQUEST,
    NOT_BOUNDED,
    REQUEST_PLUS,
    STATEMENT_PLUS,
    UNBOUNDED,
    N1QLQuery,
    QueryOptions,
    QueryProfile,
    QueryScanConsistency,
    QueryStatus,
)
from .request import N1QLRequest, QueryMetaData, QueryMetrics, QueryResult, QueryWarning

__all__ = ["CONSISTENCY_NONE", "CONSISTENCY_REQUEST", "NOT_BOUNDED", "REQUEST_PLUS",
           "STATEMENT_PLUS", "UNBOUNDED", "MissingTokenError", "MutationState", "N1QLError",
           "N1QLQuery", "N1QLRequest",
           "QueryMetaData", "QueryMetrics", "QueryOptions", "QueryProfile", "QueryResult",
           "QueryScanConsistency", "QueryStatus", "QueryWarning"]
