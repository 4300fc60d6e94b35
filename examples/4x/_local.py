"""Where the 4.x examples run: the embedded local cluster, or yours.

``python examples/4x/<example>.py`` starts a local cluster (with the sample
buckets the example reads) for the example's lifetime;
``python examples/4x/<example>.py couchbase://host USER PASSWORD`` runs it
against your cluster instead (the sample buckets installed there).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator, Sequence


@contextmanager
def cluster_address(samples: Sequence[str] = ("travel-sample",),
                    buckets: Sequence[str] = ()) -> Iterator[tuple[str, str, str]]:
    """``(connection string, username, password)`` of the cluster to use."""
    if len(sys.argv) > 1:
        args = sys.argv[1:] + ["Administrator", "password"][len(sys.argv) - 2:]
        yield args[0], args[1], args[2]
        return
    from couchbase_mock import MockCluster

    with MockCluster(nodes=1 if samples else 4, replicas=0 if samples else 1,
                     samples=list(samples),
                     buckets={name: {} for name in buckets} or None) as mock:
        yield mock.connstr, "Administrator", "password"
