"""``cluster.transactions``: running the transaction's logic until it commits.

The run loop (one flow, :func:`_run`) makes an attempt, calls the logic with its
context, commits; on a transient failure (a write-write conflict, a CAS that
moved) it rolls the attempt back, backs off and tries again, until the
transaction's timeout. What leaves it:

- :class:`~couchbase.exceptions.TransactionFailed`: the logic raised, or an
  operation failed for good; rolled back, the cause in ``inner_cause``;
- :class:`~couchbase.exceptions.TransactionExpired`: out of time; rolled back;
- :class:`~couchbase.exceptions.TransactionCommitAmbiguous`: the commit point's
  write had no answer; the transaction may or may not have committed.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta
from typing import Any, Callable, Optional

from .._errors4x import (
    InvalidArgumentException,
    TransactionCommitAmbiguous,
    TransactionExpired,
    TransactionFailed,
)
from ..durability import DurabilityLevel, ServerDurability
from ..options import TransactionConfig, TransactionOptions, timeout_seconds
from .attempt import Attempt, OperationFailed, backoff
from .cleanup_worker import Cleanup
from .context import AsyncAttemptContext, AttemptContext
from .results import TransactionResult
from .steps import Call, Flow, Pause, run_async, run_blocking

DEFAULT_TIMEOUT = timedelta(seconds=15)


class _Settings:
    """A transaction's settings: its options over the cluster's config."""

    def __init__(self, config: dict[str, Any], options: dict[str, Any]) -> None:
        def pick(*names: str) -> Any:
            for source in (options, config):
                for name in names:
                    if source.get(name) is not None:
                        return source[name]
            return None

        durability = pick("durability")
        if durability is None:
            self.durability = int(DurabilityLevel.MAJORITY)
        elif isinstance(durability, ServerDurability):
            self.durability = int(durability.level)
        elif isinstance(durability, int):
            self.durability = int(DurabilityLevel(durability))
        else:
            raise InvalidArgumentException(message="a transaction's durability is "
                                           f"ServerDurability(level), not {durability!r}")
        timeout = pick("timeout", "expiration_time")
        self.timeout = timeout_seconds(timeout if timeout is not None else DEFAULT_TIMEOUT)
        keyspace = pick("metadata_collection")
        if keyspace is None:
            self.metadata: Optional[tuple[str, str, str]] = None
        elif hasattr(keyspace, "bucket") and isinstance(keyspace.bucket, str):
            self.metadata = (keyspace.bucket, keyspace.scope, keyspace.collection)
        else:  # a Collection
            self.metadata = (keyspace.bucket_name, keyspace.scope_name, keyspace.name)


class TransactionsBase:
    """The cluster's transactions, whatever the front end."""

    def __init__(self, cluster: Any, config: Optional[TransactionConfig] = None) -> None:
        self._cluster = cluster
        self._config: dict[str, Any] = dict(config or {})
        self._collections: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()
        self._cleanup = Cleanup(cluster, self._config, self._resolve,
                                _Settings(self._config, {}).durability)

    def _resolve(self, bucket: str, scope: str, name: str) -> Any:
        """The collection ``bucket.scope.name`` (an ATR's, another transaction's)."""
        where = (bucket, scope, name)
        coll = self._collections.get(where)
        if coll is None:
            with self._lock:
                coll = self._cluster.bucket(bucket).scope(scope).collection(name)
                self._collections[where] = coll
        return coll

    def _run(self, logic: Callable[[Any], Any], options: Any,
             make_ctx: Callable[[Attempt], Any]) -> Flow:
        if options is not None and not isinstance(options, dict):
            raise InvalidArgumentException(message="expected TransactionOptions(...), not "
                                           f"{options!r}")
        settings = _Settings(self._config, dict(options or {}))
        transaction_id = str(uuid.uuid4())
        deadline = time.monotonic() + settings.timeout
        retries = 0
        while True:
            attempt = Attempt(transaction_id, deadline, int(settings.timeout * 1000),
                              settings.durability, settings.metadata, self._resolve)
            try:
                yield Call(logic, "__call__", make_ctx(attempt))
                complete = yield from attempt.commit()
                self._cleanup.track(attempt)
                return TransactionResult(transaction_id, complete)
            except TransactionCommitAmbiguous:
                raise
            except Exception as exc:  # noqa: BLE001 (the logic's or ours: rolled back)
                failure = attempt.failed or (exc if isinstance(exc, OperationFailed) else None)
                yield from attempt.rollback()
                self._cleanup.track(attempt)
                if (failure is not None and failure.expired) or attempt.expired():
                    raise TransactionExpired(
                        message=f"transaction {transaction_id} expired after "
                        f"{settings.timeout:g} s and was rolled back",
                        inner_cause=failure or exc) from exc
                if failure is not None and failure.retry:
                    yield Pause(backoff(retries))
                    retries += 1
                    continue
                cause = failure.cause if failure is not None and failure.cause else exc
                raise TransactionFailed(message=f"transaction {transaction_id} failed and "
                                        f"was rolled back: {cause}", inner_cause=cause) from exc


class Transactions(TransactionsBase):
    """``cluster.transactions`` of the sync front end."""

    def __init__(self, cluster: Any, config: Optional[TransactionConfig] = None) -> None:
        super().__init__(cluster, config)
        self._cleanup.start()

    def run(self, txn_logic: Callable[[AttemptContext], Any],
            transaction_options: Optional[TransactionOptions] = None,
            **kwargs: Any) -> TransactionResult:
        """Run ``txn_logic(ctx)`` as one transaction: its writes all commit or none
        do. Returns a TransactionResult; raises TransactionFailed, TransactionExpired
        or TransactionCommitAmbiguous (see :mod:`couchbase.transactions.run`)."""
        options = transaction_options or kwargs.get("per_txn_config")
        return run_blocking(self._run(txn_logic, options, AttemptContext))

    def close(self) -> None:
        """Stop the background cleanup (``cluster.close()`` calls it)."""
        self._cleanup.stop()


class AsyncTransactions(TransactionsBase):
    """``cluster.transactions`` of the asyncio front end: ``await
    cluster.transactions.run(logic)`` where ``logic`` is ``async def logic(ctx)``."""

    async def run(self, txn_logic: Callable[[AsyncAttemptContext], Any],
                  transaction_options: Optional[TransactionOptions] = None,
                  **kwargs: Any) -> TransactionResult:
        options = transaction_options or kwargs.get("per_txn_config")
        self._cleanup.start_async()
        return await run_async(self._run(txn_logic, options, AsyncAttemptContext))

    async def close(self) -> None:
        await self._cleanup.stop_async()
