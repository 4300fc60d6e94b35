"""``Collection.scan()`` (SDK 4.x range scans) on every front end, from the 4.x docs
(couchbase_api/couchbase_rangescan, the kv-range-scan how-to): range, prefix and
sampling scans, ``ids_only``, the options' checks, abandoning a scan half-way (the
local cluster must see the scans cancelled), the documented exceptions, and a
20,000-document scan."""

from __future__ import annotations

import gc
import time
import uuid
from typing import Any, Callable

import pytest

from couchbase.exceptions import (
    CollectionNotFoundException,
    FeatureUnavailableException,
    InvalidArgumentException,
    UnAmbiguousTimeoutException,
)
from couchbase.kv_range_scan import PrefixScan, RangeScan, SamplingScan, ScanTerm
from couchbase.mutation_state import MutationState
from couchbase.options import ScanOptions
from couchbase.result import ScanResult
from couchbase_mock import range_scan as mock_scans
from frontends.conftest import Proxy


@pytest.fixture
def coll(cb: Any) -> Proxy:
    return Proxy(cb._target.default_collection(), cb._resolve)


@pytest.fixture
def scan_all(coll: Any, front_end: str, request: pytest.FixtureRequest) -> Callable[..., list]:
    """``scan_all(scan_type, *opts, **kwargs)``: every item, read the front end's way."""
    target = coll._target

    def run(*args: Any, **kwargs: Any) -> list:
        if front_end == "twisted":
            return coll.scan(*args, **kwargs)  # (a Deferred of the list)
        if front_end == "asyncio":
            loop_thread = request.getfixturevalue("loop_thread")

            async def collect() -> list:
                return [item async for item in target.scan(*args, **kwargs)]
            return loop_thread.run(collect)  # type: ignore[no-any-return]
        return list(target.scan(*args, **kwargs))
    return run


@pytest.fixture
def docs(coll: Any) -> tuple[str, dict[str, dict]]:
    """A fresh prefix and 30 documents under it."""
    prefix = f"scan-{uuid.uuid4().hex[:8]}::"
    written = {f"{prefix}{i:03d}": {"n": i} for i in range(30)}
    result = coll.upsert_multi(written)
    assert result.all_ok
    return prefix, written


def _open_and_cancelled(mock_cluster: Any) -> tuple[int, int]:
    def count(cluster: Any) -> tuple[int, int]:
        engine = cluster.engines["default"]
        per_node = [mock_scans.scans_of(engine, node) for node in range(len(mock_cluster.nodes))]
        return sum(len(s.open) for s in per_node), sum(s.cancelled for s in per_node)
    return mock_cluster.call(count)  # type: ignore[no-any-return]


def test_prefix_scan_returns_every_document_under_the_prefix(scan_all: Any, docs: Any) -> None:
    prefix, written = docs
    items = scan_all(PrefixScan(prefix))
    assert all(isinstance(i, ScanResult) for i in items)
    assert {i.id: i.content_as[dict] for i in items} == written
    assert all(i.cas and not i.ids_only and i.expiry_time is None for i in items)


def test_range_scan_terms_inclusive_and_exclusive(scan_all: Any, docs: Any) -> None:
    prefix, _ = docs
    start, end = ScanTerm(f"{prefix}005"), ScanTerm(f"{prefix}010", exclusive=True)
    ids = sorted(i.id for i in scan_all(RangeScan(start, end), ScanOptions(concurrency=8)))
    assert ids == [f"{prefix}{n:03d}" for n in range(5, 10)]
    ids = sorted(i.id for i in scan_all(RangeScan(ScanTerm(f"{prefix}005", True),
                                                  ScanTerm(f"{prefix}010"))))
    assert ids == [f"{prefix}{n:03d}" for n in range(6, 11)]


def test_ids_only_returns_keys_without_content(scan_all: Any, docs: Any) -> None:
    prefix, written = docs
    items = scan_all(PrefixScan(prefix), ids_only=True, concurrency=16, batch_item_limit=3)
    assert sorted(i.id for i in items) == sorted(written)
    assert all(i.ids_only for i in items)
    with pytest.raises(InvalidArgumentException):
        items[0].content_as[dict]


def test_results_are_in_key_order_within_each_vbucket(scan_all: Any, docs: Any,
                                                      mock_cluster: Any) -> None:
    prefix, _ = docs
    seen: dict[int, list[str]] = {}
    for item in scan_all(PrefixScan(prefix), ScanOptions(batch_item_limit=1, concurrency=4)):
        seen.setdefault(mock_cluster.locate("default", item.id)[0], []).append(item.id)
    assert all(keys == sorted(keys) for keys in seen.values())


def test_sampling_scan_returns_at_most_limit_documents(scan_all: Any, docs: Any) -> None:
    items = scan_all(SamplingScan(5, seed=42), concurrency=32)
    assert 0 < len(items) <= 5
    # (the collection is shared: other tests' documents are of every format, some of
    # which the default JSON transcoder refuses; a sample is its ids and CAS values)
    assert all(i.id and i.cas for i in items)
    assert len({i.id for i in items}) == len(items)


def test_consistent_with_a_mutation_state(coll: Any, scan_all: Any, docs: Any) -> None:
    prefix, _ = docs
    written = coll.upsert(f"{prefix}zzz", {"late": True})
    assert written.mutation_token().bucket_name == "default"
    items = scan_all(PrefixScan(prefix), consistent_with=MutationState(written), concurrency=64)
    assert f"{prefix}zzz" in {i.id for i in items}


def test_bad_arguments_are_invalid_argument(coll: Any) -> None:
    target = coll._target
    for bad in (lambda: target.scan("user::"),
                lambda: target.scan(PrefixScan("p"), concurrency=0),
                lambda: target.scan(PrefixScan("p"), batch_item_limit=-1),
                lambda: SamplingScan(0),
                lambda: RangeScan(start="a")):  # type: ignore[arg-type]
        with pytest.raises(InvalidArgumentException):
            bad()


def test_a_missing_collection_is_collection_not_found(cb: Any, scan_all: Any,
                                                      front_end: str) -> None:
    coll = cb._target.scope("_default").collection("no-such-collection")
    with pytest.raises(CollectionNotFoundException):
        if front_end == "twisted":
            Proxy(coll, cb._resolve).scan(PrefixScan("a"))
        elif front_end == "asyncio":
            cb._resolve(lambda: _drain_async(coll.scan(PrefixScan("a"))))
        else:
            list(coll.scan(PrefixScan("a")))


async def _drain_async(result: Any) -> list:
    return [item async for item in result]


def test_a_memcached_bucket_has_no_range_scans(connect: Any, mock_cluster: Any,
                                               front_end: str) -> None:
    name = f"mc{uuid.uuid4().hex[:6]}"
    mock_cluster.create_bucket(name, bucket_type="memcached")
    try:
        bucket = connect(f"{mock_cluster.connstr}/{name}", username="Administrator",
                         password="password")
        coll = bucket._target.default_collection()
        with pytest.raises(FeatureUnavailableException):
            if front_end == "twisted":
                Proxy(coll, bucket._resolve).scan(PrefixScan("a"))
            elif front_end == "asyncio":
                bucket._resolve(lambda: _drain_async(coll.scan(PrefixScan("a"))))
            else:
                list(coll.scan(PrefixScan("a")))
    finally:
        mock_cluster.delete_bucket(name)


def test_a_scan_times_out_at_its_timeout(scan_all: Any, docs: Any, mock_cluster: Any,
                                        coll: Any) -> None:
    prefix, _ = docs
    mock_cluster.control("hiccup", msecs=600, offset=0)
    try:
        started = time.monotonic()
        with pytest.raises(UnAmbiguousTimeoutException):
            scan_all(PrefixScan(prefix), timeout=0.1)
        assert time.monotonic() - started < 0.5
    finally:
        mock_cluster.control("hiccup", msecs=0, offset=0)
        # answers keep their order on a connection: a NOOP answered on every node
        # means the held-back scan answers have arrived
        coll._resolve(lambda: coll._target._parent.ping(services=["kv"]))
    deadline = time.monotonic() + 2
    while _open_and_cancelled(mock_cluster)[0] and time.monotonic() < deadline:
        time.sleep(0.05)


def test_abandoning_a_scan_half_way_cancels_it(coll: Any, docs: Any, front_end: str,
                                               mock_cluster: Any,
                                               request: pytest.FixtureRequest) -> None:
    if front_end == "twisted":
        pytest.skip("Twisted's scan delivers the whole list: nothing to abandon")
    prefix, _ = docs
    open_before, cancelled_before = _open_and_cancelled(mock_cluster)  # (others' too)
    target = coll._target
    options = ScanOptions(concurrency=64, batch_item_limit=1)
    if front_end == "asyncio":
        loop_thread = request.getfixturevalue("loop_thread")

        async def first_three() -> list:
            out = []
            result = target.scan(PrefixScan(prefix), options)
            async for item in result:
                out.append(item)
                if len(out) == 3:
                    break
            return out
        got = loop_thread.run(first_three)
        gc.collect()  # (PyPy: an abandoned iterator is finalized when collected, not at once)
    else:
        got = []
        result = target.scan(PrefixScan(prefix), options)
        for item in result:
            got.append(item)
            if len(got) == 3:
                break
        del result
        gc.collect()  # (PyPy: an abandoned iterator is finalized when collected, not at once)
    assert len(got) == 3
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        open_now, cancelled = _open_and_cancelled(mock_cluster)
        if open_now <= open_before and cancelled > cancelled_before:
            break
        time.sleep(0.05)
    # none of this scan's is left open (other tests' scans may be, on the shared cluster)
    assert (open_now <= open_before, cancelled > cancelled_before) == (True, True)


def test_a_scan_of_20000_documents(coll: Any, scan_all: Any) -> None:
    prefix = f"big-{uuid.uuid4().hex[:6]}::"
    keys = [f"{prefix}{i:05d}" for i in range(20000)]
    for i in range(0, len(keys), 2000):
        assert coll.upsert_multi({k: {"i": 1} for k in keys[i:i + 2000]}).all_ok
    started = time.monotonic()
    items = scan_all(PrefixScan(prefix), ScanOptions(ids_only=True, concurrency=64,
                                                     batch_item_limit=500))
    elapsed = time.monotonic() - started
    assert len(items) == 20000 and {i.id for i in items} == set(keys)
    started = time.monotonic()
    items = scan_all(PrefixScan(prefix))  # (the defaults: one vbucket at a time, 50 a batch)
    elapsed_docs = time.monotonic() - started
    assert len(items) == 20000 and all(i.content_as[dict] == {"i": 1} for i in items)
    print(f"scanned 20,000 ids in {elapsed:.2f}s, documents in {elapsed_docs:.2f}s")
    coll.remove_multi(keys)
