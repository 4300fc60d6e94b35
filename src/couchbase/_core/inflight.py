"""Requests waiting for their responses, keyed by opaque."""

from __future__ import annotations

from typing import Generic, ItemsView, TypeVar

T = TypeVar("T")

_U32 = 0xFFFFFFFF


class InflightTable(Generic[T]):
    """Opaque allocation and lookup for one connection.

    Opaques count up from 1, wrap at 2**32 and skip values still in use, so a
    late response can never be matched to a newer request.

    >>> table: InflightTable[str] = InflightTable()
    >>> op = table.allocate(); table.add(op, "get foo")
    >>> table.pop(op), table.pop(op)
    ('get foo', None)
    """

    __slots__ = ("_entries", "_next")

    def __init__(self, start: int = 1) -> None:
        self._entries: dict[int, T] = {}
        self._next = start & _U32

    def allocate(self) -> int:
        """A u32 opaque not currently in the table (on every request's path: the
        common case is one comparison and one lookup)."""
        opaque = self._next
        if opaque in self._entries or opaque >= _U32:
            return self._allocate_slowly(opaque)
        self._next = opaque + 1
        return opaque

    def _allocate_slowly(self, opaque: int) -> int:
        entries = self._entries
        if len(entries) > _U32:
            raise RuntimeError("every opaque is in use")
        while opaque in entries:
            opaque = (opaque + 1) & _U32
        self._next = (opaque + 1) & _U32
        return opaque

    def put(self, entry: T) -> int:
        """Allocate an opaque for ``entry`` and keep it there; the opaque. (The fast path
        of :meth:`allocate`, written out: this runs for every request in flight.)"""
        opaque = self._next
        entries = self._entries
        if opaque in entries or opaque >= _U32:
            opaque = self._allocate_slowly(opaque)
        else:
            self._next = opaque + 1
        entries[opaque] = entry
        return opaque

    def put_all(self, entries: list[T]) -> range | list[int]:
        """:meth:`put` for a batch: the opaques, in order. With nothing in flight
        (a blocking batch, the common case) they are consecutive: one range, one
        dict update."""
        start = self._next
        end = start + len(entries)
        if not self._entries and end < _U32:
            opaques = range(start, end)
            self._entries.update(zip(opaques, entries))
            self._next = end
            return opaques
        return [self.put(entry) for entry in entries]

    def reserve(self, count: int) -> int | None:
        """The first of ``count`` consecutive opaques taken for a batch that keeps
        no entries here (a blocking GET batch: its answers' opaques are indexes);
        None unless nothing is in flight and they fit before the wrap."""
        start = self._next
        if self._entries or start + count >= _U32:
            return None
        self._next = start + count
        return start

    def add(self, opaque: int, entry: T) -> None:
        if opaque in self._entries:
            raise KeyError(f"opaque {opaque} is already in flight")
        self._entries[opaque] = entry

    def pop(self, opaque: int) -> T | None:
        """The entry for ``opaque``, removed; ``None`` when unknown (late or stray reply)."""
        return self._entries.pop(opaque, None)

    @property
    def entries(self) -> dict[int, T]:
        """The opaque -> entry dict itself, for a driver's loop over a batch of
        answers (``entries.pop(opaque, None)`` is :meth:`pop` without its call);
        opaques are allocated only by :meth:`put` and :meth:`allocate`."""
        return self._entries

    def get(self, opaque: int) -> T | None:
        """The entry without removing it (for responses that are not the last one)."""
        return self._entries.get(opaque)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, opaque: object) -> bool:
        return opaque in self._entries

    def items(self) -> ItemsView[int, T]:
        return self._entries.items()

    def drain(self) -> list[T]:
        """Remove and return everything outstanding, oldest first (connection lost)."""
        entries = list(self._entries.values())
        self._entries.clear()
        return entries
