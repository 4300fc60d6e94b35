"""The analytics catalog survives a restart of a local cluster that has a data directory
(issue 16): dataverses, datasets with their WHERE filter, secondary indexes, remote
links and whether each dataverse's Local link is connected. A dataset whose link was
connected answers queries right after the restart, filled from the restored
documents, and follows later KV writes; one whose link was disconnected stays empty
until CONNECT LINK.

Checked through the 4.x client: cluster.analytics_query and the AnalyticsIndexManager
(couchbase.management.analytics)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from cluster4x import options  # tests/, shared
from couchbase.exceptions import DataverseAlreadyExistsException
from couchbase.management.analytics import (
    AnalyticsDataset,
    AnalyticsDataType,
    AnalyticsIndex,
    CouchbaseRemoteAnalyticsLink,
)
from couchbase_mock import MockCluster


def started(data_dir: Path) -> MockCluster:
    return MockCluster(nodes=1, replicas=0, buckets={"default": {}}, data_dir=str(data_dir))


def connected(mock: MockCluster) -> Any:
    from couchbase.cluster import Cluster

    return Cluster(mock.connstr, options())


def rows(cluster: Any, statement: str) -> list[Any]:
    return list(cluster.analytics_query(statement).rows())


@pytest.fixture
def defined(tmp_path: Path) -> Iterator[Path]:
    """A data directory whose cluster had the analytics definitions made, then stopped."""
    with started(tmp_path) as mock:
        cluster = connected(mock)
        try:
            coll = cluster.bucket("default").default_collection()
            coll.upsert("ale-1", {"type": "ale", "name": "Pale", "abv": 5})
            coll.upsert("ale-2", {"type": "ale", "name": "Amber", "abv": 6})
            coll.upsert("stout-1", {"type": "stout", "name": "Dark", "abv": 8})
            mgr = cluster.analytics_indexes()
            mgr.create_dataverse("brew")
            mgr.create_dataset("ales", "default", dataverse_name="brew",
                               condition="`type` = 'ale'")
            mgr.create_index("by_abv", "ales", {"abv": AnalyticsDataType.INT64},
                             dataverse_name="brew")
            mgr.create_link(CouchbaseRemoteAnalyticsLink(
                "brew", "remote", "10.0.0.9:8091", username="u", password="secret"))
            mgr.connect_link(dataverse_name="brew")
            mgr.create_dataverse("idle")
            mgr.create_dataset("all_docs", "default", dataverse_name="idle")
            assert sorted(rows(cluster, "SELECT VALUE a.name FROM brew.ales a")) == [
                "Amber", "Pale"]
        finally:
            cluster.close()
    yield tmp_path


def test_definitions_and_data_after_a_restart(defined: Path) -> None:
    with started(defined) as mock:
        cluster = connected(mock)
        try:
            assert sorted(rows(cluster, "SELECT VALUE a.name FROM brew.ales a")) == [
                "Amber", "Pale"]  # the WHERE kept, filled from the restored documents
            mgr = cluster.analytics_indexes()
            datasets = mgr.get_all_datasets()
            assert AnalyticsDataset("ales", "brew", "Local", "default") in datasets
            assert AnalyticsDataset("all_docs", "idle", "Local", "default") in datasets
            assert AnalyticsIndex("by_abv", "ales", "brew", False) in mgr.get_all_indexes()
            (link,) = mgr.get_links(dataverse_name="brew")
            assert link.name == "remote" and link.settings["hostname"] == "10.0.0.9:8091"
            with pytest.raises(DataverseAlreadyExistsException):
                mgr.create_dataverse("brew")
            active = {r["DataverseName"]: r["IsActive"] for r in rows(
                cluster, "SELECT VALUE l FROM Metadata.`Link` l WHERE l.Name = 'Local'")}
            assert active["brew"] is True and active["idle"] is False

            coll = cluster.bucket("default").default_collection()
            coll.upsert("ale-3", {"type": "ale", "name": "Blonde", "abv": 4})  # followed
            assert sorted(rows(cluster, "SELECT VALUE a.name FROM brew.ales a")) == [
                "Amber", "Blonde", "Pale"]
            assert rows(cluster, "SELECT VALUE COUNT(*) FROM idle.all_docs") == [0]
            mgr.connect_link(dataverse_name="idle")
            assert rows(cluster, "SELECT VALUE COUNT(*) FROM idle.all_docs") == [4]
            mgr.drop_dataverse("idle")
        finally:
            cluster.close()
    with started(defined) as mock:  # the later changes were kept too
        cluster = connected(mock)
        try:
            names = {d.dataverse_name for d in cluster.analytics_indexes().get_all_datasets()}
            assert "brew" in names and "idle" not in names
            assert sorted(rows(cluster, "SELECT VALUE a.name FROM brew.ales a")) == [
                "Amber", "Blonde", "Pale"]
        finally:
            cluster.close()
