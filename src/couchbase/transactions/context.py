"""What the transaction's logic is handed: ``ctx.get`` / ``insert`` / ``replace`` /
``remove`` / ``query``, for one attempt. :class:`AttemptContext` blocks (sync
front end); :class:`AsyncAttemptContext` is awaited (asyncio). Both are one line
per method over the attempt's flows (:mod:`.attempt`)."""

from __future__ import annotations

from typing import Any

from . import query as _query
from .attempt import Attempt
from .results import TransactionGetResult
from .steps import run_async, run_blocking


def _query_options(options: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    if options is not None and not isinstance(options, dict):
        from .._errors4x import InvalidArgumentException

        raise InvalidArgumentException(message="expected TransactionQueryOptions(...), "
                                       f"not {options!r}")
    return {**(options or {}), **kwargs}


def _transcoder(options: Any, kwargs: dict[str, Any]) -> Any:
    """The ``transcoder`` of TransactionGet/Insert/ReplaceOptions or the keywords (None:
    JSON). A class is instantiated, as the Collection's methods take either."""
    if options is not None and not isinstance(options, dict):
        from .._errors4x import InvalidArgumentException

        raise InvalidArgumentException(message="expected TransactionGetOptions, "
                                       "TransactionInsertOptions or TransactionReplaceOptions, "
                                       f"not {options!r}")
    transcoder = kwargs.get("transcoder", (options or {}).get("transcoder"))
    if isinstance(transcoder, type):
        transcoder = transcoder()
    if transcoder is not None and not callable(getattr(transcoder, "encode_value", None)):
        from .._errors4x import InvalidArgumentException

        raise InvalidArgumentException(message=f"not a transcoder: {transcoder!r}")
    return transcoder


def _check_doc(doc: Any) -> None:
    if not isinstance(doc, TransactionGetResult):
        from .._errors4x import InvalidArgumentException

        raise InvalidArgumentException(message="expected the TransactionGetResult of "
                                       f"ctx.get / ctx.insert / ctx.replace, not {doc!r}")


def _specs(specs: Any) -> list[Any]:
    from .transactions_get_multi import TransactionGetMultiSpec

    specs = list(specs) if isinstance(specs, (list, tuple)) else None
    if not specs or not all(isinstance(s, TransactionGetMultiSpec) for s in specs):
        from .._errors4x import InvalidArgumentException

        raise InvalidArgumentException(message="get_multi takes a non-empty list of "
                                       "TransactionGetMultiSpec(collection, id)")
    return specs


def _mode(options: Any, kwargs: dict[str, Any]) -> Any:
    from .transactions_get_multi import mode_of

    return mode_of(options, kwargs)


class AttemptContext:
    """The transaction's view of the data, for one attempt::

        def transfer(ctx):
            a = ctx.get(coll, "alice")
            b = ctx.get(coll, "bob")
            ctx.replace(a, {"balance": a.content_as[dict]["balance"] - 10})
            ctx.replace(b, {"balance": b.content_as[dict]["balance"] + 10})

        cluster.transactions.run(transfer)

    Writes are staged, invisible to other readers until the transaction commits.
    A document missing from ``get`` is DocumentNotFoundException, an existing one
    given to ``insert`` DocumentExistsException (both may be caught); any other
    failure is TransactionOperationFailed and the transaction rolls back.
    """

    def __init__(self, attempt: Attempt) -> None:
        self._attempt = attempt

    def get(self, coll: Any, key: str, options: Any = None, **kwargs: Any) -> TransactionGetResult:
        """The document ``key`` of ``coll`` as this transaction sees it
        (TransactionGetOptions: ``transcoder``)."""
        tc = _transcoder(options, kwargs)
        return run_blocking(self._attempt.guarded(self._attempt.get(coll, key, tc)))

    def get_multi(self, specs: list[Any], options: Any = None, **kwargs: Any) -> Any:
        """Several documents (a list of TransactionGetMultiSpec): a
        TransactionGetMultiResult (``exists(i)``, ``content_as[dict](i)``)."""
        return run_blocking(self._attempt.guarded(self._attempt.get_multi(
            _specs(specs), _mode(options, kwargs))))

    def insert(self, coll: Any, key: str, value: Any, options: Any = None,
               **kwargs: Any) -> TransactionGetResult:
        """Stage a new document (TransactionInsertOptions: ``transcoder``, e.g.
        RawBinaryTranscoder for bytes)."""
        tc = _transcoder(options, kwargs)
        return run_blocking(self._attempt.guarded(self._attempt.insert(coll, key, value, tc)))

    def replace(self, txn_get_result: TransactionGetResult, value: Any, options: Any = None,
                **kwargs: Any) -> TransactionGetResult:
        """Stage new content for a document read (or written) in this transaction
        (TransactionReplaceOptions: ``transcoder``)."""
        _check_doc(txn_get_result)
        tc = _transcoder(options, kwargs)
        return run_blocking(self._attempt.guarded(
            self._attempt.replace(txn_get_result, value, tc)))

    def remove(self, txn_get_result: TransactionGetResult, **kwargs: Any) -> None:
        """Stage the removal of a document read (or written) in this transaction."""
        _check_doc(txn_get_result)
        run_blocking(self._attempt.guarded(self._attempt.remove(txn_get_result)))

    def query(self, query: str, options: Any = None, **kwargs: Any) -> Any:
        """Run a SQL++ statement in this transaction (TransactionQueryOptions or their
        keywords): a TransactionQueryResult (``rows()``, ``metadata()``). It sees the
        transaction's writes, its writes are the transaction's; from the first query
        on, the attempt's other steps go through the query service too."""
        return run_blocking(_query.query(self._attempt, query, _query_options(options, kwargs)))


class AsyncAttemptContext:
    """:class:`AttemptContext` for asyncio: every method is awaited."""

    def __init__(self, attempt: Attempt) -> None:
        self._attempt = attempt

    async def get(self, coll: Any, key: str, options: Any = None,
                  **kwargs: Any) -> TransactionGetResult:
        tc = _transcoder(options, kwargs)
        return await run_async(self._attempt.guarded(self._attempt.get(coll, key, tc)))

    async def get_multi(self, specs: list[Any], options: Any = None, **kwargs: Any) -> Any:
        return await run_async(self._attempt.guarded(self._attempt.get_multi(
            _specs(specs), _mode(options, kwargs))))

    async def insert(self, coll: Any, key: str, value: Any, options: Any = None,
                     **kwargs: Any) -> TransactionGetResult:
        tc = _transcoder(options, kwargs)
        return await run_async(self._attempt.guarded(
            self._attempt.insert(coll, key, value, tc)))

    async def replace(self, txn_get_result: TransactionGetResult, value: Any,
                      options: Any = None, **kwargs: Any) -> TransactionGetResult:
        _check_doc(txn_get_result)
        tc = _transcoder(options, kwargs)
        return await run_async(self._attempt.guarded(
            self._attempt.replace(txn_get_result, value, tc)))

    async def remove(self, txn_get_result: TransactionGetResult, **kwargs: Any) -> None:
        _check_doc(txn_get_result)
        await run_async(self._attempt.guarded(self._attempt.remove(txn_get_result)))

    async def query(self, query: str, options: Any = None, **kwargs: Any) -> Any:
        return await run_async(_query.query(self._attempt, query,
                                            _query_options(options, kwargs)))
