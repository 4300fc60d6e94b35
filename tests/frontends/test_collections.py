"""Collections on every front end (4.x): a collection holds its bucket, it copies nothing.

What it reaches is the bucket's documents (the default collection is the
bucket's), it waits its front end's way, and closing the bucket closes it.
"""

from __future__ import annotations

from typing import Any

import pytest

from couchbase.collection import Collection, Scope
from couchbase.exceptions import (
    DocumentNotFoundException,
    MissingConnectionException,
    NotFoundError,
    ObjectDestroyedError,
)
from couchbase.result import GetResult, MutationResult
from frontends.conftest import Proxy


def _collection(cb: Any) -> Proxy:
    """The default collection, waited for the bucket's way."""
    return Proxy(cb.default_collection(), cb._resolve)


def test_default_collection_reaches_the_bucket_s_documents(cb: Any, key: str) -> None:
    coll = _collection(cb)
    assert isinstance(coll.upsert(key, {"from": "collection"}), MutationResult)
    assert cb.get(key).value == {"from": "collection"}  # the 2.x API sees it
    cb.upsert(key, {"from": "bucket"})
    got = coll.get(key)
    assert isinstance(got, GetResult) and got.content_as[dict] == {"from": "bucket"}


def test_scope_and_collection_objects(cb: Any) -> None:
    scope = cb._target.scope("_default")
    assert isinstance(scope, Scope) and scope.name == "_default"
    coll = scope.collection("_default")
    assert isinstance(coll, Collection)
    assert (coll.name, coll.scope_name, coll.bucket_name) == ("_default", "_default", "default")
    assert isinstance(cb._target.default_scope().default_collection(), Collection)


def test_missing_document_is_both_generations_not_found(cb: Any, key: str) -> None:
    coll = _collection(cb)
    with pytest.raises(DocumentNotFoundException) as info:
        coll.get(key)
    assert isinstance(info.value, NotFoundError)
    assert info.value.context.key == key
    assert info.value.context.collection_name == "_default"


def test_closing_the_bucket_closes_its_collections(cb: Any, key: str) -> None:
    coll = _collection(cb)
    coll.upsert(key, 1)
    cb.close()
    assert coll.closed
    with pytest.raises(ObjectDestroyedError) as info:  # (MissingConnectionException where
        coll.get(key)                                  # the front end refuses at once)
    assert isinstance(info.value, (MissingConnectionException, ObjectDestroyedError))
    with pytest.raises(ObjectDestroyedError):
        coll.upsert_multi({key: 2}, return_exceptions=False)
