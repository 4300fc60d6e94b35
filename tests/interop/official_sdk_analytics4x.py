"""Analytics through the 4.x API, run by the OFFICIAL SDK 4.x and by this package.

Usage: python official_sdk_analytics4x.py CONNSTR USERNAME PASSWORD PREFIX
(see official_sdk_4x_steps.py for the output). The analytics index manager
(``cluster.analytics_indexes()``: dataverses, a dataset over the run's documents,
an index, the Local link, listings, pending mutations) and
``Cluster.analytics_query`` / ``Scope.analytics_query`` (parameters as options and
as arguments, scan consistency, metadata, read-only, priority, raw, DDL, errors)
against the local cluster's analytics service.
"""

from datetime import timedelta

from official_sdk_4x_steps import Run

from couchbase.analytics import AnalyticsScanConsistency
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.management.analytics import AnalyticsDataType
from couchbase.management.options import (
    ConnectLinkOptions,
    CreateAnalyticsIndexOptions,
    CreateDatasetOptions,
    CreateDataverseOptions,
    DisconnectLinkOptions,
    DropAnalyticsIndexOptions,
    DropDatasetOptions,
    DropDataverseOptions,
)
from couchbase.options import AnalyticsOptions, ClusterOptions

AIRPORTS = [("cdg", "Charles de Gaulle", "France", 3), ("ory", "Orly", "France", 2),
            ("lhr", "Heathrow", "United Kingdom", 5), ("lgw", "Gatwick", "United Kingdom", 1),
            ("sfo", "San Francisco Intl", "United States", 4)]


def main():
    run = Run()
    cluster = Cluster(run.connstr, ClusterOptions(
        PasswordAuthenticator(run.username, run.password)))
    bucket = cluster.bucket("default")
    coll = bucket.default_collection()
    for key, name, country, runways in AIRPORTS:
        coll.upsert(run.key(key), {"type": "airport", "run": run.prefix, "name": name,
                                   "country": country, "runways": runways})
    mgr = cluster.analytics_indexes()
    dv = run.prefix + "dv"
    qdv = f"`{dv}`"
    ds = f"{qdv}.airports"
    in_dv = {"dataverse_name": dv}

    def rows(result):
        return list(result.rows())

    def mine(items):
        return sorted([[getattr(i, "dataset_name", None), getattr(i, "name", None),
                        i.dataverse_name] for i in items if i.dataverse_name == dv])

    # the index manager
    run.step("create dataverse", lambda: mgr.create_dataverse(dv))
    run.step("create dataverse again", lambda: mgr.create_dataverse(dv))
    run.step("create dataverse ignore_if_exists", lambda: mgr.create_dataverse(
        dv, CreateDataverseOptions(ignore_if_exists=True)))
    # (DDL: the official SDK 4.6's create_dataset refuses its own condition option)
    run.step("create dataset with a condition", lambda: rows(cluster.analytics_query(
        f"CREATE DATASET {ds} ON `default` WHERE `run` = '{run.prefix}'")))
    run.step("create dataset again", lambda: mgr.create_dataset(
        "airports", "default", CreateDatasetOptions(**in_dv)))
    run.step("create dataset in a missing dataverse", lambda: mgr.create_dataset(
        "airports", "default", CreateDatasetOptions(dataverse_name=run.prefix + "nope")))
    run.step("datasets", lambda: mine(mgr.get_all_datasets()))
    run.step("dataset bucket and link", lambda: [
        [d.bucket_name, d.link_name] for d in mgr.get_all_datasets() if d.dataverse_name == dv])
    run.step("create index", lambda: mgr.create_index(
        "by_country", "airports", {"country": AnalyticsDataType.STRING},
        CreateAnalyticsIndexOptions(**in_dv)))
    run.step("create index again", lambda: mgr.create_index(
        "by_country", "airports", {"country": AnalyticsDataType.STRING},
        CreateAnalyticsIndexOptions(**in_dv)))
    run.step("indexes", lambda: mine(mgr.get_all_indexes()))
    run.step("connect link", lambda: mgr.connect_link(ConnectLinkOptions(**in_dv)))
    run.step("pending mutations", lambda: {
        k: v for k, v in mgr.get_pending_mutations().items() if dv in k})

    # queries
    plus = AnalyticsOptions(scan_consistency=AnalyticsScanConsistency.REQUEST_PLUS)
    by_country = f"SELECT RAW a.name FROM {ds} a WHERE a.country = ? ORDER BY a.name"
    named = f"SELECT RAW a.name FROM {ds} a WHERE a.country = $country ORDER BY a.name"
    run.step("expression", lambda: cluster.analytics_query("SELECT 'hello' AS greeting"), rows)
    run.step("request_plus", lambda: cluster.analytics_query(
        f"SELECT a.name, a.runways FROM {ds} a ORDER BY a.name", plus), rows)
    run.step("positional as arguments", lambda: cluster.analytics_query(by_country, "France"),
             rows)
    run.step("positional as options", lambda: cluster.analytics_query(
        by_country, AnalyticsOptions(positional_parameters=["United Kingdom"])), rows)
    run.step("named as keywords", lambda: cluster.analytics_query(named, country="France"),
             rows)
    run.step("named as options", lambda: cluster.analytics_query(
        named, AnalyticsOptions(named_parameters={"country": "United States"})), rows)
    run.step("iterate", lambda: [row for row in cluster.analytics_query(
        f"SELECT a.country, SUM(a.runways) AS runways FROM {ds} a GROUP BY a.country "
        "ORDER BY a.country")])
    run.step("count", lambda: cluster.analytics_query(
        f"SELECT count(*) FROM {ds} a WHERE a.country = 'France'"), rows)

    def meta(result):
        list(result.rows())
        m = result.metadata()
        metrics = m.metrics()
        return {"status": m.status(), "request_id": bool(m.request_id()),
                "client_context_id": m.client_context_id(),
                "warnings": [[w.code(), w.message()] for w in m.warnings()],
                "result_count": metrics.result_count(), "error_count": metrics.error_count(),
                "warning_count": metrics.warning_count(),
                "processed_objects": metrics.processed_objects(),
                "elapsed": isinstance(metrics.elapsed_time(), timedelta),
                "execution": isinstance(metrics.execution_time(), timedelta)}

    run.step("metadata", lambda: cluster.analytics_query(
        f"SELECT a.name FROM {ds} a ORDER BY a.name LIMIT 2",
        AnalyticsOptions(client_context_id="ctx-a1")), meta)
    run.step("read_only", lambda: cluster.analytics_query(
        f"SELECT RAW a.name FROM {ds} a WHERE a.runways > 3 ORDER BY a.name",
        AnalyticsOptions(read_only=True)), rows)
    run.step("read_only DDL", lambda: cluster.analytics_query(
        f"CREATE DATAVERSE `{run.prefix}ro`", AnalyticsOptions(read_only=True)), rows)
    run.step("priority", lambda: cluster.analytics_query(
        f"SELECT RAW COUNT(*) FROM {ds} a", AnalyticsOptions(priority=True)), rows)
    run.step("raw option", lambda: cluster.analytics_query(
        f"SELECT RAW a.name FROM {ds} a WHERE a.runways = $n",
        AnalyticsOptions(raw={"$n": 5})), rows)

    def follows_writes():
        coll.upsert(run.key("nce"), {"type": "airport", "run": run.prefix, "name": "Nice",
                                     "country": "France", "runways": 2})
        coll.remove(run.key("ory"))
        return rows(cluster.analytics_query(by_country, AnalyticsOptions(
            positional_parameters=["France"],
            scan_consistency=AnalyticsScanConsistency.REQUEST_PLUS)))

    run.step("dataset follows KV writes", follows_writes)

    # an analytics collection named like the Data service's collection; Scope.analytics_query
    scope_name = run.prefix.rstrip("-") + "a"
    bucket.collections().create_scope(scope_name)
    bucket.collections().create_collection(scope_name, "airports")
    scoped = bucket.scope(scope_name).collection("airports")
    for key, name, country, runways in AIRPORTS:
        scoped.upsert(key, {"name": name, "country": country, "runways": runways})
    kv_name = f"`default`.`{scope_name}`"

    def scope_query():
        for statement in (f"CREATE DATAVERSE {kv_name}",
                          f"CREATE DATASET {kv_name}.airports ON {kv_name}.airports",
                          f"CONNECT LINK {kv_name}.Local"):
            rows(cluster.analytics_query(statement))
        return rows(bucket.scope(scope_name).analytics_query(
            "SELECT RAW name FROM airports WHERE country = $c ORDER BY name",
            AnalyticsOptions(named_parameters={"c": "United Kingdom"},
                             scan_consistency=AnalyticsScanConsistency.REQUEST_PLUS)))

    run.step("scope analytics query", scope_query)
    run.step("scope query of a missing dataset", lambda: bucket.scope(scope_name)
             .analytics_query("SELECT * FROM nope"), rows)
    run.step("drop the collection's dataverse", lambda: cluster.analytics_query(
        f"DROP DATAVERSE {kv_name}"), rows)
    bucket.collections().drop_scope(scope_name)

    # errors
    run.step("syntax error", lambda: cluster.analytics_query("SELEKT 1"), rows)
    run.step("missing dataset", lambda: cluster.analytics_query(
        f"SELECT * FROM {qdv}.nope"), rows)
    run.step("error context", lambda: _error_context(cluster, rows))
    run.step("drop missing index", lambda: mgr.drop_index(
        "nope", "airports", DropAnalyticsIndexOptions(**in_dv)))
    run.step("drop missing dataset", lambda: mgr.drop_dataset(
        "nope", DropDatasetOptions(**in_dv)))
    run.step("drop missing dataverse", lambda: mgr.drop_dataverse(run.prefix + "nope"))
    run.step("drop missing dataverse ignore_if_not_exists", lambda: mgr.drop_dataverse(
        run.prefix + "nope", DropDataverseOptions(ignore_if_not_exists=True)))

    # clean up
    run.step("disconnect link", lambda: mgr.disconnect_link(DisconnectLinkOptions(**in_dv)))
    run.step("drop index", lambda: mgr.drop_index(
        "by_country", "airports", DropAnalyticsIndexOptions(**in_dv)))
    run.step("indexes after drop", lambda: mine(mgr.get_all_indexes()))
    run.step("drop dataset", lambda: mgr.drop_dataset("airports", DropDatasetOptions(**in_dv)))
    run.step("drop dataverse", lambda: mgr.drop_dataverse(dv))
    run.step("datasets after drop", lambda: mine(mgr.get_all_datasets()))
    cluster.close()


def _error_context(cluster, rows):
    try:
        rows(cluster.analytics_query("SELEKT 1", AnalyticsOptions(client_context_id="err-a")))
    except Exception as exc:  # noqa: BLE001
        ctx = exc.context
        return {"class": type(exc).__name__, "statement": ctx.statement,
                "first_error_code": ctx.first_error_code,
                "context": type(ctx).__name__}
    return None


if __name__ == "__main__":
    main()
