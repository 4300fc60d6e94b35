"""Single-path sub-document commands on the document body, over the wire.

Expected answers are those of kv_engine's docs/SubDocument.md."""

from __future__ import annotations

import json
import struct

import pytest
from mock_kvclient import key_with_active
from subdoc_wire import ADD, MKDIR_P, MKDOC, single

from couchbase._core.feature import Datatype
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status

DOC = {
    "type": "product",
    "pDetails": {"audience": "children"},
    "pDistributors": [
        {"dName": "Going Out of Business Wholesale", "dAdded": ["Feb", 36, 2025]},
        {"dName": "Everything Must Go!", "dAdded": ["May", 72, 1492]},
    ],
    "dot.ted.field": {"subfield": 1},
    "back`tick`field": None,
    "n": 5,
    "tags": ["a", 1, True],
}


@pytest.fixture
def key(mock_cluster, request):
    return key_with_active(mock_cluster, 0, request.node.name)


@pytest.fixture
def doc_key(kv0, key):
    assert kv0.set(key, json.dumps(DOC).encode(), datatype=Datatype.JSON).status == 0
    return key


def body(kv, key):
    got = kv.get(key)
    assert got.status == Status.SUCCESS
    return json.loads(got.value)


@pytest.mark.parametrize("path,expected", [
    ("type", "product"),
    ("pDistributors[0].dName", "Going Out of Business Wholesale"),
    ("pDistributors[1].dAdded[2]", 1492),
    ("pDistributors[-1].dAdded[-1]", 1492),
    ("`dot.ted.field`.subfield", 1),
    ("`back``tick``field`", None),
    ("pDetails", {"audience": "children"}),
])
def test_get_follows_the_documented_path_syntax(kv0, doc_key, path, expected):
    resp = single(kv0, Opcode.SUBDOC_GET, doc_key, path)
    assert resp.status == Status.SUCCESS, hex(resp.status)
    assert json.loads(resp.value) == expected
    assert resp.datatype == Datatype.JSON
    assert resp.cas == kv0.get(doc_key).cas


@pytest.mark.parametrize("path,status", [
    ("nope", Status.SUBDOC_PATH_ENOENT),
    ("pDistributors[5]", Status.SUBDOC_PATH_ENOENT),
    ("pDistributors.count", Status.SUBDOC_PATH_MISMATCH),
    ("type.category", Status.SUBDOC_PATH_MISMATCH),
    ("pDetails[0]", Status.SUBDOC_PATH_MISMATCH),
    ("a..b", Status.SUBDOC_PATH_EINVAL),
    ("a[", Status.SUBDOC_PATH_EINVAL),
    ("a[x]", Status.SUBDOC_PATH_EINVAL),
    ("a[-2]", Status.SUBDOC_PATH_EINVAL),
    ("`unterminated", Status.SUBDOC_PATH_EINVAL),
    ("a.", Status.SUBDOC_PATH_EINVAL),
    ("x" * 1025, Status.SUBDOC_PATH_E2BIG),
    (".".join(["a"] * 33), Status.SUBDOC_PATH_E2BIG),
])
def test_get_errors(kv0, doc_key, path, status):
    assert single(kv0, Opcode.SUBDOC_GET, doc_key, path).status == status


def test_exists_and_get_count(kv0, doc_key):
    resp = single(kv0, Opcode.SUBDOC_EXISTS, doc_key, "pDetails.audience")
    assert resp.status == Status.SUCCESS and resp.value == b""
    assert single(kv0, Opcode.SUBDOC_EXISTS, doc_key, "pDetails.x").status == \
        Status.SUBDOC_PATH_ENOENT
    assert single(kv0, Opcode.SUBDOC_GET_COUNT, doc_key, "pDistributors").value == b"2"
    assert single(kv0, Opcode.SUBDOC_GET_COUNT, doc_key, "pDetails").value == b"1"
    assert single(kv0, Opcode.SUBDOC_GET_COUNT, doc_key, "").value == str(len(DOC)).encode()
    assert single(kv0, Opcode.SUBDOC_GET_COUNT, doc_key, "type").status == \
        Status.SUBDOC_PATH_MISMATCH


def test_missing_document_and_non_json_document(kv0, key):
    assert single(kv0, Opcode.SUBDOC_GET, key, "a").status == Status.KEY_ENOENT
    assert single(kv0, Opcode.SUBDOC_DICT_UPSERT, key, "a", b"1").status == Status.KEY_ENOENT
    kv0.set(key, b"\x00binary")
    assert single(kv0, Opcode.SUBDOC_GET, key, "a").status == Status.SUBDOC_DOC_NOTJSON
    assert single(kv0, Opcode.SUBDOC_DICT_UPSERT, key, "a", b"1").status == \
        Status.SUBDOC_DOC_NOTJSON


def test_dict_add_and_upsert(kv0, doc_key):
    before = kv0.get(doc_key).cas
    resp = single(kv0, Opcode.SUBDOC_DICT_ADD, doc_key, "pDetails.character", b'"elmo"')
    assert resp.status == Status.SUCCESS and resp.cas > before
    assert len(resp.extras) == 16  # mutation token
    assert single(kv0, Opcode.SUBDOC_DICT_ADD, doc_key, "pDetails.character", b'"x"').status \
        == Status.SUBDOC_PATH_EEXISTS
    assert single(kv0, Opcode.SUBDOC_DICT_UPSERT, doc_key, "pDetails.character",
                  b'{"a":[1]}').status == Status.SUCCESS
    assert body(kv0, doc_key)["pDetails"]["character"] == {"a": [1]}
    # Intermediate paths: only with MKDIR_P.
    assert single(kv0, Opcode.SUBDOC_DICT_ADD, doc_key, "pDetails.hazards.radioactive",
                  b"true").status == Status.SUBDOC_PATH_ENOENT
    assert single(kv0, Opcode.SUBDOC_DICT_ADD, doc_key, "pDetails.hazards.radioactive",
                  b"true", flags=MKDIR_P).status == Status.SUCCESS
    assert body(kv0, doc_key)["pDetails"]["hazards"] == {"radioactive": True}
    # A path ending in an index is not a dictionary key; the value must be JSON.
    assert single(kv0, Opcode.SUBDOC_DICT_UPSERT, doc_key, "tags[0]", b"1").status == \
        Status.SUBDOC_PATH_EINVAL
    assert single(kv0, Opcode.SUBDOC_DICT_UPSERT, doc_key, "x", b"{nope").status == \
        Status.SUBDOC_VALUE_CANTINSERT
    assert single(kv0, Opcode.SUBDOC_DICT_UPSERT, doc_key, "tags.x", b"1").status == \
        Status.SUBDOC_PATH_MISMATCH


def test_delete_and_replace(kv0, doc_key):
    assert single(kv0, Opcode.SUBDOC_DELETE, doc_key, "pDistributors[0]").status == 0
    assert single(kv0, Opcode.SUBDOC_DELETE, doc_key, "tags[-1]").status == 0
    assert single(kv0, Opcode.SUBDOC_DELETE, doc_key, "type").status == 0
    assert single(kv0, Opcode.SUBDOC_DELETE, doc_key, "type").status == Status.SUBDOC_PATH_ENOENT
    got = body(kv0, doc_key)
    assert "type" not in got and got["tags"] == ["a", 1]
    assert got["pDistributors"][0]["dName"] == "Everything Must Go!"
    assert single(kv0, Opcode.SUBDOC_REPLACE, doc_key, "n", b"[1,2]").status == 0
    assert single(kv0, Opcode.SUBDOC_REPLACE, doc_key, "tags[0]", b'"z"').status == 0
    assert single(kv0, Opcode.SUBDOC_REPLACE, doc_key, "missing", b"1").status == \
        Status.SUBDOC_PATH_ENOENT
    got = body(kv0, doc_key)
    assert got["n"] == [1, 2] and got["tags"] == ["z", 1]


def test_empty_path_is_refused_where_a_path_is_required(kv0, doc_key):
    for opcode, value in ((Opcode.SUBDOC_GET, b""), (Opcode.SUBDOC_DELETE, b""),
                          (Opcode.SUBDOC_DICT_UPSERT, b"1"), (Opcode.SUBDOC_COUNTER, b"1")):
        assert single(kv0, opcode, doc_key, "", value).status == Status.EINVAL


def test_array_push_insert_add_unique(kv0, doc_key):
    assert single(kv0, Opcode.SUBDOC_ARRAY_PUSH_LAST, doc_key, "tags", b'"b", 2, false').status \
        == 0
    assert single(kv0, Opcode.SUBDOC_ARRAY_PUSH_FIRST, doc_key, "tags", b"0").status == 0
    assert body(kv0, doc_key)["tags"] == [0, "a", 1, True, "b", 2, False]
    assert single(kv0, Opcode.SUBDOC_ARRAY_INSERT, doc_key, "tags[1]", b'"i"').status == 0
    assert single(kv0, Opcode.SUBDOC_ARRAY_INSERT, doc_key, "tags[8]", b'"end"').status == 0
    assert single(kv0, Opcode.SUBDOC_ARRAY_INSERT, doc_key, "tags[10]", b"1").status == \
        Status.SUBDOC_PATH_ENOENT
    assert single(kv0, Opcode.SUBDOC_ARRAY_INSERT, doc_key, "tags[-1]", b"1").status == \
        Status.SUBDOC_PATH_EINVAL
    assert single(kv0, Opcode.SUBDOC_ARRAY_INSERT, doc_key, "tags", b"1").status == \
        Status.SUBDOC_PATH_EINVAL
    assert body(kv0, doc_key)["tags"] == [0, "i", "a", 1, True, "b", 2, False, "end"]
    # Unique by JSON text: "1" and 1.0 differ from 1.
    assert single(kv0, Opcode.SUBDOC_ARRAY_ADD_UNIQUE, doc_key, "tags", b"1").status == \
        Status.SUBDOC_PATH_EEXISTS
    assert single(kv0, Opcode.SUBDOC_ARRAY_ADD_UNIQUE, doc_key, "tags", b'"1"').status == 0
    assert single(kv0, Opcode.SUBDOC_ARRAY_ADD_UNIQUE, doc_key, "tags", b"1.0").status == 0
    assert single(kv0, Opcode.SUBDOC_ARRAY_ADD_UNIQUE, doc_key, "tags", b"[1]").status == \
        Status.SUBDOC_VALUE_CANTINSERT
    assert single(kv0, Opcode.SUBDOC_ARRAY_ADD_UNIQUE, doc_key, "tags", b"1, 2").status == \
        Status.SUBDOC_VALUE_CANTINSERT
    assert single(kv0, Opcode.SUBDOC_ARRAY_ADD_UNIQUE, doc_key, "pDistributors", b"1").status \
        == Status.SUBDOC_PATH_MISMATCH
    # Not an array / missing array (created with MKDIR_P).
    assert single(kv0, Opcode.SUBDOC_ARRAY_PUSH_LAST, doc_key, "pDetails", b"1").status == \
        Status.SUBDOC_PATH_MISMATCH
    assert single(kv0, Opcode.SUBDOC_ARRAY_PUSH_LAST, doc_key, "new.list", b"1").status == \
        Status.SUBDOC_PATH_ENOENT
    assert single(kv0, Opcode.SUBDOC_ARRAY_PUSH_LAST, doc_key, "new.list", b"1",
                  flags=MKDIR_P).status == 0
    assert body(kv0, doc_key)["new"] == {"list": [1]}
    assert single(kv0, Opcode.SUBDOC_ARRAY_PUSH_LAST, doc_key, "tags", b"").status == \
        Status.EINVAL


def test_counter(kv0, doc_key):
    resp = single(kv0, Opcode.SUBDOC_COUNTER, doc_key, "n", b"10")
    assert resp.status == Status.SUCCESS and resp.value == b"15"
    assert single(kv0, Opcode.SUBDOC_COUNTER, doc_key, "n", b"-20").value == b"-5"
    assert single(kv0, Opcode.SUBDOC_COUNTER, doc_key, "fresh", b"3").value == b"3"
    assert single(kv0, Opcode.SUBDOC_COUNTER, doc_key, "a.b", b"1").status == \
        Status.SUBDOC_PATH_ENOENT
    assert single(kv0, Opcode.SUBDOC_COUNTER, doc_key, "a.b", b"1", flags=MKDIR_P).value == b"1"
    for delta in (b"0", b"1.5", b"x", b"9223372036854775808", b"+1", b" 1"):
        assert single(kv0, Opcode.SUBDOC_COUNTER, doc_key, "n", delta).status == \
            Status.SUBDOC_DELTA_EINVAL, delta
    assert single(kv0, Opcode.SUBDOC_COUNTER, doc_key, "type", b"1").status == \
        Status.SUBDOC_PATH_MISMATCH
    single(kv0, Opcode.SUBDOC_DICT_UPSERT, doc_key, "big", b"9223372036854775807")
    assert single(kv0, Opcode.SUBDOC_COUNTER, doc_key, "big", b"1").status == \
        Status.SUBDOC_VALUE_CANTINSERT
    single(kv0, Opcode.SUBDOC_DICT_UPSERT, doc_key, "huge", b"99999999999999999999")
    assert single(kv0, Opcode.SUBDOC_COUNTER, doc_key, "huge", b"1").status == \
        Status.SUBDOC_NUM_ERANGE
    assert body(kv0, doc_key)["n"] == -5


def test_cas_lock_and_expiry(mock_cluster, kv0, doc_key):
    cas = kv0.get(doc_key).cas
    assert single(kv0, Opcode.SUBDOC_DICT_UPSERT, doc_key, "x", b"1", cas=cas + 1).status == \
        Status.KEY_EEXISTS
    ok = single(kv0, Opcode.SUBDOC_DICT_UPSERT, doc_key, "x", b"1", cas=cas)
    assert ok.status == Status.SUCCESS
    locked = kv0.doc(Opcode.GET_LOCKED, doc_key, extras=struct.pack(">I", 5))
    assert single(kv0, Opcode.SUBDOC_DICT_UPSERT, doc_key, "x", b"2").status == Status.LOCKED
    read = single(kv0, Opcode.SUBDOC_GET, doc_key, "x")
    assert read.status == Status.SUCCESS and read.cas == 0xFFFFFFFFFFFFFFFF
    assert single(kv0, Opcode.SUBDOC_DICT_UPSERT, doc_key, "x", b"2",
                  cas=locked.cas).status == Status.SUCCESS
    # Expiry in the extras (7 bytes): the document expires as with a store.
    assert single(kv0, Opcode.SUBDOC_DICT_UPSERT, doc_key, "x", b"3", expiry=10).status == 0
    meta = kv0.doc(Opcode.GET_META, doc_key)
    assert struct.unpack(">IIIQ", meta.extras)[2] > 0


def test_mkdoc_and_add_doc_flags(mock_cluster, kv0, key):
    resp = single(kv0, Opcode.SUBDOC_DICT_UPSERT, key, "a.b", b"1", doc_flags=MKDOC)
    assert resp.status == Status.SUCCESS
    assert body(kv0, key) == {"a": {"b": 1}}
    assert single(kv0, Opcode.SUBDOC_DICT_UPSERT, key, "c", b"2", doc_flags=ADD).status == \
        Status.KEY_EEXISTS
    assert single(kv0, Opcode.SUBDOC_DICT_UPSERT, key, "c", b"2",
                  doc_flags=MKDOC | ADD).status == Status.EINVAL
    assert single(kv0, Opcode.SUBDOC_GET, key, "a", doc_flags=MKDOC).status == Status.EINVAL
    array_key = key_with_active(mock_cluster, 0, "array")
    assert single(kv0, Opcode.SUBDOC_ARRAY_PUSH_LAST, array_key, "", b"1, 2",
                  doc_flags=ADD).status == Status.SUCCESS
    assert body(kv0, array_key) == [1, 2]
    assert single(kv0, Opcode.SUBDOC_ARRAY_PUSH_LAST, array_key, "", b"3",
                  doc_flags=ADD, cas=5).status == Status.EINVAL


@pytest.mark.parametrize("extras", [b"", b"\x00", b"\x00\x01", b"\x00" * 5, b"\x00" * 9])
def test_malformed_extras_are_einval(kv0, doc_key, extras):
    assert kv0.doc(Opcode.SUBDOC_DICT_UPSERT, doc_key, b"a1", extras).status == Status.EINVAL


def test_malformed_single_requests(kv0, doc_key):
    # path length beyond the value; unknown path flags; a value on a lookup;
    # a lookup with an expiry
    assert kv0.doc(Opcode.SUBDOC_GET, doc_key, b"a", struct.pack(">HB", 9, 0)).status == \
        Status.EINVAL
    assert single(kv0, Opcode.SUBDOC_GET, doc_key, "type", flags=0x80).status == Status.EINVAL
    assert single(kv0, Opcode.SUBDOC_GET, doc_key, "type", b"1").status == Status.EINVAL
    assert single(kv0, Opcode.SUBDOC_GET, doc_key, "type", expiry=5).status == Status.EINVAL
    assert single(kv0, Opcode.SUBDOC_GET, doc_key, "type", doc_flags=0x80).status == \
        Status.EINVAL


def test_depth_limits(kv0, key):
    deep = b'{"a":' * 32 + b"1" + b"}" * 32
    kv0.set(key, deep, datatype=Datatype.JSON)
    assert single(kv0, Opcode.SUBDOC_GET, key, ".".join(["a"] * 32)).value == b"1"
    assert single(kv0, Opcode.SUBDOC_DICT_UPSERT, key, ".".join(["a"] * 31) + ".b",
                  b"{}").status == Status.SUBDOC_VALUE_ETOODEEP
    too_deep = b'{"a":' * 33 + b"1" + b"}" * 33
    kv0.set(key, too_deep, datatype=Datatype.JSON)
    assert single(kv0, Opcode.SUBDOC_GET, key, "a").status == Status.SUBDOC_DOC_E2DEEP


def test_a_mutation_over_the_value_limit_is_e2big(kv0, key):
    kv0.set(key, b'{"a":"' + b"x" * (20 * 1024 * 1024 - 100) + b'"}', datatype=Datatype.JSON)
    resp = single(kv0, Opcode.SUBDOC_DICT_UPSERT, key, "b", b'"' + b"y" * 200 + b'"')
    assert resp.status == Status.E2BIG
    assert single(kv0, Opcode.SUBDOC_EXISTS, key, "b").status == Status.SUBDOC_PATH_ENOENT
