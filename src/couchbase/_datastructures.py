"""The 2.x data structures: maps, lists, sets and queues kept in one JSON document.

Each method is a flow over sub-document operations
(:mod:`couchbase._subdoc_ops`), so every front end runs it the same way. As
in SDK 2.x:

- ``create=True`` creates a missing document (``{}`` for a map, ``[]``
  otherwise) and tries again; without it a missing document raises
  :exc:`~couchbase.exceptions.NotFoundError`.
- A missing map key or list index raises :exc:`IndexError`.
- ``set_remove`` and ``queue_pop`` read, then change the document at the CAS
  they read, and start over when another client changed it in between.
- ``queue_pop`` on an empty queue raises
  :exc:`~couchbase.exceptions.QueueEmpty`; ``set_add`` of a value already in
  the set and ``set_remove`` of one not in it return None.
- Results are :class:`~couchbase.items.Item` objects (``cas``, and ``value``
  for reads); the ``*_size`` methods and ``set_contains`` return plain values.

Extra keyword arguments of the mutating methods (``cas``, ``ttl``,
``persist_to``, ``replicate_to``) go to :meth:`mutate_in`.
"""

from __future__ import annotations

from typing import Any, Callable, Generator, Optional

from . import _kv
from . import subdocument as SD
from ._core.opcode import Opcode
from ._operation import Operation
from .exceptions import (
    ArgumentError,
    KeyExistsError,
    NotFoundError,
    QueueEmpty,
    SubdocPathExistsError,
    SubdocPathNotFoundError,
)
from .formats import FMT_JSON
from .items import Item

Flow = Generator[Any, Any, Any]
_Maker = Optional[Callable[[], Any]]


def _item(key: Any, result: Any, value: Any = None) -> Item:
    item = Item(key, value)
    item.cas = result.cas
    return item


class DataStructures:
    """Maps, lists, sets and queues (see the module docstring)."""

    # the owner's hooks and operations (KeyValueAPI, SubdocOperations)
    _drive: Callable[..., Any]
    _op: Callable[..., Operation]
    _lookup_op: Callable[..., Operation]
    _mutate_op: Callable[..., Operation]
    _durable_flow: Callable[..., Flow]
    _opts: Any

    # -- building blocks -----------------------------------------------------------
    def _change(self, key: Any, spec: Any, create: _Maker = None, **kwargs: Any) -> Any:
        """mutate_in(key, spec, **kwargs) as a data structure does it: an Item."""
        persist_to = kwargs.pop("persist_to", 0)
        replicate_to = kwargs.pop("replicate_to", 0)
        op = self._mutate_op(key, (spec,), **kwargs)
        return self._drive(self._change_flow(op, create, spec[1], persist_to, replicate_to))

    def _change_flow(self, op: Operation, create: _Maker, where: Any, persist_to: int,
                     replicate_to: int) -> Flow:
        def attempt() -> Flow:
            if persist_to or replicate_to:
                return (yield from self._durable_flow(op, persist_to, replicate_to, False))
            return (yield op)

        result = yield from self._created(op.key, attempt, create, where)
        return _item(op.key, result)

    def _created(self, key: Any, attempt: Callable[[], Flow], create: _Maker,
                 where: Any) -> Flow:
        """``attempt()``'s outcome; a missing document first created by ``create()``
        (if given), a missing path raised as IndexError(``where``)."""
        try:
            try:
                return (yield from attempt())
            except NotFoundError:
                if create is None:
                    raise
            req = _kv.store_request(Opcode.ADD, key, create(), 0, 0, FMT_JSON,
                                    self._opts.encode_value)
            try:
                yield self._op(key, req, _kv.mutation_result)
            except KeyExistsError:
                pass  # someone else created it: use theirs
            return (yield from attempt())
        except SubdocPathNotFoundError:
            raise IndexError(where) from None

    def _read(self, key: Any, spec: Any) -> Any:
        return self._drive(self._read_flow(self._lookup_op(key, (spec,)), spec[1]))

    def _read_flow(self, op: Operation, where: Any) -> Flow:
        """The value of a one-spec lookup, as an Item; a missing path is IndexError."""
        result = yield op
        try:
            return _item(op.key, result, result[0])
        except SubdocPathNotFoundError:
            raise IndexError(where) from None

    def _count(self, key: Any) -> Any:
        return self._drive(self._count_flow(self._lookup_op(key, (SD.get_count(""),))))

    def _count_flow(self, op: Operation) -> Flow:
        return (yield op)[0]

    def _document(self, key: Any) -> Operation:
        opts = self._opts
        return self._op(key, _kv.get_request(key), _kv.value_result, False, False,
                        opts.decode_value)

    # -- maps ------------------------------------------------------------------------
    def map_add(self, key: Any, mapkey: str, value: Any, create: bool = False,
                **kwargs: Any) -> Any:
        """Set ``mapkey`` to ``value`` in the map (a JSON object) stored at ``key``.

        Example::

            cb.map_add('a_map', 'some_key', 'some_value', create=True)
            cb.map_get('a_map', 'some_key').value  # => 'some_value'
        """
        return self._change(key, SD.upsert(mapkey, value), dict if create else None, **kwargs)

    def map_get(self, key: Any, mapkey: str) -> Any:
        """The Item whose ``value`` is ``mapkey``'s; IndexError if there is none."""
        return self._read(key, SD.get(mapkey))

    def map_remove(self, key: Any, mapkey: str, **kwargs: Any) -> Any:
        """Remove ``mapkey`` from the map; IndexError if it is not there."""
        return self._change(key, SD.remove(mapkey), **kwargs)

    def map_size(self, key: Any) -> Any:
        """How many keys the map has."""
        return self._count(key)

    # -- lists -----------------------------------------------------------------------
    def list_append(self, key: Any, value: Any, create: bool = False, **kwargs: Any) -> Any:
        """Add ``value`` at the end of the list (a JSON array) stored at ``key``."""
        return self._change(key, SD.array_append("", value), list if create else None, **kwargs)

    def list_prepend(self, key: Any, value: Any, create: bool = False, **kwargs: Any) -> Any:
        """Add ``value`` at the start of the list."""
        return self._change(key, SD.array_prepend("", value), list if create else None,
                            **kwargs)

    def list_set(self, key: Any, index: int, value: Any, **kwargs: Any) -> Any:
        """Replace the element at ``index``; IndexError if there is none.

        Example::

            cb.upsert('a_list', ['hello', 'world'])
            cb.list_set('a_list', 1, 'good')
            cb.get('a_list').value  # => ['hello', 'good']
        """
        return self._change(key, SD.replace(_element(index), value), **kwargs)

    def list_get(self, key: Any, index: int) -> Any:
        """The Item whose ``value`` is the element at ``index`` (-1: the last)."""
        return self._read(key, SD.get(_element(index)))

    def list_remove(self, key: Any, index: int, **kwargs: Any) -> Any:
        """Remove the element at ``index``; IndexError if there is none."""
        return self._change(key, SD.remove(_element(index)), **kwargs)

    def list_size(self, key: Any) -> Any:
        """How many elements the list has."""
        return self._count(key)

    # -- sets ------------------------------------------------------------------------
    def set_add(self, key: Any, value: Any, create: bool = False, **kwargs: Any) -> Any:
        """Add ``value`` (a string, number, boolean or None) unless the set has it:
        an Item if it was added, None if it was there already."""
        persist_to = kwargs.pop("persist_to", 0)
        replicate_to = kwargs.pop("replicate_to", 0)
        spec = SD.array_addunique("", value)
        op = self._mutate_op(key, (spec,), **kwargs)
        return self._drive(self._set_add_flow(op, list if create else None, persist_to,
                                              replicate_to))

    def _set_add_flow(self, op: Operation, create: _Maker, persist_to: int,
                      replicate_to: int) -> Flow:
        try:
            return (yield from self._change_flow(op, create, "", persist_to, replicate_to))
        except SubdocPathExistsError:
            return None

    def set_remove(self, key: Any, value: Any, **kwargs: Any) -> Any:
        """Remove ``value`` from the set: an Item, or None if the set did not have it."""
        return self._drive(self._set_remove_flow(key, value, self._checked(key, kwargs)))

    def _checked(self, key: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        """``kwargs`` for the mutations of a read-then-change loop, checked now (so a
        bad one raises at the call, not later); the loop supplies the CAS."""
        kwargs.pop("cas", None)
        durability = {k: kwargs.pop(k) for k in ("persist_to", "replicate_to") if k in kwargs}
        self._mutate_op(key, (SD.remove(_element(-1)),), **kwargs)
        kwargs["durability"] = (durability.get("persist_to", 0),
                                durability.get("replicate_to", 0))
        return kwargs

    def _set_remove_flow(self, key: Any, value: Any, kwargs: dict[str, Any]) -> Flow:
        durability = kwargs.pop("durability")
        while True:
            current = yield self._document(key)
            try:
                index = current.value.index(value)
            except (ValueError, AttributeError):
                return None
            op = self._mutate_op(key, (SD.remove(_element(index)),), cas=current.cas,
                                 **kwargs)
            try:
                return (yield from self._change_flow(op, None, index, *durability))
            except (KeyExistsError, IndexError):
                continue  # changed since we read it: read again

    def set_contains(self, key: Any, value: Any) -> Any:
        """Whether the set has ``value``."""
        return self._drive(self._contains_flow(self._document(key), value))

    def _contains_flow(self, op: Operation, value: Any) -> Flow:
        return value in (yield op).value

    def set_size(self, key: Any) -> Any:
        """How many values the set has."""
        return self._count(key)

    # -- queues ----------------------------------------------------------------------
    def queue_push(self, key: Any, value: Any, create: bool = False, **kwargs: Any) -> Any:
        """Add ``value`` to the queue (items are popped in the order they were pushed).

        Example::

            cb.queue_push('a_queue', 'job9999', create=True)
            cb.queue_pop('a_queue').value  # => 'job9999'
        """
        return self.list_prepend(key, value, create=create, **kwargs)

    def queue_pop(self, key: Any, **kwargs: Any) -> Any:
        """Remove and return the oldest item (an Item with its ``value``);
        :exc:`~couchbase.exceptions.QueueEmpty` if there is none."""
        last = self._lookup_op(key, (SD.get(_element(-1)),))
        return self._drive(self._pop_flow(last, self._checked(key, kwargs)))

    def _pop_flow(self, last: Operation, kwargs: dict[str, Any]) -> Flow:
        key = last.key
        durability = kwargs.pop("durability")
        while True:
            try:
                item = yield from self._read_flow(last, -1)
                op = self._mutate_op(key, (SD.remove(_element(-1)),), cas=item.cas, **kwargs)
                yield from self._change_flow(op, None, -1, *durability)
            except IndexError:
                raise QueueEmpty(f"the queue {key!r} is empty") from None
            except KeyExistsError:
                continue  # another client popped or pushed in between: read again
            return item

    def queue_size(self, key: Any) -> Any:
        """How many items the queue holds."""
        return self._count(key)


def _element(index: Any) -> str:
    if isinstance(index, bool) or not isinstance(index, int):
        raise ArgumentError(f"a list index is an integer, not {index!r}", objextra=index)
    return f"[{index}]"


__all__ = ["DataStructures"]
