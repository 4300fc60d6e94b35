"""MULTI_LOOKUP and MULTI_MUTATION on the document body (docs/SubDocument.md)."""

from __future__ import annotations

import json

import pytest
from mock_kvclient import key_with_active
from subdoc_wire import (
    MKDOC,
    failed_spec,
    lookup_in,
    lookup_results,
    mutate_in,
    mutation_results,
)

from couchbase._core.feature import Datatype
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status

MAIL = {
    "date": "22/16/2015",
    "from": "mnunberg",
    "to": "couchbase",
    "subject": "Subdoc Commands",
    "body": "This is the updated spec blah blah blah",
    "count": 1,
    "list": [1, 2],
}


@pytest.fixture
def key(mock_cluster, request):
    return key_with_active(mock_cluster, 0, request.node.name)


@pytest.fixture
def mail(kv0, key):
    assert kv0.set(key, json.dumps(MAIL).encode(), datatype=Datatype.JSON).status == 0
    return key


def test_the_documented_multi_lookup(kv0, mail):
    resp = lookup_in(kv0, mail, [
        (Opcode.SUBDOC_GET, 0, "from"),
        (Opcode.SUBDOC_GET, 0, "to"),
        (Opcode.SUBDOC_EXISTS, 0, "bcc"),
        (Opcode.SUBDOC_GET, 0, "subject"),
        (Opcode.SUBDOC_EXISTS, 0, "body"),
        (Opcode.SUBDOC_GET_COUNT, 0, "list"),
    ])
    assert resp.status == Status.SUBDOC_MULTI_PATH_FAILURE
    assert resp.cas == kv0.get(mail).cas
    assert lookup_results(resp.value) == [
        (Status.SUCCESS, b'"mnunberg"'),
        (Status.SUCCESS, b'"couchbase"'),
        (Status.SUBDOC_PATH_ENOENT, b""),
        (Status.SUCCESS, b'"Subdoc Commands"'),
        (Status.SUCCESS, b""),
        (Status.SUCCESS, b"2"),
    ]


def test_multi_lookup_all_found_and_whole_document(kv0, mail):
    resp = lookup_in(kv0, mail, [(Opcode.SUBDOC_GET, 0, "count"), (Opcode.GET, 0, "")])
    assert resp.status == Status.SUCCESS
    (s1, v1), (s2, v2) = lookup_results(resp.value)
    assert (s1, v1) == (Status.SUCCESS, b"1")
    assert s2 == Status.SUCCESS and json.loads(v2) == MAIL


def test_multi_lookup_limits_and_bad_requests(mock_cluster, kv0, mail):
    sixteen = [(Opcode.SUBDOC_EXISTS, 0, "from")] * 16
    assert lookup_in(kv0, mail, sixteen).status == Status.SUCCESS
    assert lookup_in(kv0, mail, sixteen + [(Opcode.SUBDOC_EXISTS, 0, "to")]).status == \
        Status.SUBDOC_INVALID_COMBO
    assert lookup_in(kv0, mail, []).status == Status.EINVAL
    assert lookup_in(kv0, mail, [(Opcode.SUBDOC_DICT_UPSERT, 0, "from")]).status == \
        Status.SUBDOC_INVALID_COMBO
    assert lookup_in(kv0, mail, [(Opcode.GET, 0, "from")]).status == Status.EINVAL
    # A truncated spec.
    assert kv0.doc(Opcode.SUBDOC_MULTI_LOOKUP, mail, b"\xc5\x00\x00\x09abc").status == \
        Status.EINVAL
    assert kv0.doc(Opcode.SUBDOC_MULTI_LOOKUP, mail, b"\xc5\x00").status == Status.EINVAL
    # Path errors are per spec.
    resp = lookup_in(kv0, mail, [(Opcode.SUBDOC_GET, 0, "a["), (Opcode.SUBDOC_GET, 0, "to")])
    assert lookup_results(resp.value)[0][0] == Status.SUBDOC_PATH_EINVAL
    missing = key_with_active(mock_cluster, 0, "missing")
    assert lookup_in(kv0, missing, [(Opcode.SUBDOC_GET, 0, "a")]).status == Status.KEY_ENOENT


def test_multi_mutation_applies_all_and_returns_counter_values(kv0, mail):
    before = kv0.get(mail).cas
    resp = mutate_in(kv0, mail, [
        (Opcode.SUBDOC_ARRAY_ADD_UNIQUE, 0x01, "login_locations", b'"192.168.3.4"'),
        (Opcode.SUBDOC_COUNTER, 0x01, "login_count", b"1"),
        (Opcode.SUBDOC_DICT_UPSERT, 0x01, "state", b'"logged_in"'),
        (Opcode.SUBDOC_COUNTER, 0, "count", b"41"),
    ])
    assert resp.status == Status.SUCCESS, hex(resp.status)
    assert resp.cas > before and len(resp.extras) == 16
    assert mutation_results(resp.value) == [(1, 0, b"1"), (3, 0, b"42")]
    got = json.loads(kv0.get(mail).value)
    assert got["login_locations"] == ["192.168.3.4"]
    assert got["state"] == "logged_in" and got["count"] == 42


def test_multi_mutation_is_all_or_nothing(kv0, mail):
    before = kv0.get(mail)
    resp = mutate_in(kv0, mail, [
        (Opcode.SUBDOC_DICT_UPSERT, 0, "state", b'"x"'),
        (Opcode.SUBDOC_COUNTER, 0, "subject", b"1"),  # not a number
        (Opcode.SUBDOC_DICT_UPSERT, 0, "other", b'"y"'),
    ])
    assert resp.status == Status.SUBDOC_MULTI_PATH_FAILURE
    assert failed_spec(resp.value) == (1, Status.SUBDOC_PATH_MISMATCH)
    after = kv0.get(mail)
    assert after.value == before.value and after.cas == before.cas


def test_multi_mutation_whole_document_set_and_delete(kv0, mail):
    resp = mutate_in(kv0, mail, [(Opcode.SET, 0, "", b'{"new":true}')])
    assert resp.status == Status.SUCCESS
    assert json.loads(kv0.get(mail).value) == {"new": True}
    assert mutate_in(kv0, mail, [(Opcode.DELETE, 0, "", b"")]).status == Status.SUCCESS
    assert kv0.get(mail).status == Status.KEY_ENOENT
    assert mutate_in(kv0, mail, [(Opcode.SET, 0, "x", b"1")]).status == Status.EINVAL


def test_multi_mutation_limits_and_bad_requests(kv0, mail):
    spec = (Opcode.SUBDOC_DICT_UPSERT, 0, "a", b"1")
    assert mutate_in(kv0, mail, [spec] * 16).status == Status.SUCCESS
    assert mutate_in(kv0, mail, [spec] * 17).status == Status.SUBDOC_INVALID_COMBO
    assert mutate_in(kv0, mail, [(Opcode.SUBDOC_GET, 0, "a", b"")]).status == \
        Status.SUBDOC_INVALID_COMBO
    assert mutate_in(kv0, mail, []).status == Status.EINVAL
    assert kv0.doc(Opcode.SUBDOC_MULTI_MUTATION, mail, b"\xc8\x00\x00\x01\x00\x00\x00\x09a1"
                   ).status == Status.EINVAL
    assert kv0.doc(Opcode.SUBDOC_MULTI_MUTATION, mail, b"", b"\x00\x00").status == Status.EINVAL


def test_multi_mutation_creates_the_document_with_mkdoc(kv0, key):
    resp = mutate_in(kv0, key, [
        (Opcode.SUBDOC_DICT_UPSERT, 0, "a.b", b"1"),
        (Opcode.SUBDOC_ARRAY_PUSH_LAST, 0, "list", b"1"),
    ], doc_flags=MKDOC, expiry=100)
    assert resp.status == Status.SUCCESS
    assert json.loads(kv0.get(key).value) == {"a": {"b": 1}, "list": [1]}
    assert kv0.get(key).datatype == Datatype.JSON


def test_multi_mutation_cas_mismatch(kv0, mail):
    cas = kv0.get(mail).cas
    resp = mutate_in(kv0, mail, [(Opcode.SUBDOC_DICT_UPSERT, 0, "a", b"1")], cas=cas + 1)
    assert resp.status == Status.KEY_EEXISTS


def test_whole_document_set_creates_with_mkdoc_and_empty_bodies_are_not_json(kv0, key):
    resp = mutate_in(kv0, key, [(Opcode.SUBDOC_DICT_UPSERT, 0x04, "x", b"1"),
                                (Opcode.SET, 0, "", b'{"whole":1}')], doc_flags=MKDOC)
    assert resp.status == Status.SUCCESS
    assert json.loads(kv0.get(key).value) == {"whole": 1}
    kv0.set(key, b"")
    resp = mutate_in(kv0, key, [(Opcode.SUBDOC_DICT_UPSERT, 0, "a", b"1")])
    assert resp.status == Status.SUBDOC_MULTI_PATH_FAILURE
    assert failed_spec(resp.value) == (0, Status.SUBDOC_DOC_NOTJSON)
