"""End to end against the local cluster's views service: the developer guide's queries
over a generated beer-sample bucket (1,200 breweries, 6,000 beers)."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any, Iterator

import pytest
from beer_sample import DESIGNS, generate

from couchbase.bucket import Bucket
from couchbase.exceptions import HTTPError
from couchbase.views.iterator import ViewRow
from couchbase.views.params import Query
from couchbase_mock.mock import MockCluster

pytest.importorskip("py_mini_racer")  # the mock's JavaScript engine (the 'views' extra)

ADMIN = {"username": "Administrator", "password": "password"}
BUCKET = "beer-sample"


@pytest.fixture(scope="module")
def mock() -> Iterator[MockCluster]:
    with MockCluster(nodes=3, replicas=1, buckets={BUCKET: {}}) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def docs(mock: MockCluster) -> dict[str, dict[str, Any]]:
    data = generate()
    cb = Bucket(f"{mock.connstr}/{BUCKET}", **ADMIN)
    try:
        items = list(data.items())
        for start in range(0, len(items), 2000):
            cb.upsert_multi(dict(items[start:start + 2000]))
        for name, design in DESIGNS.items():
            cb.design_create(name, design, use_devmode=True, syncwait=10)
            cb.design_publish(name, syncwait=10)
    finally:
        cb.close()
    return data


@pytest.fixture
def cb(mock: MockCluster, docs: dict) -> Iterator[Bucket]:
    bucket = Bucket(f"{mock.connstr}/{BUCKET}", **ADMIN)
    yield bucket
    bucket.close()


def names(docs: dict, kind: str) -> list[tuple[str, str]]:
    return sorted((d["name"], docid) for docid, d in docs.items() if d["type"] == kind)


def test_the_views_port_comes_from_the_cluster_map(cb: Bucket, mock: MockCluster) -> None:
    ports = {cb._views_endpoint().port for _ in range(6)}
    assert ports == {node.capi_port for node in mock.nodes}


def test_beer_and_brewery_by_name(cb: Bucket, docs: dict) -> None:
    view = cb.query("beer", "by_name", stale=False)
    rows = list(view)
    assert [(r.key, r.docid) for r in rows] == names(docs, "beer")
    assert view.indexed_rows == 6000 and all(r.value is None and r.doc is None for r in rows)
    breweries = list(cb.query("brewery", "by_name", stale=False))
    assert [(r.key, r.docid) for r in breweries] == names(docs, "brewery")


def test_listing_with_limit_and_pages(cb: Bucket, docs: dict) -> None:
    expected = names(docs, "beer")
    first = list(cb.query("beer", "by_name", limit=20))
    assert [r.key for r in first] == [n for n, _ in expected[:20]]
    page = list(cb.query("beer", "by_name", query="limit=20&skip=40&stale=false"))
    assert [r.key for r in page] == [n for n, _ in expected[40:60]]
    after = list(cb.query("beer", "by_name", startkey=first[-1].key,
                          startkey_docid=first[-1].docid, skip=1, limit=20))
    assert [r.key for r in after] == [n for n, _ in expected[20:40]]


def test_descending(cb: Bucket, docs: dict) -> None:
    rows = list(cb.query("beer", "by_name", descending=True, limit=15))
    assert [r.key for r in rows] == [n for n, _ in names(docs, "beer")[::-1][:15]]


def test_prefix_search_with_string_range_end(cb: Bucket, docs: dict) -> None:
    # U+0FFF is unassigned: ICU (and the mock) weigh it above every letter and
    # digit, so it ends the range of strings that start with the prefix
    for value in ("pale", "zesty", "old", "zesty st", "pa"):
        q = Query()
        q.mapkey_range = [value, value + Query.STRING_RANGE_END]
        q.limit = 1000
        rows = list(cb.query("beer", "by_name", query=q))
        expected = [n for n, _ in names(docs, "beer") if n.startswith(value)]
        assert expected and [r.key for r in rows] == expected


def test_include_docs(cb: Bucket, docs: dict) -> None:
    results = cb.query("beer", "brewery_beers", include_docs=True, limit=50)
    count = 0
    for result in results:
        doc = result.doc.value
        assert doc == docs[result.docid]
        if doc["type"] == "beer":
            assert result.key == [doc["brewery_id"], result.docid]
            count += 1
        else:
            assert result.key == [result.docid]
    assert count > 0


def test_brewery_beers_like_the_guide(cb: Bucket, docs: dict) -> None:
    rows = list(cb.query("beer", "brewery_beers", limit=5))
    first = min(docid for docid, d in docs.items() if d["type"] == "brewery")
    beers = sorted(docid for docid, d in docs.items() if d.get("brewery_id") == first)
    expected = [[first]] + [[first, b] for b in beers]
    assert [r.key for r in rows] == expected[:5]
    assert rows[0] == ViewRow([first], None, first, None)


def test_reduce_with_group_level(cb: Bucket, docs: dict) -> None:
    per_brewery = Counter(d["brewery_id"] for d in docs.values() if d["type"] == "beer")
    rows = list(cb.query("beer", "by_brewery_style", group_level=1, stale=False))
    assert [(r.key, r.value) for r in rows] == [([b], n) for b, n in sorted(per_brewery.items())]
    assert all(r.docid is None for r in rows)
    total = list(cb.query("beer", "by_brewery_style"))
    assert [r.value for r in total] == [6000]
    styles = list(cb.query("beer", "by_brewery_style", group_level=2, limit=3))
    assert len(styles) == 3 and len(styles[0].key) == 2


def test_keys_by_post(cb: Bucket, docs: dict) -> None:
    wanted = [n for n, _ in names(docs, "brewery")[100:110]][::-1]
    rows = list(cb.query("brewery", "by_name", mapkey_multi=wanted))
    assert [r.key for r in rows] == wanted


def test_streaming_gives_the_same_rows(cb: Bucket) -> None:
    assert list(cb.query("beer", "by_name", streaming=True)) == list(cb.query("beer",
                                                                                "by_name"))


class BeerListRowProcessor:
    """The beer-sample tutorial's row processor: beers with their brewery ids."""

    def handle_rows(self, rows: list, connection: Any, include_docs: bool) -> list:
        beers = [{"id": r["id"], "name": r["key"]} for r in rows]
        fetched = connection.get_multi([b["id"] for b in beers], quiet=True)
        for beer in beers:
            beer["brewery"] = fetched[beer["id"]].value["brewery_id"]
        return beers


def test_row_processor(cb: Bucket, docs: dict) -> None:
    q = Query(limit=30, mapkey_range=["old", "old" + Query.STRING_RANGE_END])
    beers = list(cb.query("beer", "by_name", query=q, row_processor=BeerListRowProcessor()))
    assert beers and all(b["name"].startswith("old") for b in beers)
    assert all(b["brewery"] == docs[b["id"]]["brewery_id"] for b in beers)


def test_server_errors(cb: Bucket) -> None:
    with pytest.raises(HTTPError) as info:
        list(cb.query("beer", "no_such_view"))
    assert info.value.status == 404 and "not_found" in str(info.value)
    with pytest.raises(HTTPError) as info:
        list(cb.query("beer", "by_name", reduce=True))
    assert info.value.status == 400 and "reduce" in str(info.value)


def test_design_document_management(cb: Bucket) -> None:
    design = {"views": {"by_abv": {"map": "function (doc) { if (doc.abv > 11.5) "
                                          "{ emit(doc.abv, null); } }"}}}
    assert cb.design_create("strong", design, syncwait=10).http_status == 201
    assert cb.design_get("strong").value["views"] == design["views"]
    rows = list(cb.query("strong", "by_abv", use_devmode=True, full_set=True, stale=False))
    assert rows and all(r.key > 11.5 for r in rows)
    assert cb.design_publish("strong", syncwait=10).success
    assert cb.design_get("strong", use_devmode=False).value["views"] == design["views"]
    assert cb.design_get("strong").success  # the development document stays
    published = list(cb.query("strong", "by_abv", stale=False))
    assert sorted(r.key for r in published) == sorted(r.key for r in rows)
    assert cb.design_delete("strong", use_devmode=False, syncwait=10).success
    assert cb.design_delete("strong", syncwait=10).success
    with pytest.raises(HTTPError) as info:
        cb.design_get("strong")
    assert info.value.status == 404


# -- the other front ends, against the same views ----------------------------------------
def test_asyncio(mock: MockCluster, docs: dict) -> None:
    from acouchbase.bucket import Bucket as AsyncBucket

    async def main() -> tuple[list, list, Any]:
        cb = AsyncBucket(f"{mock.connstr}/{BUCKET}", **ADMIN)
        await cb.connect()
        try:
            rows = [r async for r in cb.query("beer", "by_name", limit=10, include_docs=True)]
            stream = [r async for r in cb.query("brewery", "by_name", streaming=True)]
            got = await cb.design_get("beer", use_devmode=False)
            return rows, stream, got
        finally:
            cb.close()

    rows, stream, got = asyncio.run(main())
    assert [r.docid for r in rows] == [i for _, i in names(docs, "beer")[:10]]
    assert all(r.doc.value == docs[r.docid] for r in rows)
    assert len(stream) == 1200 and got.value["views"] == DESIGNS["beer"]["views"]


def test_twisted(reactor: Any, mock: MockCluster, docs: dict) -> None:
    from couchbase.asynchronous.view import AsyncViewBase
    from txcouchbase.bucket import Bucket as TxBucket

    cb = reactor(TxBucket, f"{mock.connstr}/{BUCKET}", **ADMIN)
    try:
        rows = reactor(cb.queryAll, "beer", "brewery_beers", limit=5)
        assert len(rows) == 5 and isinstance(rows[0], ViewRow)
        done = threading.Event()
        seen: dict[str, Any] = {"rows": 0, "calls": 0}

        class Handler(AsyncViewBase):
            def on_rows(self, rows: Any) -> None:
                seen["calls"] += 1
                seen["rows"] += len(list(rows))

            def on_error(self, ex: BaseException) -> None:
                seen["error"] = ex
                done.set()

            def on_done(self) -> None:
                seen["indexed"] = self.indexed_rows
                done.set()

        reactor(lambda: cb.queryEx(Handler, "beer", "brewery_beers"))
        assert done.wait(30) and "error" not in seen
        assert seen["rows"] == seen["indexed"] == 7200 and seen["calls"] > 1
    finally:
        reactor(cb.close)


def test_gevent(mock: MockCluster, docs: dict) -> None:
    gevent = pytest.importorskip("gevent")
    from gcouchbase.bucket import Bucket as GBucket

    cb = GBucket(f"{mock.connstr}/{BUCKET}", **ADMIN)
    try:
        jobs = [gevent.spawn(lambda: list(cb.query("beer", "by_name", streaming=True)))
                for _ in range(3)]
        gevent.joinall(jobs, timeout=30, raise_error=True)
        assert [len(j.value) for j in jobs] == [6000] * 3
        rows = list(cb.query("beer", "by_brewery_style", group_level=1, limit=2))
        assert len(rows) == 2
    finally:
        cb.close()


# -- Bucket._view: the whole raw response (2.x's low-level method) ------------------------------
def test_raw_view_is_the_services_json(cb: Bucket, docs: dict) -> None:
    wanted = names(docs, "brewery")[:3]
    rv = cb._view("brewery", "by_name", params={"limit": 3, "stale": False})
    assert rv.success and rv.http_status == 200
    assert rv.value["total_rows"] == len(names(docs, "brewery"))
    assert [(r["key"], r["id"]) for r in rv.value["rows"]] == wanted


def test_raw_view_keys_move_to_a_post_body_only_when_the_uri_is_long(
        cb: Bucket, docs: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    import couchbase.views.iterator as iterator

    keys = [name for name, _ in names(docs, "brewery")[:40]]
    short = cb._view("brewery", "by_name", params={"keys": keys[:2], "stale": False})
    assert "keys=" in short.url  # short enough: in the query string, as 2.x sent it
    monkeypatch.setattr(iterator, "MAX_URI_LENGTH", 100)
    posted = cb._view("brewery", "by_name", params={"keys": keys, "stale": False})
    assert "keys=" not in posted.url
    assert sorted(r["key"] for r in posted.value["rows"]) == sorted(keys)
    rows = list(cb.query("brewery", "by_name", keys=keys, stale=False))  # streaming too
    assert sorted(r.key for r in rows) == sorted(keys)


def test_raw_view_of_a_missing_view_is_an_http_error(cb: Bucket) -> None:
    with pytest.raises(HTTPError):
        cb._view("beer", "no_such_view")
