"""Which vbucket a key belongs to: the CRC32 rule every Couchbase client shares."""

from __future__ import annotations

from zlib import crc32


def vbucket_for_key(key: bytes, num_vbuckets: int) -> int:
    """``((crc32(key) >> 16) & 0x7fff) % num_vbuckets``, on the key without collection prefix.

    >>> vbucket_for_key(b"foo", 1024)
    115

    (:meth:`Router.route_many <couchbase._core.router.Router.route_many>` writes
    it out in its batch loop.)
    """
    return ((crc32(key) >> 16) & 0x7FFF) % num_vbuckets
