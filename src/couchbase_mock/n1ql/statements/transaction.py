"""The transaction statements, and how a request runs inside a transaction.

Syntax (begin-transaction.adoc, set-transaction.adoc, savepoint.adoc,
rollback-transaction.adoc, commit-transaction.adoc)::

    ( BEGIN | START ) ( WORK | TRAN | TRANSACTION ) [ ISOLATION LEVEL READ COMMITTED ]
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED
    SAVEPOINT savepointname
    ROLLBACK [ WORK | TRAN | TRANSACTION ] [ TO SAVEPOINT savepointname ]
    COMMIT [ WORK | TRAN | TRANSACTION ]

``BEGIN`` answers ``[{"txid": ...}]``; the others answer no rows and need the
request's ``txid`` (:func:`run_request`; without one they fail with 17004).
Within a transaction only SELECT, INSERT, UPSERT, UPDATE, DELETE, MERGE,
EXECUTE FUNCTION, PREPARE and EXECUTE run (begin-transaction.adoc); anything
else fails with 17002. State and semantics: :mod:`..transactions`.

An SDK's transaction in query mode (``ctx.query``) begins with its attempt's
``txdata`` (staged through the attempt's ATR: :mod:`..tx_staging`) and runs its KV
steps as ``EXECUTE __get``, ``__insert``, ``__update``, ``__delete`` (:class:`KvOp`).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from .. import ast as A
from ..transactions import (
    MAX_TIMEOUT,
    TxError,
    TxParams,
    commit,
    context_error,
    not_allowed,
    table_of,
    tx_engine,
)
from ..tx_staging import adopt, has_store, keyspace_path
from . import runner, statement
from .functions import ExecuteFunction
from .merge import Merge

WORK_WORDS = ("WORK", "TRAN", "TRANSACTION")


class BeginWork(A.Node):
    __slots__ = ("isolation",)

    def __init__(self, isolation: Optional[str] = None) -> None:
        self.isolation = isolation


class SetTransaction(A.Node):
    __slots__ = ("isolation",)

    def __init__(self, isolation: str) -> None:
        self.isolation = isolation


class Savepoint(A.Node):
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class RollbackWork(A.Node):
    __slots__ = ("savepoint",)

    def __init__(self, savepoint: Optional[str] = None) -> None:
        self.savepoint = savepoint


class CommitWork(A.Node):
    __slots__ = ()


TCL = (BeginWork, SetTransaction, Savepoint, RollbackWork, CommitWork)
ALLOWED = (A.Select, A.Insert, A.Update, A.Delete, Merge, ExecuteFunction, A.Prepare,
           A.Execute)


def _isolation(p: Any) -> str:
    p.expect_kw("ISOLATION")
    p.expect_kw("LEVEL")
    p.expect_kw("READ")
    p.expect_kw("COMMITTED")
    return "READ COMMITTED"


@statement("BEGIN")
@statement("START")
def _parse_begin(p: Any) -> BeginWork:
    p.expect_kw("BEGIN", "START")
    p.expect_kw(*WORK_WORDS)
    return BeginWork(_isolation(p) if p.is_kw("ISOLATION") else None)


@statement("SET", "TRANSACTION")
def _parse_set(p: Any) -> SetTransaction:
    p.expect_kw("SET")
    p.expect_kw("TRANSACTION")
    return SetTransaction(_isolation(p))


@statement("SAVEPOINT")
def _parse_savepoint(p: Any) -> Savepoint:
    p.expect_kw("SAVEPOINT")
    return Savepoint(p.ident())


@statement("ROLLBACK")
def _parse_rollback(p: Any) -> RollbackWork:
    p.expect_kw("ROLLBACK")
    p.accept_kw(*WORK_WORDS)
    if p.accept_kw("TO"):
        p.expect_kw("SAVEPOINT")
        return RollbackWork(p.ident())
    return RollbackWork()


@statement("COMMIT")
def _parse_commit(p: Any) -> CommitWork:
    p.expect_kw("COMMIT")
    p.accept_kw(*WORK_WORDS)
    return CommitWork()


# -- without a txid: BEGIN starts one, the others have none to act on ----------------------


@runner(BeginWork)
def _run_begin(engine: Any, stmt: BeginWork, ctx: Any) -> tuple:
    tx = table_of(engine).begin(getattr(ctx, "tx_timeout", None))
    return [{"txid": tx.txid}], "json", None


def _no_transaction(engine: Any, stmt: Any, ctx: Any) -> tuple:
    raise context_error(f"{_name(stmt)} needs a transaction: start one with BEGIN WORK "
                        "and pass its txid")


for _node in (SetTransaction, Savepoint, RollbackWork, CommitWork):
    runner(_node)(_no_transaction)


def _name(stmt: Any) -> str:
    names = {BeginWork: "START_TRANSACTION", SetTransaction: "SET_TRANSACTION_ISOLATION",
             Savepoint: "SAVEPOINT", RollbackWork: "ROLLBACK_TRANSACTION",
             CommitWork: "COMMIT_TRANSACTION"}
    return names.get(type(stmt), type(stmt).__name__.upper())


# -- a request with a txid, or tximplicit ------------------------------------------------------


def run_request(engine: Any, stmt: Optional[A.Node], params: TxParams,
                call: Callable[[Any], Any], metrics: dict) -> Any:
    """Run one request's statement in its transaction: ``call(engine)`` runs it
    on the engine it is given and returns the engine's result. ``stmt`` is the
    statement (an EXECUTE's prepared one already looked up, or ``None``);
    ``metrics`` gets the transaction's elapsed and remaining time."""
    table = table_of(engine)
    inner = stmt.stmt if isinstance(stmt, A.Prepare) else stmt
    if params.txid and params.implicit:
        raise context_error("tximplicit cannot be used with txid")
    if isinstance(inner, BeginWork) and not params.active:
        tx = _begin(engine, table, params)
        metrics.update(tx.metrics(table.clock()))
        return _result([{"txid": tx.txid}])
    if params.implicit:
        if isinstance(inner, TCL) or (inner is not None and not isinstance(inner, ALLOWED)):
            raise not_allowed(_name(inner))
        tx = table.begin(params.timeout)
        try:
            result = _in(engine, tx, call)
            commit(engine, tx)
        finally:
            table.end(tx)
        metrics.update(tx.metrics(table.clock()))
        return result
    assert params.txid
    tx = table.get(params.txid)
    if not tx.busy.acquire(blocking=False):
        raise TxError(17013, "Parallel execution of the statements are not allowed "
                             "within the transaction", rollback=False)
    try:
        _settings(tx, params)
        result = _statement(engine, table, tx, inner, call, params)
    finally:
        tx.busy.release()
    metrics.update(tx.metrics(table.clock()))
    return result


def _begin(engine: Any, table: Any, params: TxParams) -> Any:
    """BEGIN WORK: a transaction; with an SDK attempt's txdata (and the local
    cluster's data service) one whose txid is the attempt id and whose writes are
    staged through the attempt's ATR (n1ql/tx_staging.py)."""
    data = params.data or {}
    ids = data.get("id")
    attempt = ids.get("atmpt") if isinstance(ids, dict) else None
    staged = isinstance(attempt, str) and bool(attempt) and has_store(engine.datastore)
    tx = table.begin(_timeout(params), txid=attempt if staged else None)
    _settings(tx, params)
    if staged:
        try:
            tx.staging = adopt(engine.datastore, data, params.durability, tx.writes)
        except BaseException:
            table.end(tx)
            raise
    return tx


KV_OPS = ("__get", "__insert", "__update", "__delete")


def kv_op(stmt: Any) -> Optional[str]:
    """``__get``... when ``stmt`` is an SDK's ``EXECUTE __get`` (a KV step of a
    transaction in query mode), else None."""
    if isinstance(stmt, A.Execute) and isinstance(stmt.name, A.Literal) \
            and stmt.name.value in KV_OPS:
        return str(stmt.name.value)
    return None


class KvOp:
    """``EXECUTE __get/__insert/__update/__delete`` with the request's positional
    parameters ``[keyspace, key(, content, options)]`` and txdata ``{"kv": true,
    "scas": cas}``: the SDK's KV step run on the transaction's view. Rows:
    ``{"scas", "doc", "txnMeta"}`` (none for ``__delete``). Stands in for the
    engine in the request's ``call``."""

    def __init__(self, view: Any, tx: Any, op: str, params: TxParams) -> None:
        self.view, self.tx, self.op, self.params = view, tx, op, params

    def query(self, statement: Any, positional: Optional[list] = None, *args: Any,
              **kwargs: Any) -> Any:
        import json

        values = list(positional or [])
        if len(values) < (4 if self.op in ("__insert", "__update") else 2):
            raise TxError(17004, f"Transaction context error: EXECUTE {self.op} needs its "
                                 "keyspace and key (and content) as positional parameters",
                          rollback=False)
        path, key = keyspace_path(values[0]), str(values[1])
        store = self.view.datastore
        scas = (self.params.data or {}).get("scas")
        cas = int(scas) if isinstance(scas, (str, int)) and str(scas).isdigit() else 0
        if self.op == "__delete":
            store.remove(path, key, cas)
            return _result([])
        if self.op == "__get":
            rec = store.get(path, key)
            if rec is None:
                raise TxError(17014, f"Key not found : {key}", rollback=False)
        else:
            body = json.dumps(values[2], separators=(",", ":")).encode()
            rec = store.insert(path, key, body) if self.op == "__insert" else \
                store.replace(path, key, body, cas=cas)
        row: dict[str, Any] = {"scas": str(rec.cas), "doc": json.loads(rec.value)}
        staging = self.tx.staging
        if staging is not None and (path, key) in staging.ops:
            row["txnMeta"] = {"atmpt": staging.attempt_id, "txn": staging.txn_id,
                              "atr": {"key": staging.atr_id, "bkt": staging.atr_keyspace[0],
                                      "scp": staging.atr_keyspace[1],
                                      "coll": staging.atr_keyspace[2]}}
        return _result([row])


def _result(rows: list) -> Any:
    from ..engine import QueryResult  # (the engine imports this package)

    return QueryResult(rows, "json")


def wants_transaction(stmt: Optional[A.Node], params: TxParams) -> bool:
    """Whether the request goes through :func:`run_request`."""
    return params.active or isinstance(stmt, BeginWork)


def _timeout(params: TxParams) -> Optional[float]:
    """``txtimeout``, else the ``timeLeftMs`` of an SDK's ``txdata``."""
    if params.timeout is not None:
        return params.timeout
    state = (params.data or {}).get("state")
    left = state.get("timeLeftMs") if isinstance(state, dict) else None
    if isinstance(left, (int, float)) and not isinstance(left, bool) and left > 0:
        return min(left / 1000.0, MAX_TIMEOUT)
    return None


def _settings(tx: Any, params: TxParams) -> None:
    """The request's durability_level and kvtimeout (or an SDK's txdata config)."""
    config = (params.data or {}).get("config")
    config = config if isinstance(config, dict) else {}
    durability = params.durability or config.get("durabilityLevel")
    if isinstance(durability, str):
        tx.durability = durability
    if params.kvtimeout is not None:
        tx.kvtimeout = params.kvtimeout
    elif isinstance(config.get("kvTimeoutMs"), (int, float)):
        tx.kvtimeout = config["kvTimeoutMs"] / 1000.0


def _statement(engine: Any, table: Any, tx: Any, stmt: Any, call: Callable[[Any], Any],
               params: TxParams) -> Any:
    tx.statements += 1
    if isinstance(stmt, BeginWork):
        raise not_allowed(_name(stmt))
    if isinstance(stmt, CommitWork):
        try:
            commit(engine, tx)
        finally:
            table.end(tx)
        return _result([])
    if isinstance(stmt, RollbackWork):
        if stmt.savepoint is None:
            try:
                if tx.staging is not None:
                    tx.staging.rollback()
            finally:
                table.end(tx)
        else:
            tx.rollback_to(stmt.savepoint)
        return _result([])
    if isinstance(stmt, Savepoint):
        tx.savepoint(stmt.name)
        return _result([])
    if isinstance(stmt, SetTransaction):
        return _result([])
    op = kv_op(stmt)
    if op is not None:
        return _in(engine, tx, lambda view: call(KvOp(view, tx, op, params)))
    if stmt is not None and not isinstance(stmt, ALLOWED):
        raise not_allowed(_name(stmt))
    return _in(engine, tx, call)


def _in(engine: Any, tx: Any, call: Callable[[Any], Any]) -> Any:
    """Run a DML or SELECT statement on the transaction's view; if it fails, the
    transaction is as it was before it."""
    before = dict(tx.writes)
    try:
        return call(tx_engine(engine, tx))
    except BaseException:
        tx.writes = before
        raise
