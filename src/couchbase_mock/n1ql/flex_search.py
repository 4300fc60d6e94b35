"""Flex indexes: a keyspace scan answered by a Search index (flex-indexes.adoc).

When a query asks for a Search index (``USE INDEX (USING FTS)``, ``USE INDEX
(name USING FTS)`` or the ``INDEX_FTS`` hint: hints.fts_hinted) the planner
asks :func:`plan` whether one of the keyspace's Search indexes qualifies:

- "Type Mappings": the default type mapping alone, or custom type mappings (not
  both); with custom type mappings the WHERE must hold ``<type field> = "T"``
  for one mapped type T, whose mapping is then the one that is searched
  ("Conditional Expression for Custom Type Mappings").
- "Indexed Fields" and "Analyzer": a field is usable when its mapping indexes it
  with the value's type (text, number, boolean), explicitly or dynamically; a
  text field only with the keyword analyzer (else a term is not the whole value).
- "N1QL Predicates": the sargable conjuncts are ``field = constant``, ``field IN
  [constants]``, ``field LIKE "text"`` and ``LIKE "prefix%"``, ``field BETWEEN
  n AND m`` and a contiguous ``field >= n AND field <= m`` (numbers; open ranges
  are not deterministic and do not qualify). "AND Expressions": partial
  sargability, so other conjuncts may be there; at least one must be sargable.
  OR, ANY ... SATISFIES, string ranges and ISSTRING/ISNUMBER workarounds are not
  translated here: such a conjunct is simply left to the WHERE filter.

A qualifying index answers the scan: the sargable conjuncts become one Search
request (a conjunction of term, bool, numeric range and prefix queries, their
constants evaluated per request), run by the local Search service
(``catalog.search_ids``, set by the local cluster) for the matching document
ids; the documents are then fetched and the whole WHERE applied, as after any
scan, so the rows are those of the GSI or primary answer. If a constant turns
out not to be searchable (a parameter bound to an object, a field not indexed
for that type) or the Search service cannot answer, the planner's own scan is
used instead.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import ast as A
from . import hints
from .evaluator import Compiler, Scope
from .values import MISSING

Part = Callable[[dict], Optional[dict]]


def _kind(v: Any) -> Optional[str]:
    """The Search field type a N1QL value is indexed as."""
    t = type(v)
    if t is str:
        return "text"
    if t is bool:
        return "boolean"
    if t in (int, float):
        return "number"
    return None


class Coverage:
    """Which field paths, of which types, one Search index mapping searches."""

    def __init__(self, mapping: Any, doc_mapping: Any) -> None:
        self.mapping = mapping
        self.root = doc_mapping

    def covers(self, path: tuple, kind: str) -> bool:
        m = self.root
        analyzer = m.analyzer or self.mapping.default_analyzer
        for name in path[:-1]:
            sub = m.properties.get(name)
            if sub is None:
                return bool(m.dynamic) and (kind != "text" or analyzer == "keyword")
            if not sub.enabled:
                return False
            m = sub
            analyzer = m.analyzer or analyzer
        last = path[-1]
        sub = m.properties.get(last)
        fields = [f for f in (sub.fields if sub is not None else []) if f.indexed]
        fields += [f for f in m.fields if f.indexed and f.name == last]
        for f in fields:
            if (f.name or last) == last and f.type == kind:
                return kind != "text" or (f.analyzer or (sub.analyzer if sub else None)
                                          or analyzer) == "keyword"
        if sub is not None and not fields:
            if not sub.enabled:
                return False
            return bool(sub.dynamic) and (kind != "text" or (sub.analyzer or analyzer)
                                          == "keyword")
        return sub is None and bool(m.dynamic) and (kind != "text" or analyzer == "keyword")


def _path(expr: A.Node, alias: str, others: set) -> Optional[tuple]:
    names: list[str] = []
    while isinstance(expr, A.Field):
        names.append(expr.name)
        expr = expr.base
    if not isinstance(expr, A.Ident):
        return None
    if expr.name == alias:
        if not names:
            return None
    elif expr.name in others:
        return None
    else:
        names.append(expr.name)
    return tuple(reversed(names))


def _const(node: A.Node) -> Optional[Callable[[dict], Any]]:
    from .planner import is_constant

    return Compiler(Scope()).compile(node) if is_constant(node) else None


def _value_query(cov: Coverage, path: tuple, v: Any) -> Optional[dict]:
    """The Search query for ``path = v`` (None: not searchable)."""
    kind = _kind(v)
    if kind is None or not cov.covers(path, kind):
        return None
    field = ".".join(path)
    if kind == "text":
        return {"term": v, "field": field}
    if kind == "boolean":
        return {"bool": v, "field": field}
    return {"min": v, "max": v, "inclusive_min": True, "inclusive_max": True, "field": field}


def _range_query(cov: Coverage, path: tuple, low: Any, low_inc: bool, high: Any,
                 high_inc: bool) -> Optional[dict]:
    if _kind(low) != "number" or _kind(high) != "number" or low > high \
            or not cov.covers(path, "number"):
        return None
    return {"min": low, "max": high, "inclusive_min": low_inc, "inclusive_max": high_inc,
            "field": ".".join(path)}


def _like(pattern: str) -> tuple[str, bool]:
    """``(text, is_prefix)`` of a LIKE pattern that is a string or ``string%``;
    ``("", False)`` for any other pattern."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(pattern[i + 1])
            i += 2
            continue
        if c == "%" and i == len(pattern) - 1 and out:
            return "".join(out), True
        if c in "%_":
            return "", False
        out.append(c)
        i += 1
    return "".join(out), False


def _part(c: A.Node, nxt: Optional[A.Node], cov: Coverage, alias: str,
          others: set) -> tuple[Optional[Part], bool]:
    """The Search query builder for conjunct ``c`` (and whether it also took the
    next conjunct, the upper half of a contiguous range)."""
    if isinstance(c, A.Binary) and c.op == "=":
        for field, other in ((c.left, c.right), (c.right, c.left)):
            path, fn = _path(field, alias, others), _const(other)
            if path is not None and fn is not None:
                return (lambda env, p=path, f=fn: _value_query(cov, p, f(env))), False
    if isinstance(c, A.Binary) and c.op == "IN":
        path, fn = _path(c.left, alias, others), _const(c.right)
        if path is not None and fn is not None:
            def any_of(env: dict, p: tuple = path, f: Any = fn) -> Optional[dict]:
                values = f(env)
                if type(values) is not list or not values:
                    return None
                qs = [_value_query(cov, p, v) for v in values]
                return None if any(q is None for q in qs) else {"disjuncts": qs}
            return any_of, False
    if isinstance(c, A.Binary) and c.op == "LIKE" and isinstance(c.right, A.Literal) \
            and type(c.right.value) is str:
        path = _path(c.left, alias, others)
        text, prefix = _like(c.right.value)
        if path is not None and text:
            if not prefix:
                return (lambda env, p=path, t=text: _value_query(cov, p, t)), False
            if cov.covers(path, "text"):
                q = {"prefix": text, "field": ".".join(path)}
                return (lambda env: q), False
    if isinstance(c, A.Between) and not c.negated:
        path, lo, hi = _path(c.expr, alias, others), _const(c.low), _const(c.high)
        if path is not None and lo is not None and hi is not None:
            return (lambda env, p=path, a=lo, b=hi: _range_query(
                cov, p, a(env), True, b(env), True)), False
    if isinstance(c, A.Binary) and c.op in (">", ">=") and isinstance(nxt, A.Binary) \
            and nxt.op in ("<", "<="):
        path, lo = _path(c.left, alias, others), _const(c.right)
        path2, hi = _path(nxt.left, alias, others), _const(nxt.right)
        if path is not None and path == path2 and lo is not None and hi is not None:
            lo_inc, hi_inc = c.op == ">=", nxt.op == "<="
            return (lambda env: _range_query(cov, path, lo(env), lo_inc, hi(env),
                                             hi_inc)), True
    return None, False


class FlexScan:
    """A qualified Search index and how to ask it for the documents."""

    def __init__(self, name: str, parts: list, texts: list,
                 search: Callable[[str, dict], Optional[list]]) -> None:
        self.name = name
        self.parts = parts
        self.texts = texts
        self.search = search

    def request(self, env: dict) -> Optional[dict]:
        queries = []
        for part in self.parts:
            q = part(env)
            if q is None:
                return None
            queries.append(q)
        return queries[0] if len(queries) == 1 else {"conjuncts": queries}

    def keys(self, env: dict) -> Optional[list]:
        """The ids of the documents the Search index finds (None: it cannot answer)."""
        try:
            req = self.request(env)
        except Exception:  # a constant this request cannot evaluate: the GSI path
            return None
        return None if req is None else self.search(self.name, req)


def _type_mapping(mapping: Any, conjs: list, alias: str, others: set) -> Optional[Any]:
    """The document mapping a query searches: the default one, or the custom type
    its WHERE names (``type_field = "T"``)."""
    if not mapping.types:
        return mapping.default_mapping if mapping.default_mapping.enabled else None
    if mapping.default_mapping.enabled and mapping.default_mapping.dynamic:
        return None  # the default mapping along with custom ones: no (Type Mappings)
    for c in conjs:
        if isinstance(c, A.Binary) and c.op == "=":
            for field, other in ((c.left, c.right), (c.right, c.left)):
                if _path(field, alias, others) == (mapping.type_field,) and \
                        isinstance(other, A.Literal) and other.value in mapping.types:
                    found = mapping.types[other.value]
                    return found if found.enabled else None
    return None


def plan(catalog: Any, term: Any, path: tuple, conjs: list, others: set) -> Optional[FlexScan]:
    """The Search index that answers ``term``'s scan, if the query asks for one and
    one qualifies (see the module's note)."""
    wanted = hints.fts_hinted(term)
    definitions = getattr(catalog, "search_definitions", None)
    search = getattr(catalog, "search_ids", None)
    if wanted is None or definitions is None or search is None or \
            getattr(term, "use_keys", None) is not None:
        return None
    alias = term.alias
    for name, mapping in definitions(path):
        if wanted and name not in wanted:
            continue
        doc_mapping = _type_mapping(mapping, conjs, alias, others)
        if doc_mapping is None or mapping.mode != "type_field":
            continue
        cov = Coverage(mapping, doc_mapping)
        parts, texts = [], []
        i = 0
        while i < len(conjs):
            part, both = _part(conjs[i], conjs[i + 1] if i + 1 < len(conjs) else None, cov,
                               alias, others)
            if part is not None and (_has_params(conjs[i]) or _now(part) is not None):
                parts.append(part)
                texts.append(A.to_n1ql(conjs[i], alias))
            i += 2 if both and part is not None else 1
        if parts:
            return FlexScan(name, parts, texts, search)
    return None


def _now(part: Part) -> Optional[dict]:
    """A part's query from its constants alone (None if they need the request)."""
    try:
        return part({})
    except Exception:  # a constant that cannot be evaluated without the request
        return None


def _has_params(node: A.Node) -> bool:
    """Whether a conjunct's constants wait for the request's parameters (checked
    when the request runs, not when it is planned)."""
    return any(isinstance(n, A.Param) for n in A.walk(node)) or any(
        isinstance(n, A.Literal) and n.value is MISSING for n in A.walk(node))
