"""The sync view API against a stand-in views service (documents in the mock cluster)."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any, Iterator

import pytest
from fakeviews import FakeViews, point_at, rows_of

from couchbase._core.cluster import ClusterBase
from couchbase._core.errors import ServiceUnavailable
from couchbase._public_errors import to_public
from couchbase._settings import read_settings
from couchbase.bucket import Bucket
from couchbase.connection import Connection
from couchbase.exceptions import (
    ArgumentError,
    HTTPError,
    NotFoundError,
    NotSupportedError,
    TimeoutError,
)
from couchbase.result import HttpResult, ValueResult
from couchbase.views.api import ViewAPI
from couchbase.views.iterator import AlreadyQueriedError, RowProcessor, View, ViewRow
from couchbase.views.params import Query

ADMIN = {"username": "Administrator", "password": "password"}


@pytest.fixture
def cb(mock_cluster: Any, fake: FakeViews) -> Iterator[Bucket]:
    bucket = Bucket(f"{mock_cluster.connstr}/default", **ADMIN)
    point_at(bucket, fake, "Administrator", "password")
    yield bucket
    bucket.close()


@pytest.fixture
def beers(cb: Bucket, fake: FakeViews) -> dict[str, dict[str, Any]]:
    """A few breweries and beers in the bucket, and their by_name views in the fake."""
    run = uuid.uuid4().hex[:6]
    docs: dict[str, dict[str, Any]] = {}
    for b in range(5):
        brewery = f"{run}-brewery-{b}"
        docs[brewery] = {"type": "brewery", "name": f"Brewery {b}"}
        for n in range(8):
            docs[f"{brewery}-beer-{n}"] = {"type": "beer", "name": f"{'ABC'[n % 3]}beer {b}.{n}",
                                           "brewery_id": brewery, "abv": 4.0 + n / 2}
    cb.upsert_multi(docs)
    fake.rows[("beer", "by_name")] = rows_of(
        docs, lambda d: d["name"] if d["type"] == "beer" else None)
    fake.rows[("brewery", "by_name")] = rows_of(
        docs, lambda d: d["name"] if d["type"] == "brewery" else None)
    return docs


def test_query_yields_view_rows(cb: Bucket, fake: FakeViews, beers: dict) -> None:
    view = cb.query("beer", "by_name")
    assert isinstance(view, View) and fake.requests == []  # nothing sent before iterating
    rows = list(view)
    expected = fake.rows[("beer", "by_name")]
    assert rows == [ViewRow(r["key"], None, r["id"], None) for r in expected]
    assert rows[0].key == rows[0][0] and rows[0].docid == expected[0]["id"]
    assert view.indexed_rows == 40 and view.rows_returned == 40 and view.done
    sent = fake.requests[-1]
    assert sent["method"] == "GET" and sent["path"] == "/default/_design/beer/_view/by_name"
    expected_auth = "Basic " + base64.b64encode(b"Administrator:password").decode()
    assert sent["auth"] == expected_auth


def test_options_as_keywords_query_object_or_string(cb: Bucket, fake: FakeViews,
                                                    beers: dict) -> None:
    all_rows = fake.rows[("beer", "by_name")]
    rows = list(cb.query("beer", "by_name", limit=3, skip=1, stale=False))
    assert [r.docid for r in rows] == [r["id"] for r in all_rows[1:4]]
    assert fake.requests[-1]["query"] == {"limit": "3", "skip": "1", "stale": "false"}
    q = Query()
    q.limit = 3
    q.skip = 1
    q.stale = False
    assert [r.docid for r in cb.query("beer", "by_name", query=q)] == [r.docid for r in rows]
    raw = list(cb.query("beer", "by_name", query="limit=3&skip=1&stale=false"))
    assert raw == rows
    assert fake.requests[-1]["raw_query"] == "limit=3&skip=1&stale=false"
    with pytest.raises(ArgumentError):
        cb.query("beer", "by_name", query=q, limit=2)
    with pytest.raises(ArgumentError):
        cb.query("beer", "by_name", limit="many")


def test_descending_and_prefix_search(cb: Bucket, fake: FakeViews, beers: dict) -> None:
    all_rows = fake.rows[("beer", "by_name")]
    down = list(cb.query("beer", "by_name", descending=True, limit=5))
    assert [r.key for r in down] == [r["key"] for r in all_rows[::-1][:5]]
    q = Query()
    q.mapkey_range = ["B", "B" + Query.STRING_RANGE_END]
    q.limit = 100
    found = list(cb.query("beer", "by_name", query=q))
    assert found and all(r.key.startswith("B") for r in found)
    assert len(found) == sum(1 for r in all_rows if r["key"].startswith("B"))
    assert fake.requests[-1]["query"]["endkey"] == '"B\u0fff"'


def test_keys_are_posted_when_the_uri_would_be_long(cb: Bucket, fake: FakeViews, beers: dict,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import couchbase.views.iterator as iterator

    wanted = [fake.rows[("beer", "by_name")][i]["key"] for i in (7, 2)]
    rows = list(cb.query("beer", "by_name", keys=wanted))
    assert [r.key for r in rows] == wanted
    assert fake.requests[-1]["method"] == "GET"  # a short list stays in the URI (as in 2.x)
    monkeypatch.setattr(iterator, "MAX_URI_LENGTH", 60)
    rows = list(cb.query("beer", "by_name", keys=wanted))
    assert [r.key for r in rows] == wanted
    sent = fake.requests[-1]
    assert sent["method"] == "POST" and json.loads(sent["body"]) == {"keys": wanted}
    assert "keys" not in sent["query"]


def test_include_docs_uses_one_batched_get(cb: Bucket, fake: FakeViews, beers: dict,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    batches: list[int] = []
    execute_multi = cb._cluster.execute_multi

    def counting(reqs: list) -> Any:
        batches.append(len(reqs))
        return execute_multi(reqs)

    monkeypatch.setattr(cb._cluster, "execute_multi", counting)
    rows = list(cb.query("beer", "by_name", include_docs=True, limit=12))
    assert batches == [12]
    for row in rows:
        assert isinstance(row.doc, ValueResult) and row.doc.success
        assert row.doc.value == beers[row.docid]
        assert row.doc.value["type"] == "beer"


def test_include_docs_missing_document_and_repeated_ids(cb: Bucket, fake: FakeViews,
                                                        beers: dict) -> None:
    some = fake.rows[("beer", "by_name")][0]
    fake.rows[("odd", "v")] = [
        {"id": some["id"], "key": 1, "value": None},
        {"id": some["id"], "key": 2, "value": None},  # one document emitting twice
        {"id": "no-such-doc-" + uuid.uuid4().hex, "key": 3, "value": None},
    ]
    rows = list(cb.query("odd", "v", include_docs=True))
    assert rows[0].doc.value == beers[some["id"]] and rows[1].doc is rows[0].doc
    assert not rows[2].doc.success and rows[2].doc.rc == NotFoundError.CODE
    with pytest.raises(ArgumentError, match="include_docs"):
        cb.query("beer", "by_name", include_docs=True, reduce=True)


class Beer:
    def __init__(self, id: str, name: str) -> None:
        self.id = id
        self.name = name
        self.brewery_id = None


class BeerListRowProcessor:
    """The beer-sample tutorial's row processor."""

    def handle_rows(self, rows: list, connection: Any, include_docs: bool) -> list:
        ret = []
        by_docids = {}
        for r in rows:
            b = Beer(r["id"], r["key"])
            ret.append(b)
            by_docids[b.id] = b
        keys_to_fetch = [x.id for x in ret]
        docs = connection.get_multi(keys_to_fetch, quiet=True)
        for beer_id, doc in docs.items():
            if not doc.success:
                ret.remove(by_docids[beer_id])
                continue
            beer = by_docids[beer_id]
            beer.brewery_id = doc.value["brewery_id"]
        return ret


def test_row_processor(cb: Bucket, fake: FakeViews, beers: dict) -> None:
    rows = list(cb.query("beer", "by_name", limit=10, row_processor=BeerListRowProcessor()))
    assert len(rows) == 10 and all(isinstance(b, Beer) for b in rows)
    for beer in rows:
        assert beer.brewery_id == beers[beer.id]["brewery_id"]
    Named = type("Named", (tuple,), {"__new__": lambda cls, *a: tuple.__new__(cls, a)})
    custom = list(cb.query("brewery", "by_name", row_processor=RowProcessor(rowclass=Named)))
    assert type(custom[0]) is Named and custom[0][0] == "Brewery 0"
    with pytest.raises(ArgumentError):
        cb.query("beer", "by_name", row_processor=object())


def test_streaming_returns_rows_before_the_response_ends(cb: Bucket, fake: FakeViews) -> None:
    fake.generated[("big", "v")] = (20000, lambda i: {"id": f"d{i}", "key": i, "value": None})
    view = cb.query("big", "v", streaming=True)
    it = iter(view)
    first = next(it)
    assert first == ViewRow(0, None, "d0", None)
    assert not view.done and view.indexed_rows == 20000
    assert sum(1 for _ in it) == 19999 and view.done
    buffered = cb.query("big", "v")
    assert [r.key for r in buffered][-1] == 19999


def test_stopping_early_closes_the_connection(cb: Bucket, fake: FakeViews) -> None:
    fake.generated[("big", "v")] = (50000, lambda i: {"id": f"d{i}", "key": i, "value": None})
    view = cb.query("big", "v", streaming=True)
    for row in view:
        if row.key == 10:
            break
    assert not view.done
    assert len(list(cb.query("big", "v", streaming=True, limit=1))) == 50000  # (fake ignores)


def test_http_errors_carry_the_server_reason(cb: Bucket, fake: FakeViews) -> None:
    with pytest.raises(HTTPError) as info:
        list(cb.query("nope", "missing"))
    assert info.value.status == 404
    assert "not_found" in str(info.value) and "missing view missing" in str(info.value)
    fake.rows[("d", "v")] = []
    with pytest.raises(HTTPError) as info:
        list(cb.query("d", "v", query=Query(unrecognized_ok=True, bogus=1)))
    assert info.value.status == 400 and "Invalid URL parameter: bogus" in str(info.value)


def test_node_errors_in_the_body(cb: Bucket, fake: FakeViews) -> None:
    fake.rows[("d", "v")] = [{"id": "a", "key": 1, "value": None}]
    fake.errors = [{"from": "node2", "reason": "timeout"}]
    view = cb.query("d", "v", on_error="continue")
    assert len(list(view)) == 1 and view.errors == fake.errors
    with pytest.raises(HTTPError, match="failed on some nodes"):
        list(cb.query("d", "v"))


def test_a_view_runs_once(cb: Bucket, fake: FakeViews) -> None:
    fake.rows[("d", "v")] = []
    view = cb.query("d", "v")
    assert list(view) == []
    with pytest.raises(AlreadyQueriedError):
        list(view)


def test_use_devmode_and_repr(cb: Bucket, fake: FakeViews) -> None:
    fake.rows[("dev_d", "v")] = []
    view = cb.query("d", "v", use_devmode=True, limit=1)
    assert list(view) == []
    assert fake.requests[-1]["path"] == "/default/_design/dev_d/_view/v"
    assert repr(view) == "View<Design=dev_d, View=v, Query='limit=1', Rows Fetched=0>"


def test_connection_1x_query(mock_cluster: Any, fake: FakeViews) -> None:
    conn = Connection(bucket="default", connection_string=f"{mock_cluster.connstr}/default",
                      **ADMIN)
    try:
        point_at(conn, fake)
        fake.rows[("beer", "brewery_beers")] = [{"id": "x", "key": ["x"], "value": None}]
        assert [r.docid for r in conn.query("beer", "brewery_beers")] == ["x"]
    finally:
        conn.close()


# -- design documents ----------------------------------------------------------------------
DESIGN = {"views": {"by_name": {"map": "function (doc, meta) { emit(doc.name, null); }"}}}


def test_design_lifecycle(cb: Bucket, fake: FakeViews) -> None:
    created = cb.design_create("beer", DESIGN)
    assert isinstance(created, HttpResult) and created.success
    assert created.http_status == 201 and created.value["ok"] is True
    assert created.url == "/default/_design/dev_beer"
    assert fake.requests[-1]["method"] == "PUT"
    assert json.loads(fake.requests[-1]["body"]) == DESIGN
    assert cb.design_get("beer").value == DESIGN
    with pytest.raises(HTTPError) as info:
        cb.design_get("beer", use_devmode=False)
    assert info.value.status == 404

    published = cb.design_publish("beer")
    assert published.success and published.url == "/default/_design/beer"
    assert cb.design_get("beer", use_devmode=False).value == DESIGN
    assert cb.design_get("beer").value == DESIGN  # the development document stays

    deleted = cb.design_delete("beer")
    assert deleted.success and deleted.value["ok"]
    with pytest.raises(HTTPError):
        cb.design_get("beer")
    assert cb.design_delete("beer", use_devmode=False, syncwait=2).success
    with pytest.raises(HTTPError) as info:
        cb.design_delete("beer", use_devmode=False)
    assert info.value.status == 404


def test_design_from_json_text_and_bad_designs(cb: Bucket, fake: FakeViews) -> None:
    assert cb.design_create("t", json.dumps(DESIGN), use_devmode=False).success
    assert fake.ddocs[("default", "t")] == DESIGN
    with pytest.raises(ArgumentError):
        cb.design_create("t", "{not json")
    with pytest.raises(ArgumentError):
        cb.design_create("t", 42)
    with pytest.raises(ArgumentError):
        cb.design_create("t", DESIGN, syncwait=-1)
    with pytest.raises(ArgumentError):
        cb.design_get("")


def test_syncwait_polls_until_the_view_answers(cb: Bucket, fake: FakeViews) -> None:
    fake.not_ready_polls = 3
    cb.design_create("beer", DESIGN, syncwait=5)
    polls = [r for r in fake.requests if "/_view/" in r["path"]]
    assert len(polls) == 4
    assert polls[-1]["path"] == "/default/_design/dev_beer/_view/by_name"
    fake.not_ready_polls = 10**6
    with pytest.raises(TimeoutError, match="not ready"):
        cb.design_create("other", DESIGN, syncwait=0.3)


def test_design_publish_needs_the_dev_document(cb: Bucket, fake: FakeViews) -> None:
    with pytest.raises(HTTPError) as info:
        cb.design_publish("never-created")
    assert info.value.status == 404


# -- which node answers --------------------------------------------------------------------
def _Cluster(config: dict[str, Any], tls: Any = None) -> ClusterBase[Any]:
    """An unconnected cluster object that learnt ``config`` from 10.0.0.9."""
    settings = read_settings("couchbase://10.0.0.9/b", "p", "u", None, None)
    settings.tls = tls
    cluster: ClusterBase[Any] = ClusterBase(settings, clock=lambda: 0.0)
    cluster.router.update(json.dumps(config), "10.0.0.9")
    return cluster


class _Stub(ViewAPI):
    _bucket = "b"

    def __init__(self, cluster: ClusterBase[Any]) -> None:
        self._cluster = cluster

    def _live(self) -> Any:
        return self._cluster


def _config(**extra: Any) -> dict[str, Any]:
    return {"rev": 1, "nodesExt": [
        {"hostname": "a", "services": {"kv": 11210, "capi": 8092, "capiSSL": 18092}},
        {"hostname": "b", "services": {"kv": 11210}},
        {"hostname": "c", "services": {"kv": 11210, "capi": 9500}},
    ], **extra}


def test_endpoint_round_robin_over_nodes_with_views() -> None:
    stub = _Stub(_Cluster(_config(bucketCapabilities=["couchapi", "xattr"])))
    picks = [stub._views_endpoint() for _ in range(4)]
    assert [(e.host, e.port) for e in picks] == [("a", 8092), ("c", 9500)] * 2
    assert picks[0].username == "u" and picks[0].password == "p" and picks[0].tls is None
    tls = object()
    secure = _Stub(_Cluster(_config(), tls))._views_endpoint()
    assert (secure.host, secure.port, secure.tls) == ("a", 18092, tls)


def test_endpoint_from_legacy_couch_api_base() -> None:
    config = {"rev": 1, "nodes": [{"hostname": "$HOST:8091", "ports": {"direct": 11210},
                                   "couchApiBase": "http://$HOST:8092/b%2Buuid"}],
              "vBucketServerMap": {"serverList": ["$HOST:11210"], "vBucketMap": [[0]]}}
    endpoint = _Stub(_Cluster(config))._views_endpoint()
    assert (endpoint.host, endpoint.port) == ("10.0.0.9", 8092)


def test_no_views_service() -> None:
    with pytest.raises(NotSupportedError, match="couchapi"):
        _Stub(_Cluster(_config(bucketCapabilities=["xattr"])))._views_endpoint()
    no_capi = {"rev": 1, "nodesExt": [{"hostname": "a", "services": {"kv": 1}}]}
    with pytest.raises(ServiceUnavailable, match="views service") as info:
        _Stub(_Cluster(no_capi))._views_endpoint()
    # (the core's error; it leaves a flow's driver as the documented class)
    assert isinstance(to_public(info.value), NotSupportedError)
