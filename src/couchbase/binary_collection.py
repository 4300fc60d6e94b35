"""``collection.binary()``: the 4.x operations on raw bytes and counters.

``append`` / ``prepend`` glue bytes (or text) to a stored value; ``increment`` /
``decrement`` change a counter (``delta``, default 1; a missing counter is created
with ``initial``, default 0, unless ``initial`` is negative: then it is
DocumentNotFoundException)::

    coll.binary().increment("hits", IncrementOptions(initial=SignedInt64(0))).content
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _kv, _kv4x
from ._core.opcode import Opcode
from ._errors4x import InvalidArgumentException, to_4x
from ._multi4x import _items
from ._operation import Operation
from ._results4x import MultiCounterResult, MultiMutationResult
from .exceptions import CouchbaseError
from .options import merge

if TYPE_CHECKING:
    from .collection import Collection


class BinaryCollection:
    """The binary operations of one :class:`~couchbase.collection.Collection`."""

    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    def _concat_op(self, opcode: int, key: Any, value: Any,
                   options: dict[str, Any]) -> tuple[Operation, Any]:
        if not isinstance(value, (str, bytes, bytearray)):
            raise InvalidArgumentException(message="append/prepend take str or bytes, not "
                                           f"{type(value).__name__}")
        cas = options.get("cas") or 0
        try:
            req = _kv.concat_request(opcode, key, value, cas, None)
        except CouchbaseError as exc:
            raise to_4x(exc) from None
        req.framing, client = _kv4x.frames(options)
        _kv4x.timed(req, options)
        coll = self._collection
        return Operation(key, req, _kv4x.mutation_finish, coll, opcode, bool(cas)), client

    def _counter_op(self, key: Any, options: dict[str, Any],
                    sign: int) -> tuple[Operation, Any]:
        req, client = _kv4x.counter_request(key, options, sign)
        _kv4x.timed(req, options)
        return Operation(key, req, _kv4x.counter_finish, self._collection), client

    def append(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> Any:
        """Add ``value`` at the end of the stored bytes: a MutationResult."""
        op, client = self._concat_op(Opcode.APPEND, key, value, merge(opts, kwargs))
        return self._collection._mutation(op, client)

    def prepend(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> Any:
        """Add ``value`` at the start of the stored bytes: a MutationResult."""
        op, client = self._concat_op(Opcode.PREPEND, key, value, merge(opts, kwargs))
        return self._collection._mutation(op, client)

    def increment(self, key: str, *opts: Any, **kwargs: Any) -> Any:
        """Add ``delta`` to a counter: a CounterResult (``content``, the new value)."""
        op, client = self._counter_op(key, merge(opts, kwargs), 1)
        return self._collection._mutation(op, client)

    def decrement(self, key: str, *opts: Any, **kwargs: Any) -> Any:
        """Subtract ``delta`` from a counter (it stops at 0): a CounterResult."""
        op, client = self._counter_op(key, merge(opts, kwargs), -1)
        return self._collection._mutation(op, client)

    def append_multi(self, keys_and_values: dict[str, Any], *opts: Any, **kwargs: Any) -> Any:
        return self._collection._multi(
            _items(keys_and_values, True), opts, kwargs,
            lambda k, v, o: self._concat_op(Opcode.APPEND, k, v, o), MultiMutationResult)

    def prepend_multi(self, keys_and_values: dict[str, Any], *opts: Any, **kwargs: Any) -> Any:
        return self._collection._multi(
            _items(keys_and_values, True), opts, kwargs,
            lambda k, v, o: self._concat_op(Opcode.PREPEND, k, v, o), MultiMutationResult)

    def increment_multi(self, keys: Any, *opts: Any, **kwargs: Any) -> Any:
        return self._collection._multi(_items(keys, False), opts, kwargs,
                                       lambda k, _, o: self._counter_op(k, o, 1),
                                       MultiCounterResult)

    def decrement_multi(self, keys: Any, *opts: Any, **kwargs: Any) -> Any:
        return self._collection._multi(_items(keys, False), opts, kwargs,
                                       lambda k, _, o: self._counter_op(k, o, -1),
                                       MultiCounterResult)

    def __repr__(self) -> str:
        return f"BinaryCollection({self._collection!r})"


__all__ = ["BinaryCollection"]
