"""Sub-document operations (the 4.x guide's howto): lookup_in and mutate_in with the
spec functions of ``couchbase.subdocument`` on a customer document in the
travel-sample bucket: reading paths, existence, inserting, arrays, counters,
creating parents, CAS and reads from replicas.

Runs against the embedded local cluster (or yours: see ``_local.py``);
``tests/test_examples_4x.py`` checks what it prints.
"""

from __future__ import annotations

from _local import cluster_address

import couchbase.subdocument as SD
from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import (
    CasMismatchException,
    DocumentExistsException,
    InvalidValueException,
    PathExistsException,
    PathMismatchException,
    PathNotFoundException,
)
from couchbase.options import ClusterOptions, MutateInOptions

CUSTOMER = {
    "name": "Douglas Reynholm",
    "email": "douglas@reynholmindustries.com",
    "addresses": {
        "billing": {"line1": "123 Any Street", "line2": "Anytown", "country": "United Kingdom"},
        "delivery": {"line1": "123 Any Street", "line2": "Anytown", "country": "United Kingdom"},
    },
    "purchases": {"complete": [339, 976, 442, 666], "abandoned": [157, 42, 999]},
}


def main(connstr: str, username: str, password: str) -> None:
    cluster = Cluster.connect(connstr, ClusterOptions(PasswordAuthenticator(username, password)))
    collection = cluster.bucket("travel-sample").default_collection()
    try:
        collection.insert("customer123", CUSTOMER)
    except DocumentExistsException:
        collection.remove("customer123")
        collection.insert("customer123", CUSTOMER)

    # reading
    result = collection.lookup_in("customer123", [SD.get("addresses.delivery.country")])
    print("country:", result.content_as[str](0))
    result = collection.lookup_in("customer123", [SD.exists("purchases.pending[-1]")])
    print("pending purchases exist:", result.exists(0))
    result = collection.lookup_in("customer123", [SD.get("addresses.delivery.country"),
                                                  SD.exists("purchases.complete[-1]")])
    print("country and last purchase:", result.content_as[str](0), result.exists(1))

    # changing
    collection.mutate_in("customer123", [SD.upsert("fax", "311-555-0151")])
    collection.mutate_in("customer123", [SD.insert("purchases.pending", [42, True, "None"])])
    try:
        collection.mutate_in("customer123", [SD.insert("purchases.complete", [42, True, "None"])])
    except PathExistsException:
        print("insert of an existing path: PathExistsException")
    collection.mutate_in("customer123", (SD.remove("addresses.billing"),
                                         SD.replace("email", "dougr96@hotmail.com")))

    # arrays
    collection.mutate_in("customer123", (SD.array_append("purchases.complete", 777),))
    collection.mutate_in("customer123", [SD.array_prepend("purchases.abandoned", 18)])
    collection.upsert("my_array", [])
    collection.mutate_in("my_array", [SD.array_append("", "some element")])
    collection.mutate_in("my_array", [SD.array_append("", "elem1", "elem2", "elem3")])
    collection.mutate_in("my_array", [SD.array_append("", ["elem4", "elem5", "elem6"])])
    print("my_array:", collection.get("my_array").content_as[list])
    collection.upsert("some_doc", {})
    collection.mutate_in("some_doc", [SD.array_prepend("some.array", "Hello", "World",
                                                       create_parents=True)])
    print("some_doc:", collection.get("some_doc").content_as[dict])
    for attempt in (1, 2):
        try:
            collection.mutate_in("customer123", [SD.array_addunique("purchases.complete", 95)])
            print(f"array_addunique #{attempt}: added")
        except PathExistsException:
            print(f"array_addunique #{attempt}: PathExistsException")
    try:
        collection.mutate_in("customer123", [SD.array_addunique("purchases.complete",
                                                                {"new": "object"})])
    except InvalidValueException:
        print("array_addunique of an object: InvalidValueException")
    collection.mutate_in("customer123", [SD.upsert("purchases.cancelled",
                                                   [{"Date": "Some date"}])])
    try:
        collection.mutate_in("customer123", [SD.array_addunique("purchases.cancelled", 89)])
    except PathMismatchException:
        print("array_addunique into an array of objects: PathMismatchException")
    collection.upsert("array", [])
    collection.mutate_in("array", [SD.array_append("", "hello", "world")])
    collection.mutate_in("array", [SD.array_insert("[1]", "cruel")])
    try:
        collection.mutate_in("array", [SD.array_insert("[6]", "!")])
    except PathNotFoundException:
        print("array_insert out of bounds: PathNotFoundException")
    collection.mutate_in("array", [SD.array_append("", ["another", "array"])])
    collection.mutate_in("array", [SD.array_insert("[3][2]", "!")])
    print("array:", collection.get("array").content_as[list])

    # counters
    collection.mutate_in("customer123", (SD.counter("logins", 1),))
    print("logins:", collection.get("customer123").content_as[dict]["logins"])
    collection.upsert("player432", {"gold": 1000})
    collection.mutate_in("player432", (SD.counter("gold", -150),))
    result = collection.lookup_in("player432", (SD.get("gold"),))
    print("player432 gold:", result.content_as[int](0))

    # parents made on the way, and CAS
    collection.mutate_in("customer123", [SD.upsert("level_0.level_1.foo.bar.phone",
                                                   {"num": "311-555-0101", "ext": 16},
                                                   create_parents=True)])
    print("phone:", collection.lookup_in("customer123", [SD.get(
        "level_0.level_1.foo.bar.phone")]).content_as[dict](0))
    try:
        collection.mutate_in("customer123", [SD.array_append("purchases.complete", 999)],
                             MutateInOptions(cas=1234))
    except (DocumentExistsException, CasMismatchException) as exc:
        print("mutate_in with a wrong CAS:", type(exc).__name__)

    # from a replica (or the active copy, whichever answers first)
    result = collection.lookup_in_any_replica("customer123",
                                              [SD.get("addresses.delivery.country")])
    print("any replica:", result.content_as[str](0))
    for res in collection.lookup_in_all_replicas("customer123",
                                                 [SD.get("addresses.delivery.country")]):
        print("a copy:", res.content_as[str](0), "replica" if res.is_replica else "active")
    cluster.close()


if __name__ == "__main__":
    with cluster_address() as address:
        main(*address)
