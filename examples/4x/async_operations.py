"""The asyncio API (acouchbase, the 4.x guide's async howto): connect with
``await Cluster.connect``, then key-value, sub-document and SQL++ operations on
the travel-sample bucket's hotels, awaited one by one and gathered.

Runs against the embedded local cluster (or yours: see ``_local.py``);
``tests/test_examples_4x.py`` checks what it prints.
"""

from __future__ import annotations

import asyncio

from _local import cluster_address

import couchbase.subdocument as SD
from acouchbase.cluster import Cluster
from couchbase.auth import PasswordAuthenticator
from couchbase.exceptions import DocumentNotFoundException
from couchbase.options import ClusterOptions, QueryOptions


async def main(connstr: str, username: str, password: str) -> None:
    cluster = await Cluster.connect(connstr, ClusterOptions(
        PasswordAuthenticator(username, password)))
    bucket = cluster.bucket("travel-sample")
    await bucket.on_connect()
    hotels = bucket.scope("inventory").collection("hotel")

    key = "hotel_10025"
    hotel = (await hotels.get(key)).content_as[dict]
    print("hotel:", hotel["name"], "in", hotel["city"])
    hotel["alias"] = "Hostel"
    res = await hotels.upsert(key, hotel)
    print("upserted, cas set:", res.cas > 0)
    try:
        await hotels.get("not-a-key")
    except DocumentNotFoundException:
        print("get of a missing key: DocumentNotFoundException")

    res = await hotels.lookup_in(key, [SD.get("reviews[0].ratings")])
    print("first review's ratings are a dict:", isinstance(res.content_as[dict](0), dict))
    await hotels.mutate_in(key, [SD.replace("reviews[0].ratings.Rooms", 3.5)])
    res = await hotels.lookup_in(key, [SD.get("reviews[0].ratings.Rooms"), SD.get("alias")])
    print("rooms rating, alias:", res.content_as[float](0), res.content_as[str](1))

    # many operations in flight at once
    results = await asyncio.gather(*(hotels.exists(f"hotel_{n}") for n in (10025, 1, 2)))
    print("exist:", [r.exists for r in results])

    result = cluster.query(
        "SELECT RAW h.name FROM `travel-sample`.inventory.hotel h "
        "WHERE h.country = $country ORDER BY h.name LIMIT 3",
        QueryOptions(named_parameters={"country": "United Kingdom"}))
    async for row in result:
        print("found:", row)
    await cluster.close()


if __name__ == "__main__":
    with cluster_address() as address:
        asyncio.run(main(*address))
