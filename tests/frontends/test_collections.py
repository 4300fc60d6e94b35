"""Collections on every front end: a collection holds its bucket, it copies nothing.

So what is set on the bucket after the collection was made applies to it,
and closing the bucket closes it.
"""

from __future__ import annotations

from typing import Any

import pytest

from couchbase.exceptions import NotFoundError, ObjectDestroyedError, ValueFormatError
from couchbase.formats import FMT_UTF8
from frontends.conftest import Proxy


def _collection(cb: Any) -> Proxy:
    """The default collection, waited for the bucket's way."""
    return Proxy(cb.default_collection(), cb._resolve)


def test_collection_sees_settings_changed_on_its_bucket_later(cb: Any, key: str) -> None:
    coll = _collection(cb)
    with pytest.raises(NotFoundError):
        coll.get(key)
    cb.quiet = True
    assert coll.quiet is True
    assert not coll.get(key).success  # quiet now, though set after the collection was made
    cb.default_format = FMT_UTF8
    coll.upsert(key, "text")
    assert cb.get(key).flags == FMT_UTF8
    with pytest.raises(ValueFormatError):
        coll.upsert(key, {"not": "text"})  # FMT_UTF8 refuses a dict
    cb.data_passthrough = True
    assert coll.get(key).value == b"text"


def test_settings_changed_on_a_collection_are_the_bucket_s(cb: Any, key: str) -> None:
    coll = _collection(cb)
    coll.quiet = True
    assert cb.quiet is True
    assert not cb.get(key).success
    coll.timeout = 7.5
    assert cb.timeout == 7.5


def test_closing_the_bucket_closes_its_collections(cb: Any, key: str) -> None:
    coll = _collection(cb)
    coll.upsert(key, 1)
    cb.close()
    assert coll.closed
    with pytest.raises(ObjectDestroyedError):
        coll.get(key)
    with pytest.raises(ObjectDestroyedError):
        coll.upsert_multi({key: 2})
