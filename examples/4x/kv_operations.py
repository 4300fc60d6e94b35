"""Key-value operations (the 4.x guide's howto): insert, replace with CAS,
options and expiry, durability, get, remove, touch, get_and_touch, counters,
and a named collection, on the travel-sample bucket.

Runs against the embedded local cluster (or yours: see ``_local.py``);
``tests/test_examples_4x.py`` checks what it prints.
"""

from __future__ import annotations

from datetime import timedelta

from _local import cluster_address

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.durability import DurabilityLevel, ServerDurability
from couchbase.exceptions import (
    CasMismatchException,
    CouchbaseException,
    DocumentExistsException,
    DocumentNotFoundException,
)
from couchbase.options import (
    ClusterOptions,
    DecrementOptions,
    DeltaValue,
    GetOptions,
    IncrementOptions,
    InsertOptions,
    RemoveOptions,
    ReplaceOptions,
    SignedInt64,
    UpsertOptions,
)


def main(connstr: str, username: str, password: str) -> None:
    cluster = Cluster(connstr, ClusterOptions(PasswordAuthenticator(username, password)))
    bucket = cluster.bucket("travel-sample")
    collection = bucket.default_collection()

    # insert, and a second insert of the same key
    document = {"foo": "bar", "bar": "foo"}
    result = collection.insert("document-key", document)
    cas = result.cas
    try:
        collection.insert("document-key", document)
    except DocumentExistsException:
        print("insert again: DocumentExistsException")

    # replace with the CAS we hold, then with one that is out of date
    collection.replace("document-key", document, cas=cas, timeout=timedelta(minutes=1))
    try:
        collection.replace("document-key", document, ReplaceOptions(cas=cas))
    except CasMismatchException:
        print("replace with an old CAS: CasMismatchException")

    # read, change, write back with the CAS of the read
    result = collection.get("document-key")
    doc = result.content_as[dict]
    doc["bar"] = "baz"
    collection.replace("document-key", doc, ReplaceOptions(cas=result.cas))
    print("get:", collection.get("document-key", GetOptions(timeout=timedelta(seconds=5)))
          .content_as[dict])

    # options and an expiry
    collection.insert("document-key-opts", document, InsertOptions(timeout=timedelta(seconds=5)),
                      expiry=timedelta(seconds=30))
    expiry = collection.get("document-key-opts", GetOptions(with_expiry=True)).expiry_time
    print("document-key-opts expires:", expiry is not None)

    # durability: a majority of the copies acknowledge the write
    try:
        collection.upsert("document-key", document,
                          UpsertOptions(durability=ServerDurability(DurabilityLevel.MAJORITY)))
        print("durable upsert: ok")
    except CouchbaseException as exc:  # a one-node cluster has no replica to write to
        print("durable upsert:", type(exc).__name__)

    # remove with a made-up CAS fails; touch and get_and_touch set a new expiry
    try:
        collection.remove("document-key", RemoveOptions(cas=12345))
    except CasMismatchException:
        print("remove with a wrong CAS: CasMismatchException")
    collection.touch("document-key", timedelta(seconds=10))
    result = collection.get("document-key", GetOptions(with_expiry=True))
    print("expiry after touch set:", result.expiry_time is not None)
    result = collection.get_and_touch("document-key", timedelta(seconds=10))
    print("get_and_touch:", result.content_as[dict])

    # counters
    binary = collection.binary()
    print("increment:", binary.increment("counter-key", IncrementOptions(
        delta=DeltaValue(1), initial=SignedInt64(1000))).content)
    print("increment by 5:", binary.increment("counter-key", IncrementOptions(
        delta=DeltaValue(5))).content)
    print("decrement by 2:", binary.decrement("counter-key", DecrementOptions(
        delta=DeltaValue(2))).content)

    # a named collection
    users = bucket.scope("tenant_agent_00").collection("users")
    users.upsert("user-key", {"name": "John Doe", "preferred_email": "johndoe111@test123.test"})
    print("named collection:", users.get("user-key").content_as[dict]["name"])

    collection.remove("document-key")
    try:
        collection.get("document-key")
    except DocumentNotFoundException:
        print("after remove: DocumentNotFoundException")
    cluster.close()


if __name__ == "__main__":
    with cluster_address() as address:
        main(*address)
