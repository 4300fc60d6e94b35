"""``with cb.durability(persist_to, replicate_to, timeout):`` (SDK 2.x) on every front end."""

from __future__ import annotations

from typing import Any

import pytest

from couchbase.exceptions import ArgumentError
from couchbase.user_constants import OBS_PERSISTED


def _persisted_on_master(cb: Any, key: str) -> bool:
    info = cb.observe(key, master_only=True).value
    return any(i.from_master and i.flags == OBS_PERSISTED for i in info)


def test_mutations_in_the_block_wait_for_disk_and_replica(cb: Any, key: str) -> None:
    with cb.durability(persist_to=1, replicate_to=1):
        rv = cb.upsert(key, {"n": 1})
    assert rv.success
    assert _persisted_on_master(cb, key)  # returned only once it was on disk
    with cb.durability(persist_to=-1, replicate_to=-1):  # -1: everything the bucket has
        multi = cb.upsert_multi({f"{key}-a": 1, f"{key}-b": 2})
    assert multi.all_ok


def test_outside_the_block_nothing_is_waited_for(cb: Any, key: str) -> None:
    with cb.durability(replicate_to=5):  # more replicas than the bucket has
        with pytest.raises(ArgumentError):
            cb.upsert(key, 1)
    assert cb.upsert(key, 2).success  # the block is over: no requirement


def test_blocks_nest_and_restore(cb: Any, key: str) -> None:
    outer = cb.durability(persist_to=1, replicate_to=0)
    with outer:
        with cb.durability(replicate_to=5):
            with pytest.raises(ArgumentError):
                cb.upsert(key, 1)
        assert cb.upsert(key, 2).success  # the outer block's requirement again
        # an operation's own durability wins over the block's
        with pytest.raises(ArgumentError):
            cb.upsert(key, 3, replicate_to=5)


@pytest.mark.parametrize("kwargs", [
    {"persist_to": "1"}, {"replicate_to": -2}, {"persist_to": True}, {"timeout": -1},
    {"timeout": "5"},
])
def test_bad_arguments_are_refused(cb: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ArgumentError):
        cb.durability(**kwargs)
