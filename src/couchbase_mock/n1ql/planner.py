"""Access paths: how a keyspace in FROM (or UPDATE/DELETE) is read.

In order of preference: ``USE KEYS`` (fetch by key); a secondary index whose
leading key is constrained by a WHERE conjunct (equality, range, IN, BETWEEN,
LIKE 'prefix%', IS NOT NULL/MISSING/VALUED), and whose own WHERE, if any,
appears among the query's conjuncts; the primary index (a full scan). With
none of these the query fails with code 4000, as on a real cluster.
``USE INDEX (name)`` picks the index (``#primary`` or any primary index's name
forces the full scan).
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Optional

from . import ast as A
from .errors import N1QLError, no_index
from .evaluator import CTX, Compiler, Scope, flatten_op
from .indexes import (
    Index,
    IndexCatalog,
    PrimaryIndex,
    SecondaryIndex,
    bounds_of,
    ids_in,
    key_text,
)
from .values import MISSING, TOP, collation_key

Fn = Callable[[dict], Any]


def _now(fn: Callable[[], Any]) -> Any:
    return fn()


_FLIP = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def conjuncts(where: Optional[A.Node]) -> list:
    return flatten_op(where, "AND") if where is not None else []


def is_constant(node: A.Node) -> bool:
    """No reference to any row: literals, parameters and pure functions of them."""
    for n in A.walk(node):
        if isinstance(n, (A.Ident, A.Subquery)):
            return False
        if isinstance(n, A.Call) and n.name == "META":
            return False
    return True


def refers_only_to(node: A.Node, alias: str, others: set) -> bool:
    """Whether every name in ``node`` is ``alias`` or an implicit field of it."""
    for n in A.walk(node):
        if isinstance(n, A.Ident) and n.name != alias and n.name in others:
            return False
        if isinstance(n, A.Call) and n.name == "META" and n.args:
            arg = n.args[0]
            if not (isinstance(arg, A.Ident) and arg.name == alias):
                return False
        if isinstance(n, A.Subquery):
            return False
    return True


class RangeSpec:
    """Bounds on the leading key gathered from the conjuncts, evaluated per request."""

    def __init__(self) -> None:
        self.points: Optional[Fn] = None
        self.lows: list[tuple[Fn, bool]] = []
        self.highs: list[tuple[Fn, bool]] = []
        self.texts: list[str] = []
        self.exact = False

    @property
    def empty(self) -> bool:
        return self.points is None and not self.lows and not self.highs and not self.texts

    def spans(self, env: dict) -> list:
        if self.points is not None:
            values = self.points(env)
            if type(values) is not list:
                return []
            return [(v, True, v, True) for v in values if v is not MISSING]
        low: Any = MISSING
        low_inc = True
        for fn, inc in self.lows:
            v = fn(env)
            if v is MISSING:
                continue
            if low is MISSING or (collation_key(v), not inc) > (collation_key(low), not low_inc):
                low, low_inc = v, inc
        high: Any = TOP
        high_inc = True
        for fn, inc in self.highs:
            v = fn(env)
            if v is MISSING:
                continue
            if high is TOP or (collation_key(v), inc) < (collation_key(high), high_inc):
                high, high_inc = v, inc
        return [(low, low_inc, high, high_inc)]


def _constant(value: Any) -> Fn:
    return lambda env: value


def _const_fn(node: A.Node) -> Fn:
    return Compiler(Scope()).compile(node)


def _like_prefix(pattern: str) -> Optional[str]:
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c in "%_":
            break
        if c == "\\" and i + 1 < len(pattern):
            i += 1
            c = pattern[i]
        out.append(c)
        i += 1
    else:
        return None  # no wildcard: an equality, handled as such
    return "".join(out)


def range_for(conjs: list, lead: str, alias: str, others: set) -> RangeSpec:
    spec = RangeSpec()

    def matches(expr: A.Node) -> bool:
        return refers_only_to(expr, alias, others) and key_text(expr, alias) == lead

    for c in conjs:
        if isinstance(c, A.Binary) and c.op in _FLIP:
            if matches(c.left) and is_constant(c.right):
                op, other = c.op, c.right
            elif matches(c.right) and is_constant(c.left):
                op, other = _FLIP[c.op], c.left
            else:
                continue
            fn = _const_fn(other)
            spec.texts.append(A.to_n1ql(c, alias))
            if op == "=":
                if spec.points is None:
                    spec.points = (lambda f: lambda env: [f(env)])(fn)
                    spec.exact = True
            elif op in ("<", "<="):
                spec.highs.append((fn, op == "<="))
                spec.lows.append((lambda env: None, False))
            else:
                spec.lows.append((fn, op == ">="))
        elif isinstance(c, A.Between) and not c.negated and matches(c.expr) \
                and is_constant(c.low) and is_constant(c.high):
            spec.lows.append((_const_fn(c.low), True))
            spec.highs.append((_const_fn(c.high), True))
            spec.texts.append(A.to_n1ql(c, alias))
        elif isinstance(c, A.Binary) and c.op == "IN" and matches(c.left) \
                and is_constant(c.right):
            if spec.points is None:
                spec.points = _const_fn(c.right)
                spec.exact = True
            spec.texts.append(A.to_n1ql(c, alias))
        elif isinstance(c, A.Binary) and c.op == "LIKE" and matches(c.left) \
                and isinstance(c.right, A.Literal) and isinstance(c.right.value, str):
            prefix = _like_prefix(c.right.value)
            if prefix is None:
                if spec.points is None:
                    value = c.right.value.replace("\\", "")
                    spec.points = lambda env, v=value: [v]
            elif prefix:
                upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
                spec.lows.append((_constant(prefix), True))
                spec.highs.append((_constant(upper), False))
            else:
                spec.lows.append((lambda env: "", True))
                spec.highs.append((lambda env: [], False))
            spec.texts.append(A.to_n1ql(c, alias))
        elif isinstance(c, A.IsCheck) and matches(c.expr) and (
                (c.what in ("NULL", "MISSING") and c.negated) or (c.what == "VALUED"
                                                                  and not c.negated)):
            if c.what != "MISSING":
                spec.lows.append((lambda env: None, False))
            spec.texts.append(A.to_n1ql(c, alias))
    return spec


class Access:
    """How one keyspace term is read: ``keys``, ``index`` or ``primary``."""

    def __init__(self, kind: str, path: tuple, keyspace: str, index: Optional[Index] = None,
                 keys_fn: Optional[Fn] = None, spec: Optional[RangeSpec] = None) -> None:
        self.kind = kind
        self.path = path
        self.keyspace = keyspace
        self.index = index
        self.keys_fn = keys_fn
        self.spec = spec

    def keys(self, env: dict, on_loop: Callable[[Callable[[], Any]], Any] = _now) -> Iterator[str]:
        """The document ids to fetch. Index reads go through ``on_loop`` (the
        engine's way to run a call where the indexes change); the spans are
        evaluated here."""
        if self.kind == "keys":
            assert self.keys_fn is not None
            v = self.keys_fn(env)
            if type(v) is str:
                return iter([v])
            if type(v) is list:
                return iter([k for k in v if type(k) is str])
            return iter([])
        index = self.index
        if isinstance(index, PrimaryIndex):
            return on_loop(index.scan)
        assert isinstance(index, SecondaryIndex) and self.spec is not None
        bounds = bounds_of(self.spec.spans(env))
        return ids_in(on_loop(lambda: index.ranges(bounds)))

    def explain(self) -> dict:
        base = {"keyspace": self.keyspace, "namespace": "default"}
        if self.kind == "keys":
            return {"#operator": "KeyScan", "keys": "...", **base}
        if self.kind == "primary":
            assert self.index is not None
            return {"#operator": "PrimaryScan3", "index": self.index.name, **base,
                    "using": "gsi"}
        assert self.index is not None and self.spec is not None
        return {"#operator": "IndexScan3", "index": self.index.name,
                "index_id": self.index.id, **base,
                "spans": [{"exact": self.spec.exact, "range": self.spec.texts}], "using": "gsi"}


def choose_access(catalog: IndexCatalog, term: A.KeyspaceTerm, path: tuple,
                  where: Optional[A.Node], others: set, outer_scope: Scope) -> Access:
    """The access path for ``term`` given the statement's WHERE."""
    keyspace = path[0] if path[1:] == ("_default", "_default") else path[2]
    quoted = ".".join(A.quote_ident(p) for p in (path[:1] if keyspace == path[0] else path))
    if term.use_keys is not None:
        fn = Compiler(outer_scope).compile(term.use_keys)
        return Access("keys", path, keyspace, keys_fn=fn)
    indexes = [ix for ix in catalog.of(path) if ix.online]
    hint = term.use_index
    if hint:
        hinted = [ix for ix in indexes if ix.name in hint]
        for ix in hinted:
            if ix.primary:
                return Access("primary", path, keyspace, index=ix)
        if hinted:
            indexes = hinted + [ix for ix in indexes if ix.primary]
    conjs = conjuncts(where)
    conj_texts = {key_text(c, term.alias) for c in conjs}
    best: Optional[tuple] = None
    for ix in indexes:
        if not isinstance(ix, SecondaryIndex):
            continue
        if ix.where is not None:
            needed = {key_text(c) for c in conjuncts(ix.where)}
            if not needed <= conj_texts:
                continue
        spec = range_for(conjs, ix.key_texts[0], term.alias, others)
        if spec.empty:
            continue
        score = (spec.exact, ix.where is not None, len(spec.texts), -len(ix.key_texts))
        if best is None or score > best[0]:
            best = (score, ix, spec)
    if best is not None:
        return Access("index", path, keyspace, index=best[1], spec=best[2])
    primary = catalog.primary(path)
    if primary is not None:
        return Access("primary", path, keyspace, index=primary)
    raise no_index(quoted)


def require_keyspace(datastore: Any, ref: A.KeyspaceRef) -> tuple:
    """The datastore path of a keyspace reference (12003 if it does not exist)."""
    from .errors import keyspace_not_found

    if ref.namespace != "default":
        raise N1QLError(12002, f"Namespace not found in CB datastore: {ref.namespace}")
    path = (ref.bucket, ref.scope or "_default", ref.collection or "_default")
    if path not in set(datastore.keyspaces()):
        bucket_exists = ref.bucket in datastore.buckets()
        raise keyspace_not_found(ref.path, ref.bucket, bucket_exists)
    return path


__all__ = ["Access", "choose_access", "conjuncts", "require_keyspace", "CTX"]
