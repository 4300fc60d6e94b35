"""Exceptions as 2.x applications inspect them; HTTP results' headers."""

from __future__ import annotations

import pytest

from couchbase.bucket import Bucket
from couchbase.exceptions import (
    CouchbaseDataError,
    CouchbaseError,
    InvalidError,
    KeyExistsError,
    NotFoundError,
)


def test_a_single_key_error_carries_its_result_in_all_results(cb, key):
    with pytest.raises(NotFoundError) as info:
        cb.get(key)
    err = info.value
    assert list(err.all_results) == [key]
    assert not err.all_results[key].success and err.all_results.all_ok is False
    assert err.split_results() == ({}, {key: err.all_results[key]})


def test_split_results_of_a_multi_operation(cb, key):
    cb.upsert(key + "-here", 1)
    with pytest.raises(NotFoundError) as info:
        cb.get_multi([key + "-here", key + "-missing"])
    ok, failed = info.value.split_results()
    assert list(ok) == [key + "-here"] and ok[key + "-here"].value == 1
    assert list(failed) == [key + "-missing"]


def test_can_derive_tells_an_error_family_from_a_code():
    assert NotFoundError._can_derive(NotFoundError.CODE)
    assert CouchbaseDataError._can_derive(KeyExistsError.CODE)
    assert CouchbaseError._can_derive(NotFoundError.CODE)
    assert not NotFoundError._can_derive(KeyExistsError.CODE)


def test_an_invalid_host_is_an_invalid_error():
    with pytest.raises(InvalidError):
        Bucket("couchbase://:99999/default")


def test_http_result_headers_ignore_case(cb):
    pytest.importorskip("py_mini_racer")
    manager = cb.bucket_manager()
    manager.design_create("hdr", {"views": {"v": {"map": "function(d){emit(1,null);}"}}},
                          use_devmode=False)
    rv = manager.design_get("hdr", use_devmode=False)
    assert "X-Couchbase-Meta" in rv.headers and "x-couchbase-meta" in rv.headers
    assert rv.headers["X-COUCHBASE-META"] == rv.headers["x-couchbase-meta"]
    manager.design_delete("hdr", use_devmode=False)
