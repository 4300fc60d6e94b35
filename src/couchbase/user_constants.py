"""The constants 2.x applications import from ``couchbase.user_constants``:
value formats, lock modes, and the OBSERVE states of :class:`~couchbase.result.ObserveInfo`.

``OBS_LOGICALLY_DELETED`` is a key gone from a node's memory but still on its
disk (``OBS_NOTFOUND | OBS_PERSISTED``): if the node crashed now, the key would
come back.
"""

from __future__ import annotations

from ._core import observe as _observe
from ._locking import LOCKMODE_EXC, LOCKMODE_NONE, LOCKMODE_WAIT
from .formats import (
    FMT_AUTO,
    FMT_BYTES,
    FMT_COMMON_MASK,
    FMT_JSON,
    FMT_LEGACY_MASK,
    FMT_PICKLE,
    FMT_UTF8,
)

OBS_FOUND = _observe.FOUND_NOT_PERSISTED
OBS_PERSISTED = _observe.FOUND_PERSISTED
OBS_NOTFOUND = _observe.NOT_FOUND
OBS_LOGICALLY_DELETED = _observe.LOGICALLY_DELETED
OBS_MASK = OBS_PERSISTED | OBS_FOUND | OBS_NOTFOUND

__all__ = [
    "FMT_AUTO", "FMT_BYTES", "FMT_COMMON_MASK", "FMT_JSON", "FMT_LEGACY_MASK", "FMT_PICKLE",
    "FMT_UTF8", "LOCKMODE_EXC", "LOCKMODE_NONE", "LOCKMODE_WAIT", "OBS_FOUND",
    "OBS_LOGICALLY_DELETED", "OBS_MASK", "OBS_NOTFOUND", "OBS_PERSISTED",
]
