"""Design documents on the views port: create, read, replace, delete, list,
development documents and publishing, and the errors of bad documents."""

from __future__ import annotations

import json

import pytest
from mock_http import fetch
from mock_views import capi, put_ddoc, query, store

pytest.importorskip("py_mini_racer")

MAP = "function (doc, meta) { if (doc.kind == 'ddoc-test') { emit(doc.n, null); } }"


def test_crud_and_listing(fresh_mock):
    body = {"views": {"by_n": {"map": MAP, "reduce": "_count"}}, "language": "javascript"}
    status, answer, headers = capi(fresh_mock, "PUT", "/default/_design/dev_crud", body)
    assert (status, answer) == (201, {"ok": True, "id": "_design/dev_crud"})
    meta = json.loads(headers["x-couchbase-meta"])
    assert meta["id"] == "_design/dev_crud" and meta["rev"].startswith("1-")

    status, answer, headers = capi(fresh_mock, "GET", "/default/_design/dev_crud")
    assert (status, answer) == (200, body)
    assert json.loads(headers["x-couchbase-meta"])["rev"] == meta["rev"]

    # Publishing is a copy under the production name; the development one stays.
    put_ddoc(fresh_mock, "crud", answer["views"])
    status, listing = fetch(fresh_mock, "/pools/default/buckets/default/ddocs")
    assert status == 200
    ids = [row["doc"]["meta"]["id"] for row in listing["rows"]]
    assert ids == ["_design/crud", "_design/dev_crud"]
    assert listing["rows"][0]["doc"]["json"]["views"] == body["views"]
    assert listing["rows"][1]["doc"]["meta"]["rev"] == meta["rev"]

    # Replacing bumps the revision.
    put_ddoc(fresh_mock, "dev_crud", {"other": {"map": MAP}})
    status, answer, headers = capi(fresh_mock, "GET", "/default/_design/dev_crud")
    assert list(answer["views"]) == ["other"]
    assert json.loads(headers["x-couchbase-meta"])["rev"].startswith("2-")

    status, answer, _ = capi(fresh_mock, "DELETE", "/default/_design/dev_crud")
    assert (status, answer) == (200, {"ok": True, "id": "_design/dev_crud"})
    status, answer, _ = capi(fresh_mock, "GET", "/default/_design/dev_crud")
    assert (status, answer) == (404, {"error": "not_found", "reason": "missing"})
    status, answer, _ = capi(fresh_mock, "DELETE", "/default/_design/dev_crud")
    assert status == 404
    ids = [r["doc"]["meta"]["id"] for r in
           fetch(fresh_mock, "/pools/default/buckets/default/ddocs")[1]["rows"]]
    assert ids == ["_design/crud"]


def test_escaped_slash_and_bucket_uuid_in_the_path(fresh_mock):
    put_ddoc(fresh_mock, "esc", {"v": {"map": MAP}})
    uuid = fresh_mock.call(lambda c: c.buckets["default"].uuid)
    for path in ("/default/_design%2Fesc", f"/default%2B{uuid}/_design/esc"):
        status, answer, _ = capi(fresh_mock, "GET", path)
        assert status == 200 and "v" in answer["views"], path


@pytest.mark.parametrize(
    "body, error, reason_part",
    [
        (b"{not json", "bad_request", "invalid UTF-8 JSON"),
        (b"[1, 2]", "bad_request", "JSON object"),
        ({"views": []}, "invalid_design_document", "views"),
        ({"views": {"v": "function (doc) {}"}}, "invalid_design_document", "`v'"),
        ({"views": {"v": {"reduce": "_count"}}}, "invalid_design_document", "no map"),
        ({"views": {"v": {"map": "function (doc { emit(1) }"}}}, "invalid_design_document",
         "Syntax error in the map function of the view `v'"),
        ({"views": {"v": {"map": "42"}}}, "invalid_design_document", "map function"),
        ({"views": {"v": {"map": MAP, "reduce": "_median"}}}, "invalid_design_document",
         "invalid builtin reduce function: _median"),
        ({"views": {"v": {"map": MAP, "reduce": "function (k, v, r) { return"}}},
         "invalid_design_document", "Syntax error in the reduce function"),
    ],
)
def test_bad_design_documents_are_400(fresh_mock, body, error, reason_part):
    status, answer, _ = capi(fresh_mock, "PUT", "/default/_design/bad", body)
    assert status == 400, answer
    assert answer["error"] == error
    assert reason_part in answer["reason"]
    assert capi(fresh_mock, "GET", "/default/_design/bad")[0] == 404


def test_missing_ddoc_and_view(fresh_mock):
    status, answer, _ = capi(fresh_mock, "GET", "/default/_design/none/_view/v")
    assert (status, answer) == (404, {"error": "not_found", "reason": "missing"})
    put_ddoc(fresh_mock, "some", {"v": {"map": MAP}})
    status, answer, _ = capi(fresh_mock, "GET", "/default/_design/some/_view/w")
    assert (status, answer) == (404, {"error": "not_found", "reason": "missing_named_view"})


def test_a_bucket_created_again_has_no_design_documents(fresh_mock):
    fresh_mock.create_bucket("again")
    put_ddoc(fresh_mock, "d", {"v": {"map": MAP}}, bucket="again")
    assert capi(fresh_mock, "GET", "/again/_design/d")[0] == 200
    fresh_mock.delete_bucket("again")
    fresh_mock.create_bucket("again")
    assert capi(fresh_mock, "GET", "/again/_design/d")[0] == 404


def test_replacing_a_ddoc_reindexes_with_the_new_functions(fresh_mock):
    store(fresh_mock, {f"r{i}": {"kind": "ddoc-test", "n": i} for i in range(5)})
    put_ddoc(fresh_mock, "swap", {"v": {"map": MAP}})
    assert [r["key"] for r in query(fresh_mock, "swap", "v")["rows"]] == [0, 1, 2, 3, 4]
    put_ddoc(fresh_mock, "swap", {"v": {"map": MAP.replace("doc.n", "-doc.n")}})
    assert [r["key"] for r in query(fresh_mock, "swap", "v")["rows"]] == [-4, -3, -2, -1, 0]


def test_development_views_see_one_node_unless_full_set(fresh_mock):
    docs = {f"dev-{i}": {"kind": "ddoc-test", "n": i} for i in range(200)}
    store(fresh_mock, docs)
    put_ddoc(fresh_mock, "dev_subset", {"v": {"map": MAP}})
    full = query(fresh_mock, "dev_subset", "v", full_set="true")
    assert full["total_rows"] == 200
    seen = []
    for node in (0, 1):
        part = query(fresh_mock, "dev_subset", "v", node=node)
        ids = {r["id"] for r in part["rows"]}
        assert part["total_rows"] == len(ids)
        assert all(fresh_mock.locate("default", i)[1] == node for i in ids)
        seen.append(ids)
    assert seen[0] and seen[1] and not seen[0] & seen[1]
    assert seen[0] | seen[1] == set(docs)
