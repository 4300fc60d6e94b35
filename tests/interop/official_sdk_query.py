"""Runs under the OFFICIAL Couchbase Python SDK (4.x), not under this project.

Usage: python official_sdk_query.py CONNSTR USERNAME PASSWORD
N1QL through cluster.query() against couchbase_mock's query service. Prints
one line per check, then ``ROWS <json>`` with the rows of two parameterised
queries on the final data (the pytest side runs them with this project's
client and over plain HTTP, and compares), then ALL OK.
Exits non-zero at the first failed check.
"""

import json
import sys
import uuid
from datetime import timedelta

from official_checks import check, expect  # beside this script

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import (
    KeyspaceNotFoundException,
    ParsingFailedException,
    QueryIndexNotFoundException,
)
from couchbase.n1ql import QueryScanConsistency, QueryStatus
from couchbase.options import ClusterOptions, QueryOptions

BEERS = {
    "beer-1": {"type": "beer", "name": "Pale Ale", "abv": 5.6, "brewery": "b1"},
    "beer-2": {"type": "beer", "name": "Stout", "abv": 9.5, "brewery": "b1"},
    "beer-3": {"type": "beer", "name": "Lager", "abv": 4.8, "brewery": "b2"},
    "brewery-b1": {"type": "brewery", "name": "First Brewery"},
}

POSITIONAL = ("SELECT META(d).id, d.name, d.abv FROM `default` d "
              "WHERE d.type = $1 AND d.abv > $2 ORDER BY d.abv")
NAMED = "SELECT RAW d.name FROM `default` d WHERE d.brewery = $brewery ORDER BY d.name"


def count_of(value):
    """A metrics count: the SDK wraps them in UnsignedInt64."""
    return getattr(value, "value", value)


def main():
    connstr, username, password = sys.argv[1:4]
    cluster = Cluster(connstr, ClusterOptions(PasswordAuthenticator(username, password)))
    cluster.wait_until_ready(timedelta(seconds=10))
    coll = cluster.bucket("default").default_collection()

    # No index yet: code 4000, "No index available ...".
    expect("a query with no index", QueryIndexNotFoundException,
           lambda: cluster.query("SELECT * FROM `default`").execute())
    expect("a syntax error", ParsingFailedException,
           lambda: cluster.query("SELECT FROM WHERE").execute())
    expect("a missing keyspace", KeyspaceNotFoundException,
           lambda: cluster.query("SELECT * FROM `nobucket`").execute())

    created = cluster.query("CREATE PRIMARY INDEX ON `default`")
    check("create primary index", created.execute() == []
          and created.metadata().status() == QueryStatus.SUCCESS)
    cluster.query("CREATE INDEX by_type ON `default`(type, abv)").execute()
    indexes = cluster.query("SELECT RAW name FROM system:indexes "
                            "WHERE keyspace_id = 'default' ORDER BY name").execute()
    check("system:indexes lists both", indexes == ["#primary", "by_type"])

    for key, doc in BEERS.items():
        coll.upsert(key, doc)

    positional = cluster.query(
        POSITIONAL,
        QueryOptions(positional_parameters=["beer", 5], metrics=True,
                     scan_consistency=QueryScanConsistency.REQUEST_PLUS))
    rows_positional = positional.execute()
    check("positional parameters", rows_positional == [
        {"id": "beer-1", "name": "Pale Ale", "abv": 5.6},
        {"id": "beer-2", "name": "Stout", "abv": 9.5}])
    meta = positional.metadata()
    metrics = meta.metrics()
    check("metrics: result count",
          metrics is not None and count_of(metrics.result_count()) == 2)
    check("metrics: result size",
          count_of(metrics.result_size()) == sum(len(json.dumps(r, separators=(",", ":")))
                                       for r in rows_positional))
    check("metrics: durations", metrics.elapsed_time() > timedelta(0)
          and metrics.execution_time() > timedelta(0)
          and metrics.elapsed_time() >= metrics.execution_time())
    check("status success", meta.status() == QueryStatus.SUCCESS)
    check("request id", len(meta.request_id()) == 36)
    check("signature", meta.signature() == {"id": "json", "name": "json", "abv": "json"})

    ccid = f"interop-{uuid.uuid4().hex[:8]}"
    named = cluster.query(
        NAMED,
        QueryOptions(named_parameters={"brewery": "b1"}, client_context_id=ccid))
    rows_named = named.execute()
    check("named parameters", rows_named == ["Pale Ale", "Stout"])
    check("client context id echoed", named.metadata().client_context_id() == ccid)
    check("no metrics unless asked", named.metadata().metrics() is None)

    rows_dollar = cluster.query("SELECT RAW COUNT(*) FROM `default` WHERE type = $t",
                                t="beer").execute()
    check("named parameters as keywords", rows_dollar == [3])

    # Prepared (adhoc=False): PREPARE with auto_execute, then by name.
    for round_ in range(3):
        prepared = cluster.query(
            "SELECT RAW name FROM `default` WHERE type = $1 ORDER BY name",
            QueryOptions(adhoc=False, positional_parameters=["brewery"])).execute()
        check(f"prepared statement, run {round_ + 1}", prepared == ["First Brewery"])

    update = cluster.query(
        "UPDATE `default` SET abv = abv + 1 WHERE type = 'beer' AND brewery = $b "
        "RETURNING RAW META().id", QueryOptions(named_parameters={"b": "b2"}, metrics=True))
    check("update returning", update.execute() == ["beer-3"])
    check("mutation count", count_of(update.metadata().metrics().mutation_count()) == 1)
    check("KV sees the N1QL update", coll.get("beer-3").content_as[dict]["abv"] == 5.8)

    coll.remove("beer-2")
    gone = cluster.query("SELECT RAW META().id FROM `default` WHERE type = 'beer' "
                         "ORDER BY META().id").execute()
    check("index follows a KV remove", gone == ["beer-1", "beer-3"])

    many = {f"row-{i:05d}": {"type": "row", "n": i, "pad": "x" * 40} for i in range(3000)}
    for key, doc in many.items():
        coll.upsert(key, doc)
    streamed = cluster.query("SELECT n, pad FROM `default` WHERE type = 'row' ORDER BY n",
                             QueryOptions(metrics=True))
    count = 0
    for i, row in enumerate(streamed):
        if row != {"n": i, "pad": "x" * 40}:
            check(f"streamed row {i}", False)
        count += 1
    check("3000 rows streamed", count == 3000
          and count_of(streamed.metadata().metrics().result_count()) == 3000)

    # The comparison queries (the pytest side runs them with our client too).
    final_positional = cluster.query(POSITIONAL, QueryOptions(
        positional_parameters=["beer", 5])).execute()
    final_named = cluster.query(NAMED, QueryOptions(
        named_parameters={"brewery": "b1"})).execute()
    print("ROWS " + json.dumps({"positional": final_positional, "named": final_named}),
          flush=True)
    cluster.close()
    print("ALL OK", flush=True)


if __name__ == "__main__":
    main()
