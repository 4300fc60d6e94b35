"""4.x view queries (couchbase_core.html Bucket.view_query, couchbase.views,
ViewOptions) on every front end's Bucket, against the local cluster's views
with design documents the tests create: ViewRow fields, metadata, the query
options, scan consistency, the development namespace, and the classes the
official SDK 4.x raises (checked against the local cluster: a missing design
document or view is DesignDocumentNotFoundException)."""

from __future__ import annotations

import uuid
from typing import Any, Iterator

import pytest

from couchbase.exceptions import DesignDocumentNotFoundException, InvalidArgumentException
from couchbase.management.views import DesignDocumentNamespace
from couchbase.options import ViewOptions
from couchbase.views import (
    ViewErrorMode,
    ViewMetaData,
    ViewOrdering,
    ViewResult,
    ViewRow,
    ViewScanConsistency,
)

pytest.importorskip("py_mini_racer")  # the local cluster's JavaScript engine (not on PyPy)

KIND = "view4x_doc"
DESIGN = "view4x"
DEV_DESIGN = "view4x_devonly"
DOCS = {f"view4x::{i}": {"type": KIND, "n": i, "city": city, "name": f"name{i}"}
        for i, city in enumerate(["Oslo", "Oslo", "Paris", "Rome", "Rome"], start=1)}
VIEWS = {
    "by_n": {"map": f"function (doc, meta) {{ if (doc.type == '{KIND}') "
                    "emit(doc.n, doc.name); }", "reduce": "_count"},
    "by_city_n": {"map": f"function (doc, meta) {{ if (doc.type == '{KIND}') "
                         "emit([doc.city, doc.n], null); }", "reduce": "_count"},
}


def _put_design(mock: Any, name: str, views: dict[str, Any]) -> None:
    import base64
    import http.client
    import json

    conn = http.client.HTTPConnection(mock.host, mock.nodes[0].capi_port, timeout=30)
    token = base64.b64encode(b"Administrator:password").decode()
    try:
        conn.request("PUT", f"/default/_design/{name}", body=json.dumps({"views": views}),
                     headers={"Authorization": f"Basic {token}",
                              "Content-Type": "application/json"})
        resp = conn.getresponse()
        assert resp.status in (200, 201), resp.read()
        resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def views(mock_cluster: Any) -> Iterator[None]:
    from couchbase.bucket import Bucket

    cb = Bucket(f"{mock_cluster.connstr}/default", username="Administrator",
                password="password")
    cb.upsert_multi(DOCS)
    _put_design(mock_cluster, DESIGN, VIEWS)
    _put_design(mock_cluster, f"dev_{DEV_DESIGN}", {"by_n": VIEWS["by_n"]})
    for view in VIEWS:  # built now: the tests' default consistency answers without waiting
        list(cb.view_query(DESIGN, view, scan_consistency=ViewScanConsistency.REQUEST_PLUS))
    list(cb.view_query(DEV_DESIGN, "by_n", scan_consistency=ViewScanConsistency.REQUEST_PLUS,
                       namespace=DesignDocumentNamespace.DEVELOPMENT, full_set=True))
    cb.close()
    yield


def rows(cb: Any, front_end: str, *args: Any, **kwargs: Any) -> tuple[list[ViewRow], Any]:
    """``(rows, result)`` of ``cb.view_query(*args, **kwargs)``, read the front end's way."""
    result = cb.view_query(*args, **kwargs)  # Twisted: the Deferred's result, rows arrived
    assert isinstance(result, ViewResult)
    if front_end == "asyncio":
        async def collect() -> list[Any]:
            return [row async for row in result.rows()]

        return cb._resolve(collect), result
    return list(result.rows()), result


def test_rows_and_metadata(cb: Any, front_end: str, views: None) -> None:
    got, result = rows(cb, front_end, DESIGN, "by_n", ViewOptions(reduce=False))
    assert [(r.id, r.key, r.value) for r in got] == [
        (f"view4x::{i}", i, f"name{i}") for i in range(1, 6)]
    assert all(isinstance(r, ViewRow) and r.document is None for r in got)
    meta = result.metadata()
    assert isinstance(meta, ViewMetaData) and meta.total_rows() == 5


def test_key_keys_range_limit_skip_order(cb: Any, front_end: str, views: None) -> None:
    def keys(*opts: Any, **kwargs: Any) -> list[Any]:
        return [r.key for r in rows(cb, front_end, DESIGN, "by_n", *opts, reduce=False,
                                    **kwargs)[0]]

    assert keys(key=3) == [3]
    assert keys(ViewOptions(keys=[4, 1, 9])) == [4, 1]  # in the order asked, missing left out
    assert keys(startkey=2, endkey=4) == [2, 3, 4]
    assert keys(startkey=2, endkey=4, inclusive_end=False) == [2, 3]
    assert keys(ViewOptions(limit=2, skip=1)) == [2, 3]
    assert keys(order=ViewOrdering.DESCENDING, limit=2) == [5, 4]
    assert keys(ViewOptions(order=ViewOrdering.ASCENDING, limit=1)) == [1]
    assert keys(startkey=3, startkey_docid="view4x::3", endkey=3, endkey_docid="view4x::3") \
        == [3]


def test_reduce_group_and_group_level(cb: Any, front_end: str, views: None) -> None:
    got, _ = rows(cb, front_end, DESIGN, "by_n")  # the view's reduce runs by default
    assert [(r.id, r.key, r.value) for r in got] == [(None, None, 5)]
    got, _ = rows(cb, front_end, DESIGN, "by_city_n", ViewOptions(group_level=1))
    assert [(r.key, r.value) for r in got] == [(["Oslo"], 2), (["Paris"], 1), (["Rome"], 2)]
    got, _ = rows(cb, front_end, DESIGN, "by_city_n", group=True, limit=2)
    assert [(r.key, r.value) for r in got] == [(["Oslo", 1], 1), (["Oslo", 2], 1)]


def test_request_plus_sees_a_write_at_once(cb: Any, front_end: str, views: None) -> None:
    key = f"view4x::new-{uuid.uuid4().hex[:6]}"
    cb.upsert(key, {"type": KIND, "n": 100, "city": "Lima", "name": "fresh"})
    try:
        got, result = rows(cb, front_end, DESIGN, "by_n", reduce=False, key=100,
                           scan_consistency=ViewScanConsistency.REQUEST_PLUS)
        assert [(r.id, r.value) for r in got] == [(key, "fresh")]
        assert result.metadata().total_rows() == 6
    finally:
        cb.remove(key)
    rows(cb, front_end, DESIGN, "by_n", scan_consistency=ViewScanConsistency.REQUEST_PLUS)


def test_development_namespace(cb: Any, front_end: str, views: None) -> None:
    got, _ = rows(cb, front_end, DEV_DESIGN, "by_n", reduce=False, limit=1,
                  namespace=DesignDocumentNamespace.DEVELOPMENT, full_set=True)
    assert [r.key for r in got] == [1]
    with pytest.raises(DesignDocumentNotFoundException):  # not published
        rows(cb, front_end, DEV_DESIGN, "by_n", namespace=DesignDocumentNamespace.PRODUCTION)


def test_errors(cb: Any, front_end: str, views: None) -> None:
    with pytest.raises(DesignDocumentNotFoundException) as info:
        rows(cb, front_end, "no_such_design", "by_n")
    context = info.value.context
    assert context.design_document_name == "no_such_design" and context.view_name == "by_n"
    assert context.response_code == 404
    with pytest.raises(DesignDocumentNotFoundException):  # a missing view: the same class
        rows(cb, front_end, DESIGN, "no_such_view")
    with pytest.raises(InvalidArgumentException):
        cb.view_query("", "by_n")
    got, _ = rows(cb, front_end, DESIGN, "by_n", on_error=ViewErrorMode.STOP, reduce=False,
                  limit=1)
    assert len(got) == 1
