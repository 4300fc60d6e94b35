"""Analytics against the local cluster's own analytics service on every 4.x front end
(issue 16): ``cluster.analytics_query`` / ``scope.analytics_query`` and the
AnalyticsIndexManager (``cluster.analytics_indexes()``) on the sync API, gevent
(gcouchbase: the same results, the hub yields while waiting) and Twisted
(txcouchbase: Deferreds firing with the same results, failing with the same
exceptions). asyncio is covered in tests/client/test_analytics_live.py."""

from __future__ import annotations

import uuid
from typing import Any, Callable, Iterator

import pytest

from cluster4x import CLUSTER_FRONT_ENDS, cluster_class, options  # tests/, shared
from couchbase.exceptions import (
    DatasetAlreadyExistsException,
    DatasetNotFoundException,
    DataverseNotFoundException,
    InvalidArgumentException,
    ParsingFailedException,
    QueryIndexAlreadyExistsException,
)
from couchbase.management.analytics import AnalyticsDataset, AnalyticsDataType, AnalyticsIndex
from couchbase.options import AnalyticsOptions
from couchbase_mock import MockCluster

FRONT_ENDS = [*CLUSTER_FRONT_ENDS, "twisted"]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=1, replicas=0, buckets={"default": {}, "travel": {}}) as made:
        made.create_scope("travel", "inventory")
        made.create_collection("travel", "inventory", "airline")
        yield made


class Runner:
    """Calls a front end's method and returns its result or raises its exception: directly
    for sync and gevent, in the reactor thread (waiting for the Deferred) for Twisted."""

    def __init__(self, front_end: str, mock: MockCluster, request: pytest.FixtureRequest
                 ) -> None:
        self.front_end = front_end
        self.reactor: Any = None
        if front_end == "twisted":
            self.reactor = request.getfixturevalue("reactor")
            from txcouchbase.cluster import TxCluster

            self.cluster = self.reactor(TxCluster, mock.connstr, options())
            assert self.reactor(self.cluster.on_connect) is self.cluster
        else:
            self.cluster = cluster_class(front_end)(mock.connstr, options())

    def __call__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.reactor is not None:
            return self.reactor(fn, *args, **kwargs)
        return fn(*args, **kwargs)

    def raises(self, exc: type[BaseException], fn: Callable[..., Any], *args: Any,
               **kwargs: Any) -> BaseException:
        if self.reactor is not None:
            if fn == self.rows:  # the Deferred fails
                fn, args = args[0].analytics_query, args[1:]
            failure = self.reactor.failure(fn, *args, **kwargs)
            assert failure.check(exc), failure
            return failure.value  # type: ignore[no-any-return]
        with pytest.raises(exc) as info:
            fn(*args, **kwargs)
        return info.value

    def rows(self, target: Any, statement: str, *opts: Any, **kwargs: Any) -> list[Any]:
        return list(self(target.analytics_query, statement, *opts, **kwargs).rows())

    def close(self) -> None:
        self(self.cluster.close)


@pytest.fixture(params=FRONT_ENDS)
def run(request: pytest.FixtureRequest, mock: MockCluster) -> Iterator[Runner]:
    made = Runner(request.param, mock, request)
    yield made
    made.close()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def bucket_of(run: Runner, name: str) -> Any:
    return run(run.cluster.bucket, name)


def test_cluster_analytics_query_over_a_dataset(run: Runner) -> None:
    coll = bucket_of(run, "default").default_collection()
    kind = unique("kind")
    run(coll.upsert, f"{kind}-1", {"type": kind, "name": "Pale", "abv": 5.0})
    run(coll.upsert, f"{kind}-2", {"type": kind, "name": "Stout", "abv": 8.0})
    run(coll.upsert, f"{kind}-x", {"type": "other", "name": "Kona"})
    ds = unique("ds_")
    run.rows(run.cluster, f"CREATE DATASET {ds} ON `default` WHERE `type` = '{kind}'")
    run.rows(run.cluster, "CONNECT LINK Local")
    result = run(run.cluster.analytics_query,
                 f"SELECT VALUE d.name FROM {ds} d WHERE d.abv > $min ORDER BY d.name",
                 AnalyticsOptions(named_parameters={"min": 4}, client_context_id="fe-1"))
    assert list(result.rows()) == ["Pale", "Stout"]
    meta = result.metadata()
    assert meta.client_context_id() == "fe-1" and meta.metrics().result_count() == 2
    assert run.rows(run.cluster, f"SELECT VALUE d.name FROM {ds} d WHERE d.abv > ?",
                    6) == ["Stout"]
    # (sync and gevent: the error is raised while iterating, as the 4.x API's results)
    run.raises(DatasetNotFoundException, run.rows, run.cluster, "SELECT * FROM no_such_ds")
    run.raises(ParsingFailedException, run.rows, run.cluster, "SELEKT 1")
    run.rows(run.cluster, f"DROP DATASET {ds}")


def test_scope_analytics_query(run: Runner) -> None:
    scope = bucket_of(run, "travel").scope("inventory")
    airline = scope.collection("airline")
    country = unique("C")
    run(airline.upsert, f"{country}-1", {"name": "Air One", "country": country})
    run.rows(run.cluster, "CREATE ANALYTICS SCOPE `travel`.`inventory` IF NOT EXISTS")
    run.rows(run.cluster, "CREATE ANALYTICS COLLECTION IF NOT EXISTS "
                          "`travel`.`inventory`.`airline` ON `travel`.`inventory`.`airline`")
    run.rows(run.cluster, "CONNECT LINK `travel`.`inventory`.Local")
    assert run.rows(scope, "SELECT VALUE a.name FROM airline a WHERE a.country = $c",
                    c=country) == ["Air One"]


def test_index_manager(run: Runner) -> None:
    mgr = run.cluster.analytics_indexes()
    dv = unique("dv_")
    run(mgr.create_dataverse, dv)
    run(mgr.create_dataverse, dv, ignore_if_exists=True)
    run(mgr.create_dataset, "ales", "default", dataverse_name=dv, condition="`type` = 'ale'")
    run.raises(DatasetAlreadyExistsException, mgr.create_dataset, "ales", "default",
               dataverse_name=dv)
    run(mgr.create_index, "by_name", "ales", {"name": AnalyticsDataType.STRING},
        dataverse_name=dv)
    run.raises(QueryIndexAlreadyExistsException, mgr.create_index, "by_name", "ales",
               {"name": AnalyticsDataType.STRING}, dataverse_name=dv)
    assert AnalyticsDataset("ales", dv, "Local", "default") in run(mgr.get_all_datasets)
    assert AnalyticsIndex("by_name", "ales", dv, False) in run(mgr.get_all_indexes)

    run(mgr.connect_link, dataverse_name=dv)
    coll = bucket_of(run, "default").default_collection()
    name = unique("ale-")
    run(coll.upsert, name, {"type": "ale", "name": name})
    assert name in run.rows(run.cluster, f"SELECT VALUE a.name FROM {dv}.ales a")
    assert run(mgr.get_pending_mutations)[f"{dv}.ales"] == 0
    run(mgr.disconnect_link, dataverse_name=dv)
    run(coll.upsert, name + "-2", {"type": "ale", "name": name + "-2"})
    assert run(mgr.get_pending_mutations)[f"{dv}.ales"] == 1

    run(mgr.drop_index, "by_name", "ales", dataverse_name=dv)
    run(mgr.drop_dataset, "ales", dataverse_name=dv)
    run.raises(DatasetNotFoundException, mgr.drop_dataset, "ales", dataverse_name=dv)
    run(mgr.drop_dataverse, dv)
    run.raises(DataverseNotFoundException, mgr.drop_dataverse, dv)
    run.raises(InvalidArgumentException, mgr.create_dataverse, "")
