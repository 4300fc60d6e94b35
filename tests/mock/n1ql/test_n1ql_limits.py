"""Engine-level limits and threads: JSON and statement nesting, cancellation,
index builds that follow concurrent writes, writes sent to the writer thread,
``system:`` keyspaces filtered by user, and the worker pool and loop bridge."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any, Callable

import pytest

from couchbase_mock.n1ql import MemoryDatastore, N1QLError, QueryEngine
from couchbase_mock.n1ql.cancel import Cancel, timeout_error
from couchbase_mock.n1ql.dml import WRITE_BATCH
from couchbase_mock.n1ql.limits import MAX_JSON_DEPTH, MAX_NESTING, TooDeep, json_depth, loads
from couchbase_mock.query_workers import LoopBridge, WorkerPool

DEEP = ("b", "_default", "_default")
BS = ("beer-sample", "_default", "_default")


def nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


# -- JSON -------------------------------------------------------------------------------


def test_loads_takes_json_up_to_the_depth_limit():
    assert json_depth(loads(nested(MAX_JSON_DEPTH))) == MAX_JSON_DEPTH
    assert loads(b'{"a": "[[[[[[[[[[[[["}', limit=2) == {"a": "[[[[[[[[[[[[["}
    assert json_depth([1, {"a": [{}]}, []]) == 4
    assert json_depth("scalar") == 0
    for depth in (MAX_JSON_DEPTH + 1, 990, 100_000):
        with pytest.raises(TooDeep):
            loads(nested(depth).encode())
    with pytest.raises(ValueError):
        loads("[1,")


def _deep_engine() -> tuple[QueryEngine, MemoryDatastore]:
    ds = MemoryDatastore()
    ds.create_bucket("b")
    engine = QueryEngine(ds)
    engine.query("CREATE PRIMARY INDEX ON b")
    engine.query("CREATE INDEX b_n ON b(n)")
    for i in range(3):
        ds.upsert(DEEP, f"k{i}", json.dumps({"n": i}).encode())
    return engine, ds


def test_a_document_over_the_depth_limit_has_no_fields_and_fails_nothing():
    engine, ds = _deep_engine()
    ds.upsert(DEEP, "abyss", nested(100_000).encode())
    ds.upsert(DEEP, "edge", f'{{"n": 9, "deep": {nested(MAX_JSON_DEPTH - 1)}}}'.encode())
    assert engine.query("SELECT RAW n FROM b WHERE n IS VALUED ORDER BY n").results == [
        0, 1, 2, 9]
    assert engine.query("SELECT RAW n FROM b WHERE n >= 0 ORDER BY n").results == [0, 1, 2, 9]
    got = engine.query("SELECT META(x).id, META(x).type, x.n FROM b x ORDER BY META(x).id")
    assert got.results[0] == {"id": "abyss", "type": "base64"}
    assert [r["id"] for r in got.results] == ["abyss", "edge", "k0", "k1", "k2"]
    everything = engine.query("SELECT RAW x FROM b x ORDER BY x").results
    assert [x["n"] for x in everything[:-1]] == [0, 1, 2, 9]  # binary values sort last


# -- statements -------------------------------------------------------------------------


@pytest.mark.parametrize("statement", [
    "SELECT RAW " + "(" * 100_000 + "1" + ")" * 100_000,
    "SELECT RAW " + nested(MAX_NESTING + 1),
    "SELECT RAW " + "NOT " * (MAX_NESTING + 1) + "true",
    "SELECT RAW " + "- " * 10_000 + "1",
    "SELECT RAW " + " + ".join(["1"] * (MAX_NESTING + 1)),
    "SELECT RAW 1 FROM b WHERE " + " OR ".join(["n = 1"] * 5000),
    "SELECT RAW " + "{'a': " * 1000 + "1" + "}" * 1000,
    "SELECT RAW " + "(SELECT RAW " * 300 + "1" + ")" * 300,
    "SELECT RAW " + "x." * 1000 + "y FROM b x",
])
def test_statements_nested_too_deeply_fail_with_5000(statement):
    engine, _ds = _deep_engine()
    with pytest.raises(N1QLError) as err:
        engine.query(statement)
    assert (err.value.code, err.value.msg) == (5000, "Statement too deeply nested")


def test_statements_nested_within_the_limit_run():
    engine, _ds = _deep_engine()
    depth = MAX_NESTING // 2
    assert engine.query("SELECT RAW " + "(" * depth + "1" + ")" * depth).results == [1]
    assert engine.query("SELECT RAW " + " + ".join(["1"] * depth)).results == [depth]
    assert engine.query("SELECT RAW " + nested(depth - 2)).results == [json.loads(
        nested(depth - 2))]
    assert engine.query("SELECT RAW COUNT(*) FROM b WHERE " + " OR ".join(
        f"n = {i}" for i in range(depth))).results == [3]
    assert engine.query("SELECT RAW " + "(SELECT RAW " * 20 + "1" + ")" * 20).results == [
        json.loads(nested(20))]


# -- cancellation -----------------------------------------------------------------------


def test_a_cross_join_stops_at_its_deadline(fresh):
    engine = fresh
    endless = ("SELECT COUNT(*) FROM `beer-sample` a JOIN `beer-sample` b ON true "
               "JOIN `beer-sample` c ON true JOIN `beer-sample` d ON true "
               "JOIN `beer-sample` e ON true JOIN `beer-sample` f ON true")
    with pytest.raises(N1QLError) as err:
        engine.query(endless, cancel=Cancel(timeout=0.05))
    assert err.value.to_json() == {"code": 1080, "msg": "Timeout 50ms exceeded", "retry": True}


def test_a_stop_from_another_thread_ends_the_request(fresh):
    engine = fresh
    cancel = Cancel()
    seen = threading.Event()
    fetch = engine.fetch

    def fetch_and_stop(*args: Any) -> Any:  # the "service" gives up mid-scan
        if not seen.is_set():
            seen.set()
            threading.Thread(target=cancel.stop, args=(timeout_error(1.5),)).start()
        return fetch(*args)

    engine.fetch = fetch_and_stop  # type: ignore[method-assign]
    endless = ("SELECT COUNT(*) FROM `beer-sample` a JOIN `beer-sample` b ON true "
               "JOIN `beer-sample` c ON true JOIN `beer-sample` d ON true "
               "JOIN `beer-sample` e ON true JOIN `beer-sample` f ON true")
    with pytest.raises(N1QLError) as err:
        engine.query(endless, cancel=cancel)
    assert (err.value.code, err.value.msg) == (1080, "Timeout 1.5s exceeded")


# -- the writer thread -------------------------------------------------------------------


class Hops:
    """An ``on_loop`` that runs calls inline and counts them."""

    def __init__(self) -> None:
        self.calls = 0
        self.before: list[Callable[[], None]] = []

    def __call__(self, fn: Callable[[], Any]) -> Any:
        self.calls += 1
        for hook in self.before:
            hook()
        return fn()


def test_dml_writes_go_to_the_writer_in_batches(fresh):
    engine = fresh
    hops = Hops()
    engine.on_loop = hops
    n = 2 * WRITE_BATCH + 1
    values = ", ".join(f"('batch-{i}', {{'i': {i}}})" for i in range(n))
    result = engine.query(f"INSERT INTO `beer-sample` (KEY, VALUE) VALUES {values}")
    assert result.metrics["mutationCount"] == n
    assert hops.calls == 3


def test_dml_stopped_midway_writes_nothing_after_the_stop(fresh):
    engine = fresh
    hops = Hops()
    engine.on_loop = hops
    cancel = Cancel()
    hops.before.append(lambda: hops.calls == 2 and cancel.stop(timeout_error(2)))
    values = ", ".join(f"('stop-{i}', {{'i': {i}}})" for i in range(3 * WRITE_BATCH))
    with pytest.raises(N1QLError) as err:
        engine.query(f"INSERT INTO `beer-sample` (KEY, VALUE) VALUES {values}", cancel=cancel)
    assert err.value.code == 1080
    assert engine.query("SELECT RAW COUNT(*) FROM `beer-sample` "
                        "WHERE META().id LIKE 'stop-%'").results == [WRITE_BATCH]


def test_an_index_build_keeps_the_writes_made_while_it_runs(fresh):
    engine = fresh
    ds = engine.datastore
    scan = ds.scan

    def scan_then_write(path: Any) -> Any:
        records = scan(path)  # the snapshot the build starts from...
        for i in range(5):  # ...and writes it does not contain
            ds.upsert(BS, f"late-{i}", json.dumps({"type": "late", "n": i}).encode())
        ds.remove(BS, "big_river")
        return records

    ds.scan = scan_then_write  # type: ignore[method-assign]
    engine.query("CREATE INDEX by_type ON `beer-sample`(type)")
    late = engine.query("SELECT RAW n FROM `beer-sample` USE INDEX (by_type) "
                        "WHERE type = 'late' ORDER BY n")
    assert late.results == [0, 1, 2, 3, 4]
    assert engine.query("SELECT RAW META().id FROM `beer-sample` USE INDEX (by_type) "
                        "WHERE type = 'brewery' AND META().id = 'big_river'").results == []


def test_a_failed_build_leaves_no_half_index(fresh):
    engine = fresh
    cancel = Cancel()
    scan = engine.datastore.scan

    def scan_and_stop(path: Any) -> Any:
        cancel.stop(timeout_error(1))
        return scan(path)

    engine.datastore.scan = scan_and_stop  # type: ignore[method-assign]
    with pytest.raises(N1QLError):
        engine.query("CREATE INDEX doomed ON `beer-sample`(abv)", cancel=cancel)
    assert engine.catalog.get(BS, "doomed") is None
    engine.query("CREATE INDEX later ON `beer-sample`(abv) WITH {'defer_build': true}")
    with pytest.raises(N1QLError):
        engine.query("BUILD INDEX ON `beer-sample`(later)", cancel=Cancel(timeout=0))
    index = engine.catalog.get(BS, "later")
    assert index is not None and index.state == "deferred"


# -- system keyspaces -------------------------------------------------------------------


def test_system_keyspaces_show_only_readable_buckets(fresh):
    engine = fresh

    def only_travel(bucket: str) -> bool:
        return bucket == "travel"

    keyspaces = engine.query("SELECT RAW k.name FROM system:keyspaces k ORDER BY k.name",
                             may_read=only_travel).results
    assert keyspaces == ["airline", "travel"]  # the bucket and its collection
    indexes = engine.query("SELECT RAW i.bucket_id FROM system:indexes i",
                           may_read=only_travel).results
    assert indexes == ["travel"]
    everything = engine.query("SELECT RAW k.name FROM system:keyspaces k ORDER BY k.name")
    assert everything.results == ["airline", "beer-sample", "empty", "travel"]


# -- worker threads and the loop bridge ---------------------------------------------------


def test_the_pool_runs_calls_off_the_loop_one_at_a_time_and_the_bridge_brings_them_back():
    async def main() -> tuple[int, list, int]:
        loop = asyncio.get_running_loop()
        pool = WorkerPool(size=3)
        bridge = LoopBridge()
        running: list[int] = []
        overlaps: list[int] = []

        def work() -> tuple[int, int]:
            running.append(1)  # computing: the only one (Turns)
            overlaps.append(len(running))
            try:
                return threading.get_ident(), bridge(threading.get_ident)
            finally:
                running.pop()

        results = await asyncio.gather(*(pool.run(loop, work) for _ in range(6)))
        with pytest.raises(ZeroDivisionError):
            await pool.run(loop, lambda: bridge(lambda: 1 // 0))
        assert overlaps == [1] * 6
        return threading.get_ident(), results, bridge(threading.get_ident)

    here, results, direct = asyncio.run(main())
    assert all(worker != here and back == here for worker, back in results)
    assert direct == here
