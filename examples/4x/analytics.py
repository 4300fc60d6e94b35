"""Analytics (the 4.x guide's "Analytics using the SDK" howto) on the travel-sample
bucket: a dataset of airports made with the analytics index manager and kept in
step with the bucket by connecting the Local link, then the basic query and its
metadata, positional and named parameters as options and as plain arguments,
iterating a result, scan consistency, a client context id, priority, read-only
queries, an analytics collection over the ``inventory.airport`` collection
queried by its full name and from its scope, and the asyncio form.

The guide makes the collection's dataset with ``ALTER COLLECTION ... ENABLE
ANALYTICS``; this example uses the two statements the guide says it stands for
(``CREATE DATAVERSE`` and ``CREATE DATASET``), which the local cluster supports.

Runs against the embedded local cluster (or yours: see ``_local.py``);
``tests/test_examples_4x.py`` checks what it prints.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from _local import cluster_address

from acouchbase.cluster import Cluster as AsyncCluster
from couchbase.analytics import AnalyticsScanConsistency
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import CouchbaseException, DatasetAlreadyExistsException
from couchbase.management.analytics import AnalyticsDataType
from couchbase.management.options import CreateAnalyticsIndexOptions, CreateDatasetOptions
from couchbase.options import AnalyticsOptions, ClusterOptions

FRANCE = "SELECT count(*) AS airports FROM airports a WHERE a.country = 'France'"


def manage(cluster: Cluster) -> None:
    """The analytics index manager: a dataset over the bucket's airports, an index,
    the Local link connected (the dataset then follows the bucket's writes)."""
    indexes = cluster.analytics_indexes()
    # (CreateDatasetOptions(condition=...) says the same; the official SDK 4.6 refuses it)
    list(cluster.analytics_query(
        "CREATE DATASET airports ON `travel-sample` WHERE `type` = 'airport'").rows())
    try:
        indexes.create_dataset("airports", "travel-sample")
    except DatasetAlreadyExistsException:
        print("create it again: DatasetAlreadyExistsException")
    indexes.create_dataset("airports", "travel-sample",
                           CreateDatasetOptions(ignore_if_exists=True))
    indexes.create_index("airports_by_country", "airports",
                         {"country": AnalyticsDataType.STRING},
                         CreateAnalyticsIndexOptions(ignore_if_exists=True))
    indexes.connect_link()
    print("datasets:", sorted(d.dataset_name for d in indexes.get_all_datasets()))
    print("indexes:", sorted(i.name for i in indexes.get_all_indexes()
                             if i.dataset_name == "airports" and not i.is_primary))


def queries(cluster: Cluster) -> None:
    result = cluster.analytics_query("SELECT 'hello' AS greeting")
    for row in result.rows():
        print("found row:", row)
    metadata = result.metadata()
    print("status:", metadata.status().name, "| execution time is a timedelta:",
          isinstance(metadata.metrics().execution_time(), timedelta))

    # parameters: positional and named, as plain arguments or as options
    by_country = "SELECT count(*) AS airports FROM airports a WHERE a.country = ?"
    print("positional:", list(cluster.analytics_query(by_country, "France").rows()))
    print("positional option:", list(cluster.analytics_query(
        by_country, AnalyticsOptions(positional_parameters=["France"])).rows()))
    named = "SELECT count(*) AS airports FROM airports a WHERE a.country = $country"
    print("named keyword:", list(cluster.analytics_query(named, country="France").rows()))
    print("named option:", list(cluster.analytics_query(
        named, AnalyticsOptions(named_parameters={"country": "France"})).rows()))

    # iterating the result itself
    for row in cluster.analytics_query("SELECT a.faa, a.airportname FROM airports a "
                                       "WHERE a.country = 'France' ORDER BY a.faa LIMIT 3"):
        print("airport:", row["faa"], row["airportname"])

    # consistency: REQUEST_PLUS waits for the dataset to take in every write so far
    airports = cluster.bucket("travel-sample").default_collection()
    airports.upsert("airport_99901", {"type": "airport", "id": 99901, "faa": "ZZZ",
                                      "airportname": "Example Field", "country": "France"})
    result = cluster.analytics_query(FRANCE, AnalyticsOptions(
        scan_consistency=AnalyticsScanConsistency.REQUEST_PLUS))
    print("after an upsert, request_plus:", list(result.rows()))
    airports.remove("airport_99901")

    context_id = f"user-44{uuid.uuid4()}"
    result = cluster.analytics_query(FRANCE, AnalyticsOptions(client_context_id=context_id))
    list(result.rows())
    print("client context id mirrored:", result.metadata().client_context_id() == context_id)
    print("priority:", list(cluster.analytics_query(
        FRANCE, AnalyticsOptions(priority=True)).rows()))
    print("read only:", list(cluster.analytics_query(
        FRANCE, AnalyticsOptions(read_only=True)).rows()))
    try:
        list(cluster.analytics_query("SELEKT 1").rows())
    except CouchbaseException as exc:  # (here ParsingFailedException, a CouchbaseException)
        print("bad statement rejected, code", exc.context.first_error_code)


def scoped(cluster: Cluster) -> None:
    """An analytics collection named like the Data service's collection."""
    # a statement runs when its result is read, even one that returns no rows
    for statement in ("CREATE DATAVERSE `travel-sample`.inventory IF NOT EXISTS",
                      "CREATE DATASET IF NOT EXISTS `travel-sample`.inventory.airport "
                      "ON `travel-sample`.inventory.airport",
                      "CONNECT LINK `travel-sample`.inventory.Local"):
        list(cluster.analytics_query(statement).rows())
    result = cluster.analytics_query(
        "SELECT airportname, country FROM `travel-sample`.inventory.airport a "
        "WHERE a.country = 'France' ORDER BY a.airportname LIMIT 3")
    print("full name:", list(result.rows()))
    scope = cluster.bucket("travel-sample").scope("inventory")
    result = scope.analytics_query(
        "SELECT airportname, country FROM airport a "
        "WHERE a.country = 'France' ORDER BY a.airportname LIMIT 3")
    print("from the scope:", list(result.rows()))


async def async_query(connstr: str, username: str, password: str) -> None:
    cluster = await AsyncCluster.connect(connstr, ClusterOptions(
        PasswordAuthenticator(username, password)))
    result = cluster.analytics_query(FRANCE)
    async for row in result:
        print("asyncio:", row)
    await cluster.close()


def cleanup(cluster: Cluster) -> None:
    indexes = cluster.analytics_indexes()
    indexes.disconnect_link()
    indexes.drop_index("airports_by_country", "airports")
    indexes.drop_dataset("airports")
    list(cluster.analytics_query("DROP DATAVERSE `travel-sample`.inventory").rows())
    print("datasets after dropping:", sorted(d.dataset_name
                                             for d in indexes.get_all_datasets()))


def main(connstr: str, username: str, password: str) -> None:
    cluster = Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator(username, password)))
    cluster.bucket("travel-sample")
    manage(cluster)
    queries(cluster)
    scoped(cluster)
    asyncio.run(async_query(connstr, username, password))
    cleanup(cluster)
    cluster.close()


if __name__ == "__main__":
    with cluster_address() as address:
        main(*address)
