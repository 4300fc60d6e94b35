"""AnalyticsIngester, couchbase.deprecation and the couchbase.asynchronous names
2.x code imports (events, rowsbase, bucket), from the 2.5 documentation."""

from __future__ import annotations

import types
import warnings
from typing import Any, Iterator

import pytest

from analytics_fake import FakeAnalytics  # tests/, shared
from couchbase.analytics import AnalyticsQuery
from couchbase.analytics_ingester import AnalyticsIngester, BucketOperators
from couchbase.asynchronous.events import EventQueue
from couchbase.asynchronous.rowsbase import AsyncRowsBase
from couchbase.deprecation import (
    deprecate_module_attribute,
    uncommitted,
    warn_on_attribute_access,
)
from couchbase.exceptions import AnalyticsError, ArgumentError, KeyExistsError, NotFoundError


@pytest.fixture
def svc() -> Iterator[FakeAnalytics]:
    with FakeAnalytics() as fake:
        yield fake


@pytest.fixture
def bucket(mock_cluster: Any) -> Iterator[Any]:
    from couchbase.bucket import Bucket

    cb = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                password="password")
    yield cb
    cb.close()


# -- AnalyticsIngester -------------------------------------------------------------------
def test_ingester_writes_each_row_with_generated_ids(bucket: Any, svc: FakeAnalytics) -> None:
    ingest = AnalyticsIngester(id_generator=lambda row: f"ingest::{row['n']}",
                               data_converter=lambda row: {"n": row["n"], "copied": True})
    ingest(bucket, AnalyticsQuery("SELECT VALUE n", count=5), svc.host)
    got = bucket.get_multi([f"ingest::{i}" for i in range(5)])
    assert [got[f"ingest::{i}"].value for i in range(5)] == \
        [{"n": i, "copied": True} for i in range(5)]
    bucket.remove_multi([f"ingest::{i}" for i in range(5)])


def test_ingester_default_ids_are_new_uuids(bucket: Any, svc: FakeAnalytics) -> None:
    written: list[tuple[str, Any]] = []
    ingest = AnalyticsIngester(operation=BucketOperators.UPSERT)
    ingest.operation = lambda b, key, value: written.append((key, value))  # type: ignore
    ingest(bucket, AnalyticsQuery("SELECT VALUE n", count=3), svc.host)
    assert [value for _, value in written] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert len({key for key, _ in written}) == 3 and all(len(k) == 36 for k, _ in written)


def test_ingester_insert_and_replace_and_ignore_errors(bucket: Any,
                                                       svc: FakeAnalytics) -> None:
    keys = [f"ingest_ops::{i}" for i in range(3)]
    bucket.remove_multi(keys, quiet=True)
    bucket.upsert(keys[1], "already there")
    query = AnalyticsQuery("SELECT VALUE n", count=3)
    insert = AnalyticsIngester(id_generator=lambda row: keys[row["n"]],
                               operation=BucketOperators.INSERT)
    with pytest.raises(KeyExistsError):
        insert(bucket, query, svc.host)
    insert(bucket, query, svc.host, ignore_ingest_error=True)  # the other rows still go in
    assert bucket.get(keys[2]).value == {"n": 2}
    assert bucket.get(keys[1]).value == "already there"
    bucket.remove(keys[0])
    replace = AnalyticsIngester(id_generator=lambda row: keys[row["n"]],
                                operation=BucketOperators.REPLACE)
    with pytest.raises(NotFoundError):
        replace(bucket, query, svc.host)
    replace(bucket, query, svc.host, True)
    assert bucket.get(keys[1]).value == {"n": 1}
    bucket.remove_multi(keys, quiet=True)


def test_ingester_errors(bucket: Any, svc: FakeAnalytics) -> None:
    with pytest.raises(ArgumentError):
        AnalyticsIngester(id_generator="not callable")  # type: ignore[arg-type]
    with pytest.raises(AnalyticsError):  # a failed query raises even when ignoring writes
        AnalyticsIngester()(bucket, "SELECT * FROM FAIL", svc.host, True)
    with pytest.raises(ArgumentError):
        AnalyticsIngester(id_generator=lambda row: 5)(bucket, "SELECT 1", svc.host)


# -- couchbase.deprecation ---------------------------------------------------------------
def test_deprecated_module_attribute_warns_on_use_only() -> None:
    mod = types.SimpleNamespace(OLD=1, NEW=2)
    wrapped = deprecate_module_attribute(mod, ["OLD"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert wrapped.NEW == 2
        assert not caught
        assert wrapped.OLD == 1
        wrapped.OLD = 5
    assert mod.OLD == 5
    assert [w.category for w in caught] == [DeprecationWarning, DeprecationWarning]
    assert str(caught[0].message) == "Property OLD is deprecated"
    with pytest.raises(AttributeError):
        wrapped.MISSING  # noqa: B018


def test_warn_on_attribute_access_other_status() -> None:
    obj = types.SimpleNamespace(x=1)
    with pytest.warns(UserWarning, match="Property x is volatile"):
        assert warn_on_attribute_access(obj, ["x"], "volatile").x == 1


def test_uncommitted_warns_on_each_call_and_keeps_the_function() -> None:
    @uncommitted
    def add(a: int, b: int) -> int:
        """Add."""
        return a + b

    with pytest.warns(UserWarning, match="uncommitted API"):
        assert add(2, 3) == 5
    assert add.__name__ == "add" and "uncommitted" in (add.__doc__ or "")


# -- couchbase.asynchronous ----------------------------------------------------------------
def test_event_queue_calls_in_order_once_and_late_callbacks_at_once() -> None:
    q = EventQueue()
    seen: list[Any] = []
    q += lambda *a: seen.append(("a", a))
    q.add(lambda *a: seen.append(("b", a)))
    assert len(q) == 2 and not q.called
    q(None)
    assert seen == [("a", (None,)), ("b", (None,))] and len(q) == 0
    q += lambda *a: seen.append(("late", a))
    assert seen[-1] == ("late", (None,))
    with pytest.raises(RuntimeError):
        q(None)
    with pytest.raises(TypeError):
        q += 5  # type: ignore[assignment,operator]


def test_event_queue_keeps_a_failing_callbacks_error() -> None:
    q = EventQueue()
    ran: list[int] = []
    q += lambda: 1 / 0
    q += lambda: ran.append(1)
    q()
    assert ran == [1] and isinstance(q.errors[0], ZeroDivisionError)


def test_rows_base_is_the_contract_of_every_callback_row_request() -> None:
    from couchbase.asynchronous.analytics import AsyncAnalyticsRequest
    from couchbase.asynchronous.fulltext import AsyncSearchRequest
    from couchbase.asynchronous.n1ql import AsyncN1QLRequest
    from couchbase.asynchronous.view import AsyncViewBase

    for cls in (AsyncViewBase, AsyncN1QLRequest, AsyncSearchRequest, AsyncAnalyticsRequest):
        assert issubclass(cls, AsyncRowsBase)

    class Partial(AsyncRowsBase):
        def on_rows(self, rows: Any) -> None:
            pass

    with pytest.raises(TypeError):  # the contract is not met: start, on_error, on_done
        Partial()

    class Mine(Partial):
        def start(self) -> None:
            pass

        def on_error(self, ex: BaseException) -> None:
            pass

        def on_done(self) -> None:
            pass

    with pytest.raises(TypeError):
        iter(Mine())


def test_async_result_is_the_raw_twisted_handle() -> None:
    pytest.importorskip("twisted")
    from couchbase.asynchronous.bucket import AsyncResult
    from txcouchbase.asyncresult import AsyncResult as TxAsyncResult

    assert AsyncResult is TxAsyncResult
    assert {"callback", "errback"} <= set(dir(AsyncResult("k")))


def test_batched_view_keeps_rows_for_iteration(bucket: Any) -> None:
    from couchbase.asynchronous.batched_view import BatchedView

    view = BatchedView(bucket, "design", "view", limit=2)
    view.on_rows([1, 2])
    view.on_rows([3])
    view.on_done()
    assert list(view) == [1, 2, 3] and len(view) == 3
    view.on_error(ValueError("x"))
    assert isinstance(view.error, ValueError)


def test_bucket_pipeline_is_the_documented_pipeline_class(bucket: Any) -> None:
    from couchbase.bucket import Pipeline

    with bucket.pipeline() as pipe:
        assert isinstance(pipe, Pipeline)
        bucket.upsert("pipeline_alias", 1)
        bucket.get("pipeline_alias")
    assert [r.success for r in pipe.results] == [True, True]
    assert pipe.results[1].value == 1
