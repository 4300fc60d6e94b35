"""Start the embedded local cluster, load the beer the guide reads, run Hello Couchbase."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hello  # noqa: E402

from couchbase.bucket import Bucket  # noqa: E402
from couchbase_mock import MockCluster  # noqa: E402

JULEOL = {
    "name": "Juleøl",
    "abv": 5.9,
    "ibu": 0,
    "srm": 0,
    "upc": 0,
    "type": "beer",
    "brewery_id": "aass_brewery",
    "updated": "2010-07-22 20:00:20",
    "description": "",
    "style": "American-Style Lager",
    "category": "North American Lager",
}


def main() -> None:
    with MockCluster(nodes=4, replicas=1, buckets={"beer-sample": {}}) as cluster:
        print(f"local cluster up: {cluster.connstr} (management {cluster.mgmt_url})")
        with Bucket(f"{cluster.connstr}/beer-sample") as loader:
            loader.upsert("aass_brewery-juleol", JULEOL)
        mgmt = urlsplit(cluster.mgmt_url)
        hello.main(host=mgmt.hostname or "127.0.0.1", port=mgmt.port or 8091)


if __name__ == "__main__":
    main()
