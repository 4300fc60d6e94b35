"""Extended attributes through sub-document commands: user and system XATTRs,
virtual attributes, macros, tombstones and the deleted-document flags
(kv_engine docs/ExtendedAttributes.md, docs/SubDocument.md)."""

from __future__ import annotations

import json
import struct

import pytest
from mock_kvclient import DEFAULT_FEATURES, connect, key_with_active
from subdoc_wire import (
    ACCESS_DELETED,
    ADD,
    CREATE_AS_DELETED,
    MACROS,
    MKDIR_P,
    MKDOC,
    REVIVE,
    XATTR,
    failed_spec,
    lookup_in,
    lookup_results,
    mutate_in,
    single,
)

from couchbase._core.feature import Datatype, Feature
from couchbase._core.frameinfo import RequestFrame, durability_frame, encode_frame
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status
from couchbase_mock.subdoc.crc32c import crc32c

UPSERT = Opcode.SUBDOC_DICT_UPSERT
GET = Opcode.SUBDOC_GET


@pytest.fixture
def key(mock_cluster, request):
    return key_with_active(mock_cluster, 0, request.node.name)


@pytest.fixture
def doc(kv0, key):
    assert kv0.set(key, b'{"name":"x"}', datatype=Datatype.JSON).status == 0
    return key


def xget(kv, key, *paths, doc_flags=None):
    resp = lookup_in(kv, key, [(GET, XATTR, p) for p in paths], doc_flags=doc_flags)
    return resp, lookup_results(resp.value)


def test_xattrs_beside_the_body_are_not_part_of_it(kv0, doc):
    resp = mutate_in(kv0, doc, [
        (UPSERT, XATTR | MKDIR_P, "meta.author", b'"Trond"'),
        (UPSERT, XATTR, "meta.type", b'"application/json"'),
        (UPSERT, 0, "name", b'"y"'),
    ])
    assert resp.status == Status.SUCCESS, hex(resp.status)
    got = kv0.get(doc)
    assert json.loads(got.value) == {"name": "y"} and got.datatype == Datatype.JSON
    resp = lookup_in(kv0, doc, [(GET, XATTR, "meta"), (GET, XATTR, "meta.author"),
                                (Opcode.GET, 0, "")])
    assert resp.status == Status.SUCCESS
    (_, meta), (_, author), (_, whole) = lookup_results(resp.value)
    assert json.loads(meta) == {"author": "Trond", "type": "application/json"}
    assert author == b'"Trond"' and json.loads(whole) == {"name": "y"}
    # A full-document write replaces the body and keeps the XATTRs.
    kv0.set(doc, b'{"name":"z"}', datatype=Datatype.JSON)
    assert json.loads(xget(kv0, doc, "meta.author")[1][0][1]) == "Trond"


def test_xattrs_on_a_binary_document(kv0, key):
    kv0.set(key, b"\x00\x01binary")
    assert single(kv0, UPSERT, key, "a", b"1", flags=XATTR).status == Status.SUCCESS
    assert single(kv0, GET, key, "a", flags=XATTR).value == b"1"
    assert kv0.get(key).value == b"\x00\x01binary"
    assert single(kv0, GET, key, "x").status == Status.SUBDOC_DOC_NOTJSON


def test_xattr_specs_come_first_and_one_key_per_request(mock_cluster, kv0, doc):
    resp = lookup_in(kv0, doc, [(GET, 0, "name"), (GET, XATTR, "a")])
    assert resp.status == Status.SUBDOC_INVALID_XATTR_ORDER
    resp = mutate_in(kv0, doc, [(UPSERT, 0, "name", b"1"), (UPSERT, XATTR, "a", b"1")])
    assert resp.status == Status.SUBDOC_INVALID_XATTR_ORDER
    resp = mutate_in(kv0, doc, [(UPSERT, XATTR, "a", b"1"), (UPSERT, XATTR, "b", b"1")])
    assert resp.status == Status.SUBDOC_XATTR_INVALID_KEY_COMBO
    # Virtual attributes may be read beside the one key.
    resp = lookup_in(kv0, doc, [(GET, XATTR, "a"), (GET, XATTR, "$document.CAS")])
    assert resp.status != Status.SUBDOC_XATTR_INVALID_KEY_COMBO
    features = (*DEFAULT_FEATURES, Feature.SUBDOC_ALLOWS_ACCESS_ON_MULTIPLE_XATTR_KEYS)
    with connect(mock_cluster, node=0, features=features) as kv:
        resp = mutate_in(kv, doc, [(UPSERT, XATTR, "a", b"1"), (UPSERT, XATTR, "b", b"2")])
        assert resp.status == Status.SUCCESS


@pytest.mark.parametrize("path", ["", "x" * 17, ".a", "!a", "[0]", "\x01a", "`a`"])
def test_invalid_xattr_keys(kv0, doc, path):
    assert single(kv0, UPSERT, doc, path, b"1", flags=XATTR).status in (
        Status.XATTR_EINVAL, Status.EINVAL)


def test_document_virtual_attribute(kv0, doc):
    stored = kv0.get(doc)
    resp, [(status, raw)] = xget(kv0, doc, "$document")
    assert resp.status == Status.SUCCESS and status == Status.SUCCESS
    meta = json.loads(raw)
    assert meta["CAS"] == f"0x{stored.cas:016x}"
    assert int(meta["seqno"], 16) >= 1 and meta["vbucket_uuid"].startswith("0x")
    assert meta["exptime"] == 0 and meta["deleted"] is False and meta["flags"] == 0
    assert meta["value_bytes"] == len(stored.value)
    assert meta["datatype"] == ["json"]
    assert meta["value_crc32c"] == f"0x{crc32c(stored.value):08x}"
    assert int(meta["last_modified"]) == stored.cas // 10**9
    assert meta["revid"].isdigit()
    _, [(_, cas)] = xget(kv0, doc, "$document.CAS")
    assert json.loads(cas) == meta["CAS"]
    assert single(kv0, GET, doc, "$document.nope", flags=XATTR).status == \
        Status.SUBDOC_PATH_ENOENT


def test_xtoc_vbucket_and_unknown_virtual_attributes(kv0, doc):
    mutate_in(kv0, doc, [(UPSERT, XATTR, "_sys", b"1")])
    mutate_in(kv0, doc, [(UPSERT, XATTR, "user", b"2")])
    assert json.loads(single(kv0, GET, doc, "$XTOC", flags=XATTR).value) == ["_sys", "user"]
    hlc = json.loads(single(kv0, GET, doc, "$vbucket", flags=XATTR).value)
    assert int(hlc["HLC"]["now"]) > 0
    assert single(kv0, GET, doc, "$nope", flags=XATTR).status == \
        Status.SUBDOC_XATTR_UNKNOWN_VATTR
    assert single(kv0, UPSERT, doc, "$document.x", b"1", flags=XATTR).status == \
        Status.SUBDOC_XATTR_CANT_MODIFY_VATTR


def test_macros_expand_to_the_new_revision(kv0, doc):
    resp = mutate_in(kv0, doc, [
        (UPSERT, XATTR | MKDIR_P | MACROS, "txn.cas", b'"${Mutation.CAS}"'),
        (UPSERT, XATTR | MACROS, "txn.seqno", b'"${Mutation.seqno}"'),
        (UPSERT, XATTR | MACROS, "txn.crc", b'"${Mutation.value_crc32c}"'),
        (UPSERT, 0, "name", b'"new"'),
    ])
    assert resp.status == Status.SUCCESS, hex(resp.status)
    _uuid, seqno = struct.unpack(">QQ", resp.extras)
    txn = json.loads(xget(kv0, doc, "txn")[1][0][1])
    # The CAS as the server writes it: its bytes in little-endian order, in hex.
    (swapped,) = struct.unpack("<Q", struct.pack(">Q", resp.cas))
    assert txn["cas"] == f"0x{swapped:016x}"
    assert int(txn["seqno"], 16) == seqno
    assert txn["crc"] == f"0x{crc32c(kv0.get(doc).value):08x}"


def test_document_macros_expand_to_the_revision_replaced(kv0, doc):
    before = kv0.get(doc).cas
    resp = single(kv0, UPSERT, doc, "prev", b'"${$document.CAS}"', flags=XATTR | MACROS)
    assert resp.status == Status.SUCCESS
    assert json.loads(single(kv0, GET, doc, "prev", flags=XATTR).value) == f"0x{before:016x}"


def test_macro_errors(kv0, doc):
    assert single(kv0, UPSERT, doc, "a", b'"${Mutation.CAS}"', flags=MACROS).status == \
        Status.SUBDOC_XATTR_INVALID_FLAG_COMBO
    assert single(kv0, UPSERT, doc, "a", b'"${Mutation.nope}"', flags=XATTR | MACROS).status \
        == Status.SUBDOC_XATTR_UNKNOWN_MACRO
    deep = b"[" * 500 + b'"${Mutation.CAS}"' + b"]" * 500
    assert single(kv0, UPSERT, doc, "a", deep, flags=XATTR | MACROS).status == \
        Status.SUBDOC_VALUE_ETOODEEP
    # Without the flag the text is stored as it is.
    single(kv0, UPSERT, doc, "a", b'"${Mutation.CAS}"', flags=XATTR)
    assert single(kv0, GET, doc, "a", flags=XATTR).value == b'"${Mutation.CAS}"'


def test_deleting_keeps_system_xattrs_in_the_tombstone(kv0, doc):
    mutate_in(kv0, doc, [(UPSERT, XATTR, "_sync", b'{"rev":"1-a"}')])
    mutate_in(kv0, doc, [(UPSERT, XATTR, "user", b'"mine"')])
    assert kv0.doc(Opcode.DELETE, doc).status == Status.SUCCESS
    assert kv0.get(doc).status == Status.KEY_ENOENT
    assert xget(kv0, doc, "_sync")[0].status == Status.KEY_ENOENT
    resp, results = xget(kv0, doc, "_sync", doc_flags=ACCESS_DELETED)
    assert resp.status == Status.SUBDOC_SUCCESS_DELETED
    assert json.loads(results[0][1]) == {"rev": "1-a"}
    resp, results = xget(kv0, doc, "user", doc_flags=ACCESS_DELETED)
    assert resp.status == Status.SUBDOC_MULTI_PATH_FAILURE_DELETED
    assert results[0][0] == Status.SUBDOC_PATH_ENOENT
    single_resp = single(kv0, GET, doc, "_sync.rev", flags=XATTR, doc_flags=ACCESS_DELETED)
    assert single_resp.status == Status.SUBDOC_SUCCESS_DELETED and single_resp.value == b'"1-a"'
    assert json.loads(single(kv0, GET, doc, "$document.deleted", flags=XATTR,
                             doc_flags=ACCESS_DELETED).value) is True
    # The tombstone's system XATTRs can still be written.
    resp = single(kv0, UPSERT, doc, "_sync.rev", b'"2-b"', flags=XATTR,
                  doc_flags=ACCESS_DELETED)
    assert resp.status == Status.SUBDOC_SUCCESS_DELETED
    assert kv0.get(doc).status == Status.KEY_ENOENT


def test_whole_document_delete_in_a_multi_mutation(kv0, doc):
    resp = mutate_in(kv0, doc, [(UPSERT, XATTR, "_keep", b"1"), (Opcode.DELETE, 0, "", b"")])
    assert resp.status == Status.SUCCESS
    assert kv0.get(doc).status == Status.KEY_ENOENT
    assert xget(kv0, doc, "_keep", doc_flags=ACCESS_DELETED)[1] == [(Status.SUCCESS, b"1")]


def test_create_as_deleted_and_revive(kv0, key):
    flags = ADD | ACCESS_DELETED | CREATE_AS_DELETED
    resp = mutate_in(kv0, key, [(UPSERT, XATTR, "txn", b'{"staged":1}')], doc_flags=flags)
    assert resp.status in (Status.SUCCESS, Status.SUBDOC_SUCCESS_DELETED), hex(resp.status)
    assert kv0.get(key).status == Status.KEY_ENOENT
    resp, results = xget(kv0, key, "txn", doc_flags=ACCESS_DELETED)
    assert resp.status == Status.SUBDOC_SUCCESS_DELETED and json.loads(results[0][1]) == \
        {"staged": 1}
    # Revive: the tombstone becomes a live document again.
    assert mutate_in(kv0, key, [(UPSERT, 0, "a", b"1")],
                     doc_flags=ACCESS_DELETED | REVIVE).status == Status.SUCCESS
    assert json.loads(kv0.get(key).value) == {"a": 1}
    assert mutate_in(kv0, key, [(UPSERT, 0, "a", b"1")],
                     doc_flags=ACCESS_DELETED | REVIVE).status == 0xD6
    # Body on a document that stays deleted; bad flag combinations.
    kv0.doc(Opcode.DELETE, key)
    resp = mutate_in(kv0, key, [(UPSERT, 0, "a", b"1")], doc_flags=ACCESS_DELETED)
    assert resp.status in (0xD7, Status.SUBDOC_MULTI_PATH_FAILURE)
    for bad in (REVIVE, REVIVE | ACCESS_DELETED | CREATE_AS_DELETED | ADD):
        assert mutate_in(kv0, key, [(UPSERT, XATTR, "a", b"1")], doc_flags=bad).status == \
            Status.EINVAL


def test_mkdoc_with_only_xattrs_creates_an_empty_object(kv0, key):
    resp = mutate_in(kv0, key, [(UPSERT, XATTR, "a", b"1")], doc_flags=MKDOC)
    assert resp.status == Status.SUCCESS
    got = kv0.get(key)
    assert got.value == b"{}" and got.datatype == Datatype.JSON


def test_a_failing_xattr_spec_leaves_the_document_unchanged(kv0, doc):
    mutate_in(kv0, doc, [(UPSERT, XATTR, "a", b'{"n":1}')])
    before = kv0.get(doc).cas
    resp = mutate_in(kv0, doc, [(UPSERT, XATTR, "a.n", b"2"),
                                (Opcode.SUBDOC_DICT_ADD, XATTR, "a.n", b"3")])
    assert resp.status == Status.SUBDOC_MULTI_PATH_FAILURE
    assert failed_spec(resp.value) == (1, Status.SUBDOC_PATH_EEXISTS)
    assert kv0.get(doc).cas == before
    assert single(kv0, GET, doc, "a.n", flags=XATTR).value == b"1"


def test_replicas_hold_the_xattrs(mock_cluster, kv0, doc):
    mutate_in(kv0, doc, [(UPSERT, XATTR, "_r", b"7")])
    bucket = mock_cluster.cluster.buckets["default"]
    vb = bucket.vbucket_of(doc)
    for node in bucket.replica_nodes(vb):
        copy = bucket.stores[node].vbuckets[vb].docs[(0, doc)]
        assert copy.xattrs == {"_r": b"7"} and copy.value == b'{"name":"x"}'


def test_replace_body_with_xattr(kv0, doc):
    staged = b'{"name":"committed","n":[1]}'
    mutate_in(kv0, doc, [(UPSERT, XATTR | MKDIR_P, "txn.staged", staged)])
    resp = mutate_in(kv0, doc, [
        (Opcode.SUBDOC_REPLACE_BODY_WITH_XATTR, XATTR, "txn.staged", b""),
        (Opcode.SUBDOC_DELETE, XATTR, "txn", b""),
    ])
    assert resp.status == Status.SUCCESS, hex(resp.status)
    got = kv0.get(doc)
    assert json.loads(got.value) == json.loads(staged) and got.datatype == Datatype.JSON
    assert single(kv0, GET, doc, "txn", flags=XATTR).status == Status.SUBDOC_PATH_ENOENT
    resp = mutate_in(kv0, doc, [(Opcode.SUBDOC_REPLACE_BODY_WITH_XATTR, XATTR, "nope", b"")])
    assert failed_spec(resp.value) == (0, Status.SUBDOC_PATH_ENOENT)
    resp = mutate_in(kv0, doc, [(Opcode.SUBDOC_REPLACE_BODY_WITH_XATTR, 0, "name", b"")])
    assert resp.status == Status.EINVAL


def test_durability_and_preserve_ttl_frames(kv0, doc):
    assert single(kv0, UPSERT, doc, "a", b"1", expiry=3600).status == Status.SUCCESS
    expiry = struct.unpack(">IIIQ", kv0.doc(Opcode.GET_META, doc).extras)[2]
    resp = single(kv0, UPSERT, doc, "b", b"2", framing=encode_frame(RequestFrame.PRESERVE_TTL))
    assert resp.status == Status.SUCCESS
    assert struct.unpack(">IIIQ", kv0.doc(Opcode.GET_META, doc).extras)[2] == expiry
    assert single(kv0, UPSERT, doc, "c", b"3").status == Status.SUCCESS
    assert struct.unpack(">IIIQ", kv0.doc(Opcode.GET_META, doc).extras)[2] == 0
    resp = mutate_in(kv0, doc, [(UPSERT, 0, "d", b"4")], framing=durability_frame(1))
    assert resp.status == Status.SUCCESS
    assert mutate_in(kv0, doc, [(UPSERT, 0, "d", b"4")],
                     framing=durability_frame(9)).status == Status.DURABILITY_INVALID_LEVEL
