"""The Item API: application objects that carry their own results.

Pass an :class:`ItemSequence` or :class:`ItemOptionDict` to any ``*_multi``
method; each operation's outcome (``rc``, ``cas``, and for retrievals
``value`` and ``flags``) is written into the item itself.
"""

from __future__ import annotations

import abc
from typing import Any, Dict, Iterable, Iterator, Optional

from .result import ValueResult

_Options = Dict[str, Any]
_ItemOptions = Dict["Item", _Options]


class Item(ValueResult):
    """A document: ``key``, ``value``, ``cas``, ``flags``, ``rc``. Subclass it freely."""

    __slots__ = ("__dict__",)

    def __init__(self, key: Any = None, value: Any = None) -> None:
        super().__init__(key, 0, 0, value, 0)


class ItemCollection(abc.ABC):
    """Base of the two collections the ``*_multi`` methods accept."""

    @abc.abstractmethod
    def iter_items(self) -> Iterator[tuple[Item, dict[str, Any]]]:
        """Each item with the options for its operation."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """How many items."""


class ItemSequence(ItemCollection):
    """Items with no per-item options."""

    def __init__(self, items: Iterable[Item]) -> None:
        self._items = list(items)

    def iter_items(self) -> Iterator[tuple[Item, dict[str, Any]]]:
        for item in self._items:
            yield item, {}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self._items)


class ItemOptionDict(ItemCollection):
    """Items with options of their own (``cas``, ``format``, ``ttl``, ``fragment``, ...)."""

    def __init__(self, d: Optional[_ItemOptions] = None) -> None:
        self._d: _ItemOptions = {**(d or {})}

    @property
    def dict(self) -> _ItemOptions:
        return self._d

    def add(self, item: Item, **options: Any) -> None:
        """Add ``item`` with ``options`` for its operation."""
        self._d[item] = options

    def iter_items(self) -> Iterator[tuple[Item, _Options]]:
        return iter(self._d.items())

    def __len__(self) -> int:
        return len(self._d)

    def __iter__(self) -> Iterator[Item]:
        return iter(self._d)
