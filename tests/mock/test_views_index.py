"""Index maintenance: incremental updates (only changed documents are mapped
again), deletions and expiry, the stale modes, and a view over thousands of
generated documents kept equal to a fresh index through random changes."""

from __future__ import annotations

import random
import time

import pytest
from mock_views import capi, index_stats, put_ddoc, query, remove, store, view_path

from couchbase_mock.views.collation import sort_key

pytest.importorskip("py_mini_racer")

BY_N = {"v": {"map": "function (doc, meta) { if ('n' in doc) emit(doc.n, meta.id); }",
              "reduce": "_count"}}


def ids(body):
    return [r["id"] for r in body["rows"]]


def test_only_changed_documents_are_mapped_again(fresh_mock):
    store(fresh_mock, {f"i{i:03d}": {"n": i} for i in range(300)})
    put_ddoc(fresh_mock, "inc", BY_N)
    assert query(fresh_mock, "inc", "v", reduce="false")["total_rows"] == 300
    assert index_stats(fresh_mock, "inc")["mapped_docs"] == 300

    # Nothing changed: nothing is mapped.
    query(fresh_mock, "inc", "v")
    assert index_stats(fresh_mock, "inc")["mapped_docs"] == 300

    store(fresh_mock, {"i005": {"n": 1005}, "i010": {"n": -10}, "new": {"n": 500}})
    remove(fresh_mock, ["i020", "i021"])
    body = query(fresh_mock, "inc", "v", reduce="false")
    stats = index_stats(fresh_mock, "inc")
    assert stats["mapped_docs"] == 303  # three writes; deletions only drop rows
    assert stats["indexed_docs"] == 299
    assert body["total_rows"] == 299
    keys = [r["key"] for r in body["rows"]]
    assert keys == sorted(keys)
    assert keys[0] == -10 and keys[-2:] == [500, 1005]
    assert "i020" not in ids(body) and "i005" in ids(body)
    assert query(fresh_mock, "inc", "v")["rows"] == [{"key": None, "value": 299}]

    # A document that no longer emits loses its rows.
    store(fresh_mock, {"i000": {"other": True}})
    body = query(fresh_mock, "inc", "v", reduce="false", limit=1)
    assert body["rows"][0]["id"] == "i010" and body["total_rows"] == 298


def test_expired_documents_leave_the_index(fresh_mock):
    store(fresh_mock, {"keep": {"n": 1}})
    store(fresh_mock, {"brief": {"n": 2}}, expiry=10)
    put_ddoc(fresh_mock, "exp", BY_N)
    assert ids(query(fresh_mock, "exp", "v", reduce="false")) == ["keep", "brief"]
    fresh_mock.advance_time(11)
    # Nobody touched the document: the index notices the expiry by itself.
    assert ids(query(fresh_mock, "exp", "v", reduce="false")) == ["keep"]
    assert index_stats(fresh_mock, "exp")["mapped_docs"] == 2


def test_stale_modes(fresh_mock):
    store(fresh_mock, {"s1": {"n": 1}})
    put_ddoc(fresh_mock, "stale", BY_N)
    # stale=ok on an index never built: nothing yet.
    assert query(fresh_mock, "stale", "v", stale="ok", reduce="false")["rows"] == []
    assert ids(query(fresh_mock, "stale", "v", stale="false", reduce="false")) == ["s1"]

    store(fresh_mock, {"s2": {"n": 2}})
    # stale=ok answers from the index as it is.
    assert ids(query(fresh_mock, "stale", "v", stale="ok", reduce="false")) == ["s1"]
    assert ids(query(fresh_mock, "stale", "v", stale="ok", reduce="false")) == ["s1"]
    # update_after (the default) answers likewise, then updates the index.
    status, body, _ = capi(fresh_mock, "GET", view_path("stale", "v", reduce="false"))
    assert status == 200 and ids(body) == ["s1"]
    deadline = time.monotonic() + 10
    while ids(query(fresh_mock, "stale", "v", stale="ok", reduce="false")) != ["s1", "s2"]:
        assert time.monotonic() < deadline, "update_after never updated the index"
        time.sleep(0.02)

    # stale=false brings the index up to date before answering.
    store(fresh_mock, {"s3": {"n": 3}})
    assert ids(query(fresh_mock, "stale", "v", stale="false", reduce="false")) == [
        "s1", "s2", "s3"]


def _doc(rng, i):
    kind = rng.choice(["beer", "brewery"])
    doc = {"type": kind, "name": rng.choice(["Pale", "pale", "Stout", "IPA", "ipa", "Ale"])
           + f" {rng.randrange(50)}", "abv": round(rng.uniform(0, 12), 1)}
    if kind == "beer":
        doc["brewery_id"] = f"brewery-{rng.randrange(40)}"
    return doc


MAPS = {
    "by_name": {"map": "function (doc, meta) { if (doc.type == 'beer' && doc.name) "
                       "emit(doc.name, null); }"},
    "by_brewery": {"map": "function (doc, meta) { if (doc.type == 'beer') "
                          "emit([doc.brewery_id, doc.abv], doc.abv); }", "reduce": "_stats"},
}


def test_thousands_of_documents_stay_equal_to_a_fresh_index(fresh_mock):
    rng = random.Random(1234)
    docs = {f"doc-{i:05d}": _doc(rng, i) for i in range(4000)}
    store(fresh_mock, docs)
    put_ddoc(fresh_mock, "big", MAPS)
    body = query(fresh_mock, "big", "by_name")
    beers = {k: d for k, d in docs.items() if d["type"] == "beer"}
    expected = sorted(((d["name"], k) for k, d in beers.items()),
                      key=lambda p: (sort_key(p[0]), p[1].encode()))
    assert body["total_rows"] == len(beers)
    assert [(r["key"], r["id"]) for r in body["rows"]] == expected

    # Rounds of random changes; after each the incremental index equals one
    # built from scratch.
    for round_no in range(3):
        changed = rng.sample(sorted(docs), 150)
        for key in changed[:100]:
            docs[key] = _doc(rng, 0)
        store(fresh_mock, {k: docs[k] for k in changed[:100]})
        gone = changed[100:]
        remove(fresh_mock, gone)
        for key in gone:
            del docs[key]
        before = index_stats(fresh_mock, "big")["mapped_docs"]
        incremental = {v: query(fresh_mock, "big", v, reduce="false") for v in MAPS}
        assert index_stats(fresh_mock, "big")["mapped_docs"] == before + 100
        put_ddoc(fresh_mock, f"fresh{round_no}", MAPS)
        for view in MAPS:
            assert query(fresh_mock, f"fresh{round_no}", view, reduce="false") == \
                incremental[view]
        grouped = query(fresh_mock, "big", "by_brewery", group_level=1)
        assert grouped == query(fresh_mock, f"fresh{round_no}", "by_brewery", group_level=1)
    stats = grouped["rows"]
    assert sum(r["value"]["count"] for r in stats) == sum(
        1 for d in docs.values() if d["type"] == "beer")

    # A prefix search, as the beer-sample app does.
    body = query(fresh_mock, "big", "by_name", startkey='"pale"', endkey='"pale\\uefff"')
    names = [r["key"] for r in body["rows"]]
    assert names and all(n.lower().startswith("pale") for n in names)
    assert len(names) == sum(1 for d in docs.values()
                             if d["type"] == "beer" and d["name"].lower().startswith("pale"))
