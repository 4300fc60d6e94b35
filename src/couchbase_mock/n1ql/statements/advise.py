"""ADVISE: index advice for one query (advise.adoc).

Syntax: ``ADVISE [INDEX] statement`` (SELECT, UPDATE, DELETE; and MERGE when
that statement form exists). The one result row reads like the server's::

    {"#operator": "Advise", "query": "...",
     "advice": {"#operator": "IndexAdvice", "adviseinfo": {
         "current_indexes": [{"index_statement": ..., "keyspace_alias": ...}],
         "recommended_indexes": {"indexes": [...], "covering_indexes": [...]}
                                | "No index recommendation at this time."}}}

The advice follows the page's rules for the query's keyspace: each
sargable conjunct of WHERE over one field of that keyspace gives an index key
(rule 2 equality / IS NULL / IS MISSING, 3 IN, 4 <= >= BETWEEN and LIKE with
a fixed prefix, 5 < > NOT BETWEEN, 7 IS NOT NULL/MISSING/VALUED, 8 LIKE with
a leading wildcard), the keys in that order; a WHERE that is an OR of
predicates on one field gives that field as "common leading key for
disjunction". A covering index adds the other fields the query projects,
orders or groups by, when it reads no whole document. When the index the
query uses already has the recommended keys, it is reported as "SAME TO THE
INDEX WE CAN RECOMMEND" and nothing is recommended.
"""

from __future__ import annotations

from typing import Any, Optional

from .. import ast as A
from ..errors import N1QLError
from ..planner import conjuncts, is_constant
from . import runner, statement

NONE = "No index recommendation at this time."
SAME = "SAME TO THE INDEX WE CAN RECOMMEND"
RULES = {1: "Common leading key for disjunction", 2: "equality/null/missing", 3: "in",
         4: "not less than/between/not greater than", 5: "less than/greater than",
         7: "not null/not missing/valued", 8: "like"}


class Advise(A.Node):
    __slots__ = ("stmt", "text")

    def __init__(self, stmt: A.Node, text: str) -> None:
        self.stmt = stmt
        self.text = text


@statement("ADVISE")
def parse(p: Any) -> Advise:
    p.expect_kw("ADVISE")
    if p.is_kw("INDEX") and not p.is_op("(", tok=p.peek()):
        p.i += 1
    start = p.tok.offset
    stmt = p.statement()
    return Advise(stmt, p.text[start:].strip())


# -- what the query filters on -------------------------------------------------------------


def _target(stmt: A.Node) -> tuple[Optional[A.KeyspaceTerm], Optional[A.Node], list]:
    """The keyspace term, the WHERE and the projected/ordered expressions."""
    if isinstance(stmt, A.Select):
        body = stmt.body
        if not isinstance(body, A.SelectBlock):
            return None, None, []
        extra = [t.expr for t in stmt.order or []]
        if isinstance(body.from_, A.KeyspaceTerm):
            terms = [t for t in body.terms]
            used = [None if t.star else t.expr for t in terms]
            return body.from_, body.where, used + extra + list(body.group_by or [])
        return None, None, []
    if isinstance(stmt, A.SelectBlock):
        return _target(A.Select(stmt))
    term = getattr(stmt, "term", None)
    if isinstance(term, A.KeyspaceTerm):
        return term, getattr(stmt, "where", None), [None]
    return None, None, []


def _field_path(node: A.Node, alias: str) -> Optional[list]:
    """``[name, ...]`` of a field path of the keyspace (``a.geo.alt`` or ``geo.alt``)."""
    names: list = []
    while isinstance(node, A.Field):
        names.append(node.name)
        node = node.base
    if not isinstance(node, A.Ident):
        return None
    if node.name == alias:
        return list(reversed(names)) or None
    return [node.name] + list(reversed(names))


def _key(node: A.Node, alias: str) -> Optional[tuple]:
    """``(text, name)`` of an index key for ``node``, or ``None``."""
    path = _field_path(node, alias)
    if path is not None:
        return ".".join(f"`{n}`" for n in path), "_".join(path)
    if isinstance(node, A.Call) and node.args and not node.star:
        inner = _key(node.args[0], alias)
        if inner is not None and all(is_constant(a) for a in node.args[1:]):
            return A.to_n1ql(node, alias), f"{node.name.lower()}_{inner[1]}"
    return None


def _classify(c: A.Node, alias: str) -> Optional[tuple]:
    """``(rule, key)`` for a sargable predicate on one key of the keyspace."""
    if isinstance(c, A.IsCheck):
        key = _key(c.expr, alias)
        is_known = (c.what == "VALUED") != c.negated  # IS NOT NULL, IS VALUED...
        return (7 if is_known else 2, key) if key else None
    if isinstance(c, A.Between):
        key = _key(c.expr, alias)
        if key and is_constant(c.low) and is_constant(c.high):
            return (5 if c.negated else 4, key)
        return None
    if not isinstance(c, A.Binary):
        return None
    rule = {"=": 2, "IN": 3, "<=": 4, ">=": 4, "<": 5, ">": 5, "LIKE": 4}.get(c.op)
    if rule is None:
        return None
    left, right = c.left, c.right
    if rule != 3 and c.op != "LIKE" and is_constant(left) and not is_constant(right):
        left, right = right, left
    key = _key(left, alias)
    if key is None or not is_constant(right):
        return None
    if c.op == "LIKE":
        pattern = right.value if isinstance(right, A.Literal) else None
        if type(pattern) is str and pattern[:1] in ("%", "_"):
            rule = 8
    return rule, key


def _disjuncts(node: Optional[A.Node]) -> list:
    if isinstance(node, A.Binary) and node.op == "OR":
        return _disjuncts(node.left) + _disjuncts(node.right)
    return [node] if node is not None else []


def _recommend(where: Optional[A.Node], alias: str) -> tuple[list, str]:
    """The index keys ``[(text, name)]`` and the rule text."""
    ors = _disjuncts(where)
    if len(ors) > 1:
        each = [_classify(d, alias) for d in ors]
        found = [f for f in each if f is not None]
        if len(found) == len(each) and len({f[1] for f in found}) == 1:
            rule = max(f[0] for f in found)
            return [found[0][1]], f"1. {RULES[1]} ({rule}. {RULES[rule]})"
        return [], ""
    best: dict[tuple, int] = {}
    for c in conjuncts(where):
        one = _classify(c, alias)
        if one is not None:
            rule, key = one
            best[key] = min(best.get(key, rule), rule)
    keys = sorted(best, key=lambda k: (best[k], k[1]))
    rules = sorted(set(best.values()))
    return keys, ", ".join(f"{r}. {RULES[r]}" for r in rules)


# -- statements for indexes ------------------------------------------------------------------


def _keyspace_text(ref: A.KeyspaceRef) -> str:
    parts = [ref.bucket] + ([ref.scope, ref.collection] if ref.scope and ref.collection
                            else [])
    return f"`{ref.namespace}`:" + ".".join(f"`{p}`" for p in parts)


def _create(name: str, ref: A.KeyspaceRef, keys: list) -> str:
    return (f"CREATE INDEX {name} ON {_keyspace_text(ref)}("
            + ",".join(text for text, _n in keys) + ")")


def _current(engine: Any, term: A.KeyspaceTerm, stmt: A.Node, keys: list) -> list:
    """The indexes the query's plan scans, as index statements; or the index
    that has the recommended keys, when there is one (the server's planner
    would use it: ours may not, for an OR)."""
    path = (term.ref.bucket, term.ref.scope or "_default", term.ref.collection or "_default")
    for index in engine.catalog.of(path):
        if keys and not getattr(index, "primary", False) and index.where is None and \
                _same([_key_text(k) for k in index.key_exprs], keys):
            return _rows(engine, term, [index.name], path)
    names: list = []
    stack: list = [engine.explain(stmt)]
    while stack:
        op = stack.pop()
        if isinstance(op, dict):
            if "index" in op and op.get("#operator", "").endswith(("Scan", "Scan3")):
                names.append(op["index"])
            stack.extend(op.values())
        elif isinstance(op, list):
            stack.extend(op)
    return _rows(engine, term, names, path)


def _rows(engine: Any, term: A.KeyspaceTerm, names: list, path: tuple) -> list:
    out = []
    for name in dict.fromkeys(names):
        index = engine.catalog.get(path, name)
        if index is None:
            continue
        if getattr(index, "primary", False):
            text = f"CREATE PRIMARY INDEX {name} ON {_keyspace_text(term.ref)}"
            keys: Optional[list] = None
        else:
            exprs = getattr(index, "key_exprs", None) or []
            keys = [_key_text(k) for k in exprs]
            text = (f"CREATE INDEX {name} ON {_keyspace_text(term.ref)}("
                    + ",".join(keys) + ")")
            where = getattr(index, "where", None)
            if where is not None:
                text += " WHERE " + A.to_n1ql(where)
                keys = None  # a partial index is no plain match for the advice
        out.append(({"index_statement": text, "keyspace_alias": _alias_text(term)}, keys))
    return out


def _key_text(expr: A.Node) -> str:
    key = _key(expr, "\x00")
    return key[0] if key is not None else A.to_n1ql(expr)


def _alias_text(term: A.KeyspaceTerm) -> str:
    name = term.ref.collection or term.ref.bucket
    return name if term.alias in (None, name) else f"{name}_{term.alias}"


def _same(current_keys: Optional[list], keys: list) -> bool:
    if current_keys is None:
        return False
    plain = [k.replace("(", "").replace(")", "") for k in current_keys]
    return plain == [text.replace("(", "").replace(")", "") for text, _n in keys]


def _covering(keys: list, used: list, alias: str) -> Optional[list]:
    if not keys or any(u is None for u in used):
        return None
    extra: list = []
    for expr in used:
        for node in A.walk(expr):
            if isinstance(node, A.Call) and node.name == "META":
                return None
            if isinstance(node, A.Ident) and node.name == alias and \
                    not isinstance(expr, A.Field):
                return None
        key = _key(expr, alias)
        if key is None:
            return None
        if key not in keys and key not in extra:
            extra.append(key)
    return keys + extra if extra else None


@runner(Advise)
def run(engine: Any, stmt: Advise, ctx: Any) -> tuple:
    term, where, used = _target(stmt.stmt)
    if term is None:
        raise N1QLError(3000, "ADVISE needs a SELECT, UPDATE or DELETE on one keyspace")
    alias = term.alias or term.ref.default_alias
    keys, rule_text = _recommend(where, alias)
    current = _current(engine, term, stmt.stmt, keys)
    rule = f"Index keys follow order of predicate types: {rule_text}."
    recommended: Any = NONE
    current_rows = []
    same = False
    for row, current_keys in current:
        if keys and _same(current_keys, keys):
            row = dict(row, index_status=SAME, recommending_rule=rule)
            same = True
        current_rows.append(dict(sorted(row.items())))
    if keys and not same:
        name = "adv_" + "_".join(n for _t, n in keys)
        recommended = {"indexes": [{"index_statement": _create(name, term.ref, keys),
                                    "keyspace_alias": _alias_text(term),
                                    "recommending_rule": rule}]}
        cover = _covering(keys, used, alias)
        if cover is not None:
            cover_name = "adv_" + "_".join(n for _t, n in cover)
            recommended = {"covering_indexes": [{
                "index_statement": _create(cover_name, term.ref, cover),
                "keyspace_alias": _alias_text(term)}], **recommended}
    advice = {"#operator": "IndexAdvice",
              "adviseinfo": {"current_indexes": current_rows,
                             "recommended_indexes": recommended}}
    return [{"#operator": "Advise", "advice": advice, "query": stmt.text}], None, None
