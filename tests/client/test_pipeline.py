"""pipeline(): a sync-only batching context (the async front ends batch by nature)."""

from __future__ import annotations

import pytest

from couchbase.exceptions import ArgumentError, NotFoundError, PipelineError


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


def test_an_error_in_the_block_does_not_lose_what_was_queued_before_it(cb, key):
    with pytest.raises(ArgumentError):
        with cb.pipeline():
            cb.upsert(key, "queued before the mistake")
            cb.upsert(key + "-2", "x", ttl="not a number")
    assert cb.get(key).value == "queued before the mistake"


def test_the_block_exception_wins_over_a_failed_queued_operation(cb, key):
    with pytest.raises(ValueError, match="application"):
        with cb.pipeline():
            cb.get(key + "-missing")  # would raise NotFoundError at exit
            raise ValueError("application error")


def test_view_queries_are_refused_inside_a_pipeline(cb):
    with cb.pipeline():
        with pytest.raises(PipelineError):
            cb.query("beer", "by_name")
