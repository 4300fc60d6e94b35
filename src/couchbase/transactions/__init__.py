"""Distributed ACID transactions over key-value operations (the 4.x API)::

    from couchbase.transactions import TransactionResult

    def transfer(ctx):
        a = ctx.get(coll, "alice")
        ctx.replace(a, {"balance": a.content_as[dict]["balance"] - 10})
        ctx.insert(coll, "receipt-1", {"amount": 10})

    result = cluster.transactions.run(transfer)

Couchbase's transaction protocol (shared by every SDK, so transactions of this
client and of the official ones see each other's staged and committed data):
modules :mod:`.fields` (names), :mod:`.atr` (records), :mod:`.attempt` (the
state machine), :mod:`.context` (``ctx``), :mod:`.run` (the retry loop).
"""

from __future__ import annotations

from .context import AsyncAttemptContext, AttemptContext
from .results import TransactionGetResult, TransactionResult
from .run import AsyncTransactions, Transactions
from .transaction_keyspace import TransactionKeyspace
from .transactions_get_multi import (
    TransactionGetMultiMode,
    TransactionGetMultiOptions,
    TransactionGetMultiResult,
    TransactionGetMultiSpec,
)

__all__ = ["AsyncAttemptContext", "AsyncTransactions", "AttemptContext",
           "TransactionGetMultiMode", "TransactionGetMultiOptions", "TransactionGetMultiResult",
           "TransactionGetMultiSpec",
           "TransactionGetResult", "TransactionKeyspace", "TransactionResult",
           "Transactions"]
