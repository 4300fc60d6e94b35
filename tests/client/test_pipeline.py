"""pipeline(): a sync-only batching context (the async front ends batch by nature)."""

from __future__ import annotations

import pytest

from couchbase.exceptions import NotFoundError


def test_pipeline_mixes_operations(cb, key):
    with cb.pipeline() as pipe:
        stored = cb.upsert(key, {"p": 1})
        got = cb.get(key)
        many = cb.get_multi([key])
    assert stored.success and got.value == {"p": 1}
    assert many[key].value == {"p": 1}
    assert len(pipe.results) == 3
    with pytest.raises(NotFoundError):
        with cb.pipeline():
            cb.get(key + "-missing")
