"""The 4.x per-call ``timeout`` option on every front end: a call's own timeout
beats the bucket's, both ways, against a node the local cluster delays (its
``hiccup`` fault). A read that times out is unambiguous (nothing changed), a
mutation ambiguous (it may have been applied): the 4.x SDK's rule."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, Iterator

import pytest

from couchbase.exceptions import (
    AmbiguousTimeoutException,
    InvalidArgumentException,
    TimeoutError,
    UnAmbiguousTimeoutException,
)
from couchbase.options import (
    GetMultiOptions,
    GetOptions,
    IncrementOptions,
    LookupInOptions,
    MutateInOptions,
    RemoveOptions,
    UpsertOptions,
)
from couchbase.subdocument import get as sd_get
from couchbase.subdocument import upsert as sd_upsert
from frontends.conftest import Proxy

DELAY_MS = 600
SHORT = timedelta(milliseconds=100)


@pytest.fixture
def coll(cb: Any) -> Proxy:
    return Proxy(cb._target.default_collection(), cb._resolve)


@pytest.fixture
def delayed(mock_cluster: Any, coll: Any, key: str) -> Iterator[None]:
    """``key`` stored, then its node answers ``DELAY_MS`` late."""
    coll.upsert(key, {"n": 1})
    node = mock_cluster.locate("default", key)[1]
    mock_cluster.control("hiccup", msecs=DELAY_MS, offset=0, servers=[node])
    try:
        yield
    finally:
        mock_cluster.control("hiccup", msecs=0, offset=0)
        # answers keep their order on a connection: once this get is answered, the
        # late ones have arrived too (they must not land in the next test)
        coll.get(key)


def _timed_out(call: Any, cls: type) -> float:
    started = time.monotonic()
    with pytest.raises(cls) as info:
        call()
    assert isinstance(info.value, TimeoutError)  # (the 2.x class, for 2.x-era handlers)
    return time.monotonic() - started


def test_a_read_times_out_at_its_own_timeout_unambiguously(coll: Any, key: str,
                                                          delayed: None) -> None:
    elapsed = _timed_out(lambda: coll.get(key, GetOptions(timeout=SHORT)),
                         UnAmbiguousTimeoutException)
    assert elapsed < DELAY_MS / 1000 - 0.1  # (the bucket's 2.5 s did not apply)
    _timed_out(lambda: coll.exists(key, timeout=SHORT), UnAmbiguousTimeoutException)
    _timed_out(lambda: coll.lookup_in(key, [sd_get("n")], LookupInOptions(timeout=0.1)),
               UnAmbiguousTimeoutException)


def test_a_mutation_times_out_at_its_own_timeout_ambiguously(coll: Any, key: str,
                                                            delayed: None) -> None:
    elapsed = _timed_out(lambda: coll.upsert(key, {"n": 2}, UpsertOptions(timeout=SHORT)),
                         AmbiguousTimeoutException)
    assert elapsed < DELAY_MS / 1000 - 0.1
    _timed_out(lambda: coll.remove(key, RemoveOptions(timeout=SHORT)),
               AmbiguousTimeoutException)
    _timed_out(lambda: coll.mutate_in(key, [sd_upsert("n", 3)], MutateInOptions(timeout=SHORT)),
               AmbiguousTimeoutException)
    binary = Proxy(coll._target.binary(), coll._resolve)
    _timed_out(lambda: binary.increment(key, IncrementOptions(timeout=SHORT)),
               AmbiguousTimeoutException)


def test_a_multi_times_out_per_key_at_its_own_timeout(coll: Any, key: str,
                                                    delayed: None) -> None:
    started = time.monotonic()
    result = coll.get_multi([key], GetMultiOptions(timeout=SHORT))
    assert time.monotonic() - started < DELAY_MS / 1000 - 0.1
    assert not result.all_ok
    assert isinstance(result.exceptions[key], UnAmbiguousTimeoutException)


def test_a_call_timeout_longer_than_the_buckets_wins(cb: Any, coll: Any, key: str,
                                                     delayed: None) -> None:
    cb.timeout = 0.1
    try:
        with pytest.raises(UnAmbiguousTimeoutException):
            coll.get(key)  # (the bucket's 0.1 s)
        assert coll.get(key, GetOptions(timeout=timedelta(seconds=3))).content_as[dict] == \
            {"n": 1}
        assert coll.upsert(key, {"n": 5}, timeout=3).cas
    finally:
        cb.timeout = 2.5


def test_a_timeout_that_is_no_duration_is_invalid_argument(coll: Any, key: str) -> None:
    for bad in (0, -1, "1s", timedelta(0)):
        with pytest.raises(InvalidArgumentException):
            coll.get(key, GetOptions(timeout=bad))
    with pytest.raises(InvalidArgumentException):
        coll.upsert(key, 1, timeout=-2)
