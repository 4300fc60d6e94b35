"""4.x query (couchbase_n1ql.html, n1ql-queries-with-sdk): results, metadata, options,
the documented exceptions with their QueryErrorContext; Scope.query's query_context."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from cluster4x import cluster_class, options  # tests/, shared (fixtures: conftest.py)
from couchbase.exceptions import (
    AmbiguousTimeoutException,
    InvalidArgumentException,
    ParsingFailedException,
    QueryIndexAlreadyExistsException,
    QueryIndexNotFoundException,
    ScopeNotFoundException,
    ServiceUnavailableException,
    UnAmbiguousTimeoutException,
)
from couchbase.n1ql import QueryProfile, QueryScanConsistency
from couchbase.options import QueryOptions


def test_rows_and_metadata(cluster: Any) -> None:
    result = cluster.query("SELECT RAW v FROM ARRAY_RANGE(0, 5) AS v WHERE v >= $1", 2,
                           QueryOptions(metrics=True, client_context_id="ctx-1"))
    assert list(result.rows()) == [2, 3, 4]
    meta = result.metadata()
    assert meta.status() == "success" and meta.client_context_id() == "ctx-1"
    assert meta.request_id() and meta.warnings() == []
    metrics = meta.metrics()
    assert metrics.result_count() == 3 and isinstance(metrics.elapsed_time(), timedelta)


def test_named_parameters_options_and_keywords(cluster: Any) -> None:
    stmt = "SELECT RAW $a + $b"
    assert cluster.query(stmt, QueryOptions(named_parameters={"a": 1, "b": 2})).execute() == [3]
    assert cluster.query(stmt, a=3, b=4).execute() == [7]  # other keywords: named parameters
    result = cluster.query("SELECT RAW 1", QueryOptions(profile=QueryProfile.TIMINGS),
                           scan_consistency=QueryScanConsistency.REQUEST_PLUS)
    assert result.execute() == [1] and result.metadata().profile()
    with pytest.raises(InvalidArgumentException):
        QueryOptions(bogus=1)


def test_bad_statement_is_parsing_failed_with_context(cluster: Any) -> None:
    with pytest.raises(ParsingFailedException) as info:
        cluster.query("SELEC 1").execute()
    context = info.value.context
    assert context.first_error_code == 3000 and context.statement == "SELEC 1"
    assert "syntax" in context.first_error_message and context.client_context_id


def test_index_errors(cluster: Any) -> None:
    name = f"ix_{uuid.uuid4().hex[:8]}"
    with pytest.raises(QueryIndexNotFoundException):
        cluster.query(f"DROP INDEX `default`.`{name}`").execute()
    cluster.query(f"CREATE INDEX `{name}` ON `default`(x)").execute()
    try:
        with pytest.raises(QueryIndexAlreadyExistsException):
            cluster.query(f"CREATE INDEX `{name}` ON `default`(x)").execute()
    finally:
        cluster.query(f"DROP INDEX `default`.`{name}`").execute()


def test_scope_query_uses_its_query_context(cluster: Any) -> None:
    scope = cluster.bucket("default").scope("_default")
    assert scope.query_context == "default:`default`.`_default`"
    key = f"q4x-{uuid.uuid4().hex}"
    scope.collection("_default").upsert(key, {"n": 1})
    rows = scope.query("SELECT RAW n FROM _default USE KEYS $1", key).execute()
    assert rows == [1]  # a one-word keyspace: the scope's collection
    with pytest.raises(ScopeNotFoundException):
        cluster.bucket("default").scope("nope").query("SELECT 1 FROM c").execute()


SLOW = "SELECT COUNT(1) AS n FROM ARRAY_RANGE(0, 3000) AS a UNNEST ARRAY_RANGE(0, 3000) AS b"


def test_per_query_timeout(cluster: Any) -> None:
    """The service stops at the query's own timeout (1080): a statement that may have
    changed data is ambiguous, a read-only one not (as the official SDK raises them)."""
    with pytest.raises(AmbiguousTimeoutException) as info:
        cluster.query(SLOW, QueryOptions(timeout=timedelta(milliseconds=300))).execute()
    assert info.value.context.first_error_code == 1080
    assert info.value.context.statement == SLOW
    with pytest.raises(UnAmbiguousTimeoutException):
        cluster.query(SLOW, timeout=timedelta(milliseconds=300), read_only=True).execute()


def test_no_query_node_is_service_unavailable(cluster_front_end: str,
                                              cluster_without_query: Any) -> None:
    cluster = cluster_class(cluster_front_end)(cluster_without_query.connstr, options())
    try:
        with pytest.raises(ServiceUnavailableException):
            cluster.query("SELECT 1").execute()
        with pytest.raises(ServiceUnavailableException):
            cluster.bucket("default").scope("_default").query("SELECT 1").execute()
    finally:
        cluster.close()
