"""SQL++ (N1QL) queries (the 4.x guide's howto) on the travel-sample bucket:
rows and metrics, positional and named parameters as options and as keywords,
scan consistency, read-your-own-writes with a MutationState, a client context
id, read-only queries, and a scope's query (the scope as query context).

Runs against the embedded local cluster (or yours: see ``_local.py``);
``tests/test_examples_4x.py`` checks what it prints.
"""

from __future__ import annotations

from datetime import timedelta

from _local import cluster_address

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import ParsingFailedException
from couchbase.mutation_state import MutationState
from couchbase.n1ql import QueryScanConsistency
from couchbase.options import ClusterOptions, QueryOptions

AIRPORTS = "`travel-sample`.inventory.airport"
AIRLINES = "`travel-sample`.inventory.airline"


def main(connstr: str, username: str, password: str) -> None:
    cluster = Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator(username, password)))
    bucket = cluster.bucket("travel-sample")

    result = cluster.query(f"SELECT a.faa, a.airportname FROM {AIRPORTS} a ORDER BY a.faa "
                           "LIMIT 3", QueryOptions(metrics=True))
    for row in result.rows():
        print("row:", row)
    metrics = result.metadata().metrics()
    print("result count:", metrics.result_count(),
          "| execution time is a timedelta:", isinstance(metrics.execution_time(), timedelta))

    # parameters: positional and named, as options or as plain arguments
    by_city = f"SELECT RAW a.faa FROM {AIRPORTS} a WHERE a.city = $1 ORDER BY a.faa LIMIT 3"
    print("positional:", list(cluster.query(by_city, "San Francisco").rows()))
    print("positional option:", list(cluster.query(
        by_city, QueryOptions(positional_parameters=["San Francisco"])).rows()))
    named = f"SELECT RAW a.faa FROM {AIRPORTS} a WHERE a.city = $city ORDER BY a.faa LIMIT 3"
    print("named keyword:", list(cluster.query(named, city="San Francisco").rows()))
    print("named option:", list(cluster.query(
        named, QueryOptions(named_parameters={"city": "San Francisco"})).rows()))

    # iterating the result itself
    for row in cluster.query(f"SELECT a.name, a.callsign FROM {AIRLINES} a "
                             "ORDER BY a.name LIMIT 2"):
        print(f"airline: {row['name']}, callsign: {row['callsign']}")

    # consistency: wait for the index to see every mutation, or just ours
    result = cluster.query(f"SELECT RAW COUNT(*) FROM {AIRLINES}",
                           QueryOptions(scan_consistency=QueryScanConsistency.REQUEST_PLUS))
    print("airlines:", list(result.rows()))
    airline = {"callsign": None, "country": "United States", "iata": "TX", "icao": "TX99",
               "id": 123456789, "name": "Howdy Airlines", "type": "airline"}
    res = bucket.scope("inventory").collection("airline").upsert("airline_123456789", airline)
    result = cluster.query(f"SELECT RAW a.name FROM {AIRLINES} a WHERE a.icao = 'TX99'",
                           QueryOptions(consistent_with=MutationState(res)))
    print("read your own write:", list(result.rows()))

    result = cluster.query(f"SELECT RAW COUNT(*) FROM {AIRLINES}",
                           QueryOptions(client_context_id="user-44", read_only=True))
    list(result.rows())
    print("client context id:", result.metadata().client_context_id())

    # a scope's query: keyspaces are its collections
    result = bucket.scope("inventory").query(
        "SELECT RAW a.name FROM `airline` a WHERE a.country = $country ORDER BY a.name LIMIT 3",
        country="France")
    print("French airlines:", list(result.rows()))

    try:
        cluster.query("SELEKT 1").execute()
    except ParsingFailedException as exc:
        print("bad statement: ParsingFailedException, code", exc.context.first_error_code)
    cluster.close()


if __name__ == "__main__":
    with cluster_address() as address:
        main(*address)
