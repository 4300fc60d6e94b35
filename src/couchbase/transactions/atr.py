"""Active transaction records (ATRs): which one an attempt uses, and its entries.

An attempt registers in one ATR, a document of the metadata collection chosen
by the vbucket of the attempt's first mutated document. There are 1024 ATR
ids, one per vbucket: ``_txn:atr-<n>-#<hex>``, where ``<hex>`` is the smallest
suffix (counting up from 0) that makes the id itself hash to vbucket ``n``.
Every SDK derives the same ids, so they share the records.

An entry lives in the ATR's ``attempts`` xattr under the attempt id; its
fields are in :mod:`.fields`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Optional

from .._core.vbucket import vbucket_for_key
from . import fields as F

NUM_ATRS = 1024


@lru_cache(maxsize=NUM_ATRS)
def atr_id_for_vbucket(vbucket: int) -> str:
    """The ATR id of ``vbucket`` (0-1023)."""
    if not 0 <= vbucket < NUM_ATRS:
        raise ValueError(f"no ATR for vbucket {vbucket}")
    suffix = 0
    while True:
        atr_id = f"_txn:atr-{vbucket}-#{suffix:x}"
        if vbucket_for_key(atr_id.encode(), NUM_ATRS) == vbucket:
            return atr_id
        suffix += 1


def atr_id_for_key(key: str) -> str:
    """The ATR an attempt whose first mutation is of ``key`` registers in."""
    return atr_id_for_vbucket(vbucket_for_key(key.encode("utf-8"), NUM_ATRS))


def cas_to_ms(value: Any) -> Optional[int]:
    """A ``${Mutation.CAS}`` xattr value (``"0x<16 hex digits>"``, the CAS's bytes in
    little-endian order) as milliseconds since the epoch: the CAS is a hybrid logical
    clock in nanoseconds."""
    if not isinstance(value, str) or not value.startswith("0x"):
        return None
    try:
        raw = bytes.fromhex(value[2:].rjust(16, "0"))
    except ValueError:
        return None
    return int.from_bytes(raw, "little") // 1_000_000


@dataclass
class AtrEntry:
    """One attempt's entry in an ATR."""

    attempt_id: str
    state: str
    transaction_id: Optional[str] = None
    start_ms: Optional[int] = None
    expires_after_ms: Optional[int] = None
    docs: dict[str, list[Any]] = field(default_factory=dict)

    @classmethod
    def parse(cls, attempt_id: str, raw: Any) -> Optional[AtrEntry]:
        if not isinstance(raw, dict):
            return None
        exp = raw.get(F.EXPIRES_MS)
        return cls(attempt_id, str(raw.get(F.STATE, F.NOT_STARTED)), raw.get(F.TXN_ID),
                   cas_to_ms(raw.get(F.START)), exp if isinstance(exp, int) else None,
                   {k: list(raw.get(k) or ()) for k in (F.INSERTED, F.REPLACED, F.REMOVED)})

    def expired(self, now_ms: Optional[int], grace_ms: int = 0) -> bool:
        """Whether the attempt outlived its expiry by ``now_ms`` (the server's clock)."""
        if now_ms is None or self.start_ms is None or self.expires_after_ms is None:
            return False
        return now_ms > self.start_ms + self.expires_after_ms + grace_ms


def doc_record(key: str, coll: Any) -> dict[str, str]:
    """How an ATR entry lists a document: ``{"id", "bkt", "scp", "col"}``."""
    return {F.DOC_ID: key, F.DOC_BUCKET: coll.bucket_name, F.DOC_SCOPE: coll.scope_name,
            F.DOC_COLLECTION: coll.name}
