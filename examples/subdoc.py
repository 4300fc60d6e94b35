"""Sub-document operations, as the SDK 2.x guide walks through them, on the embedded
local cluster (or on your own: ``python examples/subdoc.py couchbase://host/bucket``).

Each step prints what it read or changed; ``tests/test_examples_subdoc.py`` checks it.
"""

from __future__ import annotations

import sys

import couchbase.subdocument as SD
from couchbase.bucket import Bucket
from couchbase.exceptions import SubdocPathExistsError, SubdocPathNotFoundError

CUSTOMER = {
    "name": "Douglas Reynholm",
    "email": "douglas@reynholmindustries.com",
    "addresses": {
        "billing": {"line1": "123 Any Street", "line2": "Anytown", "country": "United Kingdom"},
        "delivery": {"line1": "123 Any Street", "line2": "Anytown", "country": "United Kingdom"},
    },
    "purchases": {"complete": [339, 976, 442, 666], "abandoned": [157, 42, 999]},
}


def main(cb: Bucket) -> None:
    cb.upsert("customer123", CUSTOMER)

    # Retrieving: one path, then several at once
    rv = cb.lookup_in("customer123", SD.get("addresses.delivery.country"))
    print("delivery country:", rv[0])
    rv = cb.lookup_in("customer123", SD.exists("purchases.pending[-1]"))
    print("pending purchases:", rv.exists(0))
    rv = cb.lookup_in("customer123", SD.get("name"), SD.get("purchases.complete[0]"),
                      SD.get_count("purchases.abandoned"))
    print("name, first purchase, abandoned:", rv[0], rv[1], rv[2])
    email, country = cb.retrieve_in("customer123", "email", "addresses.billing.country")
    print("retrieve_in:", email, country)

    # Mutating
    cb.mutate_in("customer123", SD.upsert("fax", "311-555-0151"))
    cb.mutate_in("customer123", SD.insert("purchases.pending", [42, True, "None"]))
    try:
        cb.mutate_in("customer123", SD.insert("purchases.complete", [42, True, "None"]))
    except SubdocPathExistsError:
        print("insert of an existing path: SubdocPathExistsError")
    cb.mutate_in("customer123", SD.remove("addresses.billing"),
                 SD.replace("email", "dougr96@hotmail.com"))
    rv = cb.mutate_in("customer123", SD.counter("logins", 1))
    print("logins:", rv[0])

    # Arrays
    cb.mutate_in("customer123", SD.array_append("purchases.complete", 777))
    cb.mutate_in("customer123", SD.array_prepend("purchases.abandoned", 18))
    cb.mutate_in("customer123", SD.array_append("purchases.complete", 1, 2, 3))
    cb.mutate_in("customer123", SD.array_addunique("purchases.complete", 95))
    try:
        cb.mutate_in("customer123", SD.array_addunique("purchases.complete", 95))
    except SubdocPathExistsError:
        print("95 already purchased: SubdocPathExistsError")
    cb.mutate_in("customer123", SD.array_insert("purchases.complete[0]", 42))
    print("complete:", cb.retrieve_in("customer123", "purchases.complete")[0])

    # A missing parent, then creating it
    try:
        cb.mutate_in("customer123", SD.upsert("phone.home", "555-0101"))
    except SubdocPathNotFoundError:
        print("no phone dictionary: SubdocPathNotFoundError")
    cb.mutate_in("customer123", SD.upsert("phone.home", "555-0101", create_parents=True))
    print("phone:", cb.retrieve_in("customer123", "phone")[0])

    # Optimistic locking and a document created on the fly
    cas = cb.get("customer123").cas
    cb.mutate_in("customer123", SD.array_append("purchases.complete", 999), cas=cas)
    cb.mutate_in("customer456", SD.upsert("name", "Jen Barber"), upsert_doc=True)
    print("created:", cb.get("customer456").value)

    # Extended attributes: metadata beside the document, not in it
    cb.mutate_in("customer123", SD.upsert("app.last_login_by", "web", xattr=True,
                                          create_parents=True))
    rv = cb.lookup_in("customer123", SD.get("app", xattr=True))
    print("xattr:", rv[0], "| in the body:", "app" in cb.get("customer123").value)


def run_locally() -> None:
    from couchbase_mock import MockCluster

    with MockCluster(nodes=2, buckets={"default": {}}) as cluster:
        with Bucket(f"{cluster.connstr}/default", username="Administrator",
                    password="password") as cb:
            main(cb)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Bucket(sys.argv[1]))
    else:
        run_locally()
