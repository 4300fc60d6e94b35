"""couchbase-pure: a pure-Python Couchbase SDK.

>>> from couchbase import Couchbase
>>> cb = Couchbase.connect(bucket="default", host="localhost")
>>> cb.set("key", {"hello": "world"})
"""

from __future__ import annotations

from typing import Any

from ._locking import LOCKMODE_EXC, LOCKMODE_NONE, LOCKMODE_WAIT
from ._logging import configure_logging, disable_logging, enable_logging
from .formats import (
    FMT_AUTO,
    FMT_BYTES,
    FMT_JSON,
    FMT_MASK,
    FMT_PICKLE,
    FMT_UTF8,
    set_json_converters,
    set_pickle_converters,
)
from .user_constants import (
    OBS_FOUND,
    OBS_LOGICALLY_DELETED,
    OBS_MASK,
    OBS_NOTFOUND,
    OBS_PERSISTED,
)

__version__ = "0.1.0"


class Couchbase:
    """The 1.x entry point: ``Couchbase.connect(...)`` returns a :class:`Connection`."""

    FMT_JSON = FMT_JSON
    FMT_PICKLE = FMT_PICKLE
    FMT_BYTES = FMT_BYTES
    FMT_UTF8 = FMT_UTF8
    FMT_AUTO = FMT_AUTO

    @staticmethod
    def connect(bucket: str = "default", **kwargs: Any) -> Any:
        """Connect to ``bucket``; keywords: host, port (8091), username, password, quiet, ..."""
        from .connection import Connection

        return Connection(bucket=bucket, **kwargs)


__all__ = [
    "Couchbase",
    "FMT_AUTO",
    "FMT_BYTES",
    "FMT_JSON",
    "FMT_MASK",
    "FMT_PICKLE",
    "FMT_UTF8",
    "LOCKMODE_EXC",
    "LOCKMODE_NONE",
    "LOCKMODE_WAIT",
    "OBS_FOUND",
    "OBS_LOGICALLY_DELETED",
    "OBS_MASK",
    "OBS_NOTFOUND",
    "OBS_PERSISTED",
    "configure_logging",
    "disable_logging",
    "enable_logging",
    "set_json_converters",
    "set_pickle_converters",
]
