"""couchbase.user_constants as 2.x applications import it."""

from __future__ import annotations

from couchbase import OBS_FOUND as TOP_LEVEL_OBS_FOUND
from couchbase.user_constants import (
    FMT_BYTES,
    FMT_COMMON_MASK,
    FMT_JSON,
    FMT_LEGACY_MASK,
    FMT_PICKLE,
    FMT_UTF8,
    LOCKMODE_EXC,
    LOCKMODE_NONE,
    LOCKMODE_WAIT,
    OBS_FOUND,
    OBS_LOGICALLY_DELETED,
    OBS_MASK,
    OBS_NOTFOUND,
    OBS_PERSISTED,
)


def test_formats_split_into_common_and_legacy_flags():
    for fmt in (FMT_JSON, FMT_PICKLE, FMT_BYTES, FMT_UTF8):
        assert fmt & FMT_COMMON_MASK and fmt & FMT_LEGACY_MASK == fmt & 0x07
    assert len({LOCKMODE_EXC, LOCKMODE_NONE, LOCKMODE_WAIT}) == 3


def test_observe_states_are_the_ones_observe_reports(cb, key):
    assert OBS_LOGICALLY_DELETED == OBS_NOTFOUND | OBS_PERSISTED
    assert OBS_MASK == OBS_FOUND | OBS_PERSISTED | OBS_NOTFOUND == TOP_LEVEL_OBS_FOUND | OBS_MASK
    cb.upsert(key, 1)
    states = {info.flags for info in cb.observe(key).value}
    assert states <= {OBS_FOUND, OBS_PERSISTED}
    cb.remove(key)
    states = {info.flags for info in cb.observe(key).value}
    assert states <= {OBS_NOTFOUND, OBS_LOGICALLY_DELETED}
