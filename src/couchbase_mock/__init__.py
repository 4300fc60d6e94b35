"""A local Couchbase-compatible cluster: several simulated nodes in one process.

>>> from couchbase_mock import MockCluster
>>> with MockCluster(nodes=4, replicas=1) as mock:      # doctest: +SKIP
...     print(mock.connstr, mock.mgmt_url)

Also runnable on its own: ``python -m couchbase_mock --nodes 4``.
"""

from __future__ import annotations

from .cluster import Cluster, Node
from .mock import MockCluster
from .storage import Clock

__all__ = ["Clock", "Cluster", "MockCluster", "Node"]
