"""A N1QL engine for the local cluster: parser, evaluator, planner, indexes.

The engine runs over any :class:`~.datastore.Datastore`; the local cluster
provides one over its buckets, tests use :class:`~.datastore.MemoryDatastore`.
"""

from .datastore import Datastore, DocRecord, MemoryDatastore
from .engine import QueryEngine, QueryResult
from .errors import N1QLError
from .values import MISSING

__all__ = ["Datastore", "DocRecord", "MemoryDatastore", "QueryEngine", "QueryResult",
           "N1QLError", "MISSING"]
