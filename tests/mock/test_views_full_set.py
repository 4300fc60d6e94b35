"""Development views and ``full_set`` as the official SDK 4.x asks for them: a
POST with the options in the query string and ``{}`` (or ``{"keys": ...}``) as
the JSON body. A development view (``dev_``) answers from the active vbuckets
of the node asked unless ``full_set=true``; a production view always answers
from the whole bucket."""

from __future__ import annotations

import pytest
from mock_views import capi, put_ddoc, store

from couchbase_mock import MockCluster

MAP = "function (doc, meta) { if (doc.kind == 'fs') { emit(doc.n, null); } }"


@pytest.fixture(scope="module")
def mock():
    with MockCluster(nodes=2, replicas=1) as m:
        store(m, {f"fs-{i}": {"kind": "fs", "n": i} for i in range(60)})
        put_ddoc(m, "dev_fs", {"v": {"map": MAP}})
        put_ddoc(m, "fs", {"v": {"map": MAP}})
        yield m


def _post(mock, ddoc: str, query: str, body=None, node: int = 0):
    status, doc, _ = capi(mock, "POST", f"/default/_design/{ddoc}/_view/v?{query}",
                          body if body is not None else {}, node=node)
    assert status == 200, doc
    return doc


def test_dev_view_without_full_set_is_the_nodes_share(mock):
    ids = [{r["id"] for r in _post(mock, "dev_fs", "stale=false", node=n)["rows"]}
           for n in (0, 1)]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    assert all(mock.locate("default", i)[1] == 0 for i in ids[0])


def test_dev_view_with_full_set_is_everything(mock):
    for node in (0, 1):
        doc = _post(mock, "dev_fs", "stale=false&full_set=true", node=node)
        assert doc["total_rows"] == 60 and len(doc["rows"]) == 60


def test_production_view_ignores_full_set(mock):
    for query in ("stale=false", "stale=false&full_set=false", "stale=false&full_set=true"):
        assert _post(mock, "fs", query)["total_rows"] == 60


def test_keys_in_the_body(mock):
    doc = _post(mock, "dev_fs", "stale=false&full_set=true", {"keys": [3, 5, 99]})
    assert [r["key"] for r in doc["rows"]] == [3, 5]


def test_bad_full_set_value(mock):
    status, doc, _ = capi(mock, "POST", "/default/_design/dev_fs/_view/v?full_set=maybe", {})
    assert status == 400 and doc["error"] == "query_parse_error"
