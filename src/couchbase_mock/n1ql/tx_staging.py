"""Query transactions that share the SDKs' transaction protocol (ATRs + ``txn`` xattrs).

A ``BEGIN WORK`` whose ``txdata`` names an SDK attempt (``id.atmpt``, ``id.txn``,
``atr``, ``mutations``, ``state.timeLeftMs``, ``config.durabilityLevel``) makes a
transaction whose txid is the attempt id and whose writes go through the same
protocol as the SDKs' key-value steps, so a KV reader (or another SDK) sees them
as staged, never as committed:

- :func:`adopt` reads the attempt's mutations staged so far from the documents'
  ``txn`` xattrs, so the transaction's statements see them;
- :meth:`Staging.stage` (each write of a statement) registers the attempt in its
  ATR (PENDING) on the first write, checks the document is not staged by another
  live attempt (write-write conflict: 17017, retry), and writes the ``txn`` xattr:
  the committed body stays, an insert stages into a tombstone;
- :meth:`Staging.commit` flips the ATR entry to COMMITTED and unstages every
  document (body from the staged content, ``txn`` removed, removals deleted),
  then drops the entry; :meth:`Staging.rollback` marks it ABORTED, strips the
  ``txn`` xattrs and drops it. Both run in one call on the loop, so no KV request
  sees them half done.

The statements keep reading the transaction's writes from its in-memory overlay
(:class:`..transactions.TxView`); this module mirrors them into the data service.
Field names are the protocol's (:mod:`couchbase.transactions.fields`).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Callable, Optional

from couchbase.transactions import fields as F
from couchbase.transactions.atr import atr_id_for_key, cas_to_ms

from ..storage import Document
from ..subdoc.crc32c import value_crc32c
from ..subdoc.xattrs import MACRO_CAS, expand_macros
from .datastore import JSON_FLAGS, DocRecord, Path
from .errors import N1QLError

Where = tuple[Path, str]
DURABILITY_CODES = {"none": "n", "majority": "m", "majorityandpersistactive": "pa",
                    "majorityandpersisttoactive": "pa", "persisttomajority": "pm"}
"""A durability level (the query parameter's or txdata's spelling, lower case without
underscores) as an ATR entry writes it."""


def _txerror(code: int, msg: str, retry: bool = False) -> N1QLError:
    from .transactions import TxError

    return TxError(code, msg, retry=retry)


def _loads(raw: Optional[bytes]) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _get(value: Any, *path: str) -> Any:
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


_NAME = re.compile(r"`([^`]*)`|([^.`]+)")


def keyspace_path(text: Any) -> Path:
    """``default:`b`.`s`.`c``` (or ``b``, ``b.s.c``) as a path; 17004 if malformed."""
    if not isinstance(text, str):
        raise _txerror(17004, f"Transaction context error: bad keyspace {text!r}")
    if ":" in text.split("`")[0]:
        text = text.split(":", 1)[1]
    names = [a or b for a, b in _NAME.findall(text)]
    if len(names) == 1:
        return (names[0], "_default", "_default")
    if len(names) == 3:
        return (names[0], names[1], names[2])
    raise _txerror(17004, f"Transaction context error: bad keyspace {text!r}")


class _Kv:
    """The data service under a :class:`..datastore` path, for the loop thread."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.cluster = store.cluster

    def _where(self, path: Path, key: str) -> tuple[Any, int, int, tuple[int, bytes]]:
        bucket, cid = self.store._locate(path)
        raw = key.encode("utf-8", "surrogateescape")
        vb = bucket.vbucket_of(raw)
        return self.cluster.engines[bucket.name], bucket.active_node(vb), vb, (cid, raw)

    def read(self, path: Path, key: str) -> Optional[Document]:
        """The document or its tombstone (None if neither)."""
        engine, node, vb, dkey = self._where(path, key)
        _, doc = engine.subdoc_read(node, vb, dkey, True)
        return doc

    def write(self, path: Path, key: str, build: Callable[[Optional[Document]], Document],
              finish: Optional[Callable[[Document], None]] = None) -> Document:
        engine, node, vb, dkey = self._where(path, key)
        status, doc = engine.subdoc_mutate(node, vb, dkey, 0, "upsert", True, 0, True,
                                           build, finish)
        if doc is None:
            raise _txerror(17007, f"Transaction write failed for {key}: status {status}")
        return doc

    def delete(self, path: Path, key: str) -> None:
        engine, node, vb, dkey = self._where(path, key)
        engine.delete(node, vb, dkey, 0)


def _txn_of(doc: Optional[Document]) -> Optional[dict]:
    if doc is None or not doc.xattrs:
        return None
    txn = _loads(doc.xattrs.get(F.TXN))
    return txn if isinstance(txn, dict) else None


def _with_xattr(old: Optional[Document], name: str, value: Any, deleted: bool) -> Document:
    """A copy of ``old`` (a new tombstone if None) with xattr ``name`` set (None: removed)."""
    if old is None:
        doc = Document(deleted=True)
    else:
        doc = old.copy()
        doc.deleted = deleted if old.deleted else False
    xattrs = dict(doc.xattrs or {})
    if value is None:
        xattrs.pop(name, None)
    else:
        xattrs[name] = _dumps(value)
    doc.xattrs = xattrs or None
    return doc


class Staging:
    """One SDK attempt's writes, staged in the data service (module docstring)."""

    def __init__(self, store: Any, data: dict, durability: Optional[str]) -> None:
        self.kv = _Kv(store)
        self.on_loop: Callable[[Callable[[], Any]], Any] = store.on_loop
        self.attempt_id = str(_get(data, "id", "atmpt"))
        self.txn_id = str(_get(data, "id", "txn") or self.attempt_id)
        self.time_left_ms = _get(data, "state", "timeLeftMs")
        level = (durability or _get(data, "config", "durabilityLevel") or "majority")
        self.durability = DURABILITY_CODES.get(str(level).lower().replace("_", ""), "m")
        atr = _get(data, "atr")
        self.atr_keyspace: Optional[Path] = None
        self.atr_id: Optional[str] = None
        self.atr_made = False
        if isinstance(atr, dict) and atr.get("bkt"):
            self.atr_keyspace = (atr["bkt"], atr.get("scp") or "_default",
                                 atr.get("coll") or "_default")
            if atr.get("id"):
                self.atr_id, self.atr_made = str(atr["id"]), True
        self.ops: dict[Where, str] = {}
        """The op staged in the data service per document (insert/replace/remove)."""

    # -- the ATR entry ------------------------------------------------------------------
    def _entry(self, change: Callable[[dict], None], drop: bool = False,
               stamp: Optional[str] = None) -> None:
        assert self.atr_keyspace is not None and self.atr_id is not None
        aid = self.attempt_id

        def build(old: Optional[Document]) -> Document:
            doc = old.copy() if old is not None and not old.deleted else \
                Document(b"{}", JSON_FLAGS, datatype=1)
            attempts = _loads((doc.xattrs or {}).get(F.ATTEMPTS)) or {}
            if drop:
                attempts.pop(aid, None)
            else:
                change(attempts.setdefault(aid, {}))
            doc.xattrs = {**(doc.xattrs or {}), F.ATTEMPTS: _dumps(attempts)}
            return doc

        def finish(doc: Document) -> None:
            if stamp is None:
                return
            attempts = _loads(doc.xattrs[F.ATTEMPTS])  # type: ignore[index]
            attempts[aid][stamp] = expand_macros(MACRO_CAS, doc)
            doc.xattrs[F.ATTEMPTS] = _dumps(attempts)  # type: ignore[index]

        self.kv.write(self.atr_keyspace, self.atr_id, build, finish)

    def _ensure_atr(self, path: Path, key: str) -> None:
        if self.atr_made:
            return
        if self.atr_keyspace is None:
            self.atr_keyspace = (path[0], "_default", "_default")
        self.atr_id = atr_id_for_key(key)
        left = self.time_left_ms if isinstance(self.time_left_ms, int) else 15000

        def pending(entry: dict) -> None:
            entry.update({F.TXN_ID: self.txn_id, F.STATE: F.PENDING, F.EXPIRES_MS: left,
                          F.DURABILITY: self.durability})

        self._entry(pending, stamp=F.START)
        self.atr_made = True

    def _entry_lists(self, entry: dict, writes: dict[Where, Any]) -> None:
        lists: dict[str, list] = {F.INSERTED: [], F.REPLACED: [], F.REMOVED: []}
        name = {F.INSERT: F.INSERTED, F.REPLACE: F.REPLACED, F.REMOVE: F.REMOVED}
        for (path, key), op in self.ops.items():
            if (path, key) in writes:
                lists[name[op]].append({F.DOC_ID: key, F.DOC_BUCKET: path[0],
                                        F.DOC_SCOPE: path[1], F.DOC_COLLECTION: path[2]})
        entry.update(lists)

    # -- conflicts ----------------------------------------------------------------------
    def _check_conflict(self, key: str, txn: Optional[dict]) -> None:
        if txn is None or _get(txn, "id", "atmpt") == self.attempt_id \
                or _get(txn, "id", "txn") == self.txn_id:
            return
        atr_id, attempt = _get(txn, "atr", "id"), _get(txn, "id", "atmpt")
        bkt = _get(txn, "atr", "bkt")
        if not atr_id or not bkt:
            return
        where = (bkt, _get(txn, "atr", "scp") or "_default", _get(txn, "atr", "coll") or "_default")
        try:
            atr = self.kv.read(where, atr_id)
        except N1QLError:
            raise
        except Exception:  # noqa: BLE001 (the ATR's keyspace is gone: not blocking)
            return
        attempts = _loads((atr.xattrs or {}).get(F.ATTEMPTS)) if atr is not None else None
        entry = attempts.get(attempt) if isinstance(attempts, dict) else None
        if not isinstance(entry, dict) or entry.get(F.STATE) in (F.COMPLETED, F.ROLLED_BACK):
            return
        start, exp = cas_to_ms(entry.get(F.START)), entry.get(F.EXPIRES_MS)
        now_ms = self.kv.cluster.clock() * 1000
        if start is not None and isinstance(exp, int) and now_ms > start + exp:
            return  # expired: the cleanup's to finish, and ours to overwrite
        raise _txerror(17017, f"Write-write conflict: document {key} is staged by another "
                              f"transaction (attempt {attempt}, {entry.get(F.STATE)})", retry=True)

    # -- staging one write --------------------------------------------------------------------
    def stage(self, path: Path, key: str, rec: Optional[DocRecord]) -> int:
        """Stage ``rec`` (None: removal) of ``key``; the document's CAS afterwards."""
        return self.on_loop(lambda: self._stage(path, key, rec))

    def _stage(self, path: Path, key: str, rec: Optional[DocRecord]) -> int:
        where = (path, key)
        doc = self.kv.read(path, key)
        self._check_conflict(key, _txn_of(doc))
        prior = self.ops.get(where)
        absent = doc is None or doc.deleted
        if prior == F.INSERT or (prior is None and absent):
            op: Optional[str] = F.INSERT if rec is not None else None
        else:
            op = F.REPLACE if rec is not None else F.REMOVE
        if op is None:  # our own insert removed again: nothing staged any more
            if prior is None:
                return doc.cas if doc is not None else 0
            self.ops.pop(where, None)
            return self.kv.write(path, key, lambda old: _with_xattr(old, F.TXN, None, True)).cas
        self._ensure_atr(path, key)
        assert self.atr_keyspace is not None
        txn: dict[str, Any] = {
            "id": {"txn": self.txn_id, "atmpt": self.attempt_id, "op": str(uuid.uuid4())},
            "atr": {"id": self.atr_id, "bkt": self.atr_keyspace[0],
                    "scp": self.atr_keyspace[1], "coll": self.atr_keyspace[2]},
            "op": {"type": op}}
        if rec is not None:
            txn["op"]["stgd"] = _loads(rec.value)
        txn["op"]["crc32"] = f"0x{value_crc32c(doc.value if doc is not None else b''):08x}"
        if op != F.INSERT and doc is not None and prior is None:
            txn["restore"] = {"CAS": f"0x{doc.cas:016x}", "exptime": doc.expiry,
                              "revid": str(doc.revno)}
        elif op != F.INSERT and doc is not None:
            old_txn = _txn_of(doc)
            if old_txn and "restore" in old_txn:
                txn["restore"] = old_txn["restore"]
        self.ops[where] = op
        return self.kv.write(path, key, lambda old: _with_xattr(old, F.TXN, txn, True)).cas

    # -- the end ------------------------------------------------------------------------
    def commit(self, writes: dict[Where, Any]) -> Optional[str]:
        """Commit (on the loop): None, or the document that is no longer ours."""
        return self.on_loop(lambda: self._commit(writes))

    def _commit(self, writes: dict[Where, Any]) -> Optional[str]:
        for (path, key) in self.ops:
            if _get(_txn_of(self.kv.read(path, key)), "id", "atmpt") != self.attempt_id:
                return f"{'.'.join(path)}:{key}"
        if not self.atr_made:
            return None
        stamp = F.COMMIT_START

        def committed(entry: dict) -> None:
            entry[F.STATE] = F.COMMITTED
            self._entry_lists(entry, writes)

        self._entry(committed, stamp=stamp)
        for (path, key), op in list(self.ops.items()):
            staged = writes.get((path, key))
            if staged is None:  # staged by a statement that failed: not the transaction's
                self.kv.write(path, key, lambda old: _with_xattr(old, F.TXN, None, True))
            elif op == F.REMOVE or staged.rec is None:
                self.kv.delete(path, key)
            else:
                rec = staged.rec

                def body(old: Optional[Document], rec: DocRecord = rec) -> Document:
                    doc = _with_xattr(old, F.TXN, None, False)
                    doc.value, doc.flags, doc.deleted, doc.datatype = \
                        rec.value, rec.flags, False, 1
                    return doc

                self.kv.write(path, key, body)
        self._entry(lambda entry: None, drop=True)
        return None

    def rollback(self) -> None:
        self.on_loop(self._rollback)

    def _rollback(self) -> None:
        if not self.atr_made:
            return
        if self.ops:
            self._entry(lambda entry: entry.update({F.STATE: F.ABORTED}),
                        stamp=F.ROLLBACK_START)
        for (path, key) in list(self.ops):
            if _get(_txn_of(self.kv.read(path, key)), "id", "atmpt") == self.attempt_id:
                self.kv.write(path, key, lambda old: _with_xattr(old, F.TXN, None, True))
        self.ops.clear()
        self._entry(lambda entry: None, drop=True)


def adopt(store: Any, data: dict, durability: Optional[str], writes: dict) -> Staging:
    """The :class:`Staging` of the attempt ``data`` (a txdata) names, with the
    mutations it staged so far read into ``writes`` (``(path, key) -> Staged``)."""
    from .transactions import Staged

    staging = Staging(store, data, durability)

    def read() -> None:
        for m in data.get("mutations") or ():
            if not isinstance(m, dict) or not m.get("id") or not m.get("bkt"):
                continue
            path = (m["bkt"], m.get("scp") or "_default", m.get("coll") or "_default")
            key = str(m["id"])
            try:
                doc = staging.kv.read(path, key)
            except Exception:  # noqa: BLE001 (a keyspace gone: nothing to adopt)
                continue
            txn = _txn_of(doc)
            if doc is None or _get(txn, "id", "atmpt") != staging.attempt_id:
                continue
            op = _get(txn, "op", "type")
            if op not in (F.INSERT, F.REPLACE, F.REMOVE):
                continue
            staging.ops[(path, key)] = op
            rec = None if op == F.REMOVE else DocRecord(
                key, _dumps(_get(txn, "op", "stgd")), doc.cas, JSON_FLAGS, 0)
            writes[(path, key)] = Staged(rec, doc.cas)

    staging.on_loop(read)
    return staging


def has_store(store: Any) -> bool:
    """Whether ``store`` is the local cluster's (staging needs its data service)."""
    return hasattr(store, "cluster") and hasattr(store, "_locate")
