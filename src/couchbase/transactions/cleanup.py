"""Cleanup of transaction attempts left unfinished, as flows (see :mod:`.steps`).

An attempt whose client died (or gave up) leaves its ATR entry behind, and
maybe staged documents. Once the entry has expired, any client may finish it:

- COMMITTED: the commit point was reached, so the staged content is the truth:
  write it into each inserted/replaced document, remove the documents staged
  for removal;
- ABORTED: undo: strip the ``txn`` xattrs, drop the tombstones staged inserts
  made;
- PENDING (and the other states): nothing to do to the documents. A PENDING
  entry does not list its documents (the lists are written at the commit or
  rollback), and its staged writes are inert once the entry is gone: readers
  see the committed bodies, writers overwrite the staging;

then remove the entry. A document is only touched if its ``txn`` xattr still
names the attempt, and (for a commit) its body is the one the staging saw
(``txn.op.crc32`` equals the body's CRC32C), always with the CAS just read.

Which client scans which ATRs: each client heartbeats in the client record
``_txn:client-record`` of the metadata collection (xattr ``records.clients.<uuid>``
with ``heartbeat_ms`` (the write's CAS), ``expires_ms``, ``num_atrs``); the
live client ids, sorted, split the 1024 ATRs: the client at index ``i`` of
``n`` scans ATRs ``i, i + n, ...``. Clients whose record expired are dropped
from it (a few per heartbeat).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from .. import subdocument as SD
from .._errors4x import (
    DocumentExistsException,
    DocumentNotFoundException,
    PathExistsException,
    PathNotFoundException,
)
from ..durability import ServerDurability
from ..options import LookupInOptions, MutateInOptions, RemoveOptions
from . import content as C
from . import fields as F
from .atr import NUM_ATRS, AtrEntry, cas_to_ms
from .steps import Call, Flow

CLIENT_RECORD_ID = "_txn:client-record"
ENTRY_MARGIN_MS = 1500  # an entry is cleaned this long after it expired
RECORD_MARGIN_MS = 2000  # a client's record outlives its cleanup window by this
MAX_EXPIRED_DROPPED = 12  # expired clients removed from the record per heartbeat
_DURABILITY_LEVELS = {code: level for level, code in F.DURABILITY_CODES.items()}
Resolve = Callable[[str, str, str], Any]  # (bucket, scope, collection) -> Collection


def _value(result: Any, index: int) -> Any:
    try:
        if not result.exists(index):
            return None
        return result.content_as[lambda v: v](index)
    except Exception:  # noqa: BLE001 (missing: nothing there)
        return None


def _now_ms(hlc: Any) -> Optional[int]:
    """The server's clock from a ``$vbucket.HLC`` value, in ms."""
    try:
        return int(hlc["now"]) * 1000
    except (KeyError, TypeError, ValueError):
        return None


def _mutate_options(durability: int, **opts: Any) -> MutateInOptions:
    if durability:
        opts["durability"] = ServerDurability(durability)  # type: ignore[arg-type]
    return MutateInOptions(**opts)


def _remove_options(durability: int, cas: int) -> RemoveOptions:
    opts = RemoveOptions(cas=cas)
    if durability:
        opts["durability"] = ServerDurability(durability)  # type: ignore[arg-type]
    return opts


# -- the client record ------------------------------------------------------------------
def heartbeat(coll: Any, client_id: str, window_ms: int) -> Flow:
    """Record that ``client_id`` is alive in ``coll``'s client record; returns its share
    of the ATRs, ``(index, number of live clients)``."""
    specs = [SD.get("records", xattr=True), SD.get("$vbucket.HLC", xattr=True)]
    try:
        res = yield Call(coll, "lookup_in", CLIENT_RECORD_ID, specs)
    except DocumentNotFoundException:
        try:
            yield Call(coll, "mutate_in", CLIENT_RECORD_ID,
                       [SD.insert("records.clients", {}, xattr=True, create_parents=True)],
                       MutateInOptions(store_semantics=SD.StoreSemantics.INSERT))
        except DocumentExistsException:
            pass  # another client made it first
        res = yield Call(coll, "lookup_in", CLIENT_RECORD_ID, specs)
    records = _value(res, 0) or {}
    now_ms = _now_ms(_value(res, 1))
    live, expired = [], []
    for other, record in (records.get("clients") or {}).items():
        beat = cas_to_ms(record.get("heartbeat_ms")) if isinstance(record, dict) else None
        lasts = record.get("expires_ms") if isinstance(record, dict) else None
        if (other != client_id and now_ms is not None and beat is not None
                and isinstance(lasts, int) and now_ms > beat and now_ms - beat >= lasts):
            expired.append(other)
        else:
            live.append(other)
    if client_id not in live:
        live.append(client_id)
    live.sort()
    override = records.get("override") or {}
    if not (override.get("enabled") and now_ms is not None
            and int(override.get("expires") or 0) > now_ms * 1_000_000):
        base = f"records.clients.{client_id}"
        updates = [SD.upsert(f"{base}.heartbeat_ms", SD.MutationMacro.cas(),
                             create_parents=True),
                   SD.upsert(f"{base}.expires_ms", window_ms + RECORD_MARGIN_MS, xattr=True,
                             create_parents=True),
                   SD.upsert(f"{base}.num_atrs", NUM_ATRS, xattr=True, create_parents=True)]
        updates += [SD.remove(f"records.clients.{other}", xattr=True)
                    for other in expired[:MAX_EXPIRED_DROPPED]]
        yield Call(coll, "mutate_in", CLIENT_RECORD_ID, updates)
    return live.index(client_id), len(live)


def leave(coll: Any, client_id: str) -> Flow:
    """Remove ``client_id`` from ``coll``'s client record (at close)."""
    try:
        yield Call(coll, "mutate_in", CLIENT_RECORD_ID,
                   [SD.remove(f"records.clients.{client_id}", xattr=True)])
    except (DocumentNotFoundException, PathNotFoundException):
        pass


# -- ATR entries --------------------------------------------------------------------------
def atr_entries(coll: Any, atr_id: str) -> Flow:
    """``([(entry, raw entry)], server time in ms)`` of ATR ``atr_id``."""
    try:
        res = yield Call(coll, "lookup_in", atr_id,
                         [SD.get(F.ATTEMPTS, xattr=True), SD.get("$vbucket.HLC", xattr=True)])
    except DocumentNotFoundException:
        return [], None
    found = []
    for attempt_id, raw in (_value(res, 0) or {}).items():
        entry = AtrEntry.parse(attempt_id, raw)
        if entry is not None:
            found.append((entry, raw))
    return found, _now_ms(_value(res, 1))


def clean_atr(resolve: Resolve, coll: Any, atr_id: str, durability: int) -> Flow:
    """Clean the expired entries of one ATR; returns how many were removed."""
    entries, now_ms = yield from atr_entries(coll, atr_id)
    cleaned = 0
    for entry, raw in entries:
        if entry.expired(now_ms, ENTRY_MARGIN_MS):
            cleaned += (yield from clean_entry(resolve, coll, atr_id, entry, raw, durability))
    return cleaned


def clean_attempt(resolve: Resolve, coll: Any, atr_id: str, attempt_id: str,
                  durability: int) -> Flow:
    """Finish one attempt of this client (expired or not); whether its entry went."""
    entries, _ = yield from atr_entries(coll, atr_id)
    for entry, raw in entries:
        if entry.attempt_id == attempt_id:
            return (yield from clean_entry(resolve, coll, atr_id, entry, raw, durability))
    return False


def clean_entry(resolve: Resolve, coll: Any, atr_id: str, entry: AtrEntry, raw: dict[str, Any],
                durability: int) -> Flow:
    """Finish the documents of ``entry`` by its state, then remove it; whether it went.
    A document that fails (e.g. its CAS moved) raises: the entry stays for later."""
    level = _DURABILITY_LEVELS.get(str(raw.get(F.DURABILITY)), durability)
    docs = entry.docs
    if entry.state == F.COMMITTED:
        for record in docs[F.INSERTED] + docs[F.REPLACED]:
            yield from _per_doc(resolve, record, entry.attempt_id, True, _commit_doc, level)
        for record in docs[F.REMOVED]:
            yield from _per_doc(resolve, record, entry.attempt_id, True, _remove_doc, level)
    elif entry.state == F.ABORTED:
        for record in docs[F.INSERTED]:
            yield from _per_doc(resolve, record, entry.attempt_id, True, _drop_insert, level)
        for record in docs[F.REPLACED] + docs[F.REMOVED]:
            yield from _per_doc(resolve, record, entry.attempt_id, False, _unlink, level)
    base = f"{F.ATTEMPTS}.{entry.attempt_id}"
    specs = [SD.remove(base, xattr=True)]
    if entry.state == F.PENDING:  # "p": tells a still-running attempt the cleanup took it
        specs.insert(0, SD.insert(f"{base}.p", {}, xattr=True))
    try:
        yield Call(coll, "mutate_in", atr_id, specs, _mutate_options(level))
    except (PathNotFoundException, PathExistsException, DocumentNotFoundException):
        return False  # removed meanwhile, or the attempt itself got there first
    return True


# -- documents ------------------------------------------------------------------------------
def _per_doc(resolve: Resolve, record: Any, attempt_id: str, same_body: bool,
             action: Callable[..., Flow], level: int) -> Flow:
    if not isinstance(record, dict) or not record.get(F.DOC_ID):
        return
    coll = resolve(str(record.get(F.DOC_BUCKET)), str(record.get(F.DOC_SCOPE) or "_default"),
                   str(record.get(F.DOC_COLLECTION) or "_default"))
    key = record[F.DOC_ID]
    try:
        res = yield Call(coll, "lookup_in", key, C.READ_SPECS,
                         LookupInOptions(access_deleted=True))
    except DocumentNotFoundException:
        return
    txn = _value(res, 0)
    meta = _value(res, 1) or {}
    if not isinstance(txn, dict) or (txn.get("id") or {}).get("atmpt") != attempt_id:
        return  # finished already, or another attempt's staging now
    op = txn.get("op") or {}
    if same_body and op.get("crc32") != meta.get("value_crc32c"):
        return  # the body changed since the staging: not ours to touch
    yield from action(coll, key, res.cas, op, bool(meta.get("deleted")), level,
                      C.staged_content(txn, C.raw_field(res, 3)))


def _commit_doc(coll: Any, key: str, cas: int, op: dict[str, Any], deleted: bool,
                level: int, content: Optional[C.Content]) -> Flow:
    """Make the staged content (JSON or binary, with its flags) the body."""
    if op.get("type") not in (F.INSERT, F.REPLACE) or content is None:
        return
    yield Call(coll, "mutate_in", key, C.commit_specs(content),
               _mutate_options(level, cas=cas, access_deleted=deleted, revive_document=deleted,
                               _user_flags=content.flags))


def _remove_doc(coll: Any, key: str, cas: int, op: dict[str, Any], deleted: bool,
                level: int, content: Optional[C.Content] = None) -> Flow:
    if op.get("type") == F.REMOVE and not deleted:
        yield Call(coll, "remove", key, _remove_options(level, cas))


def _drop_insert(coll: Any, key: str, cas: int, op: dict[str, Any], deleted: bool,
                 level: int, content: Optional[C.Content] = None) -> Flow:
    if deleted:
        yield from _unlink(coll, key, cas, op, deleted, level, content)
    else:
        yield Call(coll, "remove", key, _remove_options(level, cas))


def _unlink(coll: Any, key: str, cas: int, op: dict[str, Any], deleted: bool,
            level: int, content: Optional[C.Content] = None) -> Flow:
    yield Call(coll, "mutate_in", key, [SD.remove(F.TXN, xattr=True)],
               _mutate_options(level, cas=cas, access_deleted=True))
