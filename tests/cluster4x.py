"""The 4.x Cluster on the front ends that have one today (sync, gevent), for tests."""

from __future__ import annotations

from typing import Any

import pytest

from couchbase.auth import PasswordAuthenticator
from couchbase.options import ClusterOptions, ClusterTimeoutOptions

CLUSTER_FRONT_ENDS = ["sync", "gevent"]  # (acouchbase/txcouchbase Cluster forms: later)


def options(password: str = "password", **timeouts: Any) -> ClusterOptions:
    return ClusterOptions(PasswordAuthenticator("Administrator", password),
                          ClusterTimeoutOptions(**timeouts) if timeouts else None)


def cluster_class(front_end: str) -> Any:
    if front_end == "gevent":
        pytest.importorskip("gevent")
        from gcouchbase.cluster import Cluster as GCluster

        return GCluster
    from couchbase.cluster import Cluster

    return Cluster
