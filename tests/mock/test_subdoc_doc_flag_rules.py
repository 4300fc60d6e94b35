"""Which sub-document doc-flag combinations the local cluster accepts, as kv_engine's
request validators do (daemon/subdocument_validators.cc): a multi-path mutation may
carry CREATE_AS_DELETED without MKDOC or ADD (a transaction re-staging its own insert
sends ACCESS_DELETED | CREATE_AS_DELETED with the tombstone's CAS); a single-path one
may not, nor on a body path; ADD with a CAS, MKDOC with ADD, REVIVE without
ACCESS_DELETED or with CREATE_AS_DELETED, replica read of deleted documents stay
EINVAL."""

from __future__ import annotations

import json

import pytest
from mock_kvclient import DEFAULT_FEATURES, connect, key_with_active
from subdoc_wire import (
    ACCESS_DELETED,
    ADD,
    CREATE_AS_DELETED,
    MKDOC,
    REVIVE,
    XATTR,
    lookup_in,
    lookup_results,
    mutate_in,
    single,
)

from couchbase._core.feature import Datatype, Feature
from couchbase._core.opcode import Opcode
from couchbase._core.status import Status

UPSERT = Opcode.SUBDOC_DICT_UPSERT
GET = Opcode.SUBDOC_GET
REPLICA_READ = 0x20
STAGE = ADD | ACCESS_DELETED | CREATE_AS_DELETED  # a transaction's staged insert
RESTAGE = ACCESS_DELETED | CREATE_AS_DELETED  # ... the same insert staged again, with CAS
DELETED_OK = (Status.SUCCESS, Status.SUBDOC_SUCCESS_DELETED)


@pytest.fixture
def key(mock_cluster, request):
    return key_with_active(mock_cluster, 0, request.node.name)


def _staged(kv, key) -> int:
    resp = mutate_in(kv, key, [(UPSERT, XATTR, "txn", b'{"v":1}')], doc_flags=STAGE)
    assert resp.status in DELETED_OK, hex(resp.status)
    return resp.cas


def _txn_xattr(kv, key):
    resp = lookup_in(kv, key, [(GET, XATTR, "txn")], doc_flags=ACCESS_DELETED)
    return resp.status, json.loads(lookup_results(resp.value)[0][1])


def test_restaging_an_insert_with_the_tombstones_cas(kv0, key):
    cas = _staged(kv0, key)
    resp = mutate_in(kv0, key, [(UPSERT, XATTR, "txn", b'{"v":2}')],
                     doc_flags=RESTAGE, cas=cas)
    assert resp.status in DELETED_OK, hex(resp.status)
    assert resp.cas not in (0, cas)
    assert kv0.get(key).status == Status.KEY_ENOENT  # still a tombstone
    assert _txn_xattr(kv0, key) == (Status.SUBDOC_SUCCESS_DELETED, {"v": 2})


def test_restaging_with_a_stale_cas_is_a_cas_mismatch(kv0, key):
    cas = _staged(kv0, key)
    assert mutate_in(kv0, key, [(UPSERT, XATTR, "txn", b'{"v":2}')], doc_flags=RESTAGE,
                     cas=cas).status in DELETED_OK
    resp = mutate_in(kv0, key, [(UPSERT, XATTR, "txn", b'{"v":3}')], doc_flags=RESTAGE,
                     cas=cas)
    assert resp.status == Status.KEY_EEXISTS
    assert _txn_xattr(kv0, key)[1] == {"v": 2}


def test_create_as_deleted_alone_needs_an_existing_document(kv0, key):
    """Valid in a multi-path mutation: without MKDOC/ADD it creates nothing."""
    resp = mutate_in(kv0, key, [(UPSERT, XATTR, "txn", b"1")], doc_flags=CREATE_AS_DELETED)
    assert resp.status == Status.KEY_ENOENT
    resp = mutate_in(kv0, key, [(UPSERT, XATTR, "txn", b"1")], doc_flags=RESTAGE)
    assert resp.status == Status.KEY_ENOENT


@pytest.mark.parametrize("doc_flags,cas", [
    (ADD | CREATE_AS_DELETED, 1234),  # ADD with a CAS
    (MKDOC | ADD | CREATE_AS_DELETED, 0),
    (REVIVE, 0),  # REVIVE without ACCESS_DELETED
    (REVIVE | ACCESS_DELETED | CREATE_AS_DELETED | ADD, 0),
    (0x40, 0),  # an unknown doc flag
])
def test_still_invalid_multi_mutations(kv0, key, doc_flags, cas):
    resp = mutate_in(kv0, key, [(UPSERT, XATTR, "txn", b"1")], doc_flags=doc_flags, cas=cas)
    assert resp.status == Status.EINVAL


@pytest.mark.parametrize("doc_flags", [CREATE_AS_DELETED, RESTAGE, MKDOC | ADD])
def test_lookups_take_no_mutation_flags(kv0, key, doc_flags):
    _staged(kv0, key)
    assert lookup_in(kv0, key, [(GET, XATTR, "txn")], doc_flags=doc_flags).status == \
        Status.EINVAL


def test_replica_read_of_deleted_documents_is_invalid(mock_cluster, key):
    features = (*DEFAULT_FEATURES, Feature.SUBDOC_REPLICA_READ)
    with connect(mock_cluster, node=0, features=features) as kv:
        assert kv.set(key, b'{"a":1}', datatype=Datatype.JSON).status == Status.SUCCESS
        assert lookup_in(kv, key, [(GET, 0, "a")], doc_flags=REPLICA_READ).status == \
            Status.SUCCESS
        resp = lookup_in(kv, key, [(GET, 0, "a")], doc_flags=REPLICA_READ | ACCESS_DELETED)
        assert resp.status == Status.EINVAL


def test_single_path_create_as_deleted_needs_mkdoc_or_add_and_an_xattr(kv0, key):
    for doc_flags in (CREATE_AS_DELETED, RESTAGE):
        resp = single(kv0, UPSERT, key, "txn", b"1", flags=XATTR, doc_flags=doc_flags)
        assert resp.status == Status.EINVAL
    resp = single(kv0, UPSERT, key, "a", b"1", doc_flags=STAGE)  # a body path
    assert resp.status == Status.EINVAL
    resp = single(kv0, UPSERT, key, "txn", b"1", flags=XATTR, doc_flags=STAGE)
    assert resp.status in DELETED_OK, hex(resp.status)
    assert kv0.get(key).status == Status.KEY_ENOENT
