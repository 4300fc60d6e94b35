from __future__ import annotations

from typing import Iterator

import pytest

from couchbase.bucket import Bucket


@pytest.fixture
def cb(mock_cluster) -> Iterator[Bucket]:
    bucket = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                    password="password")
    yield bucket
    bucket.close()
