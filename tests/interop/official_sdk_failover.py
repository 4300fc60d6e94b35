"""Runs under the OFFICIAL Couchbase Python SDK (4.x), not under this project.

Usage: python official_sdk_failover.py CONNSTR USERNAME PASSWORD MGMT_URL
Writes documents, fails a node over and rebalances it back in through the
cluster's control API (GET /mock/...), and reads everything back after each.
"""

import json
import sys
import urllib.request
from datetime import timedelta

from official_checks import check  # beside this script

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.options import ClusterOptions, ClusterTimeoutOptions


def control(mgmt, command):
    with urllib.request.urlopen(f"{mgmt}/mock/{command}", timeout=60) as resp:
        return json.load(resp)


def read_all(coll, keys):
    return all(coll.get(k).content_as[dict] == {"n": i} for i, k in enumerate(keys))


def main():
    connstr, username, password, mgmt = sys.argv[1:5]
    timeouts = ClusterTimeoutOptions(kv_timeout=timedelta(seconds=10))
    cluster = Cluster(connstr, ClusterOptions(PasswordAuthenticator(username, password),
                                              timeout_options=timeouts))
    coll = cluster.bucket("default").default_collection()
    keys = [f"failover-{i}" for i in range(300)]
    for i, key in enumerate(keys):
        coll.upsert(key, {"n": i})
    check("failover command", control(mgmt, "failover?idx=1&bucket=default")["status"] == "ok")
    check("every document readable after the failover", read_all(coll, keys))
    for i, key in enumerate(keys[:50]):
        coll.upsert(key, {"n": i})
    check("respawn command (rebalance in)", control(mgmt, "respawn?idx=1")["status"] == "ok")
    check("every document readable after the rebalance", read_all(coll, keys))
    cluster.close()
    print("ALL OK")


if __name__ == "__main__":
    main()
