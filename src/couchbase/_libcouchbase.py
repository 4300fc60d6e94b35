"""Constants that SDK 2.x's C extension ``couchbase._libcouchbase`` exported and
applications still use: the ``Bucket.compression`` modes.

Example::

    from couchbase._libcouchbase import COMPRESS_INOUT
    cb.compression = COMPRESS_INOUT
"""

from __future__ import annotations

from ._core.compression import (
    COMPRESS_FORCE,
    COMPRESS_IN,
    COMPRESS_INOUT,
    COMPRESS_NONE,
    COMPRESS_OUT,
)

__all__ = ["COMPRESS_FORCE", "COMPRESS_IN", "COMPRESS_INOUT", "COMPRESS_NONE", "COMPRESS_OUT"]
