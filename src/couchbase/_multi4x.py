"""The 4.x ``*_multi`` methods of a Collection (and its BinaryCollection).

Each builds one operation per key with the single method's builder (options
for every key, ``per_key_options`` for some), sends them as one pipelined
batch, and returns a ``Multi*Result``: ``results`` by key, ``exceptions`` by
key, ``all_ok``. With ``return_exceptions=False`` the first failure is raised
instead. Mutations with ClientDurability go key by key (each polls OBSERVE).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional

from . import _kv, _kv4x
from ._core.opcode import Opcode
from ._errors4x import InvalidArgumentException, to_4x
from ._multi import GetMany, batch_gets
from ._operation import finish_batch
from ._results4x import (
    GetResult,
    MultiExistsResult,
    MultiGetReplicaResult,
    MultiGetResult,
    MultiMutationResult,
    MultiResult,
    Result,
)
from .exceptions import CouchbaseError
from .options import merge

if TYPE_CHECKING:
    from ._bucketbase import Flow
    from ._operation import Operation

Build = Callable[[Any, Any, dict], Any]  # (key, value, options) -> Operation or (op, client)


def _options(opts: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict, bool]:
    options = dict(merge(opts, kwargs))
    per_key = options.pop("per_key_options", None) or {}
    if not isinstance(per_key, dict):
        raise InvalidArgumentException(message="per_key_options must be a dict of options by key")
    return options, per_key, bool(options.pop("return_exceptions", True))


def _items(keys: Any, with_values: bool) -> list[tuple[Any, Any]]:
    if with_values:
        if not isinstance(keys, dict):
            raise InvalidArgumentException(message="expected a dict of key -> value")
        return list(keys.items())
    if isinstance(keys, (str, bytes)) or not isinstance(keys, Iterable):
        raise InvalidArgumentException(message="expected a list of keys")
    return [(key, None) for key in keys]


class MultiOperations4x:
    """``*_multi`` over the builders of :class:`~couchbase.collection.Collection`."""

    _get_op: Callable[..., Operation]
    _exists_op: Callable[..., Operation]
    _touch_op: Callable[..., Operation]
    _lock_op: Callable[..., Operation]
    _unlock_op: Callable[..., Operation]
    _store_op: Callable[..., Any]
    _remove_op: Callable[..., Any]
    _replica_ops: Callable[..., list[Operation]]
    _cid_flow: Callable[[], Flow]
    _client_durable_flow: Callable[..., Flow]
    _parent: Any
    _drive: Callable[[Flow], Any]
    _cid: Optional[int]
    _transcoder: Any

    def _multi(self, items: list[tuple[Any, Any]], opts: tuple[Any, ...],
               kwargs: dict[str, Any], build: Build,
               result: Callable[[dict, dict], Any]) -> Any:
        return self._multi_of(items, *_options(opts, kwargs), build, result)

    def _multi_of(self, items: list[tuple[Any, Any]], options: dict[str, Any], per_key: dict,
                  return_exceptions: bool, build: Build,
                  result: Callable[[dict, dict], Any]) -> Any:
        ops: list[Operation] = []
        durable: list[tuple[Operation, Any]] = []
        for key, value in items:
            own = {**options, **per_key[key]} if key in per_key else options
            made = build(key, value, own)
            op, client = made if isinstance(made, tuple) else (made, None)
            (durable.append((op, client)) if client is not None
             else ops.append(_kv4x.capturing(op)))
        return self._drive(self._multi_flow(ops, durable, return_exceptions, result))

    def _multi_flow(self, ops: list[Operation], durable: list[tuple[Operation, Any]],
                    return_exceptions: bool, result: Callable[[dict, dict], Any]) -> Flow:
        cid = yield from self._cid_flow()
        for op in ops:
            op.req.cid = cid
        results: dict[Any, Any] = {}
        errors: dict[Any, BaseException] = {}
        answers, first = (yield ops) if ops else ([], None)
        for op, answer in zip(ops, answers):
            _sort(op, answer, results, errors, first)
        for op, client in durable:
            try:
                results[op.key] = yield from self._client_durable_flow(
                    op, client, op.req.opcode == Opcode.DELETE)
            except CouchbaseError as exc:
                errors[op.key] = to_4x(exc, False)
        if errors and not return_exceptions:
            raise next(iter(errors.values()))
        return result(results, errors)

    # -- reading --------------------------------------------------------------------------
    def get_multi(self, keys: Iterable[str], *opts: Any, **kwargs: Any) -> Any:
        """Every document of ``keys``: a MultiGetResult."""
        # (a list as it is: no (key, None) pair per key on the fast path)
        items = None if type(keys) in (list, tuple) else _items(keys, False)
        options, per_key, return_exceptions = _options(opts, kwargs)
        # The fast path (the sync API, every key with the bucket's transcoder and
        # timeout): the blocking cluster's get_many, no Operation per key.
        get_many = (None if per_key or options.get("transcoder") is not None
                    or options.get("timeout") is not None else batch_gets(self._parent))
        if get_many is not None:
            return self._get_many(get_many, list(keys) if items is None else
                                  [key for key, _ in items], options, return_exceptions)
        return self._multi_of(_items(keys, False) if items is None else items, options,
                              per_key, return_exceptions,
                              lambda k, _, o: self._get_op(k, o), MultiGetResult)

    def _get_many(self, get_many: GetMany, keys: list[Any], options: dict[str, Any],
                  return_exceptions: bool) -> Any:
        """get_multi through ``get_many``: a GetResult for each value in one loop;
        any other answer (a missing key, a compressed value, an error) is finished
        as :meth:`_multi_flow` finishes it, by its :meth:`_get_op` operation."""
        cid = self._cid
        if cid is None:
            cid = self._drive(self._cid_flow())
        try:
            ekeys = _kv.encode_keys(keys)
            with self._parent._guard:
                values, flags, cas, others = get_many(ekeys, cid)
        except CouchbaseError as exc:
            raise to_4x(exc) from None
        decode = self._transcoder.decode_value
        results: dict[Any, Any] = {}
        errors: dict[Any, BaseException] = {}
        rest: list[tuple[Any, Any]] = []
        for key, raw, fl, c, other in zip(keys, values, flags, cas, others):
            if raw is not None:
                results[key] = GetResult(key, c, raw, fl, decode)
            else:
                rest.append((key, other))
        if rest:
            ops = [_kv4x.capturing(self._get_op(key, options)) for key, _ in rest]
            for op in ops:
                op.req.cid = cid
            answers, first = finish_batch(ops, [answer for _, answer in rest])
            for op, answer in zip(ops, answers):
                _sort(op, answer, results, errors, first)
            if any(key in results for key, _ in rest):  # (a compressed value: keys' order)
                results = {key: results[key] for key in keys if key in results}
        if errors and not return_exceptions:
            raise next(iter(errors.values()))
        return MultiGetResult(results, errors)

    def exists_multi(self, keys: Iterable[str], *opts: Any, **kwargs: Any) -> Any:
        return self._multi(_items(keys, False), opts, kwargs,
                           lambda k, _, o: self._exists_op(k, o), MultiExistsResult)

    def get_and_lock_multi(self, keys: Iterable[str], lock_time: Any, *opts: Any,
                           **kwargs: Any) -> Any:
        return self._multi(_items(keys, False), opts, kwargs,
                           lambda k, _, o: self._lock_op(k, lock_time, o), MultiGetResult)

    lock_multi = get_and_lock_multi

    def touch_multi(self, keys: Iterable[str], expiry: Any, *opts: Any, **kwargs: Any) -> Any:
        return self._multi(_items(keys, False), opts, kwargs,
                           lambda k, _, o: self._touch_op(k, expiry, o), MultiMutationResult)

    def unlock_multi(self, keys: Any, *opts: Any, **kwargs: Any) -> Any:
        """Unlock each key with its CAS: ``keys`` is {key: cas} or {key: result} (the
        ``results`` of :meth:`get_and_lock_multi`). Answers, as the official SDK 4.x,
        a dict: key -> None (unlocked) or the exception."""
        items = [(k, getattr(v, "cas", v)) for k, v in _items(
            keys.results if isinstance(keys, MultiResult) else keys, True)]
        return self._multi(items, opts, kwargs,
                           lambda k, cas, o: self._unlock_op(k, cas, o), _unlock_report)

    # -- writing --------------------------------------------------------------------------
    def upsert_multi(self, keys_and_docs: dict[str, Any], *opts: Any, **kwargs: Any) -> Any:
        return self._multi(_items(keys_and_docs, True), opts, kwargs,
                           lambda k, v, o: self._store_op(Opcode.SET, k, v, o),
                           MultiMutationResult)

    def insert_multi(self, keys_and_docs: dict[str, Any], *opts: Any, **kwargs: Any) -> Any:
        return self._multi(_items(keys_and_docs, True), opts, kwargs,
                           lambda k, v, o: self._store_op(Opcode.ADD, k, v, o),
                           MultiMutationResult)

    def replace_multi(self, keys_and_docs: dict[str, Any], *opts: Any, **kwargs: Any) -> Any:
        return self._multi(_items(keys_and_docs, True), opts, kwargs,
                           lambda k, v, o: self._store_op(Opcode.REPLACE, k, v, o),
                           MultiMutationResult)

    def remove_multi(self, keys: Iterable[str], *opts: Any, **kwargs: Any) -> Any:
        return self._multi(_items(keys, False), opts, kwargs,
                           lambda k, _, o: self._remove_op(k, o), MultiMutationResult)

    # -- replicas ---------------------------------------------------------------------------
    def get_any_replica_multi(self, keys: Iterable[str], *opts: Any, **kwargs: Any) -> Any:
        return self._drive(self._replicas_multi_flow(keys, opts, kwargs, True))

    def get_all_replicas_multi(self, keys: Iterable[str], *opts: Any, **kwargs: Any) -> Any:
        return self._drive(self._replicas_multi_flow(keys, opts, kwargs, False))

    def _replicas_multi_flow(self, keys: Any, opts: tuple[Any, ...], kwargs: dict[str, Any],
                             first: bool) -> Flow:
        options, per_key, return_exceptions = _options(opts, kwargs)
        by_key = {key: self._replica_ops(key, {**options, **per_key.get(key, {})})
                  for key, _ in _items(keys, False)}
        cid = yield from self._cid_flow()
        ops = [op for group in by_key.values() for op in group]
        for op in ops:
            op.req.cid = cid
        answers, _ = yield ops
        results: dict[Any, Any] = {}
        errors: dict[Any, BaseException] = {}
        pos = 0
        for key, group in by_key.items():
            mine = answers[pos:pos + len(group)]
            pos += len(group)
            found = [r for r in mine if isinstance(r, Result)]
            if found:
                results[key] = found[0] if first else found
            else:
                cause = next((r for r in mine if isinstance(r, BaseException)), None)
                errors[key] = _kv4x.no_copy(key, self, cause, first)  # type: ignore[arg-type]
        if errors and not return_exceptions:
            raise next(iter(errors.values()))
        return MultiGetReplicaResult(results, errors)


def _unlock_report(results: dict[Any, Any], errors: dict[Any, BaseException]) -> dict:
    return {**dict.fromkeys(results), **errors}


def _sort(op: Operation, answer: Any, results: dict[Any, Any],
          errors: dict[Any, BaseException], first: Any) -> None:
    """File one batch answer: a 4.x result, a 4.x exception (captured), or the 2.x
    ValueResult of a request that got no answer (its rc, or the batch's first such
    error of the same rc, says why)."""
    if isinstance(answer, Result):
        results[op.key] = answer
    elif isinstance(answer, BaseException):
        errors[op.key] = answer
    else:
        rc = getattr(answer, "rc", 0)
        if first is not None and first.rc == rc:
            cls: Any = type(first)
            message = first.message
        else:
            cls, message = CouchbaseError.rc_to_exctype(rc), "the request got no answer"
        errors[op.key] = _kv4x.on_error(op, cls(message=message, key=op.key, rc=rc))


__all__ = ["MultiOperations4x"]
