"""Runs under the OFFICIAL Couchbase Python SDK (4.x), not under this project.

Usage: python official_sdk_ops.py CONNSTR USERNAME PASSWORD
Prints one line per check and exits non-zero at the first failed check.
"""

import sys
import uuid
from datetime import timedelta

from official_checks import check, expect  # beside this script

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
from couchbase.exceptions import (
    CasMismatchException,
    DocumentExistsException,
    DocumentLockedException,
    DocumentNotFoundException,
)
from couchbase.options import (
    ClusterOptions,
    DeltaValue,
    IncrementOptions,
    ReplaceOptions,
    SignedInt64,
)


def main():
    connstr, username, password = sys.argv[1:4]
    cluster = Cluster(connstr, ClusterOptions(PasswordAuthenticator(username, password)))
    coll = cluster.bucket("default").default_collection()
    key = f"official-{uuid.uuid4().hex}"

    up = coll.upsert(key, {"name": "Juleøl", "abv": 5.9})
    check("upsert returns a cas", up.cas != 0)
    got = coll.get(key)
    check("get returns the document", got.content_as[dict] == {"name": "Juleøl", "abv": 5.9})
    check("get cas matches upsert cas", got.cas == up.cas)

    rep = coll.replace(key, {"v": 2}, ReplaceOptions(cas=got.cas))
    check("replace with the right cas", rep.cas not in (0, got.cas))
    expect("replace with a wrong cas", CasMismatchException,
           lambda: coll.replace(key, {"v": 3}, ReplaceOptions(cas=got.cas)))
    check("value after cas replace", coll.get(key).content_as[dict] == {"v": 2})

    expect("insert of an existing key", DocumentExistsException,
           lambda: coll.insert(key, {"v": 4}))

    coll.remove(key)
    expect("get of a removed key", DocumentNotFoundException, lambda: coll.get(key))
    expect("get of a missing key", DocumentNotFoundException,
           lambda: coll.get(key + "-never"))

    ctr = key + "-counter"
    first = coll.binary().increment(ctr, IncrementOptions(initial=SignedInt64(10)))
    check("counter created with initial", first.content == 10)
    second = coll.binary().increment(ctr, IncrementOptions(delta=DeltaValue(5)))
    check("counter incremented", second.content == 15)

    coll.upsert(key, {"touch": 1})
    touched = coll.touch(key, timedelta(seconds=100))
    check("touch returns a cas", touched.cas != 0)

    locked = coll.get_and_lock(key, timedelta(seconds=10))
    check("get_and_lock returns the document", locked.content_as[dict] == {"touch": 1})
    expect("upsert of a locked key", DocumentLockedException,
           lambda: coll.upsert(key, {"touch": 2}))
    coll.unlock(key, locked.cas)
    coll.upsert(key, {"touch": 3})
    check("upsert after unlock", coll.get(key).content_as[dict] == {"touch": 3})

    replica = coll.get_any_replica(key)
    check("get_any_replica returns the document", replica.content_as[dict] == {"touch": 3})

    cluster.close()
    print("ALL OK", flush=True)


if __name__ == "__main__":
    main()
