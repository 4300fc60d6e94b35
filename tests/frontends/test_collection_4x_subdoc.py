"""The 4.x lookup_in / mutate_in on every front end, from subdocument-operations
(4.x): the spec functions of couchbase.subdocument, StoreSemantics, macros, and the
documented per-path and per-document exceptions."""

from __future__ import annotations

from typing import Any

import pytest

import couchbase.subdocument as SD
from couchbase.exceptions import (
    CasMismatchException,
    DocumentExistsException,
    DocumentNotFoundException,
    InvalidArgumentException,
    InvalidIndexException,
    PathExistsException,
    PathMismatchException,
    PathNotFoundException,
    SubdocPathNotFoundError,
)
from couchbase.options import LookupInOptions, MutateInOptions
from couchbase.result import LookupInResult, MutateInResult
from frontends.conftest import Proxy

DOC = {"name": "Ted", "tags": ["a", "b"], "address": {"city": "Paris"}, "visits": 1}


@pytest.fixture
def coll(cb: Any) -> Proxy:
    return Proxy(cb._target.default_collection(), cb._resolve)


def test_lookup_in(coll: Any, key: str) -> None:
    coll.upsert(key, DOC)
    got = coll.lookup_in(key, [SD.get("name"), SD.exists("address.zip"),
                               SD.count("tags"), SD.get("address")])
    assert isinstance(got, LookupInResult)
    assert got.content_as[str](0) == "Ted"
    assert got.exists(0) and not got.exists(1)
    assert got.content_as[bool](1) is False
    assert got.content_as[int](2) == 2
    assert got.content_as[dict](3) == {"city": "Paris"}
    with pytest.raises(PathNotFoundException) as info:
        coll.lookup_in(key, [SD.get("nope")]).content_as[str](0)
    assert isinstance(info.value, SubdocPathNotFoundError)
    with pytest.raises(InvalidIndexException):
        got.content_as[str](9)


def test_lookup_in_missing_document(coll: Any, key: str) -> None:
    with pytest.raises(DocumentNotFoundException):
        coll.lookup_in(key, (SD.get("name"),), LookupInOptions())


def test_whole_document_and_expiry_specs(coll: Any, key: str) -> None:
    coll.upsert(key, DOC)
    got = coll.lookup_in(key, [SD.get_full(), SD.with_expiry(),
                               SD.get(SD.LookupInMacro.cas(), xattr=True)])
    assert got.content_as[dict](0) == DOC
    assert got.content_as[int](1) == 0
    assert got.content_as[str](2).startswith("0x")


def test_mutate_in(coll: Any, key: str) -> None:
    written = coll.upsert(key, DOC)
    done = coll.mutate_in(key, [SD.upsert("name", "Fred"), SD.increment("visits", 2),
                                SD.array_append("tags", "c"), SD.remove("address.city"),
                                SD.insert("new.path", True, create_parents=True)])
    assert isinstance(done, MutateInResult) and done.cas != written.cas
    assert done.content_as[int](1) == 3
    assert done.mutation_token() is not None
    assert coll.get(key).content_as[dict] == {
        "name": "Fred", "tags": ["a", "b", "c"], "address": {}, "visits": 3,
        "new": {"path": True}}


def test_mutate_in_failures(coll: Any, key: str) -> None:
    written = coll.upsert(key, DOC)
    with pytest.raises(PathExistsException):
        coll.mutate_in(key, [SD.insert("name", "x")])
    with pytest.raises(PathMismatchException):
        coll.mutate_in(key, [SD.array_append("name", "x")])
    with pytest.raises(PathNotFoundException):
        coll.mutate_in(key, [SD.replace("nope", 1), SD.upsert("ok", 1)])
    assert "ok" not in coll.get(key).content_as[dict]  # all or nothing
    coll.upsert(key, DOC)
    with pytest.raises(CasMismatchException):
        coll.mutate_in(key, [SD.upsert("name", "x")], MutateInOptions(cas=written.cas))
    with pytest.raises(DocumentNotFoundException):
        coll.mutate_in(key + "-missing", [SD.upsert("name", "x")])
    with pytest.raises(InvalidArgumentException):
        coll.mutate_in(key, [SD.get("name")])  # a lookup spec
    with pytest.raises(InvalidArgumentException):
        coll.mutate_in(key, [SD.upsert(f"p{i}", i) for i in range(17)])
    with pytest.raises(InvalidArgumentException):
        SD.increment("visits", -1)


def test_store_semantics(coll: Any, key: str) -> None:
    coll.mutate_in(key, [SD.upsert("a", 1)], store_semantics=SD.StoreSemantics.UPSERT)
    assert coll.get(key).content_as[dict] == {"a": 1}
    with pytest.raises(DocumentExistsException):
        coll.mutate_in(key, [SD.upsert("a", 2)],
                       MutateInOptions(store_semantics=SD.StoreSemantics.INSERT))
    coll.mutate_in(key + "-new", [SD.upsert("b", 1)], store_semantics=SD.StoreSemantics.INSERT)
    assert coll.get(key + "-new").content_as[dict] == {"b": 1}


def test_mutation_macro(coll: Any, key: str) -> None:
    coll.upsert(key, {"a": 1})
    done = coll.mutate_in(key, [SD.upsert("meta.cas", SD.MutationMacro.cas(), xattr=True,
                                           create_parents=True)])
    stored = coll.lookup_in(key, [SD.get("meta.cas", xattr=True)]).content_as[str](0)
    assert SD.convert_macro_cas_to_cas(stored) == done.cas


def test_2x_spec_functions_still_serve_the_bucket(cb: Any, key: str) -> None:
    cb.upsert(key, {"n": 1})
    cb.mutate_in(key, SD.counter("n", 1))
    assert cb.lookup_in(key, SD.get("n"))[0] == 2
