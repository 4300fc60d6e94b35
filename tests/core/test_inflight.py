"""The in-flight table: opaque allocation, matching, draining."""

from __future__ import annotations

import pytest

from couchbase._core.inflight import InflightTable


def test_add_pop() -> None:
    table: InflightTable[str] = InflightTable()
    a, b = table.allocate(), table.allocate()
    assert a != b
    table.add(a, "A")
    table.add(b, "B")
    assert len(table) == 2 and a in table
    assert table.get(a) == "A" and len(table) == 2
    assert table.pop(b) == "B"
    assert table.pop(b) is None  # a late duplicate is ignored
    assert table.pop(12345) is None
    assert dict(table.items()) == {a: "A"}


def test_add_twice_is_an_error() -> None:
    table: InflightTable[int] = InflightTable()
    table.add(1, 1)
    with pytest.raises(KeyError):
        table.add(1, 2)


def test_allocation_counts_up() -> None:
    table: InflightTable[None] = InflightTable()
    assert [table.allocate() for _ in range(3)] == [1, 2, 3]


def test_wraps_at_u32_and_skips_used() -> None:
    table: InflightTable[str] = InflightTable(start=0xFFFFFFFE)
    table.add(0xFFFFFFFF, "busy")
    table.add(0, "busy")
    first = table.allocate()
    assert first == 0xFFFFFFFE
    table.add(first, "x")
    assert table.allocate() == 1  # 0xffffffff and 0 are still in flight
    assert all(0 <= table.allocate() <= 0xFFFFFFFF for _ in range(10))


def test_drain() -> None:
    table: InflightTable[str] = InflightTable()
    for name in "abc":
        table.add(table.allocate(), name)
    assert table.drain() == ["a", "b", "c"]
    assert len(table) == 0 and table.drain() == []


def test_put_allocates_and_keeps() -> None:
    table: InflightTable[str] = InflightTable(start=16)
    a, b = table.put("A"), table.put("B")
    assert (a, b) == (16, 17) and table.pop(a) == "A" and table.get(b) == "B"
    table.add(18, "busy")
    assert table.put("C") == 19  # 18 is in flight: skipped
