"""``lookup_in_any_replica`` / ``lookup_in_all_replicas`` (SDK 4.x, Couchbase Server
7.6 replica sub-document reads) on every front end: the documented results
(LookupInReplicaResult with ``is_replica``), a missing path per spec, a missing
document as DocumentUnretrievableException."""

from __future__ import annotations

from typing import Any

import pytest

from couchbase.exceptions import (
    DocumentNotFoundException,
    DocumentUnretrievableException,
    PathNotFoundException,
)
from couchbase.options import LookupInAllReplicasOptions, LookupInAnyReplicaOptions
from couchbase.result import LookupInReplicaResult
from couchbase.subdocument import exists as sd_exists
from couchbase.subdocument import get as sd_get
from frontends.conftest import Proxy


@pytest.fixture
def coll(cb: Any) -> Proxy:
    return Proxy(cb._target.default_collection(), cb._resolve)


def test_any_replica_returns_the_paths(coll: Any, key: str) -> None:
    coll.upsert(key, {"name": "Ann", "address": {"city": "Reno"}})
    result = coll.lookup_in_any_replica(key, [sd_get("address.city"), sd_exists("nope")],
                                        LookupInAnyReplicaOptions(timeout=2))
    assert isinstance(result, LookupInReplicaResult)
    assert result.content_as[str](0) == "Reno"
    assert result.exists(0) and not result.exists(1)
    assert isinstance(result.is_replica, bool) and result.cas


def test_all_replicas_returns_the_active_copy_and_each_replica(coll: Any, key: str) -> None:
    coll.upsert(key, {"n": 5})
    results = coll.lookup_in_all_replicas(key, [sd_get("n")], LookupInAllReplicasOptions())
    assert len(results) == 2  # (the local cluster keeps one replica)
    assert sorted(r.is_replica for r in results) == [False, True]
    assert all(r.content_as[int](0) == 5 for r in results)


def test_a_missing_path_fails_its_spec_only(coll: Any, key: str) -> None:
    coll.upsert(key, {"n": 5})
    result = coll.lookup_in_any_replica(key, [sd_get("n"), sd_get("missing")])
    assert result.content_as[int](0) == 5
    with pytest.raises(PathNotFoundException):
        result.content_as[str](1)


def test_a_missing_document_is_unretrievable(coll: Any, key: str) -> None:
    with pytest.raises(DocumentUnretrievableException):
        coll.lookup_in_any_replica(key, [sd_get("n")])
    with pytest.raises(DocumentNotFoundException):  # the all form: as the official SDK 4.x
        coll.lookup_in_all_replicas(key, [sd_get("n")])
