"""Query transactions: where a transaction's state lives between its requests.

``BEGIN WORK`` (statements/transaction.py) makes a :class:`Transaction` in the
engine's :class:`TransactionTable` and answers its ``txid``; every later request
that passes that ``txid`` runs its statement against a view of the data with the
transaction's pending writes laid over it (:class:`TxView`, and
:class:`TxCatalog` for indexes), so the transaction reads its own uncommitted
writes and nobody else does. ``COMMIT`` checks, on the writer thread, that no
document the transaction wrote changed since the transaction first read it (its
CAS) and then writes them all through the datastore's normal write path, with
those CAS values; one changed document fails the commit (17007) and writes none.
``ROLLBACK`` drops the pending writes, ``SAVEPOINT``/``ROLLBACK TO SAVEPOINT``
keep and restore copies of them. A transaction past its ``txtimeout`` is dropped
(17010). A failed statement leaves the transaction as it was before it.

A plain transaction's staging stays in this process's memory (keyed by txid): the
data service sees nothing until COMMIT. One begun with an SDK attempt's ``txdata``
(``ctx.query``) also stages every write through the attempt's ATR and the
documents' ``txn`` xattrs, and commits and rolls back as the SDKs do
(:mod:`.tx_staging`), so KV and query steps mix in one transaction. Error codes and
texts follow the query service's
transaction errors (17xxx): 17002 statement not allowed in a transaction, 17004
transaction context (unknown txid...), 17007 commit failed, 17009 no such
savepoint, 17010 transaction timeout, 17012 duplicate key, 17013 a statement of
the transaction is already running, 17014 key not found, 17015 CAS mismatch.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections import OrderedDict
from typing import Any, Callable, Iterable, NamedTuple, Optional

from .datastore import JSON_FLAGS, DocRecord, Path
from .durations import go_duration, parse_go_duration
from .errors import N1QLError
from .indexes import Index, PrimaryIndex, SecondaryIndex

DEFAULT_TIMEOUT = 15.0
"""``txtimeout`` when the request gives none (query-settings.adoc: 15s)."""
MAX_TIMEOUT = 20 * 60.0
"""The longest ``txtimeout`` accepted (the node's maximum, 20m)."""
DEFAULT_KV_TIMEOUT = 2.5
DURABILITY_LEVELS = ("none", "majority", "majorityAndPersistActive", "persistToMajority")
KEEP_ENDED = 1024
"""Ended transactions remembered, to tell "released" and "expired" from "unknown"."""

TX_PARAMETERS = frozenset({"txid", "tximplicit", "txdata", "txstmtnum", "txtimeout",
                           "durability_level", "durability_timeout", "kvtimeout",
                           "atrcollection", "numatrs"})


class TxError(N1QLError):
    """A transaction error: ``cause`` tells a transaction-aware client what to do
    (``retry`` the attempt, ``rollback`` it, ``raise`` ``failed``/``expired``)."""

    def __init__(self, code: int, msg: str, retry: bool = False, rollback: bool = True,
                 raise_: str = "failed") -> None:
        super().__init__(code, msg)
        self.cause = {"retry": retry, "rollback": rollback, "raise": raise_}

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "cause": self.cause}


def not_allowed(what: str) -> TxError:
    return TxError(17002, f"{what} statement is not supported within the transaction")


def context_error(why: str) -> TxError:
    return TxError(17004, f"Transaction context error: {why}", rollback=False)


def expired() -> TxError:
    return TxError(17010, "Transaction timeout", raise_="expired")


# -- request parameters ---------------------------------------------------------------


class TxParams:
    """The transaction parameters of one request (query-settings.adoc)."""

    def __init__(self) -> None:
        self.txid: Optional[str] = None
        self.implicit = False
        self.data: Optional[dict] = None
        self.stmtnum: Optional[int] = None
        self.timeout: Optional[float] = None
        self.durability: Optional[str] = None
        self.kvtimeout: Optional[float] = None

    @property
    def active(self) -> bool:
        """Whether the request runs in a transaction (its own or a begun one)."""
        return bool(self.txid) or self.implicit


def _duration(name: str, value: Any) -> float:
    try:
        seconds = parse_go_duration(value) if isinstance(value, str) else float("nan")
    except ValueError:
        seconds = float("nan")
    if seconds != seconds or seconds < 0:
        raise N1QLError(1040, f"Error processing {name}: {value!r} is not a duration")
    return seconds


def read_param(tx: TxParams, name: str, value: Any, typed: bool) -> None:
    """Check and keep one transaction parameter (``name`` lower case); 1040/1070
    when it is wrong. ``typed``: the value came from a JSON body."""
    import json

    if name == "txid":
        if not isinstance(value, str):
            raise N1QLError(1070, "txid has to be of type string")
        tx.txid = value.strip() or None
    elif name == "tximplicit":
        if isinstance(value, str) and value.lower() in ("true", "false"):
            value = value.lower() == "true"
        if not isinstance(value, bool):
            raise N1QLError(1070, "tximplicit has to be of type boolean")
        tx.implicit = value
    elif name == "txtimeout":
        tx.timeout = min(_duration(name, value), MAX_TIMEOUT)
    elif name == "kvtimeout":
        tx.kvtimeout = _duration(name, value)
    elif name == "durability_level":
        level = value if isinstance(value, str) else None
        match = next((d for d in DURABILITY_LEVELS if level is not None
                      and d.lower() == level.lower()), None)
        if match is None and level != "":
            raise N1QLError(1040, f"Unknown durability_level value: {value}")
        tx.durability = match
    elif name == "txdata":
        if not typed and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise N1QLError(1040, "Error processing txdata: invalid JSON value") from None
        if not isinstance(value, dict):
            raise N1QLError(1070, "txdata has to be of type object")
        tx.data = value
    elif name == "txstmtnum":
        try:
            tx.stmtnum = int(value)
        except (TypeError, ValueError):
            raise N1QLError(1070, "txstmtnum has to be of type number") from None
    # durability_timeout, atrcollection, numatrs: where a real node keeps its
    # ATRs; pending writes stay in the query service here (module note).


# -- transactions -------------------------------------------------------------------------


class Staged(NamedTuple):
    """A pending write: the document as the transaction sees it (``None``:
    removed) and the CAS it had when the transaction first touched it (0: absent)."""

    rec: Optional[DocRecord]
    base_cas: int


class Transaction:
    """One transaction's pending writes, savepoints and deadline."""

    def __init__(self, txid: str, timeout: float, now: float) -> None:
        self.txid = txid
        self.started = now
        self.deadline = now + timeout
        self.writes: dict[tuple[Path, str], Staged] = {}
        self.savepoints: list[tuple[str, dict[tuple[Path, str], Staged]]] = []
        self.durability = "majority"
        self.kvtimeout = DEFAULT_KV_TIMEOUT
        self.statements = 0
        self.busy = threading.Lock()
        """Held while one of its statements runs (17013 for a second at once)."""
        self._cas = 0
        self.staging: Any = None
        """An SDK attempt's protocol staging (tx_staging.py), when BEGIN had its txdata."""

    def next_cas(self) -> int:
        """A CAS for a staged document (new at each write, as a real one would be)."""
        self._cas += 1
        return (time.time_ns() & ~0xFFFF) | (self._cas & 0xFFFF)

    def savepoint(self, name: str) -> None:
        """Set ``name`` (a name set again moves to here)."""
        self.savepoints = [(n, w) for n, w in self.savepoints if n != name]
        self.savepoints.append((name, dict(self.writes)))

    def rollback_to(self, name: str) -> None:
        """Back to ``name``: its writes, and the savepoints set before it."""
        for i, (n, writes) in enumerate(self.savepoints):
            if n == name:
                self.writes = dict(writes)
                del self.savepoints[i + 1:]
                return
        raise TxError(17009, f"{name} savepoint is not defined", rollback=False)

    def metrics(self, now: float) -> dict[str, str]:
        """``transactionElapsedTime`` and ``transactionRemainingTime``."""
        return {"transactionElapsedTime": go_duration(now - self.started),
                "transactionRemainingTime": go_duration(max(0.0, self.deadline - now))}


class TransactionTable:
    """The transactions of one query engine, by txid."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.open: dict[str, Transaction] = {}
        self.ended: OrderedDict[str, str] = OrderedDict()  # txid -> "released"/"expired"
        self.lock = threading.Lock()

    def begin(self, timeout: Optional[float] = None, txid: Optional[str] = None
              ) -> Transaction:
        """A new transaction (``txid``: an SDK attempt's id; 17004 if open already)."""
        now = self.clock()
        tx = Transaction(txid or str(uuid.uuid4()),
                         DEFAULT_TIMEOUT if timeout is None else timeout, now)
        with self.lock:
            self._sweep(now)
            if tx.txid in self.open:
                raise context_error(f"transaction {tx.txid} is already started")
            self.open[tx.txid] = tx
        return tx

    def get(self, txid: str) -> Transaction:
        """The open transaction ``txid``: 17010 past its deadline (and then
        dropped), 17004 when there is none."""
        now = self.clock()
        with self.lock:
            tx = self.open.get(txid)
            if tx is not None and now >= tx.deadline:
                self._end(tx, "expired")
                tx = None
            if tx is not None:
                return tx
            how = self.ended.get(txid)
        if how == "expired":
            raise expired()
        if how == "released":
            raise TxError(17011, "Transaction is released", rollback=False)
        raise context_error(f"transaction {txid} not found")

    def end(self, tx: Transaction, how: str = "released") -> None:
        with self.lock:
            self._end(tx, how)

    def _end(self, tx: Transaction, how: str) -> None:
        if self.open.pop(tx.txid, None) is not None:
            self.ended[tx.txid] = how
            while len(self.ended) > KEEP_ENDED:
                self.ended.popitem(last=False)
        tx.writes, tx.savepoints = {}, []

    def _sweep(self, now: float) -> None:
        for tx in [t for t in self.open.values() if now >= t.deadline]:
            self._end(tx, "expired")


_TABLES_LOCK = threading.Lock()


def table_of(engine: Any) -> TransactionTable:
    """The engine's transaction table (made on first use)."""
    table = getattr(engine, "transactions", None)
    if table is None:
        with _TABLES_LOCK:
            table = getattr(engine, "transactions", None)
            if table is None:
                table = engine.transactions = TransactionTable()
    return table


# -- the transaction's view of the data ------------------------------------------------------


class TxView:
    """The datastore as the transaction sees it: its pending writes over the
    committed documents. Writes are staged here, never sent to the store."""

    def __init__(self, base: Any, tx: Transaction) -> None:
        self.base = base
        self.tx = tx

    def __getattr__(self, name: str) -> Any:  # keyspaces, buckets, scopes...
        return getattr(self.base, name)

    def subscribe(self, listener: Any) -> None:
        pass  # the engine's indexes follow the committed store only

    def get(self, path: Path, key: str) -> Optional[DocRecord]:
        staged = self.tx.writes.get((path, key))
        if staged is not None:
            return staged.rec
        return self.base.get(path, key)

    def scan(self, path: Path) -> list[DocRecord]:
        mine = {k: s.rec for (p, k), s in self.tx.writes.items() if p == path}
        if not mine:
            return list(self.base.scan(path))
        out = [r for r in self.base.scan(path) if r.key not in mine]
        out.extend(r for r in mine.values() if r is not None)
        return out

    def _stage(self, path: Path, key: str, rec: Optional[DocRecord]) -> Optional[DocRecord]:
        old = self.tx.writes.get((path, key))
        if old is None:
            committed = self.base.get(path, key)
            base_cas = committed.cas if committed is not None else 0
        else:
            base_cas = old.base_cas
        if self.tx.staging is not None:  # into the data service, as an SDK stages
            base_cas = self.tx.staging.stage(path, key, rec)
            if rec is not None:
                rec = rec._replace(cas=base_cas)
        self.tx.writes[(path, key)] = Staged(rec, base_cas)
        return rec

    def _record(self, key: str, value: bytes, flags: int, expiry: int) -> DocRecord:
        return DocRecord(key, value, self.tx.next_cas(), flags, expiry)

    def insert(self, path: Path, key: str, value: bytes, flags: int = JSON_FLAGS,
               expiry: int = 0) -> DocRecord:
        if self.get(path, key) is not None:
            raise TxError(17012, f"Duplicate Key: {key}")
        rec = self._record(key, value, flags, expiry)
        return self._stage(path, key, rec)  # type: ignore[return-value]

    def upsert(self, path: Path, key: str, value: bytes, flags: int = JSON_FLAGS,
               expiry: int = 0) -> DocRecord:
        rec = self._record(key, value, flags, expiry)
        return self._stage(path, key, rec)  # type: ignore[return-value]

    def _current(self, path: Path, key: str, cas: int, op: str) -> DocRecord:
        current = self.get(path, key)
        if current is None:
            raise TxError(17014, f"Key not found : {key}")
        if cas and cas != current.cas:
            raise TxError(17015, f"{op} cas (actual:{current.cas}, expected:{cas}) "
                                 f"missmatch for key: {key}", retry=True)
        return current

    def replace(self, path: Path, key: str, value: bytes, flags: int = JSON_FLAGS,
                expiry: int = 0, cas: int = 0) -> DocRecord:
        self._current(path, key, cas, "replace")
        rec = self._record(key, value, flags, expiry)
        return self._stage(path, key, rec)  # type: ignore[return-value]

    def remove(self, path: Path, key: str, cas: int = 0) -> None:
        self._current(path, key, cas, "delete")
        self._stage(path, key, None)


def _copy_index(ix: Index, changes: Iterable[tuple[str, Optional[DocRecord]]]
                ) -> Optional[Index]:
    """A private copy of ``ix`` with the transaction's changes applied (None
    for the kinds that cannot be copied: vector, search...)."""
    if type(ix) is PrimaryIndex:
        new: Any = copy.copy(ix)
        new.keys = list(ix.keys)
    elif type(ix) is SecondaryIndex:
        new = copy.copy(ix)
        new.entries = list(ix.entries)
        new.by_doc = dict(ix.by_doc)
    else:
        return None
    for key, rec in changes:
        new.update(key, rec)
    return new


class TxCatalog:
    """The engine's indexes as the transaction sees them: for a keyspace it
    wrote to, copies updated with its pending writes (made once per statement)."""

    def __init__(self, base: Any, tx: Transaction, on_loop: Callable[[Callable[[], Any]], Any]
                 ) -> None:
        self.base = base
        self.on_loop = on_loop
        self.changes: dict[Path, list[tuple[str, Optional[DocRecord]]]] = {}
        for (path, key), staged in tx.writes.items():
            self.changes.setdefault(path, []).append((key, staged.rec))
        self.copies: dict[Path, dict[str, Index]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    def _named(self, path: Path) -> Optional[dict[str, Index]]:
        changes = self.changes.get(path)
        if changes is None:
            return None
        named = self.copies.get(path)
        if named is None:
            def copies() -> dict[str, Index]:
                out = {}
                for ix in self.base.of(path):
                    if ix.online:
                        made = _copy_index(ix, changes)
                        if made is not None:
                            out[ix.name] = made
                    else:
                        out[ix.name] = ix
                return out
            named = self.copies[path] = self.on_loop(copies)
        return named

    def of(self, path: Path) -> list[Index]:
        named = self._named(path)
        return self.base.of(path) if named is None else list(named.values())

    def get(self, path: Path, name: str) -> Optional[Index]:
        named = self._named(path)
        return self.base.get(path, name) if named is None else named.get(name)

    def primary(self, path: Path) -> Optional[PrimaryIndex]:
        named = self._named(path)
        if named is None:
            return self.base.primary(path)
        return next((ix for ix in named.values()
                     if isinstance(ix, PrimaryIndex) and ix.online), None)


def tx_engine(engine: Any, tx: Transaction) -> Any:
    """The engine as one statement of ``tx`` uses it: same indexes, prepared
    statements and monitor, the transaction's view of documents and indexes."""
    view = copy.copy(engine)
    view.datastore = TxView(engine.datastore, tx)
    view.catalog = TxCatalog(engine.catalog, tx, engine.on_loop)
    return view


# -- commit --------------------------------------------------------------------------------


def commit(engine: Any, tx: Transaction) -> int:
    """Write ``tx``'s pending writes, all or none: on the writer thread, every
    document must still have the CAS the transaction first saw (17007 if one
    changed, naming it); then each is written with that CAS. Returns the count."""
    if tx.staging is not None:
        conflict = tx.staging.commit(dict(tx.writes))
        if conflict is not None:
            raise TxError(17007, "Commit Transaction statement error: write-write conflict: "
                                 f"document {conflict} is no longer staged by the transaction",
                          retry=True)
        return len(tx.writes)
    store = engine.datastore
    writes = list(tx.writes.items())

    def apply() -> Optional[str]:
        for (path, key), staged in writes:
            now = store.get(path, key)
            if (now.cas if now is not None else 0) != staged.base_cas:
                return f"{'.'.join(path)}:{key}"
        for (path, key), staged in writes:
            rec = staged.rec
            if rec is None:
                if staged.base_cas:
                    store.remove(path, key, staged.base_cas)
            elif staged.base_cas:
                store.replace(path, key, rec.value, rec.flags, rec.expiration, staged.base_cas)
            else:
                store.insert(path, key, rec.value, rec.flags, rec.expiration)
        return None

    conflict = engine.on_loop(apply)
    if conflict is not None:
        raise TxError(17007, "Commit Transaction statement error: write-write conflict: "
                             f"document {conflict} changed since the transaction read it",
                      retry=True)
    return len(writes)
