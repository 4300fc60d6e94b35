"""The retry policy the clusters are given: when a NOT_MY_VBUCKET'd request goes again."""

from __future__ import annotations

import pytest

from couchbase._core.retry import DEFAULT_RETRY, ConstantBackoff, ExponentialBackoff, RetryPolicy


def test_a_newer_map_means_at_once() -> None:
    assert DEFAULT_RETRY.not_my_vbucket(7, True, 0.001) == 0.0


def test_otherwise_exponential_backoff_up_to_its_cap() -> None:
    waits = [DEFAULT_RETRY.not_my_vbucket(n, False, 10.0) for n in range(10)]
    assert waits[:3] == [0.001, 0.002, 0.004] and max(waits) == 0.1 == waits[-1]
    assert ExponentialBackoff().compute(10_000) == 0.1  # no overflow for long retries


def test_gives_up_when_the_wait_would_pass_the_deadline() -> None:
    assert DEFAULT_RETRY.not_my_vbucket(0, False, 0.0005) is None
    assert RetryPolicy(ConstantBackoff(0.5)).not_my_vbucket(3, False, 0.6) == 0.5
    assert RetryPolicy(ConstantBackoff(0.5)).not_my_vbucket(3, False, 0.4) is None


def test_negative_backoffs_are_refused() -> None:
    with pytest.raises(ValueError):
        ExponentialBackoff(base=-1)
