"""Key-value operations and a query through ``acouchbase`` (asyncio), run by the OFFICIAL
SDK 4.x and by this package.

Usage: python official_sdk_async4x.py CONNSTR USERNAME PASSWORD PREFIX
(see official_sdk_4x_steps.py for the output). ``await Cluster.connect(...)``,
awaited collection methods, ``asyncio.gather`` of many, and ``async for`` over
query rows.
"""

import asyncio
from datetime import timedelta

from official_sdk_4x_steps import Run, plain

import couchbase.subdocument as SD
from acouchbase.cluster import Cluster
from couchbase.auth import PasswordAuthenticator
from couchbase.options import ClusterOptions, GetOptions, QueryOptions, ReplaceOptions


async def step(run, name, make, read=lambda result: result):
    """Await ``make()``; print what ``read`` makes of it, or the exception's class."""
    try:
        outcome = plain(read(await make()))
    except Exception as exc:  # noqa: BLE001
        outcome = {"raised": type(exc).__name__}
    run.emit(name, outcome)


async def main():
    run = Run()
    k = run.key
    cluster = await Cluster.connect(run.connstr, ClusterOptions(
        PasswordAuthenticator(run.username, run.password)))
    bucket = cluster.bucket("default")
    await bucket.on_connect()
    coll = bucket.default_collection()

    def mutation(res):
        return {"cas": run.cas(res.cas)}

    def got(res):
        return {"cas": run.cas(res.cas), "value": res.content_as[dict]}

    await step(run, "upsert", lambda: coll.upsert(k("a"), {"name": "Ted", "age": 80}), mutation)
    await step(run, "get", lambda: coll.get(k("a")), got)
    await step(run, "insert existing", lambda: coll.insert(k("a"), {}))
    await step(run, "get missing", lambda: coll.get(k("nope")))
    cas = (await coll.get(k("a"))).cas
    await step(run, "replace with cas", lambda: coll.replace(
        k("a"), {"name": "Ted", "age": 81}, ReplaceOptions(cas=cas)), mutation)
    await step(run, "replace with stale cas", lambda: coll.replace(k("a"), {}, cas=cas))
    await step(run, "exists", lambda: coll.exists(k("a")), lambda r: r.exists)
    await step(run, "touch", lambda: coll.touch(k("a"), timedelta(minutes=1)), mutation)
    await step(run, "get with_expiry", lambda: coll.get(k("a"), GetOptions(with_expiry=True)),
               lambda r: r.expiry_time is not None)
    locked = {}

    async def lock():
        res = await coll.get_and_lock(k("a"), timedelta(seconds=15))
        locked["cas"] = res.cas
        return res

    await step(run, "get_and_lock", lock, got)
    await step(run, "upsert locked", lambda: coll.upsert(k("a"), {}, timeout=timedelta(
        seconds=1)))
    await step(run, "unlock wrong cas", lambda: coll.unlock(k("a"), locked["cas"] + 1))
    await step(run, "unlock", lambda: coll.unlock(k("a"), locked["cas"]))
    await step(run, "lookup_in", lambda: coll.lookup_in(k("a"), [SD.get("name"),
                                                                SD.exists("nope")]),
               lambda r: [r.content_as[str](0), r.exists(1)])
    await step(run, "mutate_in", lambda: coll.mutate_in(k("a"), [SD.increment("age", 1)]),
               lambda r: r.content_as[int](0))
    await step(run, "increment", lambda: coll.binary().increment(k("n")), lambda r: r.content)

    # many at once
    keys = [k(f"m{i}") for i in range(20)]
    await step(run, "gather upserts", lambda: asyncio.gather(
        *(coll.upsert(key, {"i": i}) for i, key in enumerate(keys))),
        lambda rs: [bool(r.cas) for r in rs].count(True))
    await step(run, "gather gets", lambda: asyncio.gather(*(coll.get(key) for key in keys)),
               lambda rs: [r.content_as[dict]["i"] for r in rs])
    await step(run, "gather with a failure", lambda: asyncio.gather(
        coll.get(keys[0]), coll.get(k("nope")), return_exceptions=True),
        lambda rs: [type(r).__name__ for r in rs])

    # query, rows read with async for
    await (await coll.insert(k("q"), {"kind": run.prefix}) and asyncio.sleep(0))

    async def rows(statement, *opts, **kwargs):
        result = cluster.query(statement, *opts, **kwargs)
        return [row async for row in result]

    await step(run, "query async for", lambda: rows(
        "SELECT RAW d.kind FROM `default` d USE KEYS $1",
        QueryOptions(positional_parameters=[k("q")])))
    await step(run, "query named", lambda: rows("SELECT $a + $b AS s", a=1, b=2))
    await step(run, "query error", lambda: rows("SELEKT"))

    async def metadata():
        result = cluster.query("SELECT 1 AS one", QueryOptions(metrics=True))
        got_rows = [row async for row in result]
        return [got_rows, result.metadata().metrics().result_count()]

    await step(run, "query metadata", metadata)
    await step(run, "remove", lambda: coll.remove(k("a")), mutation)
    await step(run, "remove missing", lambda: coll.remove(k("a")))
    await cluster.close()


if __name__ == "__main__":
    asyncio.run(main())
