"""SQL++ (N1QL) queries through the 4.x API, run by the OFFICIAL SDK 4.x and by this package.

Usage: python official_sdk_query4x.py CONNSTR USERNAME PASSWORD PREFIX
(see official_sdk_4x_steps.py for the output). ``Cluster.query`` and
``Scope.query`` on a collection of the run's own: positional and named
parameters (as options and as arguments), scan consistency, consistent_with,
DML, the metadata fields that do not change from run to run, and errors.
"""

from datetime import timedelta

from official_sdk_4x_steps import Run

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.mutation_state import MutationState
from couchbase.n1ql import QueryProfile, QueryScanConsistency
from couchbase.options import ClusterOptions, QueryOptions

BEERS = [("pale", "Pale Ale", 5.6, "b1"), ("stout", "Stout", 7.2, "b2"),
         ("lager", "Lager", 5.8, "b1"), ("ipa", "IPA", 6.5, "b2"), ("mild", "Mild", 3.5, "b3")]


def main():
    run = Run()
    cluster = Cluster(run.connstr, ClusterOptions(
        PasswordAuthenticator(run.username, run.password)))
    bucket = cluster.bucket("default")
    scope_name = run.prefix.rstrip("-") + "q"
    bucket.collections().create_scope(scope_name)
    bucket.collections().create_collection(scope_name, "beers")
    scope = bucket.scope(scope_name)
    coll = scope.collection("beers")
    ks = f"`default`.`{scope_name}`.`beers`"
    cluster.query(f"CREATE PRIMARY INDEX ON {ks}").execute()
    state = MutationState()
    for key, name, abv, brewery in BEERS:
        state.add_mutation_token(coll.upsert(key, {"type": "beer", "name": name, "abv": abv,
                                                   "brewery": brewery}).mutation_token())
    plus = QueryOptions(scan_consistency=QueryScanConsistency.REQUEST_PLUS)

    def rows(result):
        return list(result.rows())

    positional = f"SELECT b.name, b.abv FROM {ks} b WHERE b.abv > $1 ORDER BY b.abv"
    named = f"SELECT RAW b.name FROM {ks} b WHERE b.brewery = $brewery ORDER BY b.name"
    run.step("request_plus", lambda: cluster.query(
        f"SELECT META(b).id, b.* FROM {ks} b ORDER BY META(b).id", plus), rows)
    run.step("positional as options", lambda: cluster.query(positional, QueryOptions(
        positional_parameters=[5.7], scan_consistency=QueryScanConsistency.REQUEST_PLUS)),
        rows)
    run.step("positional as arguments", lambda: cluster.query(positional, 6.0), rows)
    run.step("named as options", lambda: cluster.query(named, QueryOptions(
        named_parameters={"brewery": "b1"})), rows)
    run.step("named as keywords", lambda: cluster.query(named, brewery="b2"), rows)
    run.step("iterate", lambda: [row for row in cluster.query(
        f"SELECT RAW b.abv FROM {ks} b ORDER BY b.abv DESC LIMIT 2")])
    run.step("consistent_with", lambda: cluster.query(
        f"SELECT RAW COUNT(*) FROM {ks}", QueryOptions(consistent_with=state)), rows)
    run.step("not_bounded", lambda: cluster.query(
        f"SELECT RAW b.name FROM {ks} b USE KEYS 'pale'",
        scan_consistency=QueryScanConsistency.NOT_BOUNDED), rows)
    run.step("scope query (query_context)", lambda: scope.query(
        "SELECT RAW name FROM beers WHERE abv < $max ORDER BY name",
        QueryOptions(named_parameters={"max": 6})), rows)
    run.step("expression only", lambda: cluster.query("SELECT 1 = 1 AS truth, 'x' || 'y' AS s"),
             rows)

    def meta(result):
        list(result.rows())
        m = result.metadata()
        metrics = m.metrics()
        return {"status": m.status(), "request_id": bool(m.request_id()),
                "client_context_id": m.client_context_id(), "signature": m.signature(),
                "warnings": [[w.code(), w.message()] for w in m.warnings()],
                "result_count": metrics.result_count(), "error_count": metrics.error_count(),
                "warning_count": metrics.warning_count(),
                "mutation_count": metrics.mutation_count(), "sort_count": metrics.sort_count(),
                "elapsed": isinstance(metrics.elapsed_time(), timedelta),
                "execution": isinstance(metrics.execution_time(), timedelta)}

    run.step("metadata", lambda: cluster.query(
        f"SELECT b.name FROM {ks} b ORDER BY b.name LIMIT 3",
        QueryOptions(metrics=True, client_context_id="ctx-1")), meta)
    run.step("profile", lambda: cluster.query("SELECT 1", QueryOptions(
        profile=QueryProfile.PHASES)),
        lambda r: [list(r.rows()), isinstance(r.metadata().profile(), dict)])
    run.step("no profile", lambda: cluster.query("SELECT 1"),
             lambda r: [list(r.rows()), r.metadata().profile()])

    # DML
    run.step("insert", lambda: cluster.query(
        f"INSERT INTO {ks} (KEY, VALUE) VALUES ('new', {{'type': 'beer', 'name': 'New', "
        f"'abv': 4.0, 'brewery': 'b9'}}) RETURNING RAW META().id", metrics=True),
        lambda r: [list(r.rows()), r.metadata().metrics().mutation_count()])
    run.step("update", lambda: cluster.query(
        f"UPDATE {ks} b SET b.abv = b.abv + 1 WHERE b.brewery = $1 RETURNING b.name, b.abv",
        QueryOptions(positional_parameters=["b1"], metrics=True)),
        lambda r: [sorted(list(r.rows()), key=lambda x: x["name"]),
                   r.metadata().metrics().mutation_count()])
    run.step("delete", lambda: cluster.query(
        f"DELETE FROM {ks} b WHERE b.brewery = 'b9'", metrics=True),
        lambda r: [list(r.rows()), r.metadata().metrics().mutation_count()])
    run.step("after DML", lambda: coll.get("pale").content_as[dict])
    run.step("read_only DML", lambda: cluster.query(
        f"DELETE FROM {ks}", QueryOptions(read_only=True)), rows)
    run.step("prepared (adhoc=False)", lambda: cluster.query(
        positional, QueryOptions(adhoc=False, positional_parameters=[6.0])), rows)
    run.step("raw option", lambda: cluster.query(
        f"SELECT RAW name FROM {ks} WHERE abv > $min ORDER BY name",
        QueryOptions(raw={"$min": 7})), rows)

    # the language (issue 13): a warning, a window function, WITH, MERGE, a scoped
    # function and a sequence through Scope.query (query_context)
    run.step("warning", lambda: cluster.query("SELECT 1/0 AS x", QueryOptions(
        metrics=True, client_context_id="ctx-w")), meta)
    run.step("window function", lambda: cluster.query(
        f"SELECT b.name, RANK() OVER (ORDER BY b.abv DESC) AS r FROM {ks} b ORDER BY r"), rows)
    run.step("with", lambda: cluster.query(
        f"WITH strong AS (SELECT RAW b.name FROM {ks} b WHERE b.abv > 6) "
        "SELECT RAW ARRAY_SORT(strong)"), rows)
    run.step("merge", lambda: cluster.query(
        f"MERGE INTO {ks} t USING [{{'id': 'mild', 'abv': 3.9}}, {{'id': 'bock', 'abv': 7}}] s "
        "ON KEY s.id WHEN MATCHED THEN UPDATE SET t.abv = s.abv "
        "WHEN NOT MATCHED THEN INSERT {'name': 'Bock', 'abv': s.abv}", metrics=True),
        lambda r: [list(r.rows()), r.metadata().metrics().mutation_count()])
    run.step("after merge", lambda: [coll.get("mild").content_as[dict]["abv"],
                                     coll.get("bock").content_as[dict]])
    coll.remove("bock")

    def scoped_function():
        scope.query("CREATE FUNCTION dbl(x) { x * 2 }").execute()
        try:
            return list(scope.query("SELECT RAW dbl(abv) FROM beers USE KEYS 'stout'").rows())
        finally:
            scope.query("DROP FUNCTION dbl").execute()

    def sequence():
        scope.query("CREATE SEQUENCE seq1 START WITH 10 INCREMENT BY 5").execute()
        try:
            return [list(scope.query("SELECT RAW NEXT VALUE FOR seq1").rows()) for _ in range(3)]
        finally:
            scope.query("DROP SEQUENCE seq1").execute()

    run.step("scoped function", scoped_function)
    run.step("sequence", sequence)

    # errors
    run.step("syntax error", lambda: cluster.query("SELEKT 1"), rows)
    run.step("missing keyspace", lambda: cluster.query(
        f"SELECT * FROM `default`.`{scope_name}`.`nope`"), rows)
    run.step("missing bucket", lambda: cluster.query("SELECT * FROM `no-such-bucket`"), rows)
    run.step("no index", lambda: cluster.query(
        f"SELECT * FROM `default`.`{scope_name}`.`_default`"), rows)
    run.step("missing scope", lambda: bucket.scope("nope").query("SELECT * FROM beers"), rows)
    run.step("missing named parameter", lambda: cluster.query(named), rows)
    run.step("index exists", lambda: cluster.query(f"CREATE PRIMARY INDEX ON {ks}"), rows)
    run.step("drop missing index", lambda: cluster.query(f"DROP INDEX nope ON {ks}"), rows)
    run.step("error context", lambda: cluster.query("SELEKT 1", client_context_id="err-1"),
             rows)
    try:
        cluster.query("SELEKT 1").execute()
    except Exception as exc:  # noqa: BLE001
        ctx = exc.context
        run.emit("error context fields", {
            "statement": ctx.statement, "first_error_code": ctx.first_error_code,
            "class": type(ctx).__name__})
    cluster.query(f"DROP PRIMARY INDEX ON {ks}").execute()
    bucket.collections().drop_scope(scope_name)
    cluster.close()


if __name__ == "__main__":
    main()
