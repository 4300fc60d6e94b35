"""Analytics against the local cluster's own analytics service (issue 16), in every
client form: 4.x ``cluster.analytics_query()`` / ``scope.analytics_query()`` with
AnalyticsOptions, the 2.x ``Bucket.analytics_query`` with ``AnalyticsQuery`` and
``DeferredAnalyticsQuery``, and the 4.x ``cluster.analytics_indexes()``
AnalyticsIndexManager (couchbase.management.analytics), on the sync API and asyncio."""

from __future__ import annotations

import asyncio
from typing import Any, Iterator

import pytest

from cluster4x import options  # tests/, shared
from couchbase.analytics import (
    AnalyticsQuery,
    AnalyticsScanConsistency,
    AnalyticsStatus,
    DeferredAnalyticsQuery,
)
from couchbase.exceptions import (
    AnalyticsError,
    AnalyticsLinkExistsException,
    AnalyticsLinkNotFoundException,
    CouchbaseException,
    DatasetAlreadyExistsException,
    DatasetNotFoundException,
    DataverseAlreadyExistsException,
    DataverseNotFoundException,
    InvalidArgumentException,
    ParsingFailedException,
    QueryIndexAlreadyExistsException,
    QueryIndexNotFoundException,
)
from couchbase.management.analytics import (
    AnalyticsDataset,
    AnalyticsDataType,
    AnalyticsIndex,
    CouchbaseRemoteAnalyticsLink,
)
from couchbase.options import AnalyticsOptions
from couchbase_mock import MockCluster


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=2, replicas=0, buckets={"default": {}, "travel": {}}) as made:
        made.create_scope("travel", "inventory")
        made.create_collection("travel", "inventory", "airline")
        yield made


@pytest.fixture(scope="module")
def cluster(mock: MockCluster) -> Iterator[Any]:
    from couchbase.cluster import Cluster

    made = Cluster(mock.connstr, options())
    yield made
    made.close()


def rows(cluster: Any, statement: str, *opts: Any, **kwargs: Any) -> list[Any]:
    return list(cluster.analytics_query(statement, *opts, **kwargs).rows())


@pytest.fixture(scope="module")
def beers(cluster: Any) -> Any:
    """A dataset over the default bucket's beers, its link connected."""
    coll = cluster.bucket("default").default_collection()
    coll.upsert("beer-1", {"type": "beer", "name": "Pale", "abv": 5.0})
    coll.upsert("brewery-1", {"type": "brewery", "name": "Kona"})
    rows(cluster, "CREATE DATASET beers ON `default` WHERE `type` = 'beer'")
    rows(cluster, "CONNECT LINK Local")
    return coll


def test_cluster_analytics_query_sees_kv_writes(cluster: Any, beers: Any) -> None:
    assert rows(cluster, "SELECT VALUE b.name FROM beers b") == ["Pale"]
    beers.upsert("beer-2", {"type": "beer", "name": "Stout", "abv": 8.0})
    result = cluster.analytics_query(
        "SELECT VALUE b.name FROM beers b WHERE b.abv > $min ORDER BY b.name",
        AnalyticsOptions(named_parameters={"min": 4}, client_context_id="live-1",
                         scan_consistency=AnalyticsScanConsistency.REQUEST_PLUS))
    assert list(result.rows()) == ["Pale", "Stout"]
    meta = result.metadata()
    assert meta.status() is AnalyticsStatus.SUCCESS and meta.client_context_id() == "live-1"
    assert meta.metrics().result_count() == 2 and meta.metrics().error_count() == 0
    assert meta.metrics().processed_objects() == 2 and meta.request_id()
    beers.remove("beer-2")
    assert rows(cluster, "SELECT VALUE b.name FROM beers b WHERE b.abv > ?",
                AnalyticsOptions(positional_parameters=[4])) == ["Pale"]
    assert rows(cluster, "SELECT VALUE COUNT(*) FROM beers", read_only=True) == [1]


def test_cluster_analytics_query_errors(cluster: Any, beers: Any) -> None:
    with pytest.raises(DatasetNotFoundException) as info:
        rows(cluster, "SELECT * FROM no_such_dataset")
    assert info.value.context.first_error_code == 24045
    with pytest.raises(ParsingFailedException):
        rows(cluster, "SELEKT 1")
    with pytest.raises(DatasetAlreadyExistsException):
        rows(cluster, "CREATE DATASET beers ON `default`")
    with pytest.raises(CouchbaseException):
        rows(cluster, "CREATE DATAVERSE not_in_read_only", read_only=True)


def test_scope_analytics_query_uses_the_scope_dataverse(cluster: Any) -> None:
    scope = cluster.bucket("travel").scope("inventory")
    scope.collection("airline").upsert("a1", {"name": "Air One", "country": "FR"})
    scope.collection("airline").upsert("a2", {"name": "Two Air", "country": "US"})
    rows(cluster, "CREATE ANALYTICS SCOPE `travel`.`inventory` IF NOT EXISTS")
    rows(cluster, "CREATE ANALYTICS COLLECTION IF NOT EXISTS `travel`.`inventory`.`airline` "
                  "ON `travel`.`inventory`.`airline`")
    rows(cluster, "CONNECT LINK `travel`.`inventory`.Local")
    result = scope.analytics_query("SELECT VALUE a.name FROM airline a WHERE a.country = $c",
                                   c="US")
    assert list(result.rows()) == ["Two Air"]


def test_2x_bucket_analytics_query_and_deferred(mock: MockCluster, beers: Any) -> None:
    from couchbase.bucket import Bucket

    cb = Bucket(f"{mock.connstr}/default", username="Administrator", password="password")
    try:
        query = AnalyticsQuery("SELECT VALUE b.name FROM beers b WHERE b.abv = ?", 5.0)
        assert list(cb.analytics_query(query, None)) == ["Pale"]
        request = cb.analytics_query(AnalyticsQuery("SELECT VALUE $n * 2", n=21))
        assert request.get_single_result() == 42
        deferred = cb.analytics_query(DeferredAnalyticsQuery(
            "SELECT VALUE b.name FROM beers b"))
        assert list(deferred) == ["Pale"]
        with pytest.raises(AnalyticsError) as info:  # (the 2.x exception)
            list(cb.analytics_query("SELECT * FROM nothing_here"))
        assert info.value.code == 24045
    finally:
        cb.close()


def test_index_manager_lifecycle(cluster: Any) -> None:
    mgr = cluster.analytics_indexes()
    mgr.create_dataverse("mgr_dv")
    mgr.create_dataverse("mgr_dv", ignore_if_exists=True)
    with pytest.raises(DataverseAlreadyExistsException):
        mgr.create_dataverse("mgr_dv")
    mgr.create_dataset("ales", "default", dataverse_name="mgr_dv", condition="`type` = 'beer'")
    mgr.create_dataset("ales", "default", dataverse_name="mgr_dv", ignore_if_exists=True)
    with pytest.raises(DatasetAlreadyExistsException):
        mgr.create_dataset("ales", "default", dataverse_name="mgr_dv")
    mgr.create_index("by_name", "ales", {"name": AnalyticsDataType.STRING},
                     dataverse_name="mgr_dv")
    with pytest.raises(QueryIndexAlreadyExistsException):
        mgr.create_index("by_name", "ales", {"name": AnalyticsDataType.STRING},
                         dataverse_name="mgr_dv")
    assert AnalyticsDataset("ales", "mgr_dv", "Local", "default") in mgr.get_all_datasets()
    indexes = mgr.get_all_indexes()
    assert AnalyticsIndex("by_name", "ales", "mgr_dv", False) in indexes
    assert all(i.dataverse_name != "Metadata" for i in indexes)

    mgr.connect_link(dataverse_name="mgr_dv")
    coll = cluster.bucket("default").default_collection()
    coll.upsert("beer-mgr", {"type": "beer", "name": "Managed"})
    assert "Managed" in rows(cluster, "SELECT VALUE a.name FROM mgr_dv.ales a")
    assert mgr.get_pending_mutations()["mgr_dv.ales"] == 0  # flat, as the official SDK
    mgr.disconnect_link(dataverse_name="mgr_dv")
    coll.upsert("beer-mgr-2", {"type": "beer", "name": "Pending"})
    assert mgr.get_pending_mutations()["mgr_dv.ales"] == 1
    mgr.connect_link(dataverse_name="mgr_dv", force=True)
    assert "Pending" in rows(cluster, "SELECT VALUE a.name FROM mgr_dv.ales a")

    mgr.drop_index("by_name", "ales", dataverse_name="mgr_dv")
    mgr.drop_index("by_name", "ales", dataverse_name="mgr_dv", ignore_if_not_exists=True)
    with pytest.raises(QueryIndexNotFoundException):
        mgr.drop_index("by_name", "ales", dataverse_name="mgr_dv")
    mgr.drop_dataset("ales", dataverse_name="mgr_dv")
    with pytest.raises(DatasetNotFoundException):
        mgr.drop_dataset("ales", dataverse_name="mgr_dv")
    mgr.drop_dataset("ales", dataverse_name="mgr_dv", ignore_if_not_exists=True)
    mgr.drop_dataverse("mgr_dv")
    mgr.drop_dataverse("mgr_dv", ignore_if_not_exists=True)
    with pytest.raises(DataverseNotFoundException):
        mgr.drop_dataverse("mgr_dv")


def test_index_manager_links(cluster: Any) -> None:
    mgr = cluster.analytics_indexes()
    mgr.create_dataverse("link_dv", ignore_if_exists=True)
    link = CouchbaseRemoteAnalyticsLink("link_dv", "remote", "10.0.0.9:8091",
                                        username="u", password="secret")
    mgr.create_link(link)
    with pytest.raises(AnalyticsLinkExistsException):
        mgr.create_link(link)
    (found,) = mgr.get_links(dataverse_name="link_dv")
    assert (found.dataverse, found.name) == ("link_dv", "remote")
    assert found.settings["hostname"] == "10.0.0.9:8091"
    assert found.settings["password"] != "secret"
    mgr.replace_link(CouchbaseRemoteAnalyticsLink("link_dv", "remote", "10.0.0.10:8091"))
    assert mgr.get_links(dataverse_name="link_dv", name="remote")[0].settings[
        "hostname"] == "10.0.0.10:8091"
    mgr.drop_link("remote", "link_dv")
    with pytest.raises(AnalyticsLinkNotFoundException):
        mgr.drop_link("remote", "link_dv")


def test_index_manager_bad_arguments(cluster: Any) -> None:
    mgr = cluster.analytics_indexes()
    with pytest.raises(InvalidArgumentException):
        mgr.create_dataverse("")
    with pytest.raises(InvalidArgumentException):
        mgr.create_dataset("ds", None)
    with pytest.raises(InvalidArgumentException):
        mgr.create_index("ix", "ds", {})
    with pytest.raises(InvalidArgumentException):
        mgr.connect_link(no_such_option=True)
    with pytest.raises(InvalidArgumentException):
        mgr.get_links(name="only-a-name")


def test_asyncio_query_and_manager(mock: MockCluster, beers: Any) -> None:
    from acouchbase.cluster import Cluster

    async def main() -> tuple[list[Any], list[str], BaseException]:
        acluster = await Cluster.connect(mock.connstr, options())
        try:
            result = acluster.analytics_query("SELECT VALUE b.name FROM beers b "
                                              "WHERE b.name = $n", n="Pale")
            got = [row async for row in result]
            mgr = acluster.analytics_indexes()
            await mgr.create_dataverse("async_dv", ignore_if_exists=True)
            await mgr.create_dataset("ds", "default", dataverse_name="async_dv")
            names = [d.dataset_name for d in await mgr.get_all_datasets()
                     if d.dataverse_name == "async_dv"]
            try:
                await mgr.create_dataset("ds", "default", dataverse_name="async_dv")
            except BaseException as exc:  # noqa: BLE001 (checked below)
                error = exc
            await mgr.drop_dataverse("async_dv")
            return got, names, error
        finally:
            await acluster.close()

    got, names, error = asyncio.run(main())
    assert got == ["Pale"] and names == ["ds"]
    assert isinstance(error, DatasetAlreadyExistsException)
