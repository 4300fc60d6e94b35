"""The Item API: application objects that carry their own results.

Pass an :class:`ItemSequence` or :class:`ItemOptionDict` to any ``*_multi``
method; each operation's outcome (``rc``, ``cas``, and for retrievals
``value`` and ``flags``) is written into the item itself. Mutations use the
item's ``cas`` (so a stale item fails with ``KeyExistsError``) unless the
item's options say ``ignore_cas=True``.

As in 2.x, iterating a collection yields ``(item, options)`` pairs
(``options`` is ``None`` for an :class:`ItemSequence`).
"""

from __future__ import annotations

import abc
from typing import Any, Dict, Iterable, Iterator, Optional, Union

from .result import ValueResult

_Options = Dict[str, Any]
_ItemOptions = Dict["Item", Optional[_Options]]


class Item(ValueResult):
    """A document: ``key``, ``value``, ``cas``, ``flags``, ``rc``. Subclass it freely."""

    __slots__ = ("__dict__",)

    def __init__(self, key: Any = None, value: Any = None) -> None:
        super().__init__(key, 0, 0, value, 0)

    def as_itcoll(self, **options: Any) -> ItemCollection:
        """This item alone as a collection for the ``*_multi`` methods, with
        ``options`` for its operation if any: ``cb.upsert_multi(item.as_itcoll())``."""
        if options:
            return ItemOptionDict({self: options})
        return ItemSequence([self])


class ItemCollection(abc.ABC):
    """Base of the two collections the ``*_multi`` methods accept."""

    def iter_items(self) -> Iterator[tuple[Item, _Options]]:
        """Each item with the options for its operation (``{}`` for none)."""
        for item, options in self:
            yield item, options or {}

    def dict_items(self) -> Iterator[tuple[Item, Optional[_Options]]]:
        """Each ``(item, options)`` pair, as iterating does."""
        return iter(self)

    @abc.abstractmethod
    def __iter__(self) -> Iterator[tuple[Item, Optional[_Options]]]:
        """``(item, options)`` pairs."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """How many items."""


class ItemSequence(ItemCollection):
    """Items with no per-item options (one Item is taken as a sequence of one)."""

    def __init__(self, obj: Union[Item, Iterable[Item]]) -> None:
        self._seq = [obj] if isinstance(obj, Item) else list(obj)

    @property
    def sequence(self) -> list[Item]:
        """The items, in order."""
        return self._seq

    def __iter__(self) -> Iterator[tuple[Item, Optional[_Options]]]:
        for item in self._seq:
            yield item, None

    def __len__(self) -> int:
        return len(self._seq)


class ItemOptionDict(ItemCollection):
    """Items with options of their own (``cas``, ``format``, ``ttl``, ``fragment``,
    ``ignore_cas``, ...)."""

    def __init__(self, d: Optional[_ItemOptions] = None) -> None:
        self._d: _ItemOptions = {**(d or {})}

    @property
    def dict(self) -> _ItemOptions:
        """The ``item -> options`` mapping itself (change it to change options)."""
        return self._d

    def add(self, item: Item, **options: Any) -> None:
        """Add ``item`` with ``options`` for its operation (replacing any it had)."""
        self._d[item] = options or None

    def create_and_add(self, key: Any, value: Any = None, cas: int = 0, **options: Any) -> None:
        """Make an Item with ``key``, ``value`` and ``cas`` and :meth:`add` it."""
        item = Item(key, value)
        item.cas = cas
        self.add(item, **options)

    def __iter__(self) -> Iterator[tuple[Item, Optional[_Options]]]:
        return iter(self._d.items())

    def __len__(self) -> int:
        return len(self._d)
