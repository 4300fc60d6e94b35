"""Key-value operations through the 4.x API, run by the OFFICIAL SDK 4.x and by this package.

Usage: python official_sdk_kv4x.py CONNSTR USERNAME PASSWORD PREFIX
(see official_sdk_4x_steps.py for the output). Covers get/insert/upsert/
replace/remove/touch/get_and_touch/get_and_lock/unlock/exists, the binary
operations, expiry, CAS mismatch and locked documents.
"""

import time
from datetime import datetime, timedelta

from official_sdk_4x_steps import Run

from couchbase.auth import PasswordAuthenticator
from couchbase.cluster import Cluster
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
from couchbase.transcoder import RawBinaryTranscoder, RawStringTranscoder

SHORT = timedelta(seconds=2)


def main():
    run = Run()
    k = run.key
    cluster = Cluster(run.connstr, ClusterOptions(
        PasswordAuthenticator(run.username, run.password)))
    coll = cluster.bucket("default").default_collection()
    started = time.monotonic()

    def mutation(res):
        return {"cas": run.cas(res.cas)}

    def got(res):
        return {"cas": run.cas(res.cas), "value": res.content_as[dict]}

    # expires while the rest runs; read back at the end
    run.step("insert with expiry 1s", lambda: coll.insert(
        k("short"), {"ttl": 1}, InsertOptions(expiry=timedelta(seconds=1))), mutation)

    run.step("insert", lambda: coll.insert(k("a"), {"n": 1, "tags": ["x"]}), mutation)
    run.step("insert existing", lambda: coll.insert(k("a"), {"n": 2}))
    run.step("get", lambda: coll.get(k("a")), got)
    run.step("get content_as[str]", lambda: coll.get(k("a")), lambda r: r.content_as[str])
    run.step("get value", lambda: coll.get(k("a")), lambda r: r.value)
    run.step("get missing", lambda: coll.get(k("missing")))
    run.step("get project", lambda: coll.get(k("a"), GetOptions(project=["tags"])),
             lambda r: r.content_as[dict])
    run.step("exists", lambda: coll.exists(k("a")), lambda r: [r.exists, run.cas(r.cas)])
    run.step("exists missing", lambda: coll.exists(k("missing")), lambda r: r.exists)
    run.step("upsert", lambda: coll.upsert(k("a"), {"n": 3}), mutation)
    run.step("upsert new", lambda: coll.upsert(k("b"), "text"), mutation)
    run.step("get string", lambda: coll.get(k("b")), lambda r: r.content_as[str])
    run.step("replace", lambda: coll.replace(k("a"), {"n": 4}), mutation)
    run.step("replace missing", lambda: coll.replace(k("missing"), {"n": 1}))
    cas = coll.get(k("a")).cas
    run.step("replace with cas", lambda: coll.replace(
        k("a"), {"n": 5}, ReplaceOptions(cas=cas)), mutation)
    run.step("replace with stale cas", lambda: coll.replace(k("a"), {"n": 6}, cas=cas))
    run.step("remove with stale cas", lambda: coll.remove(k("a"), RemoveOptions(cas=cas)))
    run.step("get after cas", lambda: coll.get(k("a")), got)

    # expiry
    run.step("touch", lambda: coll.touch(k("a"), timedelta(seconds=60)), mutation)
    run.step("get with_expiry", lambda: coll.get(k("a"), GetOptions(with_expiry=True)),
             lambda r: [isinstance(r.expiry_time, datetime),
                        50 < (r.expiry_time - datetime.now()).total_seconds() <= 61])
    run.step("get without with_expiry", lambda: coll.get(k("a")), lambda r: r.expiry_time)
    run.step("get_and_touch", lambda: coll.get_and_touch(k("a"), timedelta(minutes=5)), got)
    run.step("expiry after get_and_touch", lambda: coll.get(k("a"), with_expiry=True),
             lambda r: 280 < (r.expiry_time - datetime.now()).total_seconds() <= 301)
    run.step("touch missing", lambda: coll.touch(k("missing"), timedelta(seconds=5)))
    run.step("get_and_touch missing", lambda: coll.get_and_touch(k("missing"), SHORT))
    run.step("upsert expiry as seconds past 30 days", lambda: coll.upsert(
        k("far"), {"f": 1}, UpsertOptions(expiry=timedelta(days=40))), mutation)
    run.step("expiry past 30 days", lambda: coll.get(k("far"), with_expiry=True),
             lambda r: abs((r.expiry_time - datetime.now()).total_seconds()
                           - 40 * 86400) < 5)
    run.step("upsert keeps no expiry", lambda: coll.upsert(k("far"), {"f": 2}), mutation)
    run.step("expiry after plain upsert", lambda: coll.get(k("far"), with_expiry=True),
             lambda r: r.expiry_time)

    # locking
    locked = {}

    def lock():
        res = coll.get_and_lock(k("a"), timedelta(seconds=10))
        locked["cas"] = res.cas
        return res

    run.step("get_and_lock", lock, got)
    run.step("get while locked", lambda: coll.get(k("a")), lambda r: r.content_as[dict])
    run.step("upsert while locked", lambda: coll.upsert(k("a"), {"n": 7}, timeout=SHORT))
    run.step("get_and_lock while locked", lambda: coll.get_and_lock(
        k("a"), timedelta(seconds=5), timeout=SHORT))
    run.step("unlock wrong cas", lambda: coll.unlock(k("a"), locked["cas"] + 1))
    run.step("unlock", lambda: coll.unlock(k("a"), locked["cas"]))
    run.step("unlock not locked", lambda: coll.unlock(k("a"), locked["cas"]))
    run.step("unlock missing", lambda: coll.unlock(k("missing"), 1234))
    run.step("replace with lock cas", lambda: coll.replace(
        k("a"), {"n": 8}, cas=locked["cas"]), mutation)
    run.step("get_and_lock missing", lambda: coll.get_and_lock(k("missing"), SHORT))

    # binary
    binary = coll.binary()

    def counter(res):
        return {"cas": run.cas(res.cas), "content": res.content}

    run.step("increment missing: created with 0", lambda: binary.increment(k("ctr")), counter)
    run.step("increment missing, negative initial", lambda: binary.increment(
        k("ctr0"), IncrementOptions(initial=SignedInt64(-1))))
    run.step("increment initial", lambda: binary.increment(
        k("ctr"), IncrementOptions(initial=SignedInt64(10))), counter)
    run.step("increment delta", lambda: binary.increment(
        k("ctr"), IncrementOptions(delta=DeltaValue(5))), counter)
    run.step("decrement", lambda: binary.decrement(
        k("ctr"), DecrementOptions(delta=DeltaValue(20))), counter)
    run.step("get counter", lambda: coll.get(k("ctr")), lambda r: r.content_as[int])
    run.step("decrement initial", lambda: binary.decrement(
        k("ctr2"), DecrementOptions(initial=SignedInt64(3), delta=DeltaValue(1))), counter)
    run.step("append missing", lambda: binary.append(k("raw"), b"x"))
    run.step("upsert raw", lambda: coll.upsert(
        k("raw"), b"mid", transcoder=RawBinaryTranscoder()), mutation)
    run.step("append", lambda: binary.append(k("raw"), b"-end"), mutation)
    run.step("prepend", lambda: binary.prepend(k("raw"), "start-"), mutation)
    run.step("get raw", lambda: coll.get(k("raw"), transcoder=RawBinaryTranscoder()),
             lambda r: r.value)
    run.step("get raw as string", lambda: coll.get(
        k("raw"), transcoder=RawStringTranscoder()), lambda r: r.content_as[str])
    run.step("get raw as JSON", lambda: coll.get(k("raw")), lambda r: r.content_as[dict])
    run.step("increment not a number", lambda: binary.increment(k("a")))

    # remove
    run.step("remove", lambda: coll.remove(k("a")), mutation)
    run.step("remove missing", lambda: coll.remove(k("a")))
    run.step("get removed", lambda: coll.get(k("a")))
    run.step("insert removed", lambda: coll.insert(k("a"), {"again": True}), mutation)

    time.sleep(max(0.0, 2.2 - (time.monotonic() - started)))
    run.step("get expired", lambda: coll.get(k("short")))
    cluster.close()


if __name__ == "__main__":
    main()
