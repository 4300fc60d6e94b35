"""Runs under the OFFICIAL Couchbase Python SDK (4.x): collection management and KV on it.

Usage: python official_sdk_collections.py CONNSTR USERNAME PASSWORD
Prints one line per check and exits non-zero at the first failed check.
"""

import sys
import uuid
from datetime import timedelta

from couchbase.management.collections import CreateCollectionSettings
from official_checks import check, expect  # beside this script

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import (
    CollectionAlreadyExistsException,
    CollectionNotFoundException,
    DocumentNotFoundException,
    ScopeAlreadyExistsException,
    ScopeNotFoundException,
)
from couchbase.options import ClusterOptions, GetOptions


def scopes_by_name(mgr):
    return {s.name: sorted(c.name for c in s.collections) for s in mgr.get_all_scopes()}


def main():
    connstr, username, password = sys.argv[1:4]
    cluster = Cluster(connstr, ClusterOptions(PasswordAuthenticator(username, password)))
    bucket = cluster.bucket("default")
    mgr = bucket.collections()
    scope_name = f"inv{uuid.uuid4().hex[:8]}"

    mgr.create_scope(scope_name)
    mgr.create_collection(scope_name, "airline")
    one_hour = CreateCollectionSettings(max_expiry=timedelta(hours=1))
    mgr.create_collection(scope_name, "hotel", one_hour)
    scopes = scopes_by_name(mgr)
    check("get_all_scopes lists the new scope", scopes.get(scope_name) == ["airline", "hotel"])
    check("get_all_scopes lists _default", scopes.get("_default") == ["_default"])
    hotel = [c for s in mgr.get_all_scopes() if s.name == scope_name
             for c in s.collections if c.name == "hotel"][0]
    check("max_expiry comes back", hotel.max_expiry == timedelta(hours=1))

    expect("create_scope twice", ScopeAlreadyExistsException,
           lambda: mgr.create_scope(scope_name))
    expect("create_collection twice", CollectionAlreadyExistsException,
           lambda: mgr.create_collection(scope_name, "airline"))
    expect("create_collection in a missing scope", ScopeNotFoundException,
           lambda: mgr.create_collection("nosuchscope", "c"))
    expect("drop a missing collection", CollectionNotFoundException,
           lambda: mgr.drop_collection(scope_name, "nosuchcoll"))
    expect("drop a missing scope", ScopeNotFoundException,
           lambda: mgr.drop_scope("nosuchscope"))

    airline = bucket.scope(scope_name).collection("airline")
    up = airline.upsert("airline_10", {"name": "40-Mile Air", "iata": "Q5"})
    check("upsert into a new collection", up.cas != 0)
    got = airline.get("airline_10")
    check("get from the new collection", got.content_as[dict]["iata"] == "Q5")
    check("get cas matches upsert cas", got.cas == up.cas)
    expect("the default collection does not see it", DocumentNotFoundException,
           lambda: bucket.default_collection().get("airline_10"))
    bucket.scope(scope_name).collection("hotel").upsert("h1", {"beds": 2})
    check("a second collection works", bucket.scope(scope_name).collection("hotel")
          .get("h1").content_as[dict] == {"beds": 2})

    mgr.drop_collection(scope_name, "airline")
    check("dropped collection is gone", scopes_by_name(mgr)[scope_name] == ["hotel"])
    short = GetOptions(timeout=timedelta(seconds=5))
    expect("KV on a dropped collection", CollectionNotFoundException,
           lambda: airline.get("airline_10", short))
    mgr.create_collection(scope_name, "airline")
    expect("a re-created collection starts empty", DocumentNotFoundException,
           lambda: airline.get("airline_10", short))
    mgr.drop_scope(scope_name)
    check("dropped scope is gone", scope_name not in scopes_by_name(mgr))

    cluster.close()
    print("ALL OK", flush=True)


if __name__ == "__main__":
    main()
