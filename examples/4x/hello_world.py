"""Start Using the SDK (4.x "hello world"): connect, upsert an airline into the
travel-sample bucket's inventory scope, read it back, and find it by callsign
with a parameterised SQL++ query.

Runs against the embedded local cluster (or yours: see ``_local.py``);
``tests/test_examples_4x.py`` checks what it prints.
"""

from __future__ import annotations

from _local import cluster_address

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions, QueryOptions

AIRLINE = {"type": "airline", "id": 8091, "callsign": "CBS", "iata": None, "icao": None,
           "name": "Couchbase Airways"}


def main(connstr: str, username: str, password: str) -> None:
    cluster = Cluster(connstr, ClusterOptions(PasswordAuthenticator(username, password)))
    bucket = cluster.bucket("travel-sample")
    airlines = bucket.scope("inventory").collection("airline")

    key = f"{AIRLINE['type']}_{AIRLINE['id']}"
    result = airlines.upsert(key, AIRLINE)
    print("upserted", key, "cas set:", result.cas > 0)

    print("get:", airlines.get(key).content_as[dict])

    rows = cluster.query(
        "SELECT VALUE name FROM `travel-sample`.inventory.airline WHERE callsign = $1",
        QueryOptions(positional_parameters=["CBS"]))
    for row in rows:
        print("by callsign:", row)
    cluster.close()


if __name__ == "__main__":
    with cluster_address() as address:
        main(*address)
