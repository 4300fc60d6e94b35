"""The ``*_multi`` twins of the key-value operations, pipelined per node.

Every method validates all of its input before anything is sent, then hands
its :class:`~couchbase._operation.Operation` objects to ``_run_multi``, which
writes each node's requests at once and matches responses by opaque.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional

from . import _kv
from ._core.opcode import Opcode
from ._operation import Answer, Operation, finish_batch, keyed_result
from .exceptions import ArgumentError, DuplicateCommandsError
from .items import Item, ItemCollection
from .result import MultiResult, Result

if TYPE_CHECKING:
    from ._io.blocking_cluster import GetBatch
    from ._kvapi import ApiOptions

Build = Callable[[Any, Any, Optional[Item], dict[str, Any]], Operation]


def _iter_keys(keys: Any, what: str) -> Iterator[tuple[Any, Any, Optional[Item], dict[str, Any]]]:
    """``(key, per-key value, item, item options)`` for every key, in order."""
    if isinstance(keys, (str, bytes)):
        raise ArgumentError(f"{what} takes an iterable of keys, not a single key: {keys!r}",
                            objextra=keys)
    if isinstance(keys, ItemCollection):
        for item, options in keys.iter_items():
            if not isinstance(item, Item):
                raise ArgumentError(f"expected an Item, got {type(item).__name__}",
                                    objextra=item)
            yield item.key, item.value, item, options
    elif isinstance(keys, dict):
        for key, value in keys.items():
            yield key, value, None, {}
    else:
        try:
            iterator = iter(keys)
        except TypeError:
            raise ArgumentError(f"{what} takes an iterable of keys, not {type(keys).__name__}",
                                objextra=keys) from None
        for key in iterator:
            yield key, None, None, {}


def _ops(keys: Any, what: str, build: Build) -> list[Operation]:
    out = []
    for key, value, item, options in _iter_keys(keys, what):
        op = build(key, value, item, options)
        op.item = item  # the outcome is written into the application's Item, if any
        out.append(op)
    return _unique_ops(out, what)


def _unique_ops(out: list[Operation], what: str) -> list[Operation]:
    """``out``, unless a key appears twice: DuplicateCommandsError."""
    _unique_keys([op.key for op in out], what)
    return out


def _unique_keys(keys: Any, what: str) -> None:
    """DuplicateCommandsError if a key appears twice in ``keys``."""
    if len(set(keys)) == len(keys):  # (the common case: no key twice)
        return
    seen = set()
    for key in keys:
        if key in seen:
            raise DuplicateCommandsError(
                f"the key {key!r} appears more than once in one {what} call", key=key)
        seen.add(key)


GetMany = Callable[[list[bytes], int], "GetBatch"]  # (encoded keys, collection id)


def batch_gets(bucket: Any) -> Optional[GetMany]:
    """The blocking cluster's ``get_many`` when ``bucket``'s requests go straight to
    it (the sync API; not gevent's, whose connections are the callback driver's,
    nor asyncio's or Twisted's); None: the general path."""
    return getattr(vars(bucket).get("_io"), "get_many", None)


def _item_cas(item: Optional[Item], opt: dict[str, Any], default: int = 0) -> int:
    """The CAS a mutation of an Item checks: its ``cas`` option, else the item's
    own (unless ``ignore_cas``), else ``default``."""
    if "cas" in opt:
        return int(opt["cas"] or 0)
    if item is not None and not opt.get("ignore_cas"):
        return int(item.cas or 0)
    return default


def _cas_of(value: Any) -> int:
    """A CAS given directly, or as a result object that has one."""
    if isinstance(value, Result):
        return int(getattr(value, "cas", 0) or 0)
    return value or 0


class MultiOperations:
    """Mixed into :class:`~couchbase.bucket.Bucket`."""

    # provided by KeyValueAPI
    quiet: bool
    data_passthrough: bool
    _opts: ApiOptions
    _run_multi: Callable[..., Any]
    _drive: Callable[..., Any]
    _fmt: Callable[[Optional[int]], int]
    _replica_count: Callable[[], int]
    _durable_multi: Callable[..., Any]  # (ops, quiet, persist_to, replicate_to, removed)
    _each_flow: Callable[..., Any]
    _observe_flow: Callable[..., Any]
    _endure_flow: Callable[..., Any]
    _op: Callable[..., Operation]  # (key, request, finish, *args)
    _lock_ttl_required: bool
    _guard: Any  # the sync front end's (entered around every key-value request)

    # -- storing --------------------------------------------------------------
    def _store_multi(self, opcode: int, keys: Any, ttl: int, format: Optional[int],
                     what: str) -> list[Operation]:
        fmt = self._fmt(format)
        encoder = self._opts.encode_value

        checks_cas = opcode != Opcode.ADD  # an insert has nothing to compare with

        def build(key: Any, value: Any, item: Optional[Item], opt: dict[str, Any]) -> Operation:
            cas = _item_cas(item, opt) if checks_cas else 0
            req = _kv.store_request(opcode, key, value, cas, opt.get("ttl", ttl),
                                    self._fmt(opt["format"]) if "format" in opt else fmt, encoder)
            return self._op(key, req, _kv.mutation_result)

        if type(keys) is dict:
            # The fast path: a plain dict, no Items, no per-key options (cas 0, the
            # call's ttl and format): one loop, no generator, no closure per key.
            # (A dict holds no key twice.)
            op, finish, store = self._op, _kv.mutation_result, _kv.store_request
            return [op(key, store(opcode, key, value, 0, ttl, fmt, encoder), finish)
                    for key, value in keys.items()]
        if not isinstance(keys, (dict, ItemCollection)):
            raise ArgumentError(f"{what} takes a dict of key -> value (or Items)", objextra=keys)
        return _ops(keys, what, build)

    def upsert_multi(self, keys: Any, ttl: int = 0, format: Optional[int] = None,
                     persist_to: int = 0, replicate_to: int = 0, cas: Any = None) -> Any:
        """Store every ``key -> value`` of a dict (or Items) in one pipelined batch."""
        _no_cas(cas, "upsert_multi")
        ops = self._store_multi(Opcode.SET, keys, ttl, format, "upsert_multi")
        return self._durable_multi(ops, False, persist_to, replicate_to)

    def insert_multi(self, keys: Any, ttl: int = 0, format: Optional[int] = None,
                     persist_to: int = 0, replicate_to: int = 0, cas: Any = None) -> Any:
        _no_cas(cas, "insert_multi")
        ops = self._store_multi(Opcode.ADD, keys, ttl, format, "insert_multi")
        return self._durable_multi(ops, False, persist_to, replicate_to)

    def replace_multi(self, keys: Any, ttl: int = 0, format: Optional[int] = None,
                      persist_to: int = 0, replicate_to: int = 0, cas: Any = None) -> Any:
        _no_cas(cas, "replace_multi")
        ops = self._store_multi(Opcode.REPLACE, keys, ttl, format, "replace_multi")
        return self._durable_multi(ops, False, persist_to, replicate_to)

    def _concat_multi(self, opcode: int, keys: Any, format: Optional[int],
                      what: str) -> list[Operation]:
        def build(key: Any, value: Any, item: Optional[Item], opt: dict[str, Any]) -> Operation:
            if item is not None:
                if "fragment" not in opt:
                    raise ArgumentError(f"{what} needs a 'fragment' option for every item",
                                        key=key)
                value = opt["fragment"]
            req = _kv.concat_request(opcode, key, value, _item_cas(item, opt),
                                     opt.get("format", format))
            return self._op(key, req, _kv.mutation_result)

        if not isinstance(keys, (dict, ItemCollection)):
            raise ArgumentError(f"{what} takes a dict of key -> fragment", objextra=keys)
        return _ops(keys, what, build)

    def append_multi(self, keys: Any, format: Optional[int] = None, persist_to: int = 0,
                     replicate_to: int = 0) -> Any:
        ops = self._concat_multi(Opcode.APPEND, keys, format, "append_multi")
        return self._durable_multi(ops, False, persist_to, replicate_to)

    def prepend_multi(self, keys: Any, format: Optional[int] = None, persist_to: int = 0,
                      replicate_to: int = 0) -> Any:
        ops = self._concat_multi(Opcode.PREPEND, keys, format, "prepend_multi")
        return self._durable_multi(ops, False, persist_to, replicate_to)

    def append_items(self, items: ItemCollection, format: Optional[int] = None) -> Any:
        """Append each item's ``fragment`` option to its stored value, and to
        ``item.value`` where that succeeded."""
        return self._concat_items(Opcode.APPEND, items, format, "append_items")

    def prepend_items(self, items: ItemCollection, format: Optional[int] = None) -> Any:
        """Prepend each item's ``fragment`` option to its stored value, and to
        ``item.value`` where that succeeded."""
        return self._concat_items(Opcode.PREPEND, items, format, "prepend_items")

    def _concat_items(self, opcode: int, items: ItemCollection, format: Optional[int],
                      what: str) -> Any:
        if not isinstance(items, ItemCollection):
            raise ArgumentError(f"{what} takes an ItemCollection", objextra=items)
        ops = self._concat_multi(opcode, items, format, what)
        try:
            return self._run_multi(ops, False)
        finally:  # also when some failed: the ones that worked changed on the server
            for item, opt in items.iter_items():
                fragment, value = opt["fragment"], item.value
                if item.success and type(value) in (str, bytes) and type(value) is type(fragment):
                    item.value = _joined(value, fragment, opcode == Opcode.APPEND)

    # -- retrieving -------------------------------------------------------------
    def get_multi(self, keys: Iterable[Any], ttl: int = 0, quiet: Optional[bool] = None,
                  replica: bool = False, no_format: bool = False) -> Any:
        """Fetch many keys in one pipelined batch; ``quiet`` leaves missing keys unraised."""
        if quiet is None:
            quiet = self.quiet
        no_format = no_format or self.data_passthrough
        decoder = self._opts.decode_value
        replica_index = 1 if replica else 0

        if type(keys) in (list, tuple) and not ttl and not replica:
            get_many = self._batch_gets()
            if get_many is not None:  # the sync API: no object per key on the way
                return self._get_many(get_many, keys, quiet, no_format, decoder)
            # The fast path: plain GETs of a list of keys (_kv.get_requests checks
            # the keys in one loop), their operations made in one more.
            op, finish = self._op, _kv.value_result
            ops = [op(key, req, finish, quiet, no_format, decoder)
                   for key, req in zip(keys, _kv.get_requests(keys))]
            return self._run_multi(_unique_ops(ops, "get_multi"), quiet)

        per_key = isinstance(keys, dict)

        def build(key: Any, value: Any, item: Optional[Item], opt: dict[str, Any]) -> Operation:
            if per_key:  # key -> its ttl, or a dict of its options
                opt = _per_key_options(key, value, "get_multi")
            req = _kv.get_request(key, opt.get("ttl", ttl), replica_index)
            return self._op(key, req, _kv.value_result, quiet, no_format, decoder)

        return self._run_multi(_ops(keys, "get_multi", build), quiet)

    def _batch_gets(self) -> Optional[GetMany]:
        """:func:`batch_gets` of this bucket, outside a pipeline; None: the general path."""
        if getattr(self, "_pipeline", None) is not None:
            return None
        return batch_gets(self)

    def _get_many(self, get_many: GetMany, keys: Any, quiet: bool,
                  no_format: bool, decoder: Any) -> MultiResult:
        """get_multi of a list of keys through ``get_many``: the values come back as
        lists and become results in one loop (:func:`_kv.value_results`); any key
        without a value (missing, an error, a value that did not decode) is
        finished as the general path finishes it (:func:`finish_batch`)."""
        ekeys = _kv.encode_keys(keys)
        _unique_keys(keys, "get_multi")
        with self._guard:
            values, flags, cas, others = get_many(ekeys, 0)
        results, rest = _kv.value_results(keys, values, flags, cas, no_format, decoder)
        error = None
        if rest:
            op, finish, answer_packet = self._op, _kv.value_result, _kv.answer_packet
            ops = [op(keys[g], _kv.get_request(keys[g]), finish, quiet, no_format, decoder)
                   for g in rest]
            answers: list[Answer] = []
            for g in rest:  # (its answer; a value that did not decode: as answered)
                other = others[g]
                answers.append(other if other is not None else
                               answer_packet(values[g], flags[g], cas[g]))
            done, error = finish_batch(ops, answers)
            for g, result in zip(rest, done):
                results[g] = result
        return keyed_result(keys, results, error)

    def rget_multi(self, keys: Iterable[Any], replica_index: Optional[int] = None,
                   quiet: Optional[bool] = None) -> Any:
        """Fetch many keys from a replica (the first one unless ``replica_index``)."""
        if quiet is None:
            quiet = self.quiet
        decoder = self._opts.decode_value
        index = 1 if replica_index is None else replica_index + 1

        def build(key: Any, _: Any, item: Optional[Item], opt: dict[str, Any]) -> Operation:
            req = _kv.get_request(key, 0, index)
            return self._op(key, req, _kv.value_result, quiet, passthrough, decoder)

        passthrough = self.data_passthrough
        return self._run_multi(_ops(keys, "rget_multi", build), quiet)

    def touch_multi(self, keys: Any, ttl: int = 0) -> Any:
        """Set the expiry of many keys: an iterable (all get ``ttl``) or key -> ttl."""
        per_key = isinstance(keys, dict)

        def build(key: Any, value: Any, item: Optional[Item], opt: dict[str, Any]) -> Operation:
            req = _kv.touch_request(key, value if per_key else opt.get("ttl", ttl))
            return self._op(key, req, _kv.mutation_result)

        return self._run_multi(_ops(keys, "touch_multi", build), False)

    def lock_multi(self, keys: Iterable[Any], ttl: int = 0) -> Any:
        """Lock many keys for ``ttl`` seconds."""
        decoder = self._opts.decode_value

        def build(key: Any, _: Any, item: Optional[Item], opt: dict[str, Any]) -> Operation:
            req = _kv.lock_request(key, opt.get("ttl", ttl), self._lock_ttl_required)
            return self._op(key, req, _kv.value_result, False, passthrough, decoder)

        passthrough = self.data_passthrough
        return self._run_multi(_ops(keys, "lock_multi", build), False)

    def unlock_multi(self, keys: Any) -> Any:
        """Unlock many keys: a dict key -> cas, or the MultiResult of ``lock_multi``."""
        if not isinstance(keys, (dict, ItemCollection)):
            raise ArgumentError("unlock_multi takes a dict of key -> cas (or lock results)",
                                objextra=keys)

        def build(key: Any, value: Any, item: Optional[Item], opt: dict[str, Any]) -> Operation:
            cas = opt.get("cas", item.cas if item is not None else _cas_of(value))
            return self._op(key, _kv.unlock_request(key, cas), _kv.mutation_result)

        return self._run_multi(_ops(keys, "unlock_multi", build), False)

    # -- removing ----------------------------------------------------------------
    def remove_multi(self, kvs: Any, quiet: Optional[bool] = None, persist_to: int = 0,
                     replicate_to: int = 0) -> Any:
        """Remove many keys: an iterable, or key -> cas (a MultiResult works too);
        ``kvs`` is 2.x's name for them."""
        keys = kvs
        if quiet is None:
            quiet = self.quiet

        def build(key: Any, value: Any, item: Optional[Item], opt: dict[str, Any]) -> Operation:
            cas = _item_cas(item, opt) if item is not None else opt.get("cas", _cas_of(value))
            return self._op(key, _kv.remove_request(key, cas), _kv.removal_result, quiet)

        return self._durable_multi(_ops(keys, "remove_multi", build), quiet, persist_to,
                                   replicate_to, removed=True)

    # -- counters ------------------------------------------------------------------
    def counter_multi(self, kvs: Iterable[Any], delta: int = 1, initial: Optional[int] = None,
                      ttl: int = 0) -> Any:
        """Apply ``delta`` to many counters (an iterable, or key -> options dict);
        ``kvs`` is 2.x's name for them."""
        keys = kvs
        def build(key: Any, value: Any, item: Optional[Item], opt: dict[str, Any]) -> Operation:
            if isinstance(value, dict):
                opt = {**opt, **value}
            req = _kv.counter_request(key, opt.get("delta", delta), opt.get("initial", initial),
                                      opt.get("ttl", ttl))
            return self._op(key, req, _kv.counter_result)

        return self._run_multi(_ops(keys, "counter_multi", build), False)

    def incr_multi(self, keys: Iterable[Any], amount: int = 1, initial: Optional[int] = None,
                   ttl: int = 0) -> Any:
        return self.counter_multi(keys, amount, initial, ttl)

    def decr_multi(self, keys: Iterable[Any], amount: int = 1, initial: Optional[int] = None,
                   ttl: int = 0) -> Any:
        return self.counter_multi(keys, -amount, initial, ttl)

    # -- observation -----------------------------------------------------------------
    def observe_multi(self, keys: Iterable[Any], master_only: bool = False) -> Any:
        """:meth:`observe` for many keys: a MultiResult of their ValueResults."""
        pairs = [(key, None) for key, _, _, _ in _unique(keys, "observe_multi")]
        for key, _ in pairs:
            _kv.encode_key(key)
        return self._drive(self._each_flow(
            pairs, lambda key, _: self._observe_flow(key, master_only)))

    def endure_multi(self, keys: Any, persist_to: int = -1, replicate_to: int = -1,
                     timeout: float = 5.0, interval: float = 0.010,
                     check_removed: bool = False) -> Any:
        """Wait for durability of many keys; a MultiResult of mutations gives their CAS."""
        pairs = [(key, item.cas if item is not None else _cas_of(value))
                 for key, value, item, _ in _unique(keys, "endure_multi")]
        for key, _ in pairs:
            _kv.encode_key(key)
        # (the flow checks the requirements against the cluster map when it starts)
        return self._drive(self._each_flow(pairs, lambda key, cas: self._endure_flow(
            key, persist_to, replicate_to, cas, check_removed, timeout, interval)))

    # 1.x names for the same operations
    set_multi = upsert_multi
    add_multi = insert_multi
    delete_multi = remove_multi


def _per_key_options(key: Any, value: Any, what: str) -> dict[str, Any]:
    """The options a ``key -> value`` dict gives one key: ``None`` (none), a ttl,
    or a dict of options."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return {"ttl": value}
    raise ArgumentError(f"{what} given a dict takes key -> ttl or key -> options dict, not "
                        f"{type(value).__name__}", key=key, objextra=value)


def _joined(value: Any, fragment: Any, append: bool) -> Any:
    return value + fragment if append else fragment + value


def _no_cas(cas: Any, what: str) -> None:
    if cas is not None:
        raise ArgumentError(f"{what} does not take a cas: use replace with cas for each key, "
                            "or an ItemOptionDict with a cas option per item")


def _unique(keys: Any, what: str) -> list[tuple[Any, Any, Optional[Item], dict[str, Any]]]:
    out = list(_iter_keys(keys, what))
    if len({k for k, _, _, _ in out}) != len(out):
        raise DuplicateCommandsError(f"a key appears more than once in one {what} call")
    return out
