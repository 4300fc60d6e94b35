"""``ctx.query``: SQL++ steps in a transaction, and the attempt's query mode.

The first ``ctx.query`` of an attempt sends ``BEGIN WORK`` with ``txdata``
describing the attempt (its ids, time left, durability, its ATR and the
mutations it staged so far with KV steps), so the query service adopts it: its
txid is then the attempt id. From then on the attempt is in query mode: every
statement, its KV steps too (``EXECUTE __get`` / ``__insert`` / ``__update`` /
``__delete`` with ``[keyspace, key(, content, {})]``), and the commit and
rollback (``COMMIT`` / ``ROLLBACK``) go to the same query node with the txid,
and the service stages through the same ATR and ``txn`` xattrs.

Query errors map to the transaction's (:func:`_mapped`): 17012 duplicate key is
DocumentExistsException and 17014 key not found DocumentNotFoundException (both
the logic's to catch), 17010/1080 expiry, other 17xxx errors by their
``cause`` (``retry``, ``raise``); any other error (a syntax error...) is raised as
the query raised it.
"""

from __future__ import annotations

from typing import Any, Optional

from .._errors4x import (
    CouchbaseException,
    DocumentExistsException,
    DocumentNotFoundException,
)
from . import fields as F
from .attempt import OperationFailed
from .results import TransactionGetResult
from .steps import Call, Flow

DURABILITY_NAMES = {0: "none", 1: "majority", 2: "majorityAndPersistActive",
                    3: "persistToMajority"}
TXDATA_DURABILITY = {0: "NONE", 1: "MAJORITY", 2: "MAJORITY_AND_PERSIST_TO_ACTIVE",
                     3: "PERSIST_TO_MAJORITY"}


class QueryMode:
    """An attempt in query mode: the query node its statements go to."""

    __slots__ = ("endpoint",)

    def __init__(self, endpoint: Any) -> None:
        self.endpoint = endpoint


class TransactionQueryResult:
    """What ``ctx.query`` returns: ``rows()`` (a list) and ``metadata()``."""

    def __init__(self, rows: list[Any], meta: Any) -> None:
        self._rows = rows
        self._meta = meta

    def rows(self) -> list[Any]:
        return list(self._rows)

    def __iter__(self) -> Any:
        return iter(self._rows)

    def metadata(self) -> Any:
        return self._meta

    def __repr__(self) -> str:
        return f"TransactionQueryResult(rows={len(self._rows)})"


class _Runner:
    """The Call target running one statement of the attempt: ``(rows, metadata,
    endpoint)``; a coroutine on asyncio (the driver awaits it)."""

    def __init__(self, cluster: Any) -> None:
        self.cluster = cluster

    def run(self, statement: str, options: dict[str, Any], endpoint: Any) -> Any:
        from .._query4x import query_request

        conn = self.cluster._services_connection()
        result = query_request(conn, statement, (options,), {})
        request = result._request
        if endpoint is not None:
            request._pinned_endpoint = endpoint  # the attempt sticks to one query node
        if hasattr(request, "__aiter__"):
            return self._collect(result, request)
        rows = list(result.rows())
        return rows, result.metadata(), getattr(request, "_endpoint", None)

    @staticmethod
    async def _collect(result: Any, request: Any) -> Any:
        rows = [row async for row in result.rows()]
        return rows, result.metadata(), getattr(request, "_endpoint", None)


def _runner(attempt: Any) -> _Runner:
    runner = getattr(attempt, "_query_runner", None)
    if runner is None:
        # the transactions object resolving the attempt's collections owns the cluster
        runner = attempt._query_runner = _Runner(attempt.resolve.__self__._cluster)
    return runner


def _keyspace(coll: Any) -> str:
    return f"default:`{coll.bucket_name}`.`{coll.scope_name}`.`{coll.name}`"


# -- errors -----------------------------------------------------------------------------


def _chosen(exc: BaseException) -> tuple[Optional[int], str, Any]:
    """``(code, message, cause)`` of the error that tells most (one with a ``cause``,
    else a 17xxx one, else the first)."""
    context = getattr(exc, "context", None)
    errors = [e for e in (getattr(context, "errors", None) or []) if isinstance(e, dict)]
    pick = next((e for e in errors if isinstance(e.get("cause"), dict)), None) or \
        next((e for e in errors if 17000 <= int(e.get("code") or 0) <= 18000), None) or \
        (errors[0] if errors else {})
    code = pick.get("code", getattr(context, "first_error_code", None))
    message = str(pick.get("msg") or getattr(context, "first_error_message", None) or exc)
    return (int(code) if isinstance(code, (int, str)) and str(code).isdigit() else None,
            message, pick.get("cause"))


def _mapped(exc: BaseException, attempt: Any, kv: str = "") -> BaseException:
    """The transaction's view of a query error (module docstring). ``kv``: the KV
    step that ran (a replace or remove of a document that moved is retried)."""
    code, message, cause = _chosen(exc)
    if code == 17012:
        return DocumentExistsException(message=message, inner_cause=exc)
    if code == 17014 and kv in ("", "__get"):
        return DocumentNotFoundException(message=message, inner_cause=exc)
    if code in (1080, 17010) or attempt.expired():
        return OperationFailed(f"the transaction expired: {message}", exc, expired=True)
    if code in (17014, 17015):
        return OperationFailed(message, exc, retry=True)
    if code == 17004:
        return OperationFailed(f"the query service lost the transaction: {message}", exc)
    if code is not None and 17000 <= code <= 18000:
        cause = cause if isinstance(cause, dict) else {}
        return OperationFailed(message, exc, retry=bool(cause.get("retry")),
                               expired=cause.get("raise") == "expired")
    return exc


# -- flows ---------------------------------------------------------------------------------


def _options(attempt: Any, options: Optional[dict[str, Any]], txdata: Optional[dict],
             begin: bool = False) -> dict[str, Any]:
    opts = dict(options or {})
    scope = opts.pop("scope", None)
    if scope is not None and hasattr(scope, "query_context"):
        opts["query_context"] = scope.query_context
    raw = dict(opts.get("raw") or {})
    if not begin:
        raw["txid"] = attempt.id
    if txdata:
        raw["txdata"] = txdata
    raw["txtimeout"] = f"{attempt._remaining_ms()}ms"
    raw["durability_level"] = DURABILITY_NAMES.get(attempt.durability, "majority")
    opts["raw"] = raw
    return opts


def _run(attempt: Any, statement: str, options: Optional[dict[str, Any]] = None,
         txdata: Optional[dict] = None, kv: str = "") -> Flow:
    mode: Optional[QueryMode] = attempt.query
    opts = _options(attempt, options, txdata)
    try:
        rows, meta, _ = yield Call(_runner(attempt), "run", statement, opts,
                                   mode.endpoint if mode is not None else None)
    except CouchbaseException as exc:
        raise _mapped(exc, attempt, kv) from exc
    return rows, meta


def _begin_txdata(attempt: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": {"txn": attempt.transaction_id, "atmpt": attempt.id},
        "state": {"timeLeftMs": attempt._remaining_ms()},
        "config": {"kvTimeoutMs": 10000, "numAtrs": 1024,
                   "durabilityLevel": TXDATA_DURABILITY.get(attempt.durability, "MAJORITY")},
        "mutations": [{"scp": s.coll.scope_name, "coll": s.coll.name,
                       "bkt": s.coll.bucket_name, "id": s.key, "cas": str(s.cas),
                       "type": s.op.upper()} for s in attempt.staged.values()]}
    if attempt.atr is not None:
        coll, atr_id = attempt.atr
        data["atr"] = {"id": atr_id, "bkt": coll.bucket_name, "scp": coll.scope_name,
                       "coll": coll.name}
    elif attempt.metadata is not None:
        bkt, scp, coll = attempt.metadata
        data["atr"] = {"bkt": bkt, "scp": scp, "coll": coll}
    return data


def begin(attempt: Any) -> Flow:
    """``BEGIN WORK`` for the attempt: it is in query mode afterwards."""
    if attempt.query is not None:
        return
    opts = _options(attempt, None, _begin_txdata(attempt), begin=True)
    if attempt.metadata is not None:
        opts["raw"]["atrcollection"] = "`{}`.`{}`.`{}`".format(*attempt.metadata)
    opts["raw"]["numatrs"] = 1024
    try:
        _, _, endpoint = yield Call(_runner(attempt), "run", "BEGIN WORK", opts, None)
    except CouchbaseException as exc:
        mapped = _mapped(exc, attempt)
        if not isinstance(mapped, OperationFailed):
            mapped = OperationFailed(f"could not start the transaction's queries: {exc}", exc)
        raise mapped from exc
    attempt.query = QueryMode(endpoint)
    attempt.state = F.PENDING


def query(attempt: Any, statement: str, options: Optional[dict[str, Any]]) -> Flow:
    """``ctx.query``: a :class:`TransactionQueryResult`."""
    attempt.check()
    try:
        yield from begin(attempt)
        rows, meta = yield from _run(attempt, statement, options)
    except OperationFailed as exc:
        attempt.failed = exc
        raise
    return TransactionQueryResult(rows, meta)


def _doc(coll: Any, key: str, rows: list[Any]) -> TransactionGetResult:
    row = rows[0] if rows and isinstance(rows[0], dict) else {}
    scas = row.get("scas")
    cas = int(scas) if isinstance(scas, (str, int)) and str(scas).isdigit() else 0
    return TransactionGetResult(coll, key, cas, row.get("doc"))


def get(attempt: Any, coll: Any, key: str) -> Flow:
    rows, _ = yield from _run(attempt, "EXECUTE __get",
                              {"positional_parameters": [_keyspace(coll), key],
                               "readonly": True}, {"kv": True}, "__get")
    if not rows:
        raise DocumentNotFoundException(message=f"no document {key!r}", key=key)
    return _doc(coll, key, rows)


def insert(attempt: Any, coll: Any, key: str, value: Any) -> Flow:
    rows, _ = yield from _run(attempt, "EXECUTE __insert",
                              {"positional_parameters": [_keyspace(coll), key, value, {}]},
                              {"kv": True}, "__insert")
    return _doc(coll, key, rows)


def replace(attempt: Any, doc: TransactionGetResult, value: Any) -> Flow:
    coll, key = doc.collection, doc.id
    rows, _ = yield from _run(attempt, "EXECUTE __update",
                              {"positional_parameters": [_keyspace(coll), key, value, {}]},
                              {"kv": True, "scas": str(doc.cas)}, "__update")
    return _doc(coll, key, rows)


def remove(attempt: Any, doc: TransactionGetResult) -> Flow:
    yield from _run(attempt, "EXECUTE __delete",
                    {"positional_parameters": [_keyspace(doc.collection), doc.id]},
                    {"kv": True, "scas": str(doc.cas)}, "__delete")


def commit(attempt: Any) -> Flow:
    """``COMMIT``: the service commits and unstages; True (unstaging is complete)."""
    attempt.check()
    try:
        yield from _run(attempt, "COMMIT", None, {"kv": True})
    except (DocumentExistsException, DocumentNotFoundException) as exc:
        raise OperationFailed(f"committing failed: {exc}", exc) from exc
    attempt.state = F.COMPLETED
    return True


def rollback(attempt: Any) -> Flow:
    """``ROLLBACK``; never raises (a transaction the service no longer knows is gone)."""
    if attempt.state in (F.PENDING, F.NOT_STARTED):
        try:
            yield from _run(attempt, "ROLLBACK", None, {"kv": True})
        except Exception:  # noqa: BLE001 (expired or lost: the cleanup's)
            pass
    attempt.state = F.ROLLED_BACK
