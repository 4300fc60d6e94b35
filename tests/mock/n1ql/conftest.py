"""Fixtures of the N1QL tests: engines over the sample data of n1ql_sample.py."""

from __future__ import annotations

import pytest
from n1ql_sample import make_engine

from couchbase_mock.n1ql import QueryEngine


@pytest.fixture(scope="module")
def engine() -> QueryEngine:
    """Shared by read-only tests."""
    return make_engine()


@pytest.fixture
def fresh() -> QueryEngine:
    """A new engine and data set for tests that write."""
    return make_engine()
