"""The 2.x data structures (maps, lists, sets, queues) on every front end, and their
read-then-change loops driven by hand."""

from __future__ import annotations

from typing import Any

import pytest

import couchbase.subdocument as SD
from couchbase._kvapi import ApiOptions
from couchbase._operation import Operation
from couchbase._subdoc_result import SubdocResult
from couchbase.bucket import Bucket
from couchbase.exceptions import (
    ArgumentError,
    KeyExistsError,
    NotFoundError,
    QueueEmpty,
)
from couchbase.items import Item
from couchbase.result import OperationResult, ValueResult


def test_map(cb, key):
    added = cb.map_add(key, "some_key", "some_value", create=True)
    assert isinstance(added, Item) and isinstance(added, OperationResult)
    assert added.success and added.cas == cb.get(key).cas
    cb.map_add(key, "other", {"n": 1})
    got = cb.map_get(key, "some_key")
    assert isinstance(got, ValueResult) and got.value == "some_value"
    assert got.cas == cb.get(key).cas
    assert cb.get(key).value == {"some_key": "some_value", "other": {"n": 1}}
    assert cb.map_size(key) == 2
    cb.map_remove(key, "some_key")
    assert cb.get(key).value == {"other": {"n": 1}} and cb.map_size(key) == 1
    with pytest.raises(IndexError):
        cb.map_get(key, "some_key")
    with pytest.raises(IndexError):
        cb.map_remove(key, "some_key")


def test_missing_documents_need_create(cb, key):
    for call in (lambda: cb.map_add(key, "a", 1), lambda: cb.list_append(key, 1),
                 lambda: cb.set_add(key, 1), lambda: cb.queue_push(key, 1),
                 lambda: cb.map_get(key, "a"), lambda: cb.list_get(key, 0),
                 lambda: cb.map_size(key), lambda: cb.set_contains(key, 1),
                 lambda: cb.queue_pop(key), lambda: cb.set_remove(key, 1)):
        with pytest.raises(NotFoundError):
            call()


def test_list(cb, key):
    cb.list_append(key, "hello", create=True)
    cb.list_append(key, "world")
    cb.list_prepend(key, "first")
    assert cb.get(key).value == ["first", "hello", "world"]
    assert cb.list_get(key, 0).value == "first" and cb.list_get(key, -1).value == "world"
    cb.list_set(key, 1, "good")
    assert cb.get(key).value == ["first", "good", "world"] and cb.list_size(key) == 3
    cb.list_remove(key, 0)
    assert cb.get(key).value == ["good", "world"]
    with pytest.raises(IndexError):
        cb.list_get(key, 5)
    with pytest.raises(IndexError):
        cb.list_set(key, 5, "x")
    with pytest.raises(IndexError):
        cb.list_remove(key, 5)
    with pytest.raises(ArgumentError):
        cb.list_get(key, "0")


def test_set(cb, key):
    assert cb.set_add(key, 1, create=True).success
    assert cb.set_add(key, "two") is not None
    assert cb.set_add(key, 1) is None  # already there
    assert cb.set_size(key) == 2
    assert cb.set_contains(key, "two") and not cb.set_contains(key, 3)
    assert cb.set_remove(key, 3) is None
    assert cb.set_remove(key, 1).success
    assert cb.get(key).value == ["two"] and cb.set_size(key) == 1


def test_queue_is_first_in_first_out(cb, key):
    for job in ("job1", "job2", "job3"):
        cb.queue_push(key, job, create=True)
    assert cb.queue_size(key) == 3
    popped = cb.queue_pop(key)
    assert isinstance(popped, Item) and popped.value == "job1"
    assert [cb.queue_pop(key).value for _ in range(2)] == ["job2", "job3"]
    assert cb.queue_size(key) == 0
    with pytest.raises(QueueEmpty):
        cb.queue_pop(key)


def test_mutate_in_options_pass_through(cb, key):
    stored = cb.upsert(key, {})
    cb.upsert(key, {})
    with pytest.raises(KeyExistsError):
        cb.map_add(key, "a", 1, cas=stored.cas)
    item = cb.map_add(key, "a", 1, ttl=300, persist_to=1)
    assert cb.get(key).cas == item.cas
    with pytest.raises(ArgumentError):
        cb.queue_pop(key, ttl=-1)


def test_create_races_with_another_creator(cb, key):
    # the document appears between the failed attempt and the insert: theirs is used
    cb.upsert(key, ["theirs"])
    cb.list_append(key, "mine", create=True)
    assert cb.get(key).value == ["theirs", "mine"]


# -- the read-then-change loops, driven by hand ---------------------------------------
class Conflict:
    """Answers set_remove/queue_pop's flows: the first change meets a CAS conflict."""

    def __init__(self, flow: Any) -> None:
        self.flow = flow
        self.sent: list[int] = []

    def run(self, answers: list[Any]) -> Any:
        reply: Any = None
        error: Any = None
        for answer in answers + [None]:
            try:
                op = self.flow.throw(error) if error is not None else self.flow.send(reply)
            except StopIteration as stop:
                return stop.value
            assert isinstance(op, Operation)
            self.sent.append(op.req.opcode)
            reply, error = (None, answer) if isinstance(answer, BaseException) else (answer, None)
        raise AssertionError("the flow wanted more answers")


def bucket() -> Bucket:
    b = Bucket.__new__(Bucket)  # only its flows are used: nothing is sent
    b._opts = ApiOptions()
    return b


def test_set_remove_reads_again_after_a_cas_conflict():
    b = bucket()
    flow = b._set_remove_flow("k", "x", {"durability": (0, 0)})
    first = ValueResult("k", 0, 1, ["a", "x"], 0)
    second = ValueResult("k", 0, 2, ["x"], 0)
    conflict = KeyExistsError("changed", key="k")
    done = SubdocResult("k", 0, 3, ["[0]"], [(0, None)])
    driver = Conflict(flow)
    result = driver.run([first, conflict, second, done])
    assert result.cas == 3
    assert driver.sent == [0x00, 0xC9, 0x00, 0xC9]  # GET, remove, GET, remove


def test_queue_pop_reads_again_after_a_cas_conflict():
    b = bucket()
    flow = b._pop_flow(b._lookup_op("q", (SD.get("[-1]"),)), {"durability": (0, 0)})
    read1 = SubdocResult("q", 0, 5, ["[-1]"], [(0, "a")])
    read2 = SubdocResult("q", 0, 6, ["[-1]"], [(0, "b")])
    removed = SubdocResult("q", 0, 7, ["[-1]"], [(0, None)])
    driver = Conflict(flow)
    item = driver.run([read1, KeyExistsError("changed", key="q"), read2, removed])
    assert item.value == "b" and item.cas == 6
