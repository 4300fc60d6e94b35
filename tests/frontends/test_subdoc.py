"""Sub-document operations as the 2.x documentation describes them, on every front end:
``lookup_in``, ``mutate_in``, ``retrieve_in``, ``SubdocResult`` and the subdoc errors."""

from __future__ import annotations

import pytest

import couchbase.subdocument as SD
from couchbase import FMT_UTF8
from couchbase._core.opcode import Opcode
from couchbase.exceptions import (
    ArgumentError,
    CouchbaseDataError,
    CouchbaseError,
    CouchbaseInputError,
    DocumentNotJsonError,
    DocumentTooDeepError,
    KeyExistsError,
    NotFoundError,
    SubdocBadDeltaError,
    SubdocCantInsertValueError,
    SubdocEmptyPathError,
    SubdocMultipleErrors,
    SubdocNumberTooBigError,
    SubdocPathExistsError,
    SubdocPathInvalidError,
    SubdocPathMismatchError,
    SubdocPathNotFoundError,
    SubdocPathTooBigError,
    SubdocValueTooDeepError,
    TooBigError,
    ValueFormatError,
)
from couchbase.result import OperationResult, SubdocResult

# the 2.x guide's example document
CUSTOMER = {
    "name": "Douglas Reynholm",
    "email": "douglas@reynholmindustries.com",
    "addresses": {
        "billing": {"line1": "123 Any Street", "line2": "Anytown", "country": "United Kingdom"},
        "delivery": {"line1": "123 Any Street", "line2": "Anytown", "country": "United Kingdom"},
    },
    "purchases": {"complete": [339, 976, 442, 666], "abandoned": [157, 42, 999]},
}


@pytest.fixture
def customer(cb, key):
    cb.upsert(key, CUSTOMER)
    return key


# -- lookups ---------------------------------------------------------------------
def test_lookup_in_reads_by_index_path_and_iteration(cb, customer):
    rv = cb.lookup_in(customer, SD.get("name"), SD.get("addresses.billing.country"),
                      SD.exists("purchases.complete[0]"), SD.get_count("purchases.abandoned"))
    assert isinstance(rv, SubdocResult) and isinstance(rv, OperationResult)
    assert rv.success and rv.rc == 0 and rv.access_ok and rv.key == customer
    assert rv.cas == cb.get(customer).cas
    assert rv[0] == "Douglas Reynholm"
    assert rv["addresses.billing.country"] == "United Kingdom"
    assert rv.exists(2) and "purchases.complete[0]" in rv
    assert rv[3] == 3 and rv[-1] == 3
    assert list(rv) == ["Douglas Reynholm", "United Kingdom", None, 3]
    assert rv.get(0) == (0, "Douglas Reynholm")
    assert rv.command_count == 4 and rv.result_count == 4
    with pytest.raises(IndexError):
        rv[4]
    with pytest.raises(KeyError):
        rv["never.asked"]


def test_a_missing_path_fails_only_its_own_entry(cb, customer):
    rv = cb.lookup_in(customer, SD.get("email"), SD.get("fax"), SD.exists("purchases.pending"))
    assert not rv.success and rv.rc == SubdocMultipleErrors.CODE and rv.access_ok
    assert rv[0] == CUSTOMER["email"]
    with pytest.raises(SubdocPathNotFoundError) as info:
        rv["fax"]
    assert info.value.rc == 0x3F and info.value.key == customer
    assert rv.get(1) == (0x3F, None) and rv.get("fax", "none") == (0x3F, "none")
    assert not rv.exists(2) and "purchases.pending" not in rv
    with pytest.raises(SubdocPathNotFoundError):
        list(rv)


def test_one_spec_lookups_and_retrieve_in(cb, customer):
    assert not cb.lookup_in(customer, SD.exists("fax")).exists(0)
    assert cb.lookup_in(customer, SD.get("purchases.complete[-1]"))[0] == 666
    email, name = cb.retrieve_in(customer, "email", "name")
    assert (email, name) == (CUSTOMER["email"], CUSTOMER["name"])
    rv = cb.retrieve_in(customer, "addresses.delivery", "nope")
    assert rv[0] == CUSTOMER["addresses"]["delivery"] and rv.get(1)[0] == 0x3F


def test_specs_may_also_come_as_one_list(cb, customer):
    rv = cb.lookup_in(customer, [SD.get("name"), SD.get("email")])
    assert list(rv) == [CUSTOMER["name"], CUSTOMER["email"]]


def test_a_missing_document_raises_not_found(cb, key):
    with pytest.raises(NotFoundError) as info:
        cb.lookup_in(key, SD.get("a"), SD.get("b"))
    assert info.value.rc == 0xD and not info.value.result.access_ok
    with pytest.raises(NotFoundError):
        cb.lookup_in(key, SD.get("a"))
    with pytest.raises(NotFoundError):
        cb.mutate_in(key, SD.upsert("a", 1))


# -- mutations -------------------------------------------------------------------
def test_mutate_in_applies_every_spec_and_returns_counter_values(cb, customer):
    before = cb.get(customer).cas
    rv = cb.mutate_in(customer, SD.upsert("fax", "311-555-0151"),
                      SD.counter("logins", 5), SD.array_append("purchases.complete", 777, 778),
                      SD.array_prepend("purchases.abandoned", 18), SD.remove("addresses.delivery"),
                      SD.insert("preferences.email", True, create_parents=True),
                      SD.replace("name", "Mr Reynholm"), SD.array_addunique("tags", "vip",
                                                                              create_parents=True),
                      SD.array_insert("purchases.complete[1]", 1, 2), SD.counter("logins", -2))
    assert rv.success and rv.cas and rv.cas != before
    assert rv[1] == 5 and rv[9] == 3 and rv[0] is None
    doc = cb.get(customer)
    assert doc.cas == rv.cas
    assert doc.value["fax"] == "311-555-0151" and doc.value["logins"] == 3
    assert doc.value["purchases"] == {"complete": [339, 1, 2, 976, 442, 666, 777, 778],
                                      "abandoned": [18, 157, 42, 999]}
    assert "delivery" not in doc.value["addresses"]
    assert doc.value["preferences"] == {"email": True} and doc.value["tags"] == ["vip"]
    assert doc.value["name"] == "Mr Reynholm"


def test_a_failed_spec_leaves_the_whole_document_unchanged(cb, customer):
    cas = cb.get(customer).cas
    with pytest.raises(SubdocPathExistsError) as info:
        cb.mutate_in(customer, SD.upsert("fax", "1"), SD.insert("email", "x"),
                     SD.counter("logins", 1))
    exc = info.value
    assert exc.rc == 0x48 and exc.key == customer and "email" in str(exc)
    assert exc.result.get(1) == (0x48, None) and not exc.result.success
    doc = cb.get(customer)
    assert doc.cas == cas and doc.value == CUSTOMER


def test_cas_mismatch_and_match(cb, customer):
    cas = cb.get(customer).cas
    cb.upsert(customer, CUSTOMER)
    with pytest.raises(KeyExistsError):
        cb.mutate_in(customer, SD.upsert("fax", 1), cas=cas)
    rv = cb.mutate_in(customer, SD.upsert("fax", 2), cas=cb.get(customer).cas)
    assert cb.get(customer).value["fax"] == 2 and cb.get(customer).cas == rv.cas


def test_creating_the_document(cb, key):
    rv = cb.mutate_in(key, SD.upsert("a.b", 1), SD.array_append("l", "x"), upsert_doc=True)
    assert rv.success and cb.get(key).value == {"a": {"b": 1}, "l": ["x"]}
    cb.mutate_in(key, SD.upsert("c", 2), create_doc=True)  # the older name, on an existing doc
    assert cb.get(key).value["c"] == 2
    with pytest.raises(KeyExistsError):
        cb.mutate_in(key, SD.upsert("d", 3), insert_doc=True)
    other = key + "-new"
    cb.mutate_in(other, SD.insert("x", 1), insert_doc=True)
    assert cb.get(other).value == {"x": 1}
    with pytest.raises(ArgumentError):
        cb.mutate_in(key, SD.upsert("a", 1), insert_doc=True, upsert_doc=True)


def test_durability_and_ttl_are_accepted(cb, customer):
    rv = cb.mutate_in(customer, SD.upsert("fax", 1), persist_to=1, replicate_to=1, ttl=300)
    assert rv.success and cb.get(customer).value["fax"] == 1


def test_sixteen_specs_work(cb, key):
    cb.upsert(key, {})
    cb.mutate_in(key, *(SD.upsert(f"f{i}", i) for i in range(16)))
    rv = cb.lookup_in(key, *(SD.get(f"f{i}") for i in range(16)))
    assert list(rv) == list(range(16))


# -- every error class -------------------------------------------------------------
DEEP = {}
_level = DEEP
for _ in range(40):
    _level["d"] = {}
    _level = _level["d"]


@pytest.mark.parametrize("doc, call, cls, base", [
    (CUSTOMER, lambda cb, k: cb.mutate_in(k, SD.insert("email", 1)),
     SubdocPathExistsError, CouchbaseDataError),
    (CUSTOMER, lambda cb, k: cb.mutate_in(k, SD.replace("fax", 1)),
     SubdocPathNotFoundError, CouchbaseDataError),
    (CUSTOMER, lambda cb, k: cb.mutate_in(k, SD.upsert("name.first", 1)),
     SubdocPathMismatchError, CouchbaseDataError),
    (CUSTOMER, lambda cb, k: cb.lookup_in(k, SD.get("purchases[")).get(0),
     SubdocPathInvalidError, CouchbaseInputError),
    (CUSTOMER, lambda cb, k: cb.mutate_in(k, SD.upsert(".".join("p" * 33), 1,
                                                       create_parents=True)),
     SubdocPathTooBigError, CouchbaseInputError),
    (CUSTOMER, lambda cb, k: cb.mutate_in(k, SD.array_addunique("purchases.complete", 339)),
     SubdocPathExistsError, CouchbaseDataError),
    (CUSTOMER, lambda cb, k: cb.mutate_in(k, SD.array_addunique("purchases.complete", [1])),
     SubdocCantInsertValueError, CouchbaseInputError),
    (CUSTOMER, lambda cb, k: cb.mutate_in(k, SD.array_insert("purchases.complete[9]", 1)),
     SubdocPathNotFoundError, CouchbaseDataError),
    (CUSTOMER, lambda cb, k: cb.mutate_in(k, SD.counter("name", 1)),
     SubdocPathMismatchError, CouchbaseDataError),
    ({"n": 2 ** 64}, lambda cb, k: cb.mutate_in(k, SD.counter("n", 1)),
     SubdocNumberTooBigError, CouchbaseDataError),
    (CUSTOMER, lambda cb, k: cb.mutate_in(k, SD.Spec(Opcode.SUBDOC_COUNTER, "n", 0, "x")),
     SubdocBadDeltaError, CouchbaseDataError),
    (DEEP, lambda cb, k: cb.lookup_in(k, SD.get("d.d")).get(0),
     DocumentTooDeepError, CouchbaseDataError),
    ({}, lambda cb, k: cb.mutate_in(k, SD.upsert("v", DEEP)),
     SubdocValueTooDeepError, CouchbaseInputError),
])
def test_each_error_has_its_2x_class(cb, key, doc, call, cls, base):
    cb.upsert(key, doc)
    try:
        outcome = call(cb, key)
    except CouchbaseError as exc:
        assert type(exc) is cls and isinstance(exc, base) and exc.rc == cls.CODE
        assert exc.key == key
        return
    # a lookup: the result holds the path's error
    rc, _ = outcome
    assert CouchbaseError.rc_to_exctype(rc) is cls


def test_a_document_that_is_not_json(cb, key):
    cb.upsert(key, "plain text", format=FMT_UTF8)
    with pytest.raises(DocumentNotJsonError):
        cb.mutate_in(key, SD.upsert("a", 1))
    rv = cb.lookup_in(key, SD.get("a"))
    with pytest.raises(DocumentNotJsonError):
        rv[0]


# -- arguments checked before anything is sent --------------------------------------
@pytest.mark.parametrize("call, cls", [
    (lambda cb, k: cb.lookup_in(k), ArgumentError),
    (lambda cb, k: cb.mutate_in(k), ArgumentError),
    (lambda cb, k: cb.lookup_in(k, *(SD.get(f"p{i}") for i in range(17))), ArgumentError),
    (lambda cb, k: cb.mutate_in(k, *(SD.upsert(f"p{i}", i) for i in range(17))), ArgumentError),
    (lambda cb, k: cb.lookup_in(k, SD.upsert("a", 1)), ArgumentError),
    (lambda cb, k: cb.mutate_in(k, SD.get("a")), ArgumentError),
    (lambda cb, k: cb.lookup_in(k, ("not", "a spec")), ArgumentError),
    (lambda cb, k: cb.lookup_in(k, SD.get(5)), ArgumentError),
    (lambda cb, k: cb.lookup_in(k, SD.get("")), SubdocEmptyPathError),
    (lambda cb, k: cb.mutate_in(k, SD.upsert("", 1)), SubdocEmptyPathError),
    (lambda cb, k: cb.mutate_in(k, SD.upsert("a", object())), ValueFormatError),
    (lambda cb, k: cb.mutate_in(k, SD.array_append("a")), ArgumentError),
    (lambda cb, k: cb.mutate_in(k, SD.upsert("a", 1), cas="x"), ArgumentError),
    (lambda cb, k: cb.mutate_in(k, SD.upsert("a", 1), ttl=-1), ArgumentError),
    (lambda cb, k: cb.mutate_in(k, SD.upsert("a", "x" * (21 * 1024 * 1024))), TooBigError),
    (lambda cb, k: cb.lookup_in("", SD.get("a")), ArgumentError),
    (lambda cb, k: SD.counter("a", 0), ArgumentError),
    (lambda cb, k: SD.counter("a", 1.5), ArgumentError),
    (lambda cb, k: cb.lookup_in(k, SD.get("a"), _sd_doc_flags=-1), ArgumentError),
])
def test_bad_arguments_raise_before_sending(cb, key, call, cls):
    with pytest.raises(cls):
        call(cb, key)


def test_specs_repr_and_tuple_shape():
    spec = SD.upsert("a.b", [1], create_parents=True)
    assert repr(spec) == "Spec<DICT_UPSERT, 'a.b', 1, [1]>" and spec[1] == "a.b"
    assert SD.array_append("l", 1, 2)[3] == SD.MultiValue(1, 2)
    assert isinstance(SD.get("x"), tuple) and len(SD.get("x")) == 3


# -- extended attributes ----------------------------------------------------------
def test_xattrs_live_beside_the_body(cb, customer):
    cb.mutate_in(customer, SD.upsert("app.rev", 7, xattr=True, create_parents=True),
                 SD.upsert("fax", "1"))
    assert "app" not in cb.get(customer).value
    rv = cb.lookup_in(customer, SD.get("name"), SD.get("app", xattr=True),
                      SD.exists("app.nope", xattr=True))
    assert rv[0] == CUSTOMER["name"] and rv[1] == {"rev": 7} and not rv.exists(2)


def test_macros_and_the_document_virtual_attribute(cb, customer):
    rv = cb.mutate_in(customer, SD.upsert("app.cas", "${Mutation.CAS}", xattr=True,
                                          create_parents=True, _expand_macros=True))
    got = cb.lookup_in(customer, SD.get("app.cas", xattr=True), SD.get("$document", xattr=True))
    # the macro writes the CAS's bytes little-endian, as hex (what SDKs byte-swap back)
    assert int(got[0], 16) == int.from_bytes(rv.cas.to_bytes(8, "big"), "little")
    assert {"CAS", "exptime", "value_bytes"} <= set(got[1])


def test_a_json_value_is_stored_with_the_json_datatype(cb, key, mock_cluster):
    """The server trusts the datatype of a client that negotiated JSON: a JSON value
    must say so, or sub-document commands on it answer DocumentNotJsonError."""
    cb.upsert(key, {"a": 1})
    assert cb.lookup_in(key, SD.get("a"))[0] == 1
    cb.upsert(key, "plain text", format=FMT_UTF8)
    with pytest.raises(DocumentNotJsonError):
        cb.lookup_in(key, SD.get("a"))[0]
