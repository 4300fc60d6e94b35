"""Access paths: how a keyspace in FROM (or UPDATE/DELETE) is read.

In order of preference: ``USE KEYS`` (fetch by key); a secondary index whose
leading key is constrained by a WHERE conjunct (equality, range, IN, BETWEEN,
LIKE 'prefix%', IS NOT NULL/MISSING/VALUED), and whose own WHERE, if any,
appears among the query's conjuncts; the primary index (a full scan). With
none of these the query fails with code 4000, as on a real cluster.
An index whose leading key is ``INCLUDE MISSING`` indexes every document, so
it serves a query with no predicate on that key too (a full or ``IS MISSING``
scan of it, see :func:`missing_spec`), preferred to the primary index.
``USE INDEX (name)`` picks the index (``#primary`` or any primary index's name
forces the full scan).
"""

from __future__ import annotations

import copy
import json
from typing import Any, Callable, Iterator, Optional, Sequence

from . import ast as A
from . import hints
from .adaptive import pairs_source, pairs_spec
from .errors import N1QLError, no_index
from .evaluator import CTX, Compiler, Scope, flatten_op
from .flex_search import plan as flex_plan
from .indexes import (
    ARRAY_VAR,
    ArrayKey,
    Index,
    IndexCatalog,
    PrimaryIndex,
    SecondaryIndex,
    array_var,
    bounds_of,
    field_path,
    ids_in,
    key_text,
    key_values,
    rename,
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
        self.ranges: list[dict] = []
        """The spans as EXPLAIN shows them: ``{"low", "high", "inclusion"}``
        with N1QL texts (inclusion: 1 low, 2 high, 3 both)."""

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


def _range_text(op: str, text: str) -> dict:
    """One comparison with a constant as an EXPLAIN span range."""
    if op == "=":
        return {"high": text, "inclusion": 3, "low": text}
    if op in ("<", "<="):
        return {"high": text, "inclusion": 2 if op == "<=" else 0, "low": "null"}
    return {"inclusion": 1 if op == ">=" else 0, "low": text}


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
            spec.ranges.append(_range_text(op, A.to_n1ql(other)))
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
            spec.ranges.append({"high": A.to_n1ql(c.high), "inclusion": 3,
                                "low": A.to_n1ql(c.low)})
        elif isinstance(c, A.Binary) and c.op == "IN" and matches(c.left) \
                and is_constant(c.right):
            if spec.points is None:
                spec.points = _const_fn(c.right)
                spec.exact = True
            spec.texts.append(A.to_n1ql(c, alias))
            items = c.right.items if isinstance(c.right, A.ArrayCons) else [c.right]
            spec.ranges.extend(_range_text("=", A.to_n1ql(i)) for i in items)
        elif isinstance(c, A.Binary) and c.op == "LIKE" and matches(c.left) \
                and isinstance(c.right, A.Literal) and isinstance(c.right.value, str):
            prefix = _like_prefix(c.right.value)
            if prefix is None:
                if spec.points is None:
                    value = c.right.value.replace("\\", "")
                    spec.points = lambda env, v=value: [v]
                spec.ranges.append(_range_text("=", json.dumps(c.right.value.replace("\\", ""))))
            elif prefix:
                upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
                spec.lows.append((_constant(prefix), True))
                spec.highs.append((_constant(upper), False))
                spec.ranges.append({"high": json.dumps(upper), "inclusion": 1,
                                    "low": json.dumps(prefix)})
            else:
                spec.lows.append((lambda env: "", True))
                spec.highs.append((lambda env: [], False))
                spec.ranges.append({"high": "[]", "inclusion": 1, "low": '""'})
            spec.texts.append(A.to_n1ql(c, alias))
        elif isinstance(c, A.IsCheck) and matches(c.expr) and (
                (c.what in ("NULL", "MISSING") and c.negated) or (c.what == "VALUED"
                                                                  and not c.negated)):
            if c.what != "MISSING":
                spec.lows.append((lambda env: None, False))
                spec.ranges.append({"inclusion": 0, "low": "null"})
            else:
                spec.ranges.append({"inclusion": 0, "low": "missing"})
            spec.texts.append(A.to_n1ql(c, alias))
    return spec


class MissingSpec(RangeSpec):
    """A scan of an ``INCLUDE MISSING`` index with no range on its leading key:
    every entry, or (``only``) the entries whose leading key is MISSING, for a
    ``key IS MISSING`` conjunct."""

    def __init__(self, only: bool) -> None:
        super().__init__()
        self.only = only
        self.ranges = [{"high": "missing", "inclusion": 3, "low": "missing"}] if only \
            else [{"inclusion": 0}]

    @property
    def empty(self) -> bool:
        return False

    def spans(self, env: dict) -> list:
        return [(MISSING, True, MISSING, True)] if self.only else [(MISSING, True, TOP, True)]


def missing_spec(conjs: list, lead: str, alias: str, others: set) -> MissingSpec:
    """How an ``INCLUDE MISSING`` index serves a query with no range on its
    leading key (selectintro.adoc, "Index Selection"; createindex.adoc, "INCLUDE
    MISSING Clause"): all its entries, or only the MISSING ones for ``key IS
    MISSING``. The WHERE is applied to what it returns, as to any scan."""
    for c in conjs:
        if isinstance(c, A.IsCheck) and c.what == "MISSING" and not c.negated \
                and refers_only_to(c.expr, alias, others) and key_text(c.expr, alias) == lead:
            spec = MissingSpec(True)
            spec.texts.append(A.to_n1ql(c, alias))
            spec.exact = True
            return spec
    return MissingSpec(False)


class Access:
    """How one keyspace term is read: ``keys``, ``index`` or ``primary``.

    ``via``: for an array index, what used it (``"any"`` or ``"unnest"``);
    ``cover``: for a covering scan, the rows to rebuild from the index (see
    :func:`decide_cover`), so no document is fetched.
    """

    def __init__(self, kind: str, path: tuple, keyspace: str, index: Optional[Index] = None,
                 keys_fn: Optional[Fn] = None, spec: Optional[RangeSpec] = None,
                 via: str = "", keys_node: Optional[A.Node] = None) -> None:
        self.kind = kind
        self.path = path
        self.keyspace = keyspace
        self.index = index
        self.keys_fn = keys_fn
        self.spec = spec
        self.via = via
        self.keys_node = keys_node
        self.cover: Optional[Cover] = None
        self.answered: Optional[A.Quantified] = None
        """The ANY conjunct an array index scan decides alone (true for every
        document it returns), so a covering scan need not read the array."""
        self.fts: Optional[str] = None
        """The Search index an INDEX_FTS hint had followed (hints.chosen)."""
        self.flex: Any = None
        """The :class:`~.flex_search.FlexScan` that gives the document ids, when
        a qualified Search index answers (flex indexes)."""
        self.vector: Optional[VectorOrder] = None
        """For a vector index scan: the documents in distance order (see
        :func:`use_vector_order`)."""

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
        if self.vector is not None:
            return self.vector.keys(env, on_loop)
        if self.flex is not None:
            found = self.flex.keys(env)
            if found is not None:
                return iter(found)
        index = self.index
        if isinstance(index, PrimaryIndex):
            return on_loop(index.scan)
        assert isinstance(index, SecondaryIndex) and self.spec is not None
        bounds = bounds_of(self.spec.spans(env))
        return ids_in(on_loop(lambda: index.ranges(bounds)))

    def covered(self, env: dict, on_loop: Callable[[Callable[[], Any]], Any] = _now
                ) -> Iterator[tuple]:
        """``(document id, rebuilt document)`` of a covering scan, each document once."""
        index = self.index
        assert isinstance(index, SecondaryIndex) and self.spec is not None
        assert self.cover is not None
        bounds = bounds_of(self.spec.spans(env))
        build = self.cover.build
        seen: set = set()
        for part in on_loop(lambda: index.ranges(bounds)):
            for entry in part:
                key = entry[2]
                if key not in seen:
                    seen.add(key)
                    yield key, build(key_values(entry))

    def explain(self, alias: Optional[str] = None) -> dict:
        from .explain import scan_operator

        return scan_operator(self, alias)


class Cover:
    """How a covering scan rebuilds a document: the index keys that are field
    paths, and the paths the index's WHERE fixes to a constant."""

    def __init__(self, index: SecondaryIndex, fixed: list,
                 element: Optional[tuple] = None) -> None:
        self.index = index
        self.slots = [(i, p) for i, p in enumerate(index.paths) if p is not None]
        self.fixed = fixed
        self.element = element
        """``(array path, element path)``: the array an answered ANY reads,
        rebuilt as the one element the entry holds."""

    def build(self, values: tuple) -> dict:
        doc: dict = {}
        for path, value in self.fixed:
            _put(doc, path, value)
        if self.element is not None:
            array_path, elem_path = self.element
            v = values[0]
            v = copy.deepcopy(v) if type(v) in (dict, list) else v
            item: Any = v
            if elem_path:
                item = {}
                _put(item, elem_path, v)
            _put(doc, array_path, [item])
        for i, path in self.slots:
            v = values[i]
            if v is not MISSING:  # a copy: the entry's value must not change with a result
                _put(doc, path, copy.deepcopy(v) if type(v) in (dict, list) else v)
        return doc


def _put(doc: dict, path: tuple, value: Any) -> None:
    for name in path[:-1]:
        nxt = doc.get(name)
        if type(nxt) is not dict:
            nxt = doc[name] = {}
        doc = nxt
    doc[path[-1]] = value


def _fixed_paths(index: SecondaryIndex) -> list:
    """``(path, value)`` for each ``path = constant`` conjunct of the index's WHERE."""
    out = []
    for c in conjuncts(index.where):
        if isinstance(c, A.Binary) and c.op == "=":
            for a, b in ((c.left, c.right), (c.right, c.left)):
                p = field_path(a)
                if p is not None and isinstance(b, A.Literal) and b.value is not MISSING:
                    out.append((p, b.value))
                    break
    return out


def _answerable(access: Access) -> Optional[tuple]:
    """For an array index scan that decides its ANY conjunct alone, how to
    rebuild what that conjunct reads: ``(array path, element path)``, when
    the array is a field path and the indexed element is the variable or a
    field path of it."""
    c = access.answered
    index = access.index
    if c is None or not isinstance(index, SecondaryIndex) or index.array is None:
        return None
    array_path = field_path(index.array.source)
    names: list[str] = []
    node = index.array.value
    while isinstance(node, A.Field):
        names.append(node.name)
        node = node.base
    if array_path is None or not (isinstance(node, A.Ident) and node.name == ARRAY_VAR):
        return None
    return array_path, tuple(reversed(names))


def _is_meta_id(node: A.Node, alias: str) -> bool:
    return (isinstance(node, A.Field) and node.name == "id" and isinstance(node.base, A.Call)
            and node.base.name == "META" and (not node.base.args or (
                len(node.base.args) == 1 and isinstance(node.base.args[0], A.Ident)
                and node.base.args[0].name == alias)))


COVERING_SCANS = True
"""Whether a query an index covers is answered without fetching documents
(off: every row is fetched, as the benchmark's "before" case)."""


def decide_cover(access: Optional[Access], alias: Optional[str], nodes: list,
                 names: set) -> None:
    """Make ``access`` a covering scan if every use of ``alias`` in ``nodes``
    (the block's expressions) is an index key that is a field path, a path the
    index's WHERE fixes, or ``META(alias).id``. ``names``: every other name in
    scope (other aliases, LET, projection and range variables): an unqualified
    name that is none of them is a field of ``alias``."""
    if access is None or access.kind != "index" or alias is None or not COVERING_SCANS \
            or access.flex is not None:  # a Search index never covers (flex-indexes.adoc)
        return
    index = access.index
    if not isinstance(index, SecondaryIndex):
        return
    fixed = _fixed_paths(index)
    answered = _answerable(access)
    texts = {key_text(index.key_exprs[i]) for i, p in enumerate(index.paths) if p is not None}
    texts |= {key_text(_path_node(p)) for p, _v in fixed}
    bound = set(names)
    for node in nodes:
        for n in A.walk(node) if node is not None else ():
            if isinstance(n, A.Binding):
                bound.add(n.var)
                if n.pos:
                    bound.add(n.pos)
    stack = [n for n in nodes if n is not None]
    while stack:
        n = stack.pop()
        if isinstance(n, A.Subquery):
            return
        if answered is not None and n is access.answered:
            continue
        if isinstance(n, (A.Field, A.Ident)) and key_text(n, alias) in texts:
            if isinstance(n, A.Field) or n.name not in bound:
                continue
        if _is_meta_id(n, alias):
            continue
        if isinstance(n, A.Ident) and (n.name == alias or n.name not in bound):
            return
        if isinstance(n, A.Call) and n.name == "META":
            return
        stack.extend(n.children())
    access.cover = Cover(index, fixed, answered)


def cover_block(access: Optional[Access], block: A.SelectBlock, order: Optional[list],
                names: set) -> None:
    """:func:`decide_cover` for a SELECT block over one keyspace (no joins,
    no ``*``): its result terms, LET, WHERE, GROUP BY, LETTING, HAVING and
    ORDER BY; ``names``: the names bound around it."""
    if block.joins or block.from_ is None or any(t.star for t in block.terms):
        return
    nodes = [t.expr for t in block.terms] + [e for _n, e in block.let] + [
        block.where, block.having] + list(block.group_by or []) + [
        e for _n, e in block.letting] + [o.expr for o in order or []]
    names = set(names) | {n for n, _e in block.let} | {n for n, _e in block.letting} | {
        t.alias for t in block.terms if t.alias}
    decide_cover(access, block.from_.alias, nodes, names)


def _path_node(path: tuple) -> A.Node:
    node: A.Node = A.Ident(path[0])
    for name in path[1:]:
        node = A.Field(node, name)
    return node


def _array_spec(ix: SecondaryIndex, conjs: list, alias: str, others: set,
                unnests: Sequence) -> Optional[tuple]:
    """``(spec, via, answered)`` if ``ix``'s leading array key serves a conjunct
    ``ANY v IN <its array> SATISFIES <a predicate on its element> END`` (or
    ANY AND EVERY), or an UNNEST of its array (an ALL index only, as GSI)
    filtered in WHERE; the variable names may differ from the index's.
    ``answered``: the ANY conjunct when the scan alone decides it (see :func:`_exact`)."""
    ak = ix.array
    assert ak is not None
    for c in conjs:
        match = _any_spec(ak, c, alias, others)
        if match is not None:
            found, conds = match
            exact = c.kind == "ANY" and not ak.within and ak.inner is None \
                and _exact(conds, found)
            return found, "any", c if exact else None
    if ix.modifiers[0] != "ALL" or ak.inner is not None:
        return None
    for j in unnests:
        if j.kind != "UNNEST" or j.outer or key_text(j.term, alias) != ak.source_text \
                or not refers_only_to(j.term, alias, others):
            continue
        found = _element_spec(ak, [rename(c, j.alias, ARRAY_VAR) for c in conjs], alias,
                              others - {j.alias})
        if found is not None:
            return found, "unnest", None
    return None


def _any_spec(ak: ArrayKey, c: A.Node, alias: str, others: set) -> Optional[tuple]:
    """``(spec, conditions)`` if ``c`` is ``ANY v IN <ak's array> SATISFIES
    ... END`` (or ANY AND EVERY) whose condition the key's elements answer;
    for a nested key, through an ANY over the inner array in that condition."""
    if not (isinstance(c, A.Quantified) and c.kind in ("ANY", "ANY AND EVERY")
            and len(c.bindings) == 1 and not c.bindings[0].pos):
        return None
    b = c.bindings[0]
    if b.within and not ak.within:
        return None
    if key_text(b.expr, alias) != ak.source_text or not refers_only_to(b.expr, alias, others):
        return None
    conds = conjuncts(rename(c.cond, b.var, array_var(ak.depth)))
    if ak.when_texts and not ak.when_texts <= {key_text(x, alias) for x in conds}:
        return None  # the index leaves out elements the query may need
    if ak.inner is not None:
        for inner in conds:
            found = _any_spec(ak.inner, inner, alias, others)
            if found is not None:
                return found
        return None
    spec = range_for(conds, ak.value_text, alias, others)
    return None if spec.empty else (spec, conds)


def _exact(conds: list, spec: RangeSpec) -> bool:
    """Whether an element is in ``spec``'s spans exactly when it satisfies every
    one of ``conds``: each a comparison with a literal other than NULL that
    :func:`range_for` used, and either one of them or only ranges (which
    intersect; a second equality would be ignored by the spans)."""
    if len(spec.texts) != len(conds):
        return False
    points = 0
    for c in conds:
        if isinstance(c, A.IsCheck):
            continue
        if isinstance(c, A.Between):
            lits = [c.low, c.high]
        elif isinstance(c, A.Binary) and c.op in ("=", "IN", "LIKE"):
            points += 1
            other = c.right if is_constant(c.right) else c.left
            lits = other.items if isinstance(other, A.ArrayCons) else [other]
        elif isinstance(c, A.Binary):
            lits = [c.right if is_constant(c.right) else c.left]
        else:
            return False
        if not all(isinstance(x, A.Literal) and x.value is not None and x.value is not MISSING
                   for x in lits):
            return False
    return points == 0 or len(conds) == 1


def _element_spec(ak: ArrayKey, conds: list, alias: str, others: set) -> Optional[RangeSpec]:
    if ak.when_texts and not ak.when_texts <= {key_text(c, alias) for c in conds}:
        return None  # the index leaves out elements the query may need
    spec = range_for(conds, ak.value_text, alias, others)
    return None if spec.empty else spec


def choose_access(catalog: IndexCatalog, term: A.KeyspaceTerm, path: tuple,
                  where: Optional[A.Node], others: set, outer_scope: Scope,
                  unnests: Sequence = ()) -> Access:
    """The access path for ``term`` given the statement's WHERE (and the
    UNNESTs of the same block, which an ALL array index may serve)."""
    keyspace = path[0] if path[1:] == ("_default", "_default") else path[2]
    quoted = ".".join(A.quote_ident(p) for p in (path[:1] if keyspace == path[0] else path))
    if term.use_keys is not None:
        fn = Compiler(outer_scope).compile(term.use_keys)
        return hints.chosen(term, Access("keys", path, keyspace, keys_fn=fn,
                                         keys_node=term.use_keys))
    indexes = hints.index_choices(term, [ix for ix in catalog.of(path) if ix.online])
    hint = term.use_index
    if hint:
        hinted = [ix for ix in indexes if ix.name in hint]
        for ix in hinted:
            if ix.primary:
                return hints.chosen(term, Access("primary", path, keyspace, index=ix))
        if hinted:
            indexes = hinted + [ix for ix in indexes if ix.primary]
    conjs = conjuncts(where)
    flex = flex_plan(catalog, term, path, conjs, others)  # flex_search.py
    fts_names = [flex.name] if flex is not None else []
    conj_texts = {key_text(c, term.alias) for c in conjs}
    best: Optional[tuple] = None
    for ix in indexes:
        if not isinstance(ix, SecondaryIndex):
            continue
        if ix.where is not None:
            needed = {key_text(c) for c in conjuncts(ix.where)}
            if not needed <= conj_texts:
                continue
        via, answered = "", None
        spec: Any
        adaptive = pairs_source(ix) is not None
        if adaptive:  # DISTINCT PAIRS(SELF) / PAIRS({...}): adaptive.py
            spec = pairs_spec(ix, conjs, term.alias, others, range_for)
            if spec is None:
                continue
            via = "pairs"
        elif ix.array_pos == 0:
            found = _array_spec(ix, conjs, term.alias, others, unnests)
            if found is None:
                continue
            spec, via, answered = found
        else:
            spec = range_for(conjs, ix.key_texts[0], term.alias, others)
        if spec.empty and ix.include_missing and ix.array_pos != 0:
            spec = missing_spec(conjs, ix.key_texts[0], term.alias, others)
        if spec.empty:
            continue
        # The most predicates the index answers (its keys after the first, and its
        # WHERE, as the server's composite spans and partial indexes do), then
        # equality over ranges, then the smaller index.
        rest = sum(1 for i, text in enumerate(ix.key_texts[1:], 1) if i != ix.array_pos
                   and not range_for(conjs, text, term.alias, others).empty)
        sargable = len(spec.texts) + rest + len(conjuncts(ix.where))
        score = (sargable, spec.exact, -len(ix.key_texts) - (0.5 if adaptive else 0))
        if best is None or score > best[0]:
            best = (score, ix, spec, via, answered)
    if best is not None:
        access = Access("index", path, keyspace, index=best[1], spec=best[2], via=best[3])
        access.answered = best[4]
        return _with_flex(hints.chosen(term, access, fts_names), flex)
    primary = catalog.primary(path)
    if primary is not None:
        return _with_flex(hints.chosen(term, Access("primary", path, keyspace, index=primary),
                                       fts_names), flex)
    raise no_index(quoted)


def _with_flex(access: Access, flex: Any) -> Access:
    """``access`` answered by the Search index ``flex`` when the hint was followed."""
    if access.fts is not None and flex is not None:
        access.flex = flex
    return access


# -- vector indexes ---------------------------------------------------------------

_SIMILARITY = {"EUCLIDEAN": "L2", "EUCLIDEAN_SQUARED": "L2_SQUARED"}


def _similarity(name: Any) -> Optional[str]:
    if type(name) is not str:
        return None
    name = name.upper()
    return _SIMILARITY.get(name, name)


class VectorOrder:
    """A vector index scan in ``APPROX_VECTOR_DISTANCE`` order: every entry's
    distance to the query vector, then the document ids nearest first (ties in
    document id order, as a primary scan gives them; a distance that is not a
    number, such as COSINE to a zero vector, comes first, as ORDER BY puts NULL
    first). A document whose value is no vector of the index's dimension (NULL,
    a string, another length) has no place in a vector index, so it is not
    returned, as a document without the field has no entry (see
    :mod:`.statements.vector_index`).
    The query's LIMIT ends the reading (executor.SelectPlan)."""

    def __init__(self, index: SecondaryIndex, call: A.Call, metric: str,
                 limit: A.Node) -> None:
        self.index = index
        self.call = call
        self.metric = metric
        self.limit = limit
        self.query_fn = _const_fn(call.args[1])

    def keys(self, env: dict, on_loop: Callable[[Callable[[], Any]], Any]) -> Iterator[str]:
        from .functions.vectors import isvector, vector_distance

        index = self.index
        dim = (getattr(index, "vector", None) or {}).get("dimension")
        query = self.query_fn(env)
        entries = on_loop(lambda: list(index.entries))
        scored = []
        for entry in entries:
            vector = key_values(entry)[0]
            if dim is not None and isvector(vector, dim, "float32") is not True:
                continue  # no vector of the index's dimension: not in a vector index
            d = vector_distance(vector, query, self.metric)
            scored.append((collation_key(d), entry[2]))
        scored.sort()
        seen: set = set()
        for _d, key in scored:
            if key not in seen:
                seen.add(key)
                yield key


def use_vector_order(catalog: IndexCatalog, block: Any, order: Optional[list],
                     limit: Optional[A.Node]) -> bool:
    """Read ``block``'s keyspace through a vector index in distance order when the
    query is ``ORDER BY APPROX_VECTOR_DISTANCE(key, vector, metric) LIMIT n``
    (hyperscale-vector-index.adoc, "Query with a Hyperscale Vector Index": the
    function names the index's vector key and its metric matches the index's
    similarity; the LIMIT is pushed down into the scan). ``block``: a
    :class:`~.executor.BlockPlan`. True when the scan gives the query's order, so
    the first ``offset + limit`` rows are the answer. Otherwise (no LIMIT,
    another metric, VECTOR_DISTANCE, more ORDER BY terms, DESC, joins,
    grouping, window functions, USE KEYS) the access the planner chose stays."""
    source = block.source
    access, term = source.access, source.term
    if limit is None or not order or len(order) != 1 or order[0].desc or access is None \
            or access.kind == "keys" or block.joins or block.grouped \
            or block.window is not None or not isinstance(term, A.KeyspaceTerm):
        return False
    call = order[0].expr
    if not (isinstance(call, A.Call) and call.name in ("APPROX_VECTOR_DISTANCE", "ANN_DISTANCE")
            and 3 <= len(call.args) <= 6 and isinstance(call.args[2], A.Literal)
            and all(is_constant(a) for a in call.args[1:])):
        return False
    metric = _similarity(call.args[2].value)
    alias = term.alias
    field = key_text(call.args[0], alias)
    candidates = hints.index_choices(term, [ix for ix in catalog.of(access.path) if ix.online])
    if term.use_index:
        candidates = [ix for ix in candidates if ix.name in term.use_index]
    for ix in candidates:
        options = getattr(ix, "vector", None)
        if options is None or not isinstance(ix, SecondaryIndex) or ix.key_texts[0] != field \
                or _similarity(options.get("similarity")) != metric:
            continue
        if ix.where is not None and not {key_text(c) for c in conjuncts(ix.where)} <= {
                key_text(c, alias) for c in conjuncts(block.block.where)}:
            continue
        vector = VectorOrder(ix, call, str(call.args[2].value), limit)
        chosen = Access("index", access.path, access.keyspace, index=ix, spec=RangeSpec())
        chosen.vector = vector
        source.access = hints.chosen(term, chosen)  # a vector scan: no Search index
        return True
    return False


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


__all__ = ["Access", "Cover", "VectorOrder", "use_vector_order", "choose_access",
           "cover_block", "conjuncts", "require_keyspace", "CTX"]
