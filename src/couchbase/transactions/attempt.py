"""One attempt of a transaction: the protocol's state machine, as flows.

States (kept in the attempt's ATR entry, so other clients and the cleanup
see them)::

    NOT_STARTED --first write--> PENDING --commit--> COMMITTED --unstaged--> COMPLETED
                                    \\--rollback--> ABORTED --restored--> ROLLED_BACK

- The first write of an attempt adds its entry to an ATR (PENDING, with the
  server's time and the time left).
- A write stages: the document keeps its committed body and gets a ``txn``
  xattr naming the attempt, its ATR and the staged content. An insert stages
  into a tombstone created as deleted, so plain reads do not see it.
- Readers resolve a staged document through its ATR entry: COMMITTED means the
  staged content is the document; anything else means the committed body is.
- A document staged by another live attempt is a write-write conflict: the
  attempt fails and is retried (its transaction's run loop backs off). A
  document staged by an attempt that completed, rolled back, vanished or
  expired may be overwritten.
- Commit flips the ATR entry to COMMITTED (the commit point: from then on every
  reader sees the new content), then unstages each document and removes the
  entry. Rollback marks ABORTED, strips the ``txn`` xattrs, removes the entry.

Each step yields :class:`~.steps.Call` on the documents' collections, so the
sync and asyncio front ends run the same code.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Optional

from .. import subdocument as SD
from .._errors4x import (
    AmbiguousTimeoutException,
    CasMismatchException,
    DocumentExistsException,
    DocumentLockedException,
    DocumentNotFoundException,
    DurabilitySyncWriteAmbiguousException,
    DurabilitySyncWriteInProgressException,
    PathExistsException,
    PathNotFoundException,
    RequestCanceledException,
    TemporaryFailException,
    TimeoutException,
    TransactionOperationFailed,
)
from ..durability import ServerDurability
from ..options import LookupInOptions, MutateInOptions, RemoveOptions
from . import content as C
from . import fields as F
from .atr import AtrEntry, atr_id_for_key, doc_record
from .results import TransactionGetResult
from .steps import Call, Flow, Pause

_TRANSIENT = (CasMismatchException, DocumentNotFoundException, DocumentExistsException,
              TemporaryFailException, DocumentLockedException,
              DurabilitySyncWriteInProgressException, TimeoutException,
              DurabilitySyncWriteAmbiguousException, RequestCanceledException,
              PathExistsException, PathNotFoundException)
_AMBIGUOUS = (AmbiguousTimeoutException, DurabilitySyncWriteAmbiguousException,
              RequestCanceledException)
Resolve = Callable[[str, str, str], Any]  # (bucket, scope, collection) -> Collection


class OperationFailed(TransactionOperationFailed):
    """A step failed the attempt: ``retry`` (the run loop tries a new attempt),
    ``expired`` (the transaction ran out of time)."""

    def __init__(self, message: str, cause: Optional[BaseException] = None,
                 retry: bool = False, expired: bool = False) -> None:
        super().__init__(message=message, inner_cause=cause)
        self.cause = cause
        self.retry = retry
        self.expired = expired


@dataclass
class Staged:
    """A mutation this attempt staged."""

    op: str
    coll: Any
    key: str
    cas: int
    content: Any  # as the logic gave it (what ctx.get answers in this attempt)
    encoded: Optional[C.Content] = None  # what the commit writes (None: a remove)


@dataclass
class _Doc:
    """A document read with its transaction metadata (tombstones included)."""

    cas: int
    body: Optional[bytes]
    flags: int
    txn: Optional[dict[str, Any]]
    deleted: bool
    binary: Optional[bytes] = None  # the binary content staged in txn.op.bin


def _where(coll: Any, key: str) -> tuple[str, str, str, str]:
    return (coll.bucket_name, coll.scope_name, coll.name, key)


def _txn_get(txn: Optional[dict[str, Any]], *path: str) -> Any:
    value: Any = txn
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def _field(result: Any, index: int) -> Any:
    try:
        if not result.exists(index):
            return None
        return result.content_as[lambda v: v](index)
    except Exception:  # noqa: BLE001 (a missing body, a tombstone: nothing there)
        return None


class Attempt:
    """One run of the transaction's logic; see the module docstring."""

    def __init__(self, transaction_id: str, deadline: float, timeout_ms: int,
                 durability: int, metadata: Optional[tuple[str, str, str]],
                 resolve: Resolve) -> None:
        self.transaction_id = transaction_id
        self.id = str(uuid.uuid4())
        self.deadline = deadline
        self.timeout_ms = timeout_ms
        self.durability = durability
        self.metadata = metadata
        self.resolve = resolve
        self.state = F.NOT_STARTED
        self.atr: Optional[tuple[Any, str]] = None  # (collection, ATR id)
        self.staged: dict[tuple[str, str, str, str], Staged] = {}
        self.failed: Optional[OperationFailed] = None
        self.query: Any = None  # query mode (query.py), from the first ctx.query on
        self.left_behind = False  # its entry or staged documents stayed: the cleanup's

    # -- guards ------------------------------------------------------------------------
    def expired(self) -> bool:
        return time.monotonic() > self.deadline

    def check(self) -> None:
        """Before each step: the attempt may not go on once failed or expired."""
        if self.failed is not None:
            raise OperationFailed("a previous operation of this attempt failed",
                                  self.failed.cause, self.failed.retry, self.failed.expired)
        if self.state != F.NOT_STARTED and self.state != F.PENDING:
            raise OperationFailed(f"the attempt is {self.state}: no more operations")
        if self.expired():
            raise OperationFailed("the transaction expired", expired=True)

    def guarded(self, flow: Flow) -> Flow:
        """Run a step of the user's logic: document-not-found (get) and -exists (insert)
        are the user's to handle; any other failure fails the attempt."""
        self.check()
        try:
            return (yield from flow)
        except (DocumentNotFoundException, DocumentExistsException):
            raise
        except OperationFailed as exc:
            self.failed = exc
            raise
        except Exception as exc:  # noqa: BLE001
            self.failed = OperationFailed(f"transaction operation failed: {exc}", exc)
            raise self.failed from exc

    def _fail(self, exc: BaseException, what: str) -> OperationFailed:
        expired = self.expired()
        return OperationFailed(f"{what} failed: {exc}", exc,
                               retry=isinstance(exc, _TRANSIENT) and not expired,
                               expired=expired)

    def _durable(self, **opts: Any) -> MutateInOptions:
        if self.durability:
            opts["durability"] = ServerDurability(self.durability)  # type: ignore[arg-type]
        return MutateInOptions(**opts)

    def _remaining_ms(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))

    # -- reads ---------------------------------------------------------------------------
    def read(self, coll: Any, key: str) -> Flow:
        """The document with its ``txn`` xattr, tombstones included; None if missing."""
        try:
            res = yield Call(coll, "lookup_in", key, C.READ_SPECS,
                             LookupInOptions(access_deleted=True))
        except DocumentNotFoundException:
            return None
        meta = _field(res, 1) or {}
        flags = meta.get("flags")
        return _Doc(res.cas, C.raw_field(res, 2), flags if isinstance(flags, int) else 0,
                    _field(res, 0), bool(meta.get("deleted")), C.raw_field(res, 3))

    def atr_entry(self, txn: dict[str, Any]) -> Flow:
        """``(entry or None, server time in ms or None)`` of the attempt that staged ``txn``."""
        atr_id = _txn_get(txn, "atr", "id")
        attempt_id = _txn_get(txn, "id", "atmpt")
        if not atr_id or not attempt_id:
            return None, None
        coll = self.resolve(_txn_get(txn, "atr", "bkt"),
                            _txn_get(txn, "atr", "scp") or "_default",
                            _txn_get(txn, "atr", "coll") or "_default")
        try:
            res = yield Call(coll, "lookup_in", atr_id,
                             [SD.get(f"{F.ATTEMPTS}.{attempt_id}", xattr=True),
                              SD.get("$vbucket.HLC", xattr=True)])
        except DocumentNotFoundException:
            return None, None
        hlc = _field(res, 1) or {}
        try:
            now_ms: Optional[int] = int(hlc.get("now") or "") * 1000
        except (TypeError, ValueError):
            now_ms = None
        return AtrEntry.parse(attempt_id, _field(res, 0)), now_ms

    def get(self, coll: Any, key: str, transcoder: Any = None) -> Flow:
        """The document as this attempt sees it, decoded by ``transcoder`` (None: JSON)."""
        if self.query is not None:
            return (yield from _query_steps().get(self, coll, key))
        staged = self.staged.get(_where(coll, key))
        if staged is not None:
            if staged.op == F.REMOVE:
                raise DocumentNotFoundException(message=f"{key!r} is removed in this "
                                                "transaction", key=key)
            return TransactionGetResult(coll, key, staged.cas, staged.content)
        doc = yield from self.read(coll, key)
        if doc is None:
            raise DocumentNotFoundException(message=f"no document {key!r}", key=key)
        if doc.txn is not None and _txn_get(doc.txn, "id", "atmpt") != self.id:
            entry, _ = yield from self.atr_entry(doc.txn)
            if entry is not None and entry.state == F.COMMITTED:
                op = _txn_get(doc.txn, "op", "type")
                if op == F.REMOVE:
                    raise DocumentNotFoundException(message=f"no document {key!r}", key=key)
                found = C.staged_content(doc.txn, doc.binary)
                if op in (F.INSERT, F.REPLACE) and found is not None:
                    value = found.value if transcoder is None and not found.binary \
                        else C.decode(C.encoded(found), found.flags, transcoder)
                    return TransactionGetResult(coll, key, doc.cas, value, doc.txn,
                                                found.flags)
        if doc.deleted:
            raise DocumentNotFoundException(message=f"no document {key!r}", key=key)
        return TransactionGetResult(coll, key, doc.cas, C.decode(doc.body, doc.flags, transcoder),
                                    doc.txn, doc.flags)

    def get_multi(self, specs: list[Any], mode: Any = None) -> Flow:
        """A TransactionGetMultiResult: see :mod:`.transactions_get_multi` (read skew)."""
        from .transactions_get_multi import TransactionGetMultiMode, get_multi

        return (yield from get_multi(
            self, specs, mode or TransactionGetMultiMode.PRIORITISE_READ_SKEW_DETECTION))

    def check_conflict(self, txn: Optional[dict[str, Any]]) -> Flow:
        """Raise a retryable failure if ``txn`` is another live attempt's staging."""
        if txn is None or _txn_get(txn, "id", "atmpt") == self.id:
            return
        if _txn_get(txn, "id", "txn") == self.transaction_id:
            return  # an earlier attempt of this transaction, rolled back
        entry, now_ms = yield from self.atr_entry(txn)
        if entry is None or entry.state in (F.COMPLETED, F.ROLLED_BACK) \
                or entry.expired(now_ms):
            return
        raise OperationFailed(f"write-write conflict: the document is staged by attempt "
                              f"{entry.attempt_id} ({entry.state})", retry=not self.expired(),
                              expired=self.expired())

    # -- writes --------------------------------------------------------------------------
    def _write(self, coll: Any, method: str, what: str, *args: Any) -> Flow:
        try:
            return (yield Call(coll, method, *args))
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, what) from exc

    def ensure_atr(self, coll: Any, key: str) -> Flow:
        """Register the attempt (PENDING) in the ATR of its first mutated document."""
        if self.atr is not None:
            return
        if self.metadata is not None:
            atr_coll = self.resolve(*self.metadata)
        else:
            atr_coll = self.resolve(coll.bucket_name, "_default", "_default")
        atr_id = atr_id_for_key(key)
        base = f"{F.ATTEMPTS}.{self.id}"
        specs = [SD.insert(f"{base}.{F.TXN_ID}", self.transaction_id, xattr=True,
                           create_parents=True),
                 SD.insert(f"{base}.{F.STATE}", F.PENDING, xattr=True, create_parents=True),
                 SD.insert(f"{base}.{F.START}", SD.MutationMacro.cas(), create_parents=True),
                 SD.insert(f"{base}.{F.EXPIRES_MS}", self._remaining_ms(), xattr=True,
                           create_parents=True),
                 SD.insert(f"{base}.{F.DURABILITY}", F.DURABILITY_CODES[self.durability],
                           xattr=True, create_parents=True)]
        yield from self._write(atr_coll, "mutate_in", "setting the ATR entry", atr_id, specs,
                               self._durable(store_semantics=SD.StoreSemantics.UPSERT))
        self.atr = (atr_coll, atr_id)
        self.state = F.PENDING

    def _staging(self, op: str, content: Optional[C.Content] = None) -> list[Any]:
        atr_coll, atr_id = self.atr  # type: ignore[misc]
        x = {"xattr": True, "create_parents": True}
        specs = [SD.upsert(F.TXN, {}, xattr=True),
                 SD.upsert(F.TXN_TXN_ID, self.transaction_id, **x),
                 SD.upsert(F.TXN_ATTEMPT_ID, self.id, **x),
                 SD.upsert(F.TXN_OP_ID, str(uuid.uuid4()), **x),
                 SD.upsert(F.TXN_ATR_ID, atr_id, **x),
                 SD.upsert(F.TXN_ATR_BUCKET, atr_coll.bucket_name, **x),
                 SD.upsert(F.TXN_ATR_SCOPE, atr_coll.scope_name, **x),
                 SD.upsert(F.TXN_ATR_COLLECTION, atr_coll.name, **x),
                 SD.upsert(F.TXN_OP_TYPE, op, **x)]
        if content is not None:
            specs.extend(C.staging_specs(content))
        specs.append(SD.upsert(F.TXN_CRC32, SD.MutationMacro.value_crc32c(),
                               create_parents=True))
        if op != F.INSERT:
            for path, macro in ((F.TXN_RESTORE_CAS, F.DOC_CAS),
                                (F.TXN_RESTORE_EXPTIME, F.DOC_EXPTIME),
                                (F.TXN_RESTORE_REVID, F.DOC_REVID)):
                specs.append(SD.upsert(path, macro, _expand_macros=True, **x))
        return specs

    def insert(self, coll: Any, key: str, value: Any, transcoder: Any = None) -> Flow:
        if self.query is not None:
            return (yield from _query_steps().insert(self, coll, key, value))
        content = C.encode(value, transcoder)
        where = _where(coll, key)
        staged = self.staged.get(where)
        if staged is not None and staged.op != F.REMOVE:
            raise DocumentExistsException(message=f"{key!r} is already written in this "
                                          "transaction", key=key)
        yield from self.ensure_atr(coll, key)
        if staged is not None:  # removed, then inserted again: a replace
            res = yield from self._write(coll, "mutate_in", "staging the insert", key,
                                         self._staging(F.REPLACE, content),
                                         self._durable(cas=staged.cas))
            self.staged[where] = Staged(F.REPLACE, coll, key, res.cas, value, content)
            return TransactionGetResult(coll, key, res.cas, value, None, content.flags)
        specs = self._staging(F.INSERT, content)
        try:
            res = yield Call(coll, "mutate_in", key, specs,
                             self._durable(store_semantics=SD.StoreSemantics.INSERT,
                                           access_deleted=True, create_as_deleted=True,
                                           _user_flags=content.flags))
        except DocumentExistsException:
            doc = yield from self.read(coll, key)
            if doc is None:
                raise OperationFailed("the document vanished while inserting",
                                      retry=True) from None
            yield from self.check_conflict(doc.txn)
            if not doc.deleted:
                raise DocumentExistsException(message=f"{key!r} exists", key=key) from None
            res = yield from self._write(coll, "mutate_in", "staging the insert", key, specs,
                                         self._durable(cas=doc.cas, access_deleted=True,
                                                       _user_flags=content.flags))
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc, "staging the insert") from exc
        self.staged[where] = Staged(F.INSERT, coll, key, res.cas, value, content)
        return TransactionGetResult(coll, key, res.cas, value, None, content.flags)

    def replace(self, doc: TransactionGetResult, value: Any, transcoder: Any = None) -> Flow:
        if self.query is not None:
            return (yield from _query_steps().replace(self, doc, value))
        content = C.encode(value, transcoder)
        coll, key = doc.collection, doc.id
        where = _where(coll, key)
        staged = self.staged.get(where)
        if staged is not None and staged.op == F.REMOVE:
            raise OperationFailed(f"{key!r} is removed in this transaction")
        yield from self.ensure_atr(coll, key)
        if staged is None:
            yield from self.check_conflict(doc._txn)
        op = staged.op if staged is not None else F.REPLACE
        cas = staged.cas if staged is not None else doc.cas
        res = yield from self._write(coll, "mutate_in", "staging the replace", key,
                                     self._staging(op, content),
                                     self._durable(cas=cas, access_deleted=op == F.INSERT))
        self.staged[where] = Staged(op, coll, key, res.cas, value, content)
        return TransactionGetResult(coll, key, res.cas, value, None, content.flags)

    def remove(self, doc: TransactionGetResult) -> Flow:
        if self.query is not None:
            return (yield from _query_steps().remove(self, doc))
        coll, key = doc.collection, doc.id
        where = _where(coll, key)
        staged = self.staged.get(where)
        if staged is not None and staged.op == F.REMOVE:
            raise OperationFailed(f"{key!r} is already removed in this transaction")
        yield from self.ensure_atr(coll, key)
        if staged is not None and staged.op == F.INSERT:  # undo our own insert
            yield from self._write(coll, "mutate_in", "removing the staged insert", key,
                                   [SD.remove(F.TXN, xattr=True)],
                                   self._durable(cas=staged.cas, access_deleted=True))
            del self.staged[where]
            return
        if staged is None:
            yield from self.check_conflict(doc._txn)
        cas = staged.cas if staged is not None else doc.cas
        res = yield from self._write(coll, "mutate_in", "staging the remove", key,
                                     self._staging(F.REMOVE), self._durable(cas=cas))
        self.staged[where] = Staged(F.REMOVE, coll, key, res.cas, None)

    # -- the end ------------------------------------------------------------------------
    def _entry_specs(self, state: str, stamp: str) -> list[Any]:
        base = f"{F.ATTEMPTS}.{self.id}"
        lists: dict[str, list[Any]] = {F.INSERTED: [], F.REPLACED: [], F.REMOVED: []}
        name = {F.INSERT: F.INSERTED, F.REPLACE: F.REPLACED, F.REMOVE: F.REMOVED}
        for s in self.staged.values():
            lists[name[s.op]].append(doc_record(s.key, s.coll))
        return [SD.upsert(f"{base}.{F.STATE}", state, xattr=True),
                SD.upsert(f"{base}.{stamp}", SD.MutationMacro.cas())] + \
               [SD.upsert(f"{base}.{k}", v, xattr=True) for k, v in lists.items()]

    def _drop_entry(self) -> Flow:
        atr_coll, atr_id = self.atr  # type: ignore[misc]
        try:
            yield Call(atr_coll, "mutate_in", atr_id,
                       [SD.remove(f"{F.ATTEMPTS}.{self.id}", xattr=True)], self._durable())
        except Exception:  # noqa: BLE001 (the cleanup removes entries left behind)
            self.left_behind = True
            return False
        return True

    def commit(self) -> Flow:
        """Commit: returns whether every staged write was unstaged."""
        if self.query is not None:
            return (yield from _query_steps().commit(self))
        self.check()
        if self.atr is None:
            self.state = F.COMPLETED
            return True
        _crash_point("pending")
        yield from self._commit_point()
        self.state = F.COMMITTED
        _crash_point("committed")
        complete = True
        for staged in list(self.staged.values()):
            done = yield from self._unstage(staged)
            complete = complete and done
            _crash_point("unstaging")
        self.left_behind = self.left_behind or not complete
        if complete:  # else the entry stays COMMITTED so the cleanup can finish the rest
            yield from self._drop_entry()
        self.state = F.COMPLETED
        return complete

    def _commit_point(self) -> Flow:
        """Set the ATR entry COMMITTED. A write with no known outcome (ambiguous) is
        settled by reading the entry: COMMITTED is done, PENDING is written again (the
        write is idempotent), gone or aborted means it did not commit (the cleanup or
        another client took the attempt). TransactionCommitAmbiguous only when the
        entry cannot be read before the transaction's time is up."""
        from .._errors4x import TransactionCommitAmbiguous

        atr_coll, atr_id = self.atr  # type: ignore[misc]
        specs = self._entry_specs(F.COMMITTED, F.COMMIT_START)
        where = {"id": {"atmpt": self.id}, "atr": {
            "id": atr_id, "bkt": atr_coll.bucket_name, "scp": atr_coll.scope_name,
            "coll": atr_coll.name}}
        ambiguous: Optional[BaseException] = None
        state = F.PENDING
        tries = 0
        while True:
            if ambiguous is None or state == F.PENDING:
                try:
                    yield Call(atr_coll, "mutate_in", atr_id, specs, self._durable())
                    return
                except _AMBIGUOUS as exc:
                    ambiguous = exc
                except Exception as exc:  # noqa: BLE001
                    if ambiguous is None:
                        raise self._fail(exc, "committing") from exc
                    ambiguous = exc
            try:
                entry, _ = yield from self.atr_entry(where)
                state = entry.state if entry is not None else "absent"
            except Exception as exc:  # noqa: BLE001 (cannot tell: try again while time remains)
                state, ambiguous = "unknown", exc
            if state in (F.COMMITTED, F.COMPLETED):
                return
            if state not in (F.PENDING, "unknown"):
                raise OperationFailed(f"the commit did not happen: the attempt's ATR entry is "
                                      f"{state} (taken over by the cleanup?)", ambiguous,
                                      expired=self.expired())
            if self.expired():
                if state == F.PENDING:  # known not committed
                    raise OperationFailed("the transaction expired while committing",
                                          ambiguous, expired=True)
                raise TransactionCommitAmbiguous(
                    message=f"the commit's outcome is unknown: {ambiguous}",
                    inner_cause=ambiguous)
            yield Pause(backoff(tries))
            tries += 1

    def _unstage(self, s: Staged) -> Flow:
        cas = s.cas
        for _ in range(8):
            try:
                if s.op == F.REMOVE:
                    opts = RemoveOptions(cas=cas)
                    if self.durability:
                        opts["durability"] = ServerDurability(self.durability)  # type: ignore[arg-type]
                    yield Call(s.coll, "remove", s.key, opts)
                else:
                    insert = s.op == F.INSERT
                    encoded = s.encoded or C.encode(s.content, None)
                    yield Call(s.coll, "mutate_in", s.key, C.commit_specs(encoded),
                               self._durable(cas=cas, access_deleted=insert,
                                             revive_document=insert,
                                             _user_flags=encoded.flags))
                return True
            except CasMismatchException:
                doc = yield from self.read(s.coll, s.key)
                if doc is None or _txn_get(doc.txn, "id", "atmpt") != self.id:
                    return True  # unstaged already (by the cleanup)
                cas = doc.cas
            except DocumentNotFoundException:
                return s.op == F.REMOVE
            except Exception:  # noqa: BLE001 (committed all the same: the cleanup finishes)
                return False
        return False

    def rollback(self) -> Flow:
        """Undo the staged writes; never raises."""
        if self.query is not None:
            return (yield from _query_steps().rollback(self))
        if self.atr is None or self.state != F.PENDING:
            self.state = F.ROLLED_BACK if self.atr is not None else self.state
            return
        atr_coll, atr_id = self.atr
        try:
            yield Call(atr_coll, "mutate_in", atr_id,
                       self._entry_specs(F.ABORTED, F.ROLLBACK_START), self._durable())
        except Exception:  # noqa: BLE001
            pass
        self.state = F.ABORTED
        for s in list(self.staged.values()):
            try:
                yield Call(s.coll, "mutate_in", s.key, [SD.remove(F.TXN, xattr=True)],
                           self._durable(cas=s.cas, access_deleted=s.op == F.INSERT))
            except Exception:  # noqa: BLE001 (gone, or another attempt took it over)
                pass
        yield from self._drop_entry()
        self.state = F.ROLLED_BACK


def _crash_point(name: str) -> None:
    """Test-only: a process run with ``COUCHBASE_TXN_CRASH_AT=<name>`` dies here as a
    crashed client would ("pending": staged, before the commit point; "committed":
    past it, nothing unstaged; "unstaging": one document unstaged). See
    tests/client/test_transactions_cleanup.py."""
    if os.environ.get("COUCHBASE_TXN_CRASH_AT") == name:
        os._exit(86)


def _query_steps() -> Any:
    """The steps of an attempt in query mode (:mod:`.query`, which imports this module)."""
    from . import query

    return query


def backoff(retry: int) -> float:
    """Seconds to wait before attempt ``retry + 1``: exponential from 1 ms to 100 ms,
    with jitter so clashing transactions do not clash again."""
    return min(0.001 * (2 ** retry), 0.1) * (0.5 + random.random())
