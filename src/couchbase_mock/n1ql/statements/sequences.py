"""Sequences: CREATE/ALTER/DROP SEQUENCE and the NEXT/PREV VALUE FOR operators.

Syntax (createsequence.adoc, altersequence.adoc, dropsequence.adoc,
sequenceops.adoc)::

    CREATE SEQUENCE [IF NOT EXISTS] seq [IF NOT EXISTS] [options | WITH {...}]
    ALTER SEQUENCE seq [options | WITH {...}]
    DROP SEQUENCE [IF EXISTS] seq [IF EXISTS]
    seq ::= [[namespace:]bucket.scope.]name
    options ::= START WITH n | RESTART [WITH n] | INCREMENT BY n | MAXVALUE n |
                NO MAXVALUE | MINVALUE n | NO MINVALUE | CYCLE | NO CYCLE |
                CACHE n | NO CACHE        (each at most once, in any order)
    NEXT VALUE FOR seq | NEXTVAL FOR seq
    PREVIOUS VALUE FOR seq | PREV VALUE FOR seq | PREVVAL FOR seq

A one-word name is one of the query_context's scope (the query service
rewrites its :class:`~..ast.KeyspaceRef` as for any keyspace).

Values: a new sequence starts at ``start`` (default 0) and steps by
``increment`` (default 1) between ``min`` and ``max`` (default the int64
range); past a bound it wraps to the other bound if it cycles, else fails.
Values are handed out from blocks of ``cache`` (default 50) reserved at a time,
as the server does: an ALTER without RESTART loses the rest of the block, so
the next value is the start of the next block (``~next_block`` in
``system:sequences``). NEXT VALUE is taken once per document: every NEXT/PREV
VALUE of one result row (one environment) sees the same value; the key and the
value of ``INSERT ... VALUES`` are evaluated apart, so they take two values, as
the reference's example shows. PREV VALUE is the row's value, else the last
value this node handed out (an error if it handed out none). Neither may
appear in a WHERE or ON clause (3100).

The server keeps sequences in the bucket's ``_system`` scope; the local cluster
keeps them in memory, one :class:`SequenceStore` per engine (for the cluster's
life), every step under one lock so concurrent requests never get the same value;
with a data directory, the definitions and each block's end are saved there
(:mod:`couchbase_mock.query_catalog_store`), so a restart never repeats a value.

Errors (the reference names no codes for these but 3100; the local cluster's
own): a sequence that exists 19101, a missing one 19102, a bad option 19103, a
sequence past its bound 19104, PREV VALUE before any value 19105.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any, Callable, Optional

from .. import ast as A
from .. import system
from ..errors import N1QLError, keyspace_not_found
from ..evaluator import CTX, Compiler, Fn, Scope
from ..lexer import NUMBER
from . import runner, statement

E_SEQUENCE_EXISTS = 19101
E_SEQUENCE_NOT_FOUND = 19102
E_SEQUENCE_OPTION = 19103
E_SEQUENCE_EXHAUSTED = 19104
E_SEQUENCE_NO_VALUE = 19105
E_SEQUENCE_PLACEMENT = 3100

INT64_MAX = 2 ** 63 - 1
INT64_MIN = -(2 ** 63)
DEFAULT_CACHE = 50

Key = tuple  # (bucket, scope, name)

# -- syntax tree ----------------------------------------------------------------------------


class SequenceStatement(A.Node):
    """``verb`` CREATE/ALTER/DROP; ``ref`` the name (bucket, scope, collection=name);
    ``options`` the clauses given (``{"start": 5, "cycle": True, "restart": None...}``);
    ``with_`` the WITH object's expression."""

    __slots__ = ("verb", "ref", "if_flag", "options", "with_")

    def __init__(self, verb: str, ref: A.KeyspaceRef, if_flag: bool, options: dict,
                 with_: Optional[A.Node]) -> None:
        self.verb = verb
        self.ref = ref
        self.if_flag = if_flag
        self.options = options
        self.with_ = with_


class SequenceOp(A.Node):
    """``NEXT VALUE FOR ref`` (``kind`` "NEXT") or ``PREV VALUE FOR ref`` ("PREV")."""

    __slots__ = ("kind", "ref")

    def __init__(self, kind: str, ref: A.KeyspaceRef) -> None:
        self.kind = kind
        self.ref = ref

    def n1ql_text(self) -> str:
        word = "nextval" if self.kind == "NEXT" else "prevval"
        return f"{word} for {sequence_path(self.ref)}"


def sequence_path(ref: A.KeyspaceRef) -> str:
    """```default`:`bucket`.`scope`.`name``` (or the one word not yet qualified)."""
    if ref.scope is None:
        return A.quote_ident(ref.bucket)
    return (f"`{ref.namespace}`:" + ".".join(f"`{p}`" for p in
                                              (ref.bucket, ref.scope, ref.collection)))


# -- parsing --------------------------------------------------------------------------------


def _name(p: Any) -> A.KeyspaceRef:
    """``bucket.scope.sequence``, or one name (resolved through the query context)."""
    return p.object_path((1, 3))


def _integer(p: Any) -> int:
    sign = -1 if p.accept_op("-") else 1
    if sign == 1:
        p.accept_op("+")
    t = p.tok
    if t.kind != NUMBER:
        raise p.error()
    if type(t.value) is not int:
        raise N1QLError(E_SEQUENCE_OPTION, f"Invalid sequence option value: {t.text} "
                                           "is not an integer")
    p.i += 1
    return sign * t.value


def _if(p: Any, negated: bool) -> bool:
    if p.is_kw("IF"):
        p.i += 1
        if negated:
            p.expect_kw("NOT")
        p.expect_kw("EXISTS")
        return True
    return False


def _options(p: Any, verb: str) -> dict:
    opts: dict = {}

    def put(name: str, value: Any) -> None:
        if name in opts:
            raise N1QLError(3000, f"Duplicate sequence option {name.upper()}")
        opts[name] = value

    while True:
        if verb == "CREATE" and p.is_kw("START"):
            p.i += 1
            p.expect_kw("WITH")
            put("start", _integer(p))
        elif verb == "ALTER" and p.is_kw("RESTART"):
            p.i += 1
            put("restart", _integer(p) if p.accept_kw("WITH") else None)
        elif p.is_kw("INCREMENT"):
            p.i += 1
            p.expect_kw("BY")
            put("increment", _integer(p))
        elif p.is_kw("MAXVALUE"):
            p.i += 1
            put("max", _integer(p))
        elif p.is_kw("MINVALUE"):
            p.i += 1
            put("min", _integer(p))
        elif p.is_kw("CYCLE"):
            p.i += 1
            put("cycle", True)
        elif p.is_kw("CACHE"):
            p.i += 1
            put("cache", _integer(p))
        elif p.is_kw("NO"):
            p.i += 1
            word = p.expect_kw("MAXVALUE", "MINVALUE", "CYCLE", "CACHE")
            default = {"MAXVALUE": INT64_MAX, "MINVALUE": INT64_MIN, "CYCLE": False,
                       "CACHE": 1}[word]
            put({"MAXVALUE": "max", "MINVALUE": "min"}.get(word, word.lower()), default)
        else:
            return opts


def _parse(p: Any) -> SequenceStatement:
    verb = p.expect_kw("CREATE", "ALTER", "DROP")
    p.expect_kw("SEQUENCE")
    if_flag = verb != "ALTER" and _if(p, verb == "CREATE")
    ref = _name(p)
    if verb != "ALTER" and not if_flag:
        if_flag = _if(p, verb == "CREATE")
    options: dict = {}
    with_ = None
    if verb != "DROP":
        if p.accept_kw("WITH"):
            with_ = p.expr()
        else:
            options = _options(p, verb)
    return SequenceStatement(verb, ref, if_flag, options, with_)


statement("CREATE", "SEQUENCE")(_parse)
statement("ALTER", "SEQUENCE")(_parse)
statement("DROP", "SEQUENCE")(_parse)

OPERATOR_WORDS = frozenset({"NEXT", "NEXTVAL", "PREV", "PREVIOUS", "PREVVAL"})


def sequence_operator(p: Any) -> Optional[SequenceOp]:
    """The parser's hook for an expression starting with one of
    :data:`OPERATOR_WORDS`: the operator, or ``None`` (then it is a name)."""
    word = p.tok.text.upper()
    k = 1
    if word in ("NEXT", "PREV", "PREVIOUS"):
        if not p.is_kw("VALUE", tok=p.peek()):
            return None
        k = 2
    if not p.is_kw("FOR", tok=p.peek(k)):
        return None
    p.i += k + 1
    return SequenceOp("NEXT" if word.startswith("NEXT") else "PREV", _name(p))


def check_placement(stmt: A.Node) -> None:
    """3100 for a sequence operator in a WHERE or ON clause (sequenceops.adoc,
    "Restrictions"), subqueries included."""
    stack: list = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, A.Subquery):
            stack.append(node.query)
            continue
        for clause in ("where", "on"):
            part = getattr(node, clause, None) if clause in node.__slots__ else None
            if isinstance(part, A.Node) and any(isinstance(n, SequenceOp)
                                                 for n in A.walk(part)):
                raise N1QLError(E_SEQUENCE_PLACEMENT, "Sequence operations are not "
                                                      f"permitted in a {clause.upper()} clause.")
        stack.extend(node.children())


# -- the sequences of one engine -----------------------------------------------------------


class Sequence:
    """One sequence's definition and where it stands on this node."""

    def __init__(self, key: Key, start: int, increment: int, min_: int, max_: int,
                 cycle: bool, cache: int) -> None:
        self.key = key
        self.start = start
        self.increment = increment
        self.min = min_
        self.max = max_
        self.cycle = cycle
        self.cache = cache
        self.current: Optional[int] = None
        """The last value handed out (``None``: none yet)."""
        self.next_block = start
        """The first value of the next block to reserve."""
        self.left = 0
        """Values left in the reserved block after :attr:`current`."""

    def advance(self) -> int:
        """The next value (call under the store's lock)."""
        if self.left > 0:
            value = self.current + self.increment  # type: ignore[operator]
            self.left -= 1
        else:
            value = self._reserve(self.next_block)
        if not self.min <= value <= self.max:
            if not self.cycle:
                bucket, scope, name = self.key
                raise N1QLError(E_SEQUENCE_EXHAUSTED, f"Sequence `default`:`{bucket}`."
                                f"`{scope}`.`{name}` has reached its limit")
            value = self._reserve(self.min if self.increment > 0 else self.max)
        self.current = value
        return value

    def _reserve(self, first: int) -> int:
        self.next_block = first + self.cache * self.increment
        self.left = self.cache - 1
        return first

    def row(self, node_id: str) -> dict:
        bucket, scope, name = self.key
        return {"bucket": bucket, "cache": self.cache, "cycle": self.cycle,
                "increment": self.increment, "max": self.max, "min": self.min, "name": name,
                "namespace": "default", "namespace_id": "default",
                "path": f"`default`:`{bucket}`.`{scope}`.`{name}`", "scope_id": scope,
                "value": {node_id: self.current, "~next_block": self.next_block}}


class SequenceStore:
    """Every sequence of one engine, changed under one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sequences: dict[Key, Sequence] = {}
        self.on_change: Optional[Callable[[], None]] = None
        """Told under :attr:`lock` after a sequence changes or reserves a block,
        before any value of the block is handed out (the local cluster saves
        the block's end: :mod:`couchbase_mock.query_catalog_store`)."""

    def get(self, key: Key) -> Sequence:
        found = self.sequences.get(key)
        if found is None:
            raise not_found(key)
        return found

    def next_value(self, key: Key) -> int:
        with self.lock:
            seq = self.get(key)
            reserving = seq.left == 0
            value = seq.advance()
            if reserving and self.on_change is not None:
                self.on_change()  # a new block: its end is saved before its first value
            return value

    def prev_value(self, key: Key) -> int:
        with self.lock:
            current = self.get(key).current
        if current is None:
            raise N1QLError(E_SEQUENCE_NO_VALUE, f"No value has been generated for "
                                                 f"sequence {_text(key)}")
        return current


def store_of(engine: Any) -> SequenceStore:
    """The engine's sequences, made on first use."""
    store = getattr(engine, "sequence_store", None)
    if store is None:
        store = engine.sequence_store = SequenceStore()
    return store


def _text(key: Key) -> str:
    return "default:" + ".".join(f"`{p}`" if "-" in p else p for p in key)


def not_found(key: Key) -> N1QLError:
    return N1QLError(E_SEQUENCE_NOT_FOUND, f"Sequence {_text(key)} not found")


def _node_id(engine: Any) -> str:
    return hashlib.md5(str(engine.datastore_id).encode()).hexdigest()


# -- running the statements ----------------------------------------------------------------


def _key(engine: Any, ref: A.KeyspaceRef) -> Key:
    if ref.namespace != "default":
        raise N1QLError(12002, f"Namespace not found in CB datastore: {ref.namespace}")
    if ref.scope is None:
        raise N1QLError(3000, f"Sequence {ref.bucket}: a name alone needs a query_context "
                              "naming its bucket and scope")
    store = engine.datastore
    if ref.bucket not in store.buckets():
        raise keyspace_not_found(f"default:{ref.bucket}", ref.bucket, False)
    scopes = store.scopes(ref.bucket) if hasattr(store, "scopes") else \
        {s for b, s, _ in store.keyspaces() if b == ref.bucket}
    if ref.scope not in scopes:
        raise N1QLError(12021, f"Scope not found in CB datastore default:{ref.bucket}.{ref.scope}")
    return (ref.bucket, ref.scope, ref.collection)


_WITH_KEYS = {"CREATE": ("start", "increment", "max", "min", "cycle", "cache"),
              "ALTER": ("restart", "increment", "max", "min", "cycle", "cache")}


def _with_options(stmt: SequenceStatement, ctx: Any) -> dict:
    value = Compiler(Scope()).compile(stmt.with_)({CTX: ctx})  # type: ignore[arg-type]
    if type(value) is not dict:
        raise N1QLError(E_SEQUENCE_OPTION, "WITH clause of a sequence must be an object")
    allowed = _WITH_KEYS[stmt.verb]
    opts: dict = {}
    for name, v in value.items():
        if name not in allowed:
            raise N1QLError(E_SEQUENCE_OPTION, f"Invalid sequence option: {name}")
        if name == "cycle":
            if type(v) is not bool:
                raise N1QLError(E_SEQUENCE_OPTION, "Sequence option cycle must be a boolean")
        elif name == "restart" and v is None:
            pass
        elif type(v) is float and v == int(v):
            v = int(v)
        elif type(v) is not int:
            raise N1QLError(E_SEQUENCE_OPTION, f"Sequence option {name} must be an integer")
        opts[name] = v
    return opts


def _check(seq: Sequence) -> None:
    if seq.cache < 1:
        raise N1QLError(E_SEQUENCE_OPTION, "Sequence cache must be greater than 0")
    if seq.increment == 0:
        raise N1QLError(E_SEQUENCE_OPTION, "Sequence increment must not be 0")
    for name in ("min", "max", "start", "increment"):
        if not INT64_MIN <= getattr(seq, name) <= INT64_MAX:
            raise N1QLError(E_SEQUENCE_OPTION, f"Sequence {name} is not a 64-bit integer")
    if seq.min >= seq.max:
        raise N1QLError(E_SEQUENCE_OPTION, "Sequence minimum value must be less than its "
                                           "maximum value")
    if not seq.min <= seq.start <= seq.max:
        raise N1QLError(E_SEQUENCE_OPTION, "Sequence start value must be between its minimum "
                                           "and maximum values")


@runner(SequenceStatement)
def run(engine: Any, stmt: SequenceStatement, ctx: Any) -> tuple:
    key = _key(engine, stmt.ref)
    opts = _with_options(stmt, ctx) if stmt.with_ is not None else dict(stmt.options)
    store = store_of(engine)
    with store.lock:
        existing = store.sequences.get(key)
        if stmt.verb == "CREATE":
            if existing is not None:
                if stmt.if_flag:
                    return [], None, None
                raise N1QLError(E_SEQUENCE_EXISTS, f"Sequence {_text(key)} already exists")
            seq = Sequence(key, opts.get("start", 0), opts.get("increment", 1),
                           opts.get("min", INT64_MIN), opts.get("max", INT64_MAX),
                           opts.get("cycle", False), opts.get("cache", DEFAULT_CACHE))
            _check(seq)
            store.sequences[key] = seq
        elif stmt.verb == "DROP":
            if existing is None:
                if stmt.if_flag:
                    return [], None, None
                raise not_found(key)
            del store.sequences[key]
        else:
            if existing is None:
                raise not_found(key)
            _alter(existing, opts)
        if store.on_change is not None:
            store.on_change()
    return [], None, None


def _alter(seq: Sequence, opts: dict) -> None:
    """Change ``seq`` as ``opts`` say (nothing changes if they are invalid)."""
    trial = Sequence(seq.key, seq.start, opts.get("increment", seq.increment),
                     opts.get("min", seq.min), opts.get("max", seq.max),
                     opts.get("cycle", seq.cycle), opts.get("cache", seq.cache))
    restart = "restart" in opts
    first = seq.start if opts.get("restart") is None else opts["restart"]
    if restart:
        trial.start = first
    _check(trial)
    seq.increment, seq.min, seq.max = trial.increment, trial.min, trial.max
    seq.cycle, seq.cache = trial.cycle, trial.cache
    seq.left = 0  # the rest of the reserved block is lost (createsequence.adoc, "Cache")
    if restart:
        seq.next_block = first


# -- the operators --------------------------------------------------------------------------


def _compile(self: Compiler, node: SequenceOp) -> Fn:
    ref = node.ref
    if ref.scope is None:
        raise N1QLError(3000, f"Sequence {ref.bucket}: a name alone needs a query_context "
                              "naming its bucket and scope")
    key: Key = (ref.bucket, ref.scope, ref.collection)
    # The value this row (document) has taken: (id of its environment, value). A
    # subquery's or a later stage's copy of the environment is another document.
    slot = "\x00seq:" + "\x00".join(key)

    if node.kind == "NEXT":
        def next_value(env: dict) -> Any:
            taken = env.get(slot)
            if taken is not None and taken[0] == id(env):
                return taken[1]
            value = store_of(env[CTX].executor).next_value(key)
            env[slot] = (id(env), value)
            return value

        return next_value

    def prev_value(env: dict) -> Any:
        taken = env.get(slot)
        if taken is not None and taken[0] == id(env):
            return taken[1]
        return store_of(env[CTX].executor).prev_value(key)

    return prev_value


Compiler.c_SequenceOp = _compile  # type: ignore[attr-defined]


# -- system:sequences, system:all_sequences -------------------------------------------------


def _rows(engine: Any, ctx: Any) -> list:
    store = store_of(engine)
    node = _node_id(engine)
    with store.lock:
        seqs = sorted(store.sequences.values(), key=lambda s: s.key)
        rows = [(_text(s.key), s.row(node)) for s in seqs]
    return [(k, r) for k, r in rows if system._readable(ctx, r["bucket"])]


system.keyspace("sequences", replace=True)(_rows)
system.keyspace("all_sequences", replace=True)(_rows)
