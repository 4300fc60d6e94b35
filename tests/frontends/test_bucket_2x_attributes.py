"""2.x Bucket attributes: lockmode, is_ssl, lcb_version, del cb[key]."""

from __future__ import annotations

import pytest

from couchbase import LOCKMODE_WAIT
from couchbase.bucket import Bucket
from couchbase.exceptions import NotFoundError


def test_attributes_2x_applications_read(cb):
    assert cb.is_ssl is False
    version, number = Bucket.lcb_version()
    assert isinstance(version, str) and number >= 0x020807  # sub-documents and N1QL


def test_lockmode_is_what_the_bucket_was_opened_with(mock_cluster):
    cb = Bucket(f"{mock_cluster.connstr}/default", password="")
    assert cb.lockmode == LOCKMODE_WAIT
    cb.close()


def test_del_item_removes_the_document(mock_cluster, key):
    cb = Bucket(f"{mock_cluster.connstr}/default", password="")
    cb.upsert(key, 1)
    del cb[key]
    with pytest.raises(NotFoundError):
        cb.get(key)
    with pytest.raises(NotFoundError):
        del cb[key]
    cb.close()
