"""What map and reduce functions see and produce: meta, non-JSON values,
throwing functions, the builtin reduces and JavaScript reduce with rereduce."""

from __future__ import annotations

import base64
import json

import pytest
from mock_kvclient import ClusterKV
from mock_views import capi, index_stats, put_ddoc, query, store, view_path

pytest.importorskip("py_mini_racer")


def test_meta_and_document_types(fresh_mock):
    store(fresh_mock, {"json-doc": {"a": 1}}, flags=0x02000006)
    store(fresh_mock, {"text-doc": b"plain text, not JSON"}, flags=0x04000004)
    store(fresh_mock, {"bin-doc": b"\xff\x00\x01"}, flags=0x03000002)
    store(fresh_mock, {"num-doc": b"42"}, flags=0)
    store(fresh_mock, {"ttl-doc": {"t": 1}}, expiry=3600)
    put_ddoc(fresh_mock, "meta", {"v": {"map": "function (doc, meta) { emit(meta.id, "
                                              "{doc: doc, meta: meta}); }"}})
    rows = {r["id"]: r["value"] for r in query(fresh_mock, "meta", "v")["rows"]}
    assert set(rows) == {"json-doc", "text-doc", "bin-doc", "num-doc", "ttl-doc"}
    meta = rows["json-doc"]["meta"]
    assert rows["json-doc"]["doc"] == {"a": 1}
    assert meta["type"] == "json" and meta["flags"] == 0x02000006 and meta["expiration"] == 0
    assert meta["id"] == "json-doc"
    revno, _, rest = meta["rev"].partition("-")
    assert revno == "1" and len(rest) == 32 and rest.endswith("02000006")
    assert rows["text-doc"]["meta"]["type"] == "base64"
    assert base64.b64decode(rows["text-doc"]["doc"]) == b"plain text, not JSON"
    assert rows["bin-doc"]["meta"]["type"] == "base64"
    assert base64.b64decode(rows["bin-doc"]["doc"]) == b"\xff\x00\x01"
    assert rows["num-doc"]["doc"] == 42 and rows["num-doc"]["meta"]["type"] == "json"
    assert rows["ttl-doc"]["meta"]["expiration"] > 0
    # A second revision of a document has rev 2-...
    store(fresh_mock, {"json-doc": {"a": 2}})
    rows = {r["id"]: r["value"] for r in query(fresh_mock, "meta", "v")["rows"]}
    assert rows["json-doc"]["meta"]["rev"].startswith("2-")
    assert rows["json-doc"]["doc"] == {"a": 2}


def test_documents_written_over_kv(fresh_mock):
    with ClusterKV(fresh_mock) as kv:
        for i in range(30):
            kv.set(f"kv-{i}".encode(), json.dumps({"i": i}).encode(), flags=0x02000006)
    put_ddoc(fresh_mock, "kv", {"v": {"map": "function (doc, meta) { emit(doc.i, null); }"}})
    body = query(fresh_mock, "kv", "v")
    assert [r["key"] for r in body["rows"]] == list(range(30))


def test_helpers_of_the_map_environment(fresh_mock):
    store(fresh_mock, {"h": {"when": "2013-04-05T06:07:08Z", "parts": [1, 2, 3]},
                       "b": b"hello"})
    put_ddoc(fresh_mock, "env", {"v": {"map": """function (doc, meta) {
        if (meta.type == 'base64') { emit('b64', decodeBase64(doc)); return; }
        emit('date', dateToArray(doc.when));
        emit('sum', sum(doc.parts));
        emit('array', isArray(doc.parts));
        emit('json', toJSON(doc.parts));
        log('logging is accepted');
    }"""}})
    rows = {r["key"]: r["value"] for r in query(fresh_mock, "env", "v")["rows"]}
    assert rows == {"b64": "hello", "date": [2013, 4, 5, 6, 7, 8], "sum": 6, "array": True,
                    "json": "[1,2,3]"}


def test_a_throwing_map_function_skips_that_document(fresh_mock):
    store(fresh_mock, {f"t{i}": {"n": i, "sub": {"x": i} if i % 3 else None}
                       for i in range(9)})
    put_ddoc(fresh_mock, "throw", {
        "deref": {"map": "function (doc) { emit(doc.sub.x, null); }"},
        "fine": {"map": "function (doc) { emit(doc.n, null); }"},
        "explicit": {"map": "function (doc) { if (doc.n == 4) throw new Error('no'); "
                            "emit(doc.n, null); }"},
    })
    assert [r["key"] for r in query(fresh_mock, "throw", "deref")["rows"]] == [1, 2, 4, 5, 7, 8]
    assert [r["key"] for r in query(fresh_mock, "throw", "fine")["rows"]] == list(range(9))
    assert 4 not in [r["key"] for r in query(fresh_mock, "throw", "explicit")["rows"]]
    assert index_stats(fresh_mock, "throw")["map_errors"] == 4


def test_emit_shapes(fresh_mock):
    store(fresh_mock, {"e": {"n": 1}})
    put_ddoc(fresh_mock, "shapes", {"v": {"map": """function (doc) {
        emit();                       // key and value null
        emit([doc.n, 'x'], {deep: [1, {a: null}]});
        emit('u', undefined);
        emit(doc.n, doc.n); emit(doc.n, doc.n);   // the same row twice
    }"""}})
    rows = query(fresh_mock, "shapes", "v")["rows"]
    assert [(r["key"], r["value"]) for r in rows] == [
        (None, None), (1, 1), (1, 1), ("u", None), ([1, "x"], {"deep": [1, {"a": None}]})]


def test_builtin_reduces(fresh_mock):
    docs = {f"r{i}": {"g": "even" if i % 2 == 0 else "odd", "v": i, "vec": [i, 1]}
            for i in range(10)}
    store(fresh_mock, docs)
    put_ddoc(fresh_mock, "red", {
        "count": {"map": "function (doc) { emit(doc.g, doc.v); }", "reduce": "_count"},
        "sum": {"map": "function (doc) { emit(doc.g, doc.v); }", "reduce": "_sum"},
        "vsum": {"map": "function (doc) { emit(doc.g, doc.vec); }", "reduce": "_sum"},
        "stats": {"map": "function (doc) { emit(doc.g, doc.v); }", "reduce": "_stats"},
        "bad": {"map": "function (doc) { emit(doc.g, 'text'); }", "reduce": "_sum"},
    })
    assert query(fresh_mock, "red", "count")["rows"] == [{"key": None, "value": 10}]
    assert query(fresh_mock, "red", "count", group="true")["rows"] == [
        {"key": "even", "value": 5}, {"key": "odd", "value": 5}]
    assert query(fresh_mock, "red", "sum", key='"odd"')["rows"] == [{"key": None, "value": 25}]
    assert query(fresh_mock, "red", "vsum", group="true")["rows"] == [
        {"key": "even", "value": [20, 5]}, {"key": "odd", "value": [25, 5]}]
    assert query(fresh_mock, "red", "stats", group="true")["rows"] == [
        {"key": "even", "value": {"sum": 20, "count": 5, "min": 0, "max": 8, "sumsqr": 120}},
        {"key": "odd", "value": {"sum": 25, "count": 5, "min": 1, "max": 9, "sumsqr": 165}},
    ]
    status, body, _ = capi(fresh_mock, "GET", view_path("red", "bad", stale="false"))
    assert status == 500 and "_sum" in body["reason"]
    # keys with a reduce: one row per key when grouped.
    status, body, _ = capi(fresh_mock, "POST", view_path("red", "count", group="true"),
                           {"keys": ["odd", "none", "even"]})
    assert body["rows"] == [{"key": "odd", "value": 5}, {"key": "even", "value": 5}]


def test_javascript_reduce_and_rereduce(fresh_mock):
    # Enough rows that the engine reduces in chunks and then re-reduces.
    store(fresh_mock, {f"j{i:04d}": {"g": i % 2, "v": 1} for i in range(1000)})
    put_ddoc(fresh_mock, "js", {"v": {
        "map": "function (doc) { emit([doc.g, doc.v], doc.v); }",
        "reduce": """function (keys, values, rereduce) {
            if (rereduce) {
                var out = {n: 0, rereduced: true, firstKeys: null};
                for (var i = 0; i < values.length; i++) { out.n += values[i].n; }
                return out;
            }
            return {n: sum(values), rereduced: false, firstKeys: keys[0]};
        }"""}})
    body = query(fresh_mock, "js", "v")
    assert body["rows"] == [{"key": None, "value": {"n": 1000, "rereduced": True,
                                                    "firstKeys": None}}]
    body = query(fresh_mock, "js", "v", group_level=1)
    assert [(r["key"], r["value"]["n"], r["value"]["rereduced"]) for r in body["rows"]] == [
        ([0], 500, True), ([1], 500, True)]
    # A small group is reduced once, without rereduce; it sees [key, docid] pairs.
    store(fresh_mock, {"small-b": {"g": 2, "v": 1}, "small-a": {"g": 2, "v": 1}})
    body = query(fresh_mock, "js", "v", group_level=1, startkey=[2])
    assert body["rows"] == [{"key": [2], "value": {"n": 2, "rereduced": False,
                                                   "firstKeys": [[2, 1], "small-a"]}}]
    body = query(fresh_mock, "js", "v", keys=[[1, 1]], group="true")
    assert [(r["key"], r["value"]["n"]) for r in body["rows"]] == [([1, 1], 500)]


def test_a_throwing_reduce_is_an_error(fresh_mock):
    store(fresh_mock, {"x": {"v": 1}})
    put_ddoc(fresh_mock, "rthrow", {"v": {
        "map": "function (doc) { emit(1, doc.v); }",
        "reduce": "function (k, v, r) { throw new Error('reduce broke'); }"}})
    status, body, _ = capi(fresh_mock, "GET", view_path("rthrow", "v", stale="false"))
    assert status == 500 and "reduce broke" in body["reason"]
    body = query(fresh_mock, "rthrow", "v", reduce="false")
    assert body["rows"] == [{"id": "x", "key": 1, "value": 1}]
